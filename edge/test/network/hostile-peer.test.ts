/**
 * Hostile peers across real edges (issue 10's proof): three real `otedama pool` processes on
 * 127.0.0.1 (A runs simnet, B and C mine it over RPC), an honest miner peer on B, and hostile
 * peers of the test's own (test-miner.ts: a real libp2p node of the pool that passes the pool-id
 * handshake, then misbehaves) dialing A and C:
 *
 *   - one gossips shares whose payees it rewrote after mining (the proof of work holds, the
 *     coinbase no longer matches: invalid): its score falls with the first (`otedama node peers`),
 *     and a few later it is cut off and banned by both edges (offence `score`);
 *   - one gossips a message over the size limit: cut off and banned at once (`oversized-message`);
 *   - one is a peer of another pool (its own pool id): refused at the handshake with the reason in
 *     the edge's log, banned for a while (`other-pool`), and nothing it publishes reaches the pool.
 *
 * Every ban shows in `otedama node bans` and GET /api/sharechain/bans; after each attack the
 * honest miner's next share still reaches all three edges. Bounded: a handful of messages, each
 * step waits at most tens of seconds.
 */
import { addressToScript, decodeShare, encodeShare, MAX_GOSSIP_DATA_BYTES, sharesTopic } from '@otedama/core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { BansJson, PeerJson } from '../../src/commands/edge-api.ts';
import type { P2pNode } from '../../src/p2p/p2p-node.ts';
import { emptyChainHost, startTestNode } from '../../src/p2p/p2p-test-kit.ts';
import { BAN_SCORE } from '../../src/p2p/peer-guard.ts';
import { REGTEST_ADDRESS, REGTEST_ADDRESS_2 } from '../stratum-harness.ts';
import { cli, get, startPoolNetwork, tips, until, type NetworkEdge, type PoolNetwork } from './pool-network.ts';
import { TestMiner } from './test-miner.ts';

/** No block in this test: simnet's default difficulty is far above what the miners search. */
const BLOCK_DIFFICULTY = 0.05;
/** SHA-256d's header: 80 bytes. */
const HEADER_BYTES = 80;
/** Invalid shares the first hostile peer gossips: gossipsub charges 100 x n² for n, so three pass BAN_SCORE (-500). */
const INVALID_SHARES = 3;

let net: PoolNetwork;
let honest: TestMiner;
const hostile: TestMiner[] = [];
let stranger: P2pNode | undefined;

beforeAll(async () => {
  net = await startPoolNetwork({ blockDifficulty: BLOCK_DIFFICULTY });
  honest = await TestMiner.start({ rpcUrl: net.rpcUrl, cookieFile: net.cookieFile, bootstrap: [net.b.process.p2pAddr!], payees: [{ script: addressToScript(REGTEST_ADDRESS, 'regtest'), bp: 10_000 }] });
  await until(() => honest.topicPeers() >= 1, 20_000, 'the honest miner joins the shares topic');
  await honest.mine(2);
  const tip = honest.tipId();
  await until(async () => (await tips(net.edges)).every((t) => t === tip), 20_000, 'every edge holds the honest tip');
}, 120_000);
afterAll(async () => {
  await Promise.all([honest?.stop(), ...hostile.map((h) => h.stop()), stranger?.stop()]);
  await net?.stop();
}, 30_000);

/** A hostile peer of the pool on A and C, in both edges' gossip mesh, holding the network's tip. */
async function hostilePeer(): Promise<TestMiner> {
  const h = await TestMiner.start({
    rpcUrl: net.rpcUrl,
    cookieFile: net.cookieFile,
    bootstrap: [net.a.process.p2pAddr!, net.c.process.p2pAddr!],
    payees: [{ script: addressToScript(REGTEST_ADDRESS_2, 'regtest'), bp: 10_000 }],
  });
  hostile.push(h);
  await until(async () => (await Promise.all([net.a, net.c].map(async (e) => (await peers(e)).find((p) => p.id === h.peerId)?.admitted))).every(Boolean), 20_000, 'A and C admit the hostile peer');
  await until(() => h.topicPeers() >= 2, 20_000, 'the hostile peer is in A\'s and C\'s shares topic');
  return h;
}

async function peers(e: NetworkEdge): Promise<PeerJson[]> {
  return (await get<{ peers: PeerJson[] }>(e, '/api/sharechain/peers')).peers;
}

async function bans(e: NetworkEdge): Promise<BansJson['bans']> {
  return (await get<BansJson>(e, '/api/sharechain/bans')).bans;
}

/** `otedama node bans --json` of an edge: the bans it lists. */
async function cliBans(e: NetworkEdge): Promise<BansJson['bans']> {
  const r = await cli(e, ['node', 'bans', '--json']);
  expect(r.code, r.stderr).toBe(0);
  return (JSON.parse(r.stdout) as BansJson).bans;
}

/** The honest miner's next share reaches every edge. */
async function honestSharePropagates(): Promise<void> {
  await honest.mine(1);
  const tip = honest.tipId();
  await expect.poll(() => tips(net.edges), { timeout: 20_000 }).toEqual([tip, tip, tip]);
}

/** A share the hostile peer mined on the tip, its payees then rewritten to its own script: valid work, coinbase no longer committed to. */
async function forgedShare(h: TestMiner): Promise<Uint8Array> {
  const share = decodeShare(await h.mineBytes(), HEADER_BYTES);
  const thief = addressToScript(REGTEST_ADDRESS, 'regtest');
  const meta = { ...share.meta, payees: [{ script: thief, bp: 10_000 }] };
  return encodeShare({ meta, work: { ...share.work, merkleBranch: share.work.merkleBranch } }, HEADER_BYTES);
}

describe('a hostile peer across real edges is scored down, cut off and banned; honest shares keep propagating', () => {
  it('invalid shares: its score falls with the first, a few more ban it on every edge it sent them to', async () => {
    const h = await hostilePeer();
    await expect.poll(() => h.tipId(), { timeout: 20_000 }).toBe(honest.tipId());
    const topic = sharesTopic(h.chain.poolId);
    await h.node.raw.services.pubsub.publish(topic, await forgedShare(h));
    for (const e of [net.a, net.c]) {
      await expect.poll(async () => (await peers(e)).find((p) => p.id === h.peerId)?.score ?? 0, { timeout: 20_000 }).toBeLessThan(0);
      expect((await bans(e)).map((b) => b.peer)).not.toContain(h.peerId);
    }
    const text = await cli(net.a, ['node', 'peers']);
    expect(text.stdout).toMatch(new RegExp(`^${h.peerId} +tcp +in +\\S+( ms)? +-\\d+\\.\\d +yes`, 'm'));
    await honestSharePropagates();

    for (let i = 1; i < INVALID_SHARES; i++) await h.node.raw.services.pubsub.publish(topic, await forgedShare(h));
    for (const e of [net.a, net.c]) {
      await expect.poll(() => bans(e), { timeout: 20_000 }).toEqual(expect.arrayContaining([expect.objectContaining({ peer: h.peerId, offence: 'score', reason: expect.stringMatching(/^score -\d+ after/) })]));
      expect((await cliBans(e)).find((b) => b.peer === h.peerId)?.offence).toBe('score');
      await expect.poll(async () => (await peers(e)).some((p) => p.id === h.peerId), { timeout: 10_000 }).toBe(false);
      expect(e.process.output()).toMatch(/invalid share from peer/);
    }
    expect(Number((await cli(net.a, ['node', 'bans'])).stdout.match(new RegExp(`${h.peerId}.*score (-\\d+)`))?.[1])).toBeLessThanOrEqual(BAN_SCORE);
    // None of it was taken: every edge's tip is still the honest chain's, and it keeps growing.
    await honestSharePropagates();
  }, 90_000);

  it('an oversized message: cut off and banned at once', async () => {
    const h = await hostilePeer();
    await h.node.raw.services.pubsub.publish(sharesTopic(h.chain.poolId), new Uint8Array(MAX_GOSSIP_DATA_BYTES + 1));
    for (const e of [net.a, net.c]) {
      await expect.poll(() => bans(e), { timeout: 20_000 }).toEqual(expect.arrayContaining([expect.objectContaining({ peer: h.peerId, offence: 'oversized-message' })]));
      expect((await cliBans(e)).find((b) => b.peer === h.peerId)?.offence).toBe('oversized-message');
      await expect.poll(async () => (await peers(e)).some((p) => p.id === h.peerId), { timeout: 10_000 }).toBe(false);
    }
    await honestSharePropagates();
  }, 60_000);

  it('a peer of another pool id: refused at the handshake with a reason, banned a while, heard by no one', async () => {
    stranger = await startTestNode(emptyChainHost('another pool'), { bootstrap: [net.a.process.p2pAddr!, net.c.process.p2pAddr!], handshakeTimeoutMs: 5_000 });
    const poolId = Buffer.from(stranger.poolIdBytes).toString('hex');
    for (const e of [net.a, net.c]) {
      await expect.poll(() => e.process.output(), { timeout: 20_000 }).toMatch(new RegExp(`peer refused .*poolId=${poolId}`));
      await expect.poll(() => bans(e), { timeout: 20_000 }).toEqual(expect.arrayContaining([expect.objectContaining({ peer: stranger.peerId, offence: 'other-pool' })]));
      expect((await peers(e)).some((p) => p.id === stranger!.peerId && p.admitted)).toBe(false);
    }
    // What it publishes on its pool's topic (or ours) reaches no edge.
    expect(stranger.raw.services.pubsub.getSubscribers(sharesTopic(stranger.poolIdBytes))).toEqual([]);
    expect(stranger.raw.services.pubsub.getSubscribers(sharesTopic(honest.chain.poolId))).toEqual([]);
    await honestSharePropagates();
    // Every edge's chain is the honest one, and it holds every honest share.
    expect((await tips(net.edges)).every((t) => t === honest.tipId())).toBe(true);
  }, 60_000);
});
