import { describe, expect, it } from 'vitest';
import { bitsToTarget, targetToBits } from '../target.ts';
import { asertStep, demandedTarget } from './asert.ts';
import { simnetPoolParams } from './params.ts';

const params = simnetPoolParams(new Uint8Array(32), { shareIntervalMs: 10_000, asertHalfLifeMs: 600_000, initialShareBits: 0x1e0ffff0, maxShareBits: 0x207fffff });
const T = bitsToTarget(0x1c0fffff);
const EASY_BLOCK = 0n; // a block target that never binds

describe('ASERT', () => {
  it('keeps the target when a share comes exactly one interval after its parent', () => {
    expect(asertStep(T, 10_000, 10_000, 600_000)).toBe(T);
  });

  it('doubles the target after a half-life of lateness and halves it after a half-life of earliness', () => {
    expect(asertStep(T, 10_000 + 600_000, 10_000, 600_000)).toBe(T * 2n);
    expect(asertStep(T, 10_000 - 600_000, 10_000, 600_000)).toBe(T / 2n);
  });

  it('makes faster shares harder and slower ones easier, monotonically', () => {
    let prev = 0n;
    for (let dt = -120_000; dt <= 120_000; dt += 777) {
      const next = asertStep(T, dt, 10_000, 600_000);
      expect(next).toBeGreaterThanOrEqual(prev);
      prev = next;
    }
    expect(asertStep(T, 1000, 10_000, 600_000)).toBeLessThan(T);
    expect(asertStep(T, 30_000, 10_000, 600_000)).toBeGreaterThan(T);
  });

  it('follows aserti3-2d: a quarter half-life late is 2^(1/4) within the cubic approximation', () => {
    const next = asertStep(1n << 200n, 10_000 + 150_000, 10_000, 600_000);
    const ratio = Number(next >> 150n) / 2 ** 50;
    expect(Math.abs(ratio - 2 ** 0.25)).toBeLessThan(1e-4);
  });

  it('truncates the fixed-point exponent toward zero (as the C++ division does)', () => {
    // dt - interval = -1 ms: exponent -65536/600000 truncates to 0, so the target stays.
    expect(asertStep(T, 9_999, 10_000, 600_000)).toBe(T);
    // +10 ms: exponent 1 (65536*10/600000 = 1.09...), a factor of 1 + 2^-16-ish.
    expect(asertStep(T, 10_010, 10_000, 600_000)).toBeGreaterThan(T);
  });

  it('telescopes: n steps equal one step over the whole span, up to rounding', () => {
    let t = T;
    let time = 0;
    const times = [7_000, 13_000, 9_000, 11_500, 10_000, 4_000, 21_000];
    for (const dt of times) {
      t = asertStep(t, dt, 10_000, 600_000);
      time += dt;
    }
    const once = asertStep(T, time - 10_000 * (times.length - 1), 10_000, 600_000);
    const rel = Number(((t - once) * 1_000_000n) / once) / 1_000_000;
    expect(Math.abs(rel)).toBeLessThan(1e-4);
  });

  it('starts a chain at the initial target and rounds every demand to compact bits', () => {
    const first = demandedTarget(undefined, 0, EASY_BLOCK, params);
    expect(first.bits).toBe(0x1e0ffff0);
    const next = demandedTarget({ maxBits: 0x1e0ffff0, time: 0 }, 3_333, EASY_BLOCK, params);
    expect(next.target).toBe(bitsToTarget(next.bits));
    expect(targetToBits(next.target)).toBe(next.bits);
    expect(next.target).toBeLessThan(bitsToTarget(0x1e0ffff0));
  });

  it('clamps to the easiest share target, and to the block target (a share is never harder than a block)', () => {
    const late = demandedTarget({ maxBits: 0x1e0ffff0, time: 0 }, 365 * 86_400_000, EASY_BLOCK, params);
    expect(late.bits).toBe(0x207fffff);
    const block = bitsToTarget(0x1d00ffff);
    const early = demandedTarget({ maxBits: 0x1d00ffff, time: 0 }, 1, block, params);
    expect(early.target).toBe(block);
    // When the block is easier than the easiest share the block wins: every share is a block.
    const tiny = simnetPoolParams(new Uint8Array(32), { initialShareBits: 0x1d00ffff, maxShareBits: 0x1d00ffff });
    expect(demandedTarget(undefined, 0, bitsToTarget(0x207fffff), tiny).bits).toBe(0x207fffff);
  });
});
