/**
 * @otedama/kernels — WebGPU compute kernels (WGSL) and the TypeScript hosts that drive them:
 * the SHA-256d nonce-search engine, getting a device for it, and fitting its dispatch size to
 * the adapter. Runs in pages, workers and Node alike; the Node-only Dawn device factory is
 * `@otedama/kernels/node-gpu`.
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
  requestSha256dDevice,
  summarizeAdapter,
  type GpuAdapterSummary,
  type GpuFeatureLevel,
  type Sha256dDevice,
  type Sha256dDeviceOptions,
} from './gpu-device.ts';
export { autoTuneDispatchNonces, DEFAULT_DISPATCH_TARGET_MS, type DispatchTuneOptions, type DispatchTuneResult } from './dispatch-tuner.ts';
export { EngineUnavailableError, KernelOptionError } from './errors.ts';
