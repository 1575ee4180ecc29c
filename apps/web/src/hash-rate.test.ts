import { describe, expect, it } from 'vitest';
import { HASHRATE_WINDOW_MS, MIN_RATE_SPAN_MS, RateWindow } from './hash-rate.ts';

/** Batches of `ms` back to back from `from` to `to`, each of `hps * ms / 1000` hashes, resting `restMs` after each. */
function run(w: RateWindow, kind: 'cpu' | 'gpu', hps: number, from: number, to: number, ms = 100, restMs = 0): void {
  for (let t = from; t + ms <= to; t += ms + restMs) w.add(kind, (hps * ms) / 1000, t, t + ms);
}

describe('RateWindow', () => {
  it('a miner that started 2 s ago reads its real speed, not a fifth of it', () => {
    const w = new RateWindow();
    run(w, 'cpu', 5e6, 1000, 3000);
    const r = w.rates(3000);
    expect(r.cpu).toBeCloseTo(5e6, -3);
    expect(r.spanMs).toBe(2000);
  });

  it('a steady miner reads its speed over the window; CPU and GPU add up', () => {
    const w = new RateWindow();
    run(w, 'cpu', 2e6, 0, 60_000);
    run(w, 'gpu', 30e6, 0, 60_000, 75);
    const r = w.rates(60_000);
    expect(r.cpu / 2e6).toBeGreaterThan(0.98);
    expect(r.cpu / 2e6).toBeLessThan(1.02);
    expect(r.gpu / 30e6).toBeGreaterThan(0.98);
    expect(r.gpu / 30e6).toBeLessThan(1.02);
    expect(r.total).toBe(r.cpu + r.gpu);
    expect(r.spanMs).toBeLessThanOrEqual(HASHRATE_WINDOW_MS + 100);
  });

  it('rests of the duty cycle count: 25 % duty reads a quarter', () => {
    const w = new RateWindow();
    run(w, 'cpu', 4e6, 0, 60_000, 100, 300);
    expect(w.rates(60_000).cpu / 1e6).toBeGreaterThan(0.95);
    expect(w.rates(60_000).cpu / 1e6).toBeLessThan(1.05);
  });

  it('a pause reads 0 once the window has passed, and a resume reads the speed since it', () => {
    const w = new RateWindow();
    run(w, 'cpu', 3e6, 0, 20_000);
    expect(w.rates(20_000 + HASHRATE_WINDOW_MS + 1).total).toBe(0);
    run(w, 'cpu', 3e6, 40_000, 41_500);
    expect(w.rates(41_500).cpu).toBeCloseTo(3e6, -3);
  });

  it('the first batch alone is averaged over MIN_RATE_SPAN_MS at least; nothing is 0', () => {
    const w = new RateWindow();
    expect(w.rates(5).total).toBe(0);
    w.add('cpu', 50_000, 0, 50);
    expect(w.rates(50).cpu).toBe(50_000 / (MIN_RATE_SPAN_MS / 1000));
    w.add('cpu', NaN, 50, 60);
    w.add('cpu', 10, 70, 60);
    expect(w.rates(50).cpu).toBe(50_000 / (MIN_RATE_SPAN_MS / 1000));
    w.clear();
    expect(w.rates(60).total).toBe(0);
  });
});
