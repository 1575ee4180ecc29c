/**
 * A partition of the pool's network, made and healed by the operator's own tool (issue 10's
 * proof): A cuts B and C off with `otedama node block` (its admin API, with the token from its
 * data folder), miners keep mining on both sides (one through A, one through B), the two sides'
 * chains part; `otedama node unblock` heals it and every edge converges on the side with the most
 * work. Real `otedama pool` processes, real libp2p on 127.0.0.1.
 */
import { addressToScript } from '@otedama/core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { REGTEST_ADDRESS, REGTEST_ADDRESS_2 } from '../stratum-harness.ts';
import { cli, sharechain, startPoolNetwork, tips, until, type PoolNetwork } from './pool-network.ts';
import { TestMiner } from './test-miner.ts';

/** No block in this test: simnet's default difficulty is far above what the miners search. */
const BLOCK_DIFFICULTY = 0.05;

let net: PoolNetwork;
let onA: TestMiner;
let onB: TestMiner;

beforeAll(async () => {
  net = await startPoolNetwork({ blockDifficulty: BLOCK_DIFFICULTY });
  const miner = (address: string, edge: typeof net.a) =>
    TestMiner.start({ rpcUrl: net.rpcUrl, cookieFile: net.cookieFile, bootstrap: [edge.process.p2pAddr!], payees: [{ script: addressToScript(address, 'regtest'), bp: 10_000 }] });
  [onA, onB] = await Promise.all([miner(REGTEST_ADDRESS, net.a), miner(REGTEST_ADDRESS_2, net.b)]);
  await until(() => onA.topicPeers() >= 1 && onB.topicPeers() >= 1, 20_000, 'both miners join the shares topic');
}, 120_000);
afterAll(async () => {
  await Promise.all([onA?.stop(), onB?.stop()]);
  await net?.stop();
}, 30_000);

describe('a partition (A | B+C) heals and the chains converge on the most work', () => {
  it('the operator cuts A off from B and C: each side mines its own chain', async () => {
    await onB.mine(3);
    const common = onB.tipId();
    await expect.poll(() => tips(net.edges), { timeout: 20_000 }).toEqual([common, common, common]);
    await expect.poll(() => onA.tipId(), { timeout: 20_000 }).toBe(common); // the miner on A follows too

    // The two sides: A with the miner on it; B, C with the other miner (peers also find each
    // other through the DHT, so every edge blocks every peer of the other side).
    const id = async (e: typeof net.a) => (await sharechain(e)).peerId!;
    const [a, b, c] = [await id(net.a), await id(net.b), await id(net.c)];
    const sideA = [a, onA.peerId];
    const sideB = [b, c, onB.peerId];
    const block = async (edge: typeof net.a, peers: string[]) => {
      for (const peer of peers) {
        const r = await cli(edge, ['node', 'block', peer, '--reason', 'partition test', '--data-dir', edge.dataDir]);
        expect(r.code, r.stderr).toBe(0);
        expect(r.stdout).toMatch(new RegExp(`^blocked ${peer} until unblocked \\((its connections were closed|it was not connected)\\)`));
      }
    };
    await block(net.a, sideB);
    await block(net.b, sideA);
    await block(net.c, sideA);
    // The miners are peers of each other too (browsers would be): each keeps to its side.
    onA.node.blockPeer(onB.peerId, 'partition test');
    onB.node.blockPeer(onA.peerId, 'partition test');
    const bans = await cli(net.a, ['node', 'bans', '--json']);
    expect(JSON.parse(bans.stdout).blocks.map((x: { peer: string }) => x.peer).sort()).toEqual([...sideB].sort());
    const admitted = async (e: typeof net.a) => ((await cli(e, ['node', 'peers', '--json'])).stdout ? JSON.parse((await cli(e, ['node', 'peers', '--json'])).stdout).peers : []).filter((p: { admitted: boolean }) => p.admitted).map((p: { id: string }) => p.id).sort();
    await expect.poll(() => Promise.all([admitted(net.a), admitted(net.b), admitted(net.c)]), { timeout: 20_000 }).toEqual([[onA.peerId], [c, onB.peerId].sort(), expect.arrayContaining([b])]);
    expect((await cli(net.a, ['node', 'status'])).stdout).toMatch(/peers: +\d+ connected, 1 admitted, 3 blocked/);

    await onA.mine(2);
    await onB.mine(4);
    await expect.poll(() => tips(net.edges), { timeout: 20_000 }).toEqual([onA.tipId(), onB.tipId(), onB.tipId()]);
    expect(onA.tipId()).not.toBe(onB.tipId());
  }, 90_000);

  it('the operator lets them back: every edge converges on the side with the most work', async () => {
    const heavier = onB.tipId();
    expect(onB.chain.tip!.chainWork).toBeGreaterThan(onA.chain.tip!.chainWork);
    const id = async (e: typeof net.a) => (await sharechain(e)).peerId!;
    const [a, b, c] = [await id(net.a), await id(net.b), await id(net.c)];
    const unblock = async (edge: typeof net.a, peers: string[]) => {
      for (const peer of peers) {
        const r = await cli(edge, ['node', 'unblock', peer, '--data-dir', edge.dataDir]);
        expect(r.code, r.stderr).toBe(0);
        expect(r.stdout).toBe(`${peer} may connect again (lifted its block)\n`);
      }
    };
    await unblock(net.a, [b, c, onB.peerId]);
    await unblock(net.b, [a, onA.peerId]);
    await unblock(net.c, [a, onA.peerId]);
    onA.node.unblockPeer(onB.peerId);
    onB.node.unblockPeer(onA.peerId);
    expect((await cli(net.a, ['node', 'bans'])).stdout).toBe('no peer is blocked or banned\n');
    // B and C redial A within their bootstrap interval; A sees a peer with more work and syncs.
    await expect.poll(() => tips(net.edges), { timeout: 30_000 }).toEqual([heavier, heavier, heavier]);
    expect(net.a.process.output()).toMatch(/an admitted peer holds a chain with more work: syncing/);
    // The network goes on as one: the next share from B's side reaches the miner on A (which
    // fetches what it missed from A), and a share mined through A reaches B and C.
    await until(() => onA.topicPeers() >= 1, 10_000, 'the miner on A is in the topic');
    await onB.mine(1);
    await expect.poll(() => Promise.all([tips(net.edges), onA.tipId()]), { timeout: 20_000 }).toEqual([[onB.tipId(), onB.tipId(), onB.tipId()], onB.tipId()]);
    await onA.mine(1);
    await expect.poll(() => tips(net.edges), { timeout: 20_000 }).toEqual([onA.tipId(), onA.tipId(), onA.tipId()]);
  }, 120_000);

  it('block and unblock refuse bad input with a reason', async () => {
    const noArg = await cli(net.a, ['node', 'block', '--data-dir', net.a.dataDir]);
    expect([noArg.code, noArg.stderr]).toEqual([2, expect.stringMatching(/needs the peer id/)]);
    const bad = await cli(net.a, ['node', 'unblock', '12D3KooWnope', '--data-dir', net.a.dataDir]);
    expect([bad.code, bad.stderr]).toEqual([2, expect.stringMatching(/12D3KooWnope is not a libp2p peer id/)]);
    const noToken = await cli(net.a, ['node', 'block', (await sharechain(net.b)).peerId!, '--data-dir', net.b.dataDir + '-nowhere']);
    expect([noToken.code, noToken.stderr]).toEqual([2, expect.stringMatching(/no admin token in .*-nowhere/)]);
    const self = await cli(net.a, ['node', 'block', (await sharechain(net.a)).peerId!, '--data-dir', net.a.dataDir]);
    expect([self.code, self.stderr]).toEqual([1, expect.stringMatching(/answered 400: a node cannot block itself/)]);
  }, 30_000);
});
