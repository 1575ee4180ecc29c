/* eslint-disable @typescript-eslint/no-explicit-any -- JSON bodies of API answers */
import { serve, type ServerType } from '@hono/node-server';
import { concatBytes, scriptToAddress } from '@otedama/core';
import { Hono } from 'hono';
import { mkdtempSync, rmSync, existsSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createApiRoutes, toJson, type ApiDeps } from './api.ts';
import { silentLogger } from './logger.ts';
import { openStorage, type Storage } from './storage/open-storage.ts';

const p2wpkh = (fill: number) => scriptToAddress(concatBytes(new Uint8Array([0x00, 0x14]), new Uint8Array(20).fill(fill)), 'regtest')!;
const POOL = p2wpkh(0xee);
const A = p2wpkh(0x0a);
const B = p2wpkh(0x0b);
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
    new Map(),
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
    pool: { feePercent: 1, minPayoutSats: 1_000_000n, pplnsWindow: 100, feeAddress: POOL, network: 'regtest', chainName: 'simnet' },
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
      pool: { feePercent: 1, minPayoutSats: 1_000_000, pplnsWindow: 100, feeAddress: POOL, network: 'simnet' },
      chain: { height: 6 }, stratum: { connections: 2 }, windowShares: 9,
      activeMiners: 2, activeWorkers: 3, sharesTotal: 9, blocksFound: 1, paidTotal: 4_950_000_000, carriedTotal: 0, // paid to miners; the pool output is not "paid"
    });
    expect(body.hashrate.m10).toBeGreaterThan(0);
    expect(body.lastBlock.height).toBe(5);
  });

  it('/api/pool/miners lists miners by hashrate with paging', async () => {
    const body = await (await app().request('/api/pool/miners')).json() as any;
    expect(body.miners.map((m: { address: string }) => m.address)).toEqual([A, B]);
    expect(body.miners[0]).toMatchObject({ workers: 2, shares: 8, balance: 0 });
    const second = await (await app().request('/api/pool/miners?limit=1&offset=1')).json() as any;
    expect(second).toMatchObject({ limit: 1, offset: 1 });
    expect(second.miners.map((m: { address: string }) => m.address)).toEqual([B]);
  });

  it('/api/miners/:address shows workers, hashrates, balance and payouts', async () => {
    const body = await (await app().request(`/api/miners/${A}`)).json() as any;
    expect(body).toMatchObject({ address: A, shares: 8, balance: 0, paid: 4_400_000_000 });
    expect(body.workers.map((w: { worker: string }) => w.worker)).toEqual(['rig1', 'rig2']);
    expect(Object.keys(body.hashrate).sort()).toEqual(['h1', 'h24', 'm10']);
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
  });

  it('answers the admin profile route only to loopback clients', async () => {
    const remote = await app().request('/api/admin/profile?seconds=1', { method: 'POST' }, fromIp('192.0.2.7'));
    expect(remote.status).toBe(403);
    const bad = await app().request('/api/admin/profile?seconds=9999', { method: 'POST' }, fromIp('127.0.0.1'));
    expect(bad.status).toBe(400);
    const ok = await app().request('/api/admin/profile?seconds=1', { method: 'POST' }, fromIp('::ffff:127.0.0.1'));
    expect(ok.status).toBe(200);
    const { path } = await ok.json() as any;
    expect(path).toMatch(/profiles\/cpu-.*\.cpuprofile$/);
    expect(existsSync(path)).toBe(true);
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
