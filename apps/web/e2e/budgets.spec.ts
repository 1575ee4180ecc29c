/**
 * Issue 5's runtime budgets, measured in real Chromium against a real edge:
 *   - after Start, the first hashes within 1.5 s (the page's own `otedama:first-hash` measure:
 *     from the Start click to the end of the first finished batch in a worker);
 *   - no main-thread task over 50 ms while mining (Long Tasks API, 20 s of mining).
 * The figures are printed and written to test-results/web-budgets.json for the closing note.
 * (The JS-before-Start budget is checked on the build by scripts/check-budget.mjs.)
 */
import { expect, test } from '@playwright/test';
import { mkdirSync, writeFileSync } from 'node:fs';
import { edgeForFile, MINER_ADDRESS, acceptedShares } from './edge-fixture.ts';

const ADDRESS = MINER_ADDRESS;
const FIRST_HASH_BUDGET_MS = 1_500;
const LONG_TASK_BUDGET_MS = 50;
const MINING_WINDOW_MS = 20_000;

const edge = edgeForFile();

test('first hash within 1.5 s of Start, and no main-thread task over 50 ms while mining', async ({ page }) => {
  await page.addInitScript(() => {
    const w = window as unknown as { __longTasks: { start: number; duration: number }[] };
    w.__longTasks = [];
    new PerformanceObserver((list) => {
      for (const e of list.getEntries()) w.__longTasks.push({ start: e.startTime, duration: e.duration });
    }).observe({ type: 'longtask', buffered: true });
  });
  // A warm page (the app shell cached, as for anyone who opened the page before) and one CPU thread.
  await page.goto(edge.url);
  await expect.poll(() => page.evaluate(() => navigator.serviceWorker.controller !== null), { timeout: 15_000 }).toBe(true);
  await page.reload();
  await page.fill('#address', ADDRESS);
  await page.fill('#threads', '1');
  await page.getByRole('button', { name: 'Start' }).click();

  await page.waitForFunction(() => performance.getEntriesByName('otedama:first-hash').length > 0, undefined, { timeout: 30_000 });
  const firstHash = await page.evaluate(() => {
    const m = performance.getEntriesByName('otedama:first-hash')[0]!;
    return { startTime: m.startTime, duration: m.duration };
  });
  const miningFrom = firstHash.startTime + firstHash.duration;
  await page.waitForTimeout(MINING_WINDOW_MS);
  const accepted = Number(await page.locator('#accepted').textContent());
  const tasks = await page.evaluate((from) => (window as unknown as { __longTasks: { start: number; duration: number }[] }).__longTasks.filter((t) => t.start >= from), miningFrom);
  await page.getByRole('button', { name: 'Stop', exact: true }).click();

  const figures = {
    firstHashMs: Math.round(firstHash.duration),
    firstHashBudgetMs: FIRST_HASH_BUDGET_MS,
    miningWindowMs: MINING_WINDOW_MS,
    longTasksOver50ms: tasks.length,
    longestTaskMs: Math.round(Math.max(0, ...tasks.map((t) => t.duration))),
    acceptedShares: accepted,
  };
  mkdirSync('test-results', { recursive: true });
  writeFileSync('test-results/web-budgets.json', `${JSON.stringify(figures, null, 2)}\n`);
  console.log(`web budgets: first hash ${figures.firstHashMs} ms after Start (budget ${FIRST_HASH_BUDGET_MS}); ${tasks.length} main-thread task(s) over ${LONG_TASK_BUDGET_MS} ms in ${MINING_WINDOW_MS / 1000} s of mining (longest ${figures.longestTaskMs} ms)`);
  test.info().annotations.push({ type: 'budgets', description: JSON.stringify(figures) });

  expect(accepted).toBeGreaterThan(0);
  expect(firstHash.duration).toBeLessThanOrEqual(FIRST_HASH_BUDGET_MS);
  expect(tasks, `main-thread tasks over ${LONG_TASK_BUDGET_MS} ms while mining`).toEqual([]);
});
