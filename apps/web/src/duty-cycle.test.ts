import { describe, expect, it } from 'vitest';
import { checkIntensity, checkThrottle, effectiveDuty, MAX_REST_MS, restAfterBatchMs, restInWorker } from './duty-cycle.ts';
import { MinerOptionError } from './errors.ts';

describe('restAfterBatchMs', () => {
  it('rests t(1-d)/d after a batch, so the engine computes a share d of the time', () => {
    expect(restAfterBatchMs(100, 1)).toBe(0);
    expect(restAfterBatchMs(100, 0.5)).toBe(100);
    expect(restAfterBatchMs(100, 0.25)).toBe(300);
    expect(restAfterBatchMs(80, 0.1)).toBeCloseTo(720, 9);
    expect(restAfterBatchMs(0, 0.3)).toBe(0);
    for (const d of [0.1, 0.2, 0.37, 0.5, 0.9]) {
      const t = 57;
      expect(t / (t + restAfterBatchMs(t, d))).toBeCloseTo(d, 12);
    }
  });

  it('refuses a duty of 0 (a pause, not a rest) and malformed input', () => {
    expect(() => restAfterBatchMs(100, 0)).toThrow(/0 is a pause/);
    expect(() => restAfterBatchMs(100, -0.5)).toThrow(RangeError);
    expect(() => restAfterBatchMs(100, 1.5)).toThrow(RangeError);
    expect(() => restAfterBatchMs(100, Number.NaN)).toThrow(RangeError);
    expect(() => restAfterBatchMs(Number.NaN, 0.5)).toThrow(/batch time/);
    expect(() => restAfterBatchMs(-1, 0.5)).toThrow(/batch time/);
    expect(() => restAfterBatchMs(Infinity, 0.5)).toThrow(/batch time/);
  });
});

describe('intensity and throttle', () => {
  it('accepts intensities 0.1..1 and throttles 0..1', () => {
    expect(checkIntensity(0.1)).toBe(0.1);
    expect(checkIntensity(1)).toBe(1);
    expect(checkThrottle(0)).toBe(0);
    expect(checkThrottle(0.5)).toBe(0.5);
    expect(effectiveDuty(0.5, 0.5)).toBe(0.25);
    expect(effectiveDuty(0.8, 0)).toBe(0);
  });

  it('refuses anything else with a MinerOptionError that names the range', () => {
    for (const bad of [0, 0.05, 1.01, -1, Number.NaN, Infinity, '0.5', null, undefined]) {
      expect(() => checkIntensity(bad)).toThrow(MinerOptionError);
      expect(() => checkIntensity(bad)).toThrow(/intensity must be a number from 0.1 to 1/);
    }
    for (const bad of [-0.01, 1.5, Number.NaN, '1', null]) expect(() => checkThrottle(bad)).toThrow(/throttle factor must be a number from 0 to 1/);
    expect(() => effectiveDuty(2, 1)).toThrow(MinerOptionError);
  });
});

describe('restInWorker', () => {
  it('waits on the timers of the thread it runs in and refuses nonsense', async () => {
    await expect(restInWorker(0)).resolves.toBeUndefined();
    await expect(restInWorker(5)).resolves.toBeUndefined();
    for (const bad of [-1, NaN, Infinity, MAX_REST_MS + 1]) await expect(restInWorker(bad)).rejects.toThrow(RangeError);
  });
});
