/**
 * The GPU mining worker: one WebGPU SHA-256d engine on a device this worker requests itself,
 * driven through comlink. `init` tunes the dispatch so one takes about 75 ms (the page and the
 * job switch stay quick); `search` returns only hits and the count of nonces tried.
 */
import * as Comlink from 'comlink';
import { autoTuneDispatchNonces, createWebGpuSha256dEngine, requestSha256dDevice, type WebGpuSha256dEngine } from '@otedama/kernels';

/** Wall time one GPU dispatch should take (ms): the middle of the 50-100 ms band. */
const DISPATCH_TARGET_MS = 75;

export interface GpuWorkerInfo {
  engine: string;
  adapter: string;
  dispatchNonces: number;
  /** Hash rate the tuner measured (hashes per second). */
  tunedHashesPerSecond: number;
}

let engine: WebGpuSha256dEngine | undefined;
let info: GpuWorkerInfo | undefined;

const api = {
  async init(): Promise<GpuWorkerInfo> {
    if (info) return info;
    const gpu = (self.navigator as Navigator & { gpu?: GPU }).gpu;
    const { device, info: adapter } = await requestSha256dDevice(gpu, { label: 'otedama-gpu-worker' });
    engine = createWebGpuSha256dEngine(device);
    const tuned = await autoTuneDispatchNonces(engine, { targetMs: DISPATCH_TARGET_MS });
    const name = adapter.description || [adapter.vendor, adapter.architecture, adapter.device].filter(Boolean).join(' ') || 'WebGPU adapter';
    info = { engine: engine.name, adapter: name, dispatchNonces: tuned.dispatchNonces, tunedHashesPerSecond: tuned.hashesPerSecond };
    return info;
  },
  async search(header: Uint8Array, target: bigint, start: number, count: number): Promise<{ nonces: number[]; tried: number }> {
    if (!engine) throw new Error('GPU worker not initialised');
    const r = await engine.search({ header, target }, start, count);
    return { nonces: r.hits.map((h) => h.nonce), tried: r.tried };
  },
};

export type GpuWorkerApi = typeof api;
Comlink.expose(api);
