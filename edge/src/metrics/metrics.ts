/**
 * A small Prometheus registry: counters, gauges and histograms with labels, rendered in the
 * text exposition format 0.0.4 (`# HELP`, `# TYPE`, one sample per line, label values escaped).
 * Collectors run before each render, so values read from elsewhere (process memory, pool
 * hashrate from the database) are fresh at scrape time. No dependency: prom-client is not in
 * the tree, and what the edge needs fits in this file.
 */
import { MetricsError } from '../errors.ts';

export const PROMETHEUS_CONTENT_TYPE = 'text/plain; version=0.0.4; charset=utf-8';

export type Labels = Readonly<Record<string, string | number>>;
type MetricType = 'counter' | 'gauge' | 'histogram';

const METRIC_NAME = /^[a-zA-Z_:][a-zA-Z0-9_:]*$/;
const LABEL_NAME = /^[a-zA-Z_][a-zA-Z0-9_]*$/;

/** Submit and commit latencies: 0.5 ms to 2.5 s. */
export const LATENCY_BUCKETS_S: readonly number[] = [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5];

/** Escapes a label value: backslash, double quote and line feed. */
export function escapeLabelValue(v: string): string {
  return v.replace(/\\/g, '\\\\').replace(/"/g, '\\"').replace(/\n/g, '\\n');
}

/** Escapes HELP text: backslash and line feed. */
export function escapeHelp(v: string): string {
  return v.replace(/\\/g, '\\\\').replace(/\n/g, '\\n');
}

/** A sample value as Prometheus writes it (+Inf, -Inf, NaN, integers without exponent where exact). */
export function formatValue(v: number): string {
  if (Number.isNaN(v)) return 'NaN';
  if (v === Infinity) return '+Inf';
  if (v === -Infinity) return '-Inf';
  return Number.isInteger(v) && Math.abs(v) < 1e21 ? v.toFixed(0) : String(v);
}

interface MetricOptions {
  readonly name: string;
  readonly help: string;
  readonly labelNames?: readonly string[];
}

abstract class Metric {
  readonly name: string;
  readonly help: string;
  readonly labelNames: readonly string[];
  abstract readonly type: MetricType;

  constructor(o: MetricOptions) {
    if (!METRIC_NAME.test(o.name)) throw new MetricsError(`invalid metric name ${JSON.stringify(o.name)} (letters, digits, _ and :, not starting with a digit)`);
    const labelNames = o.labelNames ?? [];
    for (const l of labelNames) {
      if (!LABEL_NAME.test(l) || l.startsWith('__')) throw new MetricsError(`metric ${o.name}: invalid label name ${JSON.stringify(l)}`);
    }
    if (new Set(labelNames).size !== labelNames.length) throw new MetricsError(`metric ${o.name}: duplicate label names`);
    this.name = o.name;
    this.help = o.help;
    this.labelNames = labelNames;
  }

  /** The canonical key of a label set (values in labelNames order); checks names. */
  protected key(labels: Labels | undefined): string {
    const given = labels ? Object.keys(labels) : [];
    if (given.length !== this.labelNames.length || given.some((k) => !this.labelNames.includes(k))) {
      throw new MetricsError(`metric ${this.name} takes labels {${this.labelNames.join(', ')}} (got {${given.join(', ')}})`);
    }
    return JSON.stringify(this.labelNames.map((n) => String(labels![n])));
  }

  protected labelText(key: string, extra?: [string, string]): string {
    const values = JSON.parse(key) as string[];
    const parts = this.labelNames.map((n, i) => `${n}="${escapeLabelValue(values[i]!)}"`);
    if (extra) parts.push(`${extra[0]}="${escapeLabelValue(extra[1])}"`);
    return parts.length ? `{${parts.join(',')}}` : '';
  }

  abstract samples(): string[];

  render(): string {
    return [`# HELP ${this.name} ${escapeHelp(this.help)}`, `# TYPE ${this.name} ${this.type}`, ...this.samples()].join('\n');
  }
}

function splitArgs(a: Labels | number | undefined, b: number | undefined, fallback: number): [Labels | undefined, number] {
  return typeof a === 'number' ? [undefined, a] : [a, b ?? fallback];
}

export class Counter extends Metric {
  readonly type = 'counter' as const;
  private readonly values = new Map<string, number>();

  constructor(o: MetricOptions) {
    super(o);
    if (this.labelNames.length === 0) this.values.set(this.key(undefined), 0);
  }

  /** inc(), inc(5), inc({ reason: 'stale' }), inc({ reason: 'stale' }, 2). */
  inc(labelsOrValue?: Labels | number, value?: number): void {
    const [labels, v] = splitArgs(labelsOrValue, value, 1);
    if (!(v >= 0) || !Number.isFinite(v)) throw new MetricsError(`counter ${this.name} can only increase (got ${v})`);
    const k = this.key(labels);
    this.values.set(k, (this.values.get(k) ?? 0) + v);
  }

  get(labels?: Labels): number {
    return this.values.get(this.key(labels)) ?? 0;
  }

  samples(): string[] {
    return [...this.values].map(([k, v]) => `${this.name}${this.labelText(k)} ${formatValue(v)}`);
  }
}

export class Gauge extends Metric {
  readonly type = 'gauge' as const;
  private readonly values = new Map<string, number>();

  constructor(o: MetricOptions) {
    super(o);
    if (this.labelNames.length === 0) this.values.set(this.key(undefined), 0);
  }

  set(labelsOrValue: Labels | number, value?: number): void {
    const [labels, v] = splitArgs(labelsOrValue, value, 0);
    this.values.set(this.key(labels), v);
  }

  inc(labelsOrValue?: Labels | number, value?: number): void {
    const [labels, v] = splitArgs(labelsOrValue, value, 1);
    const k = this.key(labels);
    this.values.set(k, (this.values.get(k) ?? 0) + v);
  }

  dec(labelsOrValue?: Labels | number, value?: number): void {
    const [labels, v] = splitArgs(labelsOrValue, value, 1);
    const k = this.key(labels);
    this.values.set(k, (this.values.get(k) ?? 0) - v);
  }

  get(labels?: Labels): number {
    return this.values.get(this.key(labels)) ?? 0;
  }

  samples(): string[] {
    return [...this.values].map(([k, v]) => `${this.name}${this.labelText(k)} ${formatValue(v)}`);
  }
}

interface HistogramSeries {
  readonly counts: number[];
  sum: number;
  count: number;
}

export class Histogram extends Metric {
  readonly type = 'histogram' as const;
  readonly buckets: readonly number[];
  private readonly series = new Map<string, HistogramSeries>();

  constructor(o: MetricOptions & { readonly buckets?: readonly number[] }) {
    super(o);
    if (this.labelNames.includes('le')) throw new MetricsError(`histogram ${o.name}: "le" is reserved for buckets`);
    const buckets = [...(o.buckets ?? LATENCY_BUCKETS_S)];
    if (buckets.length === 0 || buckets.some((b, i) => !Number.isFinite(b) || (i > 0 && b <= buckets[i - 1]!))) {
      throw new MetricsError(`histogram ${o.name}: buckets must be finite and strictly increasing`);
    }
    this.buckets = buckets;
    if (this.labelNames.length === 0) this.series.set(this.key(undefined), this.fresh());
  }

  private fresh(): HistogramSeries {
    return { counts: new Array<number>(this.buckets.length).fill(0), sum: 0, count: 0 };
  }

  observe(labelsOrValue: Labels | number, value?: number): void {
    const [labels, v] = splitArgs(labelsOrValue, value, NaN);
    if (Number.isNaN(v)) throw new MetricsError(`histogram ${this.name}: observed NaN`);
    const k = this.key(labels);
    let s = this.series.get(k);
    if (!s) this.series.set(k, (s = this.fresh()));
    for (let i = 0; i < this.buckets.length; i++) if (v <= this.buckets[i]!) s.counts[i]!++;
    s.sum += v;
    s.count++;
  }

  /** Starts a timer; calling the result observes the seconds elapsed. */
  startTimer(labels?: Labels): () => number {
    const t0 = performance.now();
    return () => {
      const s = (performance.now() - t0) / 1000;
      if (labels) this.observe(labels, s);
      else this.observe(s);
      return s;
    };
  }

  samples(): string[] {
    const out: string[] = [];
    for (const [k, s] of this.series) {
      this.buckets.forEach((b, i) => out.push(`${this.name}_bucket${this.labelText(k, ['le', formatValue(b)])} ${formatValue(s.counts[i]!)}`));
      out.push(`${this.name}_bucket${this.labelText(k, ['le', '+Inf'])} ${formatValue(s.count)}`);
      out.push(`${this.name}_sum${this.labelText(k)} ${formatValue(s.sum)}`);
      out.push(`${this.name}_count${this.labelText(k)} ${formatValue(s.count)}`);
    }
    return out;
  }
}

export class MetricsRegistry {
  private readonly metrics = new Map<string, Metric>();
  private readonly collectors: (() => void)[] = [];

  counter(o: MetricOptions): Counter {
    return this.add(new Counter(o));
  }

  gauge(o: MetricOptions): Gauge {
    return this.add(new Gauge(o));
  }

  histogram(o: MetricOptions & { readonly buckets?: readonly number[] }): Histogram {
    return this.add(new Histogram(o));
  }

  /** Runs before every render (refresh gauges from their sources). A throwing collector is skipped. */
  collect(fn: () => void): void {
    this.collectors.push(fn);
  }

  get(name: string): Metric | undefined {
    return this.metrics.get(name);
  }

  /** The exposition text (ends with a newline, as scrapers expect). */
  render(): string {
    for (const c of this.collectors) {
      try {
        c();
      } catch {
        // One failing source must not take the whole scrape down.
      }
    }
    return [...this.metrics.values()].map((m) => m.render()).join('\n') + '\n';
  }

  private add<M extends Metric>(m: M): M {
    if (this.metrics.has(m.name)) throw new MetricsError(`metric ${m.name} is already registered`);
    this.metrics.set(m.name, m);
    return m;
  }
}
