/**
 * @otedama/wasm: the WebAssembly hashers (AssemblyScript, scalar and SIMD builds) and their
 * typed loaders, for browsers, Web Workers, Node and worker_threads alike.
 */
export {
  BATCH_NONCES,
  compileSha256dModule,
  createWasmSha256dEngine,
  Sha256dWasmSearcher,
  type SimdChoice,
  type Sha256dSearchOutcome,
  type WasmEngineName,
} from './sha256d.ts';
export { simdSupported } from './loader.ts';
export { BuildCancelledError, JobNotSetError, LightCacheCorruptError, LightCacheNotBuiltError } from './errors.ts';
export type { WasmModule } from './wasm-api.ts';
export {
  compileKawpowModule,
  createWasmKawpowHasher,
  DEFAULT_CACHED_EPOCHS,
  DEFAULT_MAX_EPOCH,
  WasmKawpowHasher,
  type LightCacheStore,
  type WasmKawpowOptions,
} from './kawpow.ts';
export { KawpowContext, kawpowContextBytes, type LightCacheProgress, type VerifyCode } from './kawpow-context.ts';
export { buildLightCacheHere, buildLightCacheInWorker, BUILD_CHUNK_STEPS, type BuildOptions } from './kawpow-build.ts';
export { deserializeLightCache, LIGHT_CACHE_HEADER_BYTES, readLightCacheHeader, serializeLightCache, type LightCacheHeader } from './kawpow-light-cache.ts';
export { CHUNK_BYTES, DEFAULT_DATASET_MAX_BYTES, KawpowDataset, type DatasetBuildOptions, type DatasetProgress } from './kawpow-dataset.ts';
export { SCRATCH_BYTES } from './kawpow-raw.ts';
