/**
 * An epoch's light cache for a KawPow worker: from IndexedDB (light-cache-idb.ts) when a worker
 * of this site built it before, else built by the WASM engine in a thread of its own (progress
 * after each slice, cancellable at once) and kept there for the next worker, reload or visit.
 * Used by both KawPow workers: the GPU worker uploads the cache and drops it once the DAG is
 * built; a CPU worker keeps the context to hash by light evaluation.
 */
import type { KawpowContext } from '@otedama/wasm';
import { createWasmKawpowHasher } from '@otedama/wasm';
import { idbLightCacheStore } from './light-cache-idb.ts';
import type { KawpowBuildReport } from './kawpow-progress.ts';

export interface LoadedLightCache {
  readonly context: KawpowContext;
  /** True when the cache came from IndexedDB (no build). */
  readonly fromStore: boolean;
}

export interface LightCacheLoadOptions {
  /** The worker as progress names it ("CPU worker 1", "GPU worker"). */
  readonly device: string;
  /** IndexedDB database of the light caches (tests use their own). */
  readonly storeName?: string;
  readonly signal?: AbortSignal;
  readonly onProgress?: (report: KawpowBuildReport) => void;
  /** A damaged record that was rebuilt, a store that could not be written. */
  readonly onWarning?: (message: string) => void;
}

/** The context of `epoch` (its light cache built), from IndexedDB or built here and stored there. */
export async function loadLightCache(epoch: number, options: LightCacheLoadOptions): Promise<LoadedLightCache> {
  const store = idbLightCacheStore(options.storeName ? { name: options.storeName } : {});
  let fromStore = true;
  const hasher = await createWasmKawpowHasher({
    cachedEpochs: 1,
    // A thread of its own even inside a worker: a build in slices here would keep cancel()
    // waiting (the slices' yields outrank incoming messages), while a build thread is ended at once.
    builder: 'worker',
    store,
    onProgress: (p) => {
      fromStore = false;
      options.onProgress?.({ what: 'light cache', device: options.device, epoch: p.epoch, done: p.done, total: p.total });
    },
    ...(options.onWarning ? { onWarning: options.onWarning } : {}),
  });
  try {
    const context = await hasher.context(epoch, options.signal ? { signal: options.signal } : {});
    return { context, fromStore };
  } finally {
    // The context lives on without the hasher (its own WASM instance); the store is written.
    hasher.dispose();
    store.close();
  }
}
