/**
 * One GPU kept busy by a miner, whatever it hashes: the runner searches its slice of nonces batch
 * by batch, reports hits, waits while it has nothing to search, takes new work between batches
 * (a new job replaces the slice at once), and stops on an engine error with that error kept for
 * the status. The algorithm's part (GpuSearchStep) is one batch's search and its size.
 */
import type { Logger } from '../logger.ts';
import type { MeteredGpu } from './miner-parts.ts';
import type { WorkRecord } from './miner-lifecycle.ts';

/** Nonces [start, end) of a piece of work. */
export interface GpuSlice<W> {
  readonly work: W;
  readonly start: bigint;
  readonly end: bigint;
}

export interface GpuSearchStep<W, H> {
  /** Searches `count` nonces of `work` from `start`. */
  search(work: W, start: bigint, count: number): Promise<{ readonly tried: number; readonly hits: readonly H[] }>;
  /** Nonces the next call searches, given the last call (none before the first). */
  batch(last?: { readonly count: number; readonly ms: number }): number;
  /** The slice to search once this one is done (none, or null: the GPU waits for new work). */
  next?(): GpuSlice<W> | null;
}

export class GpuRunner<G extends MeteredGpu['gpu'] & { close(): void }, W extends WorkRecord<unknown>, H> implements MeteredGpu {
  hashes = 0;
  error: string | null = null;
  private slice: { work: W; cursor: bigint; end: bigint } | null = null;
  private wake: (() => void) | null = null;
  private stopped = false;
  private done: Promise<void> | null = null;

  constructor(
    readonly gpu: G,
    private readonly step: GpuSearchStep<W, H>,
    private readonly onHit: (workId: number, hit: H) => void,
    private readonly log: Logger,
    /** Aborted when its miner stops: an error after that is the stop's, not the GPU's. */
    private readonly stopSignal?: AbortSignal,
  ) {}

  start(): void {
    this.done = this.loop();
  }

  /** Replaces what the GPU searches (null: it idles). */
  setWork(slice: GpuSlice<W> | null): void {
    this.slice = slice ? { work: slice.work, cursor: slice.start, end: slice.end } : null;
    this.wake?.();
  }

  async stop(): Promise<void> {
    this.stopped = true;
    this.wake?.();
    await this.done;
    this.gpu.close();
  }

  private async loop(): Promise<void> {
    let batch = this.step.batch();
    while (!this.stopped) {
      const s = this.slice;
      if (!s || s.cursor >= s.end) {
        await new Promise<void>((resolve) => (this.wake = resolve));
        this.wake = null;
        continue;
      }
      const left = s.end - s.cursor;
      const count = left < BigInt(batch) ? Number(left) : batch;
      const t0 = performance.now();
      try {
        const r = await this.step.search(s.work, s.cursor, count);
        this.hashes += r.tried;
        for (const h of r.hits) this.onHit(s.work.workId, h);
      } catch (err) {
        if (this.stopped || this.stopSignal?.aborted) return;
        this.error = (err as { reason?: string }).reason ?? (err as Error).message;
        this.log.error(`${this.gpu.label} stopped`, { error: this.error });
        return;
      }
      batch = this.step.batch({ count, ms: performance.now() - t0 });
      if (this.slice === s) {
        s.cursor += BigInt(count);
        if (s.cursor >= s.end && this.step.next) this.setWork(this.step.next());
      }
    }
  }
}
