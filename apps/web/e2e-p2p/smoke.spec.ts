import { expect, test } from '@playwright/test';
import { countConnections, counters, openPeerPage, pageAddress, peerState, startEdgePair, startMining, type PeerEdge } from './peer-fixture.ts';

let edges: PeerEdge[] = [];
test.afterAll(async () => {
  for (const e of edges.reverse()) await e.stop();
});

test('smoke: a page joins, mines into the chain', async ({ browser }) => {
  edges = await startEdgePair();
  const [a, b] = edges as [PeerEdge, PeerEdge];
  const context = await browser.newContext();
  await countConnections(context);
  const page = await context.newPage();
  page.on('console', (m) => console.log('[page]', m.text()));
  await page.goto(a.url);
  expect(await counters(page)).toEqual({ webSockets: 0, peerConnections: 0, workers: 0 });
  await startMining(page, pageAddress(0), { edges: [b] });
  await page.waitForTimeout(10_000);
  console.log(JSON.stringify(await peerState(page), null, 1));
  console.log(await page.locator('#events').innerText());
  console.log(await page.evaluate(() => (globalThis as any).otedamaPeer?.log.join('\n')));
  await expect.poll(async () => (await peerState(page))?.peers.filter((p) => p.admitted).length ?? 0, { timeout: 60_000 }).toBeGreaterThanOrEqual(2);
  console.log(JSON.stringify(await peerState(page)));
  await expect.poll(async () => (await a.api()).tip?.height ?? -1, { timeout: 120_000 }).toBeGreaterThanOrEqual(2);
  await expect.poll(async () => (await b.api()).tip?.height ?? -1, { timeout: 60_000 }).toBeGreaterThanOrEqual(2);
  console.log(JSON.stringify(await peerState(page)));
  console.log(await page.locator('#events').innerText());
  await context.close();
});
