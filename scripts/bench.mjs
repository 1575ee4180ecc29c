#!/usr/bin/env node
// `npm run bench` (after scripts/bootstrap.mjs): the SHA-256d mining benchmark. Runs
// `otedama mining benchmark --engine all --json --seconds 10`, writes the JSON to
// bench/results/sha256d-<ISO date>.json and bench/results/latest.json, and prints a table with
// every engine beside the node:crypto and hash-wasm baselines measured in the same run.
// Extra arguments go to the benchmark (e.g. `npm run bench -- --seconds 3 --threads 4`).
// Plain JavaScript, Node 22.
import { spawn } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = dirname(dirname(fileURLToPath(import.meta.url)));
const RESULTS = join(ROOT, 'bench', 'results');

function fail(msg) {
  process.stderr.write(`bench: error: ${msg}\n`);
  process.exit(1);
}

function runBenchmark(extra) {
  const args = [join(ROOT, 'edge', 'bin', 'otedama.mjs'), 'mining', 'benchmark', '--engine', 'all', '--json', '--seconds', '10', ...extra];
  return new Promise((resolve, reject) => {
    // stdout carries the JSON; progress lines on stderr go straight to the terminal.
    const child = spawn(process.execPath, args, { cwd: ROOT, stdio: ['ignore', 'pipe', 'inherit'] });
    let out = '';
    child.stdout.setEncoding('utf8');
    child.stdout.on('data', (c) => (out += c));
    child.on('error', reject);
    child.on('close', (code, signal) => {
      if (code !== 0) return reject(new Error(`otedama mining benchmark exited with ${signal ?? code}`));
      resolve(out);
    });
    for (const sig of ['SIGINT', 'SIGTERM']) process.on(sig, () => child.kill(sig));
  });
}

function mhs(h) {
  return (h / 1e6).toFixed(h >= 1e8 ? 0 : h >= 1e7 ? 1 : 2);
}

function table(report) {
  const baseline = (engine, threads) => report.baselines.find((b) => b.engine === engine && b.threads === threads)?.hashesPerSecond;
  const maxThreads = Math.max(1, ...report.baselines.map((b) => b.threads));
  const ratio = (h, b) => (b ? `${(h / b).toFixed(2)}x` : '-');
  const rows = [['engine', 'threads', 'MH/s', 'vs node-crypto', 'vs hash-wasm']];
  // Per thread count the baselines then the engines; the GPU last.
  const all = [...report.baselines, ...report.results];
  const cpu = all.filter((e) => e.engine !== 'webgpu');
  const threadCounts = [...new Set(cpu.map((e) => e.threads))].sort((a, b) => a - b);
  const ordered = [...threadCounts.flatMap((t) => cpu.filter((e) => e.threads === t)), ...all.filter((e) => e.engine === 'webgpu')];
  for (const e of ordered) {
    const t = e.engine === 'webgpu' ? maxThreads : e.threads;
    rows.push([e.engine, e.engine === 'webgpu' ? 'gpu' : String(e.threads), mhs(e.hashesPerSecond), ratio(e.hashesPerSecond, baseline('node-crypto', t)), ratio(e.hashesPerSecond, baseline('hash-wasm', t))]);
  }
  const widths = rows[0].map((_, c) => Math.max(...rows.map((r) => r[c].length)));
  const fmt = (r) => '| ' + r.map((cell, c) => (c === 0 ? cell.padEnd(widths[c]) : cell.padStart(widths[c]))).join(' | ') + ' |';
  const m = report.machine;
  return [
    `SHA-256d, ${report.seconds ?? '?'} s per figure, ${m.cpus} CPUs (${m.model}), Node ${m.node}, ${report.date}`,
    '',
    fmt(rows[0]),
    '|' + widths.map((w, c) => (c === 0 ? '-'.repeat(w + 2) : '-'.repeat(w + 1) + ':')).join('|') + '|',
    ...rows.slice(1).map(fmt),
    ...(report.skipped ?? []).map((s) => `\nskipped ${s.engine}: ${s.reason}`),
  ].join('\n');
}

const out = await runBenchmark(process.argv.slice(2)).catch((err) => fail(err.message));
let report;
try {
  report = JSON.parse(out);
} catch {
  fail(`the benchmark did not print JSON: ${out.slice(0, 200)}`);
}
if (!Array.isArray(report.results) || !Array.isArray(report.baselines)) fail('the benchmark JSON lacks results/baselines');

mkdirSync(RESULTS, { recursive: true });
const stamp = String(report.date ?? new Date().toISOString()).replace(/[:.]/g, '-');
const file = join(RESULTS, `sha256d-${stamp}.json`);
const text = JSON.stringify(report, null, 2) + '\n';
writeFileSync(file, text);
writeFileSync(join(RESULTS, 'latest.json'), text);
process.stdout.write(`${table(report)}\n\nwrote ${relative(ROOT, file)} and ${relative(ROOT, join(RESULTS, 'latest.json'))}\n`);

// WebGPU in headless Chromium on the fast software adapter (lavapipe), beside core's JS
// reference in the same page: the browser figure the web miner will see on this machine.
const browserFile = join(RESULTS, `webgpu-browser-${stamp}.json`);
const browser = spawn(
  process.execPath,
  ['--import', 'tsx', join(ROOT, 'kernels', 'bench', 'sha256d-browser-bench.ts'), '--adapters', 'lavapipe', '--seconds', '10', '--json', browserFile],
  { cwd: ROOT, stdio: 'inherit' },
);
const browserCode = await new Promise((resolve) => browser.on('close', (code) => resolve(code ?? 1)));
if (browserCode !== 0) fail(`the Chromium WebGPU benchmark exited with ${browserCode}`);
process.stdout.write(`wrote ${relative(ROOT, browserFile)}\n`);
