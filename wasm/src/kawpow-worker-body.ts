/**
 * What a KawPow worker thread does with its one request (see kawpow-worker-protocol.ts), for
 * both entry points (kawpow-worker.ts in Node, kawpow-worker.browser.ts in browsers). Only
 * type imports and kawpow-raw.ts, so Node can load it with its own type stripping.
 */
import {
  advanceLightCache,
  datasetItems512Into,
  ITEM512_BYTES,
  kawpowLayout,
  lightCacheKeccak256,
  lightCacheSteps,
  prepareInstance,
  type RawKawpowExports,
} from './kawpow-raw.ts';
import type { KawpowWorkerPost, KawpowWorkerRequest } from './kawpow-worker-protocol.ts';
import type { WasmInstance, WebAssemblyApi } from './wasm-api.ts';

function instantiate(module: object): RawKawpowExports {
  const wa = (globalThis as { WebAssembly?: WebAssemblyApi }).WebAssembly;
  if (!wa) throw new Error('this worker has no WebAssembly');
  const instance: WasmInstance = new wa.Instance(module, {});
  return instance.exports as unknown as RawKawpowExports;
}

function buildLightCache(request: Extract<KawpowWorkerRequest, { type: 'light-cache' }>, post: KawpowWorkerPost): void {
  const x = instantiate(request.module);
  const layout = kawpowLayout(x, request.lightItems);
  prepareInstance(x, layout, request.datasetItems);
  // The seed: keccak-256 applied `epoch` times to 32 zero bytes, at the scratch where the fill reads it.
  new Uint8Array(x.memory.buffer, layout.scratchPtr, 32).fill(0);
  for (let e = 0; e < request.epoch; e++) x.keccak256(layout.scratchPtr, 32, layout.scratchPtr);
  const total = lightCacheSteps(x, request.lightItems);
  let step = 0;
  while (step < total) {
    step = advanceLightCache(x, layout, step, request.chunkSteps);
    post({ type: 'progress', done: step, total });
  }
  const cache = new Uint8Array(x.memory.buffer, layout.cachePtr, request.lightItems * ITEM512_BYTES).slice();
  post({ type: 'light-cache', cache, checksum: lightCacheKeccak256(x, layout) }, [cache.buffer]);
}

function computeDataset(request: Extract<KawpowWorkerRequest, { type: 'dataset' }>, post: KawpowWorkerPost): void {
  const x = instantiate(request.module);
  const layout = kawpowLayout(x, request.lightItems);
  prepareInstance(x, layout, request.datasetItems);
  new Uint8Array(x.memory.buffer, layout.cachePtr, request.lightItems * ITEM512_BYTES).set(request.lightCache);
  const items = new Uint8Array(request.count * ITEM512_BYTES);
  for (let done = 0; done < request.count; ) {
    const n = Math.min(request.chunkItems, request.count - done);
    datasetItems512Into(x, layout, request.first + done, n, items, done * ITEM512_BYTES);
    done += n;
    post({ type: 'progress', done, total: request.count });
  }
  post({ type: 'dataset', items }, [items.buffer]);
}

/** Runs one request, replying through `post`; failures become an 'error' reply. */
export function runKawpowWorkerRequest(request: KawpowWorkerRequest, post: KawpowWorkerPost): void {
  try {
    if (request.type === 'light-cache') buildLightCache(request, post);
    else if (request.type === 'dataset') computeDataset(request, post);
    else post({ type: 'error', message: `unknown request ${JSON.stringify((request as { type?: unknown }).type)}` });
  } catch (err) {
    post({ type: 'error', message: err instanceof Error ? err.message : String(err) });
  }
}
