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
import { KawpowEngines } from '../src/kawpow/kawpow-engines.ts';
import { idbLightCacheStore } from '../src/kawpow/light-cache-idb.ts';
import { loadLightCache } from '../src/kawpow/light-cache-loader.ts';

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

export interface MineRequest {
  cpuThreads: number;
  gpu: boolean;
  datasetItems: number;
  storeName: string;
  headerHash: string;
  height: number;
  target: string;
  noncePrefix: string;
  /** Stop once each device has found this many hits (or at the deadline). */
  hitsPerDevice: number;
  deadlineMs: number;
}

export interface MineOutcome {
  hits: (HitHex & { device: string; jobId: string; verified: boolean })[];
  events: string[];
  /** Build statuses seen (percent), per kind. */
  buildPercents: { 'light cache': number[]; DAG: number[] };
  hashes: number;
  /** The last builds list (empty after the builds ended). */
  lastBuilds: number;
}

export interface KawpowWorkersHarness {
  /** KawpowEngines (the miner's seam) on one job until enough hits; every hit checked by light evaluation here. */
  mine(req: MineRequest): Promise<MineOutcome>;
  /** Starts KawpowEngines on a job of `epoch` and stops them at the first DAG progress; what was reported. */
  stopDuringDag(req: MineRequest): Promise<{ stoppedAtPercent: number | null; lastBuilds: number; events: string[] }>;
  init(name: WorkerName): Promise<string>;
  /** Prepares `epoch`; `cancelOn` cancels the build at the first report of that kind. */
  prepare(name: WorkerName, epoch: number, datasetItems: number, storeName: string, cancelOn?: 'light cache' | 'DAG'): Promise<PrepareOutcome>;
  search(name: WorkerName, headerHash: string, height: number, target: string, start: string, count: number): Promise<{ hits: HitHex[]; tried: number }>;
  holding(name: WorkerName): Promise<{ epoch: number | null; dagBytes?: number }>;
  storedEpochs(storeName: string): Promise<number[]>;
  /** Saves records for `epochs` in order into a fresh store keeping `keep`; the epochs left and what epoch `read` reads back. */
  keepNewest(storeName: string, keep: number, epochs: number[], read: number): Promise<{ left: number[]; read: number[] | null }>;
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
  async mine(req) {
    const events: string[] = [];
    const buildPercents: MineOutcome['buildPercents'] = { 'light cache': [], DAG: [] };
    const found: { device: string; jobId: string; nonce: bigint; mixHash: Uint8Array; finalHash: Uint8Array }[] = [];
    let lastBuilds = -1;
    let enough: () => void = () => undefined;
    const done = new Promise<void>((resolve) => (enough = resolve));
    const devices = [...(req.gpu ? ['gpu'] : []), ...(req.cpuThreads > 0 ? ['cpu'] : [])];
    const engines = new KawpowEngines({
      cpuThreads: req.cpuThreads,
      gpu: req.gpu,
      datasetItems: req.datasetItems,
      storeName: req.storeName,
      onHit: (job, hit, device) => {
        found.push({ device, jobId: job.jobId, ...hit });
        if (devices.every((d) => found.filter((f) => f.device === d).length >= req.hitsPerDevice)) enough();
      },
      onEvent: (e) => events.push(`${e.level}: ${e.text}`),
      onBuild: (builds) => {
        lastBuilds = builds.length;
        for (const b of builds) buildPercents[b.what].push(b.percent);
      },
    });
    await engines.start();
    engines.setJob({ jobId: 'j1', headerHash: bytes(req.headerHash), height: req.height, target: BigInt(`0x${req.target}`), noncePrefix: req.noncePrefix });
    await Promise.race([done, new Promise((r) => setTimeout(r, req.deadlineMs))]);
    const hashes = engines.hashes;
    await engines.stop();
    const { context } = await loadLightCache(Math.floor(req.height / 7500), { device: 'page', storeName: req.storeName });
    const hits = found.map((f) => {
      const r = context.hash(bytes(req.headerHash), f.nonce, req.height, req.datasetItems);
      const verified = hex(r.mixHash) === hex(f.mixHash) && hex(r.finalHash) === hex(f.finalHash) && BigInt(`0x${hex(r.finalHash)}`) <= BigInt(`0x${req.target}`);
      return { device: f.device, jobId: f.jobId, nonce: `0x${f.nonce.toString(16).padStart(16, '0')}`, mixHash: hex(f.mixHash), finalHash: hex(f.finalHash), verified };
    });
    return { hits, events, buildPercents, hashes, lastBuilds };
  },
  async stopDuringDag(req) {
    const events: string[] = [];
    let lastBuilds = -1;
    let stoppedAtPercent: number | null = null;
    let dagStarted: () => void = () => undefined;
    const started = new Promise<void>((resolve) => (dagStarted = resolve));
    const engines = new KawpowEngines({
      cpuThreads: 0,
      gpu: true,
      datasetItems: req.datasetItems,
      storeName: req.storeName,
      onHit: () => undefined,
      onEvent: (e) => events.push(`${e.level}: ${e.text}`),
      onBuild: (builds) => {
        lastBuilds = builds.length;
        const dag = builds.find((b) => b.what === 'DAG');
        if (dag && stoppedAtPercent === null) {
          stoppedAtPercent = dag.percent;
          dagStarted();
        }
      },
    });
    await engines.start();
    engines.setJob({ jobId: 'j1', headerHash: bytes(req.headerHash), height: req.height, target: BigInt(`0x${req.target}`), noncePrefix: req.noncePrefix });
    await Promise.race([started, new Promise((r) => setTimeout(r, req.deadlineMs))]);
    await engines.stop();
    return { stoppedAtPercent, lastBuilds, events };
  },
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
  async keepNewest(storeName, keep, epochs, read) {
    const store = idbLightCacheStore({ name: storeName, keep });
    try {
      for (const e of epochs) await store.save(e, Uint8Array.of(e, e + 1, e + 2));
      const back = await store.load(read);
      return { left: await store.epochs(), read: back ? Array.from(back) : null };
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
