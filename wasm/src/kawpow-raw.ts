/**
 * The KawPow module's memory plan and its long loops (light-cache build, dataset ranges) on the
 * raw exports, shared by the main-thread context (kawpow-context.ts) and the worker threads
 * (kawpow-worker-body.ts). No value imports on purpose: Node loads the worker files with its own
 * type stripping (no TypeScript loader in worker threads), so this file must stand alone.
 *
 * Memory: [module's static data][light cache: items × 64 bytes][scratch: SCRATCH_BYTES], the
 * light cache at the module's lightCachePtr() (heap base, 64-byte aligned). The memory grows
 * once, to exactly that, when a context is created.
 */
import type { WasmGlobal, WasmMemory } from './wasm-api.ts';

/** Bytes of a light-cache item and of a 512-bit dataset item. */
export const ITEM512_BYTES = 64;
/** Bytes of scratch after the light cache: dataset-item output and test inputs (16,384 items). */
export const SCRATCH_BYTES = 1 << 20;
/** WebAssembly page size. */
export const PAGE_BYTES = 65536;
/** wasm32's addressable memory: a light cache and its scratch must fit below it. */
export const WASM32_MAX_BYTES = 2 ** 32;

/** The exports these loops use (a subset of KawpowExports in kawpow-context.ts). */
export interface RawKawpowExports {
  readonly memory: WasmMemory;
  readonly LIGHT_CACHE_ROUNDS: WasmGlobal;
  lightCachePtr(): number;
  setLightCache(items: number): void;
  setDatasetItems(items1024: number): void;
  lightCacheFill(seedPtr: number, from: number, to: number): void;
  lightCacheMix(from: number, to: number): void;
  buildL1(): void;
  datasetItems512(first: number, count: number, out: number): void;
  keccak256(input: number, len: number, out: number): void;
}

/** Where an epoch's light cache and scratch live in an instance. */
export interface KawpowLayout {
  readonly lightItems: number;
  readonly cachePtr: number;
  readonly scratchPtr: number;
  /** Memory the instance needs: up to the end of the scratch. */
  readonly bytes: number;
}

export function kawpowLayout(x: RawKawpowExports, lightItems: number): KawpowLayout {
  const cachePtr = x.lightCachePtr();
  const scratchPtr = cachePtr + lightItems * ITEM512_BYTES;
  return { lightItems, cachePtr, scratchPtr, bytes: scratchPtr + SCRATCH_BYTES };
}

/**
 * Grows the instance's memory to the layout (once) and declares the light cache and dataset
 * sizes. Throws RangeError when the layout exceeds wasm32 or the engine refuses to grow.
 */
export function prepareInstance(x: RawKawpowExports, layout: KawpowLayout, datasetItems: number): void {
  if (layout.bytes > WASM32_MAX_BYTES) {
    throw new RangeError(`a ${layout.lightItems * ITEM512_BYTES}-byte light cache does not fit in WebAssembly's 4 GiB memory`);
  }
  const have = x.memory.buffer.byteLength;
  if (layout.bytes > have) x.memory.grow(Math.ceil((layout.bytes - have) / PAGE_BYTES));
  x.setLightCache(layout.lightItems);
  x.setDatasetItems(datasetItems);
}

/** Keccak-512 steps of a whole light-cache build: one sequential pass and the RandMemoHash rounds. */
export function lightCacheSteps(x: RawKawpowExports, lightItems: number): number {
  return (1 + x.LIGHT_CACHE_ROUNDS.value) * lightItems;
}

/**
 * Advances a light-cache build from `step` by up to `maxSteps` keccak-512 steps and returns the
 * new step; the 32-byte epoch seed must be at the layout's scratch while step 0..n runs. The
 * last step also builds the L1 cache.
 */
export function advanceLightCache(x: RawKawpowExports, layout: KawpowLayout, step: number, maxSteps: number): number {
  const n = layout.lightItems;
  const total = lightCacheSteps(x, n);
  let budget = Math.max(1, Math.floor(maxSteps));
  while (budget > 0 && step < total) {
    const phase = Math.floor(step / n);
    const from = step - phase * n;
    const to = Math.min(n, from + budget);
    if (phase === 0) x.lightCacheFill(layout.scratchPtr, from, to);
    else x.lightCacheMix(from, to);
    budget -= to - from;
    step += to - from;
    if (step >= total) x.buildL1();
  }
  return step;
}

/** keccak-256 of the light cache, by the module: 32 bytes. */
export function lightCacheKeccak256(x: RawKawpowExports, layout: KawpowLayout): Uint8Array {
  x.keccak256(layout.cachePtr, layout.lightItems * ITEM512_BYTES, layout.scratchPtr);
  return new Uint8Array(x.memory.buffer, layout.scratchPtr, 32).slice();
}

/**
 * 512-bit dataset items [first, first + count) into `out` at `offset` (64 bytes each), through
 * the scratch in calls of at most SCRATCH_BYTES. The caller checks the range.
 */
export function datasetItems512Into(x: RawKawpowExports, layout: KawpowLayout, first: number, count: number, out: Uint8Array, offset = 0): void {
  const perCall = SCRATCH_BYTES / ITEM512_BYTES;
  for (let done = 0; done < count; done += perCall) {
    const n = Math.min(perCall, count - done);
    x.datasetItems512(first + done, n, layout.scratchPtr);
    out.set(new Uint8Array(x.memory.buffer, layout.scratchPtr, n * ITEM512_BYTES), offset + done * ITEM512_BYTES);
  }
}
