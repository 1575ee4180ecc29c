/**
 * kawpow-bench.html: KawPow rates in this page, each beside its WASM baseline measured in the
 * same page load: GPU DAG generation (items/s, MiB/s) beside the WASM engine's dataset items,
 * and the GPU search (hashes/s, dispatches auto-tuned) on a reduced dataset beside the WASM
 * engine's light evaluation. `phase` names the figure being measured, so the driver can
 * sample the browser's CPU time around exactly that window.
 */
import { createWasmKawpowHasher } from '@otedama/wasm';
import { buildKawpowDag } from '../src/kawpow/dag.ts';
import { requestKawpowDevice } from '../src/kawpow/device.ts';
import { autoTuneKawpowDispatch, createWebGpuKawpowEngine } from '../src/kawpow/search.ts';
import { adapterName } from './harness-engines.ts';
import { runPage } from './page-run.ts';

export interface KawpowBenchFigure {
  /** Stable id of the figure: the driver matches CPU samples to it. */
  readonly id: 'dag-gpu' | 'dag-wasm' | 'search-gpu' | 'search-wasm';
  readonly engine: string;
  readonly rate: number;
  readonly unit: 'items/s' | 'H/s';
  readonly mibPerSecond?: number;
  readonly note: string;
}

export interface KawpowBenchResults {
  status: 'running' | 'done' | 'failed';
  /** `measuring <id>` while that figure's timed window runs. */
  phase?: string;
  adapter?: string;
  error?: string;
  figures: KawpowBenchFigure[];
}

declare global {
  interface Window {
    __kawpowBench?: KawpowBenchResults;
  }
}

const MIB = 1024 * 1024;
const params = new URLSearchParams(location.search);
const num = (key: string, fallback: number): number => Number(params.get(key) ?? fallback);
const seconds = num('seconds', 5);
const dagBytes = Math.floor((num('dagMiB', 16) * MIB) / 128) * 128;
const searchBytes = Math.floor((num('datasetMiB', 64) * MIB) / 128) * 128;
const results: KawpowBenchResults = { status: 'running', figures: [] };
window.__kawpowBench = results;
const out = document.getElementById('out')!;

/** A synchronous loop yields to the event loop this often (ms), so the driver can watch the phase. */
const YIELD_EVERY_MS = 50;

/** Runs `step` (returning the units it did) for about `forSeconds` under phase `id`; units per second. */
async function timed(id: KawpowBenchFigure['id'], forSeconds: number, step: () => Promise<number> | number): Promise<number> {
  results.phase = `measuring ${id}`;
  let units = 0;
  const t0 = performance.now();
  let yielded = t0;
  while (performance.now() - t0 < forSeconds * 1000) {
    units += await step();
    if (performance.now() - yielded > YIELD_EVERY_MS) {
      await new Promise((resolve) => setTimeout(resolve, 0));
      yielded = performance.now();
    }
  }
  const rate = units / ((performance.now() - t0) / 1000);
  results.phase = `measured ${id}`;
  return rate;
}

async function main(): Promise<void> {
  const { device, info } = await requestKawpowDevice(navigator.gpu);
  results.adapter = `${adapterName(info)} (${info.featureLevel})`;
  const wasm = await createWasmKawpowHasher();
  try {
    const context = await wasm.context(0);
    const lightCache = context.lightCacheView().slice();

    (await buildKawpowDag(device, { epoch: 0, lightCache, datasetBytes: 64 * 1024 })).destroy(); // compile
    results.phase = 'measuring dag-gpu';
    const dag = await buildKawpowDag(device, { epoch: 0, lightCache, datasetBytes: dagBytes });
    results.phase = 'measured dag-gpu';
    const gpuItems = (dag.layout.items / dag.buildMs) * 1000;
    results.figures.push({ id: 'dag-gpu', engine: 'webgpu', rate: gpuItems, unit: 'items/s', mibPerSecond: (gpuItems * 64) / MIB, note: `${dagBytes / MIB} MiB in ${dag.buffers.length} buffer(s)` });
    dag.destroy();
    let next = 0;
    const wasmItems = await timed('dag-wasm', Math.min(seconds, 3), () => {
      context.datasetItems512(next, 256);
      next = (next + 256) % (2 * context.datasetItems - 256);
      return 256;
    });
    results.figures.push({ id: 'dag-wasm', engine: `${wasm.name} (baseline)`, rate: wasmItems, unit: 'items/s', mibPerSecond: (wasmItems * 64) / MIB, note: 'one thread' });

    const searchDag = await buildKawpowDag(device, { epoch: 0, lightCache, datasetBytes: searchBytes });
    const height = 100;
    const headerHash = Uint8Array.from({ length: 32 }, (_, i) => (i * 37 + 11) & 0xff);
    const hpg = params.get('hpg');
    const l1 = params.get('l1');
    const engine = await createWebGpuKawpowEngine(device, {
      dag: searchDag,
      prefetchNextPeriod: false,
      ...(hpg === null ? {} : { hashesPerGroup: Number(hpg) }),
      ...(l1 === null ? {} : { l1InWorkgroup: l1 === 'workgroup' }),
    });
    const tuned = await autoTuneKawpowDispatch(engine, { headerHash, height }, { targetMs: num('targetMs', 75) });
    const chunk = engine.dispatchHashes * 4; // pipelining inside a search is part of the figure
    let start = 0n;
    const gpuHashes = await timed('search-gpu', seconds, async () => {
      await engine.search({ headerHash, height, target: 1n }, start, chunk);
      start += BigInt(chunk);
      return chunk;
    });
    results.figures.push({
      id: 'search-gpu',
      engine: `webgpu hpg ${engine.hashesPerGroup} l1 ${engine.l1InWorkgroup ? 'workgroup' : 'binding'}`,
      rate: gpuHashes,
      unit: 'H/s',
      note: `${searchBytes / MIB} MiB reduced dataset of epoch 0 (${searchDag.buffers.length} binding(s)), ${tuned.dispatch} hashes/dispatch`,
    });
    engine.dispose();
    searchDag.destroy();
    let nonce = 0n;
    const wasmHashes = await timed('search-wasm', Math.min(seconds, 3), () => {
      context.hash(headerHash, nonce++, height);
      return 1;
    });
    results.figures.push({ id: 'search-wasm', engine: `${wasm.name} light evaluation (baseline)`, rate: wasmHashes, unit: 'H/s', note: 'one thread, epoch 0 at full size' });
  } finally {
    wasm.dispose();
    device.destroy();
  }
}

runPage(main, results, out);
