/**
 * @otedama/kernels — WebGPU compute kernels (WGSL) and the TypeScript hosts that drive them:
 * the SHA-256d nonce-search engine, KawPow (the DAG built on the GPU, a search kernel
 * generated per ProgPoW period, hash and verify), getting a device for each, and fitting
 * dispatch sizes to the adapter. Runs in pages, workers and Node alike; the Node-only Dawn
 * device factory is `@otedama/kernels/node-gpu`.
 */
export {
  createWebGpuSha256dEngine,
  sha256dJobParams,
  DEFAULT_DISPATCH_NONCES,
  DEFAULT_NONCES_PER_INVOCATION,
  DEFAULT_WORKGROUP_SIZE,
  MAX_NONCES_PER_INVOCATION,
  type WebGpuSha256dEngine,
  type WebGpuSha256dOptions,
} from './sha256d.ts';
export {
  adapterFeatureLevel,
  requestAdapterWithFallback,
  requestKernelDevice,
  requestSha256dDevice,
  summarizeAdapter,
  type GpuAdapterSummary,
  type GpuFeatureLevel,
  type Sha256dDevice,
  type Sha256dDeviceOptions,
} from './gpu-device.ts';
export {
  autoTuneDispatchNonces,
  autoTuneDispatchSize,
  DEFAULT_DISPATCH_TARGET_MS,
  type DispatchTuneOptions,
  type DispatchTuneResult,
  type GenericTuneResult,
  type TunableDispatch,
} from './dispatch-tuner.ts';
export * from './kawpow/index.ts';
export { EngineUnavailableError, KernelOptionError } from './errors.ts';
