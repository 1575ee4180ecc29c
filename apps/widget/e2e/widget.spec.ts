/**
 * The widget end to end: a real edge (127.0.0.1), the demo host site on another origin
 * (localhost, demo/host.mjs), Debian's Chromium. Nothing mines or connects before the visitor's
 * click (counted in every frame of the page and at the edge); the click mines and earns accepted
 * shares for data-address; Stop stops; "No thanks" survives reloads; a hostile host page cannot
 * start it; a strict-CSP host works; the /widget page writes snippets whose integrity hash the
 * well-known document confirms. Figures (click to first hash) go to test-results/widget-figures.json.
 */
import { expect, test, type Frame, type FrameLocator, type Page } from '@playwright/test';
import { createHash } from 'node:crypto';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { constructionCounts, countConstructions, edgeForFile, MINER_ADDRESS, stratumConnections, type ConstructionCounts } from '../../web/e2e/edge-fixture.ts';
import { demoHostForFile } from './host-fixture.ts';

const edge = edgeForFile();
/** axe-core's browser build, run in the frame and the /widget page for WCAG 2.1 A/AA. */
const AXE_SOURCE = readFileSync(createRequire(import.meta.url).resolve('axe-core/axe.min.js'), 'utf8');
const WCAG_21_AA = ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa'];

/** axe-core's violations in `frame` (ids with the first offending element), for WCAG 2.1 A and AA. */
async function axeViolations(frame: Page | Frame): Promise<string[]> {
  await frame.evaluate(AXE_SOURCE);
  return frame.evaluate(async (tags) => {
    const axe = (window as unknown as { axe: { run(ctx: Document, opts: unknown): Promise<{ passes: unknown[]; violations: { id: string; nodes: { target: string[] }[] }[] }> } }).axe;
    const r = await axe.run(document, { runOnly: { type: 'tag', values: tags } });
    if (r.passes.length === 0) return ['axe checked nothing'];
    return r.violations.map((v) => `${v.id}: ${v.nodes[0]?.target.join(' ')}`);
  }, WCAG_21_AA);
}
const host = demoHostForFile(edge);

/** Worker and WebSocket constructions in every frame of the page, the widget's included. */
async function totals(page: Page): Promise<ConstructionCounts> {
  const all = await Promise.all(page.frames().map((f) => constructionCounts(f).catch(() => ({ workers: 0, sockets: 0 }))));
  return all.reduce((a, c) => ({ workers: a.workers + c.workers, sockets: a.sockets + c.sockets }), { workers: 0, sockets: 0 });
}

function widgetFrame(page: Page): FrameLocator {
  return page.frameLocator('iframe[src*="/widget/frame.html"]');
}

function frameOf(page: Page): Frame {
  const f = page.frames().find((fr) => fr.url().includes('/widget/frame.html'));
  if (!f) throw new Error('no widget frame');
  return f;
}

/**
 * A click by the "visitor": the mouse at the button's place on screen (a trusted event), once the
 * frame has grown to show the button (the loader sizes it from the frame's report).
 */
async function visitorClick(page: Page, frame: FrameLocator, name: RegExp): Promise<void> {
  const button = frame.getByRole('button', { name });
  await expect.poll(() => button.evaluate((el) => el.getBoundingClientRect().bottom <= innerHeight)).toBe(true);
  const box = await button.boundingBox();
  if (!box) throw new Error(`no ${name} button on screen`);
  await page.mouse.click(box.x + box.width / 2, box.y + box.height / 2);
}

async function minerShares(address: string): Promise<{ status: number; workers: string[] }> {
  const res = await fetch(new URL(`/api/miners/${address}`, edge.url));
  if (res.status !== 200) return { status: res.status, workers: [] };
  const body = (await res.json()) as { workers?: { worker?: string; name?: string }[] };
  return { status: 200, workers: (body.workers ?? []).map((w) => w.worker ?? w.name ?? '') };
}

test('the demo host page: nothing before the click; the click mines for data-address; Stop stops', async ({ page }) => {
  await countConstructions(page);
  const requests: string[] = [];
  page.on('request', (r) => requests.push(r.url()));
  const sockets: string[] = [];
  page.on('websocket', (ws) => sockets.push(ws.url()));
  await page.goto(host.url);
  const frame = widgetFrame(page);
  await expect(frame.getByRole('button', { name: 'Start mining' })).toBeVisible();
  // The question says what, how much, for whom and how to stop.
  await expect(frame.locator('#ask-body')).toContainText(MINER_ADDRESS);
  await expect(frame.locator('#ask-body')).toContainText(/uses 1 of your \d+ CPU cores/);
  await expect(frame.locator('#ask-body')).toContainText(new URL(host.url).host);
  await expect(frame.locator('#ask-how')).toContainText(/Stop/);
  await expect(page.locator('iframe')).toHaveAttribute('title', /asks before it mines/);
  await page.waitForTimeout(500); // let anything that would start by itself start
  expect(await totals(page)).toEqual({ workers: 0, sockets: 0 });
  expect(sockets).toEqual([]);
  expect(requests.filter((u) => /miner|worker|\.wasm|\/ws\//.test(u))).toEqual([]);
  expect(await stratumConnections(edge)).toBe(0);

  await visitorClick(page, frame, /Start mining/);
  await expect(frame.getByRole('button', { name: 'Stop' })).toBeFocused();
  await expect(page.locator('#state')).toHaveText('mining', { timeout: 60_000 });
  await expect.poll(async () => Number(await page.locator('#shares').textContent()), { timeout: 90_000 }).toBeGreaterThan(0);
  expect(Number(await page.locator('#rate').textContent())).toBeGreaterThan(0);
  await expect(frame.locator('#shares')).not.toHaveText('0');
  // At the edge: the shares are on record for data-address, from the widget's worker.
  await expect.poll(async () => (await minerShares(MINER_ADDRESS)).workers, { timeout: 30_000 }).toContain('widget');
  const firstHashMs = await frameOf(page).evaluate(() => performance.getEntriesByName('otedama:widget-first-hash')[0]?.duration);
  mkdirSync('test-results', { recursive: true });
  writeFileSync('test-results/widget-figures.json', JSON.stringify({ clickToFirstHashMs: firstHashMs === undefined ? null : Math.round(firstHashMs), measuredAt: new Date().toISOString() }, null, 2));
  await page.screenshot({ path: 'test-results/widget-demo-mining.png', fullPage: true });

  await visitorClick(page, frame, /^Stop$/);
  await expect(page.locator('#state')).toHaveText('stopped');
  await expect(frame.locator('#done-text')).toContainText(/shares were accepted/);
  await expect.poll(() => stratumConnections(edge), { timeout: 15_000 }).toBe(0);
});

test('a host page that shrinks the frame below its Stop button while it mines stops it', async ({ page }) => {
  await page.goto(host.url);
  const frame = widgetFrame(page);
  await visitorClick(page, frame, /Start mining/);
  await expect(page.locator('#state')).toHaveText('mining', { timeout: 60_000 });
  await expect.poll(() => stratumConnections(edge), { timeout: 30_000 }).toBeGreaterThan(0);
  // The loader keeps the frame at least 72 px high; a hostile page overrides it.
  await page.evaluate(() => {
    const f = document.querySelector<HTMLIFrameElement>('iframe[src*="/widget/frame.html"]')!;
    f.style.setProperty('height', '30px', 'important');
  });
  await expect(page.locator('#state')).toHaveText('stopped', { timeout: 10_000 });
  await expect.poll(() => stratumConnections(edge), { timeout: 15_000 }).toBe(0);
  await page.evaluate(() => document.querySelector<HTMLIFrameElement>('iframe[src*="/widget/frame.html"]')!.style.removeProperty('height'));
  await expect(frame.locator('body')).toContainText(/too small to show its Stop button/);
});

test('"No thanks" is remembered for the site across reloads; "Ask me again" asks', async ({ page }) => {
  await countConstructions(page);
  await page.goto(host.url);
  const frame = widgetFrame(page);
  await visitorClick(page, frame, /No thanks/);
  await expect(frame.locator('#declined-text')).toContainText(/said no/);
  for (let i = 0; i < 2; i++) {
    await page.reload();
    await expect(widgetFrame(page).locator('#declined-text')).toBeVisible();
    await expect(widgetFrame(page).getByRole('button', { name: 'Start mining' })).toBeHidden();
    await expect(page.locator('#state')).toHaveText('declined');
  }
  // The host page asking again does not override the visitor's answer.
  await page.locator('#support').click();
  await expect(widgetFrame(page).locator('#declined-text')).toBeVisible();
  expect(await totals(page)).toEqual({ workers: 0, sockets: 0 });
  await visitorClick(page, widgetFrame(page), /Ask me again/);
  await expect(widgetFrame(page).getByRole('button', { name: 'Start mining' })).toBeFocused();
  await page.reload();
  await expect(widgetFrame(page).getByRole('button', { name: 'Start mining' })).toBeVisible();
});

test('a hostile host page cannot make the frame mine: API calls, forged messages, script clicks, URL parameters, an invisible frame', async ({ page }) => {
  await countConstructions(page);
  await page.goto(new URL('hostile.html', host.url).href);
  const frame = widgetFrame(page);
  await expect(frame.getByRole('button', { name: 'Start mining' })).toBeVisible();
  await expect.poll(() => page.evaluate(() => (window as unknown as { __hostile: { attempts: number } }).__hostile.attempts)).toBeGreaterThan(8);
  const hostile = await page.evaluate(() => (window as unknown as { __hostile: { blocked: string[]; clicked: number } }).__hostile);
  expect(hostile.blocked).toContain('SecurityError');
  expect(hostile.clicked).toBe(0);
  await page.evaluate(() => (window as unknown as { forgeUrl(): void }).forgeUrl());
  await expect(frame.getByRole('button', { name: 'Start mining' })).toBeVisible();
  await page.waitForTimeout(1_000);
  expect(await totals(page)).toEqual({ workers: 0, sockets: 0 });
  expect(await stratumConnections(edge)).toBe(0);
  // Clickjacking: the page makes the frame transparent and the visitor clicks where Start is.
  await page.evaluate(() => (window as unknown as { hideFrame(): void }).hideFrame());
  await visitorClick(page, frame, /Start mining/);
  await expect(frame.locator('#problem')).toContainText(/covered or hidden/);
  await page.waitForTimeout(500);
  expect(await totals(page)).toEqual({ workers: 0, sockets: 0 });
  expect(await stratumConnections(edge)).toBe(0);
  await page.evaluate(() => (window as unknown as { hostileStop(): void }).hostileStop());
});

test('a host page with a strict Content-Security-Policy: the widget loads, mines after the click and reports to the page', async ({ page }) => {
  const violations: string[] = [];
  page.on('console', (m) => {
    if (/Content Security Policy|Refused to/i.test(m.text())) violations.push(m.text());
  });
  const res = await page.goto(new URL('strict-csp.html', host.url).href);
  expect(res?.headers()['content-security-policy']).toMatch(/script-src 'self' http:\/\/127\.0\.0\.1:\d+; frame-src/);
  const frame = widgetFrame(page);
  await visitorClick(page, frame, /Start mining/);
  await expect.poll(async () => Number(await page.locator('#rate').textContent()), { timeout: 60_000 }).toBeGreaterThan(0);
  await page.locator('#host-stop').click();
  await expect(page.locator('#state')).toHaveText('stopped');
  expect(violations).toEqual([]);
});

test('the /widget page writes the snippet with the loader hash the well-known document publishes, and previews the widget', async ({ page }) => {
  const doc = (await (await fetch(new URL('/.well-known/otedama-widget.json', edge.url))).json()) as {
    consent: { minesBeforeClick: boolean };
    files: { loader: { url: string; integrity: string }; frame: { url: string; integrity: string }; all: { url: string; integrity: string }[] };
  };
  expect(doc.consent.minesBeforeClick).toBe(false);
  for (const f of [doc.files.loader, doc.files.frame, ...doc.files.all.filter((x) => x.url.endsWith('.js')).slice(0, 3)]) {
    const bytes = Buffer.from(await (await fetch(f.url)).arrayBuffer());
    expect(f.integrity).toBe(`sha384-${createHash('sha384').update(bytes).digest('base64')}`);
  }
  await page.goto(new URL('/widget', edge.url).href);
  await page.getByLabel('Payout address (required)').fill(MINER_ADDRESS);
  await page.getByLabel('Language').selectOption('ja');
  const snippet = page.locator('#snippet');
  await expect(snippet).toHaveValue(new RegExp(`data-address="${MINER_ADDRESS}"`));
  await expect(snippet).toHaveValue(new RegExp(`integrity="${doc.files.loader.integrity.replace(/[+/]/g, '\\$&')}"`));
  await expect(snippet).toHaveValue(/data-lang="ja"/);
  await expect(page.frameLocator('#preview iframe').getByRole('button', { name: 'マイニングを開始' })).toBeVisible();
  // No GPU unless the site allows it, and then unticked until the visitor ticks it.
  await expect(page.frameLocator('#preview iframe').getByRole('checkbox')).toHaveCount(0);
  await page.getByLabel(/Offer the visitor's GPU/).check();
  await expect(snippet).toHaveValue(/data-gpu="allow"/);
  await expect(page.frameLocator('#preview iframe').getByRole('checkbox', { name: 'グラフィックカード（GPU）も使う' })).not.toBeChecked();
  await page.getByLabel(/iframe only/).check();
  await expect(snippet).toHaveValue(/<iframe src="http:\/\/127\.0\.0\.1:\d+\/widget\/frame\.html\?address=/);
  // Keyboard: from the frame's question, Tab goes Start -> No thanks -> What is this?
  const preview = page.frameLocator('#preview iframe');
  await preview.getByRole('button', { name: 'マイニングを開始' }).focus();
  await page.keyboard.press('Tab');
  await expect(preview.getByRole('button', { name: 'いいえ' })).toBeFocused();
  await page.keyboard.press('Tab');
  await expect(preview.getByRole('link', { name: 'これは何？' })).toBeFocused();
});

test('accessibility: the frame (question, declined, light and dark) and the /widget page have no WCAG 2.1 A/AA violations (axe-core)', async ({ page }) => {
  for (const theme of ['light', 'dark']) {
    const url = new URL('/widget/frame.html', edge.url);
    url.search = new URLSearchParams({ address: MINER_ADDRESS, theme, lang: 'en' }).toString();
    await page.goto(url.href);
    await expect(page.getByRole('button', { name: 'Start mining' })).toBeVisible();
    expect(await axeViolations(page), `question, ${theme}`).toEqual([]);
    await page.getByRole('button', { name: 'No thanks' }).click();
    await expect(page.getByRole('button', { name: 'Ask me again' })).toBeFocused();
    expect(await axeViolations(page), `declined, ${theme}`).toEqual([]);
    await page.getByRole('button', { name: 'Ask me again' }).click();
  }
  await page.goto(new URL('/widget/', edge.url).href);
  await page.getByLabel('Payout address (required)').fill(MINER_ADDRESS);
  await expect(page.locator('#snippet')).toHaveValue(/data-address/);
  expect(await axeViolations(page), '/widget').toEqual([]);
});
