import { describe, expect, it } from 'vitest';
import { ExtranonceExhaustedError } from '../errors.ts';
import { Extranonce1Allocator } from './extranonce-allocator.ts';

describe('Extranonce1Allocator', () => {
  it('hands out unique values of the configured width', () => {
    const a = new Extranonce1Allocator(4);
    const seen = new Set<string>();
    for (let i = 0; i < 1000; i++) {
      const x = a.allocate();
      expect(x).toMatch(/^[0-9a-f]{8}$/);
      seen.add(x);
    }
    expect(seen.size).toBe(1000);
    expect(a.size).toBe(1000);
  });

  it('draws values at random: consecutive connections do not get neighbouring values', () => {
    const a = new Extranonce1Allocator(4);
    const values = Array.from({ length: 1000 }, () => parseInt(a.allocate(), 16));
    let neighbours = 0;
    for (let i = 1; i < values.length; i++) if (Math.abs(values[i]! - values[i - 1]!) <= 1) neighbours++;
    // Sequential allocation gives 999 neighbours; random 4-byte draws give one with odds ~5e-7.
    expect(neighbours).toBe(0);
    // Spread over the whole space, not a window of it.
    expect(Math.max(...values) - Math.min(...values)).toBeGreaterThan(2 ** 31);
  });

  it('resumes a previous session id when it is free, and not when it is live', () => {
    const a = new Extranonce1Allocator(4);
    const x = a.allocate();
    expect(a.allocate(x)).not.toBe(x); // live: a fresh one
    a.release(x);
    expect(a.allocate(x)).toBe(x);
    expect(a.allocate('nothex!!')).toMatch(/^[0-9a-f]{8}$/);
    expect(a.allocate('abcd')).not.toBe('abcd'); // wrong width
  });

  it('falls back to a scan when draws keep hitting live values, and says when all are taken', () => {
    const a = new Extranonce1Allocator(1, () => 0);
    const all = new Set<string>();
    for (let i = 0; i < 256; i++) all.add(a.allocate());
    expect(all.size).toBe(256);
    expect(() => a.allocate()).toThrow(ExtranonceExhaustedError);
    a.release('07');
    expect(a.allocate()).toBe('07');
  });

  it('pads wide extranonce1 values with a fixed random prefix', () => {
    const a = new Extranonce1Allocator(8);
    const x = a.allocate();
    const y = a.allocate();
    expect(x).toHaveLength(16);
    expect(x.slice(0, 4)).toBe(y.slice(0, 4));
  });
});
