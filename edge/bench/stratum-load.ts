/**
 * `npm run bench:stratum`: a load test of the edge's Stratum server on 127.0.0.1 only.
 *
 *   1. baselines in this run: the share validator alone (1 core, no network), the round trip of
 *      mining.ping on an idle server, the idle server's RSS;
 *   2. starts the edge's Stratum server in a child process (a fair RSS), and load generator
 *      children that open --connections connections, subscribe and authorize each;
 *   3. precomputes valid shares for every connection (core's JS engine, a different
 *      extranonce2 per share), then submits them at --shares-per-second for --seconds;
 *   4. prints a table (most concurrent connections held, accepted shares/s, p50/p99
 *      submit-to-reply latency, the edge's RSS) and writes bench/results/stratum-<date>.json.
 *
 * Usage: npm run bench:stratum -- [--connections 20000] [--seconds 15] [--shares-per-second 100000]
 *        [--generators 2] [--batch 4] [--quick]
 */
import { fork, type ChildProcess } from 'node:child_process';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { connect } from 'node:net';
import { cpus } from 'node:os';
import { dirname, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { ShareValidator, hexToBytes, scriptToAddress, shareTarget, u32ToHex, type ShareJobSpec } from '@otedama/core';
import { parseArgs, type FlagSpec } from '../src/cli-args.ts';
import {
  BENCH_DIFFICULTY,
  HISTOGRAM_BUCKETS,
  latencyBucket,
  percentileMs,
  type GeneratorMessage,
  type ServerMessage,
  type ServerStatsMessage,
} from './stratum-load-protocol.ts';

const HERE = dirname(fileURLToPath(import.meta.url));
const ROOT = join(HERE, '..', '..');
const RESULTS = join(ROOT, 'bench', 'results');
/** File descriptors a process needs besides its sockets (stdio, IPC, epoll, the listener...). */
const FD_RESERVE = 64;
const GOALS = { connections: 20_000, sharesPerSecond: 100_000, p99Ms: 20 } as const;

const FLAGS: FlagSpec[] = [
  { name: 'connections', type: 'integer', default: 20_000, min: 1, help: 'connections to open and hold' },
  { name: 'seconds', type: 'number', default: 15, min: 1, max: 300, help: 'length of the submit phase' },
  { name: 'shares-per-second', type: 'integer', default: 100_000, min: 1, help: 'target submit rate over all connections' },
  { name: 'generators', type: 'integer', default: 2, min: 1, max: 16, help: 'load generator processes' },
  { name: 'batch', type: 'integer', default: 4, min: 1, max: 64, help: 'shares per connection per write' },
  { name: 'connect-concurrency', type: 'integer', default: 256, min: 1, help: 'connects in flight per generator' },
  { name: 'quick', type: 'boolean', help: 'a short smoke run: 2,000 connections, 5 s, 20,000 shares/s' },
  { name: 'out', type: 'string', help: 'where to write the JSON (default bench/results/stratum-<date>.json)' },
  {
    name: 'storage',
    type: 'string',
    default: 'sqlite',
    choices: ['sqlite', 'postgres', 'none'],
    help: 'where accepted shares are committed before the reply (sqlite: the embedded default; postgres: --database-url or $OTEDAMA_TEST_DATABASE_URL; none: no accounting)',
  },
  { name: 'database-url', type: 'string', help: 'PostgreSQL URL for --storage postgres' },
];

function log(msg: string): void {
  process.stderr.write(`bench:stratum: ${msg}\n`);
}

/** The soft limit on open files of this process (children inherit it). */
function fdLimit(): number {
  try {
    const m = /Max open files\s+(\d+|unlimited)/.exec(readFileSync('/proc/self/limits', 'utf8'));
    if (m) return m[1] === 'unlimited' ? Infinity : Number(m[1]);
  } catch {
    // not Linux
  }
  return Infinity;
}

function ephemeralPorts(): number {
  try {
    const [lo, hi] = readFileSync('/proc/sys/net/ipv4/ip_local_port_range', 'utf8').trim().split(/\s+/).map(Number);
    return hi! - lo! + 1;
  } catch {
    return Infinity;
  }
}

function forkTs(file: string, extraExecArgv: string[] = []): ChildProcess {
  return fork(join(HERE, file), [], { cwd: ROOT, execArgv: ['--import', 'tsx', ...extraExecArgv], stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
}

function nextMessage<T extends { type: string }>(child: ChildProcess, type: T['type'] | T['type'][], timeoutMs: number, onOther?: (m: T) => void): Promise<T> {
  const types = Array.isArray(type) ? type : [type];
  return new Promise((resolve, reject) => {
    const t = setTimeout(() => {
      cleanup();
      reject(new Error(`no "${types.join('|')}" from a child within ${timeoutMs} ms`));
    }, timeoutMs);
    const onMsg = (m: T) => {
      if (m.type === 'error') {
        cleanup();
        reject(new Error(`child failed: ${(m as unknown as { message: string }).message}`));
      } else if (types.includes(m.type)) {
        cleanup();
        resolve(m);
      } else onOther?.(m);
    };
    const onExit = (code: number | null) => {
      cleanup();
      reject(new Error(`child exited (${code}) while waiting for "${types.join('|')}"`));
    };
    const cleanup = () => {
      clearTimeout(t);
      child.off('message', onMsg);
      child.off('exit', onExit);
    };
    child.on('message', onMsg);
    child.on('exit', onExit);
  });
}

async function serverStats(server: ChildProcess): Promise<ServerStatsMessage> {
  const p = nextMessage<ServerStatsMessage>(server, 'stats', 10_000);
  server.send({ type: 'stats' });
  return p;
}

/** Baseline: the share validator alone, one core, no network. */
function validatorBaseline(seconds: number): { sharesPerSecond: number } {
  const v = new ShareValidator();
  const spec: ShareJobSpec = {
    id: '1',
    fields: {
      prevhash: 'ab'.repeat(32),
      coinb1: '02000000010000000000000000000000000000000000000000000000000000000000000000ffffffff1403e8030008',
      coinb2: '0f2f6f746564616d612d62656e63682fffffffff0100f2052a01000000160014' + '01'.repeat(20) + '00000000',
      merkleBranch: [],
      version: '20000000',
      nbits: '1d00ffff',
      ntime: u32ToHex(Math.floor(Date.now() / 1000)),
    },
    blockTarget: 1n,
    extranonce2Size: 4,
    cleanJobs: true,
    createdAt: Date.now(),
  };
  v.addJob(spec);
  const ctx = { extranonce1: 'f0000001', extranonce1Bytes: hexToBytes('f0000001'), shareTarget: shareTarget(BENCH_DIFFICULTY) };
  let n = 0;
  const t0 = performance.now();
  const until = t0 + seconds * 1000;
  while (performance.now() < until) {
    for (let i = 0; i < 1000; i++, n++) {
      // Every share is valid at this difficulty (about half of them) or rejected as low
      // difficulty after the same work: rebuild coinbase, merkle root, header, hash.
      v.validate({ jobId: '1', extranonce2: u32ToHex(n), ntime: spec.fields.ntime, nonce: '00000000' }, ctx);
    }
  }
  return { sharesPerSecond: n / ((performance.now() - t0) / 1000) };
}

/** Baseline: mining.ping round trips on one connection to the idle server. */
function pingBaseline(port: number, count: number): Promise<{ p50Ms: number; p99Ms: number }> {
  return new Promise((resolve, reject) => {
    const hist = new Array<number>(HISTOGRAM_BUCKETS).fill(0);
    const socket = connect({ host: '127.0.0.1', port, noDelay: true });
    socket.setEncoding('latin1');
    let sentAt = 0;
    let done = 0;
    let buf = '';
    const ping = () => {
      sentAt = performance.now();
      socket.write(`{"id":${done},"method":"mining.ping","params":[]}\n`);
    };
    socket.on('connect', ping);
    socket.on('data', (chunk: string) => {
      buf += chunk;
      while (buf.includes('\n')) {
        buf = buf.slice(buf.indexOf('\n') + 1);
        hist[latencyBucket(performance.now() - sentAt)]!++;
        if (++done === count) {
          socket.destroy();
          resolve({ p50Ms: percentileMs(hist, 0.5), p99Ms: percentileMs(hist, 0.99) });
          return;
        }
        ping();
      }
    });
    socket.on('error', reject);
  });
}

function fmt(n: number, digits = 0): string {
  return Number.isFinite(n) ? n.toLocaleString('en-US', { maximumFractionDigits: digits, minimumFractionDigits: digits }) : '-';
}

async function main(): Promise<void> {
  const { flags } = parseArgs(process.argv.slice(2), FLAGS);
  const quick = Boolean(flags.quick);
  let connections = quick ? 2000 : Number(flags.connections);
  const seconds = quick ? 5 : Number(flags.seconds);
  const rate = quick ? 20_000 : Number(flags['shares-per-second']);
  const generators = Math.min(Number(flags.generators), connections);
  const batch = Number(flags.batch);
  const requested = connections;

  const limit = fdLimit();
  const notes: string[] = [];
  if (limit - FD_RESERVE < connections) {
    const cap = Math.max(1, limit - FD_RESERVE);
    const msg =
      `the open-file limit (ulimit -n) is ${limit}: the edge's process needs one descriptor per connection, so it can hold at most ~${cap} ` +
      `of the ${requested} requested connections. Raise it before the run (e.g. "ulimit -n 65536"; the hard limit, "ulimit -Hn", must allow it; ` +
      `as root or via /etc/security/limits.conf). Running with ${cap} connections.`;
    log(msg);
    notes.push(msg);
    connections = cap;
  }
  const ports = ephemeralPorts();
  if (ports - 1000 < connections) {
    const cap = ports - 1000;
    const msg = `only ${ports} ephemeral ports (net.ipv4.ip_local_port_range) for client sockets to one server port: capping at ${cap} connections`;
    log(msg);
    notes.push(msg);
    connections = cap;
  }
  const perGen = Math.ceil(connections / generators);
  // Enough shares for the whole run at the target rate, plus 10% for jitter.
  const sharesPerConnection = Math.max(4, Math.ceil(((rate * seconds) / connections) * 1.1));
  log(`plan: ${connections} connections over ${generators} generators, ${rate} shares/s for ${seconds} s (batch ${batch}), ${sharesPerConnection} precomputed shares per connection, ${cpus().length} CPUs`);

  log('baseline: share validator alone (1 core, no network)');
  const baseline = validatorBaseline(1.5);
  log(`  ${fmt(baseline.sharesPerSecond)} shares/s`);

  const children: ChildProcess[] = [];
  const killAll = () => {
    for (const c of children) if (c.exitCode === null) c.kill('SIGKILL');
  };
  process.on('exit', killAll);
  for (const sig of ['SIGINT', 'SIGTERM'] as const) process.on(sig, () => process.exit(130));

  // OTEDAMA_BENCH_PROFILE=dir writes a V8 CPU profile of the edge process there.
  const profileDir = process.env.OTEDAMA_BENCH_PROFILE;
  // OTEDAMA_BENCH_NODE_FLAGS="--trace-gc ..." passes V8 flags to the edge process.
  const extraFlags = (process.env.OTEDAMA_BENCH_NODE_FLAGS ?? '').split(/\s+/).filter(Boolean);
  const storage = String(flags.storage);
  const databaseUrl = flags['database-url'] ? String(flags['database-url']) : process.env.OTEDAMA_TEST_DATABASE_URL;
  if (storage === 'postgres' && !databaseUrl) {
    throw new Error('--storage postgres needs --database-url (or run: node scripts/postgres.mjs run -- npm run bench:stratum -- --storage postgres)');
  }
  log(`storage: ${storage === 'none' ? 'none (shares are not committed)' : `${storage} (a share is acknowledged after its batch commits)`}`);
  process.env.OTEDAMA_BENCH_STORAGE = storage;
  if (databaseUrl) process.env.OTEDAMA_BENCH_DATABASE_URL = databaseUrl;
  const server = forkTs('stratum-load-server.ts', [...(profileDir ? ['--cpu-prof', `--cpu-prof-dir=${profileDir}`] : []), ...extraFlags]);
  children.push(server);
  const ready = await nextMessage<Extract<ServerMessage, { type: 'ready' }>>(server, 'ready', 60_000);
  const port = ready.port;
  const idle = await serverStats(server);
  const ping = await pingBaseline(port, 2000);
  log(`edge Stratum server on 127.0.0.1:${port}, idle RSS ${fmt(idle.rssBytes / 2 ** 20, 1)} MiB, idle ping p50 ${fmt(ping.p50Ms, 3)} ms p99 ${fmt(ping.p99Ms, 3)} ms`);

  // Connect.
  const gens: ChildProcess[] = [];
  for (let g = 0; g < generators; g++) {
    const child = forkTs('stratum-load-generator.ts');
    children.push(child);
    gens.push(child);
  }
  const user = `${scriptToAddress(new Uint8Array([0x00, 0x14, ...new Uint8Array(20).fill(2)]), 'regtest')}.bench`;
  let maxHeld = 0;
  let maxRss = idle.rssBytes;
  const progress = new Array<number>(generators).fill(0);
  const t0 = performance.now();
  const connected = Promise.all(
    gens.map((child, g) => {
      const n = Math.min(perGen, connections - g * perGen);
      child.send({ type: 'start', port, connections: n, user, sharesPerConnection, connectConcurrency: Number(flags['connect-concurrency']) });
      return nextMessage<GeneratorMessage>(child, 'connected', 600_000, (m) => {
        if (m.type === 'progress') progress[g] = m.connected;
      }) as Promise<Extract<GeneratorMessage, { type: 'connected' }>>;
    }),
  );
  const poll = setInterval(() => {
    void serverStats(server).then((s) => {
      maxHeld = Math.max(maxHeld, s.connections);
      maxRss = Math.max(maxRss, s.rssBytes);
    }, () => {});
    log(`  connecting: ${progress.reduce((a, b) => a + b, 0)} / ${connections}`);
  }, 2000);
  const conn = await connected.finally(() => clearInterval(poll));
  const connectMs = performance.now() - t0;
  const opened = conn.reduce((s, m) => s + m.connected, 0);
  const failed = conn.reduce((s, m) => s + m.failed, 0);
  const firstError = conn.find((m) => m.firstError)?.firstError;
  if (failed) log(`${failed} connections failed; first error: ${firstError}`);
  if (opened === 0) throw new Error('no connection could log in');
  const held = await serverStats(server);
  maxHeld = Math.max(maxHeld, held.connections);
  log(`connected ${opened} (failed ${failed}) in ${fmt(connectMs / 1000, 1)} s; the edge holds ${held.connections} connections (${held.authorized} authorized), RSS ${fmt(held.rssBytes / 2 ** 20, 1)} MiB`);

  log('precomputing valid shares in the generators (core JS engine)');
  const pre = await Promise.all(gens.map((c) => nextMessage<Extract<GeneratorMessage, { type: 'precomputed' }>>(c, 'precomputed', 600_000)));
  log(`  ${fmt(pre.reduce((s, m) => s + m.shares, 0))} shares in ${fmt(Math.max(...pre.map((m) => m.ms)) / 1000, 1)} s`);

  // Submit.
  const before = await serverStats(server);
  const goAt = performance.now();
  const samples: { t: number; accepted: number; rss: number; connections: number }[] = [];
  const sampler = setInterval(() => {
    void serverStats(server).then((s) => {
      samples.push({ t: performance.now() - goAt, accepted: s.accepted, rss: s.rssBytes, connections: s.connections });
      maxHeld = Math.max(maxHeld, s.connections);
      maxRss = Math.max(maxRss, s.rssBytes);
    }, () => {});
  }, 500);
  const done = await Promise.all(
    gens.map((c) => {
      const p = nextMessage<Extract<GeneratorMessage, { type: 'done' }>>(c, 'done', (seconds + 60) * 1000);
      c.send({ type: 'go', sharesPerSecond: rate / generators, seconds, batch });
      return p;
    }),
  );
  clearInterval(sampler);
  const after = await serverStats(server);
  maxRss = Math.max(maxRss, after.rssBytes);
  const sendSeconds = Math.max(...done.map((d) => d.sendSeconds));
  const wall = (performance.now() - goAt) / 1000;

  const hist = new Array<number>(HISTOGRAM_BUCKETS).fill(0);
  for (const d of done) d.histogram.forEach((v, i) => (hist[i]! += v));
  const sent = done.reduce((s, d) => s + d.sent, 0);
  const acceptedReplies = done.reduce((s, d) => s + d.accepted, 0);
  const rejectedReplies = done.reduce((s, d) => s + d.rejected, 0);
  const serverAccepted = after.accepted - before.accepted;
  // Steady-state rate: accepted shares over the send phase, from the edge's own counter.
  const inWindow = samples.filter((s) => s.t <= sendSeconds * 1000);
  const lastInWindow = inWindow[inWindow.length - 1];
  const acceptedPerSecond = lastInWindow ? (lastInWindow.accepted - before.accepted) / (lastInWindow.t / 1000) : serverAccepted / wall;
  const p50 = percentileMs(hist, 0.5);
  const p99 = percentileMs(hist, 0.99);
  const p999 = percentileMs(hist, 0.999);
  const edgeCpuMs = after.cpuUserMs + after.cpuSystemMs - (before.cpuUserMs + before.cpuSystemMs);
  const genCpuMs = done.reduce((s, d) => s + d.cpuUserMs + d.cpuSystemMs, 0);

  for (const g of gens) g.send({ type: 'stop' });
  server.send({ type: 'stop' });

  const report = {
    date: new Date().toISOString(),
    machine: { cpus: cpus().length, model: cpus()[0]?.model ?? 'unknown', node: process.versions.node, fdLimit: Number.isFinite(limit) ? limit : null },
    parameters: { requestedConnections: requested, connections, seconds, sharesPerSecondTarget: rate, generators, batch, shareDifficulty: BENCH_DIFFICULTY, storage },
    notes,
    baselines: {
      validatorOnlySharesPerSecond: Math.round(baseline.sharesPerSecond),
      idlePingP50Ms: ping.p50Ms,
      idlePingP99Ms: ping.p99Ms,
      idleRssBytes: idle.rssBytes,
    },
    results: {
      maxConcurrentConnections: maxHeld,
      connectSeconds: connectMs / 1000,
      connectFailures: failed,
      sharesSent: sent,
      acceptedReplies,
      rejectedReplies,
      rejectSamples: done.flatMap((d) => d.rejectSamples).slice(0, 5),
      serverAccepted,
      acceptedSharesPerSecond: Math.round(acceptedPerSecond),
      offeredSharesPerSecond: Math.round(sent / sendSeconds),
      latencyP50Ms: p50,
      latencyP99Ms: p99,
      latencyP999Ms: p999,
      edgeRssBytesHeld: held.rssBytes,
      edgeRssBytesMax: maxRss,
      edgeCpuSecondsDuringSubmit: edgeCpuMs / 1000,
      generatorCpuSecondsDuringSubmit: genCpuMs / 1000,
      closedEarly: done.reduce((s, d) => s + d.closedEarly, 0),
      serverRejectedByReason: after.rejectedByReason,
      timeline: samples.map((s) => ({ t: Math.round(s.t), accepted: s.accepted - before.accepted, rssMiB: Math.round(s.rss / 2 ** 20), connections: s.connections })),
    },
    goals: { connections: GOALS.connections, sharesPerSecond: GOALS.sharesPerSecond, p99Ms: GOALS.p99Ms },
  };

  const rows: [string, string, string, string][] = [
    ['metric', 'result', 'goal', 'baseline (same run)'],
    ['concurrent connections held', fmt(maxHeld), fmt(GOALS.connections), `fd limit ${Number.isFinite(limit) ? fmt(limit) : 'none'}`],
    ['accepted shares/s', fmt(acceptedPerSecond), fmt(GOALS.sharesPerSecond), `validator alone, 1 core: ${fmt(baseline.sharesPerSecond)}`],
    ['submit->reply p50 (ms)', fmt(p50, 2), '-', `idle ping p50: ${fmt(ping.p50Ms, 3)}`],
    ['submit->reply p99 (ms)', fmt(p99, 2), `< ${GOALS.p99Ms}`, `idle ping p99: ${fmt(ping.p99Ms, 3)}`],
    ['edge RSS, connections held (MiB)', fmt(held.rssBytes / 2 ** 20, 1), '-', `idle: ${fmt(idle.rssBytes / 2 ** 20, 1)}`],
    ['edge RSS, max under load (MiB)', fmt(maxRss / 2 ** 20, 1), '-', '-'],
    ['shares sent / accepted / rejected', `${fmt(sent)} / ${fmt(acceptedReplies)} / ${fmt(rejectedReplies)}`, '-', '-'],
    ['edge CPU during submit (s of ' + fmt(wall, 1) + ' s)', fmt(edgeCpuMs / 1000, 1), '-', `generators: ${fmt(genCpuMs / 1000, 1)} s`],
  ];
  const widths = [0, 1, 2, 3].map((i) => Math.max(...rows.map((r) => r[i]!.length)));
  const line = (r: string[]) => r.map((c, i) => c.padEnd(widths[i]!)).join('  ');
  process.stdout.write(`\nStratum load (${report.machine.cpus} CPUs, ${report.machine.model}, Node ${report.machine.node})\n`);
  process.stdout.write(line(rows[0]!) + '\n' + widths.map((w) => '-'.repeat(w)).join('  ') + '\n');
  for (const r of rows.slice(1)) process.stdout.write(line(r) + '\n');
  if (rejectedReplies) process.stdout.write(`rejects: ${JSON.stringify(report.results.rejectSamples)}\n`);

  mkdirSync(RESULTS, { recursive: true });
  const out = flags.out ? String(flags.out) : join(RESULTS, `stratum-${report.date.replace(/[:.]/g, '-')}.json`);
  writeFileSync(out, JSON.stringify(report, null, 2) + '\n');
  process.stdout.write(`\nwrote ${relative(process.cwd(), out)}\n`);
  // Let the children exit by themselves (a CPU profile is written at exit), then make sure.
  await Promise.race([new Promise((r) => server.once('exit', r)), new Promise((r) => setTimeout(r, 5000))]);
  killAll();
}

main().catch((err) => {
  log(`error: ${(err as Error).stack ?? String(err)}`);
  process.exit(1);
});
