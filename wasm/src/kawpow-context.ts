/**
 * One KawPow epoch in one WebAssembly instance (wasm/assembly/kawpow): its light cache, the L1
 * cache, the period program last used, and synchronous hashing on them. This is the core that
 * the asynchronous hasher (kawpow.ts), the worker threads (kawpow-worker-body.ts) and the full
 * dataset (kawpow-dataset.ts) drive; it never yields and never allocates beyond the memory it
 * grows once at creation: light cache + SCRATCH_BYTES.
 *
 * An instance's memory only grows, so each epoch gets its own instance: dropping the context
 * frees the epoch's memory.
 */
import {
  checkKawpowDatasetItems,
  checkKawpowHeaderHash,
  checkKawpowHeight,
  checkKawpowMixHash,
  checkKawpowNonce,
  checkTarget,
  datasetItemCount,
  EngineUnavailableError,
  InvalidHeightError,
  kawpowEpoch,
  kawpowPeriod,
  KAWPOW_MAX_EPOCH,
  lightCacheItemCount,
  PROGPOW_CACHE_WORDS,
  PROGPOW_DAG_ITEM_BYTES,
  progpowProgram,
  type KawpowHashResult,
} from '@otedama/core';
import { LightCacheCorruptError, LightCacheNotBuiltError } from './errors.ts';
import {
  advanceLightCache,
  datasetItems512Into,
  ITEM512_BYTES,
  kawpowLayout,
  lightCacheKeccak256,
  lightCacheSteps,
  prepareInstance,
  SCRATCH_BYTES,
  WASM32_MAX_BYTES,
  type KawpowLayout,
  type RawKawpowExports,
} from './kawpow-raw.ts';
import { instantiateSync } from './loader.ts';
import type { WasmGlobal, WasmInstance, WasmModule } from './wasm-api.ts';

/** What the KawPow module exports (wasm/assembly/kawpow/index.ts). */
export interface KawpowExports extends RawKawpowExports {
  readonly HEADER_PTR: WasmGlobal;
  readonly MIX_PTR: WasmGlobal;
  readonly FINAL_PTR: WasmGlobal;
  readonly MIX_IN_PTR: WasmGlobal;
  readonly TARGET_PTR: WasmGlobal;
  readonly PROGRAM_PTR: WasmGlobal;
  readonly PROGRAM_CAPACITY: WasmGlobal;
  readonly L1_PTR: WasmGlobal;
  readonly ITEM_PTR: WasmGlobal;
  readonly FNV_LANES: WasmGlobal;
  readonly VERIFY_OK: WasmGlobal;
  readonly VERIFY_ABOVE_TARGET: WasmGlobal;
  readonly VERIFY_MIX_MISMATCH: WasmGlobal;
  setProgram(count: number): number;
  kissGenerate(statePtr: number, count: number, out: number): void;
  initMixTo(seed0: number, seed1: number, out: number): void;
  randomMath(a: number, b: number, selector: number): number;
  seedWordsTo(nonceLo: number, nonceHi: number, out: number): void;
  keccakF800At(ptr: number): void;
  hashLight(nonceLo: number, nonceHi: number): void;
  hashBegin(nonceLo: number, nonceHi: number): void;
  roundItemIndex(round: number): number;
  roundWithItem(round: number): void;
  hashEnd(): void;
  meetsTarget(): number;
  finalFromMix(nonceLo: number, nonceHi: number): void;
  verify(nonceLo: number, nonceHi: number): number;
  keccak512(input: number, len: number, out: number): void;
}

const FUNCTIONS = [
  'lightCachePtr', 'setLightCache', 'lightCacheFill', 'lightCacheMix', 'datasetItems512', 'setProgram', 'setDatasetItems',
  'buildL1', 'kissGenerate', 'initMixTo', 'randomMath', 'seedWordsTo', 'keccakF800At', 'hashLight', 'hashBegin',
  'roundItemIndex', 'roundWithItem', 'hashEnd', 'meetsTarget', 'finalFromMix', 'verify', 'keccak256', 'keccak512',
] as const;
const GLOBALS = [
  'HEADER_PTR', 'MIX_PTR', 'FINAL_PTR', 'MIX_IN_PTR', 'TARGET_PTR', 'PROGRAM_PTR', 'PROGRAM_CAPACITY', 'L1_PTR', 'ITEM_PTR',
  'LIGHT_CACHE_ROUNDS', 'FNV_LANES', 'VERIFY_OK', 'VERIFY_ABOVE_TARGET', 'VERIFY_MIX_MISMATCH',
] as const;

/** The exports of a KawPow instance, checked: a module of another kind is EngineUnavailableError. */
export function kawpowExports(instance: WasmInstance): KawpowExports {
  const x = instance.exports;
  const missing = [
    ...FUNCTIONS.filter((name) => typeof x[name] !== 'function'),
    ...GLOBALS.filter((name) => typeof (x[name] as WasmGlobal | undefined)?.value !== 'number'),
    ...(typeof (x['memory'] as { grow?: unknown } | undefined)?.grow === 'function' ? [] : ['memory']),
  ];
  if (missing.length > 0) {
    throw new EngineUnavailableError('wasm', `the module is not the KawPow hasher (no ${missing.join(', ')}); run "npm run build"`);
  }
  return x as unknown as KawpowExports;
}

/** How far a light-cache build is, in keccak-512 steps: `total` is 4 × the epoch's items. */
export interface LightCacheProgress {
  readonly epoch: number;
  readonly done: number;
  readonly total: number;
}

/** Bytes an epoch's context occupies (light cache plus scratch), for memory caps. */
export function kawpowContextBytes(epoch: number): number {
  return lightCacheItemCount(epoch) * ITEM512_BYTES + SCRATCH_BYTES;
}

/** The verdict codes of the module's verify(). */
export type VerifyCode = 'ok' | 'above-target' | 'mix-mismatch';

function splitNonce(nonce: bigint): [number, number] {
  return [Number(nonce & 0xffff_ffffn), Number(nonce >> 32n)];
}

/** Big-endian 32 bytes of a target. */
function targetBytes(target: bigint): Uint8Array {
  const out = new Uint8Array(32);
  let t = target;
  for (let i = 31; i >= 0; i--) {
    out[i] = Number(t & 0xffn);
    t >>= 8n;
  }
  return out;
}

export class KawpowContext {
  /** "wasm-simd" when the SIMD build runs it, else "wasm". */
  readonly engine: 'wasm' | 'wasm-simd';
  readonly epoch: number;
  /** 512-bit items in the light cache. */
  readonly lightItems: number;
  /** 1024-bit items in the epoch's full dataset (the default modulus of DAG reads). */
  readonly datasetItems: number;
  private readonly x: KawpowExports;
  private readonly layout: KawpowLayout;
  /** Build position in keccak-512 steps: [0, n) fill, then the RandMemoHash rounds. */
  private step = 0;
  private loadedPeriod = -1;

  private constructor(instance: WasmInstance, epoch: number) {
    this.x = kawpowExports(instance);
    this.engine = this.x.FNV_LANES.value > 1 ? 'wasm-simd' : 'wasm';
    this.epoch = epoch;
    this.lightItems = lightCacheItemCount(epoch);
    this.datasetItems = datasetItemCount(epoch);
    this.layout = kawpowLayout(this.x, this.lightItems);
    if (this.layout.bytes > WASM32_MAX_BYTES) {
      throw new InvalidHeightError(`epoch ${epoch}'s light cache (${this.lightItems * ITEM512_BYTES} bytes) does not fit in WebAssembly's 4 GiB memory`);
    }
    try {
      prepareInstance(this.x, this.layout, this.datasetItems);
    } catch (err) {
      throw new EngineUnavailableError(this.engine, `cannot grow WebAssembly memory to ${Math.ceil(this.layout.bytes / 2 ** 20)} MiB for epoch ${epoch} (${(err as Error).message})`, { cause: err });
    }
  }

  /**
   * A context for `epoch` from a compiled KawPow module, instantiated synchronously (workers;
   * the main thread of a browser may refuse large synchronous compiles, not instantiation).
   * Its memory grows once, to the light cache plus SCRATCH_BYTES.
   */
  static create(module: WasmModule, epoch: number): KawpowContext {
    if (!Number.isSafeInteger(epoch) || epoch < 0 || epoch > KAWPOW_MAX_EPOCH) {
      throw new InvalidHeightError(`epoch must be an integer in 0..${KAWPOW_MAX_EPOCH} (got ${epoch})`);
    }
    return new KawpowContext(instantiateSync(module, 'wasm'), epoch);
  }

  /** Keccak-512 steps of a whole build. */
  get buildSteps(): number {
    return lightCacheSteps(this.x, this.lightItems);
  }

  get built(): boolean {
    return this.step >= this.buildSteps;
  }

  progress(): LightCacheProgress {
    return { epoch: this.epoch, done: Math.min(this.step, this.buildSteps), total: this.buildSteps };
  }

  /**
   * Advances the light-cache build by up to `maxSteps` keccak-512 steps (about 2 µs each);
   * returns true once the cache and the L1 cache are complete. Call until it does.
   */
  buildStep(maxSteps: number): boolean {
    if (this.step === 0) this.seedHash(); // leaves the seed at the scratch, where the fill reads it
    this.step = advanceLightCache(this.x, this.layout, this.step, maxSteps);
    return this.built;
  }

  /** The whole build at once (worker threads; the main thread should use buildStep between yields). */
  buildAll(): void {
    while (!this.buildStep(this.buildSteps));
  }

  /** The epoch's seed hash, by this module's keccak-256 (`epoch` applications to 32 zero bytes). */
  seedHash(): Uint8Array {
    const scratch = this.layout.scratchPtr;
    const mem = new Uint8Array(this.x.memory.buffer, scratch, 32);
    mem.fill(0);
    for (let e = 0; e < this.epoch; e++) this.x.keccak256(scratch, 32, scratch);
    return mem.slice();
  }

  /**
   * Adopts light-cache bytes built elsewhere (a worker, a file, IndexedDB) and builds the L1
   * cache from them. Checks only the length: checksums are the serializer's (kawpow-light-cache.ts).
   */
  adoptLightCache(bytes: Uint8Array): void {
    const expected = this.lightItems * ITEM512_BYTES;
    if (!(bytes instanceof Uint8Array) || bytes.length !== expected) {
      throw new LightCacheCorruptError(`epoch ${this.epoch}'s light cache is ${expected} bytes (got ${bytes instanceof Uint8Array ? bytes.length : typeof bytes})`);
    }
    new Uint8Array(this.x.memory.buffer, this.layout.cachePtr, expected).set(bytes);
    this.step = this.buildSteps;
    this.x.buildL1();
  }

  /** The light cache's bytes: a view into this instance's memory (copy it to keep it past the context). */
  lightCacheView(): Uint8Array {
    this.requireBuilt();
    return new Uint8Array(this.x.memory.buffer, this.layout.cachePtr, this.lightItems * ITEM512_BYTES);
  }

  /** keccak-256 of the light cache (what the published vectors list per epoch). */
  lightCacheChecksum(): Uint8Array {
    this.requireBuilt();
    return lightCacheKeccak256(this.x, this.layout);
  }

  /** The L1 cache: the dataset's first 16 KiB as 4096 u32. */
  l1Cache(): Uint32Array {
    this.requireBuilt();
    return new Uint32Array(this.x.memory.buffer, this.x.L1_PTR.value, PROGPOW_CACHE_WORDS).slice();
  }

  /**
   * 512-bit dataset items [first, first + count) as bytes (64 each). Checked against the full
   * dataset (2 × datasetItems of them); a 2048-bit item i is 512-bit items 4i..4i+3.
   */
  datasetItems512(first: number, count: number, out?: Uint8Array): Uint8Array {
    this.requireBuilt();
    const limit = 2 * this.datasetItems;
    if (!Number.isSafeInteger(first) || !Number.isSafeInteger(count) || first < 0 || count < 1 || first + count > limit) {
      throw new RangeError(`512-bit dataset items ${first}..${first + count - 1} are outside epoch ${this.epoch}'s 0..${limit - 1}`);
    }
    const target = out ?? new Uint8Array(count * ITEM512_BYTES);
    if (target.length < count * ITEM512_BYTES) throw new RangeError(`output of ${target.length} bytes cannot hold ${count} items`);
    datasetItems512Into(this.x, this.layout, first, count, target);
    return target;
  }

  /** 2048-bit dataset items [first, first + count) as bytes (256 each). */
  datasetItems2048(first: number, count: number): Uint8Array {
    return this.datasetItems512(first * 4, count * 4);
  }

  /** Checks the common arguments and loads the header hash, the period's program and the dataset size. */
  private prepare(headerHash: Uint8Array, nonce: bigint, height: number, datasetItems: number | undefined): [number, number] {
    checkKawpowHeaderHash(headerHash);
    checkKawpowNonce(nonce);
    checkKawpowHeight(height);
    const epoch = kawpowEpoch(height);
    if (epoch !== this.epoch) throw new InvalidHeightError(`height ${height} is in epoch ${epoch}; this context holds epoch ${this.epoch}`);
    if (datasetItems !== undefined) checkKawpowDatasetItems(datasetItems, this.datasetItems);
    this.requireBuilt();
    this.x.setDatasetItems(datasetItems ?? this.datasetItems);
    this.loadProgram(kawpowPeriod(height));
    new Uint8Array(this.x.memory.buffer, this.x.HEADER_PTR.value, 32).set(headerHash);
    return splitNonce(nonce);
  }

  private loadProgram(period: number): void {
    if (period === this.loadedPeriod) return;
    const program = progpowProgram(period);
    new Uint32Array(this.x.memory.buffer, this.x.PROGRAM_PTR.value, program.encoded.length).set(program.encoded);
    const status = this.x.setProgram(program.ops.length);
    if (status !== 0) throw new EngineUnavailableError(this.engine, `the module refused operation ${status - 1} of period ${period}'s program`);
    this.loadedPeriod = period;
  }

  private result(): KawpowHashResult {
    const buf = this.x.memory.buffer;
    return {
      mixHash: new Uint8Array(buf, this.x.MIX_PTR.value, 32).slice(),
      finalHash: new Uint8Array(buf, this.x.FINAL_PTR.value, 32).slice(),
    };
  }

  /** Mix and final hash of one nonce by light evaluation (about 5 ms with SIMD). */
  hash(headerHash: Uint8Array, nonce: bigint, height: number, datasetItems?: number): KawpowHashResult {
    const [lo, hi] = this.prepare(headerHash, nonce, height, datasetItems);
    this.x.hashLight(lo, hi);
    return this.result();
  }

  /**
   * Mix and final hash with the rounds' 2048-bit items taken from `items` (a full dataset held
   * by the host) instead of computed: 64 lookups instead of 256 × 512 light-cache reads.
   */
  hashWithItems(headerHash: Uint8Array, nonce: bigint, height: number, items: (index: number) => Uint8Array, datasetItems?: number): KawpowHashResult {
    const [lo, hi] = this.prepare(headerHash, nonce, height, datasetItems);
    this.x.hashBegin(lo, hi);
    const itemPtr = this.x.ITEM_PTR.value;
    for (let r = 0; r < 64; r++) {
      const index = this.x.roundItemIndex(r) >>> 0;
      const item = items(index);
      if (item.length !== PROGPOW_DAG_ITEM_BYTES) throw new RangeError(`dataset item ${index} is ${item.length} bytes, not ${PROGPOW_DAG_ITEM_BYTES}`);
      new Uint8Array(this.x.memory.buffer, itemPtr, PROGPOW_DAG_ITEM_BYTES).set(item);
      this.x.roundWithItem(r);
    }
    this.x.hashEnd();
    return this.result();
  }

  /**
   * Checks a share by light evaluation: the final hash from the submitted mix against the target
   * first (no DAG work when it fails), then the mix hash itself.
   */
  verify(headerHash: Uint8Array, nonce: bigint, height: number, mixHash: Uint8Array, target: bigint, datasetItems?: number): { code: VerifyCode; finalHash: Uint8Array } {
    checkKawpowMixHash(mixHash);
    checkTarget(target);
    const [lo, hi] = this.prepare(headerHash, nonce, height, datasetItems);
    const buf = this.x.memory.buffer;
    new Uint8Array(buf, this.x.MIX_IN_PTR.value, 32).set(mixHash);
    new Uint8Array(buf, this.x.TARGET_PTR.value, 32).set(targetBytes(target));
    const code = this.x.verify(lo, hi);
    const finalHash = new Uint8Array(buf, this.x.FINAL_PTR.value, 32).slice();
    if (code === this.x.VERIFY_OK.value) return { code: 'ok', finalHash };
    if (code === this.x.VERIFY_ABOVE_TARGET.value) return { code: 'above-target', finalHash };
    return { code: 'mix-mismatch', finalHash };
  }

  // ---- Primitives, for the compliance suite's step-by-step traces ---------------------------

  /** keccak-f800 of a 25-word state, by the module. */
  keccakF800(state: Uint32Array): Uint32Array {
    if (state.length !== 25) throw new RangeError(`keccak-f800 takes 25 words (got ${state.length})`);
    const view = new Uint32Array(this.x.memory.buffer, this.layout.scratchPtr, 25);
    view.set(state);
    this.x.keccakF800At(this.layout.scratchPtr);
    return view.slice();
  }

  /** The 8 words after the first keccak-f800 of (header hash, nonce). */
  seedWords(headerHash: Uint8Array, nonce: bigint): Uint32Array {
    checkKawpowHeaderHash(headerHash);
    checkKawpowNonce(nonce);
    new Uint8Array(this.x.memory.buffer, this.x.HEADER_PTR.value, 32).set(headerHash);
    const [lo, hi] = splitNonce(nonce);
    this.x.seedWordsTo(lo, hi, this.layout.scratchPtr);
    return new Uint32Array(this.x.memory.buffer, this.layout.scratchPtr, 8).slice();
  }

  /** The final hash from a submitted mix hash (two keccak-f800, no DAG). */
  finalHashFromMix(headerHash: Uint8Array, nonce: bigint, mixHash: Uint8Array): Uint8Array {
    checkKawpowHeaderHash(headerHash);
    checkKawpowNonce(nonce);
    checkKawpowMixHash(mixHash);
    const buf = this.x.memory.buffer;
    new Uint8Array(buf, this.x.HEADER_PTR.value, 32).set(headerHash);
    new Uint8Array(buf, this.x.MIX_IN_PTR.value, 32).set(mixHash);
    const [lo, hi] = splitNonce(nonce);
    this.x.finalFromMix(lo, hi);
    return new Uint8Array(buf, this.x.FINAL_PTR.value, 32).slice();
  }

  /** The lanes' initial registers (16 × 32, lane-major). */
  initMix(seed0: number, seed1: number): Uint32Array {
    this.x.initMixTo(seed0 >>> 0, seed1 >>> 0, this.layout.scratchPtr);
    return new Uint32Array(this.x.memory.buffer, this.layout.scratchPtr, 16 * 32).slice();
  }

  randomMath(a: number, b: number, selector: number): number {
    return this.x.randomMath(a >>> 0, b >>> 0, selector >>> 0) >>> 0;
  }

  /** `count` KISS99 outputs from a state (z, w, jsr, jcong). */
  kiss99(state: { z: number; w: number; jsr: number; jcong: number }, count: number): number[] {
    if (!Number.isSafeInteger(count) || count < 0 || (count + 4) * 4 > SCRATCH_BYTES) throw new RangeError(`count must be 0..${SCRATCH_BYTES / 4 - 4}`);
    const words = new Uint32Array(this.x.memory.buffer, this.layout.scratchPtr, 4 + count);
    words.set([state.z, state.w, state.jsr, state.jcong]);
    this.x.kissGenerate(this.layout.scratchPtr, count, this.layout.scratchPtr + 16);
    return Array.from(words.subarray(4));
  }

  private requireBuilt(): void {
    if (!this.built) throw new LightCacheNotBuiltError(this.epoch);
  }
}
