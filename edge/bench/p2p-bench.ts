/**
 * The edges' network speed (the edge's part of `npm run bench:p2p`), real libp2p nodes on
 * 127.0.0.1 in this process, each with its own ShareChain (as edges build it, pool-chain.ts):
 *
 *   1. baseline: libp2p ping round trips between two admitted nodes (p50/p99), measured in
 *      this run, and the time one ShareChain takes to validate the sync window alone;
 *   2. propagation: three edges in a line A - B - C; A adds each of --propagation real shares to
 *      its chain and gossips it every --interval ms; the time from A's publish to the share being
 *      accepted into B's chain (one hop) and into C's (two hops: validated at B before relay);
 *      goal: p99 under 50 ms;
 *   3. sync: a fresh edge fetches a window of --shares shares (8,640: a day of 10-second shares)
 *      from a peer, batch by batch, validating each; goal: under 10 s.
 *
 * All nodes share this process's event loop (and a machine others may load), so the figures are
 * pessimistic; each is shown beside its baseline. Prints a table and writes
 * bench/results/p2p-<date>.json. Usage: npx tsx edge/bench/p2p-bench.ts [--shares 8640]
 * [--propagation 300] [--interval 20] [--quick]
 */
import { peerIdFromString } from '@libp2p/peer-id';
import { bytesToHex } from '@otedama/core';
import { mkdirSync, writeFileSync } from 'node:fs';
import { cpus, loadavg } from 'node:os';
import { dirname, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { createLogger } from '../src/logger.ts';
import type { P2pNode } from '../src/p2p/p2p-node.ts';
import { addrOf, chainHost, meshed, minerOn, startTestNode, testNetwork } from '../src/p2p/p2p-test-kit.ts';

const HERE = dirname(fileURLToPath(import.meta.url));
const RESULTS = join(HERE, '..', '..', 'bench', 'results');
/** Issue 10's goals. */
const GOALS = { propagationP99Ms: 50, syncSeconds: 10 } as const;
/** Ping round trips measured for the baseline. */
const PINGS = 200;
/** Gossip limits high enough that the benchmark's pace is never rate-limited. */
const BENCH_RATE_LIMITS = { gossipPerSecond: 1000, gossipBurst: 10_000, syncPerSecond: 100, syncBurst: 1000 };

function arg(name: string): string | undefined {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 ? process.argv[i + 1] : undefined;
}
const quick = process.argv.includes('--quick');
const int = (name: string, fallback: number) => {
  const v = Number(arg(name) ?? fallback);
  if (!Number.isSafeInteger(v) || v < 1) throw new Error(`--${name} must be a positive integer (got ${arg(name)})`);
  return v;
};

function percentile(sorted: readonly number[], p: number): number {
  if (!sorted.length) return NaN;
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)]!;
}
function summary(values: readonly number[]) {
  const s = [...values].sort((a, b) => a - b);
  return { n: s.length, p50Ms: round(percentile(s, 50)), p99Ms: round(percentile(s, 99)), maxMs: round(s.at(-1) ?? NaN) };
}
const round = (x: number) => Math.round(x * 1000) / 1000;
const log = (m: string) => process.stderr.write(`${m}\n`);
const silent = createLogger({ level: 'silent' });

async function waitFor(cond: () => boolean, what: string, timeoutMs = 30_000): Promise<void> {
  const end = Date.now() + timeoutMs;
  while (!cond()) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

async function pingBaseline(a: P2pNode, b: P2pNode): Promise<number[]> {
  const ping = (a.raw.services as unknown as { ping: { ping(p: ReturnType<typeof peerIdFromString>): Promise<number> } }).ping;
  const out: number[] = [];
  const peer = peerIdFromString(b.peerId);
  for (let i = 0; i < 10; i++) await ping.ping(peer); // warm-up
  for (let i = 0; i < (quick ? 50 : PINGS); i++) {
    const t = performance.now();
    await ping.ping(peer);
    out.push(performance.now() - t);
  }
  return out;
}

async function propagation(count: number, intervalMs: number) {
  const net = testNetwork();
  const seen = { b: new Map<string, number>(), c: new Map<string, number>() };
  const ha = chainHost(net);
  const hb = chainHost(net, (r) => seen.b.set(bytesToHex(r.id), performance.now()));
  const hc = chainHost(net, (r) => seen.c.set(bytesToHex(r.id), performance.now()));
  const options = { logger: silent, rateLimits: BENCH_RATE_LIMITS, handshakeTimeoutMs: 10_000 };
  const a = await startTestNode(ha, options);
  const b = await startTestNode(hb, { ...options, bootstrap: [addrOf(a)] });
  const c = await startTestNode(hc, { ...options, bootstrap: [addrOf(b)] });
  // Keep the line: A refuses C (the DHT would otherwise introduce them), so C hears A only through B.
  a.guard.ban(c.peerId, 'handshake', 'benchmark: the line A - B - C', 3600);
  try {
    await waitFor(() => meshed(a, b) && meshed(b, a) && meshed(b, c) && meshed(c, b), 'the gossip mesh A - B - C');
    // The ping baseline over the same kind of connection (A - B), before any share flows.
    const pings = await pingBaseline(a, b);
    log(`mining ${count} shares`);
    const shares = minerOn(net, chainHost(net)).mine(count);
    const published = new Map<string, number>();
    log(`gossiping ${count} shares, one every ${intervalMs} ms`);
    for (const share of shares) {
      const r = ha.chain.add(share);
      if (r.kind !== 'accepted') throw new Error(`the miner's share was not accepted at A: ${r.kind}`);
      published.set(bytesToHex(r.id), performance.now());
      await a.publishShare(share);
      await new Promise((res) => setTimeout(res, intervalMs));
    }
    await waitFor(() => seen.c.size >= count && seen.b.size >= count, 'every share at B and C', 60_000);
    const hop = (m: Map<string, number>) => [...published].map(([id, t]) => m.get(id)! - t);
    if (a.raw.getConnections().some((x) => x.remotePeer.toString() === c.peerId)) throw new Error('A and C are connected: the two-hop figures would not be two hops');
    return { pings, oneHop: hop(seen.b), twoHops: hop(seen.c) };
  } finally {
    await Promise.all([a.stop(), b.stop(), c.stop()]);
  }
}

async function sync(count: number) {
  const net = testNetwork();
  log(`mining a window of ${count} shares`);
  const shares = minerOn(net, chainHost(net)).mine(count);
  // Baseline: the same window validated into a fresh chain with no network in between.
  const alone = chainHost(net);
  let t = performance.now();
  for (const s of shares) alone.receiveShare(s, { history: alone.chain.tip === undefined });
  const validateMs = performance.now() - t;
  const source = chainHost(net);
  for (const s of shares) source.chain.add(s);
  const options = { logger: silent, rateLimits: BENCH_RATE_LIMITS, handshakeTimeoutMs: 10_000 };
  const s = await startTestNode(source, options);
  const fresh = chainHost(net);
  let batches = 0;
  const f = await startTestNode(fresh, { ...options, bootstrap: [addrOf(s)], onSyncProgress: (p) => (batches = p.batches) });
  try {
    await waitFor(() => f.isAdmitted(s.peerId), 'the fresh edge to be admitted');
    log(`syncing ${count} shares`);
    t = performance.now();
    const done = await f.resync();
    const syncMs = performance.now() - t;
    if (done.state !== 'synced' || fresh.chain.height !== source.chain.height) throw new Error(`sync ended ${done.state} at height ${fresh.chain.height} (source ${source.chain.height}): ${done.message}`);
    return { shares: count, syncMs, batches, validateMs };
  } finally {
    await Promise.all([s.stop(), f.stop()]);
  }
}

async function main(): Promise<void> {
  const shares = int('shares', quick ? 2000 : 8640);
  const count = int('propagation', quick ? 100 : 300);
  const intervalMs = int('interval', 20);
  const load = loadavg()[0]!;
  const prop = await propagation(count, intervalMs);
  const s = await sync(shares);
  const ping = summary(prop.pings);
  const oneHop = summary(prop.oneHop);
  const twoHops = summary(prop.twoHops);
  const report = {
    benchmark: 'p2p',
    date: new Date().toISOString(),
    machine: { cpus: cpus().length, model: cpus()[0]?.model ?? 'unknown', node: process.versions.node, loadAverage1m: load },
    baselines: { pingRoundTrip: ping, validateWindowAloneMs: round(s.validateMs) },
    propagation: { shares: count, intervalMs, oneHop, twoHops },
    sync: { shares: s.shares, seconds: round(s.syncMs / 1000), batches: s.batches, sharesPerSecond: Math.round(s.shares / (s.syncMs / 1000)), vsValidationAlone: round(s.syncMs / s.validateMs) },
    goals: GOALS,
    met: { propagation: twoHops.p99Ms < GOALS.propagationP99Ms, sync: s.syncMs / 1000 < GOALS.syncSeconds },
  };
  const rows: [string, string, string][] = [
    ['figure', 'value', 'vs baseline'],
    ['libp2p ping round trip p50 / p99 (baseline)', `${ping.p50Ms} / ${ping.p99Ms} ms`, '1x'],
    [`propagation, 1 hop (A->B) p50 / p99, ${count} shares`, `${oneHop.p50Ms} / ${oneHop.p99Ms} ms`, `${(oneHop.p50Ms / ping.p50Ms).toFixed(1)}x / ${(oneHop.p99Ms / ping.p99Ms).toFixed(1)}x`],
    [`propagation, 2 hops (A->B->C) p50 / p99`, `${twoHops.p50Ms} / ${twoHops.p99Ms} ms`, `${(twoHops.p50Ms / ping.p50Ms).toFixed(1)}x / ${(twoHops.p99Ms / ping.p99Ms).toFixed(1)}x`],
    [`validate ${s.shares} shares, no network (baseline)`, `${(s.validateMs / 1000).toFixed(2)} s`, '1x'],
    [`sync ${s.shares} shares from a peer (${s.batches} batches)`, `${(s.syncMs / 1000).toFixed(2)} s`, `${(s.syncMs / s.validateMs).toFixed(2)}x`],
  ];
  const widths = [0, 1, 2].map((c) => Math.max(...rows.map((r) => r[c]!.length)));
  process.stdout.write(`\nP2P on loopback (${report.machine.model}, ${report.machine.cpus} CPUs, Node ${report.machine.node}, load ${load.toFixed(1)}), every node in one process\n`);
  for (const r of rows) process.stdout.write(`| ${r[0].padEnd(widths[0]!)} | ${r[1].padStart(widths[1]!)} | ${r[2].padStart(widths[2]!)} |\n`);
  process.stdout.write(`goals: propagation p99 < ${GOALS.propagationP99Ms} ms (${report.met.propagation ? 'met' : 'NOT met'}), sync < ${GOALS.syncSeconds} s (${report.met.sync ? 'met' : 'NOT met'})\n`);
  const out = arg('out') ?? join(RESULTS, `p2p-${report.date.replace(/[:.]/g, '-')}.json`);
  mkdirSync(dirname(out), { recursive: true });
  writeFileSync(out, JSON.stringify(report, null, 2) + '\n');
  process.stdout.write(`wrote ${relative(process.cwd(), out)}\n`);
}

await main();
