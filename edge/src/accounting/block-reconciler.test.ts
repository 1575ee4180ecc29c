/**
 * The block reconciler against a real simnet chain and a real SQLite database: blocks mined with
 * core's reference engine and submitted to simnet, books written by the real PoolStore. Each
 * case is a state a crash or a reorg leaves, and what the books say after reconciling.
 */
import { addressToScript, commitmentScript, parseBlock, scriptToAddress, concatBytes, sha256d, type CoinbaseOutput } from '@otedama/core';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { buildBlock, TEST_DIFFICULTY } from '../../test/chain-helpers.ts';
import { simnetChainView } from '../chain/chain-view.ts';
import { silentLogger } from '../logger.ts';
import { Simnet } from '../simnet/simnet.ts';
import { openStorage, type Storage } from '../storage/open-storage.ts';
import type { BlockSubmission } from '../storage/pool-store.ts';
import { BlockReconciler, UNKNOWN_FINDER } from './block-reconciler.ts';

const p2wpkh = (fill: number) => scriptToAddress(concatBytes(new Uint8Array([0x00, 0x14]), new Uint8Array(20).fill(fill)), 'regtest')!;
const POOL = p2wpkh(0xee);
const MINER = p2wpkh(0x0a);
const STRANGER = p2wpkh(0x55);
const TAG = '/otedama-test/';
const REWARD = 50n * 100_000_000n;

let dir: string;
let simnet: Simnet;
let storage: Storage;

beforeEach(async () => {
  dir = mkdtempSync(join(tmpdir(), 'otedama-reconcile-'));
  simnet = new Simnet({ dataDir: dir, rpcPort: 0, blockDifficulty: TEST_DIFFICULTY, blockRewardSats: Number(REWARD), logger: silentLogger });
  await simnet.start();
  storage = await openStorage({ dataDir: dir });
});

afterEach(async () => {
  await storage.close();
  await simnet.stop();
  rmSync(dir, { recursive: true, force: true });
});

const out = (address: string, value: bigint): CoinbaseOutput => ({ script: addressToScript(address, 'regtest'), value });

/** Mines a block on simnet's tip (or on `parent`) paying `outputs`, with the coinbase tag `tag`; returns its hash. */
async function mine(outputs: CoinbaseOutput[], tag = TAG, parent?: { hash: string; height: number }): Promise<{ hash: string; height: number }> {
  const on = parent ? simnet.chain.blockByHash(parent.hash)! : simnet.chain.tip();
  const b = await buildBlock({ prevHash: on.hash, height: on.height + 1, bits: simnet.chain.bits, time: Math.max(Math.floor(Date.now() / 1000), on.medianTime + 1), outputs, tag, extranonce: sha256d(new TextEncoder().encode(`${JSON.stringify(outputs, (_k, v) => (typeof v === 'bigint' ? String(v) : v))}${on.height}`)).slice(0, 8) });
  const r = await simnet.submit(parseBlock(b.raw), b.raw);
  if (!parent) expect(r.accepted).toBe(true);
  else if (!r.accepted) expect(r.reason).toBe("inconclusive");
  return { hash: b.hashHex, height: on.height + 1 };
}

/** The sharechain's pool id of these tests, and the commitment a share of it puts in a coinbase. */
const POOL_ID = sha256d(new TextEncoder().encode('reconciler test pool'));
const commitment = (poolId = POOL_ID, metadata = 1): CoinbaseOutput => ({ script: commitmentScript(poolId, sha256d(new Uint8Array([metadata]))), value: 0n });

/** What the books say an address was paid (orphaned blocks' payouts left out, as every paid total does). */
async function paidTo(address: string): Promise<bigint> {
  return (await storage.store.listPayouts({ address })).filter((p) => p.status !== 'orphaned').reduce((a, p) => a + p.value, 0n);
}

function reconciler(over: { maturity?: number; scanDepth?: number; poolId?: Uint8Array; finderOf?: (hash: string) => { finder: string; worker: string } | undefined } = {}): BlockReconciler {
  return new BlockReconciler({ chain: simnetChainView(simnet), store: storage.store, network: 'regtest', poolAddress: POOL, coinbaseTag: TAG, logger: silentLogger, ...over });
}

/** A write-ahead row as BlockRecorder writes it: the payouts with the chain's credits (the miner's paid by lottery: credit below value). */
function submission(hash: string, height: number): BlockSubmission {
  return {
    hash, height, time: 1000, reward: REWARD, finder: MINER, worker: 'rig',
    payouts: [
      { outputIndex: 0, address: POOL, value: REWARD / 100n, kind: 'pool', credit: REWARD / 100n, carriedPaid: 0n },
      { outputIndex: 1, address: MINER, value: REWARD - REWARD / 100n, kind: 'miner', credit: REWARD - REWARD / 100n - 7n, carriedPaid: 0n },
    ],
  };
}

describe('BlockReconciler', () => {
  it('records a write-ahead block the chain accepted exactly as planned (values and credits), and drops one the chain lacks', async () => {
    const b = await mine([out(POOL, REWARD / 100n), out(MINER, REWARD - REWARD / 100n)]);
    await storage.store.recordBlockSubmission(submission(b.hash, b.height));
    await storage.store.recordBlockSubmission(submission('ff'.repeat(32), b.height));
    const report = await reconciler({ maturity: 1 }).reconcile();
    expect(report.recordedFromLog).toEqual([b.hash]);
    expect(report.discarded).toEqual(['ff'.repeat(32)]);
    expect(report.recoveredFromChain).toEqual([]); // the scan finds it recorded already
    expect(await storage.store.blockSubmissions()).toEqual([]);
    expect(await storage.store.getBlock(b.hash)).toMatchObject({ height: b.height, status: 'confirmed', finder: MINER, worker: 'rig', reward: REWARD });
    const payouts = await storage.store.listPayouts();
    expect(payouts.map((p) => [p.outputIndex, p.address, p.value, p.credit, p.carriedPaid])).toEqual([
      [0, POOL, REWARD / 100n, REWARD / 100n, 0n],
      [1, MINER, REWARD - REWARD / 100n, REWARD - REWARD / 100n - 7n, 0n],
    ]);
    // Idempotent: nothing left to repair.
    const again = await reconciler({ maturity: 1 }).reconcile();
    expect(again.recordedFromLog.length + again.recoveredFromChain.length + again.discarded.length).toBe(0);
  });

  it("finds the pool's unrecorded blocks in the chain by coinbase tag and outputs, and only those", async () => {
    // A miner with shares here, so a coinbase paying only it counts as the pool's.
    await storage.store.insertShares([{ time: 1, address: MINER, worker: 'rig', difficulty: 1, shareDiff: 1, jobId: 'j', height: 1, isBlock: false, hash: 'aa'.repeat(32) }]);
    const ours = await mine([out(POOL, REWARD / 10n), out(MINER, REWARD - REWARD / 10n)]);
    const onlyMiners = await mine([out(MINER, REWARD)]);
    const otherPool = await mine([out(STRANGER, REWARD)]); // same tag, another pool's address
    const untagged = await mine([out(POOL, REWARD)], '/someone-else/');
    const report = await reconciler({ maturity: 1 }).reconcile();
    expect(report.recoveredFromChain).toEqual([ours.hash, onlyMiners.hash]);
    expect(await storage.store.getBlock(otherPool.hash)).toBeUndefined();
    expect(await storage.store.getBlock(untagged.hash)).toBeUndefined();
    expect(await storage.store.getBlock(ours.hash)).toMatchObject({ finder: UNKNOWN_FINDER, reward: REWARD, status: 'confirmed' });
    const paid = await storage.store.listPayouts({ blockHash: ours.hash });
    expect(paid.map((p) => [p.address, p.kind, p.value, p.credit])).toEqual([
      [POOL, 'pool', REWARD / 10n, REWARD / 10n],
      [MINER, 'miner', REWARD - REWARD / 10n, REWARD - REWARD / 10n],
    ]);
  });

  it('confirms pending blocks at maturity and orphans recorded blocks the chain does not have', async () => {
    const b = await mine([out(POOL, REWARD)]);
    await storage.store.recordBlock({ hash: b.hash, height: b.height, time: 1, reward: REWARD, status: 'pending', finder: MINER, worker: '' }, []);
    await storage.store.recordBlock({ hash: 'dd'.repeat(32), height: b.height, time: 1, reward: REWARD, status: 'pending', finder: MINER, worker: '' }, []);
    const r = reconciler({ maturity: 3 });
    const first = await r.refresh();
    expect(first.orphaned).toEqual(['dd'.repeat(32)]);
    expect(first.confirmed).toEqual([]);
    await mine([out(STRANGER, REWARD)]);
    await mine([out(STRANGER, REWARD)]);
    const second = await r.refresh();
    expect(second.confirmed).toEqual([b.hash]);
    expect((await storage.store.getBlock(b.hash))!.status).toBe('confirmed');
    expect((await storage.store.getBlock('dd'.repeat(32)))!.status).toBe('orphaned');
    expect((await storage.store.poolStats()).blocksFound).toBe(1);
  });

  it("records every block of the pool by its commitment to the pool id, whoever found it, on each new tip; not another pool's", async () => {
    const r = reconciler({ maturity: 1, poolId: POOL_ID, finderOf: (hash) => (hash === found.hash ? { finder: MINER, worker: '' } : undefined) });
    await r.reconcile();
    // Found elsewhere (no tag, no share here): the commitment is what makes it the pool's.
    const found = await mine([out(MINER, REWARD - 1000n), out(STRANGER, 1000n), commitment()], '/browser-peer/');
    const other = await mine([out(MINER, REWARD), commitment(sha256d(new TextEncoder().encode('another pool')))], '/browser-peer/');
    const tagOnly = await mine([out(POOL, REWARD)]); // this pool's tag and address, no commitment: not while running
    const report = await r.refresh();
    expect(report.recoveredFromChain).toEqual([found.hash]);
    expect(await storage.store.getBlock(found.hash)).toMatchObject({ height: found.height, finder: MINER, reward: REWARD, status: 'confirmed' });
    expect((await storage.store.listPayouts({ blockHash: found.hash })).map((p) => [p.outputIndex, p.address, p.value, p.credit, p.kind])).toEqual([
      [0, MINER, REWARD - 1000n, REWARD - 1000n, 'miner'],
      [1, STRANGER, 1000n, 1000n, 'miner'],
    ]);
    expect(await storage.store.getBlock(other.hash)).toBeUndefined();
    expect(await storage.store.getBlock(tagOnly.hash)).toBeUndefined();
    // Examined blocks are not fetched again: the next tip costs one block.
    const next = await mine([out(STRANGER, REWARD), commitment(POOL_ID, 2)]);
    expect((await r.refresh()).recoveredFromChain).toEqual([next.hash]);
    expect(await storage.store.getBlock(next.hash)).toMatchObject({ finder: UNKNOWN_FINDER });
  });

  it("leaves this edge's own block being recorded (its write-ahead row) to BlockRecorder while running; at start the row records it exactly", async () => {
    const r = reconciler({ maturity: 1, poolId: POOL_ID });
    await r.reconcile();
    const own = await mine([out(POOL, REWARD / 100n), out(MINER, REWARD - REWARD / 100n), commitment()]);
    await storage.store.recordBlockSubmission(submission(own.hash, own.height));
    // The new tip comes while the block is being submitted: the refresh does not record it with
    // the coinbase's values as credits (BlockRecorder records it with the share's own credits).
    expect((await r.refresh()).recoveredFromChain).toEqual([]);
    expect(await storage.store.getBlock(own.hash)).toBeUndefined();
    // The edge died before recording it: the start-up reconciliation records it from the row.
    const restarted = await reconciler({ maturity: 1, poolId: POOL_ID }).reconcile();
    expect(restarted.recordedFromLog).toEqual([own.hash]);
    expect((await storage.store.listPayouts({ blockHash: own.hash })).map((p) => p.credit)).toEqual([REWARD / 100n, REWARD - REWARD / 100n - 7n]);
  });

  it("a reorg orphans the pool's block (its payouts no longer paid) and records the pool's block of the new branch; back again when the chain returns", async () => {
    const r = reconciler({ maturity: 1, poolId: POOL_ID });
    const genesis = { hash: simnet.chain.blockAt(0)!.hashHex, height: 0 };
    const p1 = await mine([out(MINER, REWARD), commitment(POOL_ID, 1)]);
    expect((await r.reconcile()).recoveredFromChain).toEqual([p1.hash]);
    expect((await storage.store.poolStats()).paidTotal).toBe(REWARD);
    // A competing branch from the genesis block outworks it: its first block is the pool's too.
    const s1 = await mine([out(STRANGER, REWARD), commitment(POOL_ID, 3)], TAG, genesis);
    const s2 = await mine([out(STRANGER, REWARD)], TAG, s1);
    expect(simnet.chain.tip().hashHex).toBe(s2.hash);
    const reorg = await r.refresh();
    expect(reorg.orphaned).toEqual([p1.hash]);
    expect(reorg.recoveredFromChain).toEqual([s1.hash]);
    expect((await storage.store.getBlock(p1.hash))!.status).toBe('orphaned');
    expect((await storage.store.listPayouts({ blockHash: p1.hash }))[0]).toMatchObject({ address: MINER, status: 'orphaned' });
    expect((await storage.store.poolStats())).toMatchObject({ paidTotal: REWARD, blocksFound: 1 }); // s1's, not p1's
    expect(await paidTo(MINER)).toBe(0n);

    // The coin chain drops s1 (invalidateblock): p1 is back, s1 orphaned.
    await simnet.invalidate(s1.hash);
    const back = await r.refresh();
    expect(back.reinstated).toEqual([p1.hash]);
    expect(back.orphaned).toEqual([s1.hash]);
    expect((await storage.store.getBlock(p1.hash))!.status).toBe('confirmed');
    expect((await storage.store.poolStats()).paidTotal).toBe(REWARD);
    expect(await paidTo(MINER)).toBe(REWARD);
  });
});
