/**
 * Variable difficulty for one connection: aims at one share every `targetShareSeconds`.
 * Pure (the clock is passed in), so tests drive it with a fake clock.
 *
 * Every `retargetSeconds` the share rate of the window is compared with the target rate; inside
 * the hysteresis band (±hysteresis) nothing changes, outside it the difficulty moves by the
 * measured ratio, limited per step and clamped to [minDifficulty, maxDifficulty]. Shares count
 * with the difficulty they were judged at, so shares for jobs sent before a change do not skew
 * the next estimate. A miner far too fast for its difficulty (an ASIC starting at a CPU's
 * difficulty) is retargeted early, as soon as FAST_RETARGET_FACTOR windows' worth of shares
 * arrived, so it does not flood the pool for a whole window.
 */
import type { VardiffConfig } from '../config/config.ts';

/** Largest upward step per retarget (a factor); the rate estimate bounds it in practice. */
export const MAX_STEP_UP = 1e6;
/** Largest downward step per retarget when shares arrived (a factor < 1). */
export const MAX_STEP_DOWN = 0.25;
/** Downward step when a whole window passed without any share. */
export const NO_SHARE_STEP = 0.5;
/** Retarget early once this many target windows' worth of shares arrived. */
export const FAST_RETARGET_FACTOR = 4;
/** ...but not before this much time passed (ms), so the rate estimate means something. */
export const MIN_FAST_RETARGET_MS = 1000;
/** Shares needed at least before an early retarget. */
export const MIN_FAST_RETARGET_SHARES = 8;

export class Vardiff {
  private current: number;
  private windowStart: number;
  /** Accepted work in the window, in difficulty units (sum of the share difficulties judged at). */
  private work = 0;
  private shares = 0;
  private readonly fastShares: number;

  constructor(
    private readonly config: VardiffConfig,
    initialDifficulty: number,
    nowMs: number,
  ) {
    if (!(config.targetShareSeconds > 0) || !(config.retargetSeconds > 0)) {
      throw new RangeError('vardiff targetShareSeconds and retargetSeconds must be positive');
    }
    if (!(config.minDifficulty > 0) || !(config.maxDifficulty >= config.minDifficulty)) {
      throw new RangeError('vardiff needs 0 < minDifficulty <= maxDifficulty');
    }
    if (!(config.hysteresis >= 0 && config.hysteresis < 1)) throw new RangeError('vardiff hysteresis must be in [0, 1)');
    this.current = this.clamp(initialDifficulty);
    this.windowStart = nowMs;
    this.fastShares = Math.max(MIN_FAST_RETARGET_SHARES, Math.ceil((FAST_RETARGET_FACTOR * config.retargetSeconds) / config.targetShareSeconds));
  }

  get difficulty(): number {
    return this.current;
  }

  /** Clamps a difficulty to [minDifficulty, maxDifficulty]. */
  clamp(d: number): number {
    if (!Number.isFinite(d) || d <= 0) return this.config.minDifficulty;
    return Math.min(this.config.maxDifficulty, Math.max(this.config.minDifficulty, d));
  }

  /**
   * Sets the difficulty (a miner's suggestion), clamped; starts a new window. Returns the
   * difficulty now in force.
   */
  set(difficulty: number, nowMs: number): number {
    this.current = this.clamp(difficulty);
    this.resetWindow(nowMs);
    return this.current;
  }

  /**
   * Records an accepted share judged at `shareDifficulty` (default: the current difficulty).
   * Returns the new difficulty when it changed, else undefined.
   */
  onShare(nowMs: number, shareDifficulty: number = this.current): number | undefined {
    this.work += shareDifficulty;
    this.shares++;
    const elapsed = nowMs - this.windowStart;
    if (elapsed >= this.config.retargetSeconds * 1000) return this.retarget(nowMs);
    if (this.shares >= this.fastShares && elapsed >= MIN_FAST_RETARGET_MS) {
      // Only early when clearly too fast; a slow miner waits for the full window.
      const ratio = this.ratio(elapsed);
      if (ratio > 1 + this.config.hysteresis) return this.retarget(nowMs);
    }
    return undefined;
  }

  /** Periodic check (shares or not). Returns the new difficulty when it changed. */
  tick(nowMs: number): number | undefined {
    if (nowMs - this.windowStart >= this.config.retargetSeconds * 1000) return this.retarget(nowMs);
    return undefined;
  }

  /** Measured share rate over the target rate, in current-difficulty shares. */
  private ratio(elapsedMs: number): number {
    const sharesAtCurrent = this.work / this.current;
    const rate = sharesAtCurrent / Math.max(elapsedMs / 1000, 0.001);
    return rate * this.config.targetShareSeconds;
  }

  private retarget(nowMs: number): number | undefined {
    const elapsed = nowMs - this.windowStart;
    let factor: number;
    if (this.shares === 0) {
      factor = NO_SHARE_STEP;
    } else {
      const ratio = this.ratio(elapsed);
      const h = this.config.hysteresis;
      if (ratio >= 1 - h && ratio <= 1 + h) {
        this.resetWindow(nowMs);
        return undefined;
      }
      factor = Math.min(MAX_STEP_UP, Math.max(MAX_STEP_DOWN, ratio));
    }
    this.resetWindow(nowMs);
    const next = this.clamp(roundDifficulty(this.current * factor));
    if (next === this.current) return undefined;
    this.current = next;
    return next;
  }

  private resetWindow(nowMs: number): void {
    this.windowStart = nowMs;
    this.work = 0;
    this.shares = 0;
  }
}

/**
 * Rounds to 3 significant digits so set_difficulty prints short values (0.00123, 4560);
 * the share target is derived from exactly this value.
 */
export function roundDifficulty(d: number): number {
  if (!Number.isFinite(d) || d <= 0) return d;
  return Number(d.toPrecision(3));
}
