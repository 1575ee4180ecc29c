/**
 * SHA-256d hash rate of the WebGPU engine in headless Chromium on both software adapters
 * (lavapipe through ANGLE in compatibility mode, and SwiftShader), each beside core's JS
 * reference measured in the same page. Starts the harness Vite server itself; prints a table
 * and, with --json FILE, writes the figures. Not a test.
 *
 *   node --import tsx kernels/bench/sha256d-browser-bench.ts [--seconds 5] [--npi 32] [--wg 64]
 *     [--adapters lavapipe,swiftshader] [--engine webgpu] [--json out.json]
 */
import { writeFileSync } from 'node:fs';
import os from 'node:os';
import type { BenchResults } from '../e2e/bench-page.ts';
import { descendantCpuSeconds, launchAdapter, startHarnessServer } from './browser-harness.ts';
import { arg } from './cli-args.ts';


const seconds = Number(arg('seconds', '5'));
const adapters = arg('adapters', 'lavapipe,swiftshader').split(',');
const engine = arg('engine', 'webgpu');
const query = new URLSearchParams({ engine, seconds: String(seconds) });
for (const key of ['npi', 'wg', 'targetMs']) {
  const v = arg(key, '');
  if (v) query.set(key, v);
}
const jsonOut = arg('json', '');

const { server, base } = await startHarnessServer();

const rows: { adapter: string; engine: string; description: string; mhs: number; dispatchNonces?: number; cpuShare?: number }[] = [];
try {
  for (const adapter of adapters) {
    const browser = await launchAdapter(adapter);
    try {
      const page = await browser.newPage();
      await page.goto(new URL(`kernels/e2e/bench.html?${query}`, base).href);
      // CPU time of the browser (all its processes) over the engine's timed window only.
      const timeout = (seconds * 2 + 120) * 1000;
      await page.waitForFunction((e) => window.__bench?.phase === `measuring ${e}` || window.__bench?.status !== 'running', engine, { timeout, polling: 50 });
      const cpu0 = descendantCpuSeconds(process.pid);
      const t0 = performance.now();
      await page.waitForFunction(() => !window.__bench?.phase?.startsWith('measuring') || window.__bench?.status !== 'running', undefined, { timeout, polling: 50 });
      const cpuShare = (descendantCpuSeconds(process.pid) - cpu0) / ((performance.now() - t0) / 1000);
      await page.waitForFunction(() => window.__bench?.status !== 'running', undefined, { timeout, polling: 500 });
      const results = (await page.evaluate(() => window.__bench)) as BenchResults;
      if (results.status !== 'done') throw new Error(`${adapter}: ${results.error}`);
      for (const f of results.figures) rows.push({ adapter, ...f, ...(f.engine === engine ? { cpuShare } : {}) });
    } finally {
      await browser.close();
    }
  }
} finally {
  await server.close();
}

console.log(`${os.cpus().length} CPUs, load average ${os.loadavg()[0]!.toFixed(2)}; ${seconds} s per figure`);
console.log('MH/cpu-s: hashes per CPU-second of all browser processes; times the cores it estimates an idle machine');
console.log('adapter       engine          dispatch      MH/s   MH/cpu-s  engine');
for (const r of rows) {
  const perCpu = r.cpuShare ? (r.mhs / r.cpuShare).toFixed(2) : '';
  console.log(`${r.adapter.padEnd(13)} ${r.engine.padEnd(15)} ${String(r.dispatchNonces ?? '').padStart(9)} ${r.mhs.toFixed(2).padStart(9)} ${perCpu.padStart(10)}  ${r.description}`);
}
if (jsonOut) {
  writeFileSync(jsonOut, JSON.stringify({ seconds, cpus: os.cpus().length, loadAverage: os.loadavg(), when: new Date().toISOString(), rows }, null, 2));
  console.log(`wrote ${jsonOut}`);
}
