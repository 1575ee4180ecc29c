/**
 * SHA-256d nonce search on the AssemblyScript kernels of wasm/assembly/sha256d: the scalar build
 * (engine "wasm", one nonce per kernel iteration) and the SIMD build (engine "wasm-simd", four).
 *
 * Sha256dWasmSearcher is the synchronous core that worker threads and Web Workers drive: compile
 * the module once (compileSha256dModule), post it to each worker, build a searcher there with
 * Sha256dWasmSearcher.fromModule, then setJob / search. createWasmSha256dEngine wraps a searcher
 * as core's NonceSearchEngine: short batches, a yield to the event loop between them, and the
 * hash of each hit recomputed by core's sha256d.
 */
import {
  checkHeader80,
  checkNonceRange,
  checkSearch,
  checkTarget,
  DEFAULT_MAX_HITS,
  EngineUnavailableError,
  NonceRangeError,
  sha256d,
  targetToWords,
  withNonce,
  type NonceSearchEngine,
  type SearchHit,
  type SearchOptions,
  type SearchResult,
  type Sha256dSearchJob,
} from '@otedama/core';
import { JobNotSetError } from './errors.ts';
import { compileChosenBuild, instantiate, instantiateSync, yieldToEventLoop } from './loader.ts';
import type { WasmGlobal, WasmInstance, WasmMemory, WasmModule } from './wasm-api.ts';

export type WasmEngineName = 'wasm' | 'wasm-simd';

/** Which build to use: the SIMD one (true), the scalar one (false), or SIMD where it validates. */
export type SimdChoice = boolean | 'auto';

/**
 * Nonces per kernel call in the engine, between two yields: about 25 ms with SIMD and 55 ms
 * scalar on one 2025 server core. Short calls also matter for speed: Chromium keeps a very long
 * call in its baseline tier, while the next call already runs the optimized code.
 */
export const BATCH_NONCES = 1 << 17;

/** Most nonces one kernel call takes: its count is a u32, and 2^32 itself does not fit. */
const MAX_CALL_NONCES = 0x8000_0000;

/** What the kernels export (wasm/assembly/sha256d/index.ts and index.simd.ts). */
interface Sha256dExports {
  readonly memory: WasmMemory;
  readonly HEADER_PTR: WasmGlobal;
  readonly TARGET_PTR: WasmGlobal;
  readonly HITS_PTR: WasmGlobal;
  readonly HITS_CAPACITY: WasmGlobal;
  readonly LANES: WasmGlobal;
  setJob(): void;
  search(start: number, count: number, maxHits: number): number;
  lastFound(): number;
  checkNonce(nonce: number): number;
}

const EXPORTED_FUNCTIONS = ['setJob', 'search', 'lastFound', 'checkNonce'] as const;
const EXPORTED_GLOBALS = ['HEADER_PTR', 'TARGET_PTR', 'HITS_PTR', 'HITS_CAPACITY', 'LANES'] as const;

function sha256dExports(instance: WasmInstance): Sha256dExports {
  const x = instance.exports;
  const missing = [
    ...EXPORTED_FUNCTIONS.filter((name) => typeof x[name] !== 'function'),
    ...EXPORTED_GLOBALS.filter((name) => typeof (x[name] as WasmGlobal | undefined)?.value !== 'number'),
    ...(typeof (x['memory'] as WasmMemory | undefined)?.buffer?.byteLength === 'number' ? [] : ['memory']),
  ];
  if (missing.length > 0) {
    throw new EngineUnavailableError('wasm', `the module is not a SHA-256d hasher (no ${missing.join(', ')}); run "npm run build"`);
  }
  return x as unknown as Sha256dExports;
}

/** The result of one synchronous search. */
export interface Sha256dSearchOutcome {
  /** Hit nonces, ascending: at most maxHits of them. */
  readonly nonces: number[];
  /** Nonces tried: always the whole range. */
  readonly tried: number;
  /** Every hit in the range; more than nonces.length means maxHits cut the list. */
  readonly found: number;
}

/**
 * One instance of a SHA-256d build: a job, searched synchronously. Not for concurrent use (it
 * owns one memory); create one per worker.
 */
export class Sha256dWasmSearcher {
  /** "wasm-simd" for the SIMD build, "wasm" for the scalar one. */
  readonly engine: WasmEngineName;
  /** Nonces per kernel iteration (4 with SIMD, 1 without). */
  readonly lanes: number;
  private readonly x: Sha256dExports;
  private hasJob = false;

  private constructor(instance: WasmInstance) {
    this.x = sha256dExports(instance);
    this.lanes = this.x.LANES.value;
    this.engine = this.lanes > 1 ? 'wasm-simd' : 'wasm';
  }

  /**
   * A searcher from a compiled module, instantiated synchronously: meant for workers, which
   * receive the module from compileSha256dModule(). Browsers may refuse synchronous
   * instantiation on the main thread; use create() there.
   */
  static fromModule(module: WasmModule): Sha256dWasmSearcher {
    return new Sha256dWasmSearcher(instantiateSync(module, 'wasm'));
  }

  /** A searcher of the chosen build (or of `module`), loading and compiling it if needed. */
  static async create(options: { simd?: SimdChoice; module?: WasmModule } = {}): Promise<Sha256dWasmSearcher> {
    const module = options.module ?? (await compileSha256dModule(options.simd ?? 'auto'));
    return new Sha256dWasmSearcher(await instantiate(module, 'wasm'));
  }

  /** Sets the header (its nonce bytes are ignored) and the target of the following searches. */
  setJob(header: Uint8Array, target: bigint): void {
    checkHeader80(header);
    checkTarget(target);
    const x = this.x;
    new Uint8Array(x.memory.buffer, x.HEADER_PTR.value, 80).set(header);
    const view = new DataView(x.memory.buffer, x.TARGET_PTR.value, 32);
    targetToWords(target).forEach((word, i) => view.setUint32(i * 4, word, true));
    x.setJob();
    this.hasJob = true;
  }

  /**
   * Hashes every nonce of [start, start + count) (no wrap past 2^32) and returns the hits, at
   * most maxHits of them (0 counts hits without listing them). One synchronous call: keep
   * `count` to a few hundred thousand nonces so a worker stays responsive.
   */
  search(start: number, count: number, maxHits: number = DEFAULT_MAX_HITS): Sha256dSearchOutcome {
    checkNonceRange(start, count);
    if (!Number.isSafeInteger(maxHits) || maxHits < 0) {
      throw new NonceRangeError(`maxHits must be a non-negative integer (got ${maxHits})`);
    }
    if (!this.hasJob) throw new JobNotSetError();
    const x = this.x;
    const capacity = x.HITS_CAPACITY.value;
    const nonces: number[] = [];
    let found = 0;
    let pos = start;
    const end = start + count;
    while (pos < end) {
      const n = Math.min(end - pos, MAX_CALL_NONCES);
      const room = maxHits - nonces.length;
      const limit = Math.min(room, capacity);
      const written = x.search(pos, n, limit) >>> 0;
      const hits = x.lastFound() >>> 0;
      const out = new DataView(x.memory.buffer, x.HITS_PTR.value, written * 4);
      for (let i = 0; i < written; i++) nonces.push(out.getUint32(i * 4, true));
      if (hits > written && limit < room) {
        // The output area filled up before maxHits did: go on after the last nonce written.
        found += written;
        pos = nonces[nonces.length - 1]! + 1;
        continue;
      }
      found += hits;
      pos += n;
    }
    return { nonces, tried: count, found };
  }

  /** Whether `nonce` meets the job's target, by the module's plain reference code (for tests). */
  meetsTarget(nonce: number): boolean {
    if (!this.hasJob) throw new JobNotSetError();
    return this.x.checkNonce(nonce) !== 0;
  }
}

/**
 * The compiled module of the chosen build, shared by every call: post it to workers and build
 * their searchers with Sha256dWasmSearcher.fromModule. 'auto' picks SIMD where it validates.
 */
export function compileSha256dModule(simd: SimdChoice = 'auto'): Promise<WasmModule> {
  return compileChosenBuild('sha256d', 'sha256d.simd', simd);
}

/** A NonceSearchEngine on the WASM kernels: "wasm-simd" where SIMD validates, else "wasm". */
export async function createWasmSha256dEngine(options: { simd?: SimdChoice } = {}): Promise<NonceSearchEngine> {
  return new WasmSha256dEngine(await Sha256dWasmSearcher.create({ simd: options.simd ?? 'auto' }));
}

class WasmSha256dEngine implements NonceSearchEngine {
  readonly name: WasmEngineName;
  readonly algo = 'sha256d' as const;
  private searcher: Sha256dWasmSearcher | undefined;
  /** Searches run one at a time: they share the searcher's job. */
  private queue: Promise<unknown> = Promise.resolve();

  constructor(searcher: Sha256dWasmSearcher) {
    this.searcher = searcher;
    this.name = searcher.engine;
  }

  async search(job: Sha256dSearchJob, startNonce: number, count: number, options?: SearchOptions): Promise<SearchResult> {
    const maxHits = checkSearch(job, startNonce, count, options);
    const run = this.queue.then(() => this.run(job, startNonce, count, maxHits));
    this.queue = run.catch(() => undefined);
    return run;
  }

  /**
   * Searches in batches of BATCH_NONCES. Once more than maxHits nonces hit, the result is
   * truncated and the search stops: `tried` then counts the nonces searched so far.
   */
  private async run(job: Sha256dSearchJob, start: number, count: number, maxHits: number): Promise<SearchResult> {
    const header = job.header.slice();
    this.live().setJob(header, job.target);
    const hits: SearchHit[] = [];
    let truncated = false;
    let pos = start;
    const end = start + count;
    while (pos < end) {
      const n = Math.min(BATCH_NONCES, end - pos);
      const batch = this.live().search(pos, n, maxHits - hits.length);
      for (const nonce of batch.nonces) hits.push({ nonce, hash: sha256d(withNonce(header, nonce)) });
      pos += n;
      if (batch.found > batch.nonces.length) {
        truncated = true;
        break;
      }
      if (pos < end) await yieldToEventLoop();
    }
    return { hits, tried: pos - start, truncated };
  }

  private live(): Sha256dWasmSearcher {
    if (!this.searcher) throw new EngineUnavailableError(this.name, 'engine was disposed');
    return this.searcher;
  }

  dispose(): void {
    this.searcher = undefined;
  }
}
