/**
 * Exponential backoff with jitter, shared by the job connection (reconnects, failover) and the
 * worker supervisor (restarting a worker that keeps crashing). Pure: randomness is injected.
 */

export interface BackoffOptions {
  /** Delay before the first retry (ms). */
  readonly baseMs: number;
  /** Longest delay (ms), jitter included. */
  readonly capMs: number;
}

/**
 * Delay before retry number `attempt` (1, 2, 3...): base x 2^(attempt-1), capped, with "equal
 * jitter" (a uniformly random point in the upper half), so many browsers that lost the same
 * edge do not all come back in the same millisecond, yet none retries much sooner than planned.
 * `random` returns a number in [0, 1), like Math.random.
 */
export function backoffDelayMs(attempt: number, options: BackoffOptions, random: () => number = Math.random): number {
  if (!Number.isInteger(attempt) || attempt < 1) throw new RangeError(`attempt must be a whole number >= 1 (got ${attempt})`);
  const { baseMs, capMs } = options;
  if (!Number.isFinite(baseMs) || baseMs <= 0) throw new RangeError(`baseMs must be a positive number (got ${baseMs})`);
  if (!Number.isFinite(capMs) || capMs < baseMs) throw new RangeError(`capMs must be a number >= baseMs (got ${capMs})`);
  const r = random();
  if (!(r >= 0 && r < 1)) throw new RangeError(`random() must return a number in [0, 1) (got ${r})`);
  // 2^(attempt-1) overflows to Infinity for huge attempts; min() caps it.
  const exponential = Math.min(capMs, baseMs * 2 ** Math.min(attempt - 1, 1024));
  return exponential / 2 + (r * exponential) / 2;
}
