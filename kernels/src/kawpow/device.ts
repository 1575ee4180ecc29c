/**
 * A GPUDevice for KawPow: the DAG wants the adapter's largest buffers and bindings (a real
 * epoch's DAG is 1-6 GiB, split across bindings where one binding cannot hold it), and the
 * search kernel wants room for ProgPoW's 16 KiB L1 cache in workgroup memory. Defaults are far
 * below what adapters offer (128 MiB bindings, 256 MiB buffers, 16 KiB of workgroup memory in
 * compatibility mode), so the device asks for the adapter's own limits.
 */
import { requestKernelDevice, type Sha256dDevice, type Sha256dDeviceOptions } from '../gpu-device.ts';

/**
 * Most DAG bindings the search kernel is generated with: 15 x 128 MiB (software adapters, and
 * Chromium's default binding limit) holds epochs up to ~110 (1.9 GiB); GPUs that bind 2-4 GiB
 * need 2-3 bindings for today's 5-6 GiB epochs. The device's maxStorageBuffersPerShaderStage
 * (at least 8 on core WebGPU, 16 on llvmpipe) may allow fewer.
 */
export const MAX_DAG_BINDINGS = 15;
/** Storage bindings of the search kernel besides the DAG: the hit list. */
export const SEARCH_OTHER_STORAGE_BINDINGS = 1;
/** Largest workgroup the KawPow kernels are tuned for (16 lanes x 16 hashes). */
const WANTED_WORKGROUP_SIZE = 256;

export type KawpowDevice = Sha256dDevice;
export type KawpowDeviceOptions = Sha256dDeviceOptions;

/**
 * Requests an adapter (core, else compatibility mode) and a device with its largest buffer,
 * binding and workgroup-memory limits. Throws EngineUnavailableError without an adapter.
 */
export function requestKawpowDevice(gpu: GPU | undefined | null, options: KawpowDeviceOptions = {}): Promise<KawpowDevice> {
  return requestKernelDevice(gpu, { label: 'otedama kawpow', ...options }, (limits) => ({
    maxBufferSize: limits.maxBufferSize,
    maxStorageBufferBindingSize: limits.maxStorageBufferBindingSize,
    maxStorageBuffersPerShaderStage: Math.min(limits.maxStorageBuffersPerShaderStage, MAX_DAG_BINDINGS + SEARCH_OTHER_STORAGE_BINDINGS),
    maxComputeWorkgroupStorageSize: limits.maxComputeWorkgroupStorageSize,
    maxComputeWorkgroupSizeX: Math.min(WANTED_WORKGROUP_SIZE, limits.maxComputeWorkgroupSizeX),
    maxComputeInvocationsPerWorkgroup: Math.min(WANTED_WORKGROUP_SIZE, limits.maxComputeInvocationsPerWorkgroup),
  }));
}

/** DAG bindings the search kernel may use on `device`. */
export function dagBindingLimit(device: GPUDevice): number {
  return Math.max(0, Math.min(MAX_DAG_BINDINGS, device.limits.maxStorageBuffersPerShaderStage - SEARCH_OTHER_STORAGE_BINDINGS));
}
