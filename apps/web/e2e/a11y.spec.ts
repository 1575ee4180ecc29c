/**
 * WCAG 2.1 AA, checked by axe-core (injected by @axe-core/playwright) in real Chromium on the
 * page as a person sees it: the setup screen, its "More settings", the browser wallet (made,
 * exported: its address is then mined to), the dashboard while mining,
 * and the past-sessions view after Stop, in the dark and the light theme. Any violation of a WCAG
 * 2.0/2.1 A or AA rule fails the test and is listed with the elements it found.
 */
import AxeBuilder from '@axe-core/playwright';
import { expect, test, type Page } from '@playwright/test';
import { edgeForFile, acceptedShares } from './edge-fixture.ts';

const edge = edgeForFile();
const WCAG_21_AA = ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa'];
const SCHEMES = ['dark', 'light'] as const;

/** axe's violations at this moment, as "rule: selector (summary)" lines (empty when none). */
async function violations(page: Page, view: string): Promise<string[]> {
  const result = await new AxeBuilder({ page }).withTags(WCAG_21_AA).analyze();
  return result.violations.flatMap((v) => v.nodes.map((n) => `${view}: ${v.id}: ${n.target.join(' ')} (${n.failureSummary?.replace(/\s+/g, ' ') ?? v.help})`));
}

async function eachScheme(page: Page, view: string): Promise<string[]> {
  const found: string[] = [];
  for (const colorScheme of SCHEMES) {
    await page.emulateMedia({ colorScheme });
    found.push(...(await violations(page, `${view} (${colorScheme})`)));
  }
  return found;
}

test('setup, settings, dashboard while mining and history have no WCAG 2.1 A/AA violations in either theme', async ({ page }) => {
  test.setTimeout(180_000);
  const found: string[] = [];
  await page.goto(edge.url);
  await expect(page.getByRole('button', { name: 'Start' })).toBeVisible();
  found.push(...(await eachScheme(page, 'setup')));

  await page.locator('details summary').click();
  await expect(page.locator('#when-hidden')).toBeVisible();
  found.push(...(await eachScheme(page, 'settings')));

  // The browser wallet (simnet): its form, and the wallet with its key exported.
  await page.getByRole('button', { name: 'Create an address for me' }).click();
  found.push(...(await eachScheme(page, 'wallet form')));
  await page.getByLabel('Passphrase for the key (at least 8 characters)').fill('a11y passphrase');
  await page.getByLabel('The same passphrase again').fill('a11y passphrase');
  await page.getByRole('button', { name: 'Create the address' }).click();
  await page.getByRole('button', { name: 'Back up the key…' }).click();
  await page.getByLabel('Passphrase', { exact: true }).fill('a11y passphrase');
  await page.getByRole('button', { name: 'Show the key and the backup' }).click();
  await expect(page.locator('#wallet-exported')).toBeVisible({ timeout: 30_000 });
  found.push(...(await eachScheme(page, 'wallet')));

  await page.fill('#threads', '1');
  await page.getByRole('button', { name: 'Start' }).click();
  await expect(page.locator('#mining-indicator')).toBeVisible();
  await expect.poll(() => acceptedShares(page), { timeout: 60_000 }).toBeGreaterThan(0);
  // The pool's figures and some events are on the page too.
  await expect(page.locator('#pool-status')).toHaveText(/updated/, { timeout: 30_000 });
  found.push(...(await eachScheme(page, 'dashboard')));

  await page.getByRole('button', { name: 'Stop', exact: true }).click();
  await expect(page.locator('#history-rows tr')).toHaveCount(1);
  found.push(...(await eachScheme(page, 'history')));

  expect(found, found.join('\n')).toEqual([]);
});
