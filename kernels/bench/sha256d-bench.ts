/**
 * SHA-256d hash rate of the WebGPU engine in Node (Dawn; on a machine without a GPU that is
 * Mesa llvmpipe through Dawn's OpenGL ES backend), beside core's JS reference engine measured
 * in the same run. Not a test: it prints a table and, with --json FILE, writes the figures.
 *
 *   node --import tsx --import ./kernels/src/raw-register.mjs kernels/bench/sha256d-bench.ts \
 *     [--seconds 3] [--npi 16,32,64] [--wg 64,128] [--json out.json]
 */
import { writeFileSync } from 'node:fs';
import os from 'node:os';
import { createReferenceSha256dEngine, type NonceSearchEngine } from '@otedama/core';
import { autoTuneDispatchNonces } from '../src/dispatch-tuner.ts';
import { requestSha256dDevice } from '../src/gpu-device.ts';
import { createNodeGpu } from '../src/node-gpu.ts';
import { createWebGpuSha256dEngine, DEFAULT_NONCES_PER_INVOCATION, DEFAULT_WORKGROUP_SIZE } from '../src/sha256d.ts';

interface Row {
  engine: string;
  noncesPerInvocation?: number;
  workgroupSize?: number;
  dispatchNonces?: number;
  mhs: number;
  /** Million hashes per CPU-second of this process (all its threads): steadier than MH/s on a shared machine. */
  mhPerCpuSecond: number;
}

function arg(name: string, fallback: string): string {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 && process.argv[i + 1] ? process.argv[i + 1]! : fallback;
}
const list = (s: string): number[] => s.split(',').map((x) => Number(x.trim()));

const seconds = Number(arg('seconds', '3'));
const npis = list(arg('npi', String(DEFAULT_NONCES_PER_INVOCATION)));
const wgs = list(arg('wg', String(DEFAULT_WORKGROUP_SIZE)));
const jsonOut = arg('json', '');

/** A header with no special structure; target 1 so that (almost surely) nothing hits. */
const job = { header: Uint8Array.from({ length: 80 }, (_, i) => (i * 37 + 11) & 0xff), target: 1n };

/** Million hashes per wall second and per CPU second of `engine` over about `seconds`. */
async function measure(engine: NonceSearchEngine, chunk: number): Promise<{ mhs: number; mhPerCpuSecond: number }> {
  let nonces = 0;
  let start = 0;
  const cpu0 = process.cpuUsage();
  const t0 = performance.now();
  while (performance.now() - t0 < seconds * 1000) {
    await engine.search(job, start, chunk);
    nonces += chunk;
    start = (start + chunk) % 0x8000_0000;
  }
  const wallS = (performance.now() - t0) / 1000;
  const cpu = process.cpuUsage(cpu0);
  const cpuS = (cpu.user + cpu.system) / 1e6;
  return { mhs: nonces / wallS / 1e6, mhPerCpuSecond: nonces / cpuS / 1e6 };
}

const { device, info } = await requestSha256dDevice(createNodeGpu());
console.log(`adapter: ${info.device || info.description} (${info.description}; ${info.featureLevel})`);
const rows: Row[] = [];

const reference = createReferenceSha256dEngine();
rows.push({ engine: 'js reference (baseline)', ...(await measure(reference, 1 << 14)) });

for (const noncesPerInvocation of npis) {
  for (const workgroupSize of wgs) {
    const engine = createWebGpuSha256dEngine(device, { noncesPerInvocation, workgroupSize });
    const tuned = await autoTuneDispatchNonces(engine);
    // Searches of 8 dispatches: pipelining within a search is part of what is measured.
    const rate = await measure(engine, engine.dispatchNonces * 8);
    rows.push({ engine: 'webgpu', noncesPerInvocation, workgroupSize, dispatchNonces: tuned.dispatchNonces, ...rate });
    engine.dispose();
  }
}

const base = rows[0]!.mhs;
console.log('');
console.log(`${os.cpus().length} CPUs, load average ${os.loadavg()[0]!.toFixed(2)} (MH/cpu-s x cores estimates an idle machine)`);
console.log('engine                    npi   wg  dispatch      MH/s   MH/cpu-s   x baseline');
for (const r of rows) {
  console.log(
    `${r.engine.padEnd(24)} ${String(r.noncesPerInvocation ?? '').padStart(4)} ${String(r.workgroupSize ?? '').padStart(4)} ${String(r.dispatchNonces ?? '').padStart(9)} ${r.mhs.toFixed(2).padStart(9)} ${r.mhPerCpuSecond.toFixed(2).padStart(10)} ${(r.mhs / base).toFixed(1).padStart(10)}`,
  );
}
if (jsonOut) {
  writeFileSync(jsonOut, JSON.stringify({ adapter: info, seconds, cpus: os.cpus().length, loadAverage: os.loadavg(), when: new Date().toISOString(), rows }, null, 2));
  console.log(`wrote ${jsonOut}`);
}
device.destroy();
