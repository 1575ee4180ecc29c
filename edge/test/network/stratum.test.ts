/**
 * Stratum miners of real edges mine into the pool's chain, across the network (issue 10's
 * proof): three `otedama pool` processes (A runs simnet, B and C mine it over RPC), Stratum test
 * clients on B and C and the real CLI miner (`otedama mine`) on C. Shares mined on B and C are in
 * every edge's chain and all three agree on the tip and on `nextPayouts`; a SIGKILL of B right
 * after its miner heard "accepted" loses nothing (the share is in A's and C's chains and in B's
 * database) and B catches up after its restart; a block found by `otedama mine` on C is recorded
 * by every edge by its commitment, and its coinbase pays exactly payouts(parent, reward) as every
 * edge's stored chain computes it.
 */
import { addressToScript, bytesToHex, hexToBytes, reverseBytes } from '@otedama/core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startOtedama } from '../cli-run.ts';
import { loginChainMiner, mineChainShare, storedChain, type ChainMiner } from '../sharechain-kit.ts';
import { REGTEST_ADDRESS, REGTEST_ADDRESS_2 } from '../stratum-harness.ts';
import { get, sharechain, startPoolNetwork, tips, type NetworkEdge, type PoolNetwork } from './pool-network.ts';

/**
 * Simnet's block difficulty: four times the pool's first share difficulty (2^-12), so a quarter
 * of the CLI miner's chain shares are blocks, and the test clients can mine chain shares that
 * are not (the coin tip, and their jobs, stay).
 */
const BLOCK_DIFFICULTY = 1e-3;
const REWARD_SATS = 50 * 100_000_000;

let net: PoolNetwork;
const clients: ChainMiner[] = [];

beforeAll(async () => {
  net = await startPoolNetwork({ blockDifficulty: BLOCK_DIFFICULTY });
}, 120_000);
afterAll(async () => {
  for (const m of clients) m.client.close();
  await net?.stop();
}, 30_000);

/**
 * A chain share (no block) mined by a fresh Stratum connection to `edge`: a fresh connection's
 * job builds on the edge's tip, so each share extends the chain the edges agree on.
 */
async function shareOn(edge: NetworkEdge, user: string): Promise<string> {
  const m = await loginChainMiner(edge.process.stratumPort, user);
  clients.push(m);
  return mineChainShare(m, { below: BLOCK_DIFFICULTY });
}

/** Mines a share through `edge` and waits until every edge of `edges` is on it. */
async function extend(edges: readonly NetworkEdge[], edge: NetworkEdge, user: string): Promise<string> {
  const id = await shareOn(edge, user);
  await expect.poll(() => tips(edges), { timeout: 20_000 }).toEqual(edges.map(() => id));
  return id;
}

async function nextPayouts(e: NetworkEdge): Promise<string> {
  return JSON.stringify((await sharechain(e)).nextPayouts);
}

/** Whether an edge's database holds the share `id` (internal order). */
async function holds(e: NetworkEdge, id: Uint8Array): Promise<boolean> {
  return (await storedChain(e, net.rpc)).chain.get(id) !== undefined;
}

describe('Stratum miners of real edges mine into the pool chain', () => {
  it('shares mined through B and C are in every edge\'s chain; all three agree on the tip and on nextPayouts', async () => {
    const ids = [
      await extend(net.edges, net.b, `${REGTEST_ADDRESS}.b`),
      await extend(net.edges, net.c, `${REGTEST_ADDRESS_2}.c`),
      await extend(net.edges, net.b, `${REGTEST_ADDRESS}.b`),
    ];
    for (const e of net.edges) {
      for (const id of ids) await expect.poll(() => holds(e, hexToBytes(id)), { timeout: 10_000 }).toBe(true);
      expect((await sharechain(e)).windowShares).toBe(3);
    }
    const expected = await nextPayouts(net.a);
    for (const e of [net.b, net.c]) await expect.poll(() => nextPayouts(e), { timeout: 10_000 }).toBe(expected);
    expect(JSON.parse(expected).map((p: { address: string }) => p.address)).toEqual(expect.arrayContaining([REGTEST_ADDRESS, REGTEST_ADDRESS_2]));
  }, 90_000);

  it('a SIGKILL of B right after its miner heard "accepted" loses nothing; B catches up after its restart', async () => {
    const id = await shareOn(net.b, `${REGTEST_ADDRESS}.b`);
    process.kill(net.b.process.pid, 'SIGKILL');
    expect((await net.b.process.exited).signal).toBe('SIGKILL');
    // The share went out before the edge died: A and C hold it; the network goes on without B.
    await expect.poll(() => tips([net.a, net.c]), { timeout: 20_000 }).toEqual([id, id]);
    const later = await extend([net.a, net.c], net.c, `${REGTEST_ADDRESS_2}.c`);
    // B's database kept its miner's share (durable before the reply).
    expect(await holds(net.b, hexToBytes(id))).toBe(true);

    await net.restart(net.b);
    await expect.poll(() => tips(net.edges), { timeout: 30_000 }).toEqual([later, later, later]);
    await expect.poll(() => sharechain(net.b), { timeout: 10_000 }).toMatchObject({ serving: true, sync: { state: 'synced' } });
    const expected = await nextPayouts(net.a);
    for (const e of [net.b, net.c]) await expect.poll(() => nextPayouts(e), { timeout: 10_000 }).toBe(expected);
    expect(JSON.parse(expected).find((p: { address: string }) => p.address === REGTEST_ADDRESS)).toBeDefined();
    // B serves work again: its miners' next share reaches every edge.
    await extend(net.edges, net.b, `${REGTEST_ADDRESS}.b`);
  }, 120_000);

  it('a block found by `otedama mine` on C: every edge records it by the commitment, and the coinbase pays exactly payouts(parent, reward) as every edge computes it', async () => {
    const height = await net.rpc.call<number>('getblockcount');
    const miner = startOtedama(['mine', '--wallet', REGTEST_ADDRESS_2, '--worker', 'cli', '--threads', '1', '--pool', net.c.process.stratumUrl, '--control-port', '0']);
    try {
      await expect.poll(() => net.rpc.call<number>('getblockcount'), { timeout: 60_000, interval: 500 }).toBeGreaterThan(height);
    } finally {
      miner.child.kill('SIGTERM');
      await miner.exited;
    }
    const hash = await net.rpc.call<string>('getblockhash', [height + 1]);
    // Mining stopped: the edges settle on one tip.
    const settled = (await tips([net.c]))[0];
    await expect.poll(() => tips(net.edges), { timeout: 20_000 }).toEqual([settled, settled, settled]);

    const coinbase = (await net.rpc.call<{ tx: { vout: { value: number; scriptPubKey: { hex: string } }[] }[] }>('getblock', [hash, 2])).tx[0]!.vout;
    const shareId = reverseBytes(hexToBytes(hash)); // a SHA-256d share's id is its header's hash
    let expectedOutputs: string | undefined;
    for (let i = 0; i < 3; i++) {
      const e = net.edges[i]!;
      await expect.poll(async () => (await get<{ blocks: { hash: string; status: string }[] }>(e, '/api/blocks')).blocks.find((b) => b.hash === hash)?.status, { timeout: 20_000 }).toBe('confirmed');
      // payouts(parent, reward) from this edge's own stored chain, for the share that is the block.
      const { chain } = await storedChain(e, net.rpc);
      const entry = chain.get(shareId);
      expect(entry, `${e.name} holds the block's share`).toBeDefined();
      const payouts = chain.payouts(entry!.parentId, BigInt(REWARD_SATS), entry!.share.work.header.subarray(4, 36), entry!.share.meta.payees);
      const outputs = payouts.outputs.map((o) => [bytesToHex(o.script), Number(o.value)]);
      expect(coinbase.slice(0, outputs.length).map((o) => [o.scriptPubKey.hex, Math.round(o.value * 1e8)])).toEqual(outputs);
      expectedOutputs ??= JSON.stringify(outputs);
      expect(JSON.stringify(outputs)).toBe(expectedOutputs);
      // Recorded with those outputs as its payouts.
      const recorded = (await get<{ payouts: { blockHash: string; outputIndex: number; value: number }[] }>(e, '/api/pool/payouts?limit=1000')).payouts.filter((p) => p.blockHash === hash);
      expect(recorded.map((p) => [p.outputIndex, p.value]).sort((x, y) => x[0]! - y[0]!)).toEqual(outputs.map((o, vout) => [vout, o[1]]));
    }
    expect(JSON.parse(expectedOutputs!).reduce((a: number, o: [string, number]) => a + o[1], 0)).toBe(REWARD_SATS);
    expect(JSON.parse(expectedOutputs!).map((o: [string, number]) => o[0])).toContain(bytesToHex(addressToScript(REGTEST_ADDRESS_2, 'regtest')));
  }, 120_000);
});
