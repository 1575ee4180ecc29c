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
export { JobNotSetError } from './errors.ts';
export type { WasmModule } from './wasm-api.ts';
