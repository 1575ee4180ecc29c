import { expect, test } from '@playwright/test';
import { edgeForFile, MINER_ADDRESS } from './edge-fixture.ts';

const ADDRESS = MINER_ADDRESS;

const edge = edgeForFile();

test('the GPU alone (WebGPU on the software adapter, 0 CPU threads) gets accepted shares', async ({ page }) => {
  await page.goto(edge.url);
  const gpu = page.getByLabel('GPU (WebGPU)');
  await expect(gpu).toBeEnabled();
  await expect(gpu).not.toBeChecked();
  await expect(page.locator('#gpu-adapter')).not.toHaveText(/looking|unavailable/);
  const adapter = await page.locator('#gpu-adapter').textContent();

  await page.fill('#address', ADDRESS);
  await page.fill('#threads', '0');
  await gpu.check();
  await page.getByRole('button', { name: 'Start' }).click();
  await expect(page.locator('#mining-indicator')).toBeVisible();
  await expect(page.locator('#events')).toContainText('started GPU worker');
  await expect(page.locator('#events')).not.toContainText('CPU worker');
  await expect.poll(async () => Number(await page.locator('#accepted').textContent()), { timeout: 60_000 }).toBeGreaterThan(0);
  await expect(page.locator('#rejected')).toHaveText('0');
  await expect(page.locator('#gpu-hashrate')).toHaveText(/[1-9][\d.]* [kMG]?H\/s/);
  await expect(page.locator('#cpu-hashrate')).toHaveText('0 H/s');
  const gpuRate = await page.locator('#gpu-hashrate').textContent();
  test.info().annotations.push({ type: 'gpu', description: `${adapter}: ${gpuRate}` });
  console.log(`GPU ${adapter}: ${gpuRate}`);
  await page.screenshot({ path: 'test-results/web-dashboard-gpu.png', fullPage: true });

  await page.getByRole('button', { name: 'Stop' }).click();
  await expect(page.locator('#mining-indicator')).toBeHidden();
});
