/**
 * Shares between real libp2p nodes on 127.0.0.1, each keeping its own real ShareChain of one
 * test pool; the shares are mined for real (SHA-256d at the easiest target). Honest shares reach
 * every node through relays; a hostile node that gossips invalid shares is charged, cut off and
 * banned by the node it talks to while honest propagation carries on; a share whose parent a node
 * missed is completed from the peer that sent it.
 */
import { bytesToHex, CoinTips, sharesTopic } from '@otedama/core';
import { multiaddr } from '@multiformats/multiaddr';
import { afterEach, describe, expect, it } from 'vitest';
import { coinTip, job, mineCustom, mineShare, payee } from '../../../core/test/sharechain-fixtures.ts';
import { MetricsRegistry } from '../metrics/metrics.ts';
import { createP2pMetrics } from '../metrics/p2p-metrics.ts';
import type { ShareChainHost } from './chain-host-sharechain.ts';
import type { P2pNode } from './p2p-node.ts';
import { addrOf, captureLog, chainHost, meshed, minerOn, startTestNode, testNetwork } from './p2p-test-kit.ts';
import { ShareChainHost as StrictHost } from './chain-host-sharechain.ts';
import { edgeShareChain } from './pool-chain.ts';

const cleanup: (() => Promise<unknown>)[] = [];
afterEach(async () => {
  for (const c of cleanup.splice(0).reverse()) await c().catch(() => undefined);
});

const net = testNetwork();

async function node(host: ShareChainHost, options: Parameters<typeof startTestNode>[1] = {}): Promise<P2pNode> {
  const n = await startTestNode(host, options);
  cleanup.push(() => n.stop());
  return n;
}

describe('share gossip', () => {
  it('relays valid shares along a line of three nodes; each is validated by every chain on the way', async () => {
    const [ha, hb, hc] = [chainHost(net), chainHost(net), chainHost(net)];
    const metrics = createP2pMetrics(new MetricsRegistry());
    const a = await node(ha);
    const b = await node(hb, { bootstrap: [addrOf(a)], metrics });
    const c = await node(hc, { bootstrap: [addrOf(b)] });
    await expect.poll(() => b.admittedPeers().length === 2 && a.isAdmitted(b.peerId) && c.isAdmitted(b.peerId), { timeout: 10_000 }).toBe(true);
    // Gossipsub forwards along its mesh: publish once B's mesh holds A and C.
    await expect.poll(() => meshed(b, a) && meshed(b, c) && meshed(a, b), { timeout: 10_000 }).toBe(true);
    const miner = minerOn(net, ha);
    for (const share of miner.mine(5)) await a.publishShare(share);
    await expect.poll(() => hc.chain.height, { timeout: 10_000 }).toBe(4);
    expect(bytesToHex(hc.chain.tip!.id)).toBe(bytesToHex(ha.chain.tip!.id));
    expect(bytesToHex(hb.chain.tip!.id)).toBe(bytesToHex(ha.chain.tip!.id));
    expect(metrics.sharesTotal.get({ result: 'accepted' })).toBe(5);
    expect(a.raw.getConnections().map((x) => x.remotePeer.toString())).not.toContain(c.peerId);
  });

  it('a node gossiping invalid shares loses score, then its connection, then is banned; honest shares keep flowing', async () => {
    const [ha, hb, hc, hd] = [chainHost(net), chainHost(net), chainHost(net), chainHost(net)];
    const metrics = createP2pMetrics(new MetricsRegistry());
    const log = captureLog();
    const b = await node(hb, { metrics, logger: log.logger });
    const a = await node(ha, { bootstrap: [addrOf(b)] });
    const c = await node(hc, { bootstrap: [addrOf(b)] });
    const hostile = await node(hd, { bootstrap: [addrOf(b)], bootstrapRedialMs: 60_000 });
    await expect.poll(() => b.admittedPeers().length, { timeout: 10_000 }).toBe(3);
    const topic = sharesTopic(hb.poolId);
    await expect.poll(() => meshed(b, a) && meshed(b, c) && meshed(b, hostile) && meshed(hostile, b), { timeout: 10_000 }).toBe(true);

    // Real shares that miss their own target ("high-hash"), each different; and plain garbage.
    const bad = minerOn(net, hd);
    const invalid = [1, 2, 3].map((i) => mineCustom(bad.pool, job(bad.pool, { payees: [payee(100 + i)] }), { highHash: true }));
    const honest = minerOn(net, ha);
    const shares = honest.mine(6);
    let scoreSeen = 0;
    for (let i = 0; i < shares.length; i++) {
      if (i < invalid.length) {
        await hostile.raw.services.pubsub.publish(topic, invalid[i]!).catch(() => undefined);
        // The score falls with each invalid share (gossipsub charges invalid deliveries squared).
        await expect.poll(() => b.peers().find((p) => p.id === hostile.peerId)?.score ?? -Infinity, { timeout: 5000 }).toBeLessThan(scoreSeen);
        scoreSeen = b.peers().find((p) => p.id === hostile.peerId)?.score ?? scoreSeen;
      }
      await a.publishShare(shares[i]!);
    }
    await expect.poll(() => b.guard.isBanned(hostile.peerId), { timeout: 10_000 }).toBe(true);
    expect(b.guard.bans()).toEqual([expect.objectContaining({ peer: hostile.peerId, offence: 'score' })]);
    // The ban says what for, and the log gives each reason once with a count, not a line per share.
    expect(b.guard.bans()[0]!.reason).toMatch(/after invalid messages \(invalid shares: 3 x high-hash\)$/);
    expect(log.find('invalid share from peer')).toEqual([expect.objectContaining({ peer: hostile.peerId, reason: expect.stringMatching(/^high-hash: /) })]);
    expect(log.find('invalid shares from peer')).toEqual([expect.objectContaining({ peer: hostile.peerId, reason: 'high-hash', count: 2 })]);
    await expect.poll(() => b.raw.getConnections().some((x) => x.remotePeer.toString() === hostile.peerId), { timeout: 10_000 }).toBe(false);
    // Honest propagation through B carried on: C holds all six shares of A.
    await expect.poll(() => hc.chain.height, { timeout: 10_000 }).toBe(5);
    expect(bytesToHex(hc.chain.tip!.id)).toBe(bytesToHex(ha.chain.tip!.id));
    expect(metrics.sharesTotal.get({ result: 'invalid' })).toBe(3);
    expect(hc.chain.size).toBe(6);
    // The hostile node's redial is refused while the ban lasts.
    await hostile.raw.dial(multiaddr(addrOf(b)), { signal: AbortSignal.timeout(5000) }).catch(() => undefined);
    await expect.poll(() => b.admittedPeers().includes(hostile.peerId) || b.raw.getConnections().some((x) => x.remotePeer.toString() === hostile.peerId), { timeout: 3000 }).toBe(false);
  });

  /**
   * A publishes `count` siblings on a parent B holds (synced with it); B judges them by its own
   * coin view `coinB`, A by the test network's.
   */
  async function siblingsToB(coinB: CoinTips, count: number, salt: number) {
    const ha = chainHost(net);
    const hb = new StrictHost(edgeShareChain(net.params, coinB));
    const metrics = createP2pMetrics(new MetricsRegistry());
    const b = await node(hb, { metrics });
    const a = await node(ha, { bootstrap: [addrOf(b)] });
    await expect.poll(() => meshed(a, b) && meshed(b, a), { timeout: 10_000 }).toBe(true);
    const miner = minerOn(net, ha);
    const [first] = miner.mine(1);
    expect(hb.chain.add(first!, { history: true }).kind).toBe('accepted');
    const parent = ha.chain.tip!;
    for (let i = 0; i < count; i++) {
      miner.pool.now += 1000;
      const { bytes } = mineShare(miner.pool, { parent, payees: [payee(salt + i)], extranonce: Uint8Array.of(i, salt & 0xff, 2, 3, 4, 5, 6, 7) });
      await a.publishShare(bytes);
    }
    await expect.poll(() => metrics.sharesTotal.get({ result: 'deferred' }), { timeout: 10_000 }).toBe(count);
    expect(hb.chain.size).toBe(1);
    return { a, b, hb, metrics };
  }

  it('a peer relaying shares on a coin block this node knows as too old is not charged: late, not wrong (nothing added or relayed, no ban)', async () => {
    // A's coin view still takes the block its shares build on; B's coin moved four blocks on.
    const coinB = new CoinTips();
    coinB.add(net.tip.prevHash, net.tip.info);
    for (let n = 2; n <= 5; n++) coinB.add(coinTip(n).prevHash, coinTip(n).info);
    const { a, b, hb, metrics } = await siblingsToB(coinB, 5, 200);
    expect(metrics.sharesTotal.get({ result: 'invalid' })).toBe(0);
    expect(hb.chain.size).toBe(1);
    expect(b.guard.isBanned(a.peerId)).toBe(false);
    expect(b.guard.score(a.peerId)).toBeGreaterThanOrEqual(0);
  });

  it('a share on a coin block a node has not heard of yet is held and taken once the block is known, without charging the sender', async () => {
    // B's coin view does not know the block A's shares build on yet (its node is behind A's).
    const coinB = new CoinTips();
    const { a, b, hb, metrics } = await siblingsToB(coinB, 3, 300);
    // The block becomes known (B's node or a template names it): the held shares go in.
    coinB.add(net.tip.prevHash, net.tip.info);
    await expect.poll(() => hb.chain.size, { timeout: 10_000 }).toBe(4);
    expect(metrics.sharesTotal.get({ result: 'accepted' })).toBe(3);
    expect(metrics.sharesTotal.get({ result: 'invalid' })).toBe(0);
    expect(b.guard.score(a.peerId)).toBeGreaterThanOrEqual(0);
  });

  it('a peer gossiping faster than its rate has the excess ignored and is charged; sync brings the rest', async () => {
    const [ha, hb] = [chainHost(net), chainHost(net)];
    const metrics = createP2pMetrics(new MetricsRegistry());
    const b = await node(hb, { metrics, rateLimits: { gossipPerSecond: 0.01, gossipBurst: 3 } });
    const a = await node(ha, { bootstrap: [addrOf(b)] });
    await expect.poll(() => meshed(a, b) && meshed(b, a), { timeout: 10_000 }).toBe(true);
    const shares = minerOn(net, ha).mine(8);
    for (const share of shares) await a.publishShare(share);
    await expect.poll(() => metrics.sharesTotal.get({ result: 'rate-limited' }), { timeout: 10_000 }).toBe(5);
    expect(metrics.sharesTotal.get({ result: 'accepted' })).toBe(3);
    expect(hb.chain.height).toBe(2);
    expect(b.guard.penalty(a.peerId)).toBeGreaterThan(0);
    expect(b.guard.isBanned(a.peerId)).toBe(false);
    // What gossip dropped, a sync fetches (its own rate is separate).
    expect(await b.resync()).toMatchObject({ state: 'synced', shares: 5 });
    expect(bytesToHex(hb.chain.tip!.id)).toBe(bytesToHex(ha.chain.tip!.id));
  });

  it('completes a share whose parent a node missed from the peer that sent it', async () => {
    const [ha, hb] = [chainHost(net), chainHost(net)];
    const a = await node(ha);
    const miner = minerOn(net, ha);
    const early = miner.mine(3); // mined while B is away
    const b = await node(hb, { bootstrap: [addrOf(a)] });
    await expect.poll(() => meshed(a, b), { timeout: 10_000 }).toBe(true);
    const [latest] = miner.mine(1);
    await a.publishShare(latest!);
    await expect.poll(() => hb.chain.height, { timeout: 10_000 }).toBe(3);
    expect(hb.chain.size).toBe(4);
    expect(early.every((s) => hb.sharesById([]) && hb.chain.sharesAfter([], 10).some((x) => bytesToHex(x) === bytesToHex(s)))).toBe(true);
  });
});

