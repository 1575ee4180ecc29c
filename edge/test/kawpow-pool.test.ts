/**
 * KawPow Stratum over real TCP, with the WASM light evaluation behind the validator:
 *   - a hostile miner attacks the share rules through the socket (duplicates, another job's
 *     header hash, nonces outside its prefix, forged mix hashes, another connection's job id,
 *     stale jobs, malformed params), and every attack is refused with its reason while honest
 *     shares are credited once;
 *   - the KawPow Stratum client against the same pool: the dialogue kawpowminer speaks, shares
 *     accepted and rejected with the pool's reasons, set_target and a new nonce prefix, and
 *     malformed pool lines shrugged off.
 * The pool (kawpow-stratum-pool.ts) is a test helper on core's codec and validator; the edge's
 * own KawPow Stratum server is attacked the same way in stratum-kawpow.test.ts.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { bytesToHex, hexToBytes, kawpowNonceRange, parseKawpowNotifyParams, type KawpowNotify } from '@otedama/core';
import { silentLogger } from '../src/logger.ts';
import { KawpowStratumClient, type KawpowStratumJob } from '../src/miner/stratum-client-kawpow.ts';
import { parsePoolUrl } from '../src/miner/pool-url.ts';
import { solveKawpow, useTestKawpowLight, type KawpowSolution } from './kawpow-helpers.ts';
import { KawpowStratumPool } from './kawpow-stratum-pool.ts';
import { LineClient, type Msg } from './stratum-harness.ts';

const light = useTestKawpowLight(1_000);

const stops: (() => unknown)[] = [];
afterEach(async () => {
  for (const stop of stops.splice(0).reverse()) await stop();
});

async function startPool(options: Partial<ConstructorParameters<typeof KawpowStratumPool>[0]> = {}): Promise<KawpowStratumPool> {
  const pool = new KawpowStratumPool({ lightMix: light().mix, ...options });
  await pool.start();
  stops.push(() => pool.stop());
  return pool;
}

const USER = 'mo9ncXisMeAoXwqcV5EWuyncbmCcQN4rVs.rig1';

/** A raw miner: subscribe, authorize, and the first set_target and job. */
async function rawMiner(pool: KawpowStratumPool): Promise<{ client: LineClient; prefix: string; job: KawpowNotify }> {
  const client = await LineClient.connect(pool.port);
  stops.push(() => client.close());
  client.send({ id: 1, method: 'mining.subscribe', params: ['kawpowminer/1.2.4'], jsonrpc: '2.0' });
  const sub = await client.reply();
  const prefix = sub.result[1] as string;
  client.send({ id: 3, method: 'mining.authorize', params: [USER, 'x'], jsonrpc: '2.0' });
  expect((await client.reply()).result).toBe(true);
  const notify = await client.until((m: Msg) => m.method === 'mining.notify');
  return { client, prefix, job: parseKawpowNotifyParams(notify.params) };
}

function solve(job: KawpowNotify, prefix: string, skip = 0): KawpowSolution {
  let start = kawpowNonceRange(prefix).first;
  for (let i = 0; ; i++) {
    const s = solveKawpow(light(), job.headerHash, job.height, job.target, 'meet', start);
    if (i === skip) return s;
    start = s.nonce + 1n;
  }
}

const submitParams = (jobId: string, s: { nonce: bigint; mixHash: Uint8Array }, headerHash: Uint8Array) => [
  USER,
  jobId,
  '0x' + s.nonce.toString(16).padStart(16, '0'),
  '0x' + bytesToHex(headerHash),
  '0x' + bytesToHex(s.mixHash),
];

async function submit(client: LineClient, id: number, params: unknown[]): Promise<Msg> {
  client.send({ id, method: 'mining.submit', params, jsonrpc: '2.0' });
  return client.until((m: Msg) => m.id === id);
}

describe('the KawPow share rules under attack over a real socket', () => {
  it('credits an honest share once and refuses every forgery with its reason', async () => {
    const pool = await startPool();
    const { client, prefix, job } = await rawMiner(pool);
    expect(prefix).toMatch(/^[0-9a-f]{4}$/);
    const honest = solve(job, prefix);

    // The honest share, exactly as kawpowminer writes it.
    expect(await submit(client, 40, submitParams(job.jobId, honest, job.headerHash))).toMatchObject({ result: true, error: null });
    // The same share again, and in upper case without 0x: one credit.
    expect((await submit(client, 41, submitParams(job.jobId, honest, job.headerHash))).error).toEqual([22, 'Duplicate share', null]);
    const shouting = submitParams(job.jobId, honest, job.headerHash).map((p, i) => (i >= 2 ? String(p).slice(2).toUpperCase() : p));
    expect((await submit(client, 42, shouting)).error[1]).toBe('Duplicate share');

    // A header hash that is not the job's.
    const other = hexToBytes('ab'.repeat(32), 32);
    const r1 = await submit(client, 43, submitParams(job.jobId, solve(job, prefix, 1), other));
    expect(r1.error[1]).toMatch(/^Header hash is not the job's/);

    // A nonce outside this connection's prefix (another miner's range).
    const foreign = solveKawpow(light(), job.headerHash, job.height, job.target, 'meet', 0x1234_0000_0000_0000n);
    expect((await submit(client, 44, submitParams(job.jobId, foreign, job.headerHash))).error[1]).toBe(`Nonce out of range: this connection mines nonces 0x${prefix}...`);

    // A forged mix hash for a nonce that does not meet the target: the final hash from it misses
    // a share... and one crafted nowhere near: refused as low difficulty or invalid mix.
    const second = solve(job, prefix, 2);
    const forged = second.mixHash.slice();
    forged[5]! ^= 0x40;
    const r2 = await submit(client, 45, submitParams(job.jobId, { nonce: second.nonce, mixHash: forged }, job.headerHash));
    expect(r2.error[1]).toMatch(/^(Invalid mix hash|Low difficulty share)/);
    // The honest mix with a neighbouring nonce: never valid.
    const r3 = await submit(client, 46, submitParams(job.jobId, { nonce: honest.nonce + 1n, mixHash: honest.mixHash }, job.headerHash));
    expect(r3.error[1]).toMatch(/^(Invalid mix hash|Low difficulty share)/);
    // The forged attempt took no credit: the real share of that nonce still counts once.
    expect((await submit(client, 47, submitParams(job.jobId, second, job.headerHash))).result).toBe(true);

    // Malformed params: wrong-length hashes, a SHA-256d nonce, a nonce past u64.
    const bad = submitParams(job.jobId, honest, job.headerHash);
    for (const [i, v, why] of [
      [3, '0x' + 'ab'.repeat(31), /header hash must be 64 hex digits/],
      [4, '0x' + 'ab'.repeat(33), /mix hash must be 64 hex digits/],
      [2, '0x1234abcd', /nonce must be 16 hex digits/],
      [2, '0x1' + '0'.repeat(16), /nonce must be 16 hex digits/],
    ] as const) {
      const r = await submit(client, 50 + i, bad.map((p, k) => (k === i ? v : p)));
      expect(r.error[1]).toMatch(why);
    }
    expect(await submit(client, 60, [USER, job.jobId])).toMatchObject({ error: [20, expect.stringMatching(/expected 5 params/), null] });

    // An unknown job id.
    expect((await submit(client, 61, submitParams('nope', honest, job.headerHash))).error).toEqual([21, 'Job not found', null]);
    // The connection stays up through all of it.
    expect(client.closed).toBe(false);
    expect(pool.shares.filter((s) => s.verdict.ok)).toHaveLength(2);
  });

  it("refuses a job id another connection was sent, and shares of a job a clean job replaced", async () => {
    const pool = await startPool();
    const a = await rawMiner(pool);
    const b = await rawMiner(pool);
    expect(a.prefix).not.toBe(b.prefix);
    // Jobs sent to each connection have their own ids: B submitting A's id is not B's job.
    expect(a.job.jobId).not.toBe(b.job.jobId);
    const sb = solve(a.job, b.prefix);
    expect((await submit(b.client, 40, submitParams(a.job.jobId, sb, a.job.headerHash))).error).toEqual([21, 'Job not found', null]);
    // A's share is fine on A.
    const sa = solve(a.job, a.prefix);
    expect((await submit(a.client, 40, submitParams(a.job.jobId, sa, a.job.headerHash))).result).toBe(true);
    // A clean job: the old one is stale.
    pool.newJob(true);
    const fresh = parseKawpowNotifyParams((await a.client.until((m: Msg) => m.method === 'mining.notify')).params);
    expect(fresh.clean).toBe(true);
    const late = solve(a.job, a.prefix, 1);
    expect((await submit(a.client, 41, submitParams(a.job.jobId, late, a.job.headerHash))).error).toEqual([21, 'Stale share (job is older than the current block)', null]);
  });

  it('a new difficulty comes as set_target and the same work under a new id, where a share already credited stays credited', async () => {
    const pool = await startPool();
    const { client, prefix, job } = await rawMiner(pool);
    const s = solve(job, prefix);
    expect((await submit(client, 40, submitParams(job.jobId, s, job.headerHash))).result).toBe(true);
    pool.setDifficulty(2 ** -27);
    const setTarget = await client.until((m: Msg) => m.method === 'mining.set_target');
    expect(setTarget.params[0]).toMatch(/^[0-9a-f]{64}$/);
    const again = parseKawpowNotifyParams((await client.until((m: Msg) => m.method === 'mining.notify')).params);
    expect(again.jobId).not.toBe(job.jobId);
    expect(bytesToHex(again.headerHash)).toBe(bytesToHex(job.headerHash));
    expect((await submit(client, 41, submitParams(again.jobId, s, job.headerHash))).error[1]).toBe('Duplicate share');
  });
});

describe('KawpowStratumClient', () => {
  function client(pool: KawpowStratumPool): KawpowStratumClient {
    const c = new KawpowStratumClient({ pool: parsePoolUrl(pool.url), user: USER, password: 'x', backoffInitialMs: 50 }, silentLogger);
    stops.push(() => c.stop());
    return c;
  }

  it('speaks the dialect: subscribe, authorize, jobs with their target, submits judged by the pool', async () => {
    const pool = await startPool({ junkAfterSubscribe: ['not json', '{"id":null,"method":"mining.notify","params":["x"]}', '{"id":null,"method":"mining.set_target","params":["zz"]}'] });
    const c = client(pool);
    const jobs: KawpowStratumJob[] = [];
    c.on('job', (job) => void jobs.push(job));
    c.start();
    await expect.poll(() => jobs.length, { timeout: 10_000 }).toBeGreaterThanOrEqual(1);
    expect(pool.requests.find((r) => r.method === 'mining.subscribe')!.params).toEqual(['otedama/0.1.0']);
    expect(pool.requests.find((r) => r.method === 'mining.authorize')!.params).toEqual([USER, 'x']);
    const job = jobs[0]!;
    expect(bytesToHex(job.headerHash)).toBe(bytesToHex(pool.job.headerHash));
    expect(job).toMatchObject({ height: 1_000, epoch: 0, noncePrefix: pool.noncePrefixOf(1), clean: true });
    expect(job.difficulty).toBeCloseTo(2 ** -26, 12);
    expect(c.status()).toMatchObject({ state: 'ready', extranonce1: pool.noncePrefixOf(1), malformedLines: 3 });

    const s = solve(job, job.noncePrefix);
    expect(await c.submit({ jobId: job.jobId, nonce: s.nonce, headerHash: job.headerHash, mixHash: s.mixHash })).toEqual({ accepted: true });
    expect(pool.shares.at(-1)!.params[2]).toBe('0x' + s.nonce.toString(16).padStart(16, '0'));
    expect(await c.submit({ jobId: job.jobId, nonce: s.nonce, headerHash: job.headerHash, mixHash: s.mixHash })).toEqual({ accepted: false, reason: 'Duplicate share' });
    expect(c.status()).toMatchObject({ accepted: 1, rejected: 1 });

    // set_target is recorded; the next job carries its own target.
    pool.setDifficulty(2 ** -25);
    await expect.poll(() => jobs.length, { timeout: 10_000 }).toBeGreaterThanOrEqual(2);
    expect(jobs.at(-1)!.difficulty).toBeCloseTo(2 ** -25, 12);
    expect(c.status().pendingDifficulty).toBeCloseTo(2 ** -25, 12);

    // A new nonce prefix applies to the current job at once.
    pool.broadcast('{"id":9,"method":"mining.set_extranonce","params":["a1b2"]}\n');
    await expect.poll(() => jobs.at(-1)!.noncePrefix, { timeout: 10_000 }).toBe('a1b2');
  });

  it('stops for good when the pool refuses authorization, naming the reason', async () => {
    const pool = await startPool({ refuseAuthorize: 'unknown payout address' });
    const c = client(pool);
    const fatal = new Promise<string>((resolve) => c.on('fatal', (e) => resolve(e.reason)));
    c.start();
    expect(await fatal).toMatch(/pool refused authorization of ".*rig1": unknown payout address/);
  });
});
