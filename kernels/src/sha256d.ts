/**
 * The WebGPU SHA-256d nonce-search engine: the host side of sha256d.wgsl.
 *
 * Per job the host computes the midstate and the nonce-independent start of block 2 and writes
 * them to a uniform buffer. A search range is cut into dispatches of `dispatchNonces` nonces;
 * two dispatches are kept in flight, each copying the kernel's hit counter and hit slots into
 * its own staging buffer (double buffering), and the host maps only the counter plus the first
 * few slots (hit-dispatcher.ts, shared with the KawPow engine). The kernel filters against the
 * target itself, so a dispatch costs a few hundred bytes of readback whatever its size.
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
import { checkInteger, GpuSearchEngineBase, roundDispatchSize, USAGE_COPY_DST, USAGE_UNIFORM } from './gpu-work.ts';
import { HitDispatcher, type HitFormat } from './hit-dispatcher.ts';
import SHA256D_WGSL from './sha256d.wgsl?raw';

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
const HIT_WORDS = 9;
/** Hits read back with the counter in the first map (256 bytes in all); more need a second map. */
const HEAD_HITS = 7;
/** Params uniform: 9 vec4<u32> (see `struct Params` in sha256d.wgsl). */
const PARAMS_WORDS = 36;
/** Words of Params that change per job (everything before `dispatch`). */
const JOB_WORDS = 32;
/** Byte offset of Params.dispatch (first nonce, nonce count). */
const DISPATCH_PARAM_OFFSET = JOB_WORDS * 4;

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

/** Decodes one hit (nonce + 8 big-endian state words). */
function decodeHit(words: Uint32Array, o: number): SearchHit {
  const hash = new Uint8Array(32);
  for (let w = 0; w < 8; w++) {
    const v = words[o + 1 + w]!;
    hash[w * 4] = v >>> 24;
    hash[w * 4 + 1] = (v >>> 16) & 0xff;
    hash[w * 4 + 2] = (v >>> 8) & 0xff;
    hash[w * 4 + 3] = v & 0xff;
  }
  return { nonce: words[o]!, hash };
}

const SHA256D_HIT_FORMAT: HitFormat<SearchHit> = { label: 'otedama sha256d', slots: HIT_SLOTS, hitWords: HIT_WORDS, headHits: HEAD_HITS, decode: decodeHit };

class WebGpuSha256d extends GpuSearchEngineBase implements WebGpuSha256dEngine {
  readonly name = 'webgpu' as const;
  readonly algo = 'sha256d' as const;
  readonly noncesPerInvocation: number;
  readonly workgroupSize: number;
  readonly dispatchGranularity: number;
  readonly maxDispatchNonces: number;

  private dispatchSize: number;
  private readonly pipeline: Promise<GPUComputePipeline>;
  private readonly params: GPUBuffer;
  private readonly dispatcher: HitDispatcher<SearchHit>;
  private bindGroup: GPUBindGroup | undefined;

  constructor(device: GPUDevice, options: WebGpuSha256dOptions = {}) {
    super(device);
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

    this.pipeline = searchPipeline(device, this.workgroupSize, this.noncesPerInvocation);
    this.pipeline.catch(() => undefined); // reported by ready() and search()
    this.params = device.createBuffer({ label: 'otedama sha256d params', size: PARAMS_WORDS * 4, usage: USAGE_UNIFORM | USAGE_COPY_DST });
    this.dispatcher = new HitDispatcher(device, this.watch, SHA256D_HIT_FORMAT);
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
    let maxHits = 0;
    return this.serialized(
      () => void (maxHits = checkSearch(job, startNonce, count, options)),
      () => this.runSearch(job, startNonce, count, maxHits),
    );
  }

  dispose(): void {
    if (this.disposed) return;
    this.disposed = true;
    // Destroying a buffer rejects its pending mapAsync, which ends a running search with
    // EngineUnavailableError. The pipeline stays cached on the device for other engines.
    this.params.destroy();
    this.dispatcher.destroy();
  }

  private roundDispatch(nonces: number): number {
    return roundDispatchSize(nonces, this.dispatchGranularity, this.maxDispatchNonces, 'dispatchNonces');
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
        { binding: 1, resource: { buffer: this.dispatcher.resultsBuffer } },
      ],
    });
    return this.bindGroup;
  }

  private async runSearch(job: Sha256dSearchJob, startNonce: number, count: number, maxHits: number): Promise<SearchResult> {
    this.assertUsable();
    const pipeline = await this.guard(this.pipeline);
    const bindGroup = await this.getBindGroup();
    this.device.queue.writeBuffer(this.params, 0, sha256dJobParams(job));
    const encode = (encoder: GPUCommandEncoder, position: number, n: number): void => {
      this.device.queue.writeBuffer(this.params, DISPATCH_PARAM_OFFSET, new Uint32Array([startNonce + position, n, 0, 0]));
      const pass = encoder.beginComputePass({ label: 'otedama sha256d search' });
      pass.setPipeline(pipeline);
      pass.setBindGroup(0, bindGroup);
      const invocations = Math.ceil(n / this.noncesPerInvocation);
      pass.dispatchWorkgroups(Math.ceil(invocations / this.workgroupSize));
      pass.end();
    };
    const { hits, total } = await this.guard(this.dispatcher.run(count, this.dispatchSize, maxHits, encode, (hit) => hit.nonce - startNonce));
    return { hits, tried: count, truncated: total > maxHits };
  }
}

/**
 * A SHA-256d nonce-search engine running sha256d.wgsl on `device`. The device stays the
 * caller's: dispose() releases the engine's buffers, not the device. Throws KernelOptionError
 * for options the device cannot run.
 */
export function createWebGpuSha256dEngine(device: GPUDevice, options?: WebGpuSha256dOptions): WebGpuSha256dEngine {
  return new WebGpuSha256d(device, options);
}
