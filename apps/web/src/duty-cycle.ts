/**
 * Duty cycling: how much of the time the engines compute. The person's intensity (0.1..1) times
 * the courtesy throttle (0..1; 0 pauses) is the duty d. After a batch that took t ms, an engine
 * rests t * (1 - d) / d ms, so over time it computes a share d of the wall clock.
 */
import { MinerOptionError } from './errors.ts';

/** Lowest intensity the setting allows: below it a batch is followed by a rest >9x its length. */
export const MIN_INTENSITY = 0.1;
export const MAX_INTENSITY = 1;

/** Checks the person's intensity setting (a fraction 0.1..1). */
export function checkIntensity(value: unknown): number {
  if (typeof value !== 'number' || !Number.isFinite(value) || value < MIN_INTENSITY || value > MAX_INTENSITY) {
    throw new MinerOptionError(`intensity must be a number from ${MIN_INTENSITY} to ${MAX_INTENSITY} (got ${String(value)})`);
  }
  return value;
}

/** Checks a courtesy throttle factor (0 pauses, 1 is no throttle). */
export function checkThrottle(value: unknown): number {
  if (typeof value !== 'number' || !Number.isFinite(value) || value < 0 || value > 1) {
    throw new MinerOptionError(`throttle factor must be a number from 0 to 1 (got ${String(value)})`);
  }
  return value;
}

/** The share of time the engines compute: intensity x throttle, 0 meaning paused. */
export function effectiveDuty(intensity: number, throttle: number): number {
  return checkIntensity(intensity) * checkThrottle(throttle);
}

/**
 * Milliseconds to rest after a batch that took `batchMs` at duty `duty` (0 < duty <= 1):
 * batchMs * (1 - duty) / duty. A duty of 0 means paused, which is not a rest: callers wait
 * for the throttle to lift instead, so it is refused here.
 */
export function restAfterBatchMs(batchMs: number, duty: number): number {
  if (!Number.isFinite(batchMs) || batchMs < 0) throw new RangeError(`batch time must be a finite number of ms >= 0 (got ${batchMs})`);
  if (!Number.isFinite(duty) || duty <= 0 || duty > 1) throw new RangeError(`duty must be in (0, 1] (got ${duty}); 0 is a pause, not a rest`);
  return (batchMs * (1 - duty)) / duty;
}

/** Longest rest one call may ask a worker for (ms): 0.1 intensity x 0.25 throttle after a slow GPU batch stays below it. */
export const MAX_REST_MS = 60_000;

/**
 * A rest taken inside a worker. Rests run there, not on the page, because browsers throttle the
 * timers of a background tab's main thread (Chromium: to about 1 s), which turned "a quarter of
 * the intensity while hidden" into about 6 %; worker timers keep their precision.
 */
export function restInWorker(ms: number): Promise<void> {
  if (!Number.isFinite(ms) || ms < 0 || ms > MAX_REST_MS) return Promise.reject(new RangeError(`rest must be 0..${MAX_REST_MS} ms (got ${ms})`));
  return new Promise((resolve) => setTimeout(resolve, ms));
}
