/**
 * SHA-256d nonce search, scalar build (one nonce per kernel iteration, plain i32 code).
 * Built without SIMD for engines that cannot validate the SIMD module. See common.ts.
 */
import { searchRange } from './common';

export { HEADER_PTR, TARGET_PTR, HITS_PTR, HITS_CAPACITY, setJob, checkNonce, lastFound, lastTried } from './common';

/** Nonces the kernel hashes per iteration. */
export const LANES: u32 = 1;

/**
 * Searches [start, start + count) for hashes at or below the target set by setJob().
 * Writes up to min(maxHits, HITS_CAPACITY) hit nonces at HITS_PTR and returns how many.
 */
export function search(start: u32, count: u32, maxHits: u32): u32 {
  return searchRange<u32>(start, count, maxHits);
}
