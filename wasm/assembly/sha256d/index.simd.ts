/**
 * SHA-256d nonce search, SIMD build: four nonces per kernel iteration, one per i32x4 lane of
 * v128 values (compiled with --enable simd). Same kernel source as the scalar build: common.ts.
 */
import { searchRange } from './common';

export { HEADER_PTR, TARGET_PTR, HITS_PTR, HITS_CAPACITY, setJob, checkNonce, lastFound, lastTried } from './common';

/** Nonces the kernel hashes per iteration. */
export const LANES: u32 = 4;

/**
 * Searches [start, start + count) for hashes at or below the target set by setJob().
 * Writes up to min(maxHits, HITS_CAPACITY) hit nonces at HITS_PTR and returns how many.
 */
export function search(start: u32, count: u32, maxHits: u32): u32 {
  return searchRange<v128>(start, count, maxHits);
}
