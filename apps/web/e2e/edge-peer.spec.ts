/**
 * The page `otedama pool` serves becomes a peer of the pool's network (p2p on, as `npm start`
 * runs it): nothing connects before Start; after Start the page dials the edge's libp2p
 * WebSockets listener (not /ws/stratum), is admitted, mines into the sharechain itself on the
 * edge's signed templates, and its shares reach the edge's chain. One page on loopback: the
 * WebRTC between pages is the netns suite's (apps/web/e2e-p2p).
 */
import { expect, test } from '@playwright/test';
import { constructionCounts, countConstructions, edgeForFile, MINER_ADDRESS, stratumConnections } from './edge-fixture.ts';

const edge = edgeForFile([], { peers: true });

interface Sharechain {
  peers: number;
  admittedPeers: number;
  params: string | null;
  templatesPublished: number;
  tip: { height: number } | null;
}
interface Peer {
  id: string;
  transports: string[];
  admitted: boolean;
}
const api = async <T>(path: string): Promise<T> => (await (await fetch(new URL(path, edge.url))).json()) as T;

test('after Start the page joins the edge as a libp2p peer and its shares reach the edge\'s chain', async ({ page }) => {
  await countConstructions(page);
  const sockets: string[] = [];
  page.on('websocket', (ws) => sockets.push(ws.url()));
  await page.goto(edge.url);
  await expect(page.getByRole('button', { name: 'Start' })).toBeVisible();
  expect(await constructionCounts(page)).toEqual({ workers: 0, sockets: 0 });
  const before = await api<Sharechain>('/api/sharechain');
  expect(before.params).not.toBeNull();
  expect(before.peers).toBe(0);

  await page.fill('#address', MINER_ADDRESS);
  await page.fill('#threads', '1');
  await page.getByRole('button', { name: 'Start' }).click();
  await expect(page.locator('#mining-indicator')).toBeVisible();
  // The peer's view of the network, not the Stratum dashboard's pool figures.
  await expect(page.locator('#network')).toBeVisible({ timeout: 30_000 });
  const pagePeers = async () => (await api<{ peers: Peer[] }>('/api/sharechain/peers')).peers.filter((p) => p.admitted && p.transports.includes('websockets')).length;
  await expect.poll(pagePeers, { timeout: 30_000 }).toBe(1);
  // Its sockets are libp2p's (the edge's /ws listener), none to /ws/stratum; the edge counts no Stratum connection.
  expect(sockets.length).toBeGreaterThan(0);
  expect(sockets.filter((u) => u.includes('/ws/stratum'))).toEqual([]);
  expect(await stratumConnections(edge)).toBe(0);
  // The edge has no miner of its own: a tip on its chain is the page's shares, gossiped to it.
  await expect.poll(async () => (await api<Sharechain>('/api/sharechain')).tip?.height ?? 0, { timeout: 90_000 }).toBeGreaterThan(0);
  await expect.poll(async () => Number(await page.locator('#accepted').textContent()), { timeout: 30_000 }).toBeGreaterThan(0);

  await page.getByRole('button', { name: 'Stop' }).click();
  await expect(page.locator('#mining-indicator')).toBeHidden();
});
