import { describe, expect, it } from 'vitest';
import { BATCH_TARGET_MS, KawpowEngines, nextBatch } from './kawpow-engines.ts';

describe('KawPow engines', () => {
  it('grow a fast batch, shrink a slow one, keep one near the target, within 1..max', () => {
    expect(nextBatch(64, BATCH_TARGET_MS / 4, 512)).toBe(128);
    expect(nextBatch(512, 1, 512)).toBe(512);
    expect(nextBatch(64, BATCH_TARGET_MS * 3, 512)).toBe(32);
    expect(nextBatch(1, BATCH_TARGET_MS * 10, 512)).toBe(1);
    expect(nextBatch(64, BATCH_TARGET_MS, 512)).toBe(64);
  });

  it('refuse a configuration with nothing to mine on, or a bad thread count', () => {
    const base = { onHit: () => undefined, onEvent: () => undefined };
    expect(() => new KawpowEngines({ ...base, cpuThreads: 0, gpu: false })).toThrow(/at least one CPU thread or the GPU/);
    expect(() => new KawpowEngines({ ...base, cpuThreads: -1, gpu: true })).toThrow(/whole number/);
    expect(() => new KawpowEngines({ ...base, cpuThreads: 1.5, gpu: true })).toThrow(/whole number/);
  });
});
