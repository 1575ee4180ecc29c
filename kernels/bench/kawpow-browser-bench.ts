/**
 * KawPow on the GPU in headless Chromium on the software adapters (lavapipe through ANGLE in
 * compatibility mode; SwiftShader), each figure beside its WASM baseline measured in the same
 * page (kernels/e2e/kawpow-bench.html): DAG generation (items/s, MiB/s) beside the WASM
 * engine's dataset items, and the search (hashes/s) on a reduced dataset beside the WASM
 * engine's light evaluation. Starts the harness Vite server itself; prints a table and, with
 * --json FILE, writes the figures. Not a test.
 *
 *   node --import tsx kernels/bench/kawpow-browser-bench.ts [--seconds 5] [--adapters lavapipe,swiftshader]
 *     [--dag-mib 16] [--dataset-mib 64] [--hpg 4] [--l1 workgroup|binding] [--json out.json]
 */
import { writeFileSync } from 'node:fs';
import os from 'node:os';
import type { KawpowBenchFigure, KawpowBenchResults } from '../e2e/kawpow-bench-page.ts';
import { cpuShareOfPhase, launchAdapter, startHarnessServer } from './browser-harness.ts';
import { arg, list } from './cli-args.ts';

const seconds = Number(arg('seconds', '5'));
const adapters = list(arg('adapters', 'lavapipe,swiftshader'));
const query = new URLSearchParams({ seconds: String(seconds), dagMiB: arg('dag-mib', '16'), datasetMiB: arg('dataset-mib', '64') });
for (const [key, name] of [['hpg', 'hpg'], ['l1', 'l1'], ['targetMs', 'target-ms']] as const) {
  const v = arg(name, '');
  if (v) query.set(key, v);
}
const jsonOut = arg('json', '');
const FIGURES: KawpowBenchFigure['id'][] = ['dag-gpu', 'dag-wasm', 'search-gpu', 'search-wasm'];
/** SwiftShader builds and searches slowly; a figure may take minutes there. */
const FIGURE_TIMEOUT_MS = 600_000;

const { server, base } = await startHarnessServer();
const rows: (KawpowBenchFigure & { adapter: string; description: string; cpuShare?: number })[] = [];
try {
  for (const adapter of adapters) {
    const browser = await launchAdapter(adapter);
    try {
      const page = await browser.newPage();
      await page.goto(new URL(`kernels/e2e/kawpow-bench.html?${query}`, base).href);
      const shares = new Map<string, number | undefined>();
      for (const id of FIGURES) shares.set(id, await cpuShareOfPhase(page, '__kawpowBench', id, FIGURE_TIMEOUT_MS));
      await page.waitForFunction(() => window.__kawpowBench?.status !== 'running', undefined, { timeout: FIGURE_TIMEOUT_MS, polling: 500 });
      const results = (await page.evaluate(() => window.__kawpowBench)) as KawpowBenchResults;
      if (results.status !== 'done') throw new Error(`${adapter}: ${results.error}`);
      for (const f of results.figures) rows.push({ adapter, description: results.adapter ?? '', ...f, cpuShare: shares.get(f.id) });
    } finally {
      await browser.close();
    }
  }
} finally {
  await server.close();
}

const fmt = (x: number): string => (x >= 1000 ? x.toFixed(0) : x.toPrecision(3));
console.log(`${os.cpus().length} CPUs, load average ${os.loadavg()[0]!.toFixed(2)}; ${seconds} s per search figure`);
console.log('per CPU-s: per CPU-second of all browser processes over the figure\'s window (steadier than wall time on a shared machine)');
console.log('| adapter | what | engine | rate | MiB/s | per CPU-s | vs WASM (CPU-s) | note |');
console.log('| --- | --- | --- | ---: | ---: | ---: | ---: | --- |');
for (const r of rows) {
  const perCpu = r.cpuShare ? r.rate / r.cpuShare : undefined;
  const baseId = r.id === 'dag-gpu' ? 'dag-wasm' : r.id === 'search-gpu' ? 'search-wasm' : undefined;
  const base = rows.find((b) => b.adapter === r.adapter && b.id === baseId);
  const ratio = base?.cpuShare && perCpu ? `${(perCpu / (base.rate / base.cpuShare)).toFixed(1)}x` : '';
  console.log(`| ${r.adapter} | ${r.id.startsWith('dag') ? 'DAG items' : 'search'} | ${r.engine} | ${fmt(r.rate)} ${r.unit} | ${r.mibPerSecond?.toFixed(1) ?? ''} | ${perCpu ? fmt(perCpu) : ''} | ${ratio} | ${r.note} |`);
}
if (rows[0]) console.log(`adapter: ${[...new Set(rows.map((r) => `${r.adapter}: ${r.description}`))].join('; ')}`);
if (jsonOut) {
  writeFileSync(jsonOut, JSON.stringify({ seconds, query: Object.fromEntries(query), cpus: os.cpus().length, loadAverage: os.loadavg(), when: new Date().toISOString(), rows }, null, 2));
  console.log(`wrote ${jsonOut}`);
}
