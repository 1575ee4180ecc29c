/**
 * A KawPow CPU worker: light evaluation in WASM, driven through comlink. Every nonce recomputes
 * its 256 dataset items from the epoch's light cache (ProgPoW's 64 loads of 4 items), a few
 * milliseconds per hash: thousands of times slower than a GPU holding the DAG, so the page offers
 * it as "slow" and the miner gives it small batches (a job switch still takes effect within one).
 * It exists for devices without WebGPU and to check what the GPU finds.
 *
 *   init()                            the WASM engine's name
 *   prepare(epoch, options, onProgress)
 *                                     the light cache (IndexedDB, or built here and kept there);
 *                                     one epoch at a time: the previous one is dropped first
 *   search(job, start, count)         hits (nonce, mix hash, final hash) and the nonces tried
 *   cancel()                          stops a light-cache build between slices; prepare rejects
 *   dispose()                         drops the light cache
 *
 * `datasetItems` in prepare's options is for tests only: hashes on a reduced dataset (the same
 * code), as the GPU worker's DAG is then built.
 */
import * as Comlink from 'comlink';
import { EngineUnavailableError, kawpowEpoch, kawpowHashValue } from '@otedama/core';
import type { KawpowContext } from '@otedama/wasm';
import { restInWorker } from '../duty-cycle.ts';
import { MAX_LIGHT_BATCH } from './kawpow-cpu-limits.ts';
import type { KawpowBuildReport } from './kawpow-progress.ts';
import { loadLightCache } from './light-cache-loader.ts';
import type { KawpowPrepareOptions, KawpowPrepared, KawpowSearchReply, KawpowWorkerJob } from './kawpow-worker-protocol.ts';


let label = 'CPU worker';
let context: KawpowContext | undefined;
let datasetItems: number | undefined;
let building: AbortController | undefined;

const api = {
  /** `device` names this worker in progress reports ("CPU worker 2"). */
  init(device?: string): string {
    if (device) label = device;
    return 'wasm light evaluation';
  },

  async prepare(epoch: number, options: KawpowPrepareOptions, onProgress?: (r: KawpowBuildReport) => unknown): Promise<KawpowPrepared> {
    if (context && context.epoch === epoch && datasetItems === options.datasetItems) return { epoch, lightCacheFromStore: true, dagBytes: 0 };
    building?.abort(new EngineUnavailableError('wasm', 'a newer epoch was asked for'));
    const abort = new AbortController();
    building = abort;
    // One epoch in memory at a time: the old light cache goes before the new one grows.
    context = undefined;
    try {
      const loaded = await loadLightCache(epoch, {
        device: label,
        signal: abort.signal,
        onProgress: (r) => void Promise.resolve(onProgress?.(r)).catch(() => undefined),
        ...(options.storeName ? { storeName: options.storeName } : {}),
      });
      if (abort.signal.aborted) throw abort.signal.reason;
      context = loaded.context;
      datasetItems = options.datasetItems;
      return { epoch, lightCacheFromStore: loaded.fromStore, dagBytes: 0 };
    } finally {
      if (building === abort) building = undefined;
    }
  },

  search(job: KawpowWorkerJob, start: bigint, count: number): KawpowSearchReply {
    const ctx = context;
    if (!ctx) throw new EngineUnavailableError('wasm', 'no light cache is prepared (call prepare first)');
    if (kawpowEpoch(job.height) !== ctx.epoch) {
      throw new EngineUnavailableError('wasm', `height ${job.height} is not in epoch ${ctx.epoch}, the one prepared`);
    }
    if (!Number.isInteger(count) || count < 1 || count > MAX_LIGHT_BATCH) throw new RangeError(`count must be 1..${MAX_LIGHT_BATCH} (got ${count})`);
    if (typeof start !== 'bigint' || start < 0n || start + BigInt(count) > 1n << 64n) throw new RangeError(`nonces ${start}+${count} are outside the 64-bit nonce space`);
    const hits: KawpowSearchReply['hits'] = [];
    for (let i = 0; i < count; i++) {
      const nonce = start + BigInt(i);
      const r = ctx.hash(job.headerHash, nonce, job.height, datasetItems);
      if (kawpowHashValue(r.finalHash) <= job.target) hits.push({ nonce, mixHash: r.mixHash, finalHash: r.finalHash });
    }
    return { hits, tried: count };
  },

  /** The epoch whose light cache this worker holds (tests: a cancelled build leaves none). */
  holding(): { epoch: number | null } {
    return { epoch: context?.epoch ?? null };
  },

  /** Stops a light-cache build in progress; the prepare rejects. */
  cancel(): void {
    building?.abort(new EngineUnavailableError('wasm', 'the build was cancelled'));
  },

  rest: restInWorker,

  dispose(): void {
    api.cancel();
    context = undefined;
  },
};

export type KawpowCpuWorkerApi = typeof api;
Comlink.expose(api);
