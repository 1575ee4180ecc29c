/**
 * Work: the expected number of hashes a target takes, floor(2^256 / (target + 1)) (Bitcoin
 * Core's GetBlockProof). Shares are credited, and chains compared, by the work of their targets.
 */
import { InvalidTargetError } from '../errors.ts';
import { bitsToTarget } from '../target.ts';
import { targetToLE } from '../algorithms/sha256d/share-validator.ts';

const TWO_256 = 1n << 256n;

/** floor(2^256 / (target + 1)); throws InvalidTargetError for targets outside 0..2^256-1. */
export function targetWork(target: bigint): bigint {
  if (target < 0n || target >= TWO_256) throw new InvalidTargetError('target must be in 0..2^256-1');
  return TWO_256 / (target + 1n);
}

/** A compact target decoded once: its value, its little-endian bytes (for hash comparison) and its work. */
export interface CompactTarget {
  readonly bits: number;
  readonly target: bigint;
  readonly le: Uint8Array;
  readonly work: bigint;
}

/** Distinct compact targets kept decoded (ASERT gives most shares their own; this covers a window's recent ones). */
const COMPACT_CACHE_SIZE = 4096;
const compactCache = new Map<number, CompactTarget>();

/** The decoded form of compact bits (cached; read-only). Throws InvalidTargetError for invalid bits. */
export function compactTarget(bits: number): CompactTarget {
  const hit = compactCache.get(bits);
  if (hit) return hit;
  const target = bitsToTarget(bits);
  if (target === 0n) throw new InvalidTargetError(`compact bits ${bits.toString(16)} encode a zero target`);
  const t: CompactTarget = Object.freeze({ bits, target, le: targetToLE(target), work: targetWork(target) });
  if (compactCache.size >= COMPACT_CACHE_SIZE) compactCache.clear();
  compactCache.set(bits, t);
  return t;
}
