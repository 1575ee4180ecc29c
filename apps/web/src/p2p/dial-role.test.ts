import { describe, expect, it } from 'vitest';
import { dialsFirst } from './dial-role.ts';

/** Peer-id-like strings, fixed so that the test always sees the same pairs. */
const ids = Array.from({ length: 40 }, (_, i) => `12D3KooW${(i * 7919 + 104729).toString(36).padStart(12, 'x')}${i}`);

describe('dialsFirst', () => {
  it('names exactly one dialer for every pair, the same at both ends', () => {
    for (const a of ids) {
      for (const b of ids) {
        if (a === b) continue;
        expect(dialsFirst(a, b) !== dialsFirst(b, a), `${a} / ${b}`).toBe(true);
      }
    }
  });

  it('never dials itself', () => {
    expect(dialsFirst(ids[0]!, ids[0]!)).toBe(false);
  });

  it('lets the lower and the higher id dial alike', () => {
    let lowDials = 0;
    let pairs = 0;
    for (let i = 0; i < ids.length; i++) {
      for (let j = i + 1; j < ids.length; j++) {
        const [low, high] = ids[i]! < ids[j]! ? [ids[i]!, ids[j]!] : [ids[j]!, ids[i]!];
        pairs++;
        if (dialsFirst(low, high)) lowDials++;
      }
    }
    // 780 pairs; a fair coin lands within 40-60 % with room to spare.
    expect(lowDials / pairs).toBeGreaterThan(0.4);
    expect(lowDials / pairs).toBeLessThan(0.6);
  });

  it('gives the highest and the lowest id some peers to dial (the rule that left the highest id without browser peers)', () => {
    const sorted = [...ids].sort();
    for (const self of [sorted[0]!, sorted.at(-1)!]) {
      const dials = sorted.filter((p) => dialsFirst(self, p)).length;
      expect(dials, self).toBeGreaterThan(ids.length * 0.25);
      expect(dials, self).toBeLessThan(ids.length * 0.75);
    }
  });

  it('spreads the dials of a full mesh over the pages', () => {
    const perPage = ids.map((self) => ids.filter((p) => dialsFirst(self, p)).length);
    // 39 pairs each; under "the lower id dials" these ran from 39 down to 0.
    expect(Math.min(...perPage)).toBeGreaterThan(8);
    expect(Math.max(...perPage)).toBeLessThan(31);
  });
});
