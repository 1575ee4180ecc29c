/**
 * Issue 5's runtime budgets, measured in real Chromium against a real edge:
 *   - after Start, the first hashes within 1.5 s (the page's own `otedama:first-hash` measure:
 *     from the Start click to the end of the first finished batch in a worker);
 *   - no main-thread task over 50 ms while mining (Long Tasks API, 20 s of mining); a failure names
 *     what each long task held (the Long Animation Frames it overlaps: scripts, style and layout).
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

/** A long animation frame (the Long Animation Frames API): what ran in it, to name a long task's cause. */
interface Frame {
  start: number;
  duration: number;
  blockingDuration: number;
  /** From the frame's start (ms): when rendering began, and style and layout; 0 when none ran. */
  renderStart: number;
  styleAndLayoutStart: number;
  scripts: { invoker: string; source: string; duration: number; forcedStyleAndLayout: number }[];
}

test('first hash within 1.5 s of Start, and no main-thread task over 50 ms while mining', async ({ page }) => {
  await page.addInitScript(() => {
    const w = window as unknown as { __longTasks: { start: number; duration: number }[]; __longFrames: Frame[] };
    w.__longTasks = [];
    w.__longFrames = [];
    new PerformanceObserver((list) => {
      for (const e of list.getEntries()) w.__longTasks.push({ start: e.startTime, duration: e.duration });
    }).observe({ type: 'longtask', buffered: true });
    // What a long task held, for the failure's message (a task's time alone says nothing of its cause).
    type LoafScript = { invoker: string; sourceURL: string; sourceFunctionName: string; sourceCharPosition: number; duration: number; forcedStyleAndLayoutDuration: number };
    type Loaf = PerformanceEntry & { blockingDuration: number; renderStart: number; styleAndLayoutStart: number; scripts: LoafScript[] };
    if (PerformanceObserver.supportedEntryTypes.includes('long-animation-frame')) {
      new PerformanceObserver((list) => {
        for (const e of list.getEntries() as Loaf[]) {
          w.__longFrames.push({
            start: e.startTime,
            duration: e.duration,
            blockingDuration: e.blockingDuration,
            renderStart: e.renderStart ? e.renderStart - e.startTime : 0,
            styleAndLayoutStart: e.styleAndLayoutStart ? e.styleAndLayoutStart - e.startTime : 0,
            scripts: e.scripts.map((s) => ({
              invoker: s.invoker,
              source: `${s.sourceFunctionName || '(anonymous)'} ${s.sourceURL.split('/').pop()}:${s.sourceCharPosition}`,
              duration: Math.round(s.duration),
              forcedStyleAndLayout: Math.round(s.forcedStyleAndLayoutDuration),
            })),
          });
        }
      }).observe({ type: 'long-animation-frame', buffered: true });
    }
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
  const { tasks, frames } = await page.evaluate((from) => {
    const w = window as unknown as { __longTasks: { start: number; duration: number }[]; __longFrames: Frame[] };
    return { tasks: w.__longTasks.filter((t) => t.start >= from), frames: w.__longFrames };
  }, miningFrom);
  // Each long task with the long animation frames it overlaps: the scripts that ran, rendering, style and layout.
  const explained = tasks.map((t) => ({ ...t, frames: frames.filter((f) => f.start < t.start + t.duration && t.start < f.start + f.duration) }));
  await page.getByRole('button', { name: 'Stop', exact: true }).click();

  const figures = {
    firstHashMs: Math.round(firstHash.duration),
    firstHashBudgetMs: FIRST_HASH_BUDGET_MS,
    miningWindowMs: MINING_WINDOW_MS,
    longTasksOver50ms: tasks.length,
    longestTaskMs: Math.round(Math.max(0, ...tasks.map((t) => t.duration))),
    acceptedShares: accepted,
    ...(explained.length ? { longTasks: explained } : {}),
  };
  mkdirSync('test-results', { recursive: true });
  writeFileSync('test-results/web-budgets.json', `${JSON.stringify(figures, null, 2)}\n`);
  console.log(`web budgets: first hash ${figures.firstHashMs} ms after Start (budget ${FIRST_HASH_BUDGET_MS}); ${tasks.length} main-thread task(s) over ${LONG_TASK_BUDGET_MS} ms in ${MINING_WINDOW_MS / 1000} s of mining (longest ${figures.longestTaskMs} ms)`);
  test.info().annotations.push({ type: 'budgets', description: JSON.stringify(figures) });

  expect(accepted).toBeGreaterThan(0);
  expect(firstHash.duration).toBeLessThanOrEqual(FIRST_HASH_BUDGET_MS);
  expect(explained, `main-thread tasks over ${LONG_TASK_BUDGET_MS} ms while mining (with the long animation frames they overlap)`).toEqual([]);
});
