/**
 * The page mines KawPow: a real `otedama pool` on a Ravencoin simnet (chain.coin: ravencoin, as
 * edge/test/pool-kawpow.test.ts configures it) serves the page; its setup offers KawPow because
 * the pool's /api/pool/stats names it; after Start the page speaks KawPow's Stratum dialect over
 * /ws/stratum, builds epoch 0's light cache in a worker with the progress line on the dashboard,
 * hashes by light evaluation on one CPU worker (the real epoch: the edge verifies by light
 * evaluation too, so no reduced dataset is involved) and gets shares accepted.
 *
 *   OTEDAMA_HARNESS_PORT=<port> npx playwright test --project=web apps/web/e2e/kawpow-miner.spec.ts
 *
 * Needs the built web app (`npm run build`) and wasm/build/kawpow*.wasm.
 */
import { expect, test } from '@playwright/test';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ravencoinPoolConfig } from '../../../edge/test/ravencoin-pool-config.ts';
import { acceptedShares, startEdge, type RunningEdge } from './edge-fixture.ts';

/** A Ravencoin regtest P2PKH address (Ravencoin src/test/data/base58_keys_valid.json, a testnet key). */
const RVN_ADDRESS = 'mo9ncXisMeAoXwqcV5EWuyncbmCcQN4rVs';
/** Shares: about one light hash in 32 (KawPow pool difficulty 2^-27), a few a second on one worker. */
const SHARE_DIFFICULTY = 2 ** -27;
/** Blocks: rare enough not to matter here (this test is about shares). */
const BLOCK_DIFFICULTY = 2 ** -16;
/** Epoch 0's light cache (16 MiB) built in WASM in the page and in the edge, on a busy 2-core machine. */
const TEST_TIMEOUT_MS = 300_000;

let edge: RunningEdge;
let configDir: string;

test.beforeAll(async () => {
  configDir = mkdtempSync(join(tmpdir(), 'otedama-e2e-rvn-'));
  const config = join(configDir, 'otedama.yaml');
  writeFileSync(config, ravencoinPoolConfig({ blockDifficulty: BLOCK_DIFFICULTY, shareDifficulty: SHARE_DIFFICULTY }));
  edge = await startEdge(['--config', config]);
});

test.afterEach(async ({ page }, info) => {
  // What the page said, for a failure's report.
  if (info.status !== info.expectedStatus) console.log(`page events:\n${await page.locator('#events').innerText().catch(() => '')}\nedge:\n${edge.output().slice(-4000)}`);
});

test.afterAll(async () => {
  await edge?.stop();
  rmSync(configDir, { recursive: true, force: true });
});

test('the page offers KawPow on a Ravencoin pool, builds the light cache with progress and gets KawPow shares accepted', async ({ page }) => {
  test.setTimeout(TEST_TIMEOUT_MS);
  const sockets: string[] = [];
  page.on('websocket', (ws) => sockets.push(ws.url()));
  await page.goto(edge.url);
  // The pool names its algorithm: the setup offers KawPow and nothing the pool does not mine.
  await expect(page.locator('#algorithm option')).toHaveText(['KawPow (Ravencoin)']);
  await expect(page.locator('#algorithm')).toHaveValue('kawpow');
  await expect(page.locator('#consent-title')).toHaveText('Mine KawPow with this device');
  expect(sockets).toEqual([]);

  // Every text the build line shows, from inside the page (a build may be over between two polls).
  await page.evaluate(() => {
    const seen: string[] = [];
    (window as unknown as { __builds: string[] }).__builds = seen;
    const el = document.getElementById('builds')!;
    new MutationObserver(() => {
      if (!el.hidden && el.textContent) seen.push(el.textContent);
    }).observe(el, { childList: true, characterData: true, subtree: true, attributes: true });
  });

  await page.fill('#address', RVN_ADDRESS);
  await page.fill('#threads', '1');
  await page.getByRole('button', { name: 'Start' }).click();
  await expect(page.locator('#mining-indicator')).toBeVisible();
  await expect(page.locator('#events')).toContainText(/job \S+ .*at height \d+ \(epoch 0\)/, { timeout: 60_000 });

  await expect.poll(() => acceptedShares(page), { timeout: TEST_TIMEOUT_MS - 60_000, intervals: [1000] }).toBeGreaterThanOrEqual(2);
  await expect(page.locator('#rejected')).toHaveText('0');
  await expect(page.locator('#events')).toContainText(/CPU worker 1 ready for epoch 0 \(light cache built\)/);
  const builds = await page.evaluate(() => (window as unknown as { __builds: string[] }).__builds);
  expect(builds.some((b) => /^Building the light cache of epoch 0: \d+(\.\d)? %/.test(b)), builds.join('\n')).toBe(true);
  await expect(page.locator('#builds')).toBeHidden();
  // Its job feed is the edge's Stratum-over-WebSocket bridge.
  expect(sockets.some((u) => u.endsWith('/ws/stratum'))).toBe(true);

  // The edge credited the address with them (its books, over its API).
  await expect
    .poll(async () => ((await (await fetch(new URL(`/api/miners/${RVN_ADDRESS}`, edge.url))).json()) as { shares?: number }).shares ?? 0, { timeout: 30_000 })
    .toBeGreaterThanOrEqual(1);

  await page.getByRole('button', { name: 'Stop' }).click();
  await expect(page.locator('#mining-indicator')).toBeHidden();
});
