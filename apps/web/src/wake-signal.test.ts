import { afterEach, describe, expect, it, vi } from 'vitest';
import { WakeSignal } from './wake-signal.ts';

afterEach(() => {
  vi.useRealTimers();
});

describe('WakeSignal', () => {
  it('ends every wait in progress at notify, and only those', async () => {
    const s = new WakeSignal();
    const woke: number[] = [];
    void s.wait().then(() => woke.push(1));
    void s.wait(60_000).then(() => woke.push(2));
    expect(s.waiting).toBe(2);
    s.notify();
    await Promise.resolve();
    expect(woke.sort()).toEqual([1, 2]);
    expect(s.waiting).toBe(0);
    let later = false;
    void s.wait(10).then(() => (later = true));
    await Promise.resolve();
    expect(later).toBe(false);
  });

  it('a timed wait ends on its own and leaves no waiter or timer behind', async () => {
    vi.useFakeTimers();
    const s = new WakeSignal();
    let done = false;
    void s.wait(250).then(() => (done = true));
    await vi.advanceTimersByTimeAsync(249);
    expect(done).toBe(false);
    await vi.advanceTimersByTimeAsync(1);
    expect(done).toBe(true);
    expect(s.waiting).toBe(0);
    void s.wait(1000);
    s.notify();
    expect(vi.getTimerCount()).toBe(0);
  });

  it('refuses a bad timeout', async () => {
    await expect(new WakeSignal().wait(-1)).rejects.toThrow(RangeError);
    await expect(new WakeSignal().wait(Number.NaN)).rejects.toThrow(RangeError);
  });
});
