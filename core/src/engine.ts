/**
 * The contract every nonce-search engine implements (JS reference, WASM scalar, WASM SIMD,
 * WebGPU), and the argument checks they share so that every engine rejects bad input with
 * the same typed errors and reasons.
 */
import { InvalidHeaderError, InvalidTargetError, NonceRangeError } from './errors.ts';

/** Number of distinct 32-bit nonces. */
export const NONCE_SPACE = 0x1_0000_0000;
/** 2^256: targets must be strictly below this. */
export const TARGET_LIMIT = 1n << 256n;
/** Hits one search call reports at most by default; more means the target is far too easy. */
export const DEFAULT_MAX_HITS = 256;

export type EngineName = 'js' | 'wasm' | 'wasm-simd' | 'webgpu';

/** One job for a SHA-256d nonce search. */
export interface Sha256dSearchJob {
  /** The 80-byte block header; bytes 76..79 (the nonce) are ignored and replaced per nonce. */
  readonly header: Uint8Array;
  /** Share target: a nonce is a hit iff sha256d(header) read as a little-endian uint256 <= target. */
  readonly target: bigint;
}

export interface SearchHit {
  /** The nonce as a u32 value (stored little-endian at header bytes 76..79). */
  readonly nonce: number;
  /** sha256d of the header with this nonce, internal byte order (32 bytes). */
  readonly hash: Uint8Array;
}

export interface SearchResult {
  /** Hits at or below the target, ascending by nonce. */
  readonly hits: SearchHit[];
  /** Nonces tried (equals the range length when the search ran to completion). */
  readonly tried: number;
  /** True when more than maxHits nonces hit and some were dropped. */
  readonly truncated: boolean;
}

export interface SearchOptions {
  /** Cap on reported hits (default DEFAULT_MAX_HITS). */
  readonly maxHits?: number;
}

/**
 * A nonce-range search for one algorithm. Ranges are [startNonce, startNonce + count) and must
 * not cross 2^32: a range that would wrap is rejected with NonceRangeError (documented choice:
 * wrapping would silently re-hash nonces the caller already covered).
 */
export interface NonceSearchEngine {
  readonly name: EngineName;
  readonly algo: 'sha256d';
  search(job: Sha256dSearchJob, startNonce: number, count: number, options?: SearchOptions): Promise<SearchResult>;
  /** Releases workers, GPU buffers and WASM instances. Idempotent. */
  dispose(): void;
}

/** Throws NonceRangeError unless [start, start + count) is a non-empty range inside [0, 2^32). */
export function checkNonceRange(start: number, count: number): void {
  if (!Number.isSafeInteger(start) || !Number.isSafeInteger(count)) {
    throw new NonceRangeError(`nonce range must be integers (got start=${start}, count=${count})`);
  }
  if (start < 0 || start >= NONCE_SPACE) {
    throw new NonceRangeError(`start nonce ${start} is outside 0..0xffffffff`);
  }
  if (count === 0) throw new NonceRangeError('nonce range is empty (count is 0)');
  if (count < 0) throw new NonceRangeError(`nonce range is inverted (count ${count} is negative)`);
  if (start + count > NONCE_SPACE) {
    throw new NonceRangeError(
      `nonce range ${start}..${start + count - 1} crosses 2^32; split it at 0xffffffff (ranges do not wrap)`,
    );
  }
}

/** Throws NonceRangeError for an inverted or empty [first, last] inclusive range given as bounds. */
export function rangeFromBounds(first: number, last: number): { start: number; count: number } {
  if (!Number.isSafeInteger(first) || !Number.isSafeInteger(last)) {
    throw new NonceRangeError(`nonce bounds must be integers (got ${first}..${last})`);
  }
  if (last < first) throw new NonceRangeError(`nonce range is inverted (${first} > ${last})`);
  const range = { start: first, count: last - first + 1 };
  checkNonceRange(range.start, range.count);
  return range;
}

/** Throws InvalidTargetError unless 0 < target < 2^256. */
export function checkTarget(target: bigint): void {
  if (typeof target !== 'bigint') throw new InvalidTargetError('target must be a bigint');
  if (target <= 0n) throw new InvalidTargetError('target is zero: no hash can meet it');
  if (target >= TARGET_LIMIT) throw new InvalidTargetError('target is 2^256 or more; the largest target is 2^256-1');
}

/** Throws InvalidHeaderError unless the header is exactly 80 bytes. */
export function checkHeader80(header: Uint8Array): void {
  if (!(header instanceof Uint8Array)) throw new InvalidHeaderError('header must be a Uint8Array');
  if (header.length !== 80) throw new InvalidHeaderError(`header must be 80 bytes (got ${header.length})`);
}

/** Checks every argument of a search; engines call this first. */
export function checkSearch(job: Sha256dSearchJob, start: number, count: number, options?: SearchOptions): number {
  checkHeader80(job.header);
  checkTarget(job.target);
  checkNonceRange(start, count);
  const maxHits = options?.maxHits ?? DEFAULT_MAX_HITS;
  if (!Number.isSafeInteger(maxHits) || maxHits < 1) {
    throw new NonceRangeError(`maxHits must be a positive integer (got ${maxHits})`);
  }
  return maxHits;
}

/**
 * The target as 8 u32 words, most significant first: words[0] holds bits 255..224.
 * Engines compare hash words against these from the top.
 */
export function targetToWords(target: bigint): Uint32Array {
  const words = new Uint32Array(8);
  for (let i = 0; i < 8; i++) {
    words[i] = Number((target >> BigInt(32 * (7 - i))) & 0xffff_ffffn);
  }
  return words;
}
