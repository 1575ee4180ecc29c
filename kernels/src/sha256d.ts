/**
 * The WebGPU SHA-256d nonce-search engine: the host side of sha256d.wgsl.
 *
 * Per job the host computes the midstate and the nonce-independent start of block 2 and writes
 * them to a uniform buffer. A search range is cut into dispatches of `dispatchNonces` nonces;
 * two dispatches are kept in flight, each copying the kernel's hit counter and hit slots into
 * its own staging buffer (double buffering), and the host maps only the counter plus the first
 * few slots. The kernel filters against the target itself, so a dispatch costs a few hundred
 * bytes of readback whatever its size.
 */
import {
  SHA256_K,
  checkSearch,
  sha256Midstate,
  targetToWords,
  EngineUnavailableError,
  type NonceSearchEngine,
  type SearchHit,
  type SearchOptions,
  type SearchResult,
  type Sha256dSearchJob,
} from '@otedama/core';
import { KernelOptionError } from './errors.ts';
import SHA256D_WGSL from './sha256d.wgsl?raw';

/** GPUBufferUsage and GPUMapMode bits (WebGPU spec values), so the host needs no globals. */
const USAGE_MAP_READ = 0x0001;
const USAGE_COPY_SRC = 0x0004;
const USAGE_COPY_DST = 0x0008;
const USAGE_UNIFORM = 0x0040;
const USAGE_STORAGE = 0x0080;
const MAP_MODE_READ = 0x0001;

/** Default nonces hashed by one invocation (an `override` in the kernel). */
export const DEFAULT_NONCES_PER_INVOCATION = 32;
/** Default invocations per workgroup (an `override` in the kernel). */
export const DEFAULT_WORKGROUP_SIZE = 64;
/**
 * Default nonces per dispatch: about 70 ms on lavapipe (30 MH/s) before tuning. Use
 * autoTuneDispatchNonces to fit the adapter at hand.
 */
export const DEFAULT_DISPATCH_NONCES = 1 << 21;
/** Longest per-invocation nonce loop we accept; software adapters cut loops at 65,535. */
export const MAX_NONCES_PER_INVOCATION = 1024;
/** Dispatches stay below 2^30 nonces so that in-dispatch offsets never overflow a u32. */
const MAX_DISPATCH_NONCES = 1 << 30;

/** Hit slots per dispatch; more hits than this in one dispatch are re-searched in halves. */
const HIT_SLOTS = 1024;
/** One hit: the nonce and the 8 words of its hash. */
const HIT_BYTES = 36;
/** The atomic hit counter in front of the slots. */
const COUNTER_BYTES = 4;
const RESULTS_BYTES = COUNTER_BYTES + HIT_SLOTS * HIT_BYTES;
/** Hits read back with the counter in the first map (256 bytes in all); more need a second map. */
const HEAD_HITS = 7;
const HEAD_BYTES = COUNTER_BYTES + HEAD_HITS * HIT_BYTES;
/** Params uniform: 9 vec4<u32> (see `struct Params` in sha256d.wgsl). */
const PARAMS_WORDS = 36;
/** Words of Params that change per job (everything before `dispatch`). */
const JOB_WORDS = 32;
/** Byte offset of Params.dispatch (first nonce, nonce count). */
const DISPATCH_PARAM_OFFSET = JOB_WORDS * 4;
/** Dispatches kept in flight: one executing while the previous one is read back. */
const IN_FLIGHT = 2;

export interface WebGpuSha256dOptions {
  /** Nonces one invocation hashes (1..1024, default 32). */
  readonly noncesPerInvocation?: number;
  /** Invocations per workgroup (default 64; at most the device's workgroup limits). */
  readonly workgroupSize?: number;
  /** Nonces per dispatch (default 2^21); rounded to whole workgroups. */
  readonly dispatchNonces?: number;
}

/** The WebGPU engine plus what a tuner or a dashboard needs beyond NonceSearchEngine. */
export interface WebGpuSha256dEngine extends NonceSearchEngine {
  readonly name: 'webgpu';
  readonly device: GPUDevice;
  readonly noncesPerInvocation: number;
  readonly workgroupSize: number;
  /** Nonces one workgroup covers: dispatch sizes are multiples of it. */
  readonly dispatchGranularity: number;
  /** Largest dispatch the device's maxComputeWorkgroupsPerDimension allows. */
  readonly maxDispatchNonces: number;
  /** Nonces per dispatch; settable (rounded to the granularity and clamped). */
  dispatchNonces: number;
  /** Compiles the pipeline now instead of on the first search. */
  ready(): Promise<void>;
}

// ---- Pipelines, cached per device -----------------------------------------------------------

const modules = new WeakMap<GPUDevice, GPUShaderModule>();
const pipelines = new WeakMap<GPUDevice, Map<string, Promise<GPUComputePipeline>>>();

function shaderModule(device: GPUDevice): GPUShaderModule {
  let module = modules.get(device);
  if (!module) {
    module = device.createShaderModule({ label: 'otedama sha256d', code: SHA256D_WGSL });
    modules.set(device, module);
  }
  return module;
}

/** The search pipeline for one (workgroup size, nonces per invocation) pair, compiled once per device. */
function searchPipeline(device: GPUDevice, workgroupSize: number, noncesPerInvocation: number): Promise<GPUComputePipeline> {
  let byKey = pipelines.get(device);
  if (!byKey) {
    byKey = new Map();
    pipelines.set(device, byKey);
  }
  const key = `${workgroupSize}x${noncesPerInvocation}`;
  let pipeline = byKey.get(key);
  if (!pipeline) {
    pipeline = device.createComputePipelineAsync({
      label: `otedama sha256d ${key}`,
      layout: 'auto',
      compute: {
        module: shaderModule(device),
        entryPoint: 'search',
        constants: { WORKGROUP_SIZE: workgroupSize, NONCES_PER_INVOCATION: noncesPerInvocation },
      },
    });
    // A failed compile is not cached: a later engine on a healthy device may try again.
    pipeline.catch(() => byKey.delete(key));
    byKey.set(key, pipeline);
  }
  return pipeline;
}

// ---- Per-job constants ----------------------------------------------------------------------

const rotr = (x: number, n: number): number => (x >>> n) | (x << (32 - n));
const bigSigma0 = (x: number): number => rotr(x, 2) ^ rotr(x, 13) ^ rotr(x, 22);
const bigSigma1 = (x: number): number => rotr(x, 6) ^ rotr(x, 11) ^ rotr(x, 25);
const ch = (e: number, f: number, g: number): number => g ^ (e & (f ^ g));
const maj = (a: number, b: number, c: number): number => (a & b) | (c & (a | b));

function readU32BE(bytes: Uint8Array, offset: number): number {
  return ((bytes[offset]! << 24) | (bytes[offset + 1]! << 16) | (bytes[offset + 2]! << 8) | bytes[offset + 3]!) >>> 0;
}

/**
 * The job part of the kernel's Params: midstate, the state after rounds 0..2 of block 2,
 * W0..W2, round 3's nonce-independent T1 and T2, and the target words.
 */
export function sha256dJobParams(job: Sha256dSearchJob): Uint32Array<ArrayBuffer> {
  const params = new Uint32Array(JOB_WORDS);
  const mid = sha256Midstate(job.header.subarray(0, 64));
  params.set(mid, 0);
  const w = [readU32BE(job.header, 64), readU32BE(job.header, 68), readU32BE(job.header, 72)];
  let a = mid[0]!, b = mid[1]!, c = mid[2]!, d = mid[3]!, e = mid[4]!, f = mid[5]!, g = mid[6]!, h = mid[7]!;
  for (let i = 0; i < 3; i++) {
    const t1 = (h + bigSigma1(e) + ch(e, f, g) + SHA256_K[i]! + w[i]!) | 0;
    const t2 = (bigSigma0(a) + maj(a, b, c)) | 0;
    h = g; g = f; f = e; e = (d + t1) | 0;
    d = c; c = b; b = a; a = (t1 + t2) | 0;
  }
  params.set([a, b, c, d, e, f, g, h], 8);
  params.set(w, 16);
  params[20] = h + bigSigma1(e) + ch(e, f, g) + SHA256_K[3]!;
  params[21] = bigSigma0(a) + maj(a, b, c);
  params.set(targetToWords(job.target), 24);
  return params;
}

// ---- The engine -----------------------------------------------------------------------------

interface DispatchReadback {
  /** Hits in the dispatch (exact, even when more than the slots). */
  readonly count: number;
  /** The stored hits, unsorted (min(count, HIT_SLOTS) of them, or fewer when not all were read). */
  readonly hits: SearchHit[];
}

interface InFlight {
  readonly start: number;
  readonly count: number;
  readonly staging: GPUBuffer;
  readonly mapped: Promise<void>;
}

function checkInteger(value: number, min: number, max: number, what: string): number {
  if (!Number.isSafeInteger(value) || value < min || value > max) {
    throw new KernelOptionError(`${what} must be an integer in ${min}..${max} (got ${value})`);
  }
  return value;
}

function byNonce(a: SearchHit, b: SearchHit): number {
  return a.nonce - b.nonce;
}

class WebGpuSha256d implements WebGpuSha256dEngine {
  readonly name = 'webgpu' as const;
  readonly algo = 'sha256d' as const;
  readonly noncesPerInvocation: number;
  readonly workgroupSize: number;
  readonly dispatchGranularity: number;
  readonly maxDispatchNonces: number;

  private dispatchSize: number;
  private readonly pipeline: Promise<GPUComputePipeline>;
  private readonly params: GPUBuffer;
  private readonly results: GPUBuffer;
  /** IN_FLIGHT staging buffers for the pipelined dispatches, plus one for re-searches. */
  private readonly staging: GPUBuffer[];
  private readonly spareStaging: GPUBuffer;
  private bindGroup: GPUBindGroup | undefined;
  /** Searches share the buffers above, so they run one after another. */
  private tail: Promise<unknown> = Promise.resolve();
  private disposed = false;
  private lostReason: string | undefined;
  /** Rejects when the device is lost; raced against every wait on the GPU. */
  private readonly lost: Promise<never>;

  constructor(readonly device: GPUDevice, options: WebGpuSha256dOptions = {}) {
    const limits = device.limits;
    this.noncesPerInvocation = checkInteger(
      options.noncesPerInvocation ?? DEFAULT_NONCES_PER_INVOCATION,
      1,
      MAX_NONCES_PER_INVOCATION,
      'noncesPerInvocation',
    );
    const maxWorkgroup = Math.min(limits.maxComputeWorkgroupSizeX, limits.maxComputeInvocationsPerWorkgroup);
    this.workgroupSize = checkInteger(options.workgroupSize ?? Math.min(DEFAULT_WORKGROUP_SIZE, maxWorkgroup), 1, maxWorkgroup, 'workgroupSize');
    this.dispatchGranularity = this.noncesPerInvocation * this.workgroupSize;
    this.maxDispatchNonces =
      Math.min(limits.maxComputeWorkgroupsPerDimension * this.dispatchGranularity, Math.floor(MAX_DISPATCH_NONCES / this.dispatchGranularity) * this.dispatchGranularity);
    this.dispatchSize = this.roundDispatch(options.dispatchNonces ?? DEFAULT_DISPATCH_NONCES);

    this.lost = device.lost.then((info) => {
      this.lostReason = `GPU device lost (${info.reason}): ${info.message || 'no message'}`;
      throw new EngineUnavailableError('webgpu', this.lostReason);
    });
    this.lost.catch(() => undefined); // observed by races; never an unhandled rejection

    this.pipeline = searchPipeline(device, this.workgroupSize, this.noncesPerInvocation);
    this.pipeline.catch(() => undefined); // reported by ready() and search()
    this.params = device.createBuffer({ label: 'otedama sha256d params', size: PARAMS_WORDS * 4, usage: USAGE_UNIFORM | USAGE_COPY_DST });
    this.results = device.createBuffer({ label: 'otedama sha256d hits', size: RESULTS_BYTES, usage: USAGE_STORAGE | USAGE_COPY_SRC | USAGE_COPY_DST });
    this.staging = Array.from({ length: IN_FLIGHT }, (_, i) =>
      device.createBuffer({ label: `otedama sha256d staging ${i}`, size: RESULTS_BYTES, usage: USAGE_MAP_READ | USAGE_COPY_DST }),
    );
    this.spareStaging = device.createBuffer({ label: 'otedama sha256d staging spare', size: RESULTS_BYTES, usage: USAGE_MAP_READ | USAGE_COPY_DST });
  }

  get dispatchNonces(): number {
    return this.dispatchSize;
  }

  set dispatchNonces(nonces: number) {
    this.dispatchSize = this.roundDispatch(nonces);
  }

  async ready(): Promise<void> {
    this.assertUsable();
    await this.getBindGroup();
  }

  search(job: Sha256dSearchJob, startNonce: number, count: number, options?: SearchOptions): Promise<SearchResult> {
    let maxHits: number;
    try {
      maxHits = checkSearch(job, startNonce, count, options);
      this.assertUsable();
    } catch (err) {
      return Promise.reject(err);
    }
    const run = this.tail.then(() => this.runSearch(job, startNonce, count, maxHits));
    this.tail = run.catch(() => undefined);
    return run;
  }

  dispose(): void {
    if (this.disposed) return;
    this.disposed = true;
    // Destroying a buffer rejects its pending mapAsync, which ends a running search with
    // EngineUnavailableError. The pipeline stays cached on the device for other engines.
    for (const buffer of [this.params, this.results, ...this.staging, this.spareStaging]) buffer.destroy();
  }

  private roundDispatch(nonces: number): number {
    checkInteger(nonces, 1, Number.MAX_SAFE_INTEGER, 'dispatchNonces');
    const rounded = Math.ceil(nonces / this.dispatchGranularity) * this.dispatchGranularity;
    return Math.min(rounded, this.maxDispatchNonces);
  }

  private assertUsable(): void {
    if (this.disposed) throw new EngineUnavailableError('webgpu', 'engine was disposed');
    if (this.lostReason) throw new EngineUnavailableError('webgpu', this.lostReason);
  }

  /** Waits for `p` unless the device is lost first; GPU failures become EngineUnavailableError. */
  private async guard<T>(p: Promise<T>): Promise<T> {
    try {
      return await Promise.race([p, this.lost]);
    } catch (err) {
      if (err instanceof EngineUnavailableError) throw err;
      if (this.disposed) throw new EngineUnavailableError('webgpu', 'engine was disposed during a search', { cause: err });
      if (this.lostReason) throw new EngineUnavailableError('webgpu', this.lostReason, { cause: err });
      throw err;
    }
  }

  private async getBindGroup(): Promise<GPUBindGroup> {
    if (this.bindGroup) return this.bindGroup;
    let pipeline: GPUComputePipeline;
    try {
      pipeline = await this.guard(this.pipeline);
    } catch (err) {
      if (err instanceof EngineUnavailableError) throw err;
      throw new EngineUnavailableError('webgpu', `the SHA-256d kernel did not compile: ${(err as Error).message}`, { cause: err });
    }
    this.assertUsable();
    this.bindGroup = this.device.createBindGroup({
      label: 'otedama sha256d',
      layout: pipeline.getBindGroupLayout(0),
      entries: [
        { binding: 0, resource: { buffer: this.params } },
        { binding: 1, resource: { buffer: this.results } },
      ],
    });
    return this.bindGroup;
  }

  private async runSearch(job: Sha256dSearchJob, startNonce: number, count: number, maxHits: number): Promise<SearchResult> {
    this.assertUsable();
    const pipeline = await this.guard(this.pipeline);
    const bindGroup = await this.getBindGroup();
    this.device.queue.writeBuffer(this.params, 0, sha256dJobParams(job));

    const hits: SearchHit[] = [];
    let total = 0;
    const inFlight: InFlight[] = [];
    let next = startNonce;
    const end = startNonce + count;
    let slot = 0;

    const settle = async (done: InFlight): Promise<void> => {
      const need = maxHits - hits.length;
      // Once maxHits hits are in, later dispatches only tell whether there were more.
      const readback = await this.readDispatch(done.staging, done.mapped, need > 0 ? need : 0);
      total += readback.count;
      if (need <= 0 || readback.count === 0) return;
      if (readback.count <= HIT_SLOTS) {
        hits.push(...readback.hits.sort(byNonce).slice(0, need));
      } else {
        // The slots overflowed, so the stored hits are an arbitrary subset: search this
        // dispatch's range again in halves to report the lowest nonces, as the contract says.
        hits.push(...(await this.lowestHits(pipeline, bindGroup, done.start, done.count, need)));
      }
    };

    while (next < end || inFlight.length > 0) {
      if (next < end && inFlight.length < IN_FLIGHT) {
        const n = Math.min(this.dispatchSize, end - next);
        const staging = this.staging[slot]!;
        slot = (slot + 1) % IN_FLIGHT;
        inFlight.push({ start: next, count: n, staging, mapped: this.dispatch(pipeline, bindGroup, next, n, staging) });
        next += n;
        continue;
      }
      await settle(inFlight.shift()!);
    }
    return { hits, tried: count, truncated: total > maxHits };
  }

  /** Encodes and submits one dispatch over [start, start + count); resolves when its head is mapped. */
  private dispatch(pipeline: GPUComputePipeline, bindGroup: GPUBindGroup, start: number, count: number, staging: GPUBuffer): Promise<void> {
    this.assertUsable();
    const queue = this.device.queue;
    // An invalid command buffer would still let the staging buffer map, with a zero counter:
    // a silent "no hits". The error scope turns that into an error instead.
    this.device.pushErrorScope('validation');
    queue.writeBuffer(this.params, DISPATCH_PARAM_OFFSET, new Uint32Array([start, count, 0, 0]));
    const encoder = this.device.createCommandEncoder({ label: 'otedama sha256d search' });
    encoder.clearBuffer(this.results, 0, COUNTER_BYTES);
    const pass = encoder.beginComputePass({ label: 'otedama sha256d search' });
    pass.setPipeline(pipeline);
    pass.setBindGroup(0, bindGroup);
    const invocations = Math.ceil(count / this.noncesPerInvocation);
    pass.dispatchWorkgroups(Math.ceil(invocations / this.workgroupSize));
    pass.end();
    encoder.copyBufferToBuffer(this.results, 0, staging, 0, RESULTS_BYTES);
    queue.submit([encoder.finish()]);
    const rejected = this.device.popErrorScope().then((error) => {
      if (error) throw new EngineUnavailableError('webgpu', `the GPU rejected a search dispatch: ${error.message}`);
    });
    const mapped = Promise.allSettled([staging.mapAsync(MAP_MODE_READ, 0, HEAD_BYTES), rejected]).then(([map, scope]) => {
      if (scope.status === 'rejected') {
        if (map.status === 'fulfilled') staging.unmap(); // keep the buffer reusable
        throw scope.reason;
      }
      if (map.status === 'rejected') throw map.reason;
    });
    mapped.catch(() => undefined); // awaited (through guard) by the reader
    return mapped;
  }

  /** Reads the counter and up to `want` hits from a staging buffer whose head is being mapped. */
  private async readDispatch(staging: GPUBuffer, mapped: Promise<void>, want: number): Promise<DispatchReadback> {
    await this.guard(mapped);
    let words = new Uint32Array(staging.getMappedRange(0, HEAD_BYTES));
    const count = words[0]!;
    // Slots are filled in no particular order, so either every stored hit is read or none:
    // none when the caller needs no more, or when the slots overflowed (it re-searches then).
    const read = want > 0 && count <= HIT_SLOTS ? count : 0;
    if (read > HEAD_HITS) {
      staging.unmap();
      const bytes = COUNTER_BYTES + read * HIT_BYTES;
      await this.guard(staging.mapAsync(MAP_MODE_READ, 0, bytes));
      words = new Uint32Array(staging.getMappedRange(0, bytes));
    }
    const hits = decodeHits(words, read);
    staging.unmap();
    return { count, hits };
  }

  /** The lowest `need` hits of [start, start + count), searching halves until each fits the slots. */
  private async lowestHits(pipeline: GPUComputePipeline, bindGroup: GPUBindGroup, start: number, count: number, need: number): Promise<SearchHit[]> {
    const mapped = this.dispatch(pipeline, bindGroup, start, count, this.spareStaging);
    const readback = await this.readDispatch(this.spareStaging, mapped, need);
    if (readback.count <= HIT_SLOTS) return readback.hits.sort(byNonce).slice(0, need);
    const half = Math.ceil(count / 2);
    const low = await this.lowestHits(pipeline, bindGroup, start, half, need);
    if (low.length >= need) return low;
    return low.concat(await this.lowestHits(pipeline, bindGroup, start + half, count - half, need - low.length));
  }
}

/** Decodes `n` hits (nonce + 8 big-endian state words) that follow the counter word. */
function decodeHits(words: Uint32Array, n: number): SearchHit[] {
  const hits: SearchHit[] = [];
  for (let i = 0; i < n; i++) {
    const o = 1 + i * 9;
    const hash = new Uint8Array(32);
    for (let w = 0; w < 8; w++) {
      const v = words[o + 1 + w]!;
      hash[w * 4] = v >>> 24;
      hash[w * 4 + 1] = (v >>> 16) & 0xff;
      hash[w * 4 + 2] = (v >>> 8) & 0xff;
      hash[w * 4 + 3] = v & 0xff;
    }
    hits.push({ nonce: words[o]!, hash });
  }
  return hits;
}

/**
 * A SHA-256d nonce-search engine running sha256d.wgsl on `device`. The device stays the
 * caller's: dispose() releases the engine's buffers, not the device. Throws KernelOptionError
 * for options the device cannot run.
 */
export function createWebGpuSha256dEngine(device: GPUDevice, options?: WebGpuSha256dOptions): WebGpuSha256dEngine {
  return new WebGpuSha256d(device, options);
}
