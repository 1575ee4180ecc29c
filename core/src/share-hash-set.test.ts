import { describe, expect, it } from 'vitest';
import { sha256d } from './sha256.ts';
import { ShareHashSet } from './share-hash-set.ts';

describe('ShareHashSet', () => {
  it('adds, finds and rejects repeats across growth', () => {
    const s = new ShareHashSet();
    const hashes = Array.from({ length: 5000 }, (_, i) => sha256d(new Uint8Array([i & 0xff, i >> 8])));
    for (const h of hashes) expect(s.addHash(h)).toBe(true);
    expect(s.size).toBe(5000);
    for (const h of hashes) {
      expect(s.hasHash(h)).toBe(true);
      expect(s.addHash(h)).toBe(false);
    }
    expect(s.hasHash(sha256d(new Uint8Array([1, 2, 3])))).toBe(false);
    s.clear();
    expect(s.size).toBe(0);
    expect(s.hasHash(hashes[0]!)).toBe(false);
  });

  it('handles the all-zero key and keys that differ only in one half', () => {
    const s = new ShareHashSet();
    expect(s.add(0, 0)).toBe(true);
    expect(s.add(0, 0)).toBe(false);
    expect(s.add(1, 0)).toBe(true);
    expect(s.add(0, 2)).toBe(true);
    expect(s.add(0xffffffff, 0xffffffff)).toBe(true);
    expect(s.has(0xffffffff, 0xffffffff)).toBe(true);
    expect(s.has(0xffffffff, 0xfffffffe)).toBe(false);
  });
});

describe('ShareHashSet growth', () => {
  it('keeps every key through several incremental growths', () => {
    const s = new ShareHashSet();
    const n = 300_000;
    for (let i = 0; i < n; i++) {
      if (!s.add((i * 2654435761) >>> 0, (i * 40503 + 7) >>> 0)) throw new Error(`key ${i} reported as present`);
      // size stays exact in the middle of a migration too
      if (i % 49_999 === 0) expect(s.size).toBe(i + 1);
    }
    expect(s.size).toBe(n);
    for (let i = 0; i < n; i += 7) expect(s.add((i * 2654435761) >>> 0, (i * 40503 + 7) >>> 0)).toBe(false);
    expect(s.has(12345, 67890)).toBe(false);
  });
});

describe('ShareHashSet deletion', () => {
  it('deletes keys (backward shift) and agrees with a Set model through growth', () => {
    const s = new ShareHashSet();
    const model = new Set<string>();
    let seed = 12345;
    const rnd = () => (seed = (Math.imul(seed, 1103515245) + 12345) >>> 0);
    // Few distinct keys in a small range so probe runs are long and deletions shift keys.
    for (let i = 0; i < 60_000; i++) {
      const hi = rnd() % 7;
      const lo = 1 + (rnd() % 4000); // (0, 0) is stored as (0, 1)
      const k = `${hi}:${lo}`;
      if (rnd() % 3 === 0) {
        expect(s.delete(hi, lo)).toBe(model.delete(k));
      } else {
        expect(s.add(hi, lo)).toBe(!model.has(k));
        model.add(k);
      }
      if (i % 997 === 0) expect(s.size).toBe(model.size);
    }
    for (let hi = 0; hi < 7; hi++) for (let lo = 1; lo <= 4000; lo++) expect(s.has(hi, lo)).toBe(model.has(`${hi}:${lo}`));
  });

  it('deletes by hash, including the all-zero key', () => {
    const s = new ShareHashSet();
    const h = sha256d(new Uint8Array([1]));
    expect(s.addHash(h)).toBe(true);
    expect(s.deleteHash(h)).toBe(true);
    expect(s.hasHash(h)).toBe(false);
    expect(s.deleteHash(h)).toBe(false);
    expect(s.add(0, 0)).toBe(true);
    expect(s.delete(0, 0)).toBe(true);
    expect(s.add(0, 0)).toBe(true);
  });
});
