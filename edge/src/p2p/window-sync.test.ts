/**
 * The sync client between real libp2p nodes on 127.0.0.1 with real ShareChains: a fresh node
 * fetches a peer's window batch by batch with progress, resumes from another peer when the one
 * it uses goes away, can be cancelled, and drops (and charges) a peer whose batch is invalid.
 */
import { bytesToHex, CoinTips } from '@otedama/core';
import { coinTip, mineShare, testParams } from '../../../core/test/sharechain-fixtures.ts';
import { SyncShareChainHost } from './chain-host-sync.ts';
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { ChainHost } from './chain-host.ts';
import { ShareChainHost } from './chain-host-sharechain.ts';
import type { P2pNode } from './p2p-node.ts';
import { addrOf, captureLog, chainHost, meshed, minerOn, startTestNode, testNetwork } from './p2p-test-kit.ts';
import { edgeShareChain } from './pool-chain.ts';
import { PENALTY } from './peer-guard.ts';
import { PeerSyncError, SyncClient } from './sync-client.ts';
import type { SyncProgress } from './window-sync.ts';

const cleanup: (() => Promise<unknown>)[] = [];
afterEach(async () => {
  for (const c of cleanup.splice(0).reverse()) await c().catch(() => undefined);
});

const net = testNetwork();
const WINDOW = 600;
let shares: Uint8Array[] = [];
beforeAll(() => {
  shares = minerOn(net, chainHost(net)).mine(WINDOW);
});

/** A node whose chain holds the test window. */
function holding(): ShareChainHost {
  const host = chainHost(net);
  for (const s of shares) expect(host.chain.add(s).kind).toBe('accepted');
  return host;
}

async function node(host: ChainHost, options: Parameters<typeof startTestNode>[1] = {}): Promise<P2pNode> {
  const n = await startTestNode(host, options);
  cleanup.push(() => n.stop());
  return n;
}

/** A fresh node bootstrapped to `peers`, recording its sync progress. */
async function fresh(peers: P2pNode[], batch: number, onProgress?: (p: SyncProgress, n: P2pNode) => void) {
  const host = chainHost(net);
  const progress: SyncProgress[] = [];
  let self: P2pNode | undefined;
  const n = await node(host, {
    bootstrap: peers.map(addrOf),
    syncBatchSize: batch,
    onSyncProgress: (p) => {
      progress.push(p);
      onProgress?.(p, self!);
    },
  });
  self = n;
  await expect.poll(() => peers.every((p) => n.isAdmitted(p.peerId)), { timeout: 10_000 }).toBe(true);
  return { node: n, host, progress };
}

const tipOf = (h: ShareChainHost) => bytesToHex(h.chain.tip!.id);

/** `source`'s chain as a peer answers for it, with some answers changed (a peer that differs, lies or fails). */
function unlike(source: ShareChainHost, changed: Partial<ChainHost>): ChainHost {
  return {
    poolId: source.poolId,
    receiveShare: (b, o) => source.receiveShare(b, o),
    sharesById: (ids) => source.sharesById(ids),
    sharesAfter: (l, m) => source.sharesAfter(l, m),
    locator: () => source.locator(),
    tip: () => source.tip(),
    ...changed,
  };
}

/**
 * A fresh node (batches of 200) syncs from a peer that holds `source`'s chain but whose batches
 * leave `leftOut` out, though it answers for them by id; resolves once the run ended synced.
 */
async function syncLeavingOut(source: ShareChainHost, leftOut: Uint8Array[]) {
  const left = new Set(leftOut.map(bytesToHex));
  const peer = await node(unlike(source, { sharesAfter: (l, m) => source.sharesAfter(l, m).filter((x) => !left.has(bytesToHex(x))) }));
  const log = captureLog();
  const host = chainHost(net);
  const c = await node(host, { bootstrap: [addrOf(peer)], syncBatchSize: 200, logger: log.logger });
  await expect.poll(() => c.isAdmitted(peer.peerId), { timeout: 10_000 }).toBe(true);
  expect(await c.resync()).toMatchObject({ state: 'synced' });
  return { host, log, peer };
}

describe('window sync', () => {
  it('fetches a window in bounded batches, verified one by one, with progress and ETA', async () => {
    const source = holding();
    const a = await node(source);
    const c = await fresh([a], 100);
    const done = await c.node.resync();
    expect(done).toMatchObject({ state: 'synced', shares: WINDOW, batches: 6, percent: 100 });
    expect(tipOf(c.host)).toBe(tipOf(source));
    expect(c.host.chain.size).toBe(WINDOW);
    const batches = c.progress.filter((p) => p.state === 'syncing' && p.batches > 0);
    expect(batches.map((p) => p.shares)).toEqual([100, 200, 300, 400, 500, 600]);
    expect(batches.map((p) => p.percent)).toEqual([16.6, 33.3, 50, 66.6, 83.3, 100]);
    expect(batches.every((p) => p.expected === WINDOW && p.peer === a.peerId)).toBe(true);
    expect(batches.slice(0, -1).every((p) => typeof p.etaSeconds === 'number' && p.etaSeconds >= 0)).toBe(true);
    // A second run finds nothing to fetch.
    expect(await c.node.resync()).toMatchObject({ state: 'synced', shares: 0 });
  });

  it('reads below 100 % while the peer says more follow, even when it holds more than its window', async () => {
    const source = holding();
    // Its status counts a window of 150 shares; it holds 600 (history before the window).
    const narrow = unlike(source, {
      tip: () => {
        const t = source.tip();
        return t && { ...t, windowShares: 150 };
      },
    });
    const a = await node(narrow);
    const c = await fresh([a], 100);
    expect(await c.node.resync()).toMatchObject({ state: 'synced', shares: WINDOW, percent: 100 });
    const batches = c.progress.filter((p) => p.state === 'syncing' && p.batches > 0);
    expect(batches.map((p) => p.shares)).toEqual([100, 200, 300, 400, 500, 600]);
    expect(batches.slice(0, -1).every((p) => p.percent! < 100)).toBe(true);
  });

  it('resumes from another peer when the one it syncs from goes away mid-sync', async () => {
    const [ha, hb] = [holding(), holding()];
    const a = await node(ha);
    const b = await node(hb);
    let stopped: string | undefined;
    const c = await fresh([a, b], 50, (p) => {
      if (p.batches === 3 && !stopped && p.peer) {
        stopped = p.peer;
        void [a, b].find((x) => x.peerId === p.peer)!.stop();
      }
    });
    const done = await c.node.resync();
    expect(done).toMatchObject({ state: 'synced', shares: WINDOW });
    expect(tipOf(c.host)).toBe(tipOf(ha));
    const peers = [...new Set(c.progress.map((p) => p.peer).filter(Boolean))];
    expect(peers).toHaveLength(2);
    expect(peers[0]).toBe(stopped);
    // Nothing was fetched twice: every batch added new shares.
    const perBatch = new Map(c.progress.filter((p) => p.batches > 0).map((p) => [p.batches, p.shares]));
    expect([...perBatch.values()]).toEqual(Array.from({ length: 12 }, (_, i) => (i + 1) * 50));
  });

  it('a peer that cannot answer does not end the run as synced: it goes on with a peer admitted later', async () => {
    const source = holding();
    // Admitted, but its chain fails every question (a stream that breaks, a peer going away).
    const broken = unlike(source, {
      tip: () => {
        throw new Error('this chain is not answering');
      },
      sharesAfter: () => {
        throw new Error('this chain is not answering');
      },
    });
    const a = await node(broken);
    const c = await fresh([a], 200);
    const run = c.node.resync();
    // The peer that holds the chain connects once the run is under way.
    await expect.poll(() => c.progress.some((p) => p.state === 'syncing'), { timeout: 5_000 }).toBe(true);
    const b = await node(source, { bootstrap: [addrOf(c.node)] });
    expect(await run).toMatchObject({ state: 'synced', shares: WINDOW });
    expect(tipOf(c.host)).toBe(tipOf(source));
    expect(c.progress.at(-1)!.peer).toBe(b.peerId);
  });

  it("ends once it holds the best peer's tip, though that peer's work reads more (it keeps more history than we do)", async () => {
    const source = holding();
    const a = await node(source);
    const c = await fresh([a], 200);
    expect(await c.node.resync()).toMatchObject({ state: 'synced', shares: WINDOW });
    // A peer on the same tip whose chain work counts from further back: before, a run asked it again
    // and again for shares it had none of, never ending (and spending the peer's request allowance).
    const deeper = unlike(source, { tip: () => ({ ...source.tip()!, work: source.tip()!.work * 2n }) });
    const d = await node(deeper, { bootstrap: [addrOf(c.node)] });
    await expect.poll(() => c.node.isAdmitted(d.peerId), { timeout: 10_000 }).toBe(true);
    const outcome = await Promise.race([c.node.resync(), new Promise((r) => setTimeout(() => r('still running'), 8_000))]);
    expect(outcome).toMatchObject({ state: 'synced', shares: 0, message: expect.stringMatching(/holding the best peer's tip/) });
  });

  it("paces its requests within a peer's allowance: a burst of questions is never answered 'rateLimited'", async () => {
    const limits = { syncPerSecond: 25, syncBurst: 12 };
    const a = await node(holding(), { rateLimits: limits });
    const c = await fresh([a], 100);
    // Thirty questions one after another (a sync run's pace, with nothing to wait for in between).
    const ask = async (client: SyncClient) => {
      const answers: string[] = [];
      for (let i = 0; i < 30; i++) answers.push(await client.status(a.peerId).then(() => 'ok', (e: PeerSyncError) => (e.rateLimited ? 'rateLimited' : e.message)));
      return answers.filter((x) => x !== 'ok');
    };
    // Unpaced, the peer's limit is real: past its burst it answers 'rateLimited'.
    expect(await ask(new SyncClient(c.node.raw, c.host.poolId, 10_000, { perSecond: 1000, burst: 1000 }))).toContain('rateLimited');
    await new Promise((r) => setTimeout(r, 1000)); // the peer's bucket refills
    // Paced at 80 % of it, the same burst waits its turn instead.
    expect(await ask(new SyncClient(c.node.raw, c.host.poolId, 10_000, { perSecond: 20, burst: 10 }))).toEqual([]);
  });

  it('completes a share whose uncle the batch did not carry by asking the peer for it by id', async () => {
    // A chain with an uncle near its tip: a sibling that lost the race, named by the next share.
    const source = holding();
    const miner = minerOn(net, source);
    miner.pool.now = source.chain.tip!.time;
    miner.mine(2);
    miner.pool.now += 1;
    const sibling = mineShare(miner.pool, { parent: source.chain.tip!.parent!, extranonce: Uint8Array.of(9, 9, 9, 9, 9, 9, 9, 9) }).bytes;
    expect(source.chain.add(sibling).kind).toBe('accepted');
    miner.mine(3);
    expect(source.chain.bestAt(source.chain.height - 2)!.uncleKeys).toHaveLength(1);
    // Its batches leave the uncle out (as a peer that took the nephew before the uncle would).
    const { host, log, peer } = await syncLeavingOut(source, [sibling]);
    expect(tipOf(host)).toBe(tipOf(source));
    expect(log.find(/fetched by id/)).toEqual([expect.objectContaining({ peer: peer.peerId, then: 'accepted' })]);
  });

  it('completes an uncle that names an uncle of its own, which the batch did not carry either, level by level', async () => {
    // V loses a race; U names V and loses to B; S (on B) names U. No best-chain share names V.
    const source = holding();
    const chain = source.chain;
    const miner = minerOn(net, source);
    miner.pool.now = chain.tip!.time;
    miner.mine(2, { uncles: [] });
    const a = chain.tip!;
    const added = (bytes: Uint8Array) => {
      const r = chain.add(bytes);
      if (r.kind !== 'accepted') throw new Error(`not accepted: ${r.kind}`);
      return r.entry;
    };
    miner.pool.now += 1;
    const v = added(mineShare(miner.pool, { parent: a.parent!, uncles: [], extranonce: Uint8Array.of(7, 7, 7, 7, 7, 7, 7, 7) }).bytes);
    miner.mine(1, { parent: a, uncles: [] });
    const b = chain.tip!;
    miner.pool.now += 1;
    const u = added(mineShare(miner.pool, { parent: a, uncles: [v], extranonce: Uint8Array.of(8, 8, 8, 8, 8, 8, 8, 8) }).bytes);
    miner.mine(1, { parent: b, uncles: [u] });
    miner.mine(3, { uncles: [] });
    expect(chain.isBest(u) || chain.isBest(v)).toBe(false);
    // Its batches leave both out (as a peer whose batches carry only the best chain's own uncles would).
    const { host, log, peer } = await syncLeavingOut(source, [u.encoded, v.encoded]);
    expect(tipOf(host)).toBe(tipOf(source));
    expect(host.chain.has(v.key) && host.chain.has(u.key)).toBe(true);
    // U came back an orphan (V missing); V was fetched in turn, then U, then S went in.
    expect(log.find(/fetched by id/)).toEqual([expect.objectContaining({ peer: peer.peerId, fetched: 'orphan', then: 'accepted' })]);
  });

  it('an edge back from a break syncs the 1,000-share chain a page mined alone (pruned below where they parted) while the page gossips what it kept: nobody is charged or banned', async () => {
    // What they share: 40 shares. Then the edge goes away and its coin moves on four blocks: the
    // block the page goes on mining on is too old for new shares there.
    // A window of 100 shares: the page keeps about twice that, far less than it mined alone.
    const small = { ...net, params: testParams({ maxWindowShares: 100 }) };
    const base = chainHost(small);
    const common = minerOn(small, base).mine(40);
    const parted = base.chain.tip!.id;
    const coinE = new CoinTips();
    coinE.add(net.tip.prevHash, net.tip.info);
    for (let n = 2; n <= 5; n++) coinE.add(coinTip(n).prevHash, coinTip(n).info);
    const chainE = edgeShareChain(small.params, coinE);
    const edgeHost = new ShareChainHost(chainE);
    for (const b of common) expect(chainE.add(b, { history: true }).kind).toMatch(/accepted/);
    const page = chainHost(small);
    for (const b of common) expect(page.chain.add(b).kind).toBe('accepted');
    const alone = minerOn(small, page).mine(1000);
    page.chain.prune();
    expect(page.chain.has(parted)).toBe(false);
    const log = captureLog();
    const e = await node(edgeHost, { syncHost: new SyncShareChainHost(chainE), logger: log.logger });
    const p = await node(page, { bootstrap: [addrOf(e)] });
    await expect.poll(() => e.isAdmitted(p.peerId) && meshed(p, e), { timeout: 10_000 }).toBe(true);
    // The page gossips the last 300 shares it kept (its outbox) while the edge syncs.
    const gossip = (async () => {
      for (const share of alone.slice(-300)) await p.publishShare(share).catch(() => undefined);
    })();
    const done = await e.resync();
    await gossip;
    expect(done).toMatchObject({ state: 'synced' });
    expect(tipOf(edgeHost)).toBe(tipOf(page));
    // An honest page: no ban, no penalty, no invalid share; and the edge stayed within the page's sync allowance.
    expect(e.guard.isBanned(p.peerId)).toBe(false);
    expect(e.guard.score(p.peerId)).toBeGreaterThanOrEqual(0);
    expect(log.find('invalid share from peer')).toEqual([]);
    expect(p.guard.penalty(e.peerId)).toBe(0);
  });

  it('can be cancelled between batches', async () => {
    const a = await node(holding());
    const c = await fresh([a], 100, (p, self) => {
      if (p.batches === 2) self.cancelSync();
    });
    expect(await c.node.resync()).toMatchObject({ state: 'cancelled', shares: 200 });
    expect(c.host.chain.size).toBe(200);
  });

  it('drops and charges a peer whose batch holds an invalid share, and finishes from an honest one', async () => {
    const honest = await node(holding());
    // A real node whose chain lies: it claims the most work and serves corrupted shares.
    const real = holding();
    const liar = unlike(real, {
      tip: () => ({ ...real.tip()!, work: real.tip()!.work * 2n }),
      sharesAfter: (locator, max) => real.sharesAfter(locator, max).map((s, i) => (i === 5 ? Uint8Array.from(s, (x, j) => (j === s.length - 1 ? x ^ 1 : x)) : s)),
    });
    const hostile = await node(liar);
    const c = await fresh([hostile, honest], 100);
    const done = await c.node.resync();
    expect(done).toMatchObject({ state: 'synced' });
    expect(tipOf(c.host)).toBe(tipOf(real));
    expect(c.node.guard.penalty(hostile.peerId)).toBeGreaterThanOrEqual(PENALTY.badResponse - 1);
    expect(c.progress.some((p) => p.peer === hostile.peerId)).toBe(true);
    expect(c.progress.at(-1)!.peer).toBe(honest.peerId);
  });

  it('ends a batch at a share its chain holds back, under that reason, and charges nothing', async () => {
    const a = await node(holding());
    // The strict (gossip) host of a chain whose coin context never saw the window's coin block: the
    // first batch goes in as history, the next one's first share is held back (unknown coin block).
    const host = new ShareChainHost(edgeShareChain(net.params, new CoinTips()));
    const log = captureLog();
    let self: P2pNode | undefined;
    // Once the second batch is in, the run would wait for another peer: the test ends it there.
    const c = await node(host, { bootstrap: [addrOf(a)], syncBatchSize: 100, logger: log.logger, onSyncProgress: (p) => p.batches === 2 && self?.cancelSync() });
    self = c;
    await expect.poll(() => c.isAdmitted(a.peerId), { timeout: 10_000 }).toBe(true);
    const done = await c.resync();
    expect(done).toMatchObject({ state: 'cancelled', shares: 100, batches: 2 });
    const dropped = log.find('sync peer dropped for this run');
    expect(dropped.map((l) => l.reason)).toEqual([expect.stringMatching(/holds back \(unknown-coin-tip/)]);
    expect(log.lines.join('\n')).not.toMatch(/do not connect/);
    expect(c.guard.penalty(a.peerId)).toBe(0);
  });
});
