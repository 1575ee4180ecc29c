/**
 * Group commit for accepted shares: "accepted means durable" without one transaction per share.
 *
 * `append(share)` queues the share and resolves only after the transaction holding it has
 * committed; the Stratum server answers the miner then. While the database is idle the first
 * share waits up to `flushMs` for company; while a commit is running, arrivals gather and are
 * committed together as soon as it finishes (at most `maxBatch` per transaction). One batch is
 * in flight at a time. When a commit fails, every promise of that batch rejects with the error,
 * and later batches are still tried. A share the database refuses because its hash is already
 * recorded rejects with DuplicateShareError (the rest of its batch commits). `maxPending` bounds
 * the queue: beyond it appends are refused at once (back-pressure rather than unbounded memory
 * when the database stalls).
 */
import { DuplicateShareError, StorageError } from '../errors.ts';
import type { InsertSharesResult, ShareRecord } from './pool-store.ts';

/** Where committed shares go: PoolStore implements it. */
export interface ShareSink {
  /** Commits the shares; the result lists those refused as already recorded (none when void). */
  insertShares(shares: readonly ShareRecord[]): Promise<InsertSharesResult | void>;
}

export interface ShareWriterOptions {
  /** Longest wait in milliseconds before an idle writer commits what it has (default 5). */
  readonly flushMs?: number;
  /** Most shares per transaction (default 2000). */
  readonly maxBatch?: number;
  /** Most shares queued or in flight before appends are refused (default 100,000). */
  readonly maxPending?: number;
  /** Called after each committed batch with the shares it recorded (feeds the PPLNS window and metrics). */
  readonly onCommit?: (batch: readonly ShareRecord[], elapsedMs: number) => void;
  /** Called when a batch fails (its appends reject as well). */
  readonly onError?: (err: StorageError, batchSize: number) => void;
}

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

export const DEFAULT_FLUSH_MS = 5;
export const DEFAULT_MAX_BATCH = 2000;
export const DEFAULT_MAX_PENDING = 100_000;

interface Entry {
  readonly share: ShareRecord;
  readonly resolve: () => void;
  readonly reject: (err: Error) => void;
}

export class ShareWriter {
  private readonly flushMs: number;
  private readonly maxBatch: number;
  private readonly maxPending: number;
  private queue: Entry[] = [];
  private timer: ReturnType<typeof setTimeout> | undefined;
  private inFlight: Promise<void> | undefined;
  private inFlightCount = 0;
  private stopped = false;
  private committedShares = 0;
  private refusedShares = 0;
  private committedBatches = 0;
  private failedBatches = 0;
  private lastBatchSize = 0;
  private lastCommitMs = 0;

  constructor(private readonly sink: ShareSink, private readonly options: ShareWriterOptions = {}) {
    this.flushMs = options.flushMs ?? DEFAULT_FLUSH_MS;
    this.maxBatch = options.maxBatch ?? DEFAULT_MAX_BATCH;
    this.maxPending = options.maxPending ?? DEFAULT_MAX_PENDING;
    if (!(this.flushMs >= 0) || !Number.isFinite(this.flushMs)) throw new StorageError('open', `share writer flushMs must be >= 0 (got ${this.flushMs})`);
    if (!Number.isInteger(this.maxBatch) || this.maxBatch < 1) throw new StorageError('open', `share writer maxBatch must be a whole number >= 1 (got ${this.maxBatch})`);
  }

  /** Queues a share; resolves once it is committed, rejects if its batch fails. */
  append(share: ShareRecord): Promise<void> {
    if (this.stopped) return Promise.reject(new StorageError('commit', 'the share writer is stopped; the share was not stored'));
    if (this.queue.length + this.inFlightCount >= this.maxPending) {
      return Promise.reject(new StorageError('commit', `the database is not keeping up (${this.maxPending} shares waiting to commit); the share was not stored`));
    }
    return new Promise<void>((resolve, reject) => {
      this.queue.push({ share, resolve, reject });
      this.schedule();
    });
  }

  /** Commits everything queued now; resolves when the queue is empty (failed batches included). */
  async flush(): Promise<void> {
    while (this.queue.length > 0 || this.inFlight) {
      this.kick();
      if (this.inFlight) await this.inFlight;
    }
  }

  /** Commits what is queued and refuses further appends. Idempotent. */
  async stop(): Promise<void> {
    this.stopped = true;
    await this.flush();
  }

  get stats(): ShareWriterStats {
    return {
      committedShares: this.committedShares,
      refusedShares: this.refusedShares,
      committedBatches: this.committedBatches,
      failedBatches: this.failedBatches,
      pending: this.queue.length + this.inFlightCount,
      lastBatchSize: this.lastBatchSize,
      lastCommitMs: this.lastCommitMs,
    };
  }

  /** Starts a commit now when a batch is full, else arms the idle timer; a running drain picks arrivals up. */
  private schedule(): void {
    if (this.inFlight || this.queue.length === 0) return;
    if (this.queue.length >= this.maxBatch || this.flushMs === 0 || this.stopped) this.kick();
    else this.timer ??= setTimeout(() => this.kick(), this.flushMs);
  }

  private kick(): void {
    if (this.timer) {
      clearTimeout(this.timer);
      this.timer = undefined;
    }
    if (this.inFlight || this.queue.length === 0) return;
    this.inFlight = this.drain().finally(() => {
      this.inFlight = undefined;
      // Shares appended between the drain's last check and now (e.g. by code resumed by a
      // resolved append) would otherwise wait for nobody.
      this.schedule();
    });
  }

  private async drain(): Promise<void> {
    while (this.queue.length > 0) {
      // Before each batch, let the event loop run: with a synchronous driver (SQLite) and appends
      // made from promise callbacks, full batches would otherwise follow each other in microtasks
      // and never give timers and sockets a turn. (It also lets a few more shares join the batch.)
      await new Promise<void>((resolve) => setImmediate(resolve));
      const batch = this.queue.splice(0, this.maxBatch);
      this.inFlightCount = batch.length;
      const started = performance.now();
      const shares = batch.map((e) => e.share);
      let refused: ReadonlySet<number>;
      try {
        refused = new Set((await this.sink.insertShares(shares))?.refused ?? []);
      } catch (err) {
        this.inFlightCount = 0;
        this.failedBatches++;
        const error = err instanceof StorageError ? err : new StorageError('commit', `could not commit ${batch.length} shares: ${(err as Error)?.message ?? String(err)}`, { cause: err });
        for (const e of batch) e.reject(error);
        this.options.onError?.(error, batch.length);
        continue;
      }
      this.inFlightCount = 0;
      const elapsed = performance.now() - started;
      const recorded = refused.size ? shares.filter((_, i) => !refused.has(i)) : shares;
      this.committedShares += recorded.length;
      this.refusedShares += refused.size;
      this.committedBatches++;
      this.lastBatchSize = batch.length;
      this.lastCommitMs = elapsed;
      batch.forEach((e, i) => (refused.has(i) ? e.reject(new DuplicateShareError(e.share.hash)) : e.resolve()));
      try {
        this.options.onCommit?.(recorded, elapsed);
      } catch {
        // A failing observer must not undo a commit or stall the writer.
      }
    }
  }
}
