/**
 * The edge's pool chain as the network feeds it, between real libp2p nodes on 127.0.0.1: a fresh
 * edge syncs a window built on a coin block it never saw (the coin moved on before it joined, as
 * it always has for a window of several blocks), batch after batch, through the pool chain's sync
 * host; gossip keeps the strict host. Before the sync host was wired, the first batch went in as
 * history (no coin check) and the second was held back share by share: a fresh edge stopped
 * one batch into the window (the network proof's fresh edge D, 41 shares short).
 */
import { bytesToHex, type BlockTemplate } from '@otedama/core';
import type { TemplateUpdate } from '../chain/template-source.ts';
import { afterEach, describe, expect, it } from 'vitest';
import { coinTip } from '../../../core/test/sharechain-fixtures.ts';
import { silentLogger } from '../logger.ts';
import { edgeNetwork } from './edge-network.ts';
import { addrOf, captureLog, chainHost, minerOn, startTestNode, testNetwork } from './p2p-test-kit.ts';
import type { P2pNode } from './p2p-node.ts';
import { createPoolChain, type PoolChain } from './pool-chain.ts';

const cleanup: (() => Promise<unknown>)[] = [];
afterEach(async () => {
  for (const c of cleanup.splice(0).reverse()) await c().catch(() => undefined);
});

/** A template on the coin block of a test tip (core's coinTip). */
function templateOn({ prevHash, info }: ReturnType<typeof coinTip>): BlockTemplate {
  return { height: info.height, version: 0x20000000, prevHash, bits: info.bits, target: 0n, curtime: 1_700_000_000, mintime: 1_700_000_000, coinbaseValue: info.maxReward, transactions: [] };
}

/** A template source that offers one coin block, the one after the window's (the coin moved on). */
function sourceOnNewerBlock(): { current(): BlockTemplate; onTemplate(): () => void } {
  const template = templateOn(coinTip(2));
  return { current: () => template, onTemplate: () => () => undefined };
}

async function started(node: Promise<P2pNode>): Promise<P2pNode> {
  const n = await node;
  cleanup.push(() => n.stop());
  return n;
}

describe('pool chain: a fresh edge syncs a window on coin blocks it never saw', () => {
  const net = testNetwork();
  const WINDOW = 300;
  const BATCH = 100;

  async function freshEdge(): Promise<{ pool: PoolChain; holder: ReturnType<typeof chainHost>; shares: Uint8Array[] }> {
    const holder = chainHost(net);
    const shares = minerOn(net, holder).mine(WINDOW);
    const pool = await createPoolChain({ params: net.params, source: sourceOnNewerBlock(), logger: silentLogger });
    cleanup.push(() => pool.stop());
    // Its coin context knows only the newer block: the window's block is unknown to it.
    expect(pool.coin.lookup(net.tip.prevHash)).toBeUndefined();
    return { pool, holder, shares };
  }

  // The run a bootstrap peer's admission starts can end before the edge's first sync begins (the
  // edge asks once its servers are up; a window of a few hundred shares syncs in well under a
  // second): fresh-sync.test.ts once read "sharechain synced: serving work ... shares=0", the
  // count of a second run that found nothing left to fetch.
  it("an edge's first sync that finds the admission's run already ended takes its result, and reports its shares", async () => {
    const { pool, holder } = await freshEdge();
    const peer = await started(startTestNode(holder));
    const node = await started(startTestNode(pool.host, { syncHost: pool.syncHost, bootstrap: [addrOf(peer)], syncBatchSize: BATCH, autoSync: true }));
    await expect.poll(() => node.syncProgress().state, { timeout: 10_000 }).toBe('synced');
    expect(node.syncProgress().shares).toBe(WINDOW);
    const log = captureLog();
    const network = edgeNetwork(pool, node, { network: 'regtest', template: () => sourceOnNewerBlock().current(), bootstrap: 1, logger: log.logger });
    cleanup.push(() => network.stop());
    await network.initialSync();
    expect(log.find('sharechain synced: serving work')).toEqual([expect.objectContaining({ shares: WINDOW, height: WINDOW - 1 })]);
    expect(log.find(/syncing|sync synced/)).toEqual([]);
  });

  it('takes every batch through the sync host, verified, to the peer tip; gossip stays strict', async () => {
    const { pool, holder } = await freshEdge();
    const peer = await started(startTestNode(holder));
    const node = await started(startTestNode(pool.host, { syncHost: pool.syncHost, bootstrap: [addrOf(peer)], syncBatchSize: BATCH }));
    await expect.poll(() => node.isAdmitted(peer.peerId), { timeout: 10_000 }).toBe(true);
    const tips: number[] = [];
    const unsubscribe = pool.onTip((t) => tips.push(t.height));
    const done = await node.resync();
    unsubscribe();
    expect(done).toMatchObject({ state: 'synced', shares: WINDOW, batches: WINDOW / BATCH });
    expect(bytesToHex(pool.chain.tip!.id)).toBe(bytesToHex(holder.chain.tip!.id));
    expect(pool.chain.size).toBe(WINDOW);
    // After the first batch (history: its oldest share's parent lies beyond it) every share had
    // its parent's window and its coinbase checked.
    expect(pool.chain.bestAt(WINDOW - 1)!.verified).toBe(true);
    expect(tips.at(-1)).toBe(WINDOW - 1);
    // A new share on that block heard over gossip is still held back: the coin check is sync's only.
    const next = minerOn(net, holder).mine(1)[0]!;
    expect(pool.host.receiveShare(next)).toMatchObject({ result: 'deferred' });
    expect(pool.syncHost.receiveShare(next)).toMatchObject({ result: 'accepted' });
  });
});

describe('pool chain: coin blocks its node moved past between two templates', () => {
  // The template source jumped from coin block 0 to block 2: block 1, which the network's shares
  // build on (another edge's node saw it), came and went within one long-poll round trip.
  async function poolAfterJump(passed: TemplateUpdate['passed']): Promise<PoolChain> {
    let current = templateOn(coinTip(0));
    const listeners = new Set<(u: TemplateUpdate) => void>();
    const source = { current: () => current, onTemplate: (l: (u: TemplateUpdate) => void) => (listeners.add(l), () => listeners.delete(l)) };
    const pool = await createPoolChain({ params: testNetwork().params, source, logger: silentLogger });
    cleanup.push(() => pool.stop());
    current = templateOn(coinTip(2));
    for (const l of listeners) l({ template: current, newBlock: true, ...(passed ? { passed } : {}) });
    return pool;
  }

  it('takes gossip shares built on a block the source named as passed over; without it they are held back', async () => {
    const net = testNetwork();
    const shares = minerOn(net, chainHost(net)).mine(2);
    const blind = await poolAfterJump(undefined);
    expect(blind.chain.add(shares[0]!)).toMatchObject({ kind: 'held-back', reason: 'unknown-coin-tip' });

    const pool = await poolAfterJump([{ hash: net.tip.prevHash, nextHeight: net.tip.info.height, nextBits: net.tip.info.bits }]);
    expect(pool.coin.lookup(net.tip.prevHash)).toEqual(net.tip.info);
    // Through the host gossip uses (strict: the coin is checked).
    for (const share of shares) expect(await pool.host.receiveShare(share)).toMatchObject({ result: 'accepted' });
    expect(pool.chain.height).toBe(1);
  });
});
