import { afterEach, describe, expect, it } from 'vitest';
import { MetricsError } from '../errors.ts';
import { escapeLabelValue, formatValue, MetricsRegistry, PROMETHEUS_CONTENT_TYPE } from './metrics.ts';
import { metricsResponse, startMetricsServer, type MetricsServer } from './metrics-server.ts';
import { createPoolMetrics } from './pool-metrics.ts';
import { registerProcessMetrics, type ProcessMetrics } from './process-metrics.ts';

interface Family {
  help?: string;
  type?: string;
  samples: { name: string; labels: Record<string, string>; value: number }[];
}

/** A strict parser of the text exposition format: every line must be a comment or a valid sample. */
function parse(text: string): Map<string, Family> {
  expect(text.endsWith('\n')).toBe(true);
  const families = new Map<string, Family>();
  const family = (n: string) => {
    let f = families.get(n);
    if (!f) families.set(n, (f = { samples: [] }));
    return f;
  };
  for (const line of text.slice(0, -1).split('\n')) {
    let m = /^# HELP ([a-zA-Z_:][a-zA-Z0-9_:]*) (.*)$/.exec(line);
    if (m) {
      family(m[1]!).help = m[2]!.replace(/\\n/g, '\n').replace(/\\\\/g, '\\');
      continue;
    }
    m = /^# TYPE ([a-zA-Z_:][a-zA-Z0-9_:]*) (counter|gauge|histogram|summary|untyped)$/.exec(line);
    if (m) {
      family(m[1]!).type = m[2]!;
      continue;
    }
    m = /^([a-zA-Z_:][a-zA-Z0-9_:]*)(\{(.*)\})? (\S+)$/.exec(line);
    if (!m) throw new Error(`not a valid exposition line: ${JSON.stringify(line)}`);
    const labels: Record<string, string> = {};
    if (m[3]) {
      const re = /([a-zA-Z_][a-zA-Z0-9_]*)="((?:[^"\\]|\\.)*)"(,|$)/gy;
      let lm: RegExpExecArray | null;
      let consumed = 0;
      while ((lm = re.exec(m[3])) !== null) {
        labels[lm[1]!] = lm[2]!.replace(/\\(.)/g, (_s, c: string) => (c === 'n' ? '\n' : c));
        consumed = re.lastIndex;
      }
      if (consumed !== m[3].length) throw new Error(`bad label set: ${m[3]}`);
    }
    const raw = m[4]!;
    const value = raw === '+Inf' ? Infinity : raw === '-Inf' ? -Infinity : Number(raw);
    const base = m[1]!.replace(/_(bucket|sum|count)$/, '');
    const owner = families.has(m[1]!) ? m[1]! : base;
    if (!families.has(owner)) throw new Error(`sample ${m[1]} before its # TYPE line`);
    family(owner).samples.push({ name: m[1]!, labels, value });
  }
  return families;
}

describe('MetricsRegistry', () => {
  it('renders counters, gauges and labels with HELP and TYPE', () => {
    const r = new MetricsRegistry();
    const c = r.counter({ name: 'x_total', help: 'things' });
    const g = r.gauge({ name: 'temp', help: 'degrees', labelNames: ['room'] });
    c.inc();
    c.inc(2.5);
    g.set({ room: 'a' }, -3);
    g.inc({ room: 'b' });
    g.dec({ room: 'b' }, 0.5);
    const f = parse(r.render());
    expect(f.get('x_total')).toEqual({ help: 'things', type: 'counter', samples: [{ name: 'x_total', labels: {}, value: 3.5 }] });
    expect(f.get('temp')!.type).toBe('gauge');
    expect(f.get('temp')!.samples).toEqual([
      { name: 'temp', labels: { room: 'a' }, value: -3 },
      { name: 'temp', labels: { room: 'b' }, value: 0.5 },
    ]);
  });

  it('escapes label values and help text', () => {
    const r = new MetricsRegistry();
    const c = r.counter({ name: 'rejected', help: 'line one\nback\\slash', labelNames: ['reason'] });
    const nasty = 'a "quoted" \\ path\nnext';
    c.inc({ reason: nasty });
    const text = r.render();
    expect(text).toContain('# HELP rejected line one\\nback\\\\slash\n');
    expect(text).toContain(`rejected{reason="${escapeLabelValue(nasty)}"} 1`);
    expect(text.split('\n').filter((l) => l.startsWith('rejected{')).length).toBe(1);
    const f = parse(text);
    expect(f.get('rejected')!.samples[0]!.labels.reason).toBe(nasty);
    expect(f.get('rejected')!.help).toBe('line one\nback\\slash');
  });

  it('histograms have cumulative buckets, +Inf, sum and count per label set', () => {
    const r = new MetricsRegistry();
    const h = r.histogram({ name: 'lat_seconds', help: 'latency', labelNames: ['op'], buckets: [0.1, 1] });
    for (const v of [0.05, 0.1, 0.5, 3]) h.observe({ op: 'submit' }, v);
    h.observe({ op: 'other' }, 0.2);
    const f = parse(r.render()).get('lat_seconds')!;
    expect(f.type).toBe('histogram');
    const submit = f.samples.filter((s) => s.labels.op === 'submit');
    expect(submit.map((s) => [s.name, s.labels.le ?? null, s.value])).toEqual([
      ['lat_seconds_bucket', '0.1', 2],
      ['lat_seconds_bucket', '1', 3],
      ['lat_seconds_bucket', '+Inf', 4],
      ['lat_seconds_sum', null, 3.65],
      ['lat_seconds_count', null, 4],
    ]);
    expect(f.samples.filter((s) => s.labels.op === 'other').at(-1)!.value).toBe(1);
  });

  it('timers observe elapsed seconds', async () => {
    const r = new MetricsRegistry();
    const h = r.histogram({ name: 't_seconds', help: 't' });
    const done = h.startTimer();
    await new Promise((res) => setTimeout(res, 5));
    expect(done()).toBeGreaterThan(0.004);
    expect(parse(r.render()).get('t_seconds')!.samples.find((s) => s.name === 't_seconds_count')!.value).toBe(1);
  });

  it('formats special values', () => {
    expect(formatValue(Infinity)).toBe('+Inf');
    expect(formatValue(-Infinity)).toBe('-Inf');
    expect(formatValue(NaN)).toBe('NaN');
    expect(formatValue(1e21)).toBe('1e+21');
    expect(formatValue(42)).toBe('42');
    expect(formatValue(0.25)).toBe('0.25');
  });

  it('rejects misuse with MetricsError', () => {
    const r = new MetricsRegistry();
    const c = r.counter({ name: 'a', help: 'a', labelNames: ['x'] });
    expect(() => r.counter({ name: 'a', help: 'again' })).toThrow(/already registered/);
    expect(() => r.gauge({ name: '1bad', help: '' })).toThrow(MetricsError);
    expect(() => r.gauge({ name: 'ok', help: '', labelNames: ['__reserved'] })).toThrow(/invalid label name/);
    expect(() => r.histogram({ name: 'h', help: '', labelNames: ['le'] })).toThrow(/reserved/);
    expect(() => r.histogram({ name: 'h2', help: '', buckets: [1, 1] })).toThrow(/strictly increasing/);
    expect(() => c.inc({ x: '1' }, -1)).toThrow(/only increase/);
    expect(() => c.inc({ y: '1' })).toThrow(/takes labels \{x\} \(got \{y\}\)/);
    expect(() => c.inc()).toThrow(MetricsError);
  });

  it('a failing collector does not break the scrape', () => {
    const r = new MetricsRegistry();
    const g = r.gauge({ name: 'g', help: 'g' });
    r.collect(() => {
      throw new Error('source down');
    });
    r.collect(() => g.set(7));
    expect(parse(r.render()).get('g')!.samples[0]!.value).toBe(7);
  });
});

describe('pool and process metrics', () => {
  let proc: ProcessMetrics | undefined;
  let server: MetricsServer | undefined;
  afterEach(async () => {
    proc?.stop();
    await server?.stop();
    proc = undefined;
    server = undefined;
  });

  it('exposes every metric the issue names, and process metrics', async () => {
    const r = new MetricsRegistry();
    const m = createPoolMetrics(r);
    proc = registerProcessMetrics(r);
    m.sharesAccepted.inc(3);
    m.sharesRejected.inc({ reason: 'stale' });
    m.sharesRejected.inc({ reason: 'low-difficulty' }, 2);
    m.hashrateTotal.set(1.5e9);
    m.hashrateWindowSeconds.set(40);
    m.miningEfficiency.set(0.75);
    m.blocksFound.inc();
    m.stratumConnections.set(12);
    m.peersConnected.set(4);
    m.submitLatency.observe(0.002);
    await new Promise((res) => setTimeout(res, 30));
    const f = parse(r.render());
    const value = (n: string, labels: Record<string, string> = {}) => f.get(n)!.samples.find((s) => JSON.stringify(s.labels) === JSON.stringify(labels))!.value;
    expect(value('otedama_hashrate_total')).toBe(1.5e9);
    expect(value('otedama_hashrate_window_seconds')).toBe(40);
    expect(value('otedama_shares_accepted')).toBe(3);
    expect(value('otedama_shares_rejected', { reason: 'low-difficulty' })).toBe(2);
    expect(value('otedama_peers_connected')).toBe(4);
    expect(value('otedama_mining_efficiency')).toBe(0.75);
    expect(value('otedama_blocks_found')).toBe(1);
    expect(value('otedama_stratum_connections')).toBe(12);
    expect(f.get('otedama_submit_latency_seconds')!.type).toBe('histogram');
    expect(value('process_resident_memory_bytes')).toBeGreaterThan(10e6);
    expect(value('nodejs_heap_used_bytes')).toBeGreaterThan(0);
    expect(f.get('process_cpu_seconds_total')!.type).toBe('counter');
    expect(value('process_cpu_seconds_total')).toBeGreaterThan(0);
    expect(value('otedama_uptime_seconds')).toBeGreaterThan(0);
    expect(value('process_start_time_seconds')).toBeGreaterThan(1.6e9);
    expect(value('nodejs_eventloop_lag_seconds')).toBeGreaterThanOrEqual(0);
    for (const [name, fam] of f) {
      expect(fam.help, name).toBeTruthy();
      expect(fam.type, name).toBeTruthy();
    }
  });

  it('serves /metrics over HTTP on its own port and as a Response', async () => {
    const r = new MetricsRegistry();
    createPoolMetrics(r).sharesAccepted.inc();
    server = await startMetricsServer(r, { host: '127.0.0.1', port: 0 });
    const res = await fetch(server.url);
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toBe(PROMETHEUS_CONTENT_TYPE);
    expect(parse(await res.text()).get('otedama_shares_accepted')!.samples[0]!.value).toBe(1);
    expect((await fetch(server.url.replace('/metrics', '/other'))).status).toBe(404);
    expect((await fetch(server.url, { method: 'POST' })).status).toBe(405);
    const direct = metricsResponse(r);
    expect(direct.headers.get('content-type')).toBe(PROMETHEUS_CONTENT_TYPE);
    expect(await direct.text()).toContain('otedama_shares_accepted 1');
  });
});
