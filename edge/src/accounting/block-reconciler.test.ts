/**
 * The block reconciler against a real simnet chain and a real SQLite database: blocks mined with
 * core's reference engine and submitted to simnet, books written by the real PoolStore. Each
 * case is a state a crash or a reorg leaves, and what the books say after reconciling.
 */
import { addressToScript, parseBlock, scriptToAddress, concatBytes, type CoinbaseOutput } from '@otedama/core';
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

/** Mines a block on simnet's tip paying `outputs`, with the coinbase tag `tag`; returns its hash. */
async function mine(outputs: CoinbaseOutput[], tag = TAG): Promise<{ hash: string; height: number }> {
  const tip = simnet.chain.tip();
  const b = await buildBlock({ prevHash: tip.hash, height: tip.height + 1, bits: simnet.chain.bits, time: Math.max(Math.floor(Date.now() / 1000), simnet.chain.medianTimePast() + 1), outputs, tag });
  const r = await simnet.submit(parseBlock(b.raw), b.raw);
  expect(r.accepted).toBe(true);
  return { hash: b.hashHex, height: tip.height + 1 };
}

function reconciler(over: { maturity?: number; scanDepth?: number } = {}): BlockReconciler {
  return new BlockReconciler({ chain: simnetChainView(simnet), store: storage.store, network: 'regtest', poolAddress: POOL, coinbaseTag: TAG, logger: silentLogger, ...over });
}

function submission(hash: string, height: number, carried: [string, bigint][] = [[MINER, 123n]]): BlockSubmission {
  return {
    hash, height, time: 1000, reward: REWARD, finder: MINER, worker: 'rig',
    payouts: [
      { outputIndex: 0, address: POOL, value: REWARD / 100n, kind: 'pool', credit: REWARD / 100n, carriedPaid: 0n },
      { outputIndex: 1, address: MINER, value: REWARD - REWARD / 100n, kind: 'miner', credit: REWARD - REWARD / 100n - 7n, carriedPaid: 7n },
    ],
    carried: new Map(carried),
  };
}

describe('BlockReconciler', () => {
  it('records a write-ahead block the chain accepted exactly as planned (credits, carried balances), and drops one the chain lacks', async () => {
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
      [1, MINER, REWARD - REWARD / 100n, REWARD - REWARD / 100n - 7n, 7n],
    ]);
    expect(await storage.store.balances()).toEqual(new Map([[MINER, 123n]]));
    // Idempotent: nothing left to repair.
    const again = await reconciler({ maturity: 1 }).reconcile();
    expect(again.recordedFromLog.length + again.recoveredFromChain.length + again.discarded.length).toBe(0);
  });

  it('keeps newer carried balances when a later block was recorded already', async () => {
    const b = await mine([out(POOL, REWARD)]);
    await storage.store.recordBlock({ hash: 'ee'.repeat(32), height: b.height + 5, time: 1, reward: REWARD, status: 'pending', finder: MINER, worker: '' }, [], new Map([[MINER, 999n]]));
    await storage.store.recordBlockSubmission(submission(b.hash, b.height));
    await reconciler({ maturity: 1 }).reconcile();
    expect(await storage.store.getBlock(b.hash)).toBeDefined();
    expect(await storage.store.balances()).toEqual(new Map([[MINER, 999n]]));
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
    // Balances untouched: the chain does not say what was carried.
    expect(await storage.store.balances()).toEqual(new Map());
  });

  it('confirms pending blocks at maturity and orphans recorded blocks the chain does not have', async () => {
    const b = await mine([out(POOL, REWARD)]);
    await storage.store.recordBlock({ hash: b.hash, height: b.height, time: 1, reward: REWARD, status: 'pending', finder: MINER, worker: '' }, [], undefined);
    await storage.store.recordBlock({ hash: 'dd'.repeat(32), height: b.height, time: 1, reward: REWARD, status: 'pending', finder: MINER, worker: '' }, [], undefined);
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
});
