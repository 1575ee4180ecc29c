/**
 * The edge's own Stratum server speaking KawPow, over real TCP: a Ravencoin simnet's templates,
 * a KawPow sharechain (its own pool id; shares verified by the WASM light evaluation), the
 * edge's job manager and sessions with the KawPow dialect (stratum/dialects/kawpow.ts).
 *
 *   - the dialogue native miners expect: subscribe result with a nonce prefix, set_target, the
 *     7-param notify (header hash, seed hash, target, clean, height, bits);
 *   - shares credited once, whatever job id they are sent under (the same nonce and mix under
 *     two ids of one template), a forged mix hash whose final hash meets the target, a nonce
 *     outside the connection's prefix, another job's header hash: refused with their reasons,
 *     and ban points add up to a ban;
 *   - a share at the chain's target lands in the sharechain; a share at the block target is a
 *     block the simnet accepts; old jobs then answer "stale", unknown ones "job not found".
 */
import { afterEach, describe, expect, it } from 'vitest';
import {
  bitsToTarget,
  bytesToHex,
  kawpowDifficultyToTarget,
  kawpowFinalHash,
  kawpowHashMeetsTarget,
  kawpowNonceRange,
  kawpowSharePow,
  parseKawpowNotifyParams,
  parseKawpowSetTargetParams,
  targetToBits,
  type KawpowNotify,
} from '@otedama/core';
import { ChainShares } from '../src/accounting/chain-shares.ts';
import { sharePayees } from '../src/accounting/share-payees.ts';
import type { RpcTemplateSource } from '../src/chain/template-source-rpc.ts';
import { silentLogger } from '../src/logger.ts';
import { createPoolChain, poolParamsForGenesis, type PoolChain } from '../src/p2p/pool-chain.ts';
import type { FoundBlock } from '../src/stratum/job-manager.ts';
import { chainAddressValidator, startStratum, type StratumService } from '../src/stratum/stratum-service.ts';
import type { Simnet } from '../src/simnet/simnet.ts';
import { RVN_PAYOUT_ADDRESS, startRavencoinTestChain, useTestKawpowLight } from './kawpow-helpers.ts';
import { LineClient, testStratumConfig, type Msg, type StratumTestConfig } from './stratum-harness.ts';

/** Pseudo-shares: about one light hash in 16. */
const SHARE_DIFFICULTY = 2 ** -28;
/** The sharechain's first share target: about one light hash in 64 (harder than a pseudo-share, easier than a block). */
const CHAIN_DIFFICULTY = 2 ** -26;
/** Simnet blocks: about one light hash in 128 (Bitcoin's difficulty 1, the simnet's unit). */
const BLOCK_DIFFICULTY = 2 ** -25;
/** Light hashes tried before a test gives up (expected: at most a few hundred). */
const MAX_TRIES = 5000;
const USER = `${RVN_PAYOUT_ADDRESS}.rig1`;

const light = useTestKawpowLight(1);

const cleanup: (() => Promise<unknown> | unknown)[] = [];
afterEach(async () => {
  while (cleanup.length) await cleanup.pop()!();
});

interface KawpowEdge {
  readonly service: StratumService;
  readonly sharechain: PoolChain;
  readonly simnet: Simnet;
  readonly source: RpcTemplateSource;
  readonly blocks: FoundBlock[];
  readonly port: number;
}

async function startKawpowEdge(over: Partial<StratumTestConfig> = {}): Promise<KawpowEdge> {
  const { simnet, rpc, source } = await startRavencoinTestChain(light(), BLOCK_DIFFICULTY, cleanup);
  const genesis = await rpc.call<string>('getblockhash', [0]);
  const sharechain = await createPoolChain({
    params: poolParamsForGenesis(genesis, { algorithm: 'kawpow', initialShareBits: targetToBits(kawpowDifficultyToTarget(CHAIN_DIFFICULTY)) }),
    source,
    logger: silentLogger,
    pow: kawpowSharePow(light().mix),
  });
  cleanup.push(() => sharechain.stop());
  const chainShares = new ChainShares({ addLocal: (bytes) => sharechain.addLocal(bytes), logger: silentLogger });
  const blocks: FoundBlock[] = [];
  const service = await startStratum({
    config: testStratumConfig({
      initialDifficulty: SHARE_DIFFICULTY,
      vardiff: { targetShareSeconds: 1, retargetSeconds: 60, hysteresis: 0.5, minDifficulty: 2 ** -30, maxDifficulty: 2 ** -20 },
      ...over,
    }),
    coinbaseTag: '/otedama-test/',
    logger: silentLogger,
    templateSource: source,
    validateAddress: chainAddressValidator('regtest', 'simnet', 'ravencoin'),
    chain: sharechain,
    payees: sharePayees({ network: 'regtest', feeAddress: RVN_PAYOUT_ADDRESS, feeBp: 0, coin: 'ravencoin' }),
    algorithm: 'kawpow',
    kawpowLight: light(),
    hooks: {
      onShare: (event) => {
        const chain = chainShares.submit(event);
        return chain?.durable;
      },
    },
    onBlock: (b) => blocks.push(b),
    sweepIntervalMs: 200,
  });
  cleanup.push(() => service.stop({ reconnect: false }));
  return { service, sharechain, simnet, source, blocks, port: service.address.port };
}

interface Miner {
  readonly client: LineClient;
  readonly prefix: string;
  readonly target: bigint;
  readonly job: KawpowNotify;
  readonly subscribeResult: unknown[];
}

/** subscribe + authorize as kawpowminer does; the set_target and the first job. */
async function connectMiner(port: number): Promise<Miner> {
  const client = await LineClient.connect(port);
  cleanup.push(() => client.close());
  client.send({ id: 1, method: 'mining.subscribe', params: ['kawpowminer/1.2.4'], jsonrpc: '2.0' });
  const sub = await client.reply();
  client.send({ id: 2, method: 'mining.authorize', params: [USER, 'x'], jsonrpc: '2.0' });
  expect((await client.reply()).result).toBe(true);
  const setTarget = await client.until((m: Msg) => m.method === 'mining.set_target');
  const notify = await client.until((m: Msg) => m.method === 'mining.notify');
  return { client, prefix: sub.result[1], target: parseKawpowSetTargetParams(setTarget.params), job: parseKawpowNotifyParams(notify.params), subscribeResult: sub.result };
}

interface Solution {
  readonly nonce: bigint;
  readonly mixHash: Uint8Array;
}

/** A nonce in the prefix's range whose final hash meets `target` and, with `missing`, misses that one. */
function solve(job: KawpowNotify, prefix: string, target: bigint, missing?: bigint, start?: bigint): Solution {
  const first = start ?? kawpowNonceRange(prefix).first;
  for (let nonce = first; nonce < first + BigInt(MAX_TRIES); nonce++) {
    const { mixHash, finalHash } = light().hash(job.headerHash, nonce, job.height);
    if (kawpowHashMeetsTarget(finalHash, target) && (missing === undefined || !kawpowHashMeetsTarget(finalHash, missing))) return { nonce, mixHash };
  }
  throw new Error(`no nonce in ${MAX_TRIES} light hashes`);
}

const hex = (b: Uint8Array) => '0x' + bytesToHex(b);
const submitParams = (jobId: string, s: Solution, headerHash: Uint8Array) => [USER, jobId, '0x' + s.nonce.toString(16).padStart(16, '0'), hex(headerHash), hex(s.mixHash)];

async function submit(client: LineClient, id: number, params: unknown[]): Promise<Msg> {
  client.send({ id, method: 'mining.submit', params, jsonrpc: '2.0' });
  return client.until((m: Msg) => m.id === id, 10_000);
}

describe("the edge's Stratum server in the KawPow dialect", () => {
  it('speaks the dialogue of kawpowminer: nonce prefix, set_target, notify with header hash, seed hash, target, height and bits', async () => {
    const edge = await startKawpowEdge();
    const m = await connectMiner(edge.port);
    expect(m.subscribeResult[0]).toEqual([
      ['mining.set_target', expect.any(String)],
      ['mining.notify', expect.any(String)],
    ]);
    expect(m.prefix).toMatch(/^[0-9a-f]{4}$/);
    expect(m.target).toBe(kawpowDifficultyToTarget(SHARE_DIFFICULTY));
    expect(m.job.target).toBe(m.target);
    // The job is the simnet's next block; its header hash is the one of the coinbase the edge made.
    expect(m.job.height).toBe(edge.simnet.chain.height + 1);
    expect(m.job.clean).toBe(true);
    // An honest share is accepted and credited.
    const s = solve(m.job, m.prefix, m.target, edge.source.current()!.target);
    expect((await submit(m.client, 10, submitParams(m.job.jobId, s, m.job.headerHash))).result).toBe(true);
    await expect.poll(() => edge.service.stats().sharesAccepted).toBe(1);
    // Malformed submits: one clear error each, the connection kept.
    const good = submitParams(m.job.jobId, s, m.job.headerHash);
    const malformed: [unknown[], RegExp][] = [
      [good.slice(0, 4), /expected 5 params/],
      [[USER, m.job.jobId, '0xZZ', good[3], good[4]], /nonce/],
      [[USER, m.job.jobId, '0x' + 'f'.repeat(17), good[3], good[4]], /nonce/],
      [[USER, m.job.jobId, good[2], '0x' + 'ab'.repeat(31), good[4]], /header hash/],
      [[USER, m.job.jobId, good[2], good[3], 'mix'], /mix hash/],
    ];
    let id = 20;
    for (const [params, reason] of malformed) expect((await submit(m.client, id++, params)).error[1]).toMatch(reason);
    expect(edge.service.stats().rejectedByReason).toMatchObject({ malformed: malformed.length });
  }, 60_000);

  it('moves the difficulty with vardiff: set_target and the same header hash under a new job id', async () => {
    const edge = await startKawpowEdge({ vardiff: { targetShareSeconds: 1, retargetSeconds: 1, hysteresis: 0.5, minDifficulty: 2 ** -30, maxDifficulty: 2 ** -20 } });
    const m = await connectMiner(edge.port);
    // No shares for a whole window: vardiff eases the target.
    const eased = parseKawpowSetTargetParams((await m.client.until((x: Msg) => x.method === 'mining.set_target', 10_000)).params);
    expect(eased).toBeGreaterThan(m.target);
    const job = parseKawpowNotifyParams((await m.client.until((x: Msg) => x.method === 'mining.notify')).params);
    expect(job.jobId).not.toBe(m.job.jobId);
    expect(bytesToHex(job.headerHash)).toBe(bytesToHex(m.job.headerHash));
    expect(job.target).toBe(eased);
    // A share meeting only the eased target counts on the new id, and is low difficulty on the old one.
    const s = solve(job, m.prefix, eased, m.target);
    expect((await submit(m.client, 10, submitParams(m.job.jobId, s, m.job.headerHash))).error[1]).toMatch(/Low difficulty/);
    expect((await submit(m.client, 11, submitParams(job.jobId, s, job.headerHash))).result).toBe(true);
  }, 60_000);

  it('credits a share once across job ids and refuses forged mix hashes, foreign nonces and header hashes with their reasons', async () => {
    const edge = await startKawpowEdge();
    const a = await connectMiner(edge.port);
    // A difficulty suggestion before the first share: set_target and the same job under a new id.
    a.client.send({ id: 3, method: 'mining.suggest_difficulty', params: [2 ** -27], jsonrpc: '2.0' });
    const setTarget = await a.client.until((m: Msg) => m.method === 'mining.set_target');
    const variant = parseKawpowNotifyParams((await a.client.until((m: Msg) => m.method === 'mining.notify')).params);
    expect(parseKawpowSetTargetParams(setTarget.params)).toBe(kawpowDifficultyToTarget(2 ** -27));
    expect(variant.jobId).not.toBe(a.job.jobId);
    expect(bytesToHex(variant.headerHash)).toBe(bytesToHex(a.job.headerHash));

    // One share, two job ids of one template: credited once.
    const s = solve(variant, a.prefix, variant.target, edge.source.current()!.target);
    expect((await submit(a.client, 10, submitParams(variant.jobId, s, variant.headerHash))).result).toBe(true);
    const again = await submit(a.client, 11, submitParams(a.job.jobId, s, a.job.headerHash));
    expect(again.error[1]).toMatch(/Duplicate share/);

    // A forged mix hash whose final hash meets the target (found with keccak alone): the light evaluation refuses it.
    const honest = solve(variant, a.prefix, variant.target, edge.source.current()!.target, s.nonce + 1n);
    let forged: Uint8Array | undefined;
    for (let i = 0; i < 10_000 && !forged; i++) {
      const mix = honest.mixHash.slice();
      mix[0]! ^= 1 + (i % 255);
      mix[1]! ^= i >> 8;
      if (kawpowHashMeetsTarget(kawpowFinalHash(variant.headerHash, honest.nonce, mix), variant.target)) forged = mix;
    }
    expect(forged).toBeDefined();
    const badMix = await submit(a.client, 12, submitParams(variant.jobId, { nonce: honest.nonce, mixHash: forged! }, variant.headerHash));
    expect(badMix.error[1]).toMatch(/Invalid mix hash/);
    // ...and the honest mix for that nonce is still creditable (the forgery took nothing).
    expect((await submit(a.client, 13, submitParams(variant.jobId, honest, variant.headerHash))).result).toBe(true);

    // A second connection of the same address: another nonce prefix; the first's nonces are not its own.
    const b = await connectMiner(edge.port);
    expect(b.prefix).not.toBe(a.prefix);
    const theirs = solve(b.job, a.prefix, b.target, edge.source.current()!.target, honest.nonce + 1n);
    const foreign = await submit(b.client, 20, submitParams(b.job.jobId, theirs, b.job.headerHash));
    expect(foreign.error[1]).toMatch(/Nonce out of range.*0x/);
    // A header hash that is not the job's.
    const other = solve(b.job, b.prefix, b.target, edge.source.current()!.target);
    const wrongHeader = b.job.headerHash.slice();
    wrongHeader[31]! ^= 0xff;
    const badHeader = await submit(b.client, 21, submitParams(b.job.jobId, other, wrongHeader));
    expect(badHeader.error[1]).toMatch(/Header hash is not the job's/);
    // Another connection's job id (a job b was never sent under that id) is not found.
    const notSent = await submit(b.client, 22, submitParams(variant.jobId, other, variant.headerHash));
    expect(notSent.error[1]).toMatch(/Job not found/);
    expect((await submit(b.client, 23, submitParams(b.job.jobId, other, b.job.headerHash))).result).toBe(true);

    const stats = edge.service.stats();
    expect(stats.sharesAccepted).toBe(3);
    expect(stats.rejectedByReason).toMatchObject({ duplicate: 1, 'bad-mix-hash': 1, 'bad-nonce': 1, 'bad-header-hash': 1, 'job-not-found': 1 });
  }, 90_000);

  it('bans a connection whose forgeries add up, as for SHA-256d', async () => {
    const edge = await startKawpowEdge({ banThreshold: 25 });
    const m = await connectMiner(edge.port);
    const s = solve(m.job, m.prefix, m.target, edge.source.current()!.target);
    expect((await submit(m.client, 10, submitParams(m.job.jobId, s, m.job.headerHash))).result).toBe(true);
    // Duplicates: 10 points each; the third passes 25 and closes the connection.
    for (let id = 11; id <= 12; id++) expect((await submit(m.client, id, submitParams(m.job.jobId, s, m.job.headerHash))).error[1]).toMatch(/Duplicate/);
    m.client.send({ id: 13, method: 'mining.submit', params: submitParams(m.job.jobId, s, m.job.headerHash), jsonrpc: '2.0' });
    await expect.poll(() => edge.service.stats().bans, { timeout: 10_000 }).toBe(1);
    await expect.poll(async () => (await m.client.next(2000).catch(() => undefined)) === null, { timeout: 10_000 }).toBe(true);
  }, 60_000);

  it('puts a share at the chain target into the sharechain, submits a block to the simnet, then answers old jobs "stale"', async () => {
    const edge = await startKawpowEdge();
    const m = await connectMiner(edge.port);
    // The compact form of the chain's first target (what the chain demands).
    const chainTarget = bitsToTarget(targetToBits(kawpowDifficultyToTarget(CHAIN_DIFFICULTY)));
    // A chain share (not a block): verified again by the sharechain with the light evaluation.
    const share = solve(m.job, m.prefix, chainTarget, edge.source.current()!.target);
    expect((await submit(m.client, 10, submitParams(m.job.jobId, share, m.job.headerHash))).result).toBe(true);
    expect(edge.sharechain.chain.height).toBe(0);
    expect(edge.sharechain.chain.tip).toBeDefined();
    // A block.
    const before = edge.simnet.chain.height;
    const block = solve(m.job, m.prefix, edge.source.current()!.target, undefined, share.nonce + 1n);
    expect((await submit(m.client, 11, submitParams(m.job.jobId, block, m.job.headerHash))).result).toBe(true);
    await expect.poll(() => edge.blocks.length, { timeout: 10_000 }).toBe(1);
    expect(edge.blocks[0]).toMatchObject({ accepted: true, height: m.job.height });
    expect(edge.blocks[0]!.hash).toBe(bytesToHex(kawpowFinalHash(m.job.headerHash, block.nonce, block.mixHash)));
    expect(edge.simnet.chain.height).toBe(before + 1);
    // The new block's clean job; the old job is stale, a made-up id is not found.
    const next = parseKawpowNotifyParams((await m.client.until((x: Msg) => x.method === 'mining.notify' && x.params[4] === true, 10_000)).params);
    expect(next.height).toBe(m.job.height + 1);
    const late = solve(m.job, m.prefix, m.target, undefined, block.nonce + 1n);
    expect((await submit(m.client, 12, submitParams(m.job.jobId, late, m.job.headerHash))).error[1]).toMatch(/Stale share/);
    expect((await submit(m.client, 13, submitParams('feedbeef', late, m.job.headerHash))).error[1]).toMatch(/Job not found/);
  }, 90_000);
});
