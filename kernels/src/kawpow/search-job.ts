/**
 * The KawPow nonce-search contract, shaped like core's NonceSearchEngine (search a range of one
 * job, report hits at or below the target, ascending, dispose) with what KawPow changes: the
 * job is a header hash and a height (which picks the epoch's DAG and the period's program),
 * nonces are u64 (bigint), and a hit carries the mix hash a share must submit.
 *
 * Defined here until core's engine contract covers more than SHA-256d; the argument checks are
 * core's KawPow share-field checks, so every KawPow engine rejects bad input the same way.
 */
import {
  checkKawpowHeaderHash,
  checkKawpowHeight,
  checkKawpowNonce,
  checkTarget,
  DEFAULT_MAX_HITS,
  KAWPOW_MAX_NONCE,
  NonceRangeError,
  type SearchOptions,
} from '@otedama/core';

export interface KawpowSearchJob {
  /** 32 bytes, as ProgPoW takes it (what KawPow Stratum's mining.notify sends). */
  readonly headerHash: Uint8Array;
  /** Block height: its epoch picks the DAG, its period (height / 3) the program. */
  readonly height: number;
  /** Share target: a nonce is a hit iff the final hash, read as a big-endian number, is <= target. */
  readonly target: bigint;
}

export interface KawpowSearchHit {
  /** u64. */
  readonly nonce: bigint;
  /** 32 bytes, ProgPoW's output order (as Stratum submits it). */
  readonly mixHash: Uint8Array;
  /** 32 bytes: the block hash as displayed. */
  readonly finalHash: Uint8Array;
}

export interface KawpowSearchResult {
  /** Hits at or below the target, ascending by nonce. */
  readonly hits: KawpowSearchHit[];
  /** Nonces tried (the range length when the search ran to completion). */
  readonly tried: number;
  /** True when more than maxHits nonces hit and some were dropped. */
  readonly truncated: boolean;
}

export interface KawpowSearchEngine {
  readonly name: string;
  readonly algo: 'kawpow';
  /** Searches nonces [startNonce, startNonce + count); the range must stay within u64 (no wrap). */
  search(job: KawpowSearchJob, startNonce: bigint, count: number, options?: SearchOptions): Promise<KawpowSearchResult>;
  /** Releases GPU buffers (and DAGs the engine built). Idempotent. */
  dispose(): void;
}

/** Checks every argument of a KawPow search (typed core errors); returns maxHits. */
export function checkKawpowSearch(job: KawpowSearchJob, startNonce: bigint, count: number, options?: SearchOptions): number {
  checkKawpowHeaderHash(job.headerHash);
  checkKawpowHeight(job.height);
  checkTarget(job.target);
  checkKawpowNonce(startNonce);
  if (!Number.isSafeInteger(count)) throw new NonceRangeError(`nonce count must be an integer (got ${count})`);
  if (count === 0) throw new NonceRangeError('nonce range is empty (count is 0)');
  if (count < 0) throw new NonceRangeError(`nonce range is inverted (count ${count} is negative)`);
  if (startNonce + BigInt(count) - 1n > KAWPOW_MAX_NONCE) {
    throw new NonceRangeError(`nonce range ${startNonce}..${startNonce + BigInt(count) - 1n} crosses 2^64; split it at 2^64-1 (ranges do not wrap)`);
  }
  const maxHits = options?.maxHits ?? DEFAULT_MAX_HITS;
  if (!Number.isSafeInteger(maxHits) || maxHits < 1) throw new NonceRangeError(`maxHits must be a positive integer (got ${maxHits})`);
  return maxHits;
}
