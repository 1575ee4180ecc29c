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

describe('WebSocketLineStream back-pressure', () => {
  /** A ws server whose connections become bare WebSocketLineStreams (no Stratum behind them). */
  async function bridge(): Promise<{ stream: Promise<WebSocketLineStream>; client: WebSocket; close(): Promise<void> }> {
    const server = createServer();
    const wss2 = new WebSocketServer({ server, maxPayload: MAX_WS_MESSAGE_BYTES });
    const stream = new Promise<WebSocketLineStream>((resolve) =>
      wss2.on('connection', (ws, req) => resolve(new WebSocketLineStream(ws, { remoteAddress: req.socket.remoteAddress ?? '', localAddress: '127.0.0.1', localPort: 0 }))),
    );
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
    const addr = server.address();
    const client = new WebSocket(`ws://127.0.0.1:${typeof addr === 'object' && addr ? addr.port : 0}/`);
    await new Promise<void>((resolve, reject) => {
      client.once('open', () => resolve());
      client.once('error', reject);
    });
    return {
      stream,
      client,
      async close() {
        client.terminate();
        for (const c of wss2.clients) c.terminate();
        await new Promise<void>((r) => wss2.close(() => r()));
        await new Promise<void>((r) => server.close(() => r()));
      },
    };
  }

  it('reports writes done only once flushed: a client that does not read fills the stream, not the heap', async () => {
    const b = await bridge();
    try {
      const s = await b.stream;
      b.client.pause(); // stops reading its socket
      const line = JSON.stringify({ id: null, method: 'mining.notify', params: ['x'.repeat(1000)] }) + '\n';
      let refused = 0;
      let written = 0;
      // 8 MB: far more than the socket buffers hold between the two ends.
      for (let i = 0; i < 8000; i++) {
        if (!s.write(line)) refused++;
        written += line.length;
      }
      expect(refused).toBeGreaterThan(0); // write() said "full" as a net.Socket would
      // Most of it waits in the stream (counted by writableLength), not in ws's own queue.
      await waitFor(() => s.wsBufferedAmount > 0, 5000, 'ws to hold some output');
      expect(s.writableLength).toBeGreaterThan(written / 2);
      expect(s.wsBufferedAmount).toBeLessThan(written / 2);
      // When the client reads again, everything arrives, in order, and the stream drains.
      const got: string[] = [];
      b.client.on('message', (d) => got.push(String(d)));
      const drained = new Promise<void>((r) => s.once('drain', () => r()));
      b.client.resume();
      await drained;
      await waitFor(() => got.length === 8000, 10_000, 'every line');
      expect(got.every((g) => g === line.trimEnd())).toBe(true);
    } finally {
      await b.close();
    }
  });

  it('pauses the WebSocket while its reader does not read, and resumes it when it does', async () => {
    const b = await bridge();
    try {
      const s = await b.stream;
      s.pause();
      const msg = JSON.stringify({ id: 1, method: 'mining.ping', params: ['y'.repeat(500)] });
      for (let i = 0; i < 2000; i++) b.client.send(msg);
      await waitFor(() => s.inputPaused, 5000, 'the WebSocket to be paused');
      // Bounded: what was read before the pause, not the 1 MB the client sent.
      expect(s.readableLength).toBeLessThan(64 * 1024);
      let lines = 0;
      s.setEncoding('utf8');
      s.on('data', (chunk: string) => (lines += chunk.split('\n').length - 1));
      s.resume();
      await waitFor(() => lines === 2000, 10_000, 'every line');
      expect(s.inputPaused).toBe(false);
    } finally {
      await b.close();
    }
  });
});
