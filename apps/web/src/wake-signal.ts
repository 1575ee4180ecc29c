/**
 * A wake-up call for the mining loops: they wait on it while paused, between jobs, and while
 * resting between batches; the miner notifies it whenever something they care about changes
 * (a new job, the intensity or throttle, stop). A wait ends at the next notify or after its
 * timeout, whichever comes first, and leaves nothing behind.
 */
export class WakeSignal {
  private readonly waiters = new Set<() => void>();

  /** Ends every wait in progress. */
  notify(): void {
    const waiters = [...this.waiters];
    this.waiters.clear();
    for (const wake of waiters) wake();
  }

  /** Resolves at the next notify(), or after `ms` (default: no timeout). */
  wait(ms = Infinity): Promise<void> {
    if (!(ms >= 0)) return Promise.reject(new RangeError(`wait must be a number of ms >= 0 (got ${ms})`));
    return new Promise<void>((resolve) => {
      const wake = (): void => {
        clearTimeout(timer);
        this.waiters.delete(wake);
        resolve();
      };
      const timer = ms === Infinity ? undefined : setTimeout(wake, ms);
      this.waiters.add(wake);
    });
  }

  /** Waits in progress (for tests and leak checks). */
  get waiting(): number {
    return this.waiters.size;
  }
}
