/**
 * KawPow on the GPU in Node (Dawn; on a machine without a GPU that is Mesa llvmpipe through
 * Dawn's OpenGL ES backend), each figure beside its WASM baseline measured in the same run:
 *
 *   - DAG generation: items/s and MiB/s of buildKawpowDag, beside the WASM engine's dataset
 *     items (KawpowContext.datasetItems512) from the same light cache;
 *   - search: hashes/s of the WebGPU engine (per tuning) on a reduced DAG, beside the WASM
 *     engine's light evaluation (one hash by light-cache reads, what a validator runs).
 *
 * The search runs on a reduced dataset (--dataset-mib, default 64 MiB, of epoch --epoch's real
 * light cache): KawPow's work per hash does not depend on the dataset's size, but a GPU's
 * caches do, so the table states it. On a real GPU give --dataset-mib full for the epoch's
 * whole DAG, and --backend vulkan. Not a test: it prints a table and, with --json FILE, writes
 * the figures.
 *
 *   node --import tsx --import ./kernels/src/raw-register.mjs kernels/bench/kawpow-bench.ts \
 *     [--seconds 3] [--epoch 0] [--dataset-mib 64|full] [--dag-mib 16] [--hpg 4,16] [--l1 workgroup,binding]
 *     [--backend opengles|vulkan] [--json out.json]
 */
import { writeFileSync } from 'node:fs';
import os from 'node:os';
import { datasetBytes as epochDatasetBytes, KAWPOW_EPOCH_LENGTH } from '@otedama/core';
import { createWasmKawpowHasher } from '@otedama/wasm';
import { buildKawpowDag } from '../src/kawpow/dag.ts';
import { requestKawpowDevice } from '../src/kawpow/device.ts';
import { autoTuneKawpowDispatch, createWebGpuKawpowEngine } from '../src/kawpow/search.ts';
import { createNodeGpu, type NodeGpuBackend } from '../src/node-gpu.ts';
import { arg, list } from './cli-args.ts';

const MIB = 1024 * 1024;

const seconds = Number(arg('seconds', '3'));
const epoch = Number(arg('epoch', '0'));
const datasetArg = arg('dataset-mib', '64');
const searchBytes = datasetArg === 'full' ? epochDatasetBytes(epoch) : Math.floor((Number(datasetArg) * MIB) / 128) * 128;
const dagBytes = Math.floor((Number(arg('dag-mib', '16')) * MIB) / 128) * 128;
const hpgs = list(arg('hpg', '4,16')).map(Number);
const l1s = list(arg('l1', 'workgroup,binding'));
const backend = arg('backend', 'opengles') as NodeGpuBackend;
const jsonOut = arg('json', '');

interface Row {
  readonly what: string;
  readonly engine: string;
  readonly rate: number;
  readonly unit: string;
  readonly mibPerSecond?: number;
  /** Rate per CPU-second of this process: steadier than wall time on a shared machine. */
  readonly perCpuSecond: number;
  readonly note?: string;
}

/** Runs `step` (which returns how many units it did) for about `forSeconds`; rate per wall and CPU second. */
async function measure(forSeconds: number, step: () => Promise<number> | number): Promise<{ rate: number; perCpuSecond: number }> {
  let units = 0;
  const cpu0 = process.cpuUsage();
  const t0 = performance.now();
  while (performance.now() - t0 < forSeconds * 1000) units += await step();
  const wall = (performance.now() - t0) / 1000;
  const cpu = process.cpuUsage(cpu0);
  return { rate: units / wall, perCpuSecond: units / ((cpu.user + cpu.system) / 1e6) };
}

const rows: Row[] = [];
const height = epoch * KAWPOW_EPOCH_LENGTH + 100;
const { device, info } = await requestKawpowDevice(createNodeGpu({ backend }));
console.log(`adapter: ${info.device || info.description} (${info.description}; ${info.featureLevel}), backend ${backend}`);
const wasm = await createWasmKawpowHasher();
const context = await wasm.context(epoch);
const lightCache = context.lightCacheView().slice();

// ---- DAG generation -------------------------------------------------------------------------
{
  // The first build pays the shader compile; the measured one runs warm.
  (await buildKawpowDag(device, { epoch, lightCache, datasetBytes: 64 * 1024 })).destroy();
  const cpu0 = process.cpuUsage();
  const dag = await buildKawpowDag(device, { epoch, lightCache, datasetBytes: dagBytes });
  const cpu = process.cpuUsage(cpu0);
  const items = dag.layout.items;
  const rate = (items / dag.buildMs) * 1000;
  rows.push({ what: 'DAG items', engine: 'webgpu', rate, unit: 'items/s', mibPerSecond: (rate * 64) / MIB, perCpuSecond: items / ((cpu.user + cpu.system) / 1e6), note: `${(dagBytes / MIB).toFixed(0)} MiB in ${dag.buffers.length} buffer(s)` });
  dag.destroy();
  const batch = 256;
  let next = 0;
  const w = await measure(Math.min(seconds, 3), () => {
    context.datasetItems512(next, batch);
    next = (next + batch) % (2 * context.datasetItems - batch);
    return batch;
  });
  rows.push({ what: 'DAG items', engine: `${wasm.name} (baseline)`, rate: w.rate, unit: 'items/s', mibPerSecond: (w.rate * 64) / MIB, perCpuSecond: w.perCpuSecond, note: 'one thread' });
}

// ---- Search -----------------------------------------------------------------------------------
{
  const dag = await buildKawpowDag(device, { epoch, lightCache, datasetBytes: searchBytes });
  const headerHash = Uint8Array.from({ length: 32 }, (_, i) => (i * 37 + 11) & 0xff);
  const job = { headerHash, height, target: 1n }; // target 1: (almost surely) no hits
  for (const hashesPerGroup of hpgs) {
    for (const l1 of l1s) {
      const engine = await createWebGpuKawpowEngine(device, { dag, hashesPerGroup, l1InWorkgroup: l1 === 'workgroup', prefetchNextPeriod: false });
      await engine.prepare(height);
      const tuned = await autoTuneKawpowDispatch(engine, job);
      let start = 0n;
      const chunk = engine.dispatchHashes * 4; // pipelining inside a search is part of the figure
      const r = await measure(seconds, async () => {
        await engine.search(job, start, chunk);
        start += BigInt(chunk);
        return chunk;
      });
      rows.push({ what: 'search', engine: `webgpu hpg ${hashesPerGroup} l1 ${l1}`, rate: r.rate, unit: 'H/s', perCpuSecond: r.perCpuSecond, note: `${(searchBytes / MIB).toFixed(0)} MiB dataset, ${tuned.dispatch} hashes/dispatch` });
      engine.dispose();
    }
  }
  dag.destroy();
  let nonce = 0n;
  const w = await measure(Math.min(seconds, 3), () => {
    context.hash(headerHash, nonce++, height);
    return 1;
  });
  rows.push({ what: 'search', engine: `${wasm.name} light evaluation (baseline)`, rate: w.rate, unit: 'H/s', perCpuSecond: w.perCpuSecond, note: `one thread, ${(epochDatasetBytes(epoch) / MIB).toFixed(0)} MiB epoch ${epoch}` });
}

wasm.dispose();
device.destroy();

const fmt = (x: number): string => (x >= 1000 ? x.toFixed(0) : x.toPrecision(3));
const baseline = (what: string): Row | undefined => rows.find((r) => r.what === what && r.engine.includes('baseline'));
console.log(`${os.cpus().length} CPUs, load average ${os.loadavg()[0]!.toFixed(2)}; ${seconds} s per search figure; epoch ${epoch}`);
console.log('per CPU-s: per CPU-second of this process (all threads, the GPU driver\'s included): steadier on a shared machine');
console.log('| what | engine | rate | MiB/s | per CPU-s | vs baseline (CPU-s) | note |');
console.log('| --- | --- | ---: | ---: | ---: | ---: | --- |');
for (const r of rows) {
  const b = baseline(r.what);
  const ratio = b && b !== r ? `${(r.perCpuSecond / b.perCpuSecond).toFixed(1)}x` : '';
  console.log(`| ${r.what} | ${r.engine} | ${fmt(r.rate)} ${r.unit} | ${r.mibPerSecond ? r.mibPerSecond.toFixed(1) : ''} | ${fmt(r.perCpuSecond)} | ${ratio} | ${r.note ?? ''} |`);
}
if (jsonOut) {
  writeFileSync(jsonOut, JSON.stringify({ seconds, epoch, searchDatasetBytes: searchBytes, dagBytes, adapter: info, backend, cpus: os.cpus().length, loadAverage: os.loadavg(), when: new Date().toISOString(), rows }, null, 2));
  console.log(`wrote ${jsonOut}`);
}
process.exit(0);
