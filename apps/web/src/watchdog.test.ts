import { afterEach, describe, expect, it, vi } from 'vitest';
import {
  DeadlineExceeded,
  FIRST_SEARCH_DEADLINE_MS,
  guard,
  HEALTHY_WORKER_MS,
  MIN_SEARCH_DEADLINE_MS,
  RestartPolicy,
  searchDeadlineMs,
  sleep,
  Tripwire,
  updateBatchEstimate,
} from './watchdog.ts';

afterEach(() => {
  vi.useRealTimers();
});

describe('searchDeadlineMs', () => {
  it('is max(5 s, 20x the expected batch time), and generous before the first measurement', () => {
    expect(searchDeadlineMs(undefined)).toBe(FIRST_SEARCH_DEADLINE_MS);
    expect(searchDeadlineMs(0)).toBe(MIN_SEARCH_DEADLINE_MS);
    expect(searchDeadlineMs(100)).toBe(5000);
    expect(searchDeadlineMs(250)).toBe(5000);
    expect(searchDeadlineMs(400)).toBe(8000);
    expect(searchDeadlineMs(3000)).toBe(60_000);
  });

  it('refuses malformed estimates', () => {
    for (const bad of [-1, Number.NaN, Infinity]) expect(() => searchDeadlineMs(bad)).toThrow(RangeError);
  });
});

describe('updateBatchEstimate', () => {
  it('starts at the first sample and follows later ones smoothly', () => {
    expect(updateBatchEstimate(undefined, 120)).toBe(120);
    expect(updateBatchEstimate(100, 200)).toBeCloseTo(130, 9);
    let e: number | undefined;
    for (let i = 0; i < 50; i++) e = updateBatchEstimate(e, 80);
    expect(e).toBeCloseTo(80, 9);
    expect(() => updateBatchEstimate(100, Number.NaN)).toThrow(RangeError);
    expect(() => updateBatchEstimate(100, -5)).toThrow(RangeError);
  });
});

describe('RestartPolicy', () => {
  it('backs off when a worker keeps failing and forgives one that ran a healthy while', () => {
    const p = new RestartPolicy({ random: () => 0 });
    p.started(0);
    expect(p.failed(1000)).toBe(250);
    p.started(1250);
    expect(p.failed(2000)).toBe(500);
    p.started(2500);
    expect(p.failed(3000)).toBe(1000);
    expect(p.consecutiveFailures).toBe(3);
    p.started(4000);
    expect(p.failed(4000 + HEALTHY_WORKER_MS)).toBe(250);
    expect(p.consecutiveFailures).toBe(1);
    // A restart that itself failed (never started) keeps counting.
    expect(p.failed(100_000)).toBe(500);
    for (let i = 0; i < 20; i++) expect(p.failed(100_000)).toBeLessThanOrEqual(30_000);
  });
});

describe('guard', () => {
  it('passes a value or an error through and releases its timer and listeners', async () => {
    const wire = new Tripwire();
    await expect(guard(Promise.resolve(7), 1000, [wire])).resolves.toBe(7);
    await expect(guard(Promise.reject(new Error('nope')), 1000, [wire])).rejects.toThrow('nope');
    expect(wire.listenerCount).toBe(0);
  });

  it('rejects with DeadlineExceeded when the promise outlives the deadline', async () => {
    vi.useFakeTimers();
    const p = guard(new Promise<never>(() => undefined), 5000);
    const seen = expect(p).rejects.toBeInstanceOf(DeadlineExceeded);
    await vi.advanceTimersByTimeAsync(5000);
    await seen;
    const short = expect(guard(new Promise(() => undefined), 40)).rejects.toThrow(/no answer within 0.0 s/);
    await vi.advanceTimersByTimeAsync(40);
    await short;
    expect(vi.getTimerCount()).toBe(0);
  });

  it('rejects with the tripwire\'s error when it trips first, even if it tripped before', async () => {
    const wire = new Tripwire();
    const p = guard(new Promise<never>(() => undefined), Infinity, [wire]);
    expect(wire.listenerCount).toBe(1);
    wire.trip(new Error('worker crashed'));
    await expect(p).rejects.toThrow('worker crashed');
    expect(wire.listenerCount).toBe(0);
    await expect(guard(new Promise(() => undefined), Infinity, [wire])).rejects.toThrow('worker crashed');
    wire.trip(new Error('second'));
    expect(wire.tripped?.message).toBe('worker crashed');
  });

  it('refuses a bad deadline', async () => {
    await expect(guard(Promise.resolve(1), Number.NaN)).rejects.toThrow(RangeError);
    await expect(guard(Promise.resolve(1), -1)).rejects.toThrow(RangeError);
  });

  it('many guarded calls on one tripwire leave nothing behind', async () => {
    const wire = new Tripwire();
    for (let i = 0; i < 1000; i++) await guard(Promise.resolve(i), 10_000, [wire]);
    expect(wire.listenerCount).toBe(0);
  });
});

describe('sleep', () => {
  it('waits, or ends early when the tripwire trips', async () => {
    vi.useFakeTimers();
    let done = false;
    void sleep(1000).then(() => (done = true));
    await vi.advanceTimersByTimeAsync(999);
    expect(done).toBe(false);
    await vi.advanceTimersByTimeAsync(1);
    expect(done).toBe(true);
    const wire = new Tripwire();
    let early = false;
    void sleep(60_000, wire).then(() => (early = true));
    wire.trip(new Error('stop'));
    await vi.advanceTimersByTimeAsync(0);
    expect(early).toBe(true);
    expect(vi.getTimerCount()).toBe(0);
  });
});
