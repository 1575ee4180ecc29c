/**
 * One harness page run as a Playwright suite: the page (compliance.html) runs every case of an
 * engine suite, in the page or a dedicated worker, and reports through window.__results; here
 * one Playwright test per expected case asserts it passed, so a report names the case that
 * broke. Shared by sha256d.spec.ts and kawpow.spec.ts.
 */
import { expect, test, type Page } from '@playwright/test';
import type { ComplianceResults } from './compliance-page.ts';

export interface PageSuite {
  /** Suite title (the Playwright describe). */
  readonly title: string;
  /** Harness page path with its query. */
  readonly url: string;
  /** Every case the page must report, and nothing else. */
  readonly caseNames: readonly string[];
  /** Longest the whole page run may take (ms). */
  readonly timeoutMs: number;
  /** `@adapter-independent` for suites that use no GPU (run under engines-lavapipe only). */
  readonly tag?: '@adapter-independent';
}

export function describePageSuite(suite: PageSuite): void {
  test.describe(suite.title, suite.tag ? { tag: suite.tag } : {}, () => {
    test.describe.configure({ mode: 'serial' });
    let page: Page;
    let results: ComplianceResults | undefined;
    const log: string[] = [];

    test.beforeAll(async ({ browser }, testInfo) => {
      testInfo.setTimeout(suite.timeoutMs);
      page = await browser.newPage();
      page.on('console', (m) => log.push(`[${m.type()}] ${m.text()}`));
      page.on('pageerror', (e) => log.push(`[pageerror] ${e.message}`));
      await page.goto(suite.url);
      await expect
        .poll(async () => (await page.evaluate(() => window.__results))?.status, {
          message: `suite did not finish; page log:\n${log.join('\n')}`,
          timeout: suite.timeoutMs - 10_000,
          intervals: [250, 500, 1000],
        })
        .not.toBe('running');
      results = await page.evaluate(() => window.__results);
      expect(results?.error, `the engine could not run: ${results?.error}\n${log.join('\n')}`).toBeUndefined();
      testInfo.annotations.push({ type: 'engine', description: results?.description ?? '' });
    });

    test.afterAll(async () => {
      await page?.close();
    });

    test('ran every case of the suite, and nothing else', () => {
      expect(results?.status).toBe('done');
      expect(results?.cases.map((c) => c.name).sort()).toEqual([...suite.caseNames].sort());
    });

    for (const name of suite.caseNames) {
      test(name, () => {
        const report = results?.cases.find((c) => c.name === name);
        expect(report, `case "${name}" was not reported`).toBeDefined();
        expect(report?.error).toBeUndefined();
        expect(report?.ok).toBe(true);
      });
    }
  });
}
