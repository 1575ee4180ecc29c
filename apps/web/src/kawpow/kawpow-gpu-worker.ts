/**
 * The KawPow GPU worker: a WebGPU device of its own, the epoch's DAG built on it in chunks of
 * about 100 ms (progress after each, cancellable between them), and the KawPow search kernel of
 * each ProgPoW period, driven through comlink.
 *
 *   init()                          the device (the adapter's own limits: the DAG needs its largest buffers)
 *   prepare(epoch, options, onProgress)
 *                                   the light cache (IndexedDB, or built by the WASM engine in a
 *                                   thread of its own and kept there), then the DAG from it; one
 *                                   epoch at a time: the old
 *                                   DAG is destroyed first, and the light cache dropped once the DAG
 *                                   is built (bounded memory: one DAG on the GPU, no cache in RAM)
 *   search(job, start, count)       hits (nonce, mix hash, final hash) and the nonces tried
 *   cancel()                        stops a build between chunks; its buffers are destroyed
 *   dispose()                       DAG, engine and device
 *
 * `datasetItems` in prepare's options is for tests only: a reduced dataset (same code) that the
 * WASM reference is told as well. A pool checks shares at the epoch's real size.
 */
import * as Comlink from 'comlink';
import { datasetBytes, EngineUnavailableError } from '@otedama/core';
import { buildKawpowDag, createWebGpuKawpowEngine, requestKawpowDevice, type KawpowDag, type WebGpuKawpowEngine } from '@otedama/kernels';
import { restInWorker } from '../duty-cycle.ts';
import { errorReason } from '../errors.ts';
import { loadLightCache } from './light-cache-loader.ts';
import type { KawpowBuildReport } from './kawpow-progress.ts';
import type { KawpowPrepareOptions, KawpowPrepared, KawpowSearchReply, KawpowWorkerJob } from './kawpow-worker-protocol.ts';

const DEVICE = 'GPU worker';
/** Bytes of one 1024-bit dataset item (what `datasetItems` counts). */
const DATASET_ITEM_BYTES = 128;

let device: GPUDevice | undefined;
let adapter = '';
let engine: WebGpuKawpowEngine | undefined;
let dag: KawpowDag | undefined;
let building: AbortController | undefined;


const api = {
  async init(): Promise<{ adapter: string }> {
    if (!device) {
      const gpu = (self.navigator as Navigator & { gpu?: GPU }).gpu;
      const opened = await requestKawpowDevice(gpu, { label: 'otedama-kawpow-gpu-worker' });
      device = opened.device;
      const a = opened.info;
      adapter = a.description || [a.vendor, a.architecture, a.device].filter(Boolean).join(' ') || 'WebGPU adapter';
    }
    return { adapter };
  },

  async prepare(epoch: number, options: KawpowPrepareOptions, onProgress?: (r: KawpowBuildReport) => unknown): Promise<KawpowPrepared> {
    if (!device) throw new EngineUnavailableError('webgpu', 'the GPU worker is not initialised');
    const wantBytes = options.datasetItems ? options.datasetItems * DATASET_ITEM_BYTES : datasetBytes(epoch);
    if (dag && !dag.destroyed && dag.epoch === epoch && dag.layout.datasetBytes === wantBytes && engine) {
      return { epoch, lightCacheFromStore: true, dagBytes: wantBytes };
    }
    building?.abort(new EngineUnavailableError('webgpu', 'a newer epoch was asked for'));
    const abort = new AbortController();
    building = abort;
    // One epoch on the GPU at a time: the old DAG goes before the new one is allocated.
    engine?.dispose();
    engine = undefined;
    dag?.destroy();
    dag = undefined;
    const report = (r: KawpowBuildReport) => void Promise.resolve(onProgress?.(r)).catch(() => undefined);
    try {
      const { context, fromStore } = await loadLightCache(epoch, {
        device: DEVICE,
        signal: abort.signal,
        onProgress: report,
        ...(options.storeName ? { storeName: options.storeName } : {}),
      });
      const lightCache = context.lightCacheView().slice();
      const built = await buildKawpowDag(
        device,
        { epoch, lightCache, datasetBytes: wantBytes },
        { signal: abort.signal, onProgress: (p) => report({ what: 'DAG', device: DEVICE, epoch, done: p.bytesDone, total: p.bytes }) },
      );
      if (abort.signal.aborted) {
        built.destroy();
        throw abort.signal.reason;
      }
      dag = built;
      engine = await createWebGpuKawpowEngine(device, { dag });
      // The light cache is in IndexedDB and in the DAG now: this worker keeps no copy.
      return { epoch, lightCacheFromStore: fromStore, dagBytes: dag.layout.datasetBytes };
    } finally {
      if (building === abort) building = undefined;
    }
  },

  async search(job: KawpowWorkerJob, start: bigint, count: number): Promise<KawpowSearchReply> {
    if (!engine) throw new EngineUnavailableError('webgpu', 'no DAG is prepared (call prepare first)');
    try {
      const r = await engine.search({ headerHash: job.headerHash, height: job.height, target: job.target }, start, count);
      return { hits: r.hits.map((h) => ({ nonce: h.nonce, mixHash: h.mixHash, finalHash: h.finalHash })), tried: r.tried };
    } catch (err) {
      throw new Error(errorReason(err));
    }
  },

  /** What the GPU holds (tests: a cancelled build leaves nothing). */
  holding(): { epoch: number | null; dagBytes: number } {
    return dag && !dag.destroyed ? { epoch: dag.epoch, dagBytes: dag.layout.datasetBytes } : { epoch: null, dagBytes: 0 };
  },

  /** Stops a light-cache or DAG build in progress (its buffers are destroyed); the prepare rejects. */
  cancel(): void {
    building?.abort(new EngineUnavailableError('webgpu', 'the build was cancelled'));
  },

  rest: restInWorker,

  dispose(): void {
    api.cancel();
    engine?.dispose();
    engine = undefined;
    dag?.destroy();
    dag = undefined;
    device?.destroy();
    device = undefined;
  },
};

export type KawpowGpuWorkerApi = typeof api;
Comlink.expose(api);
