import { describe, expect, it } from 'vitest';
import { estimateHashrate, formatHashrate, formatSpan, HASHES_PER_DIFFICULTY_1 } from './hashrate.ts';

describe('formatHashrate', () => {
  it('formats hashrates with units', () => {
    expect(formatHashrate(0)).toBe('0 H/s');
    expect(formatHashrate(1234)).toBe('1.23 kH/s');
    expect(formatHashrate(5_120_000)).toBe('5.12 MH/s');
    expect(formatHashrate(2.5e12)).toBe('2.50 TH/s');
  });
});

describe('estimateHashrate', () => {
  it('turns accepted difficulty over time into hashes per second, 0 for nothing', () => {
    expect(estimateHashrate(1, 1)).toBe(HASHES_PER_DIFFICULTY_1);
    expect(estimateHashrate(0, 10)).toBe(0);
    expect(estimateHashrate(5, 0)).toBe(0);
  });
});

describe('formatSpan', () => {
  it('says seconds, minutes or hours', () => {
    expect([formatSpan(0), formatSpan(40.4), formatSpan(89), formatSpan(90), formatSpan(570), formatSpan(3600), formatSpan(5400), formatSpan(86_400), formatSpan(12_600)]).toEqual([
      '0 s', '40 s', '89 s', '2 min', '10 min', '60 min', '1.5 h', '24 h', '3.5 h',
    ]);
  });
});
