import { expect, test } from '@playwright/test';
import { startEdge, type RunningEdge } from './edge-fixture.ts';

let edge: RunningEdge;

test.beforeAll(async () => {
  edge = await startEdge();
});

test.afterAll(async () => {
  await edge?.stop();
});

test('the manifest names the app, its icons and standalone display', async ({ page, request }) => {
  await page.goto(edge.url);
  const href = await page.locator('link[rel="manifest"]').getAttribute('href');
  const manifest = await (await request.get(new URL(href!, edge.url).href)).json();
  expect(manifest).toMatchObject({ name: expect.any(String), short_name: 'Otedama', start_url: '/', display: 'standalone', theme_color: expect.any(String) });
  const sizes = (manifest.icons as { sizes: string; type: string; src: string }[]).filter((i) => i.type === 'image/png').map((i) => i.sizes);
  expect(sizes).toEqual(expect.arrayContaining(['192x192', '512x512']));
  for (const icon of manifest.icons as { src: string }[]) {
    const res = await request.get(new URL(icon.src, edge.url).href);
    expect(res.ok()).toBe(true);
    expect((await res.body()).subarray(1, 4).toString('latin1')).toBe('PNG');
  }
});

test('once the service worker controls the page, an offline reload still shows the consent screen', async ({ page, context }) => {
  await page.goto(edge.url);
  await expect(page.getByRole('button', { name: 'Start' })).toBeVisible();
  await expect.poll(() => page.evaluate(() => navigator.serviceWorker.controller !== null), { timeout: 15_000 }).toBe(true);

  await context.setOffline(true);
  try {
    await page.reload();
    await expect(page.getByRole('heading', { name: /Mine SHA-256d/ })).toBeVisible();
    await expect(page.getByRole('button', { name: 'Start' })).toBeVisible();
    // The shell's script ran (the threads field is filled in from the core count).
    await expect(page.locator('#threads')).not.toHaveValue('');
    await expect(page.locator('#mining-indicator')).toBeHidden();
  } finally {
    await context.setOffline(false);
  }
});
