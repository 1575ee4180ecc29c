/**
 * Group commit for accepted (pseudo-)shares: "accepted means durable" without one transaction
 * per share (group-commit.ts has the mechanics).
 *
 * `append(share)` queues the share and resolves only after the transaction holding it has
 * committed; the Stratum server answers the miner then. A share the database refuses because
 * its hash is already recorded rejects with DuplicateShareError (the rest of its batch commits).
 */
import { DuplicateShareError } from '../errors.ts';
import { GroupCommitWriter, type CommitResult, type GroupCommitOptions } from './group-commit.ts';
import type { ShareRecord } from './pool-store.ts';

export { DEFAULT_FLUSH_MS, DEFAULT_MAX_BATCH, DEFAULT_MAX_PENDING } from './group-commit.ts';

/** Where committed shares go: PoolStore implements it. */
export interface ShareSink {
  /** Commits the shares; the result lists those refused as already recorded (none when void). */
  insertShares(shares: readonly ShareRecord[]): Promise<CommitResult | void>;
}

/** The group commit's options, for shares (onCommit feeds the metrics). */
export type ShareWriterOptions = GroupCommitOptions<ShareRecord>;

export interface ShareWriterStats {
  readonly committedShares: number;
  /** Shares the database refused as already recorded (same hash). */
  readonly refusedShares: number;
  readonly committedBatches: number;
  readonly failedBatches: number;
  readonly pending: number;
  readonly lastBatchSize: number;
  readonly lastCommitMs: number;
}

export class ShareWriter extends GroupCommitWriter<ShareRecord> {
  constructor(sink: ShareSink, options: ShareWriterOptions = {}) {
    super('shares', (batch) => sink.insertShares(batch), (share) => new DuplicateShareError(share.hash), options);
  }

  get stats(): ShareWriterStats {
    const { committed, refused, ...rest } = this.counters;
    return { committedShares: committed, refusedShares: refused, ...rest };
  }
}
