/**
 * The widget on an edge whose pool is a peer network (p2p on, as `npm start` runs it): the frame
 * is a peer like the web app. Nothing connects before the visitor's click; after it the frame
 * dials the edge's libp2p WebSockets listener (no /ws/stratum: the edge counts no Stratum
 * connection), is admitted, mines into the sharechain on the edge's signed templates, and its
 * shares reach the edge's chain paying data-address. Stop closes the peer.
 */
import { expect, test, type FrameLocator, type Page } from '@playwright/test';
import { constructionCounts, countConstructions, edgeForFile, MINER_ADDRESS, stratumConnections } from '../../web/e2e/edge-fixture.ts';
import { demoHostForFile } from './host-fixture.ts';

const edge = edgeForFile([], { peers: true });
const host = demoHostForFile(edge);

interface Sharechain {
  params: string | null;
  tip: { height: number } | null;
  nextPayouts: { address: string; sats: number }[] | null;
}
interface Peer {
  transports: string[];
  admitted: boolean;
}
const api = async <T>(path: string): Promise<T> => (await (await fetch(new URL(path, edge.url))).json()) as T;
const pagePeers = async () => (await api<{ peers: Peer[] }>('/api/sharechain/peers')).peers.filter((p) => p.admitted && p.transports.includes('websockets')).length;

function widgetFrame(page: Page): FrameLocator {
  return page.frameLocator('iframe[src*="/widget/frame.html"]');
}

test('the widget frame is a peer of the pool: nothing before the click, then admitted over libp2p, its shares in the edge\'s chain for data-address', async ({ page }) => {
  await countConstructions(page);
  const sockets: string[] = [];
  page.on('websocket', (ws) => sockets.push(ws.url()));
  await page.goto(host.url);
  const frame = widgetFrame(page);
  const start = frame.getByRole('button', { name: 'Start mining' });
  await expect(start).toBeVisible();
  expect((await api<Sharechain>('/api/sharechain')).params).not.toBeNull();
  const counts = await Promise.all(page.frames().map((f) => constructionCounts(f).catch(() => ({ workers: 0, sockets: 0 }))));
  expect(counts.reduce((a, c) => a + c.workers + c.sockets, 0)).toBe(0);
  expect(await pagePeers()).toBe(0);

  // The visitor's click (a trusted event at the button's place on screen).
  await expect.poll(() => start.evaluate((el) => el.getBoundingClientRect().bottom <= innerHeight)).toBe(true);
  const box = (await start.boundingBox())!;
  await page.mouse.click(box.x + box.width / 2, box.y + box.height / 2);
  await expect(page.locator('#state')).toHaveText('mining', { timeout: 60_000 });
  await expect.poll(pagePeers, { timeout: 30_000 }).toBe(1);
  expect(sockets.filter((u) => u.includes('/ws/stratum'))).toEqual([]);
  expect(await stratumConnections(edge)).toBe(0);
  // The edge has no miner of its own: a tip on its chain is the frame's shares, and they pay data-address.
  await expect.poll(async () => (await api<Sharechain>('/api/sharechain')).tip?.height ?? 0, { timeout: 120_000 }).toBeGreaterThan(0);
  const payouts = (await api<Sharechain>('/api/sharechain')).nextPayouts ?? [];
  expect(payouts.map((p) => p.address)).toContain(MINER_ADDRESS);
  await expect.poll(async () => Number(await page.locator('#shares').textContent()), { timeout: 30_000 }).toBeGreaterThan(0);

  const stop = frame.getByRole('button', { name: /^Stop$/ });
  const stopBox = (await stop.boundingBox())!;
  await page.mouse.click(stopBox.x + stopBox.width / 2, stopBox.y + stopBox.height / 2);
  await expect(page.locator('#state')).toHaveText('stopped');
  await expect.poll(pagePeers, { timeout: 30_000 }).toBe(0);
});
