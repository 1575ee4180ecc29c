#!/usr/bin/env node
// The entry point behind `npm start`, `npm test`, `npm run build` and the benchmarks (`npm run
// bench`, bench:stratum, bench:p2p, bench:rig, bench:kawpow, bench:hostile).
//
// It runs on whatever Node the machine has (Node 20 included) and:
//   1. brings Node 22 from the npm registry into .tools/node22 when the system Node is older;
//   2. installs npm packages when node_modules is missing or older than the lockfile;
//   3. for tests, installs Debian's chromium and Mesa's software GPU drivers via apt when
//      they are missing and we are root (a clear message otherwise);
//   4. builds what is stale (the WebAssembly hashers, the web app, the widget);
//   5. runs the requested command under Node 22.
//
// Plain JavaScript on purpose: this file must run before anything is installed.
import { spawnSync, spawn } from 'node:child_process';
import { existsSync, statSync, readdirSync, mkdirSync } from 'node:fs';
import { dirname, join, delimiter } from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = dirname(dirname(fileURLToPath(import.meta.url)));
const MIN_NODE_MAJOR = 22;
const NODE22_DIR = join(ROOT, '.tools', 'node22');
// Browser tests: Debian's Chromium and Mesa's software Vulkan/EGL drivers (WebGPU on lavapipe, and
// Dawn on llvmpipe in Node). Storage tests: a real PostgreSQL server, started on 127.0.0.1 per run.
// Browser-peer tests: `ip` (iproute2) makes their network namespace's veth pair.
const APT_PACKAGES = ['chromium', 'mesa-vulkan-drivers', 'libegl1', 'libegl-mesa0', 'libgl1-mesa-dri', 'postgresql', 'iproute2'];

function log(msg) {
  process.stderr.write(`otedama: ${msg}\n`);
}

function fail(msg) {
  log(`error: ${msg}`);
  process.exit(1);
}

function run(cmd, args, opts = {}) {
  const r = spawnSync(cmd, args, { stdio: 'inherit', cwd: ROOT, ...opts });
  if (r.error) fail(`could not run ${cmd}: ${r.error.message}`);
  return r.status ?? 1;
}

function mtime(p) {
  try {
    return statSync(p).mtimeMs;
  } catch {
    return 0;
  }
}

/** Newest mtime of any file below dir (skipping node_modules), 0 when absent. */
function newest(dir) {
  let best = 0;
  if (!existsSync(dir)) return 0;
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    if (entry.name === 'node_modules' || entry.name === 'dist' || entry.name === 'build') continue;
    const p = join(dir, entry.name);
    best = Math.max(best, entry.isDirectory() ? newest(p) : mtime(p));
  }
  return best;
}

function nodeMajor(bin) {
  const r = spawnSync(bin, ['-p', 'process.versions.node'], { encoding: 'utf8' });
  if (r.status !== 0) return 0;
  return Number(String(r.stdout).trim().split('.')[0]);
}

/** Path of a Node >= 22 binary, installing one from the npm registry if needed. */
function ensureNode() {
  if (Number(process.versions.node.split('.')[0]) >= MIN_NODE_MAJOR) return process.execPath;
  const local = join(NODE22_DIR, 'node_modules', 'node', 'bin', 'node');
  if (existsSync(local) && nodeMajor(local) >= MIN_NODE_MAJOR) return local;
  log(`system Node ${process.versions.node} is older than ${MIN_NODE_MAJOR}; installing Node 22 from the npm registry into .tools/node22`);
  mkdirSync(NODE22_DIR, { recursive: true });
  const status = run('npm', ['install', '--prefix', NODE22_DIR, '--no-save', '--no-package-lock', 'node@22'], {
    stdio: ['ignore', 'inherit', 'inherit'],
  });
  if (status !== 0 || nodeMajor(local) < MIN_NODE_MAJOR) {
    fail('could not install Node 22 from the npm registry (npm install node@22 failed); install Node >= 22 and retry');
  }
  return local;
}

function ensureDeps() {
  const marker = join(ROOT, 'node_modules', '.package-lock.json');
  const manifests = ['package.json', 'package-lock.json', 'core/package.json', 'kernels/package.json', 'wasm/package.json',
    'edge/package.json', 'apps/web/package.json', 'apps/widget/package.json', 'apps/rig/package.json'];
  const newestManifest = Math.max(...manifests.map((m) => mtime(join(ROOT, m))));
  if (existsSync(marker) && mtime(marker) >= newestManifest) return;
  log('installing npm packages');
  if (run('npm', ['install', '--no-audit', '--no-fund']) !== 0) fail('npm install failed');
}

function hasCommand(cmd) {
  return spawnSync('sh', ['-c', `command -v ${cmd}`], { stdio: 'ignore' }).status === 0;
}

function missingAptPackages() {
  const missing = [];
  for (const pkg of APT_PACKAGES) {
    const r = spawnSync('dpkg-query', ['-W', '-f=${Status}', pkg], { encoding: 'utf8' });
    if (r.status !== 0 || !String(r.stdout).includes('install ok installed')) missing.push(pkg);
  }
  return missing;
}

function ensureBrowser() {
  if (!hasCommand('dpkg-query')) {
    if (!existsSync('/usr/bin/chromium')) fail('no /usr/bin/chromium and no dpkg to install it: install Chromium, Mesa drivers and PostgreSQL');
    return;
  }
  const missing = missingAptPackages();
  if (missing.length === 0) return;
  const isRoot = typeof process.getuid === 'function' && process.getuid() === 0;
  if (!isRoot) {
    fail(`the tests need Debian packages ${missing.join(' ')}; run as root or: sudo apt-get install -y ${missing.join(' ')}`);
  }
  log(`installing Debian packages: ${missing.join(' ')}`);
  const env = { ...process.env, DEBIAN_FRONTEND: 'noninteractive' };
  if (run('apt-get', ['update', '-qq'], { env }) !== 0) log('apt-get update failed; trying the install anyway');
  if (run('apt-get', ['install', '-y', '-qq', '--no-install-recommends', ...missing], { env }) !== 0) {
    fail(`apt-get install ${missing.join(' ')} failed`);
  }
}

function nodeEnv(node) {
  const bin = dirname(node);
  return { ...process.env, PATH: `${bin}${delimiter}${join(ROOT, 'node_modules', '.bin')}${delimiter}${process.env.PATH ?? ''}` };
}

function buildWasm(node) {
  const out = join(ROOT, 'wasm', 'build');
  const src = Math.max(newest(join(ROOT, 'wasm', 'assembly')), mtime(join(ROOT, 'wasm', 'scripts', 'build.mjs')));
  const built = existsSync(out) ? Math.min(...readdirSync(out).filter((f) => f.endsWith('.wasm')).map((f) => mtime(join(out, f))), Infinity) : 0;
  if (built !== Infinity && built >= src) return;
  log('building WebAssembly hashers');
  if (run(node, [join(ROOT, 'wasm', 'scripts', 'build.mjs')], { env: nodeEnv(node) }) !== 0) fail('WebAssembly build failed');
}

function buildWeb(node) {
  const out = join(ROOT, 'dist', 'web', 'index.html');
  // edge/src: the page's peer code bundles the edge's platform-free protocols (@otedama/edge/peer).
  const src = Math.max(newest(join(ROOT, 'apps', 'web')), newest(join(ROOT, 'core', 'src')), newest(join(ROOT, 'wasm', 'src')),
    newest(join(ROOT, 'kernels', 'src')), newest(join(ROOT, 'edge', 'src')), mtime(join(ROOT, 'vite.config.ts')), newest(join(ROOT, 'wasm', 'build')));
  if (mtime(out) >= src && src > 0) return;
  log('building the web app');
  if (run(node, [join(ROOT, 'node_modules', 'vite', 'bin', 'vite.js'), 'build'], { env: nodeEnv(node) }) !== 0) fail('web build failed');
}

function buildWidget(node) {
  const out = join(ROOT, 'dist', 'widget', 'loader.js');
  const src = Math.max(newest(join(ROOT, 'apps', 'widget', 'src')), mtime(join(ROOT, 'apps', 'widget', 'index.html')),
    mtime(join(ROOT, 'apps', 'widget', 'frame.html')), mtime(join(ROOT, 'apps', 'widget', 'scripts', 'build.mjs')),
    newest(join(ROOT, 'apps', 'web', 'src')), newest(join(ROOT, 'core', 'src')), newest(join(ROOT, 'wasm', 'src')),
    newest(join(ROOT, 'kernels', 'src')), newest(join(ROOT, 'edge', 'src')), newest(join(ROOT, 'wasm', 'build')));
  if (mtime(out) >= src && src > 0) return;
  log('building the widget');
  if (run(node, [join(ROOT, 'apps', 'widget', 'scripts', 'build.mjs')], { env: nodeEnv(node) }) !== 0) fail('widget build failed');
}

function build(node) {
  buildWasm(node);
  buildWeb(node);
  buildWidget(node);
}

const tsx = (node) => [join(ROOT, 'node_modules', 'tsx', 'dist', 'cli.mjs')];

/** `npm run bench:p2p`: the P2P benchmarks, run in this order (extra arguments go to each). */
const P2P_BENCHES = [
  join(ROOT, 'core', 'bench', 'sharechain-bench.ts'),
  join(ROOT, 'edge', 'bench', 'p2p-bench.ts'),
  // The page's share verification in Chromium (its chain worker; no network, no root).
  join(ROOT, 'apps', 'web', 'bench', 'chain-worker-bench.ts'),
  // Browsers as peers: runs itself inside a network namespace (root), on the built web app.
  join(ROOT, 'apps', 'web', 'bench', 'p2p-browser-bench.ts'),
];

async function main() {
  const [command = 'start', ...rest] = process.argv.slice(2);
  const known = ['start', 'test', 'bench', 'bench:stratum', 'bench:p2p', 'bench:rig', 'bench:kawpow', 'bench:hostile', 'build', 'node'];
  if (!known.includes(command)) fail(`unknown command "${command}"; expected one of ${known.join(', ')}`);
  const node = ensureNode();
  ensureDeps();
  const env = nodeEnv(node);
  if (command === 'node') process.exit(run(node, rest, { env }));
  if (command === 'build') {
    build(node);
    return;
  }
  if (command === 'start') {
    build(node);
    const child = spawn(node, [join(ROOT, 'edge', 'bin', 'otedama.mjs'), 'pool', ...rest], { stdio: 'inherit', cwd: ROOT, env });
    for (const sig of ['SIGINT', 'SIGTERM']) process.on(sig, () => child.kill(sig));
    child.on('exit', (code, signal) => process.exit(code ?? (signal ? 1 : 0)));
    return;
  }
  if (command === 'bench') {
    build(node);
    process.exit(run(node, [join(ROOT, 'scripts', 'bench.mjs'), ...rest], { env }));
  }
  if (command === 'bench:stratum') {
    process.exit(run(node, [...tsx(node), join(ROOT, 'edge', 'bench', 'stratum-load.ts'), ...rest], { env }));
  }
  if (command === 'bench:p2p') {
    ensureBrowser();
    build(node);
    // One after the other, each printing its table and writing its JSON under bench/results/.
    for (const bench of P2P_BENCHES) {
      const status = run(node, [...tsx(node), bench, ...rest], { env });
      if (status !== 0) process.exit(status);
    }
    process.exit(0);
  }
  if (command === 'bench:rig') {
    ensureBrowser();
    build(node);
    process.exit(run(node, [...tsx(node), join(ROOT, 'apps', 'rig', 'bench', 'rig-hashrate.ts'), ...rest], { env }));
  }
  if (command === 'bench:kawpow') {
    buildWasm(node);
    process.exit(run(node, [...tsx(node), join(ROOT, 'wasm', 'bench', 'kawpow-bench.ts'), ...rest], { env }));
  }
  if (command === 'bench:hostile') {
    process.exit(run(node, [...tsx(node), join(ROOT, 'edge', 'bench', 'hostile.ts'), ...rest], { env }));
  }
  if (command === 'test') {
    ensureBrowser();
    build(node);
    // One throwaway PostgreSQL server for the whole run; the storage tests must use it.
    const testEnv = { ...env, OTEDAMA_REQUIRE_POSTGRES: process.env.OTEDAMA_REQUIRE_POSTGRES ?? '1' };
    process.exit(run(node, [join(ROOT, 'scripts', 'postgres.mjs'), 'run', '--', node, join(ROOT, 'scripts', 'test.mjs'), ...rest], { env: testEnv }));
  }
}

main().catch((err) => fail(err?.stack ?? String(err)));
