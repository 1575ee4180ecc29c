/**
 * Blocks of the pool's network, across real edges (issue 10, item 5 and its proof): three
 * `otedama pool` processes (A runs simnet, B and C mine it over RPC) and a miner peer that joins
 * through B and gossips its shares (as a browser peer does). Shares mined on B reach A and C and
 * all three agree on the tip; a share meeting the block target is rebuilt and submitted by every
 * edge that hears it (simnet takes it once, the others hear "duplicate"), every edge records
 * the block from the coin chain by its commitment to the pool id, and the coinbase pays exactly
 * payouts(parent, reward); when the coin chain drops the block every edge marks it orphaned (its
 * payouts not paid), and takes it back when the chain does.
 */
import { addressToScript, bytesToHex, commitmentScript, reverseBytes, sha256d, type Payee } from '@otedama/core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { REGTEST_ADDRESS, REGTEST_ADDRESS_2 } from '../stratum-harness.ts';
import { get, startPoolNetwork, tips, until, type PoolNetwork } from './pool-network.ts';
import { TestMiner } from './test-miner.ts';

/** Simnet's block difficulty here: ~4.3 M hashes, a second or two of the WASM searcher; the pool's first share (2^20 hashes) is not a block. */
const BLOCK_DIFFICULTY = 1e-3;
const REWARD_SATS = 50 * 100_000_000;
const PAYEES: Payee[] = [
  { script: addressToScript(REGTEST_ADDRESS, 'regtest'), bp: 6000 },
  { script: addressToScript(REGTEST_ADDRESS_2, 'regtest'), bp: 4000 },
];

let net: PoolNetwork;
let miner: TestMiner;

beforeAll(async () => {
  net = await startPoolNetwork({ blockDifficulty: BLOCK_DIFFICULTY });
  miner = await TestMiner.start({ rpcUrl: net.rpcUrl, cookieFile: net.cookieFile, bootstrap: [net.b.process.p2pAddr!], payees: PAYEES });
  await until(() => miner.topicPeers() >= 1, 20_000, 'the miner joins the shares topic through B');
}, 120_000);
afterAll(async () => {
  await miner?.stop();
  await net?.stop();
}, 30_000);

interface BlockJson {
  hash: string;
  height: number;
  status: string;
  reward: number;
  finder: string;
}
interface PayoutJson {
  blockHash: string;
  outputIndex: number;
  address: string;
  value: number;
  status: string;
}

async function blockOn(edgeIndex: number, hash: string): Promise<BlockJson | undefined> {
  return (await get<{ blocks: BlockJson[] }>(net.edges[edgeIndex]!, '/api/blocks')).blocks.find((b) => b.hash === hash);
}

describe('blocks of the pool network, across real edges', () => {
  it('shares mined on B are in A\'s and C\'s chains: all three agree on the tip', async () => {
    await miner.mine(4);
    const tip = miner.tipId();
    await expect.poll(() => tips(net.edges), { timeout: 20_000 }).toEqual([tip, tip, tip]);
    for (const e of net.edges) expect((await get(e, '/api/sharechain')).windowShares).toBe(4);
  }, 60_000);

  it('a share meeting the block target: every edge submits it, simnet takes it once, every edge records it by the commitment, paying exactly payouts(parent, reward)', async () => {
    const height = await net.rpc.call<number>('getblockcount');
    const parent = miner.chain.tip!;
    const [share] = await miner.mine(1, { block: true });
    const hash = bytesToHex(reverseBytes(share!.id)); // a SHA-256d share's id is its header's hash
    await expect.poll(() => net.rpc.call<string>('getbestblockhash'), { timeout: 20_000 }).toBe(hash);
    expect(await net.rpc.call<number>('getblockcount')).toBe(height + 1);

    // Every edge heard the share and submitted the block: one "accepted", the others "duplicate".
    await expect.poll(() => net.edges.map((e) => /found block submitted .*answer=(accepted|duplicate)/.test(e.process.output())), { timeout: 20_000 }).toEqual([true, true, true]);
    const answers = net.edges.map((e) => /found block submitted .*answer=(\S+)/.exec(e.process.output())![1]);
    expect(answers.filter((a) => a === 'accepted')).toHaveLength(1);
    expect(answers.filter((a) => a === 'duplicate')).toHaveLength(2);

    // The coinbase on the coin chain: payouts(parent, reward) as the chain computes it, then the
    // commitment to the pool id and the witness commitment.
    const expected = miner.chain.payouts(parent.id, BigInt(REWARD_SATS), share!.share.work.header.subarray(4, 36), PAYEES);
    const block = await net.rpc.call<{ tx: { vout: { value: number; scriptPubKey: { hex: string } }[] }[] }>('getblock', [hash, 2]);
    const vout = block.tx[0]!.vout;
    expect(vout.slice(0, expected.outputs.length).map((o) => [o.scriptPubKey.hex, Math.round(o.value * 1e8)])).toEqual(expected.outputs.map((o) => [bytesToHex(o.script), Number(o.value)]));
    expect(vout).toHaveLength(expected.outputs.length + 2);
    expect(vout[expected.outputs.length]!.scriptPubKey.hex).toBe(bytesToHex(commitmentScript(miner.chain.poolId, sha256d(share!.share.metadataBytes))));
    expect(expected.outputs.reduce((a, o) => a + o.value, 0n)).toBe(BigInt(REWARD_SATS));

    // Every edge recorded it from the coin chain, whoever found it, with those outputs as payouts.
    for (let i = 0; i < 3; i++) {
      await expect.poll(() => blockOn(i, hash), { timeout: 20_000 }).toMatchObject({ height: height + 1, status: 'confirmed', reward: REWARD_SATS, finder: REGTEST_ADDRESS });
      const payouts = (await get<{ payouts: PayoutJson[] }>(net.edges[i]!, '/api/pool/payouts')).payouts.filter((p) => p.blockHash === hash);
      expect(payouts.map((p) => [p.outputIndex, p.value]).sort((x, y) => x[0]! - y[0]!)).toEqual(expected.outputs.map((o, vo) => [vo, Number(o.value)]));
    }
    expect(net.a.process.output()).toMatch(/recorded a block of the pool from the coin chain \(its coinbase commits to the pool id\)/);
  }, 90_000);

  it('the coin chain drops the block: every edge marks it orphaned and its payouts not paid; it comes back with the chain', async () => {
    const hash = await net.rpc.call<string>('getbestblockhash');
    const paidBefore = await Promise.all(net.edges.map(async (e) => (await get(e, '/api/pool/stats')).paidTotal as number));
    expect(paidBefore.every((p) => p >= REWARD_SATS)).toBe(true);
    expect(await net.rpc.call('invalidateblock', [hash])).toBeNull();
    for (let i = 0; i < 3; i++) await expect.poll(async () => (await blockOn(i, hash))?.status, { timeout: 20_000 }).toBe('orphaned');
    for (let i = 0; i < 3; i++) {
      expect((await get(net.edges[i]!, '/api/pool/stats')).paidTotal).toBe(paidBefore[i]! - REWARD_SATS);
      const payouts = (await get<{ payouts: PayoutJson[] }>(net.edges[i]!, '/api/pool/payouts')).payouts.filter((p) => p.blockHash === hash);
      expect(payouts.every((p) => p.status === 'orphaned')).toBe(true);
    }
    expect(net.b.process.output()).toMatch(/block orphaned \(no longer in the best chain\); its payouts are not paid/);

    expect(await net.rpc.call('reconsiderblock', [hash])).toBeNull();
    for (let i = 0; i < 3; i++) await expect.poll(async () => (await blockOn(i, hash))?.status, { timeout: 20_000 }).toBe('confirmed');
    expect(await Promise.all(net.edges.map(async (e) => (await get(e, '/api/pool/stats')).paidTotal))).toEqual(paidBefore);
  }, 90_000);
});
