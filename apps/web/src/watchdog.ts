/**
 * The worker watchdog's rules: how long a search may take before its worker counts as hung, and
 * how soon a worker that keeps failing is restarted. Pure: the clock and randomness come from
 * the caller, and `deadline` is the one helper that touches a timer.
 */
import { backoffDelayMs } from './backoff.ts';

/** A search never counts as hung sooner than this (ms): covers GC pauses and a busy machine. */
export const MIN_SEARCH_DEADLINE_MS = 5_000;
/** A search counts as hung after this many times its expected duration. */
export const HANG_FACTOR = 20;
/** Deadline (ms) while nothing is known about a worker's speed yet (its first batch). */
export const FIRST_SEARCH_DEADLINE_MS = 30_000;
/** Weight of the newest batch in the running estimate of a worker's batch time. */
export const BATCH_TIME_SMOOTHING = 0.3;
/** First restart delay (ms) for a failed worker. */
export const RESTART_BASE_MS = 500;
/** Longest restart delay (ms). */
export const RESTART_CAP_MS = 30_000;
/** A worker that ran this long (ms) before failing restarts without backoff. */
export const HEALTHY_WORKER_MS = 30_000;

/** Deadline (ms) for one search whose expected duration is `expectedMs` (undefined: not measured yet). */
export function searchDeadlineMs(expectedMs: number | undefined): number {
  if (expectedMs === undefined) return FIRST_SEARCH_DEADLINE_MS;
  if (!Number.isFinite(expectedMs) || expectedMs < 0) throw new RangeError(`expected batch time must be a finite number of ms >= 0 (got ${expectedMs})`);
  return Math.max(MIN_SEARCH_DEADLINE_MS, HANG_FACTOR * expectedMs);
}

/** The running estimate of a worker's batch time after one more batch took `sampleMs`. */
export function updateBatchEstimate(previousMs: number | undefined, sampleMs: number): number {
  if (!Number.isFinite(sampleMs) || sampleMs < 0) throw new RangeError(`batch time must be a finite number of ms >= 0 (got ${sampleMs})`);
  if (previousMs === undefined) return sampleMs;
  return previousMs + BATCH_TIME_SMOOTHING * (sampleMs - previousMs);
}

/**
 * Restart pacing for one worker slot: the first failure after a healthy run restarts almost at
 * once; failures in a row back off exponentially (with jitter) up to RESTART_CAP_MS.
 */
export class RestartPolicy {
  private failures = 0;
  private startedAt: number | undefined;

  constructor(
    private readonly options: { baseMs?: number; capMs?: number; healthyMs?: number; random?: () => number } = {},
  ) {}

  /** The worker in this slot (re)started at `nowMs`. */
  started(nowMs: number): void {
    this.startedAt = nowMs;
  }

  /** It failed at `nowMs`: milliseconds to wait before starting a fresh one. */
  failed(nowMs: number): number {
    const healthyMs = this.options.healthyMs ?? HEALTHY_WORKER_MS;
    if (this.startedAt !== undefined && nowMs - this.startedAt >= healthyMs) this.failures = 0;
    this.startedAt = undefined;
    this.failures++;
    return backoffDelayMs(this.failures, { baseMs: this.options.baseMs ?? RESTART_BASE_MS, capMs: this.options.capMs ?? RESTART_CAP_MS }, this.options.random);
  }

  /** Failures in a row so far. */
  get consecutiveFailures(): number {
    return this.failures;
  }
}

/** What `guard` rejects with when the time is up. */
export class DeadlineExceeded extends Error {
  override readonly name = 'DeadlineExceeded';
  constructor(readonly ms: number) {
    super(`no answer within ${(ms / 1000).toFixed(1)} s`);
  }
}

/**
 * A one-shot alarm: trips once with an error (a worker crashed, the miner stopped), telling every
 * listener. Listeners are removed when they are no longer needed, so guarding millions of batches
 * with the same tripwire keeps nothing alive.
 */
export class Tripwire {
  private error: Error | undefined;
  private readonly listeners = new Set<(error: Error) => void>();

  /** The error it tripped with, if it has. */
  get tripped(): Error | undefined {
    return this.error;
  }

  trip(error: Error): void {
    if (this.error) return;
    this.error = error;
    const listeners = [...this.listeners];
    this.listeners.clear();
    for (const listener of listeners) listener(error);
  }

  /** Calls `listener` when it trips (at once if it has); returns a function that removes it. */
  on(listener: (error: Error) => void): () => void {
    if (this.error) {
      listener(this.error);
      return () => undefined;
    }
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /** Listeners waiting (for tests and leak checks). */
  get listenerCount(): number {
    return this.listeners.size;
  }
}

/**
 * Resolves or rejects as `p` does, unless `ms` pass first (rejects with DeadlineExceeded) or a
 * tripwire trips first (rejects with its error). Timer and listeners are released as soon as one
 * of them wins. `p` itself is not cancelled: a hung worker is terminated by the caller.
 */
export function guard<T>(p: Promise<T>, ms: number, wires: readonly Tripwire[] = []): Promise<T> {
  if (!(ms >= 0)) return Promise.reject(new RangeError(`deadline must be a number of ms >= 0 (got ${ms})`));
  return new Promise<T>((resolve, reject) => {
    let settled = false;
    const offs: (() => void)[] = [];
    const timer = ms === Infinity ? undefined : setTimeout(() => settle(() => reject(new DeadlineExceeded(ms))), ms);
    function settle(f: () => void): void {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      for (const off of offs) off();
      f();
    }
    for (const wire of wires) offs.push(wire.on((err) => settle(() => reject(err))));
    p.then(
      (v) => settle(() => resolve(v)),
      (e: unknown) => settle(() => reject(e)),
    );
  });
}

/** Waits `ms`, or less if `wire` trips first (then resolves all the same). */
export function sleep(ms: number, wire?: Tripwire): Promise<void> {
  return guard(new Promise<never>(() => undefined), ms, wire ? [wire] : []).catch(() => undefined);
}
