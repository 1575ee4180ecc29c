/* eslint-disable @typescript-eslint/no-explicit-any -- JSON bodies of API answers */
import { serve, type ServerType } from '@hono/node-server';
import { addressToScript, concatBytes, scriptToAddress, type BlockTemplate } from '@otedama/core';
import { Hono } from 'hono';
import { mkdtempSync, rmSync, existsSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { AdminToken, readAdminToken } from './admin-token.ts';
import { createApiRoutes, toJson, type ApiDeps } from './api.ts';
import { createHttpApp } from './http-app.ts';
import { silentLogger } from '../logger.ts';
import { NextPayouts } from '../accounting/next-payouts.ts';
import { openStorage, type Storage } from '../storage/open-storage.ts';
import { extend, testPool } from '../../../core/test/sharechain-fixtures.ts';

const p2wpkh = (fill: number) => scriptToAddress(concatBytes(new Uint8Array([0x00, 0x14]), new Uint8Array(20).fill(fill)), 'regtest')!;
const POOL = p2wpkh(0xee);
const A = p2wpkh(0x0a);
const B = p2wpkh(0x0b);
const C = p2wpkh(0x0c);
const COIN = 100_000_000n;
const NOW = 1_800_000_000_000;

let dir: string;
let storage: Storage;

beforeEach(async () => {
  dir = mkdtempSync(join(tmpdir(), 'otedama-api-'));
  storage = await openStorage({ dataDir: dir });
  const share = (address: string, worker: string, t: number, i: number) => ({
    time: t, address, worker, difficulty: 1, shareDiff: 2, jobId: 'j', height: 5, isBlock: false, hash: i.toString(16).padStart(64, '0'),
  });
  await storage.store.insertShares([
    ...Array.from({ length: 6 }, (_, i) => share(A, 'rig1', NOW - 60_000 + i, i)),
    ...Array.from({ length: 2 }, (_, i) => share(A, 'rig2', NOW - 30_000 + i, 100 + i)),
    share(B, '', NOW - 120_000, 200),
  ]);
  await storage.store.recordBlock(
    { hash: 'ab'.repeat(32), height: 5, time: NOW - 10_000, reward: 5_000_000_000n, status: 'confirmed', finder: A, worker: 'rig1' },
    [
      { outputIndex: 0, address: POOL, value: 50_000_000n, kind: 'pool', credit: 50_000_000n, carriedPaid: 0n },
      { outputIndex: 1, address: A, value: 4_400_000_000n, kind: 'miner', credit: 4_400_000_000n, carriedPaid: 0n },
      { outputIndex: 2, address: B, value: 550_000_000n, kind: 'miner', credit: 550_000_000n, carriedPaid: 0n },
    ],
  );
});

afterEach(async () => {
  await storage.close();
  rmSync(dir, { recursive: true, force: true });
});

function app(over: Partial<ApiDeps> = {}): Hono {
  const a = new Hono();
  createApiRoutes({
    store: storage.store,
    pool: { feeBp: 100, minPayoutSats: 1_000_000n, feeAddress: POOL, network: 'regtest', chainName: 'simnet' },
    live: () => ({ height: 6, stratum: { connections: 2 }, windowShares: 9 }),
    dataDir: dir,
    rateLimitPerMinute: 1000,
    logger: silentLogger,
    now: () => NOW,
    ...over,
  })(a);
  return a;
}

/** A fake node-server env whose socket has this remote address. */
const fromIp = (remoteAddress: string) => ({ incoming: { socket: { remoteAddress } } });

describe('HTTP API through app.request()', () => {
  it('/api/pool/stats sums the books', async () => {
    const res = await app().request('/api/pool/stats');
    expect(res.status).toBe(200);
    const body = await res.json() as any;
    expect(body).toMatchObject({
      pool: { feeBp: 100, minPayoutSats: 1_000_000, feeAddress: POOL, network: 'simnet', payouts: 'sharechain', algorithm: 'sha256d' }, // an edge that names no algorithm mines SHA-256d
      chain: { height: 6 }, stratum: { connections: 2 }, windowShares: 9,
      activeMiners: 2, activeWorkers: 3, sharesTotal: 9, blocksFound: 1, paidTotal: 4_950_000_000, // paid to miners; the operator's output is not "paid"
    });
    expect(body).not.toHaveProperty('carriedTotal'); // nobody holds funds
    expect(body.hashrate.m10).toBeGreaterThan(0);
    expect(body.lastBlock.height).toBe(5);
  });

  it('/api/pool/miners lists miners by hashrate with paging', async () => {
    const body = await (await app().request('/api/pool/miners')).json() as any;
    expect(body.miners.map((m: { address: string }) => m.address)).toEqual([A, B]);
    expect(body.miners[0]).toMatchObject({ workers: 2, shares: 8 });
    expect(body.miners[0]).not.toHaveProperty('balance');
    const second = await (await app().request('/api/pool/miners?limit=1&offset=1')).json() as any;
    expect(second).toMatchObject({ limit: 1, offset: 1 });
    expect(second.miners.map((m: { address: string }) => m.address)).toEqual([B]);
  });

  it('/api/miners/:address shows workers, hashrates and payouts', async () => {
    const body = await (await app().request(`/api/miners/${A}`)).json() as any;
    expect(body).toMatchObject({ address: A, shares: 8, paid: 4_400_000_000 });
    expect(body).not.toHaveProperty('balance');
    expect(body.workers.map((w: { worker: string }) => w.worker)).toEqual(['rig1', 'rig2']);
    expect(Object.keys(body.hashrate).sort()).toEqual(['h1', 'h24', 'm10', 'seconds']);
    // A's first share came 60 s ago: each figure says it is averaged over those 60 s, not the window.
    expect(body.hashrate.seconds).toEqual({ m10: 60, h1: 60, h24: 60 });
    expect(body.workers.find((w: { worker: string }) => w.worker === 'rig2').hashrate.seconds.m10).toBe(30);
    expect(body.payouts).toHaveLength(1);
    expect(body.payouts[0]).toMatchObject({ address: A, value: 4_400_000_000, height: 5, status: 'confirmed' });
  });

  it('/api/pool/payouts and /api/blocks list the found block', async () => {
    const payouts = await (await app().request('/api/pool/payouts')).json() as any;
    expect(payouts.payouts.map((p: { value: number }) => p.value).reduce((a: number, b: number) => a + b, 0)).toBe(5_000_000_000);
    const onlyB = await (await app().request(`/api/pool/payouts?address=${B}`)).json() as any;
    expect(onlyB.payouts).toHaveLength(1);
    const blocks = await (await app().request('/api/blocks')).json() as any;
    expect(blocks.blocks).toEqual([expect.objectContaining({ height: 5, status: 'confirmed', finder: A, worker: 'rig1', reward: 5_000_000_000 })]);
  });

  it('refuses malformed input with 4xx JSON errors that say why', async () => {
    const cases: [string, number, string, string | undefined][] = [
      ['/api/miners/not-an-address', 400, 'invalid_address', 'address'],
      [`/api/miners/${'x'.repeat(300)}`, 400, 'invalid_address', 'address'],
      ['/api/miners/bc1qar0srrr7xfkvy5l643lydnw9re59gtzzwf5mdq', 400, 'invalid_address', 'address'],
      [`/api/miners/${p2wpkh(0x77)}`, 404, 'unknown_miner', 'address'],
      ['/api/pool/miners?limit=abc', 400, 'invalid_query', 'limit'],
      ['/api/pool/miners?limit=0', 400, 'invalid_query', 'limit'],
      ['/api/pool/miners?limit=1001', 400, 'invalid_query', 'limit'],
      ['/api/blocks?offset=-1', 400, 'invalid_query', 'offset'],
      ['/api/blocks?offset=1.5', 400, 'invalid_query', 'offset'],
      ['/api/pool/payouts?address=%00%01', 400, 'invalid_address', 'address'],
      // Malformed addresses: wrong checksum, mixed case, wrong network, base58 junk, spaces, encoded slash.
      [`/api/miners/${A.slice(0, -1)}${A.endsWith('q') ? 'p' : 'q'}`, 400, 'invalid_address', 'address'],
      [`/api/miners/${A.slice(0, 6).toUpperCase()}${A.slice(6)}`, 400, 'invalid_address', 'address'],
      ['/api/miners/1BoatSLRHtKNngkdXEeobR76b53LETtpyT', 400, 'invalid_address', 'address'],
      ['/api/miners/0OIl0OIl0OIl0OIl0OIl0OIl0OIl', 400, 'invalid_address', 'address'],
      [`/api/miners/%20${A}`, 400, 'invalid_address', 'address'],
      [`/api/miners/${A}%2Fx`, 400, 'invalid_address', 'address'],
      ['/api/miners/', 404, 'not_found', undefined],
      ['/api/no/such/route', 404, 'not_found', undefined],
    ];
    for (const [path, status, code, field] of cases) {
      const res = await app().request(path);
      expect(res.status, path).toBe(status);
      expect(res.headers.get('content-type')).toMatch(/application\/json/);
      const body = await res.json() as any;
      expect(body.error.code, path).toBe(code);
      expect(body.error.message.length, path).toBeGreaterThan(10);
      if (field) expect(body.error.field, path).toBe(field);
    }
  });

  it('an address with no shares yet is 404 unknown_miner with the usual JSON error body', async () => {
    const res = await app().request(`/api/miners/${p2wpkh(0x77)}`);
    expect(res.status).toBe(404);
    expect(await res.json()).toEqual({
      error: { code: 'unknown_miner', field: 'address', message: expect.stringMatching(/no shares from .* are on record at this pool yet/) },
    });
  });

  it('/api/miners/:address has sharechain null when no chain is wired or the window does not credit the address', async () => {
    expect(((await (await app().request(`/api/miners/${A}`)).json()) as any).sharechain).toBeNull();
    expect(((await (await app({ standing: () => undefined }).request(`/api/miners/${A}`)).json()) as any).sharechain).toBeNull();
  });

  it('GET answers carry Access-Control-Allow-Origin: * (errors and 429 too); nothing else is cross-origin', async () => {
    const a = app({ rateLimitPerMinute: 4 });
    const origin = { headers: { origin: 'http://other-edge.example:8080' } };
    for (const [path, status] of [['/api/pool/stats', 200], [`/api/miners/${p2wpkh(0x77)}`, 404], ['/api/miners/nope', 400], ['/api/openapi.json', 200]] as const) {
      const res = await a.request(path, origin, fromIp('10.0.0.9'));
      expect(res.status, path).toBe(status);
      expect(res.headers.get('access-control-allow-origin'), path).toBe('*');
      expect(res.headers.get('access-control-allow-credentials'), path).toBeNull();
    }
    const limited = await a.request('/api/blocks', origin, fromIp('10.0.0.9'));
    expect(limited.status).toBe(429);
    expect(limited.headers.get('access-control-allow-origin')).toBe('*');
    expect(limited.headers.get('access-control-expose-headers')).toMatch(/Retry-After/);
    const head = await app().request('/api/pool/stats', { method: 'HEAD', ...origin });
    expect(head.headers.get('access-control-allow-origin')).toBe('*');
    // Not GET: no CORS header, so a page of another origin cannot read these answers.
    const post = await app().request('/api/admin/profile?seconds=1', { method: 'POST', ...origin }, fromIp('192.0.2.7'));
    expect(post.status).toBe(403);
    expect(post.headers.get('access-control-allow-origin')).toBeNull();
    const preflight = await app().request('/api/pool/stats', { method: 'OPTIONS', headers: { ...origin.headers, 'access-control-request-method': 'GET' } });
    expect(preflight.headers.get('access-control-allow-origin')).toBeNull();
    expect(preflight.headers.get('access-control-allow-methods')).toBeNull();
  });

  it('rate-limits each IP address with a token bucket (429 + Retry-After)', async () => {
    let t = NOW;
    const a = app({ rateLimitPerMinute: 3, now: () => t });
    for (let i = 0; i < 3; i++) expect((await a.request('/api/blocks', {}, fromIp('10.0.0.1'))).status).toBe(200);
    const limited = await a.request('/api/blocks', {}, fromIp('10.0.0.1'));
    expect(limited.status).toBe(429);
    expect(Number(limited.headers.get('retry-after'))).toBeGreaterThanOrEqual(1);
    expect(((await limited.json()) as any).error.code).toBe('rate_limited');
    // Another address has its own bucket; the first refills with time.
    expect((await a.request('/api/blocks', {}, fromIp('10.0.0.2'))).status).toBe(200);
    t += 20_000;
    expect((await a.request('/api/blocks', {}, fromIp('10.0.0.1'))).status).toBe(200);
  });

  it('serves an OpenAPI 3 document that lists every route', async () => {
    const doc = await (await app().request('/api/openapi.json')).json() as any;
    expect(doc.openapi).toMatch(/^3\./);
    for (const p of ['/api/pool/stats', '/api/pool/miners', '/api/miners/{address}', '/api/pool/payouts', '/api/blocks', '/health', '/api/admin/profile']) {
      expect(doc.paths[p], p).toBeDefined();
    }
    const miner = doc.paths['/api/miners/{address}'].get.responses;
    expect(miner['404'].description).toMatch(/unknown_miner.*no share/);
    const schema = miner['200'].content['application/json'].schema;
    expect(schema.properties.workers.type).toBe('array');
    expect(schema.properties.sharechain.required).toEqual(['windowShares', 'shares', 'fraction', 'blockRewardSats', 'expectedSats', 'kind', 'probability', 'thresholdSats']);
    expect(schema.required).not.toContain('balance');
    for (const p of ['/api/sharechain', '/api/sharechain/peers', '/api/sharechain/sync']) expect(doc.paths[p], p).toBeDefined();
    expect(doc.info.description).toMatch(/Access-Control-Allow-Origin/);
  });

  it('answers the admin profile route only to loopback clients holding the data folder\'s admin token, one profile at a time', async () => {
    const token = await AdminToken.create(dir);
    const auth = { headers: { authorization: `Bearer ${readAdminToken(dir)}` } };
    const a = app({ adminToken: token });
    const remote = await a.request('/api/admin/profile?seconds=1', { method: 'POST', ...auth }, fromIp('192.0.2.7'));
    expect(remote.status).toBe(403);
    // Loopback is not a credential: any local process or page can reach 127.0.0.1.
    const anonymous = await a.request('/api/admin/profile?seconds=1', { method: 'POST' }, fromIp('127.0.0.1'));
    expect(anonymous.status).toBe(401);
    expect(((await anonymous.json()) as any).error.message).toContain(join(dir, 'admin.token'));
    const wrong = await a.request('/api/admin/profile?seconds=1', { method: 'POST', headers: { authorization: `Bearer ${'0'.repeat(64)}` } }, fromIp('127.0.0.1'));
    expect(wrong.status).toBe(401);
    expect((await app().request('/api/admin/profile?seconds=1', { method: 'POST', ...auth }, fromIp('127.0.0.1'))).status).toBe(403); // no token configured
    const bad = await a.request('/api/admin/profile?seconds=9999', { method: 'POST', ...auth }, fromIp('127.0.0.1'));
    expect(bad.status).toBe(400);
    const running = a.request('/api/admin/profile?seconds=1', { method: 'POST', ...auth }, fromIp('::ffff:127.0.0.1'));
    await new Promise((r) => setImmediate(r)); // the first request's handler has started its profile
    const second = await a.request('/api/admin/profile?seconds=1', { method: 'POST', ...auth }, fromIp('127.0.0.1'));
    expect(second.status).toBe(409);
    const ok = await running;
    expect(ok.status).toBe(200);
    const { path } = await ok.json() as any;
    expect(path).toMatch(/profiles\/cpu-.*\.cpuprofile$/);
    expect(existsSync(path)).toBe(true);
    await token.remove();
    expect(readAdminToken(dir)).toBeUndefined();
  });

  it('writes bigints exactly', () => {
    expect(toJson({ a: 2_100_000_000_000_000n, b: 2n ** 60n })).toBe('{"a":2100000000000000,"b":"1152921504606846976"}');
  });
});

describe('HTTP API over a real socket', () => {
  let server: ServerType | undefined;
  afterEach(() => new Promise<void>((r) => (server ? server.close(() => r()) : r())));

  it('answers JSON, errors and limits on 127.0.0.1', async () => {
    const a = app({ rateLimitPerMinute: 5 });
    server = await new Promise<ServerType>((resolve) => {
      const s = serve({ fetch: a.fetch, hostname: '127.0.0.1', port: 0 }, () => resolve(s));
    });
    const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    const stats = await fetch(`${base}/api/pool/stats`);
    expect(stats.status).toBe(200);
    expect(((await stats.json()) as any).sharesTotal).toBe(9);
    const bad = await fetch(`${base}/api/miners/%F0%9F%92%A9`);
    expect(bad.status).toBe(400);
    expect(((await bad.json()) as any).error.code).toBe('invalid_address');
    const badLimit = await fetch(`${base}/api/pool/miners?limit=-5`);
    expect(badLimit.status).toBe(400);
    // 3 requests so far; the bucket holds 5.
    expect((await fetch(`${base}/api/blocks`)).status).toBe(200);
    expect((await fetch(`${base}/api/blocks`)).status).toBe(200);
    const limited = await fetch(`${base}/api/blocks`);
    expect(limited.status).toBe(429);
    expect(limited.headers.get('retry-after')).toMatch(/^\d+$/);
  });
});

describe("the sharechain's standing of a miner: its credit and expected payout of the next block", () => {
  let server: ServerType | undefined;
  afterEach(() => {
    server?.close();
    server = undefined;
  });

  it('fractions sum to 1 and expected payouts to the reward; a block found now pays each direct payee that, less the finder bonus, plus its own bonus (real socket)', async () => {
    // A real chain of three payees with uneven work: A 6 shares, B 3, C 1.
    const pool = testPool({ minPayoutSats: 1_000_000n });
    const script = (a: string) => addressToScript(a, 'regtest');
    for (const [addr, n] of [[A, 6], [B, 3], [C, 1]] as const) extend(pool, n, { payees: [{ script: script(addr), bp: 10_000 }] });
    const reward = 50n * COIN + 12_345n; // subsidy + fees, not a round number
    const template = { prevHash: pool.tip.prevHash, coinbaseValue: reward } as BlockTemplate;
    const next = new NextPayouts(pool.chain, 'regtest', () => template);
    const a = createHttpApp({
      webRoot: join(dir, 'no-web-app'),
      routes: createApiRoutes({
        store: storage.store,
        pool: { feeBp: 0, minPayoutSats: 1_000_000n, feeAddress: POOL, network: 'regtest', chainName: 'simnet' },
        standing: (address) => next.standing(address),
        dataDir: dir,
        rateLimitPerMinute: 1000,
        logger: silentLogger,
        now: () => NOW,
      }),
    });
    server = await new Promise<ServerType>((resolve) => {
      const s = serve({ fetch: a.fetch, hostname: '127.0.0.1', port: 0 }, () => resolve(s));
    });
    const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    // A and B mined here (beforeEach); C has no pseudo-shares at this edge: 404, whatever the chain says.
    const standing = new Map<string, any>();
    for (const addr of [A, B]) {
      const res = await fetch(`${base}/api/miners/${addr}`);
      expect(res.status).toBe(200);
      standing.set(addr, ((await res.json()) as any).sharechain);
    }
    expect((await fetch(`${base}/api/miners/${C}`)).status).toBe(404);
    const c = JSON.parse(toJson(next.standing(C)));
    const all = [standing.get(A), standing.get(B), c];
    for (const x of all) expect(x).toMatchObject({ windowShares: 10, blockRewardSats: Number(reward), kind: 'direct', probability: 1, thresholdSats: 1_000_000 });
    expect(all.map((x) => x.shares)).toEqual([6, 3, 1]);
    expect(all[0].fraction + all[1].fraction + all[2].fraction).toBeCloseTo(1, 12);
    expect(all.reduce((sum, x) => sum + BigInt(x.expectedSats), 0n)).toBe(reward);
    // The coinbase of a block B finds now: core's payouts(tip, reward) for B's share.
    const paid = pool.chain.payouts(pool.chain.tip!.id, reward, template.prevHash, [{ script: script(B), bp: 10_000 }]);
    const bonus = (reward * BigInt(pool.chain.params.finderBonusBp)) / 10_000n;
    for (const [addr, x] of [[A, all[0]], [B, all[1]], [C, all[2]]] as const) {
      const got = paid.payees.find((p) => p.key === Buffer.from(script(addr)).toString('hex'))!.amount;
      const share = Number(x.expectedSats) * (1 - Number(bonus) / Number(reward));
      expect(Math.abs(Number(got) - share - (addr === B ? Number(bonus) : 0))).toBeLessThanOrEqual(1);
    }
  });
});
