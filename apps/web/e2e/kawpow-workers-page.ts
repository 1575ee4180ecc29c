/**
 * kawpow-workers.html: the web miner's KawPow GPU and CPU workers, spawned as the miner spawns
 * them, behind window.__kawpowWorkers so that kawpow-workers.spec.ts can drive them with plain
 * data (hex strings, numbers) through page.evaluate. Progress reports are collected here.
 */
/// <reference types="@webgpu/types" />
/// <reference types="vite/client" />
import * as Comlink from 'comlink';
import type { KawpowCpuWorkerApi } from '../src/kawpow/kawpow-cpu-worker.ts';
import type { KawpowGpuWorkerApi } from '../src/kawpow/kawpow-gpu-worker.ts';
import type { KawpowBuildReport } from '../src/kawpow/kawpow-progress.ts';
import type { KawpowPrepared, KawpowSearchReply } from '../src/kawpow/kawpow-worker-protocol.ts';
import { idbLightCacheStore } from '../src/kawpow/light-cache-idb.ts';

export type WorkerName = 'gpu' | 'cpu';

export interface HitHex {
  nonce: string;
  mixHash: string;
  finalHash: string;
}

export interface PrepareOutcome {
  prepared?: KawpowPrepared;
  error?: string;
  reports: KawpowBuildReport[];
}

export interface KawpowWorkersHarness {
  init(name: WorkerName): Promise<string>;
  /** Prepares `epoch`; `cancelOn` cancels the build at the first report of that kind. */
  prepare(name: WorkerName, epoch: number, datasetItems: number, storeName: string, cancelOn?: 'light cache' | 'DAG'): Promise<PrepareOutcome>;
  search(name: WorkerName, headerHash: string, height: number, target: string, start: string, count: number): Promise<{ hits: HitHex[]; tried: number }>;
  holding(name: WorkerName): Promise<{ epoch: number | null; dagBytes?: number }>;
  storedEpochs(storeName: string): Promise<number[]>;
  dispose(name: WorkerName): Promise<void>;
}

declare global {
  interface Window {
    __kawpowWorkers?: KawpowWorkersHarness;
  }
}

const hex = (b: Uint8Array) => Array.from(b, (x) => x.toString(16).padStart(2, '0')).join('');
const bytes = (h: string) => Uint8Array.from(h.match(/../g) ?? [], (x) => parseInt(x, 16));
const describe = (err: unknown) => (err as { reason?: string })?.reason ?? (err instanceof Error ? err.message : String(err));

// new URL(..., import.meta.url) literal, as in miner.ts, so Vite serves each worker as a module.
const workers = {
  gpu: () => Comlink.wrap<KawpowGpuWorkerApi>(new Worker(new URL('../src/kawpow/kawpow-gpu-worker.ts', import.meta.url), { type: 'module', name: 'otedama-kawpow-gpu' })),
  cpu: () => Comlink.wrap<KawpowCpuWorkerApi>(new Worker(new URL('../src/kawpow/kawpow-cpu-worker.ts', import.meta.url), { type: 'module', name: 'otedama-kawpow-cpu-0' })),
};
const live: { gpu?: Comlink.Remote<KawpowGpuWorkerApi>; cpu?: Comlink.Remote<KawpowCpuWorkerApi> } = {};

window.__kawpowWorkers = {
  async init(name) {
    if (name === 'gpu') return (await (live.gpu ??= workers.gpu()).init()).adapter;
    return (live.cpu ??= workers.cpu()).init('CPU worker 1');
  },
  async prepare(name, epoch, datasetItems, storeName, cancelOn) {
    const api = live[name];
    if (!api) throw new Error(`${name} worker not started`);
    const reports: KawpowBuildReport[] = [];
    let cancelled = false;
    const onProgress = Comlink.proxy((r: KawpowBuildReport) => {
      reports.push(r);
      if (cancelOn && !cancelled && r.what === cancelOn && r.done < r.total) {
        cancelled = true;
        void api.cancel();
      }
    });
    try {
      const prepared = await api.prepare(epoch, { datasetItems, storeName }, onProgress);
      return { prepared, reports };
    } catch (err) {
      return { error: describe(err), reports };
    }
  },
  async search(name, headerHash, height, target, start, count) {
    const api = live[name];
    if (!api) throw new Error(`${name} worker not started`);
    const r: KawpowSearchReply = await api.search({ headerHash: bytes(headerHash), height, target: BigInt(`0x${target}`) }, BigInt(start), count);
    return { hits: r.hits.map((h) => ({ nonce: h.nonce.toString(), mixHash: hex(h.mixHash), finalHash: hex(h.finalHash) })), tried: r.tried };
  },
  async holding(name) {
    const api = live[name];
    if (!api) throw new Error(`${name} worker not started`);
    return api.holding();
  },
  async storedEpochs(storeName) {
    const store = idbLightCacheStore({ name: storeName });
    try {
      return await store.epochs();
    } finally {
      store.close();
    }
  },
  async dispose(name) {
    await live[name]?.dispose();
    delete live[name];
  },
};
document.title += ' (ready)';
