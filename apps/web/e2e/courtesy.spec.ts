/**
 * Courtesy and one mining tab, through the page as a person uses it: a real edge (simnet) and
 * real Chromium. `#throttle` names why mining slowed down ("paused: tab hidden", "throttled to
 * 50 %: on battery (43 %)"); a paused miner hashes nothing, so its 10 s hashrate falls to 0.
 *
 * How each condition is made real here:
 *   - one tab at a time: two tabs of one browser context share the real Web Lock;
 *   - hidden tab: Playwright keeps every page it drives "visible" (its focus emulation,
 *     Emulation.setFocusEmulationEnabled, holds the page as if captured), so bringToFront(), window
 *     minimising and Page.setWebLifecycleState change nothing in its pages. Chromium itself does it
 *     right: this file starts its own headless Chromium with a loopback DevTools port and attaches
 *     with connectOverCDP({ noDefaults: true }), which leaves focus emulation off in the default
 *     context. Opening a new tab there makes the miner's tab a background tab
 *     (visibilityState 'hidden', with Chromium's background timer throttling), and bringToFront()
 *     makes it visible again: the same tab switch a person does.
 *   - battery: nothing can unplug this machine, so an init script puts a BatteryManager-like
 *     EventTarget behind navigator.getBattery() and the test flips it;
 *   - CPU pressure: Chromium's own virtual pressure source (Emulation.setPressureSourceOverrideEnabled,
 *     then setPressureStateOverride, on a DevTools session kept open: the override ends with it)
 *     drives the real PressureObserver. Every other test pins it to 'nominal', so the real load of
 *     this shared machine (it reads 'critical' while tests run) does not throttle tests about
 *     something else. Chromium reports pressure only to the tab in front. The page marks its
 *     pressure probes (the miner resting to read pressure without its own load) on
 *     body[data-pressure-probe]: the test makes "the miner's own load" by switching the virtual
 *     source to 'critical' whenever the miner mines and to 'nominal' whenever it rests, and
 *     "other work" by leaving it 'critical' through the rest.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { chromium, expect, test, type Browser, type BrowserContext, type CDPSession, type Page } from '@playwright/test';
import { BATTERY_THROTTLE, BUSY_REASON, CRITICAL_PRESSURE_THROTTLE, HIDDEN_THROTTLE } from '../src/courtesy.ts';
import { PRESSURE_PROBE_DELAY_MS, PRESSURE_PROBE_MIN_GAP_MS, PRESSURE_PROBE_REST_MS } from '../src/pressure-probe.ts';
import { edgeForFile, MINER_ADDRESS, acceptedShares, shownRate, stratumConnections } from './edge-fixture.ts';

const ADDRESS = MINER_ADDRESS;
const CHROMIUM = process.env.OTEDAMA_CHROMIUM ?? '/usr/bin/chromium';
/** The miner's hashrate window (miner.ts): a pause shows as 0 H/s once this much has passed. */
const HASHRATE_WINDOW_MS = 10_000;

const edge = edgeForFile();

const accepted = acceptedShares;

/** The total hashrate the dashboard shows, in H/s. */
const hashrate = (page: Page) => shownRate(page, '#hashrate');

/** One DevTools session per page: the pressure override lives as long as the session that set it. */
const pressureSessions = new WeakMap<Page, CDPSession>();

/**
 * Puts the page's CPU pressure on Chromium's virtual source at `state`. Call it first before Start:
 * the page's PressureObserver binds to the virtual source only if it exists when observe() runs.
 */
async function pressure(page: Page, state: 'nominal' | 'fair' | 'serious' | 'critical'): Promise<void> {
  let cdp = pressureSessions.get(page);
  if (!cdp) {
    cdp = await page.context().newCDPSession(page);
    await cdp.send('Emulation.setPressureSourceOverrideEnabled', { enabled: true, source: 'cpu' });
    pressureSessions.set(page, cdp);
  }
  await cdp.send('Emulation.setPressureStateOverride', { source: 'cpu', state });
}

async function fillSetup(page: Page, options: { whenHidden?: 'pause' | 'throttle' | 'run' } = {}): Promise<void> {
  await page.fill('#address', ADDRESS);
  await page.fill('#threads', '1');
  if (options.whenHidden) {
    const details = page.locator('details:has(#when-hidden)');
    if (!(await details.evaluate((d) => (d as HTMLDetailsElement).open))) await details.locator('summary').click();
    await page.selectOption('#when-hidden', options.whenHidden);
  }
}

async function startMining(page: Page, options: { whenHidden?: 'pause' | 'throttle' | 'run' } = {}): Promise<void> {
  await fillSetup(page, options);
  await page.getByRole('button', { name: 'Start' }).click();
  await expect(page.locator('#mining-indicator')).toBeVisible();
  await expect(page.locator('#setup-error')).toHaveText('');
}

/** No hash for a whole hashrate window, and no share accepted over a few seconds more. */
async function expectParked(page: Page): Promise<number> {
  await expect.poll(() => hashrate(page), { timeout: HASHRATE_WINDOW_MS + 30_000 }).toBe(0);
  const parked = await accepted(page);
  // A negative needs a span of time: nothing may be accepted while parked.
  await page.waitForTimeout(4_000);
  expect(await accepted(page)).toBe(parked);
  expect(await hashrate(page)).toBe(0);
  return parked;
}

/** A headless Chromium of our own, attached without Playwright's focus emulation (see the header). */
async function chromiumWithRealTabs(): Promise<{ browser: Browser; close(): Promise<void> }> {
  const profile = mkdtempSync(join(tmpdir(), 'otedama-e2e-chromium-'));
  // Its own process group, so that close() can end the renderers and helpers it started as well.
  const child: ChildProcess = spawn(
    CHROMIUM,
    ['--headless=new', '--no-sandbox', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync',
      '--remote-debugging-address=127.0.0.1', '--remote-debugging-port=0', `--user-data-dir=${profile}`, 'about:blank'],
    { stdio: ['ignore', 'ignore', 'pipe'], detached: true },
  );
  const endGroup = (): void => {
    try {
      process.kill(-child.pid!, 'SIGKILL');
    } catch {
      // the group is gone already
    }
  };
  let err = '';
  const endpoint = new Promise<string>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`Chromium printed no DevTools endpoint within 30 s:\n${err}`)), 30_000);
    child.stderr!.on('data', (d) => {
      err += d;
      const m = /DevTools listening on (ws:\/\/127\.0\.0\.1:\d+\/\S+)/.exec(err);
      if (m) {
        clearTimeout(timer);
        resolve(m[1]!);
      }
    });
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`Chromium exited with ${code}:\n${err}`));
    });
  });
  let browser: Browser;
  try {
    browser = await chromium.connectOverCDP(await endpoint, { noDefaults: true });
  } catch (e) {
    endGroup();
    rmSync(profile, { recursive: true, force: true, maxRetries: 10, retryDelay: 200 });
    throw e;
  }
  return {
    browser,
    async close() {
      await browser.close().catch(() => {});
      if (child.exitCode === null && child.signalCode === null) {
        const exited = new Promise((r) => child.once('exit', r));
        child.kill('SIGTERM');
        await exited;
      }
      // Helpers of this Chromium (its process group) may outlive the browser process for a moment.
      endGroup();
      rmSync(profile, { recursive: true, force: true, maxRetries: 10, retryDelay: 200 });
    },
  };
}

const visibility = (page: Page) => page.evaluate(() => document.visibilityState);

test('only one tab mines at a time; when the first stops, the second mines', async ({ context }) => {
  test.setTimeout(300_000);
  const first = await context.newPage();
  const second = await context.newPage();
  const secondSockets: string[] = [];
  second.on('websocket', (ws) => secondSockets.push(ws.url()));
  for (const page of [first, second]) {
    await page.goto(edge.url);
    await pressure(page, 'nominal');
  }

  await startMining(first);
  await expect.poll(() => accepted(first), { timeout: 60_000 }).toBeGreaterThan(0);

  await fillSetup(second);
  await second.getByRole('button', { name: 'Start' }).click();
  await expect(second.locator('#setup-error')).toContainText(/another tab/i);
  await expect(second.locator('#mining-indicator')).toBeHidden();
  expect(second.workers()).toHaveLength(0);
  expect(secondSockets).toEqual([]);
  expect(await stratumConnections(edge)).toBe(1);

  await first.getByRole('button', { name: 'Stop', exact: true }).click();
  await expect(first.locator('#mining-indicator')).toBeHidden();
  // The second tab mines now: on its own (it waited for the lock) or when the person presses Start
  // again; either way only after the first let go.
  await expect
    .poll(
      async () => {
        if (await second.locator('#mining-indicator').isVisible()) return true;
        const start = second.getByRole('button', { name: 'Start' });
        if ((await start.isVisible()) && (await start.isEnabled())) await start.click();
        return second.locator('#mining-indicator').isVisible();
      },
      { timeout: 30_000 },
    )
    .toBe(true);
  await expect.poll(() => accepted(second), { timeout: 60_000 }).toBeGreaterThan(0);
  expect(await stratumConnections(edge)).toBe(1);

  // And now the first tab is the one refused.
  await first.getByRole('button', { name: 'Start' }).click();
  await expect(first.locator('#setup-error')).toContainText(/another tab/i);
  await expect(first.locator('#mining-indicator')).toBeHidden();

  await second.getByRole('button', { name: 'Stop', exact: true }).click();
  await expect(second.locator('#mining-indicator')).toBeHidden();
});

/**
 * Mining in a tab of a Chromium that really backgrounds tabs (chromiumWithRealTabs), with the
 * given hidden-tab preference, pressure pinned to nominal; `check` runs once shares flow.
 */
async function miningInRealTab(whenHidden: 'pause' | 'throttle', check: (page: Page, context: BrowserContext) => Promise<void>): Promise<void> {
  const chrome = await chromiumWithRealTabs();
  try {
    const context = chrome.browser.contexts()[0]!;
    const page = context.pages()[0] ?? (await context.newPage());
    await page.goto(edge.url);
    await pressure(page, 'nominal');
    await startMining(page, { whenHidden });
    await expect.poll(() => accepted(page), { timeout: 60_000 }).toBeGreaterThan(0);
    await check(page, context);
    await page.getByRole('button', { name: 'Stop', exact: true }).click();
    await expect(page.locator('#mining-indicator')).toBeHidden();
  } finally {
    await chrome.close();
  }
}

test('a hidden tab pauses when the person chose "pause", and mining resumes when it is in front again', async () => {
  test.setTimeout(300_000);
  await miningInRealTab('pause', async (page, context) => {
    await expect(page.locator('#throttle')).toHaveText('');

    // Another tab comes to the front: the miner's tab is a background tab now.
    const other = await context.newPage();
    await expect.poll(() => visibility(page)).toBe('hidden');
    await expect(page.locator('#throttle')).toHaveText('paused: tab hidden');
    const parked = await expectParked(page);

    await page.bringToFront();
    await expect.poll(() => visibility(page)).toBe('visible');
    await expect(page.locator('#throttle')).toHaveText('');
    await expect.poll(() => accepted(page), { timeout: 60_000 }).toBeGreaterThan(parked);
    await expect.poll(() => hashrate(page)).toBeGreaterThan(0);
    await other.close();
  });
});

test('by default a hidden tab keeps mining, throttled', async () => {
  test.setTimeout(300_000);
  await miningInRealTab('throttle', async (page, context) => {
    // A whole window of visible mining is the baseline.
    await page.waitForTimeout(HASHRATE_WINDOW_MS);
    const visibleRate = await hashrate(page);
    expect(visibleRate).toBeGreaterThan(0);

    const other = await context.newPage();
    await expect.poll(() => visibility(page)).toBe('hidden');
    await expect(page.locator('#throttle')).toHaveText(`throttled to ${Math.round(HIDDEN_THROTTLE * 100)} %: tab hidden`);
    // Once the hashrate window holds only hidden time, the rate is about a quarter of the visible
    // one: between an eighth and a half, allowing for this shared machine's noise. (The rests run
    // on the workers' timers; on the page's, Chromium's background throttling made it ~6 %.)
    await page.waitForTimeout(HASHRATE_WINDOW_MS + 2_000);
    let hiddenRate = NaN;
    await expect
      .poll(
        async () => {
          hiddenRate = await hashrate(page);
          return hiddenRate > visibleRate * 0.125 && hiddenRate < visibleRate * 0.5;
        },
        { timeout: 40_000 },
      )
      .toBe(true);
    test.info().annotations.push({ type: 'hashrate', description: `visible ${visibleRate} H/s, hidden at 25 % ${hiddenRate} H/s` });
    console.log(`hidden tab at ${Math.round(HIDDEN_THROTTLE * 100)} %: ${(hiddenRate / 1e6).toFixed(2)} MH/s of ${(visibleRate / 1e6).toFixed(2)} MH/s visible (${((hiddenRate / visibleRate) * 100).toFixed(0)} %)`);

    await page.bringToFront();
    await expect(page.locator('#throttle')).toHaveText('');
    await other.close();
  });
});

test('on battery it mines at half, pauses below 20 %, and resumes once charging', async ({ page }) => {
  test.setTimeout(300_000);
  await page.addInitScript(() => {
    /** BatteryManager's shape: charging, level, chargingTime, dischargingTime, and its events. */
    class TestBattery extends EventTarget {
      charging = true;
      level = 1;
      chargingTime = 0;
      dischargingTime = Infinity;
    }
    const battery = new TestBattery();
    Object.defineProperty(Navigator.prototype, 'getBattery', { configurable: true, value: () => Promise.resolve(battery) });
    (window as unknown as { testBattery: (charging: boolean, level: number) => void }).testBattery = (charging, level) => {
      const chargingChanged = battery.charging !== charging;
      battery.charging = charging;
      battery.level = level;
      battery.dispatchEvent(new Event('levelchange'));
      if (chargingChanged) battery.dispatchEvent(new Event('chargingchange'));
    };
  });
  const setBattery = (charging: boolean, level: number) =>
    page.evaluate(([c, l]) => (window as unknown as { testBattery: (c: boolean, l: number) => void }).testBattery(c, l), [charging, level] as const);
  await page.goto(edge.url);
  await pressure(page, 'nominal');
  await startMining(page);
  await expect.poll(() => accepted(page), { timeout: 60_000 }).toBeGreaterThan(0);
  await expect(page.locator('#throttle')).toHaveText('');

  await setBattery(false, 0.43);
  await expect(page.locator('#throttle')).toHaveText(`throttled to ${Math.round(BATTERY_THROTTLE * 100)} %: on battery (43 %)`);

  await setBattery(false, 0.1);
  await expect(page.locator('#throttle')).toHaveText('paused: on battery (10 %)');
  const parked = await expectParked(page);

  await setBattery(true, 0.1);
  await expect(page.locator('#throttle')).toHaveText('');
  await expect.poll(() => accepted(page), { timeout: 60_000 }).toBeGreaterThan(parked);
  await page.getByRole('button', { name: 'Stop', exact: true }).click();
  await expect(page.locator('#mining-indicator')).toBeHidden();
});

/**
 * The miner's own load as a 2-core machine shows it: 'critical' whenever the miner mines,
 * 'nominal' as soon as it rests for a probe. Returns a function that ends the imitation.
 */
function imitateOwnLoad(page: Page): () => Promise<void> {
  let on = true;
  const loop = (async () => {
    let last: string | undefined;
    while (on) {
      const resting = await page.evaluate(() => document.body.dataset.pressureProbe === 'resting').catch(() => false);
      const want = resting ? 'nominal' : 'critical';
      if (want !== last) {
        await pressure(page, want);
        last = want;
      }
      await page.waitForTimeout(100);
    }
  })();
  return async () => {
    on = false;
    await loop;
  };
}

test("CPU pressure throttles only when it is not the miner's own: outside pressure during a probe does, the miner's own load does not", async ({ page }) => {
  test.setTimeout(300_000);
  const busy = `throttled to ${Math.round(CRITICAL_PRESSURE_THROTTLE * 100)} %: ${BUSY_REASON} (CPU pressure: critical)`;
  await page.goto(edge.url);
  // Chromium 125 and later has the Compute Pressure API; the last test here covers a browser without it.
  expect(await page.evaluate(() => typeof (globalThis as { PressureObserver?: unknown }).PressureObserver)).toBe('function');
  await pressure(page, 'nominal');
  await startMining(page);
  await expect.poll(() => accepted(page), { timeout: 60_000 }).toBeGreaterThan(0);
  await expect(page.locator('#throttle')).toHaveText('');
  await expect(page.locator('#events')).toContainText('watching CPU pressure');

  // Other work: critical, and it stays critical while the miner rests for the probe.
  await pressure(page, 'critical');
  await expect(page.locator('body')).toHaveAttribute('data-pressure-probe', 'resting', { timeout: PRESSURE_PROBE_DELAY_MS + 30_000 });
  await expect(page.locator('#throttle')).toHaveText(busy, { timeout: PRESSURE_PROBE_REST_MS + 30_000 });
  await expect(page.locator('#events')).toContainText('CPU pressure stays critical while the miner rests: the device is busy with other work');
  // Throttled, not paused: shares keep coming.
  const underPressure = await accepted(page);
  await expect.poll(() => accepted(page), { timeout: 90_000 }).toBeGreaterThan(underPressure);

  // The other work ends: a nominal reading with the miner running is believed at once.
  await pressure(page, 'nominal');
  await expect(page.locator('#throttle')).toHaveText('');

  // The miner's own load: critical while it mines, nominal while it rests. It never throttles.
  await page.evaluate(() => {
    const w = window as unknown as { throttleTexts: string[] };
    w.throttleTexts = [];
    const el = document.getElementById('throttle')!;
    new MutationObserver(() => {
      if (el.textContent) w.throttleTexts.push(el.textContent);
    }).observe(el, { childList: true, characterData: true, subtree: true });
  });
  const stopImitating = imitateOwnLoad(page);
  try {
    await expect(page.locator('#events')).toContainText("was the miner's own load: nominal while it rests, so no throttle", {
      timeout: PRESSURE_PROBE_MIN_GAP_MS + PRESSURE_PROBE_DELAY_MS + PRESSURE_PROBE_REST_MS + 30_000,
    });
    // Some more mining under its own 'critical': still nothing.
    const before = await accepted(page);
    await expect.poll(() => accepted(page), { timeout: 60_000 }).toBeGreaterThan(before);
  } finally {
    await stopImitating();
  }
  expect(await page.evaluate(() => (window as unknown as { throttleTexts: string[] }).throttleTexts)).toEqual([]);
  await expect(page.locator('#throttle')).toHaveText('');
  await expect(page.locator('#events li.error')).toHaveCount(0);
  await page.getByRole('button', { name: 'Stop', exact: true }).click();
  await expect(page.locator('#mining-indicator')).toBeHidden();
});

test('a browser without Web Locks, Battery Status and Compute Pressure mines all the same', async ({ page }) => {
  await page.addInitScript(() => {
    delete (globalThis as { PressureObserver?: unknown }).PressureObserver;
    delete (Navigator.prototype as { getBattery?: unknown }).getBattery;
    delete (Navigator.prototype as { locks?: unknown }).locks;
  });
  const pageErrors: string[] = [];
  page.on('pageerror', (e) => pageErrors.push(e.message));
  await page.goto(edge.url);
  expect(await page.evaluate(() => [typeof (globalThis as { PressureObserver?: unknown }).PressureObserver, 'getBattery' in navigator, 'locks' in navigator])).toEqual([
    'undefined',
    false,
    false,
  ]);
  await startMining(page);
  await expect.poll(() => accepted(page), { timeout: 60_000 }).toBeGreaterThan(0);
  await expect(page.locator('#throttle')).toHaveText('');
  await expect(page.locator('#events li.error')).toHaveCount(0);
  expect(pageErrors).toEqual([]);
  await page.getByRole('button', { name: 'Stop', exact: true }).click();
  await expect(page.locator('#mining-indicator')).toBeHidden();
});
