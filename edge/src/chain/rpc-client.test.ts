/** The JSON-RPC client against real loopback servers: a good simnet and badly behaved ones. */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { createServer as createTcpServer, type Server as TcpServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { TEST_DIFFICULTY } from '../../test/chain-helpers.ts';
import { RpcAuthError, RpcError, RpcTransportError } from '../errors.ts';
import { silentLogger } from '../logger.ts';
import { RpcClient } from './rpc-client.ts';
import { Simnet } from '../simnet/simnet.ts';

type Handler = (req: IncomingMessage, res: ServerResponse, body: string) => void;

async function serve(handler: Handler): Promise<{ url: string; server: Server; hits: () => number }> {
  let hits = 0;
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      hits++;
      handler(req, res, Buffer.concat(chunks).toString('utf8'));
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
  const addr = server.address() as { port: number };
  return { url: `http://127.0.0.1:${addr.port}/`, server, hits: () => hits };
}

describe('RpcClient', () => {
  const servers: (Server | TcpServer)[] = [];
  const clients: RpcClient[] = [];
  let dir: string;
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'otedama-rpcc-'));
  });
  afterEach(async () => {
    for (const c of clients.splice(0)) c.close();
    for (const s of servers.splice(0)) {
      if ('closeAllConnections' in s) s.closeAllConnections();
      await new Promise<void>((r) => s.close(() => r()));
    }
    rmSync(dir, { recursive: true, force: true });
  });
  const client = (url: string, extra: Partial<ConstructorParameters<typeof RpcClient>[0]> = {}) => {
    const c = new RpcClient({ url, user: 'u', password: 'p', logger: silentLogger, backoffMs: 5, ...extra });
    clients.push(c);
    return c;
  };
  const start = async (h: Handler) => {
    const s = await serve(h);
    servers.push(s.server);
    return s;
  };

  it('talks to simnet with the cookie, and re-reads it after simnet restarts', async () => {
    const simnet = new Simnet({ dataDir: dir, rpcPort: 0, blockDifficulty: TEST_DIFFICULTY, blockRewardSats: 1000, logger: silentLogger });
    await simnet.start();
    try {
      const c = client(simnet.rpcUrl, { user: undefined, password: undefined, cookieFile: simnet.cookieFile });
      expect(await c.call('getblockcount')).toBe(0);
      const port = Number(new URL(simnet.rpcUrl).port);
      await simnet.stop();
      const again = new Simnet({ dataDir: dir, rpcPort: port, blockDifficulty: TEST_DIFFICULTY, blockRewardSats: 1000, logger: silentLogger });
      await again.start();
      try {
        expect(await c.call('getblockcount')).toBe(0);
      } finally {
        await again.stop();
      }
    } finally {
      await simnet.stop();
    }
  });

  it('sends Basic auth and JSON-RPC 1.0, returns the result', async () => {
    let seen: { auth?: string; body?: unknown } = {};
    const s = await start((req, res, body) => {
      seen = { auth: req.headers.authorization, body: JSON.parse(body) };
      res.end(JSON.stringify({ result: { ok: 1 }, error: null, id: (seen.body as { id: number }).id }));
    });
    expect(await client(s.url).call('getblockchaininfo', [1, 'a'])).toEqual({ ok: 1 });
    expect(seen.auth).toBe('Basic ' + Buffer.from('u:p').toString('base64'));
    expect(seen.body).toMatchObject({ jsonrpc: '1.0', method: 'getblockchaininfo', params: [1, 'a'] });
  });

  it('turns a node error into RpcError (also on HTTP 500, as bitcoind answers)', async () => {
    const s = await start((_req, res) => {
      res.statusCode = 500;
      res.end(JSON.stringify({ result: null, error: { code: -8, message: 'bad param' }, id: null }));
    });
    const err = await client(s.url).call('x').catch((e: unknown) => e);
    expect(err).toBeInstanceOf(RpcError);
    expect(err).toMatchObject({ rpcCode: -8, rpcMessage: 'bad param', method: 'x' });
    expect(s.hits()).toBe(1);
  });

  it.each<[string, Handler, RegExp]>([
    ['HTML 500', (_q, r) => { r.statusCode = 500; r.setHeader('Content-Type', 'text/html'); r.end('<html><body>Internal Server Error</body></html>'); }, /HTTP 500 with a body that is not JSON: "<html><body>Internal/],
    ['HTML 200', (_q, r) => r.end('<!doctype html><p>hello</p>'), /HTTP 200 with a body that is not JSON/],
    ['empty body', (_q, r) => r.end(''), /not JSON/],
    ['JSON that is not a reply', (_q, r) => r.end('[1,2,3]'), /not a JSON-RPC reply/],
    ['an id that does not match', (_q, r) => r.end(JSON.stringify({ result: 1, error: null, id: 999 })), /does not match request id/],
    ['a 200-less status without error', (_q, r) => { r.statusCode = 404; r.end(JSON.stringify({ result: 1, error: null })); }, /HTTP 404 without an error object/],
  ])('garbage: %s is an RpcTransportError', async (_name, handler, reason) => {
    const s = await start(handler);
    const err = await client(s.url, { retries: 0 }).call('getblocktemplate').catch((e: unknown) => e);
    expect(err).toBeInstanceOf(RpcTransportError);
    expect((err as Error).message).toMatch(reason);
  });

  it('401 is an RpcAuthError with advice', async () => {
    const s = await start((_q, r) => {
      r.statusCode = 401;
      r.end();
    });
    await expect(client(s.url).call('x')).rejects.toBeInstanceOf(RpcAuthError);
    await expect(client(s.url).call('x')).rejects.toThrow(/check chain.rpcUser\/rpcPassword or the cookie file/);
  });

  it('retries a 503 from a proxy with backoff, then succeeds', async () => {
    let n = 0;
    const s = await start((_q, r, body) => {
      if (++n < 3) {
        r.statusCode = 503;
        r.end('Service Unavailable');
      } else r.end(JSON.stringify({ result: 'ok', error: null, id: JSON.parse(body).id }));
    });
    expect(await client(s.url, { retries: 3 }).call('x')).toBe('ok');
    expect(s.hits()).toBe(3);
  });

  it('times out a silent server, retrying, then gives up with a retryable transport error', async () => {
    const s = await start(() => undefined); // never answers
    const started = Date.now();
    const err = await client(s.url, { timeoutMs: 100, retries: 2 }).call('getblocktemplate').catch((e: unknown) => e);
    expect(err).toBeInstanceOf(RpcTransportError);
    expect((err as RpcTransportError).retryable).toBe(true);
    expect((err as Error).message).toMatch(/no reply .* within 100 ms/);
    expect(s.hits()).toBe(3);
    expect(Date.now() - started).toBeGreaterThanOrEqual(300);
  });

  it('connection refused is retried then reported', async () => {
    const s = await start(() => undefined);
    const url = s.url;
    s.server.close();
    servers.splice(servers.indexOf(s.server), 1);
    const err = await client(url, { retries: 2 }).call('x').catch((e: unknown) => e);
    expect(err).toBeInstanceOf(RpcTransportError);
    expect((err as Error).message).toMatch(/cannot reach .*ECONNREFUSED/);
  });

  it('a server that hangs up mid-reply, and one that speaks no HTTP', async () => {
    const s = await start((_q, r) => {
      r.writeHead(200, { 'Content-Length': '1000' });
      r.write('{"result":');
      setTimeout(() => r.socket?.destroy(), 10);
    });
    await expect(client(s.url, { retries: 1 }).call('x')).rejects.toBeInstanceOf(RpcTransportError);
    const tcp = createTcpServer((sock) => sock.end('SSH-2.0-OpenSSH\r\n', () => sock.destroy()));
    servers.push(tcp);
    await new Promise<void>((r) => tcp.listen(0, '127.0.0.1', () => r()));
    const port = (tcp.address() as { port: number }).port;
    await expect(client(`http://127.0.0.1:${port}/`, { retries: 0 }).call('x')).rejects.toBeInstanceOf(RpcTransportError);
  });

  it('refuses replies over the size limit, and bad URLs and cookie files', async () => {
    const s = await start((_q, r) => r.end(JSON.stringify({ result: 'x'.repeat(10_000), error: null })));
    await expect(client(s.url, { maxResponseBytes: 1000 }).call('x')).rejects.toThrow(/larger than 1000 bytes/);
    expect(() => client('not a url')).toThrow(RpcTransportError);
    expect(() => client('ftp://127.0.0.1/')).toThrow(/http/);
    const missing = client(s.url, { user: undefined, password: undefined, cookieFile: join(dir, 'nope'), retries: 0 });
    await expect(missing.call('x')).rejects.toThrow(/cannot read the RPC cookie file/);
    writeFileSync(join(dir, 'bad'), 'nocolon');
    await expect(client(s.url, { user: undefined, password: undefined, cookieFile: join(dir, 'bad') }).call('x')).rejects.toBeInstanceOf(RpcAuthError);
  });

  it('can be cancelled', async () => {
    const s = await start(() => undefined);
    const ac = new AbortController();
    const p = client(s.url).call('x', [], { signal: ac.signal });
    setTimeout(() => ac.abort(), 50);
    await expect(p).rejects.toThrow(/cancelled/);
  });
});
