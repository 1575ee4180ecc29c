/**
 * `npm run bench:rig`: the rig's hashrate with 1 and 2 browsers against a real edge, beside the
 * Node WASM-SIMD engine on the same number of threads measured in the same run (the baseline:
 * what the browsers' engine gives without a browser around it).
 *
 *   npm run bench:rig -- [--browsers 1,2] [--threads 1] [--seconds 20] [--warmup 10]
 *
 * For each rig size: `otedama rig --json` until every browser mines, a warm-up, then the rig's
 * total hash count over --seconds (hashes counted by the pages, not estimates). Writes
 * bench/results/rig-<date>.json and rig-latest.json and prints a table. Loopback only; every
 * process it starts is stopped.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { cpus, tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';

const ROOT = fileURLToPath(new URL('../../../', import.meta.url));
const BIN = join(ROOT, 'edge/bin/otedama.mjs');
const RESULTS = join(ROOT, 'bench/results');
/** A regtest (simnet) payout address: P2WPKH of BIP173's example program. */
const ADDRESS = 'bcrt1qw508d6qejxtdg4y5r3zarvary0c5xw7kygt080';
/** Longest wait (ms) for the edge or a rig to come up on a busy machine. */
const START_TIMEOUT_MS = 180_000;

const { values } = parseArgs({
  options: {
    browsers: { type: 'string', default: '1,2' },
    threads: { type: 'string', default: '1' },
    seconds: { type: 'string', default: '20' },
    warmup: { type: 'string', default: '10' },
  },
});
const sizes = values.browsers.split(',').map(Number);
const threads = Number(values.threads);
const seconds = Number(values.seconds);
const warmup = Number(values.warmup);
if (sizes.some((n) => !Number.isInteger(n) || n < 1) || !(threads >= 1) || !(seconds > 0) || !(warmup >= 0)) {
  process.stderr.write('bench:rig: --browsers takes a list such as 1,2; --threads, --seconds and --warmup positive numbers\n');
  process.exit(2);
}

function log(text: string): void {
  process.stderr.write(`bench:rig: ${text}\n`);
}

function otedama(args: string[]): { child: ChildProcess; onLine(fn: (line: string) => void): void; exited: Promise<number | null> } {
  const child = spawn(process.execPath, [BIN, ...args], { cwd: ROOT, env: { ...process.env, OTEDAMA_LOG_LEVEL: 'warn' }, stdio: ['ignore', 'pipe', 'pipe'] });
  const listeners: ((line: string) => void)[] = [];
  let buffered = '';
  child.stdout!.setEncoding('utf8').on('data', (chunk: string) => {
    buffered += chunk;
    const parts = buffered.split('\n');
    buffered = parts.pop()!;
    for (const p of parts) for (const fn of listeners) fn(p);
  });
  let err = '';
  child.stderr!.setEncoding('utf8').on('data', (c: string) => (err = (err + c).slice(-4000)));
  const exited = new Promise<number | null>((resolve) => child.on('close', (code) => resolve(code)));
  exited.then((code) => code && code !== 0 && code !== 130 && log(`otedama ${args[0]} exited with ${code}: ${err.trim().split('\n').at(-1)}`));
  return { child, onLine: (fn) => listeners.push(fn), exited };
}

function waitFor<T>(what: string, test: (resolve: (v: T) => void) => void): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`${what} did not happen within ${START_TIMEOUT_MS / 1000} s`)), START_TIMEOUT_MS);
    test((v) => {
      clearTimeout(timer);
      resolve(v);
    });
  });
}

interface StatsLine {
  type: string;
  elapsedMs: number;
  browsers: { state: string; hashrate: number }[];
  total: { hashes: number };
}

async function measureRig(edgeUrl: string, browsers: number): Promise<{ browsers: number; hashesPerSecond: number; perBrowser: number }> {
  const rig = otedama(['rig', '--browsers', String(browsers), '--threads', String(threads), '--url', edgeUrl, '--address', ADDRESS, '--json', '--stats-interval', '1s']);
  let latest: StatsLine | undefined;
  const listeners: (() => void)[] = [];
  rig.onLine((line) => {
    const l = JSON.parse(line) as StatsLine;
    if (l.type !== 'stats') return;
    latest = l;
    for (const fn of listeners.splice(0)) fn();
  });
  const next = () => new Promise<StatsLine>((r) => listeners.push(() => r(latest!)));
  try {
    await waitFor<void>(`${browsers} browser(s) mining`, (done) => {
      const check = () => (latest && latest.browsers.every((b) => b.state === 'mining' && b.hashrate > 0) ? done() : listeners.push(check));
      listeners.push(check);
    });
    log(`${browsers} browser(s) mining; warming up ${warmup} s`);
    await new Promise((r) => setTimeout(r, warmup * 1000));
    const a = await next();
    log(`measuring ${seconds} s`);
    await new Promise((r) => setTimeout(r, seconds * 1000));
    const b = await next();
    const rate = ((b.total.hashes - a.total.hashes) / (b.elapsedMs - a.elapsedMs)) * 1000;
    return { browsers, hashesPerSecond: rate, perBrowser: rate / browsers };
  } finally {
    rig.child.kill('SIGINT');
    await rig.exited;
  }
}

async function nodeBaseline(): Promise<number> {
  const run = otedama(['mining', 'benchmark', '--engine', 'wasm-simd', '--threads', String(threads), '--seconds', String(Math.min(10, seconds)), '--json']);
  let out = '';
  run.onLine((l) => (out += l));
  await run.exited;
  const report = JSON.parse(out) as { results: { engine: string; threads: number; hashesPerSecond: number }[] };
  const r = report.results.find((x) => x.engine === 'wasm-simd' && x.threads === threads);
  if (!r) throw new Error('the mining benchmark reported no wasm-simd figure');
  return r.hashesPerSecond;
}

const dataDir = mkdtempSync(join(tmpdir(), 'otedama-bench-rig-'));
const edge = otedama(['pool', '--http-port', '0', '--stratum-port', '0', '--rpc-port', '0', '--p2p-port', '0', '--data-dir', dataDir]);
try {
  const edgeUrl = await waitFor<string>('the edge', (done) =>
    edge.onLine((line) => {
      const m = /Open (http:\/\/127\.0\.0\.1:\d+\/)/.exec(line);
      if (m) done(m[1]!);
    }),
  );
  log(`edge at ${edgeUrl}; Node baseline (wasm-simd, ${threads} thread(s))`);
  const baseline = await nodeBaseline();
  const rows = [];
  for (const n of sizes) rows.push(await measureRig(edgeUrl, n));
  const one = rows.find((r) => r.browsers === 1)?.hashesPerSecond;
  const mhs = (h: number) => (h / 1e6).toFixed(2);
  const table = [
    `rig hashrate, ${threads} CPU thread(s) per browser, ${seconds} s per figure after ${warmup} s warm-up, ${cpus().length} CPUs (${cpus()[0]?.model ?? '?'}), ${new Date().toISOString()}`,
    '',
    '| browsers | MH/s total | MH/s per browser | vs 1 browser | vs Node wasm-simd (same threads) |',
    '|--:|--:|--:|--:|--:|',
    ...rows.map((r) => `| ${r.browsers} | ${mhs(r.hashesPerSecond)} | ${mhs(r.perBrowser)} | ${one ? (r.hashesPerSecond / one).toFixed(2) + 'x' : '-'} | ${(r.perBrowser / baseline).toFixed(2)}x per browser |`),
    `| Node wasm-simd baseline | ${mhs(baseline)} | | | 1.00x |`,
  ].join('\n');
  mkdirSync(RESULTS, { recursive: true });
  const report = { date: new Date().toISOString(), threadsPerBrowser: threads, seconds, warmup, cpus: cpus().length, baseline: { engine: 'wasm-simd (Node)', threads, hashesPerSecond: baseline }, rigs: rows };
  const stamp = report.date.replace(/[:.]/g, '-');
  const text = JSON.stringify(report, null, 2) + '\n';
  writeFileSync(join(RESULTS, `rig-${stamp}.json`), text);
  writeFileSync(join(RESULTS, 'rig-latest.json'), text);
  process.stdout.write(`${table}\n\nwrote ${relative(ROOT, join(RESULTS, `rig-${stamp}.json`))}\n`);
} finally {
  edge.child.kill('SIGTERM');
  await edge.exited;
  rmSync(dataDir, { recursive: true, force: true });
}
