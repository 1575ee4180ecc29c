/**
 * The WebGPU KawPow nonce-search engine: the host side of search.wgsl.
 *
 * A job's height picks the epoch (whose DAG must be on the GPU: given, or built through
 * `dagSource`) and the ProgPoW period, whose program is compiled into its own pipeline
 * (search-program.ts generates the WGSL text from core's program generator). Pipelines are
 * compiled with createComputePipelineAsync and cached per device; while period p is searched
 * the pipeline of p + 1 compiles in the background, so a period change never waits for the
 * compiler. The kernel filters hits against the target itself; the dispatch loop, double
 * buffering and slot overflow are the shared HitDispatcher's.
 */
import { EngineUnavailableError, kawpowEpoch, kawpowPeriod, progpowProgram, type SearchOptions } from '@otedama/core';
import { autoTuneDispatchSize, type DispatchTuneOptions, type GenericTuneResult } from '../dispatch-tuner.ts';
import { KernelOptionError } from '../errors.ts';
import { allocateBuffers, cachedPipeline, checkInteger, hasCachedPipeline, GpuSearchEngineBase, roundDispatchSize, USAGE_COPY_DST, USAGE_UNIFORM } from '../gpu-work.ts';
import { HitDispatcher, type HitFormat } from '../hit-dispatcher.ts';
import { L1_CACHE_BYTES } from './dag-layout.ts';
import type { KawpowDag } from './dag.ts';
import { FIRST_DAG_BINDING, kawpowSearchWgsl } from './search-program.ts';
import { checkKawpowSearch, type KawpowSearchEngine, type KawpowSearchHit, type KawpowSearchJob, type KawpowSearchResult } from './search-job.ts';

/** ProgPoW lanes: invocations that compute one hash together. */
export const KAWPOW_LANES = 16;
/**
 * Default hashes per workgroup: 16, workgroups of 256 invocations (fewer where the device
 * allows less). Each workgroup copies the 16 KiB L1 cache into its memory, so on a GPU a larger
 * workgroup means fewer copies and more resident invocations per KiB; on llvmpipe 4-16 measure
 * within noise of each other.
 */
export const DEFAULT_HASHES_PER_GROUP = 16;
/** Most hashes per workgroup (256 invocations). */
export const MAX_HASHES_PER_GROUP = 16;
/**
 * Default hashes per dispatch: about 50-100 ms on lavapipe (~50-80 kH/s on 2 cores) and far
 * less on a GPU; callers set `dispatchHashes` for their adapter.
 */
export const DEFAULT_DISPATCH_HASHES = 4096;
/** Dispatches stay below 2^30 hashes so that in-dispatch nonce offsets never overflow a u32. */
const MAX_DISPATCH_HASHES = 1 << 30;
/** Period pipelines kept per device: the current period, the next, and two to spare (reorgs, epochs). */
const SEARCH_PIPELINES_KEPT = 4;

/** Hit slots (search.wgsl's HIT_SLOTS); more hits than this in one dispatch are re-searched in halves. */
const HIT_SLOTS = 256;
/** One hit: nonce low and high words, mix hash (8 words), final hash (8 words). */
const HIT_WORDS = 18;
/** Hits read back with the counter in the first map. */
const HEAD_HITS = 3;
/** Params uniform: header (8 words), target (8), start nonce (2), count, dag_items. */
const PARAMS_BYTES = 80;
/** Byte offset of Params.start (start nonce low, high, count): what changes per dispatch. */
const DISPATCH_PARAM_OFFSET = 64;
/** Workgroup memory besides the L1 copy: three u32 arrays of GROUP_SIZE. */
const WORKGROUP_BYTES_PER_INVOCATION = 12;

export interface WebGpuKawpowOptions {
  /** A built DAG (the caller keeps it and destroys it); jobs of its epoch use it. */
  readonly dag?: KawpowDag;
  /**
   * Builds the DAG of an epoch the engine does not hold (buildKawpowDag from that epoch's
   * light cache). The engine owns what it returns: it destroys it on an epoch change or dispose.
   */
  readonly dagSource?: (epoch: number) => Promise<KawpowDag>;
  /** Hashes per workgroup, 1..16 (default 16: workgroups of 256 invocations, where the device allows). */
  readonly hashesPerGroup?: number;
  /** Copy the L1 cache into workgroup memory (default: when the device has 16 KiB + to spare). */
  readonly l1InWorkgroup?: boolean;
  /** Hashes per dispatch (default 4096); rounded to whole workgroups. */
  readonly dispatchHashes?: number;
  /** Compile the next period's pipeline while searching this one (default true). */
  readonly prefetchNextPeriod?: boolean;
}

export interface WebGpuKawpowEngine extends KawpowSearchEngine {
  readonly name: 'webgpu';
  readonly device: GPUDevice;
  readonly hashesPerGroup: number;
  readonly l1InWorkgroup: boolean;
  /** Hashes one workgroup covers: dispatch sizes are multiples of it. */
  readonly dispatchGranularity: number;
  readonly maxDispatchHashes: number;
  /** Hashes per dispatch; settable (rounded to the granularity and clamped). */
  dispatchHashes: number;
  /** The DAG in use (undefined before the first job when only a dagSource was given). */
  readonly dag: KawpowDag | undefined;
  /**
   * Gets ready for jobs at `height`: the epoch's DAG, and the pipelines of its period and the
   * next (compiled with createComputePipelineAsync). Resolves when the period's pipeline is ready.
   */
  prepare(height: number): Promise<void>;
  /** Whether the pipeline of `period` for the DAG in use is compiled or compiling. */
  hasPipeline(period: number): boolean;
}

// ---- Pipelines, cached per device ----------------------------------------------------------

const bindGroupLayouts = new WeakMap<GPUDevice, Map<number, GPUBindGroupLayout>>();

/** params (uniform), hits (storage), then the DAG bindings (read-only storage). */
function searchBindGroupLayout(device: GPUDevice, dagBindings: number): GPUBindGroupLayout {
  let byCount = bindGroupLayouts.get(device);
  if (!byCount) {
    byCount = new Map();
    bindGroupLayouts.set(device, byCount);
  }
  let layout = byCount.get(dagBindings);
  if (!layout) {
    const COMPUTE = 0x4; // GPUShaderStage.COMPUTE
    layout = device.createBindGroupLayout({
      label: `otedama kawpow search (${dagBindings} DAG bindings)`,
      entries: [
        { binding: 0, visibility: COMPUTE, buffer: { type: 'uniform' } },
        { binding: 1, visibility: COMPUTE, buffer: { type: 'storage' } },
        ...Array.from({ length: dagBindings }, (_, b) => ({ binding: FIRST_DAG_BINDING + b, visibility: COMPUTE, buffer: { type: 'read-only-storage' as const } })),
      ],
    });
    byCount.set(dagBindings, layout);
  }
  return layout;
}

interface SearchShape {
  readonly dagBindings: number;
  readonly dagItemsPerBinding: number;
  readonly groupSize: number;
  readonly l1Words: number;
}

const SEARCH_PIPELINES = 'kawpow-search';

function pipelineKey(period: number, shape: SearchShape): string {
  return `${period}/${shape.dagBindings}x${shape.dagItemsPerBinding}/${shape.groupSize}/${shape.l1Words}`;
}

/** The search pipeline of one period for one DAG shape and tuning, compiled once per device. */
function searchPipeline(device: GPUDevice, period: number, shape: SearchShape): Promise<GPUComputePipeline> {
  const key = pipelineKey(period, shape);
  return cachedPipeline(
    device,
    SEARCH_PIPELINES,
    key,
    async () => {
      const module = device.createShaderModule({ label: `otedama kawpow search p${period}`, code: kawpowSearchWgsl(progpowProgram(period), shape.dagBindings) });
      try {
        return await device.createComputePipelineAsync({
          label: `otedama kawpow search p${period}`,
          layout: device.createPipelineLayout({ bindGroupLayouts: [searchBindGroupLayout(device, shape.dagBindings)] }),
          compute: {
            module,
            entryPoint: 'search',
            constants: { GROUP_SIZE: shape.groupSize, L1_WORDS: shape.l1Words, DAG_ITEMS_PER_BINDING: shape.dagItemsPerBinding },
          },
        });
      } catch (err) {
        throw new Error(`${(err as Error).message}${await compilerErrors(module)}`, { cause: err });
      }
    },
    SEARCH_PIPELINES_KEPT,
  );
}

/** The compiler's error messages for `module`, for an error report ('' when it has none). */
export async function compilerErrors(module: GPUShaderModule): Promise<string> {
  const info = await module.getCompilationInfo().catch(() => undefined);
  const errors = info?.messages.filter((m) => m.type === 'error') ?? [];
  return errors.map((m) => `\n  line ${m.lineNum}:${m.linePos}: ${m.message}`).join('');
}

// ---- The engine -----------------------------------------------------------------------------

function wordsToBytesLE(words: Uint32Array, offset: number, count: number): Uint8Array {
  const out = new Uint8Array(count * 4);
  for (let i = 0; i < count; i++) {
    const w = words[offset + i]!;
    out[4 * i] = w & 0xff;
    out[4 * i + 1] = (w >>> 8) & 0xff;
    out[4 * i + 2] = (w >>> 16) & 0xff;
    out[4 * i + 3] = w >>> 24;
  }
  return out;
}

function wordsLE(bytes: Uint8Array): number[] {
  const out: number[] = [];
  for (let i = 0; i < bytes.length; i += 4) out.push((bytes[i]! | (bytes[i + 1]! << 8) | (bytes[i + 2]! << 16) | (bytes[i + 3]! << 24)) >>> 0);
  return out;
}

function targetWords(target: bigint): number[] {
  return Array.from({ length: 8 }, (_, i) => Number((target >> BigInt(32 * (7 - i))) & 0xffff_ffffn));
}

const KAWPOW_HIT_FORMAT: HitFormat<KawpowSearchHit> = {
  label: 'otedama kawpow',
  slots: HIT_SLOTS,
  hitWords: HIT_WORDS,
  headHits: HEAD_HITS,
  decode: (words, o) => ({
    nonce: BigInt(words[o]!) | (BigInt(words[o + 1]!) << 32n),
    mixHash: wordsToBytesLE(words, o + 2, 8),
    finalHash: wordsToBytesLE(words, o + 10, 8),
  }),
};

class WebGpuKawpow extends GpuSearchEngineBase implements WebGpuKawpowEngine {
  readonly name = 'webgpu' as const;
  readonly algo = 'kawpow' as const;
  readonly hashesPerGroup: number;
  readonly l1InWorkgroup: boolean;
  readonly dispatchGranularity: number;
  readonly maxDispatchHashes: number;

  private dispatchSize: number;
  private readonly params: GPUBuffer;
  private readonly dispatcher: HitDispatcher<KawpowSearchHit>;
  private current: KawpowDag | undefined;
  /** Whether `current` came from dagSource (the engine destroys those). */
  private ownsCurrent = false;
  /** A DAG build in progress, by epoch (one at a time). */
  private building: { epoch: number; dag: Promise<KawpowDag> } | undefined;
  private bindGroup: { dag: KawpowDag; group: GPUBindGroup } | undefined;

  constructor(
    device: GPUDevice,
    private readonly options: WebGpuKawpowOptions,
    buffers: { params: GPUBuffer },
  ) {
    super(device);
    const limits = device.limits;
    const maxGroup = Math.min(MAX_HASHES_PER_GROUP, Math.floor(Math.min(limits.maxComputeWorkgroupSizeX, limits.maxComputeInvocationsPerWorkgroup) / KAWPOW_LANES));
    this.hashesPerGroup = checkInteger(options.hashesPerGroup ?? Math.min(DEFAULT_HASHES_PER_GROUP, maxGroup), 1, maxGroup, 'hashesPerGroup');
    const groupSize = this.hashesPerGroup * KAWPOW_LANES;
    const l1Fits = L1_CACHE_BYTES + groupSize * WORKGROUP_BYTES_PER_INVOCATION <= limits.maxComputeWorkgroupStorageSize;
    if (options.l1InWorkgroup && !l1Fits) {
      throw new KernelOptionError(`the L1 cache does not fit this device's ${limits.maxComputeWorkgroupStorageSize} bytes of workgroup memory with ${this.hashesPerGroup} hashes per workgroup`);
    }
    this.l1InWorkgroup = options.l1InWorkgroup ?? l1Fits;
    this.dispatchGranularity = this.hashesPerGroup;
    this.maxDispatchHashes = Math.min(limits.maxComputeWorkgroupsPerDimension * this.hashesPerGroup, MAX_DISPATCH_HASHES);
    this.dispatchSize = this.roundDispatch(options.dispatchHashes ?? DEFAULT_DISPATCH_HASHES);
    if (options.dag) {
      if (options.dag.device !== device) throw new KernelOptionError('the DAG was built on another device');
      this.current = options.dag;
    }
    this.params = buffers.params;
    this.dispatcher = new HitDispatcher(device, this.watch, KAWPOW_HIT_FORMAT);
  }

  get dispatchHashes(): number {
    return this.dispatchSize;
  }

  set dispatchHashes(hashes: number) {
    this.dispatchSize = this.roundDispatch(hashes);
  }

  get dag(): KawpowDag | undefined {
    return this.current;
  }

  hasPipeline(period: number): boolean {
    return this.current !== undefined && hasCachedPipeline(this.device, SEARCH_PIPELINES, pipelineKey(period, this.shape(this.current)));
  }

  async prepare(height: number): Promise<void> {
    this.assertUsable();
    const dag = await this.dagFor(kawpowEpoch(height));
    await this.pipelineFor(kawpowPeriod(height), dag);
  }

  search(job: KawpowSearchJob, startNonce: bigint, count: number, options?: SearchOptions): Promise<KawpowSearchResult> {
    let maxHits = 0;
    return this.serialized(
      () => void (maxHits = checkKawpowSearch(job, startNonce, count, options)),
      () => this.runSearch(job, startNonce, count, maxHits),
    );
  }

  dispose(): void {
    if (this.disposed) return;
    this.disposed = true;
    // Destroying a buffer rejects its pending mapAsync, which ends a running search with
    // EngineUnavailableError. Pipelines stay cached on the device for other engines.
    this.params.destroy();
    this.dispatcher.destroy();
    if (this.ownsCurrent) this.current?.destroy();
    void this.building?.dag.then((dag) => dag.destroy(), () => undefined);
  }

  private roundDispatch(hashes: number): number {
    return roundDispatchSize(hashes, this.dispatchGranularity, this.maxDispatchHashes, 'dispatchHashes');
  }

  private async dagFor(epoch: number): Promise<KawpowDag> {
    const held = this.current;
    if (held && held.epoch === epoch) {
      if (held.destroyed) throw new EngineUnavailableError('webgpu', `the DAG of epoch ${epoch} was destroyed`);
      return held;
    }
    const source = this.options.dagSource;
    if (!source) {
      throw new EngineUnavailableError('webgpu', `no DAG for epoch ${epoch}: this engine holds ${held ? `epoch ${held.epoch}'s` : 'none'} and was given no dagSource`);
    }
    if (this.building?.epoch !== epoch) {
      const dag = source(epoch);
      this.building = { epoch, dag };
    }
    const building = this.building;
    let dag: KawpowDag;
    try {
      dag = await this.guard(building.dag);
    } finally {
      if (this.building === building) this.building = undefined;
    }
    if (dag.device !== this.device) throw new KernelOptionError('dagSource built the DAG on another device');
    if (dag.epoch !== epoch) throw new KernelOptionError(`dagSource returned epoch ${dag.epoch}'s DAG for epoch ${epoch}`);
    if (this.disposed) {
      dag.destroy();
      throw new EngineUnavailableError('webgpu', 'engine was disposed while its DAG was built');
    }
    if (this.current !== dag) {
      if (this.ownsCurrent) this.current?.destroy();
      this.current = dag;
      this.ownsCurrent = true;
    }
    return dag;
  }

  private shape(dag: KawpowDag): SearchShape {
    return {
      dagBindings: dag.buffers.length,
      dagItemsPerBinding: dag.layout.loadItemsPerBuffer,
      groupSize: this.hashesPerGroup * KAWPOW_LANES,
      l1Words: this.l1InWorkgroup ? L1_CACHE_BYTES / 4 : 1,
    };
  }

  /** The period's pipeline; starts compiling the next period's unless told not to. */
  private async pipelineFor(period: number, dag: KawpowDag): Promise<GPUComputePipeline> {
    const shape = this.shape(dag);
    const pipeline = searchPipeline(this.device, period, shape);
    if (this.options.prefetchNextPeriod !== false) {
      searchPipeline(this.device, period + 1, shape).catch(() => undefined); // reported when that period is searched
    }
    try {
      return await this.guard(pipeline);
    } catch (err) {
      if (err instanceof EngineUnavailableError) throw err;
      throw new EngineUnavailableError('webgpu', `the KawPow search kernel of period ${period} did not compile: ${(err as Error).message}`, { cause: err });
    }
  }

  private bindGroupFor(dag: KawpowDag): GPUBindGroup {
    if (this.bindGroup?.dag === dag) return this.bindGroup.group;
    const group = this.device.createBindGroup({
      label: `otedama kawpow search e${dag.epoch}`,
      layout: searchBindGroupLayout(this.device, dag.buffers.length),
      entries: [
        { binding: 0, resource: { buffer: this.params } },
        { binding: 1, resource: { buffer: this.dispatcher.resultsBuffer } },
        ...dag.buffers.map((buffer, b) => ({ binding: FIRST_DAG_BINDING + b, resource: { buffer } })),
      ],
    });
    this.bindGroup = { dag, group };
    return group;
  }

  private async runSearch(job: KawpowSearchJob, startNonce: bigint, count: number, maxHits: number): Promise<KawpowSearchResult> {
    this.assertUsable();
    const dag = await this.dagFor(kawpowEpoch(job.height));
    const pipeline = await this.pipelineFor(kawpowPeriod(job.height), dag);
    this.assertUsable();
    if (dag.destroyed) throw new EngineUnavailableError('webgpu', `the DAG of epoch ${dag.epoch} was destroyed`);
    const bindGroup = this.bindGroupFor(dag);
    const jobParams = new Uint32Array([...wordsLE(job.headerHash), ...targetWords(job.target), 0, 0, 0, dag.layout.loadItems]);
    this.device.queue.writeBuffer(this.params, 0, jobParams);

    const encode = (encoder: GPUCommandEncoder, position: number, n: number): void => {
      const first = startNonce + BigInt(position);
      this.device.queue.writeBuffer(this.params, DISPATCH_PARAM_OFFSET, new Uint32Array([Number(first & 0xffff_ffffn), Number(first >> 32n), n]));
      const pass = encoder.beginComputePass({ label: 'otedama kawpow search' });
      pass.setPipeline(pipeline);
      pass.setBindGroup(0, bindGroup);
      pass.dispatchWorkgroups(Math.ceil(n / this.hashesPerGroup));
      pass.end();
    };
    const { hits, total } = await this.guard(
      this.dispatcher.run(count, this.dispatchSize, maxHits, encode, (hit) => Number(hit.nonce - startNonce)),
    );
    return { hits, tried: count, truncated: total > maxHits };
  }
}

/**
 * A KawPow nonce-search engine on `device` (get one with requestKawpowDevice). Give it the DAG
 * (`dag`) or a way to build one per epoch (`dagSource`). The device stays the caller's:
 * dispose() releases the engine's buffers and the DAGs it built, not the device. Throws
 * KernelOptionError for options the device cannot run.
 */
export async function createWebGpuKawpowEngine(device: GPUDevice, options: WebGpuKawpowOptions = {}): Promise<WebGpuKawpowEngine> {
  const [params] = await allocateBuffers(device, 'the KawPow search parameters', PARAMS_BYTES, () => [
    device.createBuffer({ label: 'otedama kawpow params', size: PARAMS_BYTES, usage: USAGE_UNIFORM | USAGE_COPY_DST }),
  ]);
  try {
    return new WebGpuKawpow(device, options, { params: params! });
  } catch (err) {
    params!.destroy();
    throw err;
  }
}

/**
 * Sets `engine.dispatchHashes` so that one dispatch takes about `targetMs` (default 75 ms) on
 * this adapter, measured on `job` with target 1 (no hits). Prepares the job's DAG and pipeline.
 */
export function autoTuneKawpowDispatch(engine: WebGpuKawpowEngine, job: Omit<KawpowSearchJob, 'target'>, options?: DispatchTuneOptions): Promise<GenericTuneResult> {
  const probeJob = { ...job, target: 1n };
  return autoTuneDispatchSize(
    {
      granularity: engine.dispatchGranularity,
      max: engine.maxDispatchHashes,
      get size() {
        return engine.dispatchHashes;
      },
      set size(n: number) {
        engine.dispatchHashes = n;
      },
      ready: () => engine.prepare(job.height),
      probe: async (count) => void (await engine.search(probeJob, 0n, count)),
    },
    options,
  );
}
