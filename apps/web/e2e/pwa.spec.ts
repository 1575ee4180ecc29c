/**
 * The installable app against a real edge: manifest and Chromium's installability check, the
 * offline shell, and updates — a new version waits while the miner runs, shows "Update ready",
 * takes over when the person applies it, and the reloaded page mines again on the new version.
 * Update tests serve their own copy of the build (`--web-root`) so they can change it.
 */
import { cpSync, mkdtempSync, readFileSync, readdirSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium, expect, test, type BrowserContext, type Page } from '@playwright/test';
import { MINER_ADDRESS, acceptedShares, startEdge, type RunningEdge } from './edge-fixture.ts';

const WEB_ROOT = process.env.OTEDAMA_E2E_WEB_ROOT ?? fileURLToPath(new URL('../../../dist/web/', import.meta.url));
const ADDRESS = MINER_ADDRESS;
/** A path only the changed service worker answers (with its version); the old one passes it to the edge. */
const VERSION_PATH = '/__e2e-sw-version';

/** A copy of the build the test may change, served by its own edge. */
async function edgeWithOwnBuild(): Promise<{ edge: RunningEdge; root: string; dispose(): Promise<void> }> {
  const root = mkdtempSync(join(tmpdir(), 'otedama-web-copy-'));
  cpSync(WEB_ROOT, root, { recursive: true });
  const edge = await startEdge(['--web-root', root]);
  return {
    edge,
    root,
    async dispose() {
      await edge.stop();
      rmSync(root, { recursive: true, force: true });
    },
  };
}

/** A new version of sw.js: the same worker plus an answer on VERSION_PATH. */
function changeServiceWorker(root: string, version: string): void {
  const file = join(root, 'sw.js');
  writeFileSync(
    file,
    `${readFileSync(file, 'utf8')}
// e2e: version ${version}
self.addEventListener('fetch', (event) => {
  if (new URL(event.request.url).pathname === '${VERSION_PATH}') event.respondWith(new Response('${version}'));
});
`,
  );
}

/**
 * What the controlling service worker answers on VERSION_PATH ('old', 'v2', 'uncontrolled'), or
 * null when the page could not say within 10 s: an evaluate made while the page reloads waits for
 * the new document, and a reload that never completes (the new worker not yet active) would
 * otherwise hold the whole 90 s poll on one evaluate. Each poll asks again.
 */
function controllerVersion(page: Page): Promise<string | null> {
  const ask = page
    .evaluate(async (path) => {
      if (!navigator.serviceWorker.controller) return 'uncontrolled';
      const text = await (await fetch(path, { signal: AbortSignal.timeout(5_000) })).text();
      return text.startsWith('<') ? 'old' : text;
    }, VERSION_PATH)
    .catch(() => null);
  let timer: ReturnType<typeof setTimeout> | undefined;
  const late = new Promise<null>((resolve) => (timer = setTimeout(() => resolve(null), 10_000)));
  return Promise.race([ask, late]).finally(() => clearTimeout(timer));
}

/**
 * Saves chrome://serviceworker-internals (each worker version's installation and running status,
 * its clients) in the test's output folder and attaches it to its report. Only after a failure:
 * watching the workers (DevTools' ServiceWorker domain, this page opened while the swap runs) has
 * so far kept the flake away.
 */
async function attachWorkerInternals(context: BrowserContext): Promise<void> {
  const internals = await context.newPage();
  const file = test.info().outputPath('serviceworker-internals.txt');
  try {
    await internals.goto('chrome://serviceworker-internals/');
    await expect(internals.locator('body')).toContainText('Installation Status', { timeout: 5_000 });
    writeFileSync(file, await internals.locator('body').innerText());
  } catch (err) {
    writeFileSync(file, `not readable: ${(err as Error).message}`);
  } finally {
    await internals.close();
  }
  await test.info().attach('serviceworker-internals', { path: file, contentType: 'text/plain' });
}

async function controlled(page: Page): Promise<void> {
  await expect.poll(() => page.evaluate(() => navigator.serviceWorker.controller !== null).catch(() => false), { timeout: 30_000 }).toBe(true);
}

const accepted = acceptedShares;

test.describe('manifest and offline shell', () => {
  let edge: RunningEdge;
  test.beforeAll(async () => {
    edge = await startEdge();
  });
  test.afterAll(async () => {
    await edge?.stop();
  });

  test('the manifest names the app, its scope, description and icons (a maskable one too)', async ({ page, request }) => {
    await page.goto(edge.url);
    const href = await page.locator('link[rel="manifest"]').getAttribute('href');
    const manifest = await (await request.get(new URL(href!, edge.url).href)).json();
    expect(manifest).toMatchObject({
      id: '/',
      name: expect.any(String),
      short_name: 'Otedama',
      description: expect.stringMatching(/\S{3,}/),
      start_url: '/',
      scope: '/',
      display: 'standalone',
      theme_color: expect.any(String),
      background_color: expect.any(String),
    });
    const icons = manifest.icons as { sizes: string; type: string; src: string; purpose: string }[];
    const any = icons.filter((i) => i.type === 'image/png' && i.purpose.split(' ').includes('any')).map((i) => i.sizes);
    expect(any).toEqual(expect.arrayContaining(['192x192', '512x512']));
    expect(icons.filter((i) => i.purpose.split(' ').includes('maskable')).map((i) => i.sizes)).toContain('512x512');
    for (const icon of icons) {
      const res = await request.get(new URL(icon.src, edge.url).href);
      expect(res.ok()).toBe(true);
      const png = await res.body();
      expect(png.subarray(1, 4).toString('latin1')).toBe('PNG');
      // IHDR width and height match the declared size.
      expect(`${png.readUInt32BE(16)}x${png.readUInt32BE(20)}`).toBe(icon.sizes);
    }
  });

  test('Chromium finds the app installable once the service worker controls the page', async ({}, testInfo) => {
    // Playwright's own contexts are incognito, where Chromium never offers to install
    // ("in-incognito"): this test runs in a profile on disk, with the project's browser options.
    const profile = mkdtempSync(join(tmpdir(), 'otedama-profile-'));
    const context = await chromium.launchPersistentContext(profile, { ...testInfo.project.use.launchOptions });
    try {
      const page = context.pages()[0] ?? (await context.newPage());
      await page.goto(edge.url);
      await controlled(page);
      const cdp = await context.newCDPSession(page);
      const { url, errors } = await cdp.send('Page.getAppManifest');
      expect(url).toBe(new URL('/manifest.webmanifest', edge.url).href);
      expect(errors).toEqual([]);
      const { installabilityErrors } = await cdp.send('Page.getInstallabilityErrors');
      expect(installabilityErrors).toEqual([]);
    } finally {
      await context.close();
      rmSync(profile, { recursive: true, force: true });
    }
  });

  test('once the service worker controls the page, an offline reload still shows the consent screen', async ({ page, context }) => {
    await page.goto(edge.url);
    await expect(page.getByRole('button', { name: 'Start' })).toBeVisible();
    await controlled(page);

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
});

test.describe('updates', () => {
  test('a new version waits while the miner runs, takes over when applied, and mining resumes on it', async ({ page, context }) => {
    test.setTimeout(300_000);
    const site = await edgeWithOwnBuild();
    try {
      await page.goto(site.edge.url);
      await controlled(page);
      const firstWorker = await page.evaluate(() => navigator.serviceWorker.controller!.scriptURL);
      expect(firstWorker).toMatch(/\/sw\.js\?build=[0-9a-f]{8}$/);

      await page.locator('#address').fill(ADDRESS);
      await page.locator('#threads').fill('1');
      await page.locator('#gpu').uncheck({ force: true });
      await page.getByRole('button', { name: 'Start' }).click();
      await expect.poll(() => accepted(page), { timeout: 90_000 }).toBeGreaterThan(0);

      // Deploy a new sw.js and ask the browser to look for it, without reloading the page.
      changeServiceWorker(site.root, 'v2');
      await page.evaluate(() => navigator.serviceWorker.getRegistration().then((r) => r!.update()));
      const banner = page.locator('#update-banner');
      await expect(banner).toBeVisible({ timeout: 60_000 });
      await expect(banner).toHaveAttribute('role', 'status');
      await expect(banner).toContainText('Update ready');
      await expect(page.getByRole('button', { name: 'Update now' })).toBeEnabled();

      // The new version waits: the miner keeps finding shares under the old worker.
      const before = await accepted(page);
      await expect.poll(() => accepted(page), { timeout: 90_000 }).toBeGreaterThan(before);
      expect(await controllerVersion(page)).toBe('old');
      expect(await page.evaluate(() => navigator.serviceWorker.getRegistration().then((r) => r!.waiting !== null))).toBe(true);
      await expect(page.locator('#mining-indicator')).toBeVisible();

      // Apply: at the next job boundary the new worker takes over and the page reloads once.
      const appliedAt = Date.now();
      await page.getByRole('button', { name: 'Update now' }).click();
      try {
        await expect.poll(() => controllerVersion(page), { timeout: 90_000 }).toBe('v2');
      } catch (err) {
        // A swap that never happens (a rare flake: the old worker neither lets the new one
        // activate nor answers the page's reload) leaves the browser's own view of both workers.
        await attachWorkerInternals(context);
        throw err;
      }
      const swappedAt = Date.now();
      await expect(page.locator('#update-banner')).toBeHidden();
      // The reloaded page resumes mining by itself (the flag beforeReload stored) and finds shares;
      // the session's event log, saved before the reload, shows the switch.
      await expect(page.locator('#mining-indicator')).toBeVisible({ timeout: 30_000 });
      await expect(page.locator('#events')).toContainText('resuming mining');
      // Newest first: the switch came after a new job from the pool (the safe point), not mid-job.
      const log = await page.locator('#events li').allTextContents();
      const switched = log.findIndex((t) => t.includes('switching to the new version of Otedama'));
      const offered = log.findIndex((t) => t.includes('a new version of Otedama is ready'));
      expect(switched).toBeGreaterThan(-1);
      expect(log.slice(switched + 1, offered).some((t) => /\bjob \w+/.test(t))).toBe(true);
      const resumedFrom = await accepted(page);
      await expect.poll(() => accepted(page), { timeout: 90_000 }).toBeGreaterThan(resumedFrom);
      test.info().annotations.push({
        type: 'figure',
        description: `"Update now" to new worker in control: ${((swappedAt - appliedAt) / 1000).toFixed(1)} s (waits for the next job); to the next accepted share: ${((Date.now() - appliedAt) / 1000).toFixed(1)} s`,
      });

      // Offline, a reload still shows the app, from the new worker's cache.
      await page.getByRole('button', { name: 'Stop' }).first().click();
      await expect(page.locator('#mining-indicator')).toBeHidden();
      await context.setOffline(true);
      try {
        await page.reload();
        await expect(page.getByRole('button', { name: 'Start' })).toBeVisible();
        await expect(page.locator('#threads')).not.toHaveValue('');
        expect(await controllerVersion(page)).toBe('v2');
      } finally {
        await context.setOffline(false);
      }
    } finally {
      await site.dispose();
    }
  });

  test('a new build found by the periodic check replaces the cached shell when applied', async ({ page, context }) => {
    test.setTimeout(180_000);
    const site = await edgeWithOwnBuild();
    try {
      await page.clock.install();
      await page.goto(site.edge.url);
      await controlled(page);
      const oldWorker = await page.evaluate(() => navigator.serviceWorker.controller!.scriptURL);
      const oldCaches = await page.evaluate(() => caches.keys());
      expect(oldCaches).toEqual([`otedama-shell-${new URL(oldWorker).searchParams.get('build')}`]);

      // A new build: the entry script under a new hashed name, and a marker to recognise the page by.
      const entry = readdirSync(join(site.root, 'assets')).find((f) => /^index-.*\.js$/.test(f))!;
      const renamed = entry.replace(/\.js$/, 'x2.js');
      renameSync(join(site.root, 'assets', entry), join(site.root, 'assets', renamed));
      const index = join(site.root, 'index.html');
      writeFileSync(index, readFileSync(index, 'utf8').replace(`/assets/${entry}`, `/assets/${renamed}`).replace('<head>', '<head><meta name="e2e-build" content="2">'));

      // The page looks again every 30 minutes.
      await page.clock.fastForward('30:05');
      await expect(page.locator('#update-banner')).toBeVisible({ timeout: 60_000 });
      await expect(page.locator('#update-banner')).toContainText('Update ready');
      expect(await page.evaluate(() => navigator.serviceWorker.controller!.scriptURL)).toBe(oldWorker);
      // "Later" hides it; the update still waits.
      await page.getByRole('button', { name: /Later/ }).click();
      await expect(page.locator('#update-banner')).toBeHidden();

      // A page opened later offers it again; not mining, so applying swaps at once.
      await page.reload();
      await expect(page.locator('#update-banner')).toBeVisible({ timeout: 60_000 });
      expect(await page.evaluate(() => navigator.serviceWorker.controller!.scriptURL)).toBe(oldWorker);
      // Applying reloads the page once the new worker controls it: wait for that load.
      await Promise.all([page.waitForEvent('load', { timeout: 60_000 }), page.getByRole('button', { name: 'Update now' }).click()]);
      await expect.poll(() => page.evaluate(() => navigator.serviceWorker.controller?.scriptURL).catch(() => oldWorker), { timeout: 60_000 }).not.toBe(oldWorker);
      const newWorker = await page.evaluate(() => navigator.serviceWorker.controller!.scriptURL);
      await expect(page.locator('meta[name="e2e-build"]')).toHaveCount(1);
      // The old build's cache is gone; the new one holds the new entry script.
      expect(await page.evaluate(() => caches.keys())).toEqual([`otedama-shell-${new URL(newWorker).searchParams.get('build')}`]);
      expect(await page.evaluate((p) => caches.match(p).then((r) => r?.ok ?? false), `/assets/${renamed}`)).toBe(true);

      await context.setOffline(true);
      try {
        await page.reload();
        await expect(page.locator('meta[name="e2e-build"]')).toHaveCount(1);
        await expect(page.getByRole('button', { name: 'Start' })).toBeVisible();
      } finally {
        await context.setOffline(false);
      }
    } finally {
      await site.dispose();
    }
  });
});
