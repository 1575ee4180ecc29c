/**
 * A page alone with one edge, which goes away: the page keeps mining on the last template until
 * it is stale, keeps every share it finds meanwhile in IndexedDB (the outbox), redials the edge
 * with backoff, and when the edge is back gossips what it kept.
 */
import { expect, test, type Page } from '@playwright/test';
import { mkdirSync, writeFileSync } from 'node:fs';
import { pageAddress, peerState, removeDataDir, startMining, startPeerEdge, type PeerEdge } from './peer-fixture.ts';

/** Templates valid for 15 s: the page runs out of work soon after its edge goes. */
const TEMPLATE_VALID_MS = 15_000;
const POOL = { shareIntervalMs: 500, initialShareBits: 0x1f00ffff };

let edge: PeerEdge | undefined;
let pageOf: Page | undefined;
test.afterAll(async () => {
  await edge?.stop();
  if (edge) removeDataDir(edge);
});

// A failure leaves what both sides said: the edge's log, the page's events and peer log.
test.afterEach(async ({}, info) => {
  if (info.status === info.expectedStatus && !process.env.OTEDAMA_P2P_DIAG) return;
  const dir = info.outputPath('diagnostics');
  mkdirSync(dir, { recursive: true });
  if (edge) writeFileSync(`${dir}/edge.log`, edge.output());
  const dump = await pageOf
    ?.evaluate(() => {
      const peer = (globalThis as unknown as { otedamaPeer?: { log: string[]; state(): unknown } }).otedamaPeer;
      const events = document.getElementById('events')?.innerText ?? '';
      return `${events}\n\n--- peer log ---\n${peer?.log.join('\n') ?? ''}\n\n--- state ---\n${JSON.stringify(peer?.state(), (_k, v) => (typeof v === 'bigint' ? String(v) : v), 1)}`;
    })
    .catch((err: Error) => `page unreadable: ${err.message}`);
  writeFileSync(`${dir}/page.log`, dump ?? 'no page');
});

/** Shares in the page's outbox store (IndexedDB), read the way the page stores them. */
function outboxInIndexedDb(page: Page, poolId: string): Promise<number> {
  return page.evaluate(
    (name) =>
      new Promise<number>((resolve, reject) => {
        const open = indexedDB.open(name);
        open.onerror = () => reject(open.error);
        open.onsuccess = () => {
          const req = open.result.transaction('outbox').objectStore('outbox').count();
          req.onsuccess = () => {
            resolve(req.result);
            open.result.close();
          };
        };
      }),
    `otedama-sharechain-${poolId.slice(0, 16)}`,
  );
}

test('with its only edge gone, a page mines on the last template until it is stale, keeps its shares, and gossips them when the edge is back', async ({ browser }) => {
  test.setTimeout(360_000);
  edge = await startPeerEdge({ index: 0, pool: POOL, templateValidMs: TEMPLATE_VALID_MS, portOffset: 1 });
  const context = await browser.newContext();
  const page = await context.newPage();
  pageOf = page;
  await page.goto(edge.url);
  await startMining(page, pageAddress(0));
  const state = async () => (await peerState(page))!;
  await expect.poll(async () => (await peerState(page))?.ownShares ?? 0, { timeout: 90_000 }).toBeGreaterThan(0);
  const poolId = (await state()).poolId;

  await edge.stop();
  await expect.poll(async () => (await state()).edges[0]!.state, { timeout: 30_000 }).not.toBe('connected');
  // Still mining on the template it has: the shares it finds have nowhere to go and are kept.
  await expect.poll(async () => (await state()).outbox, { timeout: 60_000 }).toBeGreaterThan(0);
  // Read through a connection of the test's own: polled like every other reading of the page.
  await expect.poll(() => outboxInIndexedDb(page, poolId), { timeout: 10_000 }).toBeGreaterThan(0);
  await expect(page.locator('#events')).toContainText('kept (and those after it), and gossiped as soon as one is');
  // Then the template goes stale and the miner waits, saying why.
  await expect(page.locator('#connection')).toContainText('stale', { timeout: 60_000 });
  const kept = (await state()).outbox;
  await expect(page.locator('#net-edges')).toContainText('unreachable, next try in');
  // The chain the page built alone: the edge takes it (by sync) when it is back.
  const aloneTip = (await state()).tip!;

  edge = await startPeerEdge({ index: 0, dataDir: edge.dataDir, pool: POOL, templateValidMs: TEMPLATE_VALID_MS, portOffset: 1 });
  await expect.poll(async () => (await state()).edges[0]!.state, { timeout: 60_000 }).toBe('connected');
  // Paced below the edge's gossip rate (OUTBOX_SHARES_PER_TICK): a fast page keeps hundreds.
  await expect.poll(async () => (await state()).outbox, { timeout: 120_000 }).toBe(0);
  await expect.poll(() => outboxInIndexedDb(page, poolId), { timeout: 10_000 }).toBe(0);
  // Gossiped, or (built on a coin block the coin has moved past since: the page alone finds a
  // block every few seconds) left to the sync of its chain, which the edge holds.
  await expect(page.locator('#events')).toContainText(/while no peer was reachable \(the oldest|not gossiped \(peers take them by syncing this page's chain\)/);
  await expect.poll(() => edge!.holds(aloneTip.id), { timeout: 60_000 }).toBe(true);
  expect(kept).toBeGreaterThan(0);
  // However many it kept, the edge took them as an honest peer's: no ban for their rate.
  expect(edge.output()).not.toContain('peer banned');
  // Mining again, on the edge's fresh template.
  await expect(page.locator('#connection')).toContainText('authorized', { timeout: 60_000 });
  await context.close();
});
