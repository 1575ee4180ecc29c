import { describe, expect, it } from 'vitest';
import { sha256dVectors } from '../test/vectors.ts';
import {
  bitsToTarget,
  decodeCompact,
  DIFF1_TARGET,
  difficultyToTarget,
  hashDifficulty,
  hashMeetsTarget,
  hexToTarget,
  targetToBits,
  targetToDifficulty,
  targetToHex,
} from './target.ts';
import { hexToBytes } from './hex.ts';

describe('compact bits', () => {
  for (const v of sha256dVectors.compact_target_vectors) {
    it(`decodes ${v.nbits} like Bitcoin Core`, () => {
      const d = decodeCompact(parseInt(v.nbits, 16));
      expect(targetToHex(d.target)).toBe(v.target_hex_be);
      const negative = v.negative_flag ?? v.core_negative_flag ?? false;
      expect(d.negative).toBe(negative);
      if (v.overflow_flag !== undefined) expect(d.overflow).toBe(v.overflow_flag);
      if (negative) expect(() => bitsToTarget(parseInt(v.nbits, 16))).toThrow(/negative/);
    });
  }

  it('flags overflow and rejects it as a PoW target', () => {
    expect(decodeCompact(0xff123456).overflow).toBe(true);
    expect(() => bitsToTarget(0xff123456)).toThrow(/overflow/);
  });

  it('round-trips the block header vectors through targetToBits', () => {
    for (const v of sha256dVectors.vectors) {
      const bits = parseInt(v.fields.nbits, 16);
      const target = bitsToTarget(bits);
      expect(targetToHex(target)).toBe(v.target_from_nbits_hex);
      expect(targetToBits(target)).toBe(bits);
    }
  });

  it('rejects bits that are not a u32', () => {
    expect(() => decodeCompact(-1)).toThrow(/u32/);
    expect(() => decodeCompact(2 ** 32)).toThrow(/u32/);
    expect(() => decodeCompact(1.5)).toThrow(/u32/);
  });
});

describe('difficulty', () => {
  it('difficulty 1 is 0xFFFF * 2^208', () => {
    expect(difficultyToTarget(1)).toBe(DIFF1_TARGET);
    expect(targetToHex(DIFF1_TARGET)).toBe('00000000ffff0000000000000000000000000000000000000000000000000000');
  });

  it('matches minerd for difficulty 0.001 (target 000003e7fc18...)', () => {
    // minerd: floor(0xFFFF0000 / d) << 192 = 000003e7fc18 0000...; the double 0.001 is a hair above
    // 1/1000, so the exact quotient lands a hair below: equal in every digit a share can notice.
    const minerd = 0x3e7fc18n << 208n;
    const ours = difficultyToTarget(0.001);
    expect(ours <= minerd).toBe(true);
    expect(Number(minerd - ours) / Number(minerd)).toBeLessThan(1e-15);
  });

  it('is exact for fractional difficulties and inverts targetToDifficulty', () => {
    for (const d of [0.0001, 0.001, 0.5, 1, 1000, 16384, 123456.789]) {
      expect(targetToDifficulty(difficultyToTarget(d)) / d).toBeCloseTo(1, 9);
    }
    expect(difficultyToTarget(2)).toBe(DIFF1_TARGET / 2n);
  });

  it('rejects zero, negative, NaN and infinite difficulty with a reason', () => {
    for (const d of [0, -1, Number.NaN, Infinity]) expect(() => difficultyToTarget(d)).toThrow(/positive finite/);
  });

  it('clamps tiny difficulties to the largest target', () => {
    expect(difficultyToTarget(1e-80)).toBe((1n << 256n) - 1n);
  });

  it('computes share difficulty of the real minerd share in stratum-clients.md (0.00107)', () => {
    // hash 000003aa03bea028...9e80 display order; only the leading bytes matter for difficulty.
    const display = '000003aa03bea028' + '0'.repeat(44) + '9e80';
    const internal = hexToBytes(display).reverse();
    const d = hashDifficulty(internal);
    expect(d.toFixed(5)).toBe('0.00107');
    expect(hashMeetsTarget(internal, difficultyToTarget(0.001))).toBe(true);
  });

  it('hexToTarget validates its input', () => {
    expect(hexToTarget('00000000ffff0000000000000000000000000000000000000000000000000000')).toBe(DIFF1_TARGET);
    expect(() => hexToTarget('abc')).toThrow(/odd number/);
    expect(() => hexToTarget('zz'.repeat(32))).toThrow(/not hex/);
  });
});
