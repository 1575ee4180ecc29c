/**
 * Group commit: "acknowledged means durable" without one transaction per item.
 *
 * `append(item)` queues the item and resolves only after the transaction holding it has
 * committed. While the database is idle the first item waits up to `flushMs` for company; while a
 * commit is running, arrivals gather and are committed together as soon as it finishes (at most
 * `maxBatch` per transaction). One batch is in flight at a time, so items commit in the order
 * they were appended. When a commit fails, every promise of that batch rejects with the error,
 * and later batches are still tried. The sink may refuse single items of a batch (an item already
 * recorded): their promises reject with `refusedError(item)` while the rest of the batch commits.
 * `maxPending` bounds the queue: beyond it appends are refused at once (back-pressure rather than
 * unbounded memory when the database stalls).
 *
 * The ShareWriter (pseudo-shares) and the sharechain's store (chain shares) are two of these.
 */
import { StorageError } from '../errors.ts';

/** What a sink answers for a committed batch: positions (in the batch) of items it refused. */
export interface CommitResult {
  readonly refused: readonly number[];
}

/** Commits one batch in one transaction. */
export type CommitBatch<T> = (batch: readonly T[]) => Promise<CommitResult | void>;

export interface GroupCommitOptions<T> {
  /** Longest wait in milliseconds before an idle writer commits what it has (default 5). */
  readonly flushMs?: number;
  /** Most items per transaction (default 2000). */
  readonly maxBatch?: number;
  /** Most items queued or in flight before appends are refused (default 100,000). */
  readonly maxPending?: number;
  /** Called after each committed batch with the items it recorded. */
  readonly onCommit?: (batch: readonly T[], elapsedMs: number) => void;
  /** Called when a batch fails (its appends reject as well). */
  readonly onError?: (err: StorageError, batchSize: number) => void;
}

export interface GroupCommitStats {
  readonly committed: number;
  /** Items the sink refused (already recorded). */
  readonly refused: number;
  readonly committedBatches: number;
  readonly failedBatches: number;
  readonly pending: number;
  readonly lastBatchSize: number;
  readonly lastCommitMs: number;
}

export const DEFAULT_FLUSH_MS = 5;
export const DEFAULT_MAX_BATCH = 2000;
export const DEFAULT_MAX_PENDING = 100_000;

interface Entry<T> {
  readonly item: T;
  readonly resolve: () => void;
  readonly reject: (err: Error) => void;
}

export class GroupCommitWriter<T> {
  private readonly flushMs: number;
  private readonly maxBatch: number;
  private readonly maxPending: number;
  private queue: Entry<T>[] = [];
  private timer: ReturnType<typeof setTimeout> | undefined;
  private inFlight: Promise<void> | undefined;
  private inFlightCount = 0;
  private stopped = false;
  private counts = { committed: 0, refused: 0, committedBatches: 0, failedBatches: 0, lastBatchSize: 0, lastCommitMs: 0 };

  constructor(
    /** What the writer stores ("shares", "sharechain shares"): error messages name it. */
    private readonly what: string,
    private readonly commit: CommitBatch<T>,
    private readonly refusedError: (item: T) => Error,
    private readonly options: GroupCommitOptions<T> = {},
  ) {
    this.flushMs = options.flushMs ?? DEFAULT_FLUSH_MS;
    this.maxBatch = options.maxBatch ?? DEFAULT_MAX_BATCH;
    this.maxPending = options.maxPending ?? DEFAULT_MAX_PENDING;
    if (!(this.flushMs >= 0) || !Number.isFinite(this.flushMs)) throw new StorageError('open', `${what} writer flushMs must be >= 0 (got ${this.flushMs})`);
    if (!Number.isInteger(this.maxBatch) || this.maxBatch < 1) throw new StorageError('open', `${what} writer maxBatch must be a whole number >= 1 (got ${this.maxBatch})`);
  }

  /** Queues an item; resolves once it is committed, rejects if its batch fails or the sink refuses it. */
  append(item: T): Promise<void> {
    if (this.stopped) return Promise.reject(new StorageError('commit', `the ${this.what} writer is stopped; nothing was stored`));
    if (this.queue.length + this.inFlightCount >= this.maxPending) {
      return Promise.reject(new StorageError('commit', `the database is not keeping up (${this.maxPending} ${this.what} waiting to commit); nothing was stored`));
    }
    return new Promise<void>((resolve, reject) => {
      this.queue.push({ item, resolve, reject });
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

  get counters(): GroupCommitStats {
    return { ...this.counts, pending: this.queue.length + this.inFlightCount };
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
      // Items appended between the drain's last check and now (e.g. by code resumed by a
      // resolved append) would otherwise wait for nobody.
      this.schedule();
    });
  }

  private async drain(): Promise<void> {
    while (this.queue.length > 0) {
      // Before each batch, let the event loop run: with a synchronous driver (SQLite) and appends
      // made from promise callbacks, full batches would otherwise follow each other in microtasks
      // and never give timers and sockets a turn. (It also lets a few more items join the batch.)
      await new Promise<void>((resolve) => setImmediate(resolve));
      const batch = this.queue.splice(0, this.maxBatch);
      this.inFlightCount = batch.length;
      const started = performance.now();
      const items = batch.map((e) => e.item);
      let refused: ReadonlySet<number>;
      try {
        refused = new Set((await this.commit(items))?.refused ?? []);
      } catch (err) {
        this.inFlightCount = 0;
        this.counts.failedBatches++;
        const error = err instanceof StorageError ? err : new StorageError('commit', `could not commit ${batch.length} ${this.what}: ${(err as Error)?.message ?? String(err)}`, { cause: err });
        for (const e of batch) e.reject(error);
        this.options.onError?.(error, batch.length);
        continue;
      }
      this.inFlightCount = 0;
      const elapsed = performance.now() - started;
      const recorded = refused.size ? items.filter((_, i) => !refused.has(i)) : items;
      this.counts.committed += recorded.length;
      this.counts.refused += refused.size;
      this.counts.committedBatches++;
      this.counts.lastBatchSize = batch.length;
      this.counts.lastCommitMs = elapsed;
      batch.forEach((e, i) => (refused.has(i) ? e.reject(this.refusedError(e.item)) : e.resolve()));
      try {
        this.options.onCommit?.(recorded, elapsed);
      } catch {
        // A failing observer must not undo a commit or stall the writer.
      }
    }
  }
}
