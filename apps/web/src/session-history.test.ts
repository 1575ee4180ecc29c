import { describe, expect, it } from 'vitest';
import { addEvent, addSample, averageRate, checkSessionRecord, newSession } from './session-history.ts';

describe('session history', () => {
  it('keeps samples in time order and ignores bad ones', () => {
    const s = newSession(1000, 'a', 'sha256d');
    addSample(s, { t: 2000, total: 10, cpu: 10, gpu: 0 });
    addSample(s, { t: 1500, total: 10, cpu: 10, gpu: 0 }); // older than the last: dropped
    addSample(s, { t: 3000, total: NaN, cpu: 0, gpu: 0 });
    addSample(s, { t: 3000, total: -1, cpu: 0, gpu: 0 });
    addSample(s, { t: 4000, total: 30, cpu: 10, gpu: 20 });
    expect(s.samples.map((x) => x.t)).toEqual([2000, 4000]);
    expect(s.updatedAt).toBe(4000);
  });

  it('thins the older half when full, so the whole session stays in range', () => {
    const s = newSession(0, 'a', 'sha256d');
    for (let i = 1; i <= 1000; i++) addSample(s, { t: i * 1000, total: i, cpu: i, gpu: 0 }, 100);
    expect(s.samples.length).toBeLessThanOrEqual(100);
    expect(s.samples[0]!.t).toBe(1000);
    expect(s.samples[s.samples.length - 1]!.t).toBe(1_000_000);
    for (let i = 1; i < s.samples.length; i++) expect(s.samples[i]!.t).toBeGreaterThan(s.samples[i - 1]!.t);
  });

  it('trims events to the newest', () => {
    const s = newSession(0, 'a', 'sha256d');
    for (let i = 0; i < 10; i++) addEvent(s, { t: i, level: 'info', text: `e${i}` }, 4);
    expect(s.events.map((e) => e.text)).toEqual(['e6', 'e7', 'e8', 'e9']);
  });

  it('averages the hashrate over time (trapezoids)', () => {
    const s = newSession(0, 'a', 'sha256d');
    expect(averageRate(s)).toBe(0);
    addSample(s, { t: 0, total: 100, cpu: 100, gpu: 0 });
    expect(averageRate(s)).toBe(100);
    addSample(s, { t: 1000, total: 300, cpu: 300, gpu: 0 });
    addSample(s, { t: 3000, total: 300, cpu: 300, gpu: 0 });
    expect(averageRate(s)).toBeCloseTo((200 * 1000 + 300 * 2000) / 3000);
  });

  it('checks stored records: damaged ones are refused, damaged entries dropped', () => {
    const s = newSession(5, 'a', 'sha256d');
    addSample(s, { t: 6, total: 1, cpu: 1, gpu: 0 });
    addEvent(s, { t: 6, level: 'warn', text: 'x' });
    expect(checkSessionRecord(structuredClone(s))).toEqual(s);
    for (const bad of [null, 1, 'x', {}, { ...s, id: -1 }, { ...s, accepted: 'many' }, { ...s, samples: 'none' }, { ...s, ended: 0 }]) {
      expect(checkSessionRecord(bad)).toBeUndefined();
    }
    const partly = { ...structuredClone(s), samples: [...s.samples, { t: 'x' }, null], events: [...s.events, { t: 1, level: 'loud', text: 'y' }] };
    expect(checkSessionRecord(partly)).toEqual(s);
  });
});
