/**
 * The page's own hashrate: hashes of the finished batches in a sliding window, divided by the time
 * the engines were actually observed hashing in it, not by the whole window. A miner that started
 * two seconds ago reads its real speed at once (not a fifth of it), and one that resumed after a
 * pause reads its speed since the resume; rests of the duty cycle inside the window count, so 25 %
 * intensity reads a quarter. Pure: times are passed in (performance.now() in the miner).
 */

export type DeviceKind = 'cpu' | 'gpu';

/** How far back the estimate looks (ms). */
export const HASHRATE_WINDOW_MS = 10_000;
/**
 * Shortest span (ms) a rate is averaged over: a first batch of 50 ms would otherwise read as its
 * own burst; one second holds several batches of every engine (50-250 ms each).
 */
export const MIN_RATE_SPAN_MS = 1_000;

interface Batch {
  /** When the batch started and ended (ms). */
  t0: number;
  t1: number;
  hashes: number;
  kind: DeviceKind;
}

export interface Rates {
  total: number;
  cpu: number;
  gpu: number;
  /** Milliseconds the total is averaged over (at most the window plus one batch). */
  spanMs: number;
}

export class RateWindow {
  private batches: Batch[] = [];

  constructor(private readonly windowMs = HASHRATE_WINDOW_MS) {}

  /** A finished batch of `hashes` that ran from t0 to t1 (ms). */
  add(kind: DeviceKind, hashes: number, t0: number, t1: number): void {
    if (!(hashes >= 0) || !(t1 >= t0)) return;
    this.batches.push({ t0, t1, hashes, kind });
  }

  /** Forgets every batch (a new start). */
  clear(): void {
    this.batches = [];
  }

  /**
   * Rates at `now`: batches that ended within the window count whole; each device's span starts
   * at the earliest start of its counted batches (never before: the time before it was not
   * observed), at least MIN_RATE_SPAN_MS. No batch in the window: 0 over the window.
   */
  rates(now: number): Rates {
    const from = now - this.windowMs;
    this.batches = this.batches.filter((b) => b.t1 >= from);
    const one = (kind: DeviceKind): [number, number] => {
      let hashes = 0;
      let start = Infinity;
      for (const b of this.batches) {
        if (b.kind !== kind) continue;
        hashes += b.hashes;
        start = Math.min(start, b.t0);
      }
      if (start === Infinity) return [0, 0];
      const span = Math.max(MIN_RATE_SPAN_MS, now - start);
      return [(hashes / span) * 1000, span];
    };
    const [cpu, cpuSpan] = one('cpu');
    const [gpu, gpuSpan] = one('gpu');
    const spanMs = Math.max(cpuSpan, gpuSpan) || this.windowMs;
    return { total: cpu + gpu, cpu, gpu, spanMs };
  }
}
