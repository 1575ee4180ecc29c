import { describe, expect, it } from 'vitest';
import { splitNonceSpace } from './cpu-pool.ts';
import { HashMeter } from './hash-meter.ts';

describe('HashMeter', () => {
  it('reports the rate over the sliding window and restarts when a counter goes back', () => {
    const m = new HashMeter();
    expect(m.rate()).toBe(0);
    for (let s = 0; s <= 20; s++) m.sample(s < 10 ? s * 100 : 900 + (s - 9) * 1000, s * 1000);
    expect(m.rate(10_000)).toBeCloseTo(1000);
    expect(m.rate(30_000)).toBeCloseTo((11_900 - 0) / 20);
    m.sample(5, 21_000);
    expect(m.rate()).toBe(0);
  });
});

describe('splitNonceSpace', () => {
  it('cuts [0, 2^32) into contiguous disjoint ranges (thread i from 2^32/n*i)', () => {
    expect(splitNonceSpace(1)).toEqual([{ start: 0, end: 2 ** 32 }]);
    const parts = splitNonceSpace(3);
    expect(parts[0]!.start).toBe(0);
    expect(parts[2]!.end).toBe(2 ** 32);
    for (let i = 1; i < parts.length; i++) expect(parts[i]!.start).toBe(parts[i - 1]!.end);
  });
});
