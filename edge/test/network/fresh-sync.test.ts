/**
 * A fresh edge syncs a full window (issue 10's proof): the pool's network (three real `otedama
 * pool` processes on 127.0.0.1) holds a chain of more than two full windows; a new edge D joins
 * with --bootstrap, syncs the window from its peers with progress (its terminal lines and
 * `otedama node status`), and serves Stratum work only once its sync run ended.
 *
 * The window's size: a share's window holds `windowSpread` (3) coin blocks of work (or at most
 * 8,640 shares, or 24 h on simnet; docs/sharechain.md §6). The test miner's shares sit at the
 * pool's easiest share target (~2 hashes of work each), so simnet's block difficulty sets the
 * window in shares: BLOCK_DIFFICULTY 4e-8 (~172 hashes a block) makes a full window of 257
 * shares, complete (its oldest share crosses the work line, not the chain's start), and the chain
 * holds CHAIN_SHARES of them. The 8,640-share window of the real-coin defaults is synced in
 * `npm run bench:p2p` (seconds, beyond a lean test).
 *
 * The chain is built fast: the test miner (a libp2p peer of the pool, test-miner.ts) mines it
 * quietly in its own chain (each share costs a few hashes after ASERT's ramp; the first share's
 * target is clamped to the block target, so it is a block, which an edge submits to simnet), then
 * gossips its next share: each edge fetches what it misses from its peers. `otedama node sync` on
 * A reports the run.
 *
 * D ends on the network's tip and computes the same next payouts: its window spans coin blocks it
 * never followed, which sync checks for everything but the coin (core's addSynced).
 */
import { addressToScript } from '@otedama/core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loginChainMiner, nextMessage } from '../sharechain-kit.ts';
import { REGTEST_ADDRESS, REGTEST_ADDRESS_2 } from '../stratum-harness.ts';
import { cli, sharechain, startPoolNetwork, tips, until, type NetworkEdge, type PoolNetwork } from './pool-network.ts';
import { TestMiner } from './test-miner.ts';

/** Simnet's block difficulty: 3 blocks of work are ~258 shares at the easiest share target (above). */
const BLOCK_DIFFICULTY = 4e-8;
/** Shares in the network's chain: more than twice the window (what a syncing edge fetches). */
const CHAIN_SHARES = 600;

let net: PoolNetwork;
let miner: TestMiner;
let d: NetworkEdge | undefined;

beforeAll(async () => {
  net = await startPoolNetwork({ blockDifficulty: BLOCK_DIFFICULTY });
  miner = await TestMiner.start({
    rpcUrl: net.rpcUrl,
    cookieFile: net.cookieFile,
    bootstrap: [net.a.process.p2pAddr!],
    // Two payees, so the payouts the edges agree on split.
    payees: [
      { script: addressToScript(REGTEST_ADDRESS, 'regtest'), bp: 6000 },
      { script: addressToScript(REGTEST_ADDRESS_2, 'regtest'), bp: 4000 },
    ],
  });
  await until(() => miner.topicPeers() >= 1, 20_000, 'the miner joins the shares topic');
}, 120_000);
afterAll(async () => {
  await miner?.stop();
  await d?.process.stop();
  await net?.stop();
}, 30_000);

async function nextPayouts(e: NetworkEdge): Promise<string> {
  return JSON.stringify((await sharechain(e)).nextPayouts);
}

describe('a fresh edge syncs a full window', () => {
  it('the network holds a chain of more than two full windows', async () => {
    // A chain's first share carries the pool's initial target, which the pool clamps to the block
    // target (easier here): it is a block. After ASERT's ramp every share is ~2 hashes of work.
    await miner.mine(1, { quiet: true, block: true });
    await miner.mine(CHAIN_SHARES - 2, { quiet: true });
    // Mining held this process's event loop for seconds: let it see what its sockets did meanwhile
    // (an HTTP keep-alive connection the edge closed would otherwise be reused, and fail).
    await new Promise((r) => setTimeout(r, 500));
    // Its next share, gossiped, brings the edges along: each fetches the chain it misses, in
    // bounded batches, from a peer that holds it (the miner, or an edge that already synced).
    await miner.mine(1);
    const tip = miner.tipId();
    await expect.poll(() => tips(net.edges), { timeout: 60_000 }).toEqual([tip, tip, tip]);
    expect(net.a.process.output()).toMatch(/sharechain: syncing \d+\/\d+ shares/);
    // `otedama node sync` on A (it joins a run under way, or starts one): synced, and what A holds.
    const sync = await cli(net.a, ['node', 'sync']);
    expect(sync.code, sync.stderr).toBe(0);
    expect(sync.stdout).toMatch(new RegExp(`^sync synced, \\d+ shares fetched in \\d+ batch(es)?.*; tip at height ${CHAIN_SHARES - 1}, \\d+ shares held and stored$`, 'm'));
    const a = await sharechain(net.a);
    expect(a.tip!.height).toBe(CHAIN_SHARES - 1);
    // A full window: bounded by work (three blocks' worth), not by the chain's start.
    expect(a.windowShares).toBeGreaterThan(200);
    expect(a.windowShares).toBeLessThan(CHAIN_SHARES / 2);
    const expected = await nextPayouts(net.a);
    expect(JSON.parse(expected).map((p: { address: string }) => p.address).sort()).toEqual([REGTEST_ADDRESS, REGTEST_ADDRESS_2].sort());
    for (const e of [net.b, net.c]) {
      await expect.poll(() => nextPayouts(e), { timeout: 10_000 }).toBe(expected);
      expect((await sharechain(e)).windowShares).toBe(a.windowShares);
    }
  }, 240_000);

  it('a new edge D joins with --bootstrap, syncs the window with progress, and serves work only after its sync', async () => {
    const target = await sharechain(net.b);
    d = await net.startEdge('D', [net.b.process.p2pAddr!]);
    // A Stratum miner connects at once: it gets no job until D synced.
    const stratum = await loginChainMiner(d.process.stratumPort, `${REGTEST_ADDRESS}.d`, { waitForJob: false });
    try {
      await nextMessage(stratum, (msg) => msg.method === 'mining.notify', 60_000);
      const atFirstJob = await sharechain(d);
      expect(atFirstJob).toMatchObject({ serving: true, sync: { state: 'synced' }, windowShares: target.windowShares });
      expect(atFirstJob.tip!.height).toBeGreaterThanOrEqual(target.windowShares);
    } finally {
      stratum.client.close();
    }
    // It fetched (at least) the window, checked batch by batch, before it served.
    const out = d.process.output();
    const synced = /sharechain synced: serving work height=(\d+) shares=(\d+)/.exec(out);
    expect(synced, out).not.toBeNull();
    expect(Number(synced![2])).toBeGreaterThanOrEqual(target.windowShares);
    // What the operator saw: progress lines, then "synced: serving work" (in that order).
    const progress = out.search(/sharechain: syncing \d+\/\d+ shares \(\d+ %\)/);
    expect(progress, out).toBeGreaterThanOrEqual(0);
    expect(out.search(/sharechain synced: serving work/)).toBeGreaterThan(progress);
    expect(out.slice(0, progress)).toMatch(/syncing the sharechain from the bootstrap peers before serving work/);
    expect(out.slice(0, progress)).not.toMatch(/sharechain synced: serving work|serving work: a network of one|serving work on the chain/);
    const status = await cli(d, ['node', 'status']);
    expect(status.stdout).toMatch(/^tip: +height \d+, [0-9a-f]{64}$/m);
    expect(status.stdout).toMatch(new RegExp(`^window: +${target.windowShares} shares \\(\\d+ held\\)$`, 'm'));
    expect(status.stdout).toMatch(/^sync: +synced, \d+ shares fetched in \d+ batch(es)?/m);
    expect(status.stdout).toMatch(/^work: +serving Stratum jobs$/m);
  }, 120_000);

  // The window spans coin blocks older than those D follows (the shares build on the block before
  // the chain's first one): D takes every batch through its sync host (every check but the coin's),
  // not only the first (history). Before, the second batch was held back share by share and D
  // served 41 shares short of the tip.
  it('D ends on the network\'s tip and nextPayouts', async () => {
    const target = await sharechain(net.b);
    await expect.poll(async () => (await sharechain(d!)).tip, { timeout: 30_000 }).toEqual(target.tip);
    const synced = /sharechain synced: serving work height=(\d+)/.exec(d!.process.output());
    expect(Number(synced![1])).toBe(target.tip!.height);
    await expect.poll(() => nextPayouts(d!), { timeout: 10_000 }).toBe(await nextPayouts(net.b));
  }, 60_000);
});
