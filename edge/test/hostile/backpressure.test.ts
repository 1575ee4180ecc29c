/**
 * Hostile: clients that stop reading (issue 9, item 2). Before the fix a WebSocket client that
 * subscribed, never read and sent mining.suggest_difficulty lines grew the edge from 98 MB to
 * 4.4 GB in 52 s: every reply was reported written at once and nothing paused. Now both
 * transports honour back-pressure: reading stops while a miner's output is not drained, a
 * connection whose unread output passes stratum.maxWriteBufferBytes is closed, and the flood of
 * control messages is rate limited into a ban. Asserted on the edge's own accounting (buffered
 * bytes, paused readers, why connections closed) and on this process's memory.
 */
import { createServer, type Server } from 'node:http';
import { afterEach, describe, expect, it } from 'vitest';
import { WebSocketServer } from 'ws';
import { MAX_WS_MESSAGE_BYTES, WebSocketLineStream } from '../../src/stratum/job-feed-ws.ts';
import { addressToScript } from '@otedama/core';
import type { PayoutProvider } from '../../src/accounting/payout-provider.ts';
import { REGTEST_ADDRESS, makeTemplate, startTestPool, type TestPool } from '../stratum-harness.ts';
import { USER, login, memoryMiB, tracked, until } from './hostile-edge.ts';

const { edge, client, ws } = tracked(afterEach);
const cleanup: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const f of cleanup.splice(0).reverse()) await f();
});

/** Generous bound on this process's RSS growth during an attack (the old edge grew by GBs). */
const RSS_GROWTH_BOUND_MIB = 200;

describe('hostile: clients that do not read', () => {
  it('a WebSocket client that never reads and floods suggest_difficulty is cut off; memory stays bounded', async () => {
    const e = await edge();
    const honest = await ws(e.wsUrl);
    honest.send({ id: 1, method: 'mining.subscribe', params: ['web/1'] });
    honest.send({ id: 2, method: 'mining.authorize', params: [USER, ''] });
    await until(() => honest.received.some((m) => m.method === 'mining.notify'), 5000, 'the honest miner to get work');

    const attacker = await ws(e.wsUrl, '127.0.0.2');
    attacker.send({ id: 1, method: 'mining.subscribe', params: ['web/1'] });
    attacker.send({ id: 2, method: 'mining.authorize', params: [USER, ''] });
    await until(() => attacker.received.some((m) => m.method === 'mining.notify'), 5000, 'the attacker to get work');
    attacker.ws.pause(); // never reads again
    const before = memoryMiB();
    let maxBuffered = 0;
    // The attack: suggestion after suggestion, as fast as the socket takes them.
    for (let burst = 0; burst < 40 && !attacker.closed && e.stats().bans === 0; burst++) {
      for (let i = 0; i < 500; i++) attacker.send({ id: 3, method: 'mining.suggest_difficulty', params: [0.0001] });
      maxBuffered = Math.max(maxBuffered, e.stats().maxSessionBufferedBytes);
      await new Promise((r) => setImmediate(r));
    }
    await until(() => e.stats().bans >= 1 && e.stats().connections === 1, 10_000, 'the attacker to be cut off');
    expect(e.stats().closedByReason.banned).toBe(1);
    expect(e.stats().rateLimited).toBeGreaterThan(0);
    expect(maxBuffered).toBeLessThanOrEqual(e.config.stratum.maxWriteBufferBytes);
    expect(memoryMiB().rss - before.rss).toBeLessThan(RSS_GROWTH_BOUND_MIB);
    // The honest miner (another IP) is untouched.
    honest.send({ id: 9, method: 'mining.ping', params: [] });
    await until(() => honest.received.some((m) => m.id === 9 && m.result === 'pong'), 5000, 'the honest pong');
  });

  it('TCP and WebSocket clients that stop reading while jobs pile up: reading stops, then they are closed at the bound; a reading miner gets every job', async () => {
    const limit = 256 * 1024;
    const pool = await startTestPool({ maxWriteBufferBytes: limit, maxConnectionsPerIp: 10 }, { payouts: manyOutputs });
    cleanup.push(() => pool.stop());
    const wsUrl = await bridge(pool);

    const honest = await client(pool.port);
    await login(honest);
    const tcp = await client(pool.port);
    await login(tcp);
    const web = await ws(wsUrl);
    web.send({ id: 1, method: 'mining.subscribe', params: ['web/1'] });
    web.send({ id: 2, method: 'mining.authorize', params: [USER, ''] });
    await until(() => web.received.some((m) => m.method === 'mining.notify'), 5000, 'the WebSocket miner to get work');
    tcp.socket.pause();
    web.ws.pause();
    const jobsBefore = honest.received.length;

    // New templates (same block) as fast as the edge takes them, a notify each for everyone.
    const before = memoryMiB();
    let maxBuffered = 0;
    let sawPaused = false;
    let pushed = 0;
    for (let round = 0; round < 400 && pool.service.stats().connections > 1; round++) {
      for (let i = 0; i < 50; i++) pool.source.push(nextTemplate(++pushed), false);
      const s = pool.service.stats();
      maxBuffered = Math.max(maxBuffered, s.maxSessionBufferedBytes);
      sawPaused ||= s.readingPaused > 0;
      // Let sockets move (the honest miner reads).
      await new Promise((r) => setImmediate(r));
    }
    await until(() => pool.service.stats().connections === 1, 10_000, "both non-readers to be closed");
    expect(pool.service.stats().closedByReason['not-reading']).toBe(2);
    expect(sawPaused).toBe(true);
    // Never more than the bound plus the one write that crossed it.
    expect(maxBuffered).toBeLessThan(limit + 64 * 1024);
    expect(memoryMiB().rss - before.rss).toBeLessThan(RSS_GROWTH_BOUND_MIB);
    // The reading miner got every job and is still connected.
    await until(() => honest.received.length - jobsBefore >= pushed, 20_000, `the honest miner to read all ${pushed} jobs`);
    expect(honest.closed).toBe(false);
  });
});

/** Serves the pool's Stratum over a WebSocket (what /ws/stratum does in the edge). */
async function bridge(pool: TestPool): Promise<string> {
  const http: Server = createServer();
  const wss = new WebSocketServer({ server: http, maxPayload: MAX_WS_MESSAGE_BYTES });
  wss.on('connection', (socket, req) => {
    const stream = new WebSocketLineStream(socket, { remoteAddress: req.socket.remoteAddress ?? '', localAddress: '127.0.0.1', localPort: pool.port });
    pool.service.server.acceptConnection(stream.asSocket());
  });
  await new Promise<void>((r) => http.listen(0, '127.0.0.1', () => r()));
  cleanup.push(async () => {
    for (const c of wss.clients) c.terminate();
    await new Promise<void>((r) => wss.close(() => r()));
    await new Promise<void>((r) => http.close(() => r()));
  });
  const a = http.address();
  return `ws://127.0.0.1:${typeof a === 'object' && a ? a.port : 0}/`;
}

/** The block's transactions, built once (each push differs only in curtime). */
const TXS = makeTemplate({ seed: 1 }).transactions;

/** Coinbases paying 100 outputs (a PPLNS window's worth): each notify is about 9 KB. */
const OUTPUT_SCRIPT = addressToScript(REGTEST_ADDRESS, 'regtest');
const manyOutputs: PayoutProvider = {
  payoutOutputs: (t) => Array.from({ length: 100 }, (_, i) => ({ script: OUTPUT_SCRIPT, value: t.coinbaseValue / 100n + (i === 0 ? t.coinbaseValue % 100n : 0n) })),
};

/** A new template of the same block (a later curtime): a fat notify for every miner. */
function nextTemplate(n: number) {
  return makeTemplate({ seed: 1, curtime: Math.floor(Date.now() / 1000) + (n % 600), transactions: TXS });
}
