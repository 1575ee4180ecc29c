/**
 * The WebSocket job feed over real sockets on 127.0.0.1: a ws server bridges each socket into
 * the real Stratum server, and a ws client speaks Stratum to it — valid shares, malformed
 * messages, oversize messages, and cleanup.
 */
import { createServer, type Server } from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { WebSocket, WebSocketServer } from 'ws';
import { findShare, notifyToJob, REGTEST_ADDRESS, startTestPool, TEST_DIFFICULTY, waitFor, type TestPool } from '../../test/stratum-harness.ts';
import { MAX_WS_MESSAGE_BYTES, WebSocketLineStream } from './job-feed-ws.ts';

let pool: TestPool;
let http: Server;
let wss: WebSocketServer;
let url: string;

beforeAll(async () => {
  pool = await startTestPool({ initialDifficulty: TEST_DIFFICULTY, maxLineBytes: 4096 });
  http = createServer();
  wss = new WebSocketServer({ server: http, maxPayload: MAX_WS_MESSAGE_BYTES });
  wss.on('connection', (ws, req) => {
    const stream = new WebSocketLineStream(ws, {
      remoteAddress: req.socket.remoteAddress ?? 'unknown',
      localAddress: req.socket.localAddress ?? '127.0.0.1',
      localPort: pool.port,
    });
    pool.service.server.acceptConnection(stream.asSocket());
  });
  await new Promise<void>((r) => http.listen(0, '127.0.0.1', () => r()));
  const addr = http.address();
  url = `ws://127.0.0.1:${typeof addr === 'object' && addr ? addr.port : 0}/`;
});

afterAll(async () => {
  for (const c of wss.clients) c.terminate();
  await new Promise<void>((r) => wss.close(() => r()));
  await new Promise<void>((r) => http.close(() => r()));
  await pool.stop();
});

/** A ws client that queues every message as parsed JSON. */
async function connect(): Promise<{ ws: WebSocket; next(): Promise<any>; closed: Promise<void> }> {
  const ws = new WebSocket(url);
  const queue: any[] = [];
  const waiters: ((m: any) => void)[] = [];
  ws.on('message', (d) => {
    const msg = JSON.parse(String(d));
    const w = waiters.shift();
    if (w) w(msg);
    else queue.push(msg);
  });
  const closed = new Promise<void>((r) => ws.once('close', () => r()));
  await new Promise<void>((resolve, reject) => {
    ws.once('open', () => resolve());
    ws.once('error', reject);
  });
  const next = () =>
    new Promise<any>((resolve, reject) => {
      const m = queue.shift();
      if (m !== undefined) return resolve(m);
      const t = setTimeout(() => reject(new Error('no message within 5 s')), 5000);
      waiters.push((x) => {
        clearTimeout(t);
        resolve(x);
      });
    });
  return { ws, next, closed };
}

describe('WebSocket job feed', () => {
  it('speaks Stratum: subscribe, authorize, difficulty, notify, and an accepted share', async () => {
    const c = await connect();
    c.ws.send(JSON.stringify({ id: 1, method: 'mining.subscribe', params: ['otedama-web/test'] }));
    const sub = await c.next();
    expect(sub.id).toBe(1);
    const [, extranonce1, en2Size] = sub.result;
    c.ws.send(JSON.stringify({ id: 2, method: 'mining.authorize', params: [`${REGTEST_ADDRESS}.ws`, ''] }));
    const msgs = [await c.next(), await c.next(), await c.next()];
    expect(msgs.find((m) => m.id === 2)?.result).toBe(true);
    const notify = msgs.find((m) => m.method === 'mining.notify');
    expect(notify).toBeDefined();
    const job = notifyToJob(notify);
    const en2 = '00'.repeat(en2Size);
    const share = await findShare(job, extranonce1, en2, TEST_DIFFICULTY);
    c.ws.send(JSON.stringify({ id: 3, method: 'mining.submit', params: [`${REGTEST_ADDRESS}.ws`, job.jobId, en2, job.fields.ntime, share.nonce] }));
    let reply = await c.next();
    while (reply.id !== 3) reply = await c.next();
    expect(reply).toMatchObject({ id: 3, result: true, error: null });
    c.ws.close();
    await c.closed;
  });

  it('answers a malformed message with an error and keeps the connection', async () => {
    const c = await connect();
    c.ws.send('{"id": 1, "method": ');
    const err = await c.next();
    expect(err.error).toBeTruthy();
    c.ws.send(JSON.stringify({ id: 2, method: 'mining.subscribe', params: [] }));
    const sub = await c.next();
    expect(sub).toMatchObject({ id: 2, error: null });
    c.ws.close();
    await c.closed;
  });

  it('closes a socket that sends a line longer than the Stratum limit, or a message over the WebSocket limit', async () => {
    const a = await connect();
    a.ws.send(JSON.stringify({ id: 1, method: 'mining.subscribe', params: ['x'.repeat(5000)] }));
    await a.closed;
    const b = await connect();
    b.ws.send('x'.repeat(MAX_WS_MESSAGE_BYTES + 10));
    await b.closed;
  });

  it('releases every session when clients go away', async () => {
    const clients = await Promise.all([connect(), connect(), connect()]);
    await waitFor(() => pool.service.stats().connections >= 3, 5000, 'three connections');
    for (const c of clients) c.ws.terminate();
    await waitFor(() => pool.service.stats().connections === 0, 5000, 'connections to drain');
  });
});
