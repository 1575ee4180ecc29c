/**
 * The RPC HTTP server through a real socket: what bitcoind accepts (bare-LF headers, folding,
 * chunked bodies, 100-continue, keep-alive, pipelining) and what a hostile client sends
 * (garbage, oversized heads and bodies, smuggling framings, slowloris trickles, idle sockets,
 * connection floods, unread replies) — each answered with a status and never a crash.
 */
import { connect, type Socket } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { exchange, httpRequest } from '../../test/raw-http.ts';
import { silentLogger } from '../logger.ts';
import { RpcHttpServer, type RpcHttpRequest } from './rpc-http.ts';

const MAX_BODY = 64 * 1024;
const REQUEST_TIMEOUT_MS = 400;
const IDLE_TIMEOUT_MS = 400;
const MAX_CONNECTIONS = 8;

describe('RpcHttpServer', () => {
  let server: RpcHttpServer;
  let port: number;
  const seen: RpcHttpRequest[] = [];

  beforeAll(async () => {
    server = new RpcHttpServer({
      name: 'test RPC',
      host: '127.0.0.1',
      port: 0,
      logger: silentLogger,
      maxBodyBytes: MAX_BODY,
      requestTimeoutMs: REQUEST_TIMEOUT_MS,
      idleTimeoutMs: IDLE_TIMEOUT_MS,
      maxConnections: MAX_CONNECTIONS,
      handler: async (req, ctx) => {
        seen.push(req);
        if (req.target === '/hold') await ctx.closed;
        if (req.target === '/big') return { status: 200, body: 'x'.repeat(256 * 1024) };
        return {
          status: 200,
          headers: { 'Content-Type': 'application/json' },
          body: `${JSON.stringify({ method: req.method, target: req.target, version: req.version, body: req.body.toString('utf8'), host: req.headers.get('host') ?? null, x: req.headers.get('x-folded') ?? null })}\n`,
        };
      },
    });
    await server.start();
    port = server.port;
  });
  afterAll(async () => {
    await server.stop();
    await server.stop();
  });

  const json = (body: string) => JSON.parse(body) as { method: string; target: string; version: string; body: string; host: string | null; x: string | null };

  describe('what bitcoind accepts', () => {
    it('reads headers ending in a bare LF, as ckpool sends them', async () => {
      const r = await exchange(port, [httpRequest('{"method": "getblockcount"}\n', { Authorization: 'Basic eDp5', Host: '127.0.0.1:1', 'Content-type': 'application/json' }, '\n')]);
      expect(r.responses).toHaveLength(1);
      expect(r.responses[0]!.statusLine).toBe('HTTP/1.1 200 OK');
      expect(json(r.responses[0]!.body)).toMatchObject({ method: 'POST', target: '/', version: '1.1', body: '{"method": "getblockcount"}\n', host: '127.0.0.1:1' });
    });

    it('reads CRLF, mixed line ends, folded headers and leading empty lines', async () => {
      const req = '\r\n\nPOST / HTTP/1.1\r\nHost: h\nX-Folded: one\r\n  two\r\nContent-Length: 2\n\r\nhi';
      const r = await exchange(port, [req]);
      expect(json(r.responses[0]!.body)).toMatchObject({ body: 'hi', host: 'h', x: 'one two' });
    });

    it('reads chunked bodies (with extensions and trailers) and answers Expect: 100-continue', async () => {
      const head = 'POST / HTTP/1.1\r\nHost: h\r\nTransfer-Encoding: chunked\r\nExpect: 100-continue\r\n\r\n';
      const r = await exchange(port, [head, '3;ext=1\r\nabc\r\n', '2\nde\n0\r\nTrailer: x\r\n\r\n'], { gapMs: 30 });
      expect(r.responses.map((x) => x.status)).toEqual([100, 200]);
      expect(json(r.responses[1]!.body).body).toBe('abcde');
    });

    it('keeps HTTP/1.1 connections alive and answers pipelined requests in order', async () => {
      const a = httpRequest('first', { Host: 'h' });
      const b = httpRequest('second', { Host: 'h' }, '\n');
      const c = httpRequest('third', { Host: 'h', Connection: 'close' });
      const r = await exchange(port, [a + '\r\n' + b + c]);
      expect(r.responses.map((x) => json(x.body).body)).toEqual(['first', 'second', 'third']);
      expect(r.responses.map((x) => x.headers.connection)).toEqual(['keep-alive', 'keep-alive', 'close']);
      expect(r.closedByServer).toBe(true);
    });

    it('closes HTTP/1.0 connections unless they ask for keep-alive', async () => {
      const r = await exchange(port, [httpRequest('x', {}, '\r\n', 'POST / HTTP/1.0')]);
      expect(r.responses[0]!.statusLine).toBe('HTTP/1.0 200 OK');
      expect(r.closedByServer).toBe(true);
      const k = await exchange(port, [httpRequest('y', { Connection: 'keep-alive' }, '\r\n', 'POST / HTTP/1.0')], { waitMs: 150 });
      expect(k.responses[0]!.headers.connection).toBe('keep-alive');
      expect(k.closedByServer).toBe(false);
    });

    it('serves a request whose client half-closes after sending it', async () => {
      const r = await exchange(port, [httpRequest('bye', {})], { endAfterWrite: true });
      expect(json(r.responses[0]!.body).body).toBe('bye');
      expect(r.closedByServer).toBe(true);
    });
  });

  describe('what a hostile or broken client sends', () => {
    it.each<[string, number, string | Buffer]>([
      ['binary garbage', 400, Buffer.from([0x16, 0x03, 0x01, 0x00, 0xa5, 0x01, 0x00, 0x00, 0x0a, 0x0a])],
      ['a request line with two parts', 400, 'POST /\r\n\r\n'],
      ['a bad method token', 400, 'PO(ST / HTTP/1.1\r\n\r\n'],
      ['a bad version', 400, 'POST / HTTX/1.1\r\n\r\n'],
      ['HTTP/2.0', 505, 'POST / HTTP/2.0\r\n\r\n'],
      ['a header without a colon', 400, 'POST / HTTP/1.1\r\nNoColon\r\n\r\n'],
      ['a continuation line first', 400, 'POST / HTTP/1.1\r\n folded\r\n\r\n'],
      ['a bare CR inside a header', 400, 'POST / HTTP/1.1\r\nA: b\rc\r\n\r\n'],
      ['Content-Length and Transfer-Encoding together', 400, 'POST / HTTP/1.1\r\nContent-Length: 3\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n'],
      ['two different Content-Lengths', 400, 'POST / HTTP/1.1\r\nContent-Length: 3\r\nContent-Length: 4\r\n\r\nabcd'],
      ['a negative Content-Length', 400, 'POST / HTTP/1.1\r\nContent-Length: -1\r\n\r\n'],
      ['an unknown transfer coding', 501, 'POST / HTTP/1.1\r\nTransfer-Encoding: gzip\r\n\r\n'],
      ['a malformed chunk size', 400, 'POST / HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\n'],
      ['a body over the limit (declared)', 413, `POST / HTTP/1.1\r\nContent-Length: ${MAX_BODY + 1}\r\n\r\n`],
      ['a chunked body over the limit', 413, `POST / HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\n${(MAX_BODY + 1).toString(16)}\r\n`],
      ['a head over the limit', 413, `POST / HTTP/1.1\r\nX: ${'a'.repeat(9000)}\r\n\r\n`],
      ['a head over the limit without an end', 413, `POST / HTTP/1.1\r\nX: ${'a'.repeat(9000)}`],
    ])('%s: %i and the connection closes', async (_name, status, bytes) => {
      const r = await exchange(port, [bytes]);
      expect(r.responses.map((x) => x.status)).toEqual([status]);
      expect(r.responses[0]!.headers.connection).toBe('close');
      expect(r.closedByServer).toBe(true);
    });

    it('a slowloris trickling a request byte by byte is cut off at the deadline, not kept alive by the bytes', async () => {
      const req = httpRequest('{"method":"getblockcount"}', { Host: 'h' });
      // One byte every 25 ms: each byte arrives well inside any idle timeout, but the request as a
      // whole would take far longer than the request deadline.
      const chunks = [...req];
      const r = await exchange(port, chunks, { gapMs: 25, waitMs: 2000 });
      expect(r.responses.map((x) => x.status)).toEqual([408]);
      expect(r.closedByServer).toBe(true);
      expect(r.written).toBeLessThan(chunks.length);
    });

    it('random bytes, random heads: always a status or a close, and the server keeps serving', async () => {
      let seed = 0x5eed;
      const rand = () => ((seed = (seed * 1103515245 + 12345) >>> 0) >>> 8) & 0xff;
      const pieces = ['POST', 'GET', ' / ', 'HTTP/1.1', 'HTTP/9.9', '\r\n', '\n', ':', 'Content-Length: ', 'Transfer-Encoding: chunked', '0', '99999999999', '\t', 'ffff'];
      for (let i = 0; i < 40; i++) {
        const bytes = i % 2 === 0 ? Buffer.from(Array.from({ length: 1 + (rand() % 200) }, rand)) : Buffer.from(Array.from({ length: 1 + (rand() % 12) }, () => pieces[rand() % pieces.length]).join('') + '\n\n');
        const r = await exchange(port, [bytes], { endAfterWrite: true, waitMs: 300 });
        for (const res of r.responses) expect([200, 400, 413, 501, 505]).toContain(res.status);
      }
      const ok = await exchange(port, [httpRequest('still here', {})]);
      expect(json(ok.responses[0]!.body).body).toBe('still here');
    });

    it('an idle kept-alive connection is closed', async () => {
      const r = await exchange(port, [httpRequest('x', {})], { waitMs: IDLE_TIMEOUT_MS * 4 });
      expect(r.responses).toHaveLength(1);
      expect(r.closedByServer).toBe(true);
    });

    it('a client that pipelines requests and never reads gets no more replies than the unread bound', async () => {
      const s = connect(port, '127.0.0.1');
      s.on('error', () => undefined);
      await new Promise((r) => s.once('connect', r));
      s.pause();
      const before = seen.length;
      const one = 'POST /big HTTP/1.1\r\nContent-Length: 0\r\n\r\n';
      s.write(one.repeat(200));
      // 200 replies of 256 KiB would be 50 MiB; the server stops taking requests once ~1 MiB sits unread.
      await expect.poll(() => seen.length - before).toBeGreaterThan(0);
      await new Promise((r) => setTimeout(r, 300));
      expect(seen.length - before).toBeLessThan(20);
      s.destroy();
    });

    it('a request still being served when its client leaves sees `closed` settle', async () => {
      const before = seen.length;
      const s = connect(port, '127.0.0.1');
      s.on('error', () => undefined);
      s.write('POST /hold HTTP/1.1\r\nContent-Length: 0\r\n\r\n');
      await expect.poll(() => seen.length).toBe(before + 1);
      s.destroy();
      // The held handler returns once the socket is gone; the server still serves others.
      const r = await exchange(port, [httpRequest('after', {})]);
      expect(json(r.responses[0]!.body).body).toBe('after');
    });

    it('connections past the limit are refused while the ones inside it are served', async () => {
      const sockets: Socket[] = [];
      try {
        for (let i = 0; i < MAX_CONNECTIONS; i++) {
          const s = connect(port, '127.0.0.1');
          s.on('error', () => undefined);
          await new Promise((r) => s.once('connect', r));
          sockets.push(s);
        }
        // The server counts them before the next one arrives.
        await expect.poll(async () => (await exchange(port, [httpRequest('over', {})], { waitMs: 200 })).responses.length).toBe(0);
        sockets.pop()!.destroy();
        await expect.poll(async () => (await exchange(port, [httpRequest('fits', {})], { waitMs: 200 })).responses.length).toBe(1);
      } finally {
        for (const s of sockets) s.destroy();
      }
      await expect.poll(async () => (await exchange(port, [httpRequest('free again', {})], { waitMs: 200 })).responses.length).toBe(1);
    });
  });
});
