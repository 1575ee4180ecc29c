import { describe, expect, it } from 'vitest';
import { backoffDelayMs } from './backoff.ts';

const opts = { baseMs: 500, capMs: 30_000 };

describe('backoffDelayMs', () => {
  it('doubles per attempt, with equal jitter between half and all of the delay', () => {
    expect(backoffDelayMs(1, opts, () => 0)).toBe(250);
    expect(backoffDelayMs(1, opts, () => 0.999999)).toBeCloseTo(500, 2);
    expect(backoffDelayMs(2, opts, () => 0)).toBe(500);
    expect(backoffDelayMs(3, opts, () => 0.5)).toBe(1500);
    expect(backoffDelayMs(4, opts, () => 0)).toBe(2000);
  });

  it('never exceeds the cap, however many attempts', () => {
    for (const attempt of [7, 8, 20, 1000, 100_000]) {
      const hi = backoffDelayMs(attempt, opts, () => 0.999999);
      expect(hi).toBeLessThanOrEqual(30_000);
      expect(hi).toBeGreaterThan(29_999);
      expect(backoffDelayMs(attempt, opts, () => 0)).toBe(15_000);
    }
  });

  it('refuses malformed input', () => {
    expect(() => backoffDelayMs(0, opts)).toThrow(/attempt/);
    expect(() => backoffDelayMs(1.5, opts)).toThrow(/attempt/);
    expect(() => backoffDelayMs(Number.NaN, opts)).toThrow(/attempt/);
    expect(() => backoffDelayMs(1, { baseMs: 0, capMs: 10 })).toThrow(/baseMs/);
    expect(() => backoffDelayMs(1, { baseMs: Number.NaN, capMs: 10 })).toThrow(/baseMs/);
    expect(() => backoffDelayMs(1, { baseMs: 100, capMs: 50 })).toThrow(/capMs/);
    expect(() => backoffDelayMs(1, opts, () => 1)).toThrow(/random/);
    expect(() => backoffDelayMs(1, opts, () => -0.1)).toThrow(/random/);
    expect(() => backoffDelayMs(1, opts, () => Number.NaN)).toThrow(/random/);
  });
});
