#!/usr/bin/env node
// A real PostgreSQL server for the storage tests, on 127.0.0.1 only.
//
// When OTEDAMA_TEST_DATABASE_URL points at a reachable server, that server is used. Otherwise
// this script finds PostgreSQL's binaries (installing Debian's `postgresql` package with apt
// when it is absent and we are root), initialises a throwaway cluster in a temporary folder
// (as the `postgres` user when we are root: PostgreSQL refuses to run as root), starts it on a
// free port, creates a database, and hands out its URL. Stopping removes the folder.
//
//   node scripts/postgres.mjs run -- <command...>   start, run the command with
//                                                   OTEDAMA_TEST_DATABASE_URL set, stop
//   node scripts/postgres.mjs start [--shell]       start and print the URL (--shell: `export` lines)
//   node scripts/postgres.mjs stop DIR              stop a cluster that `start` left running
//
// Also a module: `providePostgres()` returns { url, dir, started, stop() } (tests use it).
// Plain JavaScript so it runs before anything is installed.
import { spawn, spawnSync } from 'node:child_process';
import { chownSync, existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { createServer, connect } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const ENV_URL = 'OTEDAMA_TEST_DATABASE_URL';
const DB_USER = 'otedama';
const DB_NAME = 'otedama_test';
/** Seconds pg_ctl waits for the server to accept connections (initdb + start take 1–3 s here). */
const START_TIMEOUT_S = 60;

function defaultLog(msg) {
  process.stderr.write(`postgres: ${msg}\n`);
}

/** Whether a TCP connection to the URL's host and port opens within `timeoutMs`. */
export function isReachable(url, timeoutMs = 1500) {
  let host;
  let port;
  try {
    const u = new URL(url);
    host = u.hostname || '127.0.0.1';
    port = Number(u.port || 5432);
  } catch {
    return Promise.resolve(false);
  }
  return new Promise((resolve) => {
    const socket = connect({ host, port });
    const done = (ok) => {
      socket.destroy();
      resolve(ok);
    };
    socket.setTimeout(timeoutMs, () => done(false));
    socket.once('connect', () => done(true));
    socket.once('error', () => done(false));
  });
}

function freePort() {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address();
      server.close(() => resolve(port));
    });
  });
}

function versionDirs() {
  const base = '/usr/lib/postgresql';
  if (!existsSync(base)) return [];
  return readdirSync(base)
    .filter((v) => existsSync(join(base, v, 'bin', 'initdb')))
    .sort((a, b) => Number(b) - Number(a))
    .map((v) => join(base, v, 'bin'));
}

function onPath(cmd) {
  const r = spawnSync('sh', ['-c', `command -v ${cmd}`], { encoding: 'utf8' });
  return r.status === 0 ? r.stdout.trim() : undefined;
}

/** Folder holding initdb, pg_ctl and createdb, or undefined. */
export function findBinaries() {
  const [dir] = versionDirs();
  if (dir && existsSync(join(dir, 'pg_ctl'))) return dir;
  const initdb = onPath('initdb');
  const pgCtl = onPath('pg_ctl');
  if (initdb && pgCtl) return initdb.slice(0, initdb.lastIndexOf('/'));
  return undefined;
}

function isRoot() {
  return typeof process.getuid === 'function' && process.getuid() === 0;
}

function installWithApt(log) {
  if (!isRoot()) {
    throw new Error('PostgreSQL is not installed and this is not root, so it cannot be installed here; install it (sudo apt-get install postgresql) or set OTEDAMA_TEST_DATABASE_URL to a server you run');
  }
  if (!onPath('apt-get')) {
    throw new Error('PostgreSQL is not installed and apt-get is not available; install PostgreSQL or set OTEDAMA_TEST_DATABASE_URL');
  }
  const env = { ...process.env, DEBIAN_FRONTEND: 'noninteractive' };
  const install = () => spawnSync('apt-get', ['install', '-y', '--no-install-recommends', 'postgresql'], { stdio: ['ignore', 'inherit', 'inherit'], env }).status;
  log('installing PostgreSQL with apt-get (postgresql) ...');
  if (install() !== 0) {
    log('apt-get install failed; running apt-get update and retrying');
    spawnSync('apt-get', ['update'], { stdio: ['ignore', 'inherit', 'inherit'], env });
    if (install() !== 0) throw new Error('apt-get install postgresql failed; see the output above');
  }
}

function postgresUser() {
  const r = spawnSync('id', ['-u', 'postgres'], { encoding: 'utf8' });
  const g = spawnSync('id', ['-g', 'postgres'], { encoding: 'utf8' });
  if (r.status !== 0 || g.status !== 0) return undefined;
  return { uid: Number(r.stdout.trim()), gid: Number(g.stdout.trim()) };
}

function runAs(identity, bin, args, cwd) {
  const opts = { cwd, encoding: 'utf8', env: { ...process.env, HOME: cwd, LC_ALL: 'C' } };
  if (identity) Object.assign(opts, identity);
  const r = spawnSync(bin, args, opts);
  if (r.error) throw new Error(`could not run ${bin}: ${r.error.message}`);
  return r;
}

/** Stops a cluster started by startCluster and removes its folder. */
export function stopCluster(dir, binDir = findBinaries()) {
  if (!dir || !existsSync(dir)) return;
  const identity = isRoot() ? postgresUser() : undefined;
  if (binDir && existsSync(join(dir, 'data', 'postmaster.pid'))) {
    runAs(identity, join(binDir, 'pg_ctl'), ['-D', join(dir, 'data'), '-m', 'fast', '-w', 'stop'], dir);
  }
  rmSync(dir, { recursive: true, force: true });
}

/** Initialises and starts a throwaway cluster; returns { url, dir, stop }. */
export async function startCluster({ log = defaultLog } = {}) {
  let binDir = findBinaries();
  if (!binDir) {
    installWithApt(log);
    binDir = findBinaries();
    if (!binDir) throw new Error('PostgreSQL was installed but initdb/pg_ctl were not found under /usr/lib/postgresql/*/bin');
  }
  let identity;
  if (isRoot()) {
    identity = postgresUser();
    if (!identity) throw new Error('running as root, but there is no "postgres" user to run PostgreSQL as (PostgreSQL refuses root); create one or run as a normal user');
  }
  const dir = mkdtempSync(join(tmpdir(), 'otedama-pg-'));
  if (identity) chownSync(dir, identity.uid, identity.gid);
  const data = join(dir, 'data');
  const logFile = join(dir, 'server.log');
  const port = await freePort();
  try {
    const init = runAs(identity, join(binDir, 'initdb'), ['-D', data, '-U', DB_USER, '-A', 'trust', '-E', 'UTF8', '--no-locale', '--no-sync'], dir);
    if (init.status !== 0) throw new Error(`initdb failed:\n${init.stderr || init.stdout}`);
    const opts = `-c listen_addresses=127.0.0.1 -p ${port} -k ${dir} -c max_connections=200`;
    const start = runAs(identity, join(binDir, 'pg_ctl'), ['-D', data, '-l', logFile, '-w', '-t', String(START_TIMEOUT_S), '-o', opts, 'start'], dir);
    if (start.status !== 0) {
      const serverLog = existsSync(logFile) ? readFileSync(logFile, 'utf8').slice(-2000) : '';
      throw new Error(`pg_ctl start failed:\n${start.stderr || start.stdout}\n${serverLog}`);
    }
    const created = runAs(identity, join(binDir, 'createdb'), ['-h', '127.0.0.1', '-p', String(port), '-U', DB_USER, DB_NAME], dir);
    if (created.status !== 0) throw new Error(`createdb failed: ${created.stderr || created.stdout}`);
  } catch (err) {
    stopCluster(dir, binDir);
    throw err;
  }
  const url = `postgres://${DB_USER}@127.0.0.1:${port}/${DB_NAME}`;
  log(`started a throwaway PostgreSQL (${binDir}) at ${url} in ${dir}`);
  return { url, dir, stop: () => stopCluster(dir, binDir) };
}

/**
 * A PostgreSQL URL for tests: OTEDAMA_TEST_DATABASE_URL when it is reachable, else a
 * throwaway cluster. `started` says whether `stop()` will stop a server.
 */
export async function providePostgres({ env = process.env, log = defaultLog } = {}) {
  const configured = env[ENV_URL];
  if (configured) {
    if (await isReachable(configured)) return { url: configured, dir: undefined, started: false, stop: () => {} };
    log(`${ENV_URL} is set but no server answers there; starting a throwaway one instead`);
  }
  const cluster = await startCluster({ log });
  return { ...cluster, started: true };
}

async function main(argv) {
  const [cmd, ...rest] = argv;
  if (cmd === 'start') {
    const pg = await providePostgres();
    if (rest.includes('--shell')) {
      process.stdout.write(`export ${ENV_URL}='${pg.url}'\n`);
      if (pg.dir) process.stdout.write(`export OTEDAMA_TEST_PG_DIR='${pg.dir}'\n`);
    } else {
      process.stdout.write(`${ENV_URL}=${pg.url}\n`);
      if (pg.dir) process.stdout.write(`stop it with: node scripts/postgres.mjs stop ${pg.dir}\n`);
    }
    return 0;
  }
  if (cmd === 'stop') {
    const dir = rest[0] ?? process.env.OTEDAMA_TEST_PG_DIR;
    if (!dir) {
      defaultLog('usage: node scripts/postgres.mjs stop DIR');
      return 2;
    }
    stopCluster(dir);
    return 0;
  }
  if (cmd === 'run') {
    const sep = rest.indexOf('--');
    const command = sep >= 0 ? rest.slice(sep + 1) : rest;
    if (command.length === 0) {
      defaultLog('usage: node scripts/postgres.mjs run -- <command...>');
      return 2;
    }
    let pg;
    try {
      pg = await providePostgres();
    } catch (err) {
      defaultLog(`could not provide PostgreSQL: ${err.message}; the PostgreSQL storage tests will be skipped`);
      pg = undefined;
    }
    const env = { ...process.env };
    if (pg) env[ENV_URL] = pg.url;
    const child = spawn(command[0], command.slice(1), { stdio: 'inherit', env });
    const forward = (sig) => child.kill(sig);
    process.on('SIGINT', forward);
    process.on('SIGTERM', forward);
    const code = await new Promise((resolve) => child.on('exit', (c, s) => resolve(c ?? (s ? 1 : 0))));
    pg?.stop();
    return code;
  }
  defaultLog('usage: node scripts/postgres.mjs run -- <command...> | start [--shell] | stop DIR');
  return 2;
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  main(process.argv.slice(2)).then(
    (code) => process.exit(code),
    (err) => {
      defaultLog(`error: ${err.message}`);
      process.exit(1);
    },
  );
}
