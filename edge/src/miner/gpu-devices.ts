/**
 * WebGPU adapters in Node for the CLI miner and benchmark: Dawn through the `webgpu` package
 * (kernels/src/node-gpu.ts), adapters numbered in the order `otedama gpu list` prints them,
 * and a reason a person can act on when there are none.
 */
import { existsSync } from 'node:fs';
import { datasetBytes as epochDatasetBytes, EngineUnavailableError } from '@otedama/core';
import type { NonceSearchEngine } from '@otedama/core';
import type { DagProgress, KawpowSearchEngine } from '@otedama/kernels';

export interface GpuAdapterInfo {
  readonly index: number;
  readonly backend: string;
  readonly vendor: string;
  readonly architecture: string;
  readonly device: string;
  readonly description: string;
  readonly featureLevel: string;
  readonly isFallbackAdapter: boolean;
  readonly maxComputeWorkgroupSizeX: number;
  readonly maxComputeInvocationsPerWorkgroup: number;
  readonly maxComputeWorkgroupsPerDimension: number;
}

export interface GpuListing {
  readonly adapters: GpuAdapterInfo[];
  /** Why the list is empty (missing packages, no driver), when it is. */
  readonly reason?: string;
}

/** An opened adapter with a SHA-256d engine on its device. */
export interface OpenedGpu {
  readonly index: number;
  readonly label: string;
  readonly info: GpuAdapterInfo;
  readonly engine: NonceSearchEngine & { dispatchNonces?: number; ready?(): Promise<void> };
  close(): void;
}

/** An opened adapter with a KawPow engine on its device (the DAG built per epoch when a job needs it). */
export interface OpenedKawpowGpu {
  readonly index: number;
  readonly label: string;
  readonly info: GpuAdapterInfo;
  readonly engine: KawpowSearchEngine & { prepare(height: number): Promise<void>; readonly dispatchGranularity: number };
  close(): void;
}

export interface KawpowGpuOptions {
  /** The raw light cache of an epoch (the miner's WASM hasher builds or loads it). */
  readonly lightCache: (epoch: number) => Promise<Uint8Array>;
  /** Progress of every DAG build (after each chunk of about 100 ms). */
  readonly onDagProgress?: (progress: DagProgress & { readonly epoch: number }) => void;
  /** Aborts a DAG build in progress (stop during a build frees its buffers). */
  readonly signal?: AbortSignal;
  /** Bytes of the DAG (tests' reduced datasets only); default the epoch's full dataset. */
  readonly datasetBytes?: number;
}

/** Longest time spent fitting the dispatch size to an adapter when opening it (ms). */
const GPU_TUNE_BUDGET_MS = 2000;

/** Shared libraries Dawn's OpenGL ES backend needs on Debian, and the packages that ship them. */
const EGL_LIBS: readonly { files: readonly string[]; pkg: string }[] = [
  { files: ['/usr/lib/x86_64-linux-gnu/libEGL.so.1', '/usr/lib/aarch64-linux-gnu/libEGL.so.1', '/usr/lib/libEGL.so.1'], pkg: 'libegl1' },
  { files: ['/usr/lib/x86_64-linux-gnu/libEGL_mesa.so.0', '/usr/lib/aarch64-linux-gnu/libEGL_mesa.so.0', '/usr/lib/libEGL_mesa.so.0'], pkg: 'libegl-mesa0' },
  {
    files: ['/usr/lib/x86_64-linux-gnu/dri/swrast_dri.so', '/usr/lib/aarch64-linux-gnu/dri/swrast_dri.so', '/usr/lib/dri/swrast_dri.so'],
    pkg: 'libgl1-mesa-dri',
  },
];

function noAdapterReason(loadError?: Error): string {
  if (loadError) return `the webgpu package (Dawn) could not be loaded: ${loadError.message}`;
  if (process.platform === 'linux') {
    const missing = EGL_LIBS.filter((l) => !l.files.some((f) => existsSync(f))).map((l) => l.pkg);
    if (missing.length) {
      return `Dawn found no Vulkan driver and no OpenGL ES through Mesa's EGL; install ${missing.join(' ')} (apt-get install -y ${missing.join(' ')}) for a software adapter, or a GPU driver with Vulkan`;
    }
  }
  return 'Dawn found no Vulkan driver and no usable OpenGL ES (EGL) adapter; install a GPU driver with Vulkan, or Mesa (libegl1 libegl-mesa0 libgl1-mesa-dri) for a software adapter';
}

type NodeGpuModule = typeof import('@otedama/kernels/node-gpu');
type KernelsModule = typeof import('@otedama/kernels');

/** Loaded on first use: `webgpu` (Dawn's native module) is only needed by GPU commands. */
function nodeGpuModule(): Promise<NodeGpuModule> {
  return import('@otedama/kernels/node-gpu');
}

function kernelsModule(): Promise<KernelsModule> {
  return import('@otedama/kernels');
}

/** Every adapter the `webgpu` package offers here, numbered from 0. Never throws. */
export async function listGpuAdapters(): Promise<GpuListing> {
  let mod: NodeGpuModule;
  try {
    mod = await nodeGpuModule();
  } catch (err) {
    return { adapters: [], reason: noAdapterReason(err as Error) };
  }
  try {
    const found = await mod.listNodeAdapters();
    const adapters = found.map((a, index) => ({ index, ...a, backend: String(a.backend) }));
    return adapters.length ? { adapters } : { adapters, reason: noAdapterReason() };
  } catch (err) {
    return { adapters: [], reason: noAdapterReason(err as Error) };
  }
}

/** Adapter `index` of the listing, or EngineUnavailableError saying what there is. */
async function listedAdapter(index: number, listing?: GpuListing): Promise<GpuAdapterInfo> {
  const list = listing ?? (await listGpuAdapters());
  const info = list.adapters[index];
  if (!info) {
    if (list.adapters.length === 0) throw new EngineUnavailableError('webgpu', `no WebGPU adapter: ${list.reason ?? 'none found'}`);
    throw new EngineUnavailableError('webgpu', `there is no GPU ${index}; adapters are 0..${list.adapters.length - 1} (see otedama gpu list)`);
  }
  return info;
}

/** How a report names an adapter: device and description (else vendor) and backend, e.g. "llvmpipe-llvm-15-0-6-256-bits-, OpenGL version OpenGL ES 3.2 Mesa 22.3.6 (opengles)". */
export function adapterName(info: GpuAdapterInfo): string {
  const name = [info.device, info.description].filter(Boolean).join(', ') || info.vendor || 'unnamed adapter';
  return `${name} (${info.backend})`;
}

/** A GPUDevice as the kernels type it (edge's own types are Node's only). */
export type KernelsGpuDevice = Awaited<ReturnType<KernelsModule['requestKawpowDevice']>>['device'];

/** A device of adapter `index` with the KawPow kernels' limits (the adapter's largest buffers and bindings). */
export async function openKawpowDevice(index: number, listing?: GpuListing): Promise<{ readonly info: GpuAdapterInfo; readonly device: KernelsGpuDevice; close(): void }> {
  const info = await listedAdapter(index, listing);
  const [nodeGpu, kernels] = await Promise.all([nodeGpuModule(), kernelsModule()]);
  const gpu = nodeGpu.createNodeGpu({ backend: info.backend as 'vulkan' | 'opengles' });
  const { device } = await kernels.requestKawpowDevice(gpu, {
    featureLevel: info.featureLevel === 'core' ? 'core' : 'compatibility',
    label: `otedama gpu${index} (kawpow)`,
  });
  return { info, device, close: () => device.destroy() };
}

/** Opens adapter `index` (as listed) and builds the SHA-256d engine on a device of it. */
export async function openGpu(index: number, listing?: GpuListing): Promise<OpenedGpu> {
  const info = await listedAdapter(index, listing);
  const [nodeGpu, kernels] = await Promise.all([nodeGpuModule(), kernelsModule()]);
  const gpu = nodeGpu.createNodeGpu({ backend: info.backend as 'vulkan' | 'opengles' });
  const { device } = await kernels.requestSha256dDevice(gpu, {
    featureLevel: info.featureLevel === 'core' ? 'core' : 'compatibility',
    label: `otedama gpu${index}`,
  });
  const engine = kernels.createWebGpuSha256dEngine(device);
  await engine.ready();
  // Fit the dispatch size to this adapter (~75 ms per dispatch); the default stays if tuning fails.
  await kernels.autoTuneDispatchNonces(engine, { budgetMs: GPU_TUNE_BUDGET_MS }).catch(() => undefined);
  return opened(index, info, engine, device);
}

/**
 * Opens adapter `index` (as listed) for KawPow: a device with the adapter's own limits (the DAG
 * needs its largest buffers) and the search engine, which builds each epoch's DAG from the
 * light cache when a job of that epoch first needs it, and drops the old one.
 */
export async function openKawpowGpu(index: number, options: KawpowGpuOptions, listing?: GpuListing): Promise<OpenedKawpowGpu> {
  const { info, device } = await openKawpowDevice(index, listing);
  const kernels = await kernelsModule();
  const engine = await kernels.createWebGpuKawpowEngine(device, {
    dagSource: async (epoch) =>
      kernels.buildKawpowDag(
        device,
        { epoch, lightCache: await options.lightCache(epoch), datasetBytes: options.datasetBytes ?? epochDatasetBytes(epoch) },
        {
          ...(options.signal ? { signal: options.signal } : {}),
          onProgress: (p) => options.onDagProgress?.({ ...p, epoch }),
        },
      ),
  });
  return opened(index, info, engine, device);
}

/** An opened adapter: its engine and the device under it, closed together. */
function opened<E extends { dispose(): void }>(index: number, info: GpuAdapterInfo, engine: E, device: { destroy(): void }) {
  return {
    index,
    label: `gpu${index}`,
    info,
    engine,
    close() {
      engine.dispose();
      device.destroy();
    },
  };
}
