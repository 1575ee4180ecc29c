/**
 * The proof that a browser page is a full peer of the sharechain, inside the network namespace:
 * two edges (A runs simnet, B uses it over RPC) and Chromium pages, each in its own context.
 *
 *   1. consent: no socket, worker or peer connection before Start, counted in the page and at the edges;
 *   2. shares mined in page 1 reach pages 2 and 3 and both edges; all agree on the tip and the next payouts;
 *   3. the dashboard's network and earnings views (screenshots in test-results/);
 *   4. both edges stop: the pages keep mining on the last template and gossip over WebRTC;
 *   5. edge A restarts: a block found meanwhile reaches it (sync) and is submitted;
 *   6. a fresh page syncs the window from its peers with progress shown;
 *   7. a page that injects invalid shares is cut off by the others;
 *   8. a reload resumes from IndexedDB and syncs only what is missing.
 *
 * One world for the whole file (serial): starting edges and pages is most of the cost.
 */
import AxeBuilder from '@axe-core/playwright';
import { expect, test, type Browser, type Page } from '@playwright/test';
import { addressToScript, bytesToHex, sharesTopic, hexToBytes } from '@otedama/core';
import { mkdirSync, writeFileSync } from 'node:fs';
import {
  countConnections,
  counters,
  pageAddress,
  peerState,
  removeDataDir,
  startMining,
  startPeerEdge,
  type PeerEdge,
  type PeerStateJson,
} from './peer-fixture.ts';

test.describe.configure({ mode: 'serial' });

/**
 * A test pool where things happen within a test's patience: shares start at 2^16 hashes
 * (0x1f00ffff) and ASERT aims at one every 0.5 s, so the chain holds a few hundred shares by the
 * time a fresh page syncs it (progress in several batches); simnet's blocks (TEST_BLOCK_DIFFICULTY)
 * come every few dozen shares, so one is found while the edges are down.
 */
const POOL = { shareIntervalMs: 500, asertHalfLifeMs: 30_000, windowSpread: 20, initialShareBits: 0x1f00ffff };
/** OP_TRUE P2WSH: the finder the edges' /api/sharechain computes nextPayouts for. */
const FINDER_SCRIPT = '00204ae81572f06e1b88fd5ced7a1a000945432e83e1551e6f721ee9c00b8cc33260';

let edgeA: PeerEdge;
let edgeB: PeerEdge;
const pages: Page[] = [];
const screenshots = 'test-results/p2p-screenshots';

async function openPage(browser: Browser, edge: PeerEdge): Promise<Page> {
  const context = await browser.newContext();
  await countConnections(context);
  const page = await context.newPage();
  await page.goto(edge.url);
  return page;
}

/** The page's peer state (call after `peerReady`). */
const state = async (page: Page): Promise<PeerStateJson> => (await peerState(page))!;
/** Waits until the page's peer session has started (Start joins the network first). */
const peerReady = (page: Page) => expect.poll(async () => (await peerState(page)) !== undefined, { timeout: 90_000 }).toBe(true);
const tipOf = async (page: Page) => (await state(page)).tip?.id;
const browserPeers = (s: PeerStateJson) => s.peers.filter((p) => p.kind === 'browser' && p.admitted && p.transports.includes('webrtc'));

/** When page `page` first accepted share `key` (ms), or undefined. */
function arrivedAt(page: Page, key: string): Promise<number | undefined> {
  return page.evaluate((k) => (globalThis as unknown as { otedamaPeer: { arrivedAt(k: string): number | undefined } }).otedamaPeer.arrivedAt(k), key);
}

/** The page's next payouts for the edges' finder on its current template, with its tip. */
function pagePayouts(page: Page): Promise<{ tip: string | undefined; coinHeight: number | undefined; payouts: [string, string][] } | undefined> {
  return page.evaluate(async (finder) => {
    type Peer = {
      state(): { tip?: { id: string }; template?: { height: number } };
      miningCoin(): unknown;
      chain: { nextPayouts(s: Uint8Array, c: unknown): Promise<{ script: string; amount: bigint }[]> };
    };
    const peer = (globalThis as unknown as { otedamaPeer: Peer }).otedamaPeer;
    const coin = peer.miningCoin();
    if (!coin) return undefined;
    const s = peer.state();
    const script = Uint8Array.from(finder.match(/../g)!.map((h) => parseInt(h, 16)));
    const payouts = await peer.chain.nextPayouts(script, coin);
    return { tip: s.tip?.id, coinHeight: s.template?.height, payouts: payouts.map((p) => [p.script, String(p.amount)] as [string, string]) };
  }, FINDER_SCRIPT);
}

test.beforeAll(async () => {
  mkdirSync(screenshots, { recursive: true });
  edgeA = await startPeerEdge({ index: 0, pool: POOL });
  edgeB = await startPeerEdge({ index: 1, rpcOf: edgeA.info, bootstrap: [edgeA.tcpAddr], pool: POOL });
  await expect.poll(async () => (await edgeB.api()).admittedPeers, { timeout: 30_000 }).toBe(1);
});

// A failure leaves what every part said: the edges' logs, each page's events and peer log.
test.afterEach(async ({}, info) => {
  if (info.status === info.expectedStatus && !process.env.OTEDAMA_P2P_DIAG) return;
  const dir = info.outputPath('diagnostics');
  mkdirSync(dir, { recursive: true });
  for (const [name, edge] of [['edge-a', edgeA], ['edge-b', edgeB]] as const) if (edge) writeFileSync(`${dir}/${name}.log`, edge.output());
  for (const [i, page] of pages.entries()) {
    const dump = await page
      .evaluate(() => {
        const peer = (globalThis as unknown as { otedamaPeer?: { log: string[]; state(): unknown; syncReports: unknown[] } }).otedamaPeer;
        const events = document.getElementById('events')?.innerText ?? '';
        return `${events}\n\n--- peer log ---\n${peer?.log.join('\n') ?? ''}\n\n--- state ---\n${JSON.stringify(peer?.state(), (_k, v) => (typeof v === 'bigint' ? String(v) : v), 1)}\n\n--- sync ---\n${JSON.stringify(peer?.syncReports)}`;
      })
      .catch((err: Error) => `page unreadable: ${err.message}`);
    writeFileSync(`${dir}/page-${i + 1}.log`, dump);
  }
});

test.afterAll(async () => {
  for (const p of pages) await p.context().close().catch(() => undefined);
  await edgeB?.stop();
  await edgeA?.stop();
  for (const e of [edgeA, edgeB]) if (e) removeDataDir(e);
});

test('consent: before Start no socket, worker or peer connection, in the page or at the edges', async ({ browser }) => {
  const before = [(await edgeA.api()).connectionsTotal, (await edgeB.api()).connectionsTotal];
  pages.push(await openPage(browser, edgeA), await openPage(browser, edgeB), await openPage(browser, edgeA));
  for (const page of pages) {
    await expect(page.locator('#start')).toBeVisible();
    await page.waitForTimeout(1500);
    expect(await counters(page)).toEqual({ webSockets: 0, peerConnections: 0, workers: 0 });
    expect(await peerState(page)).toBeUndefined();
  }
  expect([(await edgeA.api()).connectionsTotal, (await edgeB.api()).connectionsTotal]).toEqual(before);

  // Start: page 1 mines at full intensity, pages 2 and 3 lightly (they are peers first).
  await startMining(pages[0]!, pageAddress(0), { edges: [edgeB] });
  await startMining(pages[1]!, pageAddress(1), { edges: [edgeA], intensity: 10 });
  await startMining(pages[2]!, pageAddress(2), { edges: [edgeB], intensity: 10 });
  for (const page of pages) {
    await peerReady(page);
    await expect.poll(async () => (await state(page)).edges.filter((e) => e.state === 'connected').length, { timeout: 60_000 }).toBe(2);
    // The chain worker and a CPU worker (the miner starts its workers once the peer has a template).
    await expect.poll(async () => (await counters(page)).workers, { timeout: 60_000 }).toBeGreaterThanOrEqual(2);
    expect((await counters(page)).webSockets).toBeGreaterThanOrEqual(2);
  }
  expect((await edgeA.api()).connectionsTotal).toBeGreaterThan(before[0]!);
});

test("shares mined in page 1 reach pages 2 and 3 (over WebRTC) and both edges; all agree on the tip and the next payouts", async () => {
  const [p1, p2, p3] = pages as [Page, Page, Page];
  for (const page of pages) await expect.poll(async () => browserPeers(await state(page)).length, { timeout: 90_000 }).toBeGreaterThanOrEqual(2);
  // A share page 1 found after the pages met: pages 2 and 3 and both edges hold it.
  const found = (await state(p1)).ownShares;
  await expect.poll(async () => (await state(p1)).ownShares, { timeout: 90_000 }).toBeGreaterThan(found);
  const key = (await state(p1)).lastOwnShare!;
  for (const page of [p2, p3]) await expect.poll(() => arrivedAt(page, key), { timeout: 30_000 }).toBeDefined();
  for (const edge of [edgeA, edgeB]) await expect.poll(() => edge.holds(key), { timeout: 30_000 }).toBe(true);
  const script1 = bytesToHex(addressToScript(pageAddress(0), 'regtest'));
  expect((await pagePayouts(p1))?.payouts.some(([s]) => s === script1)).toBe(true);
  // Agreement: one moment where the pages and both edges hold the same tip and compute the same next payouts.
  await expect
    .poll(
      async () => {
        const [a, b] = [await edgeA.api(), await edgeB.api()];
        const views = await Promise.all(pages.map(pagePayouts));
        const tips = new Set([a.tip?.id, b.tip?.id, ...views.map((v) => v?.tip)]);
        if (tips.size !== 1 || !a.tip) return 'tips differ';
        const edgePayouts = a.nextPayouts.map((p) => [bytesToHex(addressToScript(p.address, 'regtest')), p.sats]);
        const same = views.every((v) => v?.coinHeight === a.coinHeight && JSON.stringify(v.payouts) === JSON.stringify(edgePayouts));
        return same && JSON.stringify(b.nextPayouts) === JSON.stringify(a.nextPayouts) ? 'agree' : 'payouts differ';
      },
      { timeout: 60_000, intervals: [250] },
    )
    .toBe('agree');
});

test("the dashboard's network and earnings views, WCAG 2.1 AA in both themes", async () => {
  const p1 = pages[0]!;
  await expect(p1.locator('#network')).toBeVisible();
  await expect(p1.locator('#net-peers')).not.toHaveText('0');
  await expect(p1.locator('#net-sync')).toHaveText('synced');
  await expect(p1.locator('#net-peer-rows tr')).toHaveCount(4, { timeout: 30_000 });
  await expect(p1.locator('#net-peer-rows')).toContainText('webrtc');
  await expect(p1.locator('#earn-window')).toContainText('are yours');
  await expect(p1.locator('#earn-next-other')).toContainText('If another miner finds the next block');
  await expect(p1.locator('#earn-next-share')).toContainText('Expected time to your next share');
  await expect(p1.locator('#earn-blocks li').first()).toContainText(/Block at share \d+/, { timeout: 60_000 });
  await p1.locator('#network').screenshot({ path: `${screenshots}/network.png` });
  await p1.locator('#earnings').screenshot({ path: `${screenshots}/earnings.png` });
  // The same check as e2e/a11y.spec.ts, on these views (they show only while the page is a peer).
  const found: string[] = [];
  for (const colorScheme of ['dark', 'light'] as const) {
    await p1.emulateMedia({ colorScheme });
    const result = await new AxeBuilder({ page: p1 }).include('#network').include('#earnings').withTags(['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa']).analyze();
    found.push(...result.violations.flatMap((v) => v.nodes.map((n) => `${colorScheme}: ${v.id}: ${n.target.join(' ')}`)));
  }
  expect(found).toEqual([]);
});

let coinHeightWhenStopped = 0;
/** Page 1's newest block before the edges stop (its list keeps the last 32: a fast page finds more). */
let lastBlockBeforeStop: string | undefined;

test('with both edges stopped, the pages keep mining on the last template and gossip over WebRTC', async () => {
  const [p1, p2, p3] = pages as [Page, Page, Page];
  coinHeightWhenStopped = (await edgeA.api()).coinHeight;
  lastBlockBeforeStop = (await state(p1)).ownBlocks.at(-1);
  await edgeB.stop();
  await edgeA.stop();
  for (const page of pages) await expect.poll(async () => (await state(page)).edges.filter((e) => e.state === 'connected').length, { timeout: 30_000 }).toBe(0);
  const own = (await state(p1)).ownShares;
  // Page 1 keeps finding shares on the last template; pages 2 and 3 hear them with no edge.
  await expect.poll(async () => (await state(p1)).ownShares, { timeout: 90_000 }).toBeGreaterThanOrEqual(own + 3);
  const key = (await state(p1)).lastOwnShare!;
  for (const page of [p2, p3]) await expect.poll(() => arrivedAt(page, key), { timeout: 30_000 }).toBeDefined();
  // And a block: found while nobody can submit it.
  await expect.poll(async () => (await state(p1)).ownBlocks.at(-1), { timeout: 120_000 }).not.toBe(lastBlockBeforeStop);
  expect((await state(p1)).template!.stale).toBeUndefined();
});

test('edge A restarts (same data, same peer id): the pages reconnect, and a block found meanwhile is submitted', async () => {
  edgeA = await startPeerEdge({ index: 0, dataDir: edgeA.dataDir, pool: POOL });
  for (const page of pages) await expect.poll(async () => (await state(page)).edges.some((e) => e.origin === edgeA.url.replace(/\/$/, '') && e.state === 'connected'), { timeout: 60_000 }).toBe(true);
  // The edge syncs the window from the pages; the block among it goes to simnet.
  await expect.poll(async () => (await edgeA.api()).blocksSubmitted, { timeout: 90_000 }).toBeGreaterThan(0);
  await expect.poll(async () => (await edgeA.api()).coinHeight, { timeout: 30_000 }).toBeGreaterThan(coinHeightWhenStopped);
  expect(edgeA.output()).toContain('found block submitted');
});

test('a fresh page syncs the window from its peers, with progress shown, then mines', async ({ browser }) => {
  const p4 = await openPage(browser, edgeA);
  pages.push(p4);
  const target = (await state(pages[0]!)).tip!.height;
  await startMining(p4, pageAddress(3), { intensity: 10 });
  await peerReady(p4);
  type Report = { state: string; shares: number; percent?: number };
  const syncReports = () => p4.evaluate(() => (globalThis as unknown as { otedamaPeer: { syncReports: Report[] } }).otedamaPeer.syncReports);
  // The sync run that fetched the window: a first run may end at once with nothing ('no peer
  // holds any share yet') when no admitted peer answered with a tip; each peer admitted starts another.
  await expect.poll(async () => (await syncReports()).some((r) => r.state === 'synced' && r.shares > 0), { timeout: 90_000 }).toBe(true);
  await expect(p4.locator('#net-sync')).toHaveText('synced', { timeout: 30_000 });
  const reports = await syncReports();
  const progress = reports.filter((r) => r.state === 'syncing' && r.shares > 0);
  expect(progress.length).toBeGreaterThanOrEqual(2);
  // Shown on the way: a report with shares in and more to come.
  expect(progress.some((r) => r.percent !== undefined && r.percent < 100)).toBe(true);
  // A run ends 'synced' at the tip of the peer it synced from: the first peer admitted can be
  // behind the others (edge A, just restarted, still catching up from the pages), and each peer
  // admitted after it starts another run, so the window is in once those have run.
  await expect.poll(async () => (await state(p4)).tip!.height, { timeout: 60_000 }).toBeGreaterThanOrEqual(target);
  await expect(p4.locator('#net-sync-detail')).toContainText('In step with the network');
  // Only then does it mine: its own shares join the chain.
  await expect.poll(async () => (await state(p4)).ownShares, { timeout: 90_000 }).toBeGreaterThan(0);
});

test('a page that injects invalid shares is cut off by the pages and the edge it reaches', async ({ browser }) => {
  const honest = pages.slice(0, 3);
  const p5 = await openPage(browser, edgeA);
  pages.push(p5);
  await startMining(p5, pageAddress(4), { intensity: 10 });
  await peerReady(p5);
  await expect.poll(async () => browserPeers(await state(p5)).length, { timeout: 90_000 }).toBeGreaterThanOrEqual(1);
  const hostile = (await state(p5)).peerId;
  const connectedTo = async () => (await Promise.all(honest.map(async (p) => (await state(p)).peers.some((x) => x.id === hostile)))).filter(Boolean).length;
  // Its own view comes first: an honest page lists it once its side of the connection is up too.
  await expect.poll(connectedTo, { timeout: 60_000 }).toBeGreaterThanOrEqual(1);
  // It gossips invalid shares: real shares with their header's nonce changed (a hash above the target), and noise.
  const topic = sharesTopic(hexToBytes((await state(p5)).poolId, 32));
  const gossipInvalid = () => p5.evaluate(async (topic) => {
    type Peer = { node: { raw: { services: { pubsub: { publish(t: string, d: Uint8Array): Promise<unknown> } } } }; chain: { sharesAfter(l: Uint8Array[], n: number): Promise<Uint8Array[]> } };
    const peer = (globalThis as unknown as { otedamaPeer: Peer }).otedamaPeer;
    const shares = await peer.chain.sharesAfter([], 8);
    /** Where the header starts in a share's encoding (after the metadata: docs/sharechain.md §3). */
    const headerAt = (b: Uint8Array) => {
      let o = 53;
      o += 1 + 32 * b[o]!; // uncles
      const payees = b[o++]!;
      for (let i = 0; i < payees; i++) o += 3 + b[o + 2]!; // bp, script length, script
      o += 8; // miner nonce
      return o + 1 + 32 * b[o]!; // references
    };
    for (let i = 0; i < 12; i++) {
      let bad: Uint8Array;
      if (i % 2 === 0) {
        // A real share whose header nonce changed: its hash no longer meets its target.
        bad = shares[i % shares.length]!.slice();
        bad[headerAt(bad) + 79]! ^= 0x5a;
      } else {
        bad = crypto.getRandomValues(new Uint8Array(300));
      }
      await peer.node.raw.services.pubsub.publish(topic, bad).catch(() => undefined);
    }
  }, topic);
  // Round after round while any honest page still holds a connection to it: a page whose topic
  // subscription with it was not yet exchanged when a round went out received nothing to judge.
  await expect
    .poll(
      async () => {
        const n = await connectedTo();
        if (n > 0) await gossipInvalid().catch(() => undefined);
        return n;
      },
      { timeout: 60_000, intervals: [2_000] },
    )
    .toBe(0);
  await expect.poll(async () => (await edgeA.api()).bans, { timeout: 30_000 }).toContain(hostile);
  // Honest gossip carries on: a new share of page 1 reaches page 2.
  const own = (await state(honest[0]!)).ownShares;
  await expect.poll(async () => (await state(honest[0]!)).ownShares, { timeout: 60_000 }).toBeGreaterThan(own);
  const key = (await state(honest[0]!)).lastOwnShare!;
  await expect.poll(() => arrivedAt(honest[1]!, key), { timeout: 60_000 }).toBeDefined();
});

test('a reload resumes from IndexedDB and syncs only what is missing', async () => {
  // Page 3 was opened on edge A (edge B is still down).
  const p3 = pages[2]!;
  const stored = (await state(p3)).storedShares;
  expect(stored).toBeGreaterThan(10);
  await p3.reload();
  await p3.locator('#resume-yes').click();
  await peerReady(p3);
  await expect(p3.locator('#events')).toContainText(/resumed from \d+ stored share\(s\)/, { timeout: 60_000 });
  await expect(p3.locator('#net-sync')).toHaveText('synced', { timeout: 60_000 });
  const text = await p3.locator('#events').innerText();
  const resumed = Number(/resumed from (\d+) stored share/.exec(text)![1]);
  expect(resumed).toBeGreaterThan(10);
  const fetched = await p3.evaluate(() => (globalThis as unknown as { otedamaPeer: { syncReports: { shares: number }[] } }).otedamaPeer.syncReports.reduce((n, r) => Math.max(n, r.shares), 0));
  // Only what was found while it reloaded, not the window again.
  expect(fetched).toBeLessThan(resumed);
  // In step with page 1 again: both tips read alike (the chain moves on while this polls, so each
  // poll reads both, never one tip taken once that the pages have since built on).
  await expect.poll(async () => (await tipOf(p3)) === (await tipOf(pages[0]!)), { timeout: 60_000 }).toBe(true);
});
