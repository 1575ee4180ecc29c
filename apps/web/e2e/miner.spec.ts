import { expect, test } from '@playwright/test';
import { constructionCounts, countConstructions, edgeForFile, MINER_ADDRESS } from './edge-fixture.ts';

const ADDRESS = MINER_ADDRESS;

const edge = edgeForFile();

test('nothing mines or connects before Start; after Start the WASM miner gets accepted shares', async ({ page }) => {
  // Count workers and sockets the page creates, from inside the page.
  await countConstructions(page);
  const wsRequests: string[] = [];
  page.on('websocket', (ws) => wsRequests.push(ws.url()));
  await page.goto(edge.url);
  await expect(page.getByRole('button', { name: 'Start' })).toBeVisible();
  await page.waitForTimeout(0);
  const before = await constructionCounts(page);
  expect(before).toEqual({ workers: 0, sockets: 0 });
  expect(wsRequests).toEqual([]);
  const health = await (await fetch(new URL('/health', edge.url))).json();
  expect(health.stratum?.connections ?? 0).toBe(0);

  await page.fill('#address', ADDRESS);
  await page.fill('#threads', '1');
  await page.getByRole('button', { name: 'Start' }).click();
  await expect(page.locator('#mining-indicator')).toBeVisible();
  await expect(page).toHaveTitle(/^● mining/);
  await expect.poll(async () => Number(await page.locator('#accepted').textContent()), { timeout: 60_000 }).toBeGreaterThan(0);
  await expect(page.locator('#rejected')).toHaveText('0');
  // A few chart samples (one every 2 s) and the pool's figures, then the screenshot for the record.
  await expect(page.locator('#chart path[data-series="total"]')).toHaveAttribute('d', /L.*L/, { timeout: 30_000 });
  await expect(page.locator('#pool-status')).toHaveText(/updated/);
  await page.screenshot({ path: 'test-results/web-dashboard-mining.png', fullPage: true });

  await page.getByRole('button', { name: 'Stop' }).click();
  await expect(page.locator('#mining-indicator')).toBeHidden();
  await expect(page).not.toHaveTitle(/mining —/);
});

test('a bad payout address is refused with a reason and nothing starts', async ({ page }) => {
  await page.goto(edge.url);
  await page.fill('#address', 'bc1qw508d6qejxtdg4y5r3zarvary0c5xw7kv8f3t4');
  await page.getByRole('button', { name: 'Start' }).click();
  await expect(page.locator('#setup-error')).toContainText(/regtest|network|mainnet/i);
  await expect(page.locator('#mining-indicator')).toBeHidden();
});
