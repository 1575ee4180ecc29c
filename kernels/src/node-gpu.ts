/**
 * WebGPU in Node (Node only): Dawn through the `webgpu` package. On a machine without a GPU,
 * Dawn's OpenGL ES backend on Mesa's EGL (surfaceless platform) gives a llvmpipe adapter in
 * compatibility mode; its Vulkan backend does not accept lavapipe. The CLI uses this for
 * `otedama gpu list` and `--gpu`, the tests and the Node benchmark for their devices.
 */
import { create, globals } from 'webgpu';
import { summarizeAdapter, type GpuAdapterSummary, type GpuFeatureLevel } from './gpu-device.ts';

/** Dawn backends worth trying on Linux, fastest first. */
export const NODE_GPU_BACKENDS = ['vulkan', 'opengles'] as const;
export type NodeGpuBackend = (typeof NODE_GPU_BACKENDS)[number] | 'opengl' | 'null';

export interface NodeGpuOptions {
  /** Dawn backend (default 'opengles', the one that works with Mesa's software rasteriser). */
  readonly backend?: NodeGpuBackend;
  /** Dawn adapter name to pick, as printed by listNodeAdapters(). */
  readonly adapter?: string;
  /** Extra Dawn flags, e.g. 'enable-dawn-features=...'. */
  readonly flags?: readonly string[];
}

let globalsInstalled = false;
/**
 * Every GPU handed out, by flags. dawn.node destroys its native instance when the JS `GPU`
 * object is garbage-collected, even while devices made from it still run: the next event
 * poll then locks freed memory and the process crashes (SIGSEGV or a futex abort). So each
 * instance lives as long as the process, and the same flags get the same instance.
 */
const instances = new Map<string, GPU>();

/**
 * A `GPU` (what navigator.gpu is in a browser) backed by Dawn. Sets EGL_PLATFORM=surfaceless
 * unless the environment chose a platform (Mesa's EGL needs no display then), and installs
 * WebGPU's globals (GPUBufferUsage, GPUMapMode, ...) where globalThis lacks them. The same
 * options return the same GPU, kept alive for the life of the process (see `instances`).
 */
export function createNodeGpu(options: NodeGpuOptions = {}): GPU {
  process.env.EGL_PLATFORM ??= 'surfaceless';
  if (!globalsInstalled) {
    for (const [name, value] of Object.entries(globals)) {
      if (!(name in globalThis)) Object.defineProperty(globalThis, name, { value, configurable: true, writable: true });
    }
    globalsInstalled = true;
  }
  const flags = [`backend=${options.backend ?? 'opengles'}`, ...(options.adapter ? [`adapter=${options.adapter}`] : []), ...(options.flags ?? [])];
  const key = flags.join('\n');
  let gpu = instances.get(key);
  if (!gpu) {
    gpu = create(flags);
    instances.set(key, gpu);
  }
  return gpu;
}

export interface NodeAdapterInfo extends GpuAdapterSummary {
  readonly backend: NodeGpuBackend;
}

/**
 * Every adapter Dawn offers on the backends that can work here, at the best feature level
 * each supports. Backends with no adapter are left out (an empty list means no WebGPU).
 */
export async function listNodeAdapters(backends: readonly NodeGpuBackend[] = NODE_GPU_BACKENDS): Promise<NodeAdapterInfo[]> {
  const out: NodeAdapterInfo[] = [];
  for (const backend of backends) {
    let gpu: GPU;
    try {
      gpu = createNodeGpu({ backend });
    } catch {
      continue; // backend not built into this dawn.node
    }
    for (const featureLevel of ['core', 'compatibility'] as GpuFeatureLevel[]) {
      const adapter = await gpu.requestAdapter({ featureLevel }).catch(() => null);
      if (adapter) {
        out.push({ backend, ...summarizeAdapter(adapter) });
        break;
      }
    }
  }
  return out;
}
