/**
 * Getting a GPUDevice for the SHA-256d kernel from any `GPU` (navigator.gpu in a page or a
 * worker, createNodeGpu() in Node). Software adapters such as Chromium's lavapipe path and
 * Dawn's OpenGL ES backend only offer WebGPU compatibility mode, so a request for a core
 * adapter that comes back empty is retried with featureLevel 'compatibility'.
 */
import { EngineUnavailableError } from '@otedama/core';

export type GpuFeatureLevel = 'core' | 'compatibility';

export interface Sha256dDeviceOptions {
  readonly powerPreference?: GPUPowerPreference;
  /** Feature level to ask for first (default 'core'; 'compatibility' is always the fallback). */
  readonly featureLevel?: GpuFeatureLevel;
  /** Device label, for error messages. */
  readonly label?: string;
}

/** What an adapter says about itself, as plain data (a CLI prints it, a page reports it). */
export interface GpuAdapterSummary {
  readonly vendor: string;
  readonly architecture: string;
  readonly device: string;
  readonly description: string;
  readonly featureLevel: GpuFeatureLevel;
  readonly isFallbackAdapter: boolean;
  readonly maxComputeWorkgroupSizeX: number;
  readonly maxComputeInvocationsPerWorkgroup: number;
  readonly maxComputeWorkgroupsPerDimension: number;
}

export interface Sha256dDevice {
  readonly adapter: GPUAdapter;
  readonly device: GPUDevice;
  readonly info: GpuAdapterSummary;
}

/**
 * Workgroup sizes the kernel may want (it defaults to 64): asking for up to 256 where the
 * adapter allows it leaves room to tune above compatibility mode's default limit of 128.
 */
const WANTED_WORKGROUP_SIZE = 256;

/**
 * The feature level an adapter actually has. Core adapters list 'core-features-and-limits';
 * a compatibility-mode adapter does not, even when it answered a request for 'core' (Chromium
 * with --force-webgpu-compat does that).
 */
export function adapterFeatureLevel(adapter: GPUAdapter): GpuFeatureLevel {
  return adapter.features.has('core-features-and-limits') ? 'core' : 'compatibility';
}

/** Plain-data description of an adapter. */
export function summarizeAdapter(adapter: GPUAdapter, featureLevel: GpuFeatureLevel = adapterFeatureLevel(adapter)): GpuAdapterSummary {
  const info = adapter.info;
  // isFallbackAdapter moved from GPUAdapter to GPUAdapterInfo; read whichever exists.
  const fallback = (info as { isFallbackAdapter?: boolean }).isFallbackAdapter ?? (adapter as { isFallbackAdapter?: boolean }).isFallbackAdapter;
  return {
    vendor: info.vendor,
    architecture: info.architecture,
    device: info.device,
    description: info.description,
    featureLevel,
    isFallbackAdapter: fallback ?? false,
    maxComputeWorkgroupSizeX: adapter.limits.maxComputeWorkgroupSizeX,
    maxComputeInvocationsPerWorkgroup: adapter.limits.maxComputeInvocationsPerWorkgroup,
    maxComputeWorkgroupsPerDimension: adapter.limits.maxComputeWorkgroupsPerDimension,
  };
}

/** An adapter at the requested feature level, else a compatibility-mode one, else null. */
export async function requestAdapterWithFallback(
  gpu: GPU,
  options: Sha256dDeviceOptions = {},
): Promise<{ adapter: GPUAdapter; featureLevel: GpuFeatureLevel } | null> {
  const levels: GpuFeatureLevel[] = options.featureLevel === 'compatibility' ? ['compatibility'] : ['core', 'compatibility'];
  for (const featureLevel of levels) {
    const request: GPURequestAdapterOptions = { featureLevel };
    if (options.powerPreference) request.powerPreference = options.powerPreference;
    const adapter = await gpu.requestAdapter(request);
    if (adapter) {
      return { adapter, featureLevel: adapterFeatureLevel(adapter) };
    }
  }
  return null;
}

/**
 * Requests an adapter (core, falling back to compatibility mode) and a device with the
 * compute limits the SHA-256d kernel can use. Throws EngineUnavailableError when there is
 * no adapter or the device cannot be created.
 */
export function requestSha256dDevice(gpu: GPU | undefined | null, options: Sha256dDeviceOptions = {}): Promise<Sha256dDevice> {
  return requestKernelDevice(gpu, { label: 'otedama sha256d', ...options }, (limits) => ({
    maxComputeWorkgroupSizeX: Math.min(WANTED_WORKGROUP_SIZE, limits.maxComputeWorkgroupSizeX),
    maxComputeInvocationsPerWorkgroup: Math.min(WANTED_WORKGROUP_SIZE, limits.maxComputeInvocationsPerWorkgroup),
  }));
}

/**
 * Requests an adapter (core, falling back to compatibility mode) and a device with the limits
 * `requiredLimits` picks from the adapter's (each kernel asks for what it can use). Throws
 * EngineUnavailableError when there is no adapter or the device cannot be created.
 */
export async function requestKernelDevice(
  gpu: GPU | undefined | null,
  options: Sha256dDeviceOptions,
  requiredLimits: (adapterLimits: GPUSupportedLimits) => Record<string, number>,
): Promise<Sha256dDevice> {
  if (!gpu) throw new EngineUnavailableError('webgpu', 'WebGPU is not available here (no navigator.gpu)');
  let found: Awaited<ReturnType<typeof requestAdapterWithFallback>>;
  try {
    found = await requestAdapterWithFallback(gpu, options);
  } catch (err) {
    throw new EngineUnavailableError('webgpu', `requestAdapter failed: ${(err as Error).message}`, { cause: err });
  }
  if (!found) {
    throw new EngineUnavailableError(
      'webgpu',
      'no WebGPU adapter (in Chromium without a GPU, start it with a software adapter: see kernels/README.md)',
    );
  }
  const { adapter, featureLevel } = found;
  let device: GPUDevice;
  try {
    device = await adapter.requestDevice({ label: options.label ?? 'otedama', requiredLimits: requiredLimits(adapter.limits) });
  } catch (err) {
    throw new EngineUnavailableError('webgpu', `requestDevice failed: ${(err as Error).message}`, { cause: err });
  }
  return { adapter, device, info: summarizeAdapter(adapter, featureLevel) };
}
