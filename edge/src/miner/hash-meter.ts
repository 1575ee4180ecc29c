/**
 * Hashrate from a growing hash counter: samples (time, total) and reports the rate over a
 * sliding window, so a figure reflects the last few seconds rather than the whole run.
 */

/** Default window of the reported rate, in milliseconds. */
export const HASHRATE_WINDOW_MS = 10_000;
/** Samples kept (one per second is plenty for the window). */
const MAX_SAMPLES = 64;

export class HashMeter {
  private readonly samples: { t: number; total: number }[] = [];

  /** Records the counter's value at time `t` (ms, monotonic). */
  sample(total: number, t = performance.now()): void {
    const last = this.samples[this.samples.length - 1];
    // A counter that went backwards (device restarted) starts a new series.
    if (last && total < last.total) this.samples.length = 0;
    this.samples.push({ t, total });
    if (this.samples.length > MAX_SAMPLES) this.samples.shift();
  }

  /** Hashes per second over the last `windowMs` (0 until two samples exist). */
  rate(windowMs = HASHRATE_WINDOW_MS): number {
    const last = this.samples[this.samples.length - 1];
    if (!last) return 0;
    let first = last;
    for (let i = this.samples.length - 2; i >= 0; i--) {
      first = this.samples[i]!;
      if (last.t - first.t >= windowMs) break;
    }
    const dt = last.t - first.t;
    return dt > 0 ? ((last.total - first.total) * 1000) / dt : 0;
  }

  reset(): void {
    this.samples.length = 0;
  }
}
