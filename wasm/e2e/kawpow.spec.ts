/**
 * core's shared KawPow compliance suite on the WASM engines in headless Chromium: the SIMD build
 * with its light caches built in a Web Worker, the scalar build building on the page. One
 * Playwright test per case, so a report names the case that broke.
 *
 *   OTEDAMA_HARNESS_PORT=<port> npx playwright test --project=engines-lavapipe wasm/e2e/kawpow.spec.ts
 */
import { expect, test, type Page } from '@playwright/test';
import { kawpowComplianceCases } from '../../core/test/kawpow-compliance.ts';
import { wasmKawpowSubject } from '../test/kawpow-subject.ts';
import type { KawpowPageResults } from './kawpow-page.ts';
import { hasherOptions, KAWPOW_PAGE_ENGINES, KAWPOW_PAGE_OPTIONS } from './kawpow-settings.ts';

/** Longest a whole suite may take: two light caches, the vectors and the reduced dataset on a busy machine. */
const SUITE_TIMEOUT_MS = 180_000;

for (const engine of KAWPOW_PAGE_ENGINES) {
  // Case names depend only on which groups the subject offers; nothing is compiled here.
  const caseNames = kawpowComplianceCases(wasmKawpowSubject(engine, hasherOptions(engine)).subject, KAWPOW_PAGE_OPTIONS).map((c) => c.name);

  test.describe(`kawpow ${engine} in a page`, { tag: '@adapter-independent' }, () => {
    test.describe.configure({ mode: 'serial' });
    let page: Page;
    let results: KawpowPageResults | undefined;
    const log: string[] = [];

    test.beforeAll(async ({ browser }, testInfo) => {
      testInfo.setTimeout(SUITE_TIMEOUT_MS);
      page = await browser.newPage();
      page.on('console', (m) => log.push(`[${m.type()}] ${m.text()}`));
      page.on('pageerror', (e) => log.push(`[pageerror] ${e.message}`));
      await page.goto(`/wasm/e2e/kawpow.html?engine=${engine}`);
      await expect
        .poll(async () => (await page.evaluate(() => window.__kawpow))?.status, {
          message: `suite did not finish; page log:\n${log.join('\n')}`,
          timeout: SUITE_TIMEOUT_MS - 10_000,
          intervals: [250, 500, 1000],
        })
        .not.toBe('running');
      results = await page.evaluate(() => window.__kawpow);
      expect(results?.error, `the suite could not run: ${results?.error}\n${log.join('\n')}`).toBeUndefined();
    });

    test.afterAll(async () => {
      await page?.close();
    });

    test('ran every case of the suite, and nothing else', () => {
      expect(results?.status).toBe('done');
      expect(results?.cases.map((c) => c.name).sort()).toEqual([...caseNames].sort());
    });

    for (const name of caseNames) {
      test(name, () => {
        const report = results?.cases.find((c) => c.name === name);
        expect(report, `case "${name}" was not reported`).toBeDefined();
        expect(report?.error).toBeUndefined();
        expect(report?.ok).toBe(true);
      });
    }
  });
}
