/**
 * Builds a KawPow epoch's DAG (the ethash full dataset, 512 parents per item) on the GPU from
 * the epoch's light cache: the host side of dag.wgsl.
 *
 * The dataset is computed in chunks, one dispatch each, sized so that a dispatch takes about
 * `targetChunkMs` (no driver watchdog fires, a page stays responsive, and a software adapter's
 * 65,535-iteration loop limit is never near: one invocation computes one item). Between chunks
 * the build reports progress and honours an AbortSignal; a cancelled or failed build destroys
 * every buffer it created. Where the device's binding or buffer limit is smaller than the
 * dataset, the DAG is split across buffers (dag-layout.ts) and chunks are cut at their borders.
 */
import { EngineUnavailableError, KernelOptionError } from '../errors.ts';
import { dagBindingLimit } from './device.ts';
import { DAG_ITEM_BYTES, planDagLayout, type DagLayout } from './dag-layout.ts';
import {
  allocateBuffers,
  cachedPipeline,
  checkInteger,
  DeviceWatch,
  MAP_MODE_READ,
  USAGE_COPY_DST,
  USAGE_COPY_SRC,
  USAGE_MAP_READ,
  USAGE_STORAGE,
  USAGE_UNIFORM,
} from '../gpu-work.ts';
import DAG_WGSL from './dag.wgsl?raw';
import { KECCAK_WGSL } from './keccak-wgsl.ts';

/** Wall time one DAG dispatch should take (ms): well under any watchdog, responsive between. */
export const DEFAULT_DAG_CHUNK_MS = 100;
/** Items in the first dispatch, before any is measured (~10-40 ms on lavapipe). */
export const DEFAULT_FIRST_CHUNK_ITEMS = 4096;
/** Invocations per DAG workgroup (an `override` in dag.wgsl). */
export const DEFAULT_DAG_WORKGROUP_SIZE = 64;
/** Largest growth of the chunk between two dispatches, so one misreading cannot overshoot far. */
const MAX_CHUNK_GROWTH = 4;
/** DagParams uniform: four u32. */
const PARAMS_BYTES = 16;

/** What the DAG is built from: one epoch's light cache and its dataset size. */
export interface KawpowDagInput {
  readonly epoch: number;
  /** The epoch's light cache: 64-byte items, 32-bit words little-endian (as the WASM engine builds it). */
  readonly lightCache: Uint8Array;
  /**
   * Dataset bytes: the epoch's full dataset size, or a smaller size (whole 128-byte items,
   * at least 16 KiB) with which tests run the same code on a reduced dataset.
   */
  readonly datasetBytes: number;
}

export interface DagProgress {
  /** 512-bit items computed so far, and of the whole dataset. */
  readonly itemsDone: number;
  readonly items: number;
  readonly bytesDone: number;
  readonly bytes: number;
  /** Since the build started (ms). */
  readonly elapsedMs: number;
}

export interface DagBuildOptions {
  onProgress?(progress: DagProgress): void;
  /** Checked between chunks: an aborted build destroys its buffers and rejects with the signal's reason. */
  readonly signal?: AbortSignal;
  /** Wall time one dispatch should take (default 100 ms). */
  readonly targetChunkMs?: number;
  /** Items in the first dispatch (default 4096); later ones are sized from measured times. */
  readonly firstChunkItems?: number;
  /** Largest DAG buffer, bytes, if smaller than the device's limits (tests force a split with it). */
  readonly maxBindingBytes?: number;
  /** Invocations per workgroup (default 64). */
  readonly workgroupSize?: number;
  /** Clock (default performance.now). */
  readonly now?: () => number;
}

/** A built DAG on one device. The buffers are the search kernel's DAG bindings, in order. */
export interface KawpowDag {
  readonly device: GPUDevice;
  readonly epoch: number;
  readonly layout: DagLayout;
  readonly buffers: readonly GPUBuffer[];
  /** Wall time of the build (ms). */
  readonly buildMs: number;
  readonly destroyed: boolean;
  /** Releases the buffers. Idempotent. */
  destroy(): void;
}

function dagPipeline(device: GPUDevice, workgroupSize: number): Promise<GPUComputePipeline> {
  return cachedPipeline(device, 'kawpow-dag', String(workgroupSize), () =>
    device.createComputePipelineAsync({
      label: 'otedama kawpow dag',
      layout: 'auto',
      compute: {
        module: device.createShaderModule({ label: 'otedama kawpow dag', code: `${KECCAK_WGSL}\n${DAG_WGSL}` }),
        entryPoint: 'generate',
        constants: { WORKGROUP_SIZE: workgroupSize },
      },
    }),
  );
}

/** The layout `input` gets on `device` with `options` (what buildKawpowDag will allocate). */
export function dagLayoutFor(device: GPUDevice, datasetBytes: number, maxBindingBytes?: number): DagLayout {
  const limits = device.limits;
  return planDagLayout(datasetBytes, {
    maxStorageBufferBindingSize: Math.min(limits.maxStorageBufferBindingSize, maxBindingBytes ?? Infinity),
    maxBufferSize: limits.maxBufferSize,
    maxBindings: dagBindingLimit(device),
  });
}

class BuiltDag implements KawpowDag {
  private gone = false;
  constructor(
    readonly device: GPUDevice,
    readonly epoch: number,
    readonly layout: DagLayout,
    readonly buffers: readonly GPUBuffer[],
    readonly buildMs: number,
  ) {}

  get destroyed(): boolean {
    return this.gone;
  }

  destroy(): void {
    if (this.gone) return;
    this.gone = true;
    for (const b of this.buffers) b.destroy();
  }
}

/**
 * Computes the dataset of `input` into new buffers on `device`. Rejects with KernelOptionError
 * for a bad light cache, dataset size or option, EngineUnavailableError when the device cannot
 * hold the DAG, rejects a dispatch or is lost, and with `signal.reason` when aborted; in every
 * one of those cases the buffers it created are destroyed.
 */
export async function buildKawpowDag(device: GPUDevice, input: KawpowDagInput, options: DagBuildOptions = {}): Promise<KawpowDag> {
  const now = options.now ?? (() => performance.now());
  const started = now();
  options.signal?.throwIfAborted();
  const limits = device.limits;
  const { lightCache } = input;
  if (!(lightCache instanceof Uint8Array) || lightCache.byteLength === 0 || lightCache.byteLength % DAG_ITEM_BYTES !== 0) {
    throw new KernelOptionError(`the light cache must be a non-empty Uint8Array of whole 64-byte items (got ${lightCache?.byteLength} bytes)`);
  }
  if (lightCache.byteLength > limits.maxStorageBufferBindingSize) {
    throw new EngineUnavailableError('webgpu', `the ${lightCache.byteLength}-byte light cache exceeds this device's largest storage binding (${limits.maxStorageBufferBindingSize} bytes)`);
  }
  checkInteger(input.epoch, 0, Number.MAX_SAFE_INTEGER, 'epoch');
  const workgroupSize = checkInteger(options.workgroupSize ?? DEFAULT_DAG_WORKGROUP_SIZE, 1, Math.min(limits.maxComputeWorkgroupSizeX, limits.maxComputeInvocationsPerWorkgroup), 'workgroupSize');
  const targetMs = options.targetChunkMs ?? DEFAULT_DAG_CHUNK_MS;
  if (!(targetMs > 0)) throw new KernelOptionError(`targetChunkMs must be positive (got ${targetMs})`);
  const maxChunk = limits.maxComputeWorkgroupsPerDimension * workgroupSize;
  let chunk = checkInteger(options.firstChunkItems ?? DEFAULT_FIRST_CHUNK_ITEMS, 1, Number.MAX_SAFE_INTEGER, 'firstChunkItems');
  chunk = Math.min(chunk, maxChunk);
  const layout = dagLayoutFor(device, input.datasetBytes, options.maxBindingBytes);

  const watch = new DeviceWatch(device);
  const pipeline = await watch.race(dagPipeline(device, workgroupSize)).catch((err: unknown) => {
    if (err instanceof EngineUnavailableError) throw err;
    throw new EngineUnavailableError('webgpu', `the KawPow DAG kernel did not compile: ${(err as Error).message}`, { cause: err });
  });

  const [light, params] = await allocateBuffers(device, 'the light cache', lightCache.byteLength, () => [
    device.createBuffer({ label: `otedama kawpow light cache e${input.epoch}`, size: lightCache.byteLength, usage: USAGE_STORAGE | USAGE_COPY_DST }),
    device.createBuffer({ label: 'otedama kawpow dag params', size: PARAMS_BYTES, usage: USAGE_UNIFORM | USAGE_COPY_DST }),
  ]);
  let dagBuffers: GPUBuffer[] = [];
  try {
    dagBuffers = await allocateBuffers(device, `the ${layout.buffers.length}-buffer DAG`, layout.datasetBytes, () =>
      layout.buffers.map((b, i) =>
        device.createBuffer({ label: `otedama kawpow dag e${input.epoch} ${i}`, size: b.bytes, usage: USAGE_STORAGE | USAGE_COPY_SRC | USAGE_COPY_DST }),
      ),
    );
    // writeBuffer takes views of shared memory too (AllowSharedBufferSource); the types lag.
    device.queue.writeBuffer(light!, 0, lightCache as Uint8Array<ArrayBuffer>);
    const cacheItems = lightCache.byteLength / DAG_ITEM_BYTES;
    const bindGroups = dagBuffers.map((buffer, i) =>
      device.createBindGroup({
        label: `otedama kawpow dag ${i}`,
        layout: pipeline.getBindGroupLayout(0),
        entries: [
          { binding: 0, resource: { buffer: params! } },
          { binding: 1, resource: { buffer: light! } },
          { binding: 2, resource: { buffer } },
        ],
      }),
    );

    let itemsDone = 0;
    for (let b = 0; b < layout.buffers.length; b++) {
      const part = layout.buffers[b]!;
      for (let offset = 0; offset < part.items; ) {
        options.signal?.throwIfAborted();
        const n = Math.min(chunk, part.items - offset);
        const t0 = now();
        await watch.race(dispatchChunk(device, pipeline, bindGroups[b]!, params!, [part.firstItem + offset, n, offset, cacheItems], Math.ceil(n / workgroupSize)));
        const ms = now() - t0;
        offset += n;
        itemsDone += n;
        // Full chunks tell the rate; a short one at a buffer's end says little.
        if (n === chunk) chunk = Math.max(workgroupSize, Math.min(maxChunk, Math.round(n * Math.min(MAX_CHUNK_GROWTH, targetMs / Math.max(ms, 0.5)))));
        options.onProgress?.({
          itemsDone,
          items: layout.items,
          bytesDone: itemsDone * DAG_ITEM_BYTES,
          bytes: layout.datasetBytes,
          elapsedMs: now() - started,
        });
      }
    }
    options.signal?.throwIfAborted();
    return new BuiltDag(device, input.epoch, layout, dagBuffers, now() - started);
  } catch (err) {
    for (const buffer of dagBuffers) buffer.destroy();
    if (watch.lossReason && !(err instanceof EngineUnavailableError) && !options.signal?.aborted) {
      throw new EngineUnavailableError('webgpu', watch.lossReason, { cause: err });
    }
    throw err;
  } finally {
    light!.destroy();
    params!.destroy();
  }
}

/** Submits one DAG dispatch in a validation error scope; resolves when the GPU has run it. */
async function dispatchChunk(
  device: GPUDevice,
  pipeline: GPUComputePipeline,
  bindGroup: GPUBindGroup,
  params: GPUBuffer,
  values: [firstItem: number, itemCount: number, outOffset: number, cacheItems: number],
  workgroups: number,
): Promise<void> {
  device.pushErrorScope('validation');
  device.queue.writeBuffer(params, 0, new Uint32Array(values));
  const encoder = device.createCommandEncoder({ label: 'otedama kawpow dag chunk' });
  const pass = encoder.beginComputePass({ label: 'otedama kawpow dag chunk' });
  pass.setPipeline(pipeline);
  pass.setBindGroup(0, bindGroup);
  pass.dispatchWorkgroups(workgroups);
  pass.end();
  device.queue.submit([encoder.finish()]);
  const error = await device.popErrorScope();
  if (error) throw new EngineUnavailableError('webgpu', `the GPU rejected a DAG dispatch: ${error.message}`);
  await device.queue.onSubmittedWorkDone();
}

/**
 * Reads `count` 512-bit items starting at `firstItem` back from the GPU, as 16 words each
 * (for checks against another engine; a search never reads the DAG back).
 */
export async function readDagItems(dag: KawpowDag, firstItem: number, count: number): Promise<Uint32Array> {
  if (dag.destroyed) throw new EngineUnavailableError('webgpu', 'the DAG was destroyed');
  checkInteger(firstItem, 0, dag.layout.items - 1, 'firstItem');
  checkInteger(count, 1, dag.layout.items - firstItem, 'count');
  const { device } = dag;
  const bytes = count * DAG_ITEM_BYTES;
  const [staging] = await allocateBuffers(device, 'a DAG readback', bytes, () => [
    device.createBuffer({ label: 'otedama kawpow dag readback', size: bytes, usage: USAGE_MAP_READ | USAGE_COPY_DST }),
  ]);
  try {
    const encoder = device.createCommandEncoder({ label: 'otedama kawpow dag readback' });
    let at = firstItem;
    const end = firstItem + count;
    dag.layout.buffers.forEach((part, i) => {
      const from = Math.max(at, part.firstItem);
      const to = Math.min(end, part.firstItem + part.items);
      if (from >= to) return;
      encoder.copyBufferToBuffer(dag.buffers[i]!, (from - part.firstItem) * DAG_ITEM_BYTES, staging!, (from - firstItem) * DAG_ITEM_BYTES, (to - from) * DAG_ITEM_BYTES);
      at = to;
    });
    device.queue.submit([encoder.finish()]);
    await new DeviceWatch(device).race(staging!.mapAsync(MAP_MODE_READ));
    return new Uint32Array(staging!.getMappedRange().slice(0));
  } finally {
    staging!.destroy();
  }
}
