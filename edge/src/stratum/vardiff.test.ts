import { describe, expect, it } from 'vitest';
import type { VardiffConfig } from '../config/config.ts';
import { MAX_STEP_DOWN, NO_SHARE_STEP, Vardiff, roundDifficulty } from './vardiff.ts';

const config: VardiffConfig = { targetShareSeconds: 10, retargetSeconds: 30, hysteresis: 0.5, minDifficulty: 0.001, maxDifficulty: 1000 };

/** Feeds shares at a steady interval and returns every difficulty change. */
function run(v: Vardiff, clock: { t: number }, intervalMs: number, durationMs: number): number[] {
  const changes: number[] = [];
  const end = clock.t + durationMs;
  while (clock.t < end) {
    clock.t += intervalMs;
    const d = v.onShare(clock.t);
    if (d !== undefined) changes.push(d);
  }
  return changes;
}

describe('Vardiff', () => {
  it('leaves the difficulty alone inside the hysteresis band', () => {
    const clock = { t: 0 };
    const v = new Vardiff(config, 1, clock.t);
    // One share every 12 s is 0.83x the target rate: inside ±50%.
    expect(run(v, clock, 12_000, 300_000)).toEqual([]);
    expect(v.difficulty).toBe(1);
  });

  it('raises the difficulty of a fast miner early and converges near the target rate', () => {
    const clock = { t: 0 };
    const v = new Vardiff(config, 0.001, clock.t);
    // A miner that would find a share every 10 s at difficulty 8 finds them every 10/8000 s at 0.001.
    const hashrateDiffPerS = 8 / 10;
    const changes: number[] = [];
    for (let i = 0; i < 2000 && clock.t < 600_000; i++) {
      clock.t += (v.difficulty / hashrateDiffPerS) * 1000;
      const d = v.onShare(clock.t);
      if (d !== undefined) changes.push(d);
    }
    // The first retarget comes after ~1 s (early), not after the 30 s window.
    expect(changes.length).toBeGreaterThan(0);
    expect(v.difficulty).toBeGreaterThan(4);
    expect(v.difficulty).toBeLessThan(16);
  });

  it('lowers the difficulty of a slow miner, at most 4x per retarget', () => {
    const clock = { t: 0 };
    const v = new Vardiff(config, 100, clock.t);
    // One share per 100 s: 0.1x the target rate.
    const changes = run(v, clock, 100_000, 100_000);
    expect(changes).toEqual([100 * MAX_STEP_DOWN]);
  });

  it('steps down when no share arrives for a whole window (tick)', () => {
    const v = new Vardiff(config, 1, 0);
    expect(v.tick(29_000)).toBeUndefined();
    expect(v.tick(30_000)).toBe(NO_SHARE_STEP);
    expect(v.tick(45_000)).toBeUndefined();
    expect(v.tick(60_000)).toBe(0.25);
  });

  it('clamps to min/max, including suggestions', () => {
    const v = new Vardiff(config, 1e9, 0);
    expect(v.difficulty).toBe(1000);
    expect(v.set(1e-9, 0)).toBe(0.001);
    expect(v.set(5, 0)).toBe(5);
    expect(v.set(Number.NaN, 0)).toBe(0.001);
    const low = new Vardiff(config, 0.001, 0);
    expect(low.tick(30_000)).toBeUndefined(); // already at the minimum: no change to announce
  });

  it('counts shares at the difficulty they were judged at', () => {
    const v = new Vardiff(config, 10, 0);
    // 30 shares in 30 s judged at difficulty 1 are 3 shares' worth at 10: exactly the target rate.
    let change: number | undefined;
    for (let i = 1; i <= 30; i++) change = v.onShare(i * 1000, 1) ?? change;
    expect(change).toBeUndefined();
    expect(v.difficulty).toBe(10);
  });

  it('rejects nonsense settings', () => {
    expect(() => new Vardiff({ ...config, targetShareSeconds: 0 }, 1, 0)).toThrow(RangeError);
    expect(() => new Vardiff({ ...config, minDifficulty: 2, maxDifficulty: 1 }, 1, 0)).toThrow(RangeError);
    expect(() => new Vardiff({ ...config, hysteresis: 1 }, 1, 0)).toThrow(RangeError);
  });

  it('rounds to 3 significant digits', () => {
    expect(roundDifficulty(0.0012345)).toBe(0.00123);
    expect(roundDifficulty(123456)).toBe(123000);
  });
});
