/**
 * The hashrate chart: SVG paths for total, CPU and GPU hashrate over time. `chartGeometry` is pure
 * (tested); `renderChart` writes it into an <svg> element. SVG rather than a chart library keeps
 * the JS before Start tiny, and one attribute write per line keeps each update far below 1 ms.
 */
import type { RateSample } from './session-history.ts';

export interface ChartGeometry {
  total: string;
  cpu: string;
  gpu: string;
  /** Top of the y axis in hashes per second (a rounded "nice" value). */
  yMax: number;
  /** Time span shown, ms. */
  spanMs: number;
}

/** The smallest of 1, 2, 5 × 10^k that is at least v (1 for v <= 0). */
export function niceCeil(v: number): number {
  if (!(v > 0) || !Number.isFinite(v)) return 1;
  const p = 10 ** Math.floor(Math.log10(v));
  for (const m of [1, 2, 5, 10]) if (m * p >= v) return m * p;
  return 10 * p;
}

/** Paths for a width × height box; x spans the samples' time range, y from 0 to a nice maximum. */
export function chartGeometry(samples: readonly RateSample[], width: number, height: number): ChartGeometry {
  const yMax = niceCeil(samples.reduce((m, s) => Math.max(m, s.total, s.cpu, s.gpu), 0));
  if (samples.length === 0) return { total: '', cpu: '', gpu: '', yMax, spanMs: 0 };
  const t0 = samples[0]!.t;
  const spanMs = samples[samples.length - 1]!.t - t0;
  const x = (t: number) => (spanMs > 0 ? ((t - t0) / spanMs) * width : width);
  const y = (v: number) => height - (v / yMax) * height;
  const path = (pick: (s: RateSample) => number) =>
    samples.map((s, i) => `${i === 0 ? 'M' : 'L'}${x(s.t).toFixed(1)} ${y(pick(s)).toFixed(1)}`).join('');
  return { total: path((s) => s.total), cpu: path((s) => s.cpu), gpu: samples.some((s) => s.gpu > 0) ? path((s) => s.gpu) : '', yMax, spanMs };
}

/** Draws into an <svg viewBox="0 0 W H"> holding <path data-series="total|cpu|gpu"> and a [data-ymax] label. */
export function renderChart(svg: SVGSVGElement, samples: readonly RateSample[], formatRate: (hps: number) => string): void {
  const { width, height } = svg.viewBox.baseVal;
  const g = chartGeometry(samples, width, height);
  for (const series of ['total', 'cpu', 'gpu'] as const) svg.querySelector(`[data-series="${series}"]`)?.setAttribute('d', g[series]);
  const label = svg.querySelector('[data-ymax]');
  if (label) label.textContent = samples.length ? formatRate(g.yMax) : '';
  svg.setAttribute('aria-label', samples.length ? `hashrate over the last ${Math.round(g.spanMs / 60_000)} min, up to ${formatRate(g.yMax)}` : 'no hashrate yet');
}
