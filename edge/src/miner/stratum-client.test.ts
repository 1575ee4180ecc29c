import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createServer, type AddressInfo, type Server, type Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createServer as createTlsServer } from 'node:tls';
import { afterEach, describe, expect, it } from 'vitest';
import { difficultyToTarget } from '@otedama/core';
import { StratumClientError } from '../errors.ts';
import { silentLogger } from '../logger.ts';
import {
  extranonce2Hex,
  normalizeStratumError,
  parseDifficultyParams,
  parseNotifyParams,
  parseReconnectParams,
  parseServerLine,
  parseSetExtranonceParams,
  parseSubscribeResult,
  StratumClient,
  type StratumJob,
} from './stratum-client.ts';

const PREV = '9e326f4ffd34246ef79871366e8540c7fbd388c768fea862808ef9cc00000000';
const NOTIFY = ['j1', PREV, '0100', 'ff00', [], '20000000', '1d00ffff', '6b04a1e9', true];

function reason(fn: () => unknown): string {
  try {
    fn();
  } catch (err) {
    expect(err).toBeInstanceOf(StratumClientError);
    return (err as StratumClientError).reason;
  }
  throw new Error('expected a StratumClientError');
}

describe('parseServerLine rejects malformed pool lines with a reason', () => {
  it.each([
    ['garbage', /not JSON/],
    ['{"id":1,', /not JSON/],
    ['[1,2,3]', /not a JSON object/],
    ['42', /not a JSON object/],
    ['null', /not a JSON object/],
    ['{"id":{},"result":true}', /"id" must be/],
    ['{"id":1,"method":5,"params":[]}', /"method" must be a non-empty string/],
    ['{"id":1,"method":"","params":[]}', /"method" must be a non-empty string/],
    ['{"id":null,"method":"mining.notify","params":{"a":1}}', /"params" of mining.notify must be an array/],
    ['{"id":1}', /neither a request/],
  ])('%s', (line, why) => {
    expect(reason(() => parseServerLine(line))).toMatch(why);
  });

  it('reads requests and responses, with the error shapes pools use', () => {
    expect(parseServerLine('{"id":null,"method":"mining.set_difficulty","params":[2]}')).toEqual({ kind: 'request', id: null, method: 'mining.set_difficulty', params: [2] });
    expect(parseServerLine('{"id":4,"method":"mining.ping"}')).toEqual({ kind: 'request', id: 4, method: 'mining.ping', params: [] });
    expect(parseServerLine('{"id": 4, "result": true, "error": null}')).toEqual({ kind: 'response', id: 4, result: true, error: null });
    expect(parseServerLine('{"id":4,"result":null,"error":[23,"Difficulty too low",null]}')).toMatchObject({ error: { code: 23, message: 'Difficulty too low' } });
    expect(parseServerLine('{"id":4,"result":false,"reject-reason":"stale"}')).toMatchObject({ error: { code: null, message: 'stale' } });
    expect(normalizeStratumError({ code: 21, message: 'Job not found' })).toEqual({ code: 21, message: 'Job not found' });
    expect(normalizeStratumError('bad')).toEqual({ code: null, message: 'bad' });
    expect(normalizeStratumError(null)).toBeNull();
  });
});

describe('parseNotifyParams', () => {
  it('accepts a notify and pads unpadded u32 hex (public-pool sends toString(16))', () => {
    const n = parseNotifyParams(['j1', PREV, '0100', 'FF00', [], '2000000', '1d00ffff', '6b04a1e9', false]);
    expect(n).toMatchObject({ jobId: 'j1', coinb2: 'ff00', version: '02000000', cleanJobs: false });
  });

  it.each([
    [[...NOTIFY.slice(0, 8)], /needs 9 params, got 8/],
    [['', ...NOTIFY.slice(1)], /job_id/],
    [['j', PREV.slice(2), ...NOTIFY.slice(2)], /prevhash must be 32 bytes/],
    [['j', PREV, 'zz', ...NOTIFY.slice(3)], /coinb1 is not hex/],
    [['j', PREV, '010', ...NOTIFY.slice(3)], /coinb1 has an odd number/],
    [['j', PREV, '01', '02', 'abc', ...NOTIFY.slice(5)], /merkle_branch must be an array/],
    [['j', PREV, '01', '02', ['00'], ...NOTIFY.slice(5)], /merkle_branch\[0\] must be 32 bytes/],
    [['j', PREV, '01', '02', [], '123456789', ...NOTIFY.slice(6)], /version must be 8 hex digits/],
    [['j', PREV, '01', '02', [], '20000000', 12, ...NOTIFY.slice(7)], /nbits must be 8 hex digits/],
  ])('rejects %j', (params, why) => {
    expect(reason(() => parseNotifyParams(params as unknown[]))).toMatch(why);
  });
});

describe('other server messages', () => {
  it('set_difficulty needs a positive finite number', () => {
    expect(parseDifficultyParams([0.5])).toBe(0.5);
    expect(parseDifficultyParams(['16'])).toBe(16);
    for (const bad of [[0], [-1], ['abc'], [], [null], [Infinity]]) expect(reason(() => parseDifficultyParams(bad))).toMatch(/positive number/);
  });

  it('subscribe results in the nested and flat forms', () => {
    expect(parseSubscribeResult([[['mining.set_difficulty', 'a'], ['mining.notify', 'b']], 'F0000001', 4])).toEqual({ sessionId: 'b', extranonce1: 'f0000001', extranonce2Size: 4 });
    expect(parseSubscribeResult([['mining.notify', 'ae6812eb4cd7735a302a8a9dd95cf71f'], '08000002', 4])).toMatchObject({ sessionId: 'ae6812eb4cd7735a302a8a9dd95cf71f' });
    expect(parseSubscribeResult([null, '', 8])).toEqual({ sessionId: null, extranonce1: '', extranonce2Size: 8 });
    expect(reason(() => parseSubscribeResult(true))).toMatch(/subscribe result must be/);
    expect(reason(() => parseSubscribeResult([[], 'f0', 0]))).toMatch(/extranonce2_size/);
    expect(reason(() => parseSubscribeResult([[], 'f0', 33]))).toMatch(/extranonce2_size/);
    expect(reason(() => parseSubscribeResult([[], 'xyz1', 4]))).toMatch(/extranonce1 is not hex/);
  });

  it('set_extranonce and client.reconnect', () => {
    expect(parseSetExtranonceParams(['abcd', 2])).toEqual({ extranonce1: 'abcd', extranonce2Size: 2 });
    expect(reason(() => parseSetExtranonceParams(['abcd', 'x']))).toMatch(/extranonce2_size/);
    expect(parseReconnectParams([])).toEqual({ waitSeconds: 0 });
    expect(parseReconnectParams(['pool.example.com', '3334', 5])).toEqual({ host: 'pool.example.com', port: 3334, waitSeconds: 5 });
    expect(parseReconnectParams(['h', 1, 1e9]).waitSeconds).toBe(300);
    expect(reason(() => parseReconnectParams(['h', 70000]))).toMatch(/port/);
    expect(reason(() => parseReconnectParams(['bad host/x', 1]))).toMatch(/host/);
  });

  it('extranonce2 is a little-endian counter of the pool size', () => {
    expect(extranonce2Hex(0n, 4)).toBe('00000000');
    expect(extranonce2Hex(1n, 4)).toBe('01000000');
    expect(extranonce2Hex(0x1234n, 2)).toBe('3412');
    expect(extranonce2Hex(0x1_0000n, 2)).toBe('0000');
  });
});

// ---------------------------------------------------------------------------------------------
// The client against a scripted server on 127.0.0.1.

type Handler = (socket: Socket, msg: Record<string, unknown>, connection: number) => void;

async function scriptedPool(handler: Handler) {
  const lines: { connection: number; msg: Record<string, unknown> }[] = [];
  const sockets: Socket[] = [];
  let connections = 0;
  const server: Server = createServer((socket) => {
    const connection = ++connections;
    sockets.push(socket);
    socket.setEncoding('utf8');
    socket.on('error', () => {});
    let buf = '';
    socket.on('data', (c: string) => {
      buf += c;
      let nl: number;
      while ((nl = buf.indexOf('\n')) >= 0) {
        const msg = JSON.parse(buf.slice(0, nl)) as Record<string, unknown>;
        buf = buf.slice(nl + 1);
        lines.push({ connection, msg });
        handler(socket, msg, connection);
      }
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
  const port = (server.address() as AddressInfo).port;
  return {
    port,
    lines,
    sockets,
    send: (socket: Socket, msg: unknown) => socket.write((typeof msg === 'string' ? msg : JSON.stringify(msg)) + '\n'),
    close: () => new Promise<void>((r) => {
      for (const s of sockets) s.destroy();
      server.close(() => r());
    }),
  };
}

const toClose: (() => Promise<void>)[] = [];
afterEach(async () => {
  while (toClose.length) await toClose.pop()!();
});

function standardHandshake(socket: Socket, msg: Record<string, unknown>, send: (s: Socket, m: unknown) => void, connection: number): boolean {
  if (msg.method === 'mining.subscribe') {
    send(socket, { id: msg.id, result: [[['mining.notify', `sid${connection}`]], `0000000${connection}`, 4], error: null });
    return true;
  }
  if (msg.method === 'mining.authorize') {
    send(socket, { id: msg.id, result: true, error: null });
    return true;
  }
  return false;
}

function newClient(port: number, extra: Partial<ConstructorParameters<typeof StratumClient>[0]> = {}) {
  const client = new StratumClient({ pool: { tls: false, host: '127.0.0.1', port }, user: 'addr.w', password: 'x', backoffInitialMs: 50, ...extra }, silentLogger);
  toClose.push(() => client.stop());
  return client;
}

function nextJob(client: StratumClient): Promise<{ job: StratumJob; restart: boolean }> {
  return new Promise((resolve) => {
    const off = client.on('job', (job, restart) => {
      off();
      resolve({ job, restart });
    });
  });
}

describe('StratumClient on the wire', () => {
  it('skips malformed lines, answers ping, applies set_difficulty from the next notify, and submits 5 params', async () => {
    let send!: (s: Socket, m: unknown) => void;
    const pool = await scriptedPool((socket, msg, connection) => {
      if (msg.method === 'mining.subscribe') {
        standardHandshake(socket, msg, send, connection);
        send(socket, 'this is not json');
        send(socket, '{"id":null,"method":"mining.notify","params":["short"]}');
        send(socket, { id: null, method: 'mining.set_difficulty', params: [0] });
        send(socket, { id: null, method: 'mining.set_difficulty', params: [0.5] });
        return;
      }
      if (msg.method === 'mining.authorize') {
        standardHandshake(socket, msg, send, connection);
        send(socket, { id: null, method: 'mining.notify', params: NOTIFY });
        send(socket, { id: 9, method: 'mining.ping', params: [] });
        send(socket, { id: 10, method: 'mining.bogus', params: [] });
        return;
      }
      if (msg.method === 'mining.submit') send(socket, { id: msg.id, result: true, error: null });
    });
    send = pool.send;
    toClose.push(pool.close);
    const client = newClient(pool.port);
    const first = nextJob(client);
    client.start();
    const { job, restart } = await first;
    expect(restart).toBe(true);
    expect(job).toMatchObject({ jobId: 'j1', difficulty: 0.5, extranonce1: '00000001', extranonce2Size: 4 });
    expect(job.target).toBe(difficultyToTarget(0.5));
    await expect.poll(() => pool.lines.find((l) => l.msg.id === 9)?.msg).toEqual({ id: 9, result: 'pong', error: null });
    await expect.poll(() => pool.lines.find((l) => l.msg.id === 10)?.msg).toMatchObject({ id: 10, result: null, error: [20, expect.stringContaining('unknown method'), null] });
    expect(client.status().malformedLines).toBe(3);

    // set_difficulty applies from the next notify only.
    pool.send(pool.sockets[0]!, { id: null, method: 'mining.set_difficulty', params: [2] });
    await expect.poll(() => client.status().pendingDifficulty).toBe(2);
    expect(client.currentJob?.difficulty).toBe(0.5);
    const second = nextJob(client);
    pool.send(pool.sockets[0]!, { id: null, method: 'mining.notify', params: ['j2', ...NOTIFY.slice(1, 8), false] });
    expect((await second).job).toMatchObject({ jobId: 'j2', difficulty: 2, cleanJobs: false });

    const result = await client.submit({ jobId: 'j2', extranonce2: '00000000', ntime: '6b04a1e9', nonce: '0000abcd' });
    expect(result).toEqual({ accepted: true });
    const submit = pool.lines.find((l) => l.msg.method === 'mining.submit')!.msg;
    expect(submit.params).toEqual(['addr.w', 'j2', '00000000', '6b04a1e9', '0000abcd']);
    const sub = pool.lines.find((l) => l.msg.method === 'mining.subscribe')!.msg;
    expect(sub.params).toEqual(['otedama/0.1.0']);
  });

  it('matches replies that carry ids it never sent to the oldest submit, and reports reject reasons', async () => {
    let send!: (s: Socket, m: unknown) => void;
    const pool = await scriptedPool((socket, msg, connection) => {
      if (standardHandshake(socket, msg, send, connection)) {
        if (msg.method === 'mining.authorize') send(socket, { id: null, method: 'mining.notify', params: NOTIFY });
        return;
      }
      if (msg.method === 'mining.submit') {
        const nonce = (msg.params as string[])[4];
        // Answers in order, with an id of its own.
        send(socket, nonce === '00000001' ? { id: 999, result: true, error: null } : { id: '1000', result: null, error: [23, 'Difficulty too low', null] });
      }
    });
    send = pool.send;
    toClose.push(pool.close);
    const client = newClient(pool.port);
    const first = nextJob(client);
    client.start();
    await first;
    const a = client.submit({ jobId: 'j1', extranonce2: '00000000', ntime: '6b04a1e9', nonce: '00000001' });
    const b = client.submit({ jobId: 'j1', extranonce2: '00000000', ntime: '6b04a1e9', nonce: '00000002' });
    expect(await a).toEqual({ accepted: true });
    expect(await b).toEqual({ accepted: false, reason: 'Difficulty too low' });
    expect(client.status()).toMatchObject({ accepted: 1, rejected: 1 });
  });

  it('follows client.reconnect and resubscribes with its session id; set_extranonce restarts the job', async () => {
    let send!: (s: Socket, m: unknown) => void;
    const pool = await scriptedPool((socket, msg, connection) => {
      if (standardHandshake(socket, msg, send, connection) && msg.method === 'mining.authorize') {
        send(socket, { id: null, method: 'mining.notify', params: NOTIFY });
      }
    });
    send = pool.send;
    toClose.push(pool.close);
    const client = newClient(pool.port);
    const first = nextJob(client);
    client.start();
    await first;
    const afterReconnect = nextJob(client);
    pool.send(pool.sockets[0]!, { id: null, method: 'client.reconnect', params: ['127.0.0.1', pool.port, 0] });
    const { job } = await afterReconnect;
    expect(job.connectionId).toBe(2);
    const subscribes = pool.lines.filter((l) => l.msg.method === 'mining.subscribe');
    expect(subscribes.map((s) => s.msg.params)).toEqual([['otedama/0.1.0'], ['otedama/0.1.0', 'sid1']]);

    const restarted = nextJob(client);
    pool.send(pool.sockets[1]!, { id: 30, method: 'mining.set_extranonce', params: ['abcdef01', 2] });
    expect(await restarted).toMatchObject({ restart: true, job: { extranonce1: 'abcdef01', extranonce2Size: 2 } });
  });

  it('reconnects with backoff when the pool drops the connection', async () => {
    let send!: (s: Socket, m: unknown) => void;
    const pool = await scriptedPool((socket, msg, connection) => {
      if (standardHandshake(socket, msg, send, connection) && msg.method === 'mining.authorize') {
        send(socket, { id: null, method: 'mining.notify', params: NOTIFY });
        if (connection === 1) setTimeout(() => socket.destroy(), 10);
      }
    });
    send = pool.send;
    toClose.push(pool.close);
    const client = newClient(pool.port);
    client.start();
    await expect.poll(() => pool.lines.filter((l) => l.msg.method === 'mining.authorize').length, { timeout: 5000 }).toBe(2);
    await expect.poll(() => client.state).toBe('ready');
  });

  it('stops for good when the pool refuses authorization', async () => {
    let send!: (s: Socket, m: unknown) => void;
    const pool = await scriptedPool((socket, msg, connection) => {
      if (msg.method === 'mining.authorize') send(socket, { id: msg.id, result: false, error: [24, 'unknown address', null] });
      else standardHandshake(socket, msg, send, connection);
    });
    send = pool.send;
    toClose.push(pool.close);
    const client = newClient(pool.port);
    const fatal = new Promise<StratumClientError>((resolve) => client.on('fatal', resolve));
    client.start();
    expect((await fatal).reason).toMatch(/refused authorization of "addr.w": unknown address/);
    await expect.poll(() => client.state).toBe('stopped');
  });

  it('negotiates version rolling and then submits 6 params', async () => {
    let send!: (s: Socket, m: unknown) => void;
    const pool = await scriptedPool((socket, msg, connection) => {
      if (msg.method === 'mining.configure') send(socket, { id: msg.id, result: { 'version-rolling': true, 'version-rolling.mask': '1fffe000' }, error: null });
      else if (standardHandshake(socket, msg, send, connection)) {
        if (msg.method === 'mining.authorize') send(socket, { id: null, method: 'mining.notify', params: NOTIFY });
      } else if (msg.method === 'mining.submit') send(socket, { id: msg.id, result: true, error: null });
    });
    send = pool.send;
    toClose.push(pool.close);
    const client = newClient(pool.port, { versionRolling: true });
    const first = nextJob(client);
    client.start();
    expect((await first).job.versionMask).toBe(0x1fffe000);
    await client.submit({ jobId: 'j1', extranonce2: '00000000', ntime: '6b04a1e9', nonce: '00000001' });
    expect(pool.lines.find((l) => l.msg.method === 'mining.submit')!.msg.params).toHaveLength(6);
    expect(pool.lines[0]!.msg.method).toBe('mining.configure');
  });

  const hasOpenssl = (() => {
    try {
      execFileSync('openssl', ['version'], { stdio: 'ignore' });
      return true;
    } catch {
      return false;
    }
  })();

  it.skipIf(!hasOpenssl)('speaks stratum+tcps: verifies the certificate, or accepts a self-signed one with tlsInsecure', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'otedama-client-tls-'));
    toClose.push(async () => rmSync(dir, { recursive: true, force: true }));
    const key = join(dir, 'key.pem');
    const cert = join(dir, 'cert.pem');
    execFileSync('openssl', ['req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes', '-keyout', key, '-out', cert, '-days', '1', '-subj', '/CN=127.0.0.1'], { stdio: 'ignore' });
    const server = createTlsServer({ key: readFileSync(key), cert: readFileSync(cert) }, (socket) => {
      socket.setEncoding('utf8');
      socket.on('error', () => {});
      let buf = '';
      socket.on('data', (c: string) => {
        buf += c;
        let nl: number;
        while ((nl = buf.indexOf('\n')) >= 0) {
          const msg = JSON.parse(buf.slice(0, nl)) as Record<string, unknown>;
          buf = buf.slice(nl + 1);
          if (standardHandshake(socket as unknown as Socket, msg, (s2, m) => s2.write(JSON.stringify(m) + '\n'), 1) && msg.method === 'mining.authorize') {
            socket.write(JSON.stringify({ id: null, method: 'mining.notify', params: NOTIFY }) + '\n');
          }
        }
      });
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
    toClose.push(() => new Promise<void>((r) => server.close(() => r())));
    const port = (server.address() as AddressInfo).port;

    const strict = newClient(port, { pool: { tls: true, host: '127.0.0.1', port }, backoffInitialMs: 5000 });
    strict.start();
    await expect.poll(() => strict.status().lastError ?? '').toMatch(/certificate/i);
    expect(strict.state).not.toBe('ready');
    await strict.stop();

    const insecure = newClient(port, { pool: { tls: true, host: '127.0.0.1', port }, tlsInsecure: true });
    const job = nextJob(insecure);
    insecure.start();
    expect((await job).job.jobId).toBe('j1');
  });
});
