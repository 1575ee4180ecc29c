import { describe, expect, it } from 'vitest';
import { chartGeometry, niceCeil } from './rate-chart.ts';

describe('rate chart geometry', () => {
  it('rounds the axis up to 1, 2 or 5 times a power of ten', () => {
    expect([0, -5, NaN, Infinity, 0.3, 1, 1.1, 2.5, 7, 10, 11, 4_900_000].map(niceCeil)).toEqual([1, 1, 1, 1, 0.5, 1, 2, 5, 10, 10, 20, 5_000_000]);
  });

  it('draws nothing without samples', () => {
    expect(chartGeometry([], 600, 120)).toEqual({ total: '', cpu: '', gpu: '', yMax: 1, spanMs: 0 });
  });

  it('maps time to x and rate to y, leaves out a GPU that never ran', () => {
    const g = chartGeometry(
      [
        { t: 1000, total: 0, cpu: 0, gpu: 0 },
        { t: 2000, total: 5, cpu: 5, gpu: 0 },
        { t: 3000, total: 10, cpu: 10, gpu: 0 },
      ],
      600,
      100,
    );
    expect(g.yMax).toBe(10);
    expect(g.spanMs).toBe(2000);
    expect(g.total).toBe('M0.0 100.0L300.0 50.0L600.0 0.0');
    expect(g.gpu).toBe('');
  });

  it('puts a single sample at the right edge', () => {
    const g = chartGeometry([{ t: 5, total: 2, cpu: 0, gpu: 2 }], 600, 100);
    expect(g.total).toBe('M600.0 0.0');
    expect(g.gpu).toBe('M600.0 0.0');
  });
});
