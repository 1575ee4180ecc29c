/**
 * The ethash light cache of an epoch and the dataset (DAG) items computed from it, with
 * KawPow's 512 parents per item.
 *
 * Memory: the light cache sits at lightCachePtr() (the heap base, 64-byte aligned), followed by
 * whatever scratch the host reserves; the host grows the memory once to fit both (see
 * wasm/src/kawpow-module.ts). Item indices are u32: for every epoch KawPow defines (<= 32639)
 * the dataset has fewer than 2^32 512-bit items.
 *
 * Light cache (ethash): item 0 = keccak512(seed), item i = keccak512(item i-1); then 3 rounds of
 * RandMemoHash: item i = keccak512(item[item_i.word0 % n] ^ item[(i - 1) mod n]), in index order.
 * Both passes are exported in index ranges so the host can build in chunks (progress, cancel).
 *
 * Dataset item (512 bits) number i: mix = keccak512(cache[i % n] with word 0 ^= i); then for
 * j in 0..511: mix = fnv1(mix, cache[fnv1(i ^ j, mix[j % 16]) % n]) word by word; item =
 * keccak512(mix). Items are computed four at a time, interleaved, so that four parents' cache
 * lines are in flight together; fnv1 of 16 words is four i32x4 operations in the SIMD build.
 */
import { keccak512, keccak512of64 } from './keccak';

/** FNV-1 32-bit prime. */
const FNV_PRIME: u32 = 0x01000193;
/** Light-cache parents per 512-bit dataset item: 512 in KawPow (ethash: 256). */
const DATASET_PARENTS: u32 = 512;
/** Rounds of RandMemoHash over the light cache. */
export const LIGHT_CACHE_ROUNDS: u32 = 3;
/** Bytes of a light-cache item and of a 512-bit dataset item. */
const ITEM_BYTES: usize = 64;

/** Items in the light cache (set by setLightCache). */
let lightItems: u32 = 0;

/** Address of the light cache: the heap base, aligned to a cache line. */
export function lightCachePtr(): usize {
  return (__heap_base + 63) & ~(<usize>63);
}

/** Declares the light cache: `items` 512-bit items at lightCachePtr() (the host sized the memory). */
export function setLightCache(items: u32): void {
  lightItems = items;
}

export function lightCacheItems(): u32 {
  return lightItems;
}

/**
 * The sequential pass over items [from, to): item 0 is keccak512 of the 32-byte seed at
 * `seedPtr`, each next one keccak512 of the previous. Call with consecutive ranges from 0.
 */
export function lightCacheFill(seedPtr: usize, from: u32, to: u32): void {
  const cache = lightCachePtr();
  for (let i = from; i < to; i++) {
    const item = cache + <usize>i * ITEM_BYTES;
    if (i == 0) keccak512(seedPtr, 32, item);
    else keccak512of64(item - ITEM_BYTES, item);
  }
}

/** XOR of two items for RandMemoHash. */
const XORED: usize = memory.data(64, 64);

/**
 * One RandMemoHash step over items [from, to) of the current round; a round is consecutive
 * ranges covering 0..n, and the three rounds run one after the other.
 */
export function lightCacheMix(from: u32, to: u32): void {
  const cache = lightCachePtr();
  const n = lightItems;
  for (let i = from; i < to; i++) {
    const v = cache + <usize>(load<u32>(cache + <usize>i * ITEM_BYTES) % n) * ITEM_BYTES;
    const w = cache + <usize>((n + i - 1) % n) * ITEM_BYTES;
    for (let k: usize = 0; k < ITEM_BYTES; k += 8) store<u64>(XORED + k, load<u64>(v + k) ^ load<u64>(w + k));
    keccak512of64(XORED, cache + <usize>i * ITEM_BYTES);
  }
}

/** The four mixes of an interleaved group. */
const MIX4: usize = memory.data(256, 64);

/** mix = fnv1(mix, parent) over 16 words. */
@inline function fnvMerge(mix: usize, parent: usize): void {
  if (ASC_FEATURE_SIMD) {
    const prime = i32x4.splat(FNV_PRIME);
    v128.store(mix, v128.xor(i32x4.mul(v128.load(mix), prime), v128.load(parent)));
    v128.store(mix, v128.xor(i32x4.mul(v128.load(mix, 16), prime), v128.load(parent, 16)), 16);
    v128.store(mix, v128.xor(i32x4.mul(v128.load(mix, 32), prime), v128.load(parent, 32)), 32);
    v128.store(mix, v128.xor(i32x4.mul(v128.load(mix, 48), prime), v128.load(parent, 48)), 48);
  } else {
    // Written out: V8 does not unroll wasm loops, and a 16-iteration loop costs as much as its body.
    store<u32>(mix, (load<u32>(mix, 0) * FNV_PRIME) ^ load<u32>(parent, 0), 0);
    store<u32>(mix, (load<u32>(mix, 4) * FNV_PRIME) ^ load<u32>(parent, 4), 4);
    store<u32>(mix, (load<u32>(mix, 8) * FNV_PRIME) ^ load<u32>(parent, 8), 8);
    store<u32>(mix, (load<u32>(mix, 12) * FNV_PRIME) ^ load<u32>(parent, 12), 12);
    store<u32>(mix, (load<u32>(mix, 16) * FNV_PRIME) ^ load<u32>(parent, 16), 16);
    store<u32>(mix, (load<u32>(mix, 20) * FNV_PRIME) ^ load<u32>(parent, 20), 20);
    store<u32>(mix, (load<u32>(mix, 24) * FNV_PRIME) ^ load<u32>(parent, 24), 24);
    store<u32>(mix, (load<u32>(mix, 28) * FNV_PRIME) ^ load<u32>(parent, 28), 28);
    store<u32>(mix, (load<u32>(mix, 32) * FNV_PRIME) ^ load<u32>(parent, 32), 32);
    store<u32>(mix, (load<u32>(mix, 36) * FNV_PRIME) ^ load<u32>(parent, 36), 36);
    store<u32>(mix, (load<u32>(mix, 40) * FNV_PRIME) ^ load<u32>(parent, 40), 40);
    store<u32>(mix, (load<u32>(mix, 44) * FNV_PRIME) ^ load<u32>(parent, 44), 44);
    store<u32>(mix, (load<u32>(mix, 48) * FNV_PRIME) ^ load<u32>(parent, 48), 48);
    store<u32>(mix, (load<u32>(mix, 52) * FNV_PRIME) ^ load<u32>(parent, 52), 52);
    store<u32>(mix, (load<u32>(mix, 56) * FNV_PRIME) ^ load<u32>(parent, 56), 56);
    store<u32>(mix, (load<u32>(mix, 60) * FNV_PRIME) ^ load<u32>(parent, 60), 60);
  }
}

/** Parent number j of item `seed` whose mix is at `mix`. */
@inline function parentAddress(cache: usize, seed: u32, j: u32, mix: usize, n: u32): usize {
  const t = ((seed ^ j) * FNV_PRIME) ^ load<u32>(mix + ((<usize>j & 15) << 2));
  return cache + <usize>(t % n) * ITEM_BYTES;
}

/** The 512-bit dataset items first..first+3 (64 bytes each) to `out`. */
export function datasetItems4(first: u32, out: usize): void {
  const cache = lightCachePtr();
  const n = lightItems;
  for (let k: u32 = 0; k < 4; k++) {
    const index = first + k;
    const mix = MIX4 + (<usize>k << 6);
    memory.copy(mix, cache + <usize>(index % n) * ITEM_BYTES, 64);
    store<u32>(mix, load<u32>(mix) ^ index);
    keccak512of64(mix, mix);
  }
  const s0 = first, s1 = first + 1, s2 = first + 2, s3 = first + 3;
  const m0 = MIX4, m1 = MIX4 + 64, m2 = MIX4 + 128, m3 = MIX4 + 192;
  for (let j: u32 = 0; j < DATASET_PARENTS; j++) {
    const p0 = parentAddress(cache, s0, j, m0, n);
    const p1 = parentAddress(cache, s1, j, m1, n);
    const p2 = parentAddress(cache, s2, j, m2, n);
    const p3 = parentAddress(cache, s3, j, m3, n);
    fnvMerge(m0, p0);
    fnvMerge(m1, p1);
    fnvMerge(m2, p2);
    fnvMerge(m3, p3);
  }
  keccak512of64(m0, out);
  keccak512of64(m1, out + 64);
  keccak512of64(m2, out + 128);
  keccak512of64(m3, out + 192);
}

/** Output of a partial group. */
const GROUP: usize = memory.data(256, 64);

/**
 * The 512-bit dataset items [first, first + count) to `out` (64 bytes each, in order). A
 * 1024-bit item i is 512-bit items 2i, 2i+1; a 2048-bit item i is 4i..4i+3.
 */
export function datasetItems512(first: u32, count: u32, out: usize): void {
  let i: u32 = 0;
  for (; i + 4 <= count; i += 4) datasetItems4(first + i, out + (<usize>i << 6));
  if (i < count) {
    datasetItems4(first + i, GROUP);
    memory.copy(out + (<usize>i << 6), GROUP, <usize>(count - i) << 6);
  }
}
