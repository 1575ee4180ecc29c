/**
 * Small pieces every KawPow GPU host needs: pipelines cached per device, waits that end when
 * the device is lost, and buffer allocations that report running out of memory as an error
 * (WebGPU reports it asynchronously, through an error scope, not by throwing).
 */
import { EngineUnavailableError, KernelOptionError } from './errors.ts';

/** GPUBufferUsage and GPUMapMode bits (WebGPU spec values), so hosts need no globals. */
export const USAGE_MAP_READ = 0x0001;
export const USAGE_COPY_SRC = 0x0004;
export const USAGE_COPY_DST = 0x0008;
export const USAGE_UNIFORM = 0x0040;
export const USAGE_STORAGE = 0x0080;
export const MAP_MODE_READ = 0x0001;

const pipelineCaches = new WeakMap<GPUDevice, Map<string, Map<string, Promise<GPUComputePipeline>>>>();

/**
 * The pipeline cached under `family`/`key` for `device`, created by `create` the first time.
 * A family keeps at most `keep` pipelines, dropping the least recently used (a KawPow period's
 * pipeline is worth nothing once the chain has moved on). A failed compile is dropped from the
 * cache, so a later call may try again.
 */
export function cachedPipeline(
  device: GPUDevice,
  family: string,
  key: string,
  create: () => Promise<GPUComputePipeline>,
  keep = Infinity,
): Promise<GPUComputePipeline> {
  let families = pipelineCaches.get(device);
  if (!families) {
    families = new Map();
    pipelineCaches.set(device, families);
  }
  let cache = families.get(family);
  if (!cache) {
    cache = new Map();
    families.set(family, cache);
  }
  let pipeline = cache.get(key);
  if (pipeline) {
    cache.delete(key); // re-inserted below: Map order is least recently used first
  } else {
    pipeline = create();
    const byKey = cache;
    const created = pipeline;
    pipeline.catch(() => {
      if (byKey.get(key) === created) byKey.delete(key);
    });
  }
  cache.set(key, pipeline);
  while (cache.size > keep) cache.delete(cache.keys().next().value!);
  return pipeline;
}

/** Whether `family`/`key` has a pipeline (compiled or compiling) on `device`. */
export function hasCachedPipeline(device: GPUDevice, family: string, key: string): boolean {
  return pipelineCaches.get(device)?.get(family)?.has(key) ?? false;
}

/** Watches one device for loss; `race` ends a wait early with EngineUnavailableError. */
export class DeviceWatch {
  private lostReason: string | undefined;
  private readonly lost: Promise<never>;

  constructor(readonly device: GPUDevice) {
    this.lost = device.lost.then((info) => {
      this.lostReason = `GPU device lost (${info.reason}): ${info.message || 'no message'}`;
      throw new EngineUnavailableError('webgpu', this.lostReason);
    });
    this.lost.catch(() => undefined); // observed by race(); never an unhandled rejection
  }

  /** Why the device is gone, or undefined while it works. */
  get lossReason(): string | undefined {
    return this.lostReason;
  }

  /** Waits for `p` unless the device is lost first. */
  race<T>(p: Promise<T>): Promise<T> {
    return Promise.race([p, this.lost]);
  }
}

/**
 * Creates buffers with `create` inside an out-of-memory error scope: when the device could not
 * allocate them, every buffer that was created is destroyed and EngineUnavailableError names
 * `what` and its size.
 */
export async function allocateBuffers(device: GPUDevice, what: string, bytes: number, create: () => GPUBuffer[]): Promise<GPUBuffer[]> {
  device.pushErrorScope('out-of-memory');
  device.pushErrorScope('validation');
  let buffers: GPUBuffer[] = [];
  let thrown: unknown;
  try {
    buffers = create();
  } catch (err) {
    thrown = err;
  }
  const validation = await device.popErrorScope();
  const oom = await device.popErrorScope();
  const failure = thrown ?? validation ?? oom;
  if (failure) {
    for (const b of buffers) b.destroy();
    const message = failure instanceof Error || (failure as GPUError).message !== undefined ? (failure as { message: string }).message : String(failure);
    const kind = oom && !thrown && !validation ? 'not enough GPU memory for' : 'could not allocate';
    throw new EngineUnavailableError('webgpu', `${kind} ${what} (${bytes} bytes): ${message}`, { cause: failure });
  }
  return buffers;
}

/** Throws KernelOptionError unless `value` is an integer in min..max; returns it. */
export function checkInteger(value: number, min: number, max: number, what: string): number {
  if (!Number.isSafeInteger(value) || value < min || value > max) {
    throw new KernelOptionError(`${what} must be an integer in ${min}..${max} (got ${value})`);
  }
  return value;
}

/** A dispatch size rounded up to whole `granularity` and clamped to `max` (KernelOptionError below 1). */
export function roundDispatchSize(size: number, granularity: number, max: number, what: string): number {
  checkInteger(size, 1, Number.MAX_SAFE_INTEGER, what);
  return Math.min(Math.ceil(size / granularity) * granularity, max);
}

/**
 * What every search engine on a GPU shares: searches run one after another (they share the
 * engine's buffers), a disposed engine or a lost device fails calls with
 * EngineUnavailableError, and waits on the GPU end when the device is lost.
 */
export abstract class GpuSearchEngineBase {
  protected readonly watch: DeviceWatch;
  protected disposed = false;
  private tail: Promise<unknown> = Promise.resolve();

  constructor(readonly device: GPUDevice) {
    this.watch = new DeviceWatch(device);
  }

  /** Runs `check` now (its errors reject at once), then `work` after every earlier call's work. */
  protected serialized<T>(check: () => void, work: () => Promise<T>): Promise<T> {
    try {
      check();
      this.assertUsable();
    } catch (err) {
      return Promise.reject(err);
    }
    const run = this.tail.then(work);
    this.tail = run.catch(() => undefined);
    return run;
  }

  protected assertUsable(): void {
    if (this.disposed) throw new EngineUnavailableError('webgpu', 'engine was disposed');
    if (this.watch.lossReason) throw new EngineUnavailableError('webgpu', this.watch.lossReason);
  }

  /** Waits for `p` unless the device is lost first; GPU failures become EngineUnavailableError. */
  protected async guard<T>(p: Promise<T>): Promise<T> {
    try {
      return await this.watch.race(p);
    } catch (err) {
      if (err instanceof EngineUnavailableError) throw err;
      if (this.disposed) throw new EngineUnavailableError('webgpu', 'engine was disposed during a search', { cause: err });
      if (this.watch.lossReason) throw new EngineUnavailableError('webgpu', this.watch.lossReason, { cause: err });
      throw err;
    }
  }
}
