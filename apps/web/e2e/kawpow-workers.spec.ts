/**
 * The web miner's KawPow workers in headless Chromium on the software WebGPU adapter (lavapipe),
 * with a reduced dataset (epoch 0's real light cache, a DAG of 8191 items: the same code paths
 * as a real epoch's 1+ GiB): the light cache built in a worker with progress and kept in
 * IndexedDB, a second worker taking it from there; the GPU worker's DAG built with progress; the
 * GPU search and the CPU worker's light evaluation finding exactly the same hits; a Stop during a
 * DAG build or a light-cache build leaving nothing held; bad requests refused with reasons.
 *
 *   OTEDAMA_HARNESS_PORT=<port> npx playwright test --project=web apps/web/e2e/kawpow-workers.spec.ts
 *
 * Served by the engine harness (kernels/e2e/vite.harness.config.ts), not by an edge. Needs
 * wasm/build/kawpow*.wasm (`npm run build`).
 */
import { expect, test, type Page } from '@playwright/test';
import type { KawpowBuildReport } from '../src/kawpow/kawpow-progress.ts';
import type { KawpowWorkersHarness } from './kawpow-workers-page.ts';

const HARNESS = `http://127.0.0.1:${Number(process.env.OTEDAMA_HARNESS_PORT ?? 5178)}`;
/** A reduced dataset: 8191 1024-bit items (1 MiB, a prime like a real epoch's count). */
const DATASET_ITEMS = 8191;
/** A larger one for the cancelled build: 16381 items (2 MiB), several DAG chunks. */
const CANCEL_DATASET_ITEMS = 16381;
/** An IndexedDB database of this test's own (the page's real one is "otedama-kawpow"). */
const STORE = `otedama-kawpow-test-${Date.now()}`;
/** Final hashes at or below this hit about one nonce in eight. */
const TARGET = `1${'f'.repeat(63)}`;
/** Two heights of epoch 0 in different ProgPoW periods (period = height / 3). */
const HEIGHTS = [1234, 5000] as const;
const HEADER_HASH = 'c0ffee00'.repeat(8);
const NONCES = 96;
/** A light-cache build (16 MiB in WASM) and a DAG on a software adapter of a busy machine. */
const PREPARE_TIMEOUT_MS = 150_000;

type Call<K extends keyof KawpowWorkersHarness> = Parameters<KawpowWorkersHarness[K]>;

test.describe('KawPow workers of the web miner', () => {
  test.describe.configure({ mode: 'serial' });
  let page: Page;
  const log: string[] = [];

  const call = <K extends keyof KawpowWorkersHarness>(name: K, ...args: Call<K>): Promise<Awaited<ReturnType<KawpowWorkersHarness[K]>>> =>
    page.evaluate(
      ([n, a]) => (window.__kawpowWorkers![n] as (...x: unknown[]) => unknown)(...a),
      [name, args] as const,
    ) as Promise<Awaited<ReturnType<KawpowWorkersHarness[K]>>>;

  /** Reports of one kind: done rises to the total, which the last one reaches. */
  const expectProgress = (reports: KawpowBuildReport[], what: KawpowBuildReport['what'], total?: number) => {
    const mine = reports.filter((r) => r.what === what);
    expect(mine.length, `${what} reports`).toBeGreaterThan(1);
    for (let i = 1; i < mine.length; i++) expect(mine[i]!.done).toBeGreaterThanOrEqual(mine[i - 1]!.done);
    const last = mine[mine.length - 1]!;
    expect(last.done).toBe(last.total);
    if (total !== undefined) expect(last.total).toBe(total);
    expect(mine.every((r) => r.epoch === 0)).toBe(true);
  };

  test.beforeAll(async ({ browser }) => {
    page = await browser.newPage();
    page.on('console', (m) => log.push(`[${m.type()}] ${m.text()}`));
    page.on('pageerror', (e) => log.push(`[pageerror] ${e.message}`));
    await page.goto(`${HARNESS}/apps/web/e2e/kawpow-workers.html`);
    await expect.poll(() => page.title(), { message: `harness did not load:\n${log.join('\n')}` }).toContain('(ready)');
  });

  test.afterAll(async () => {
    await page?.close();
  });

  test('the GPU worker builds the light cache and the DAG with progress, and keeps the light cache in IndexedDB', async () => {
    test.setTimeout(PREPARE_TIMEOUT_MS);
    expect(await call('init', 'gpu')).toBeTruthy();
    const out = await call('prepare', 'gpu', 0, DATASET_ITEMS, STORE);
    expect(out.error, log.join('\n')).toBeUndefined();
    expect(out.prepared).toEqual({ epoch: 0, lightCacheFromStore: false, dagBytes: DATASET_ITEMS * 128 });
    expectProgress(out.reports, 'light cache');
    expectProgress(out.reports, 'DAG', DATASET_ITEMS * 128);
    // The light cache is finished before the DAG starts (the DAG is built from it).
    const firstDag = out.reports.findIndex((r) => r.what === 'DAG');
    expect(out.reports.slice(firstDag).some((r) => r.what === 'light cache')).toBe(false);
    expect(out.reports.every((r) => r.device === 'GPU worker')).toBe(true);
    expect(await call('storedEpochs', STORE)).toEqual([0]);
    expect(await call('holding', 'gpu')).toEqual({ epoch: 0, dagBytes: DATASET_ITEMS * 128 });
  });

  test('a CPU worker takes the light cache from IndexedDB instead of building it', async () => {
    test.setTimeout(PREPARE_TIMEOUT_MS);
    expect(await call('init', 'cpu')).toBe('wasm light evaluation');
    const out = await call('prepare', 'cpu', 0, DATASET_ITEMS, STORE);
    expect(out.error).toBeUndefined();
    expect(out.prepared).toEqual({ epoch: 0, lightCacheFromStore: true, dagBytes: 0 });
    expect(out.reports).toEqual([]);
    expect(await call('holding', 'cpu')).toEqual({ epoch: 0 });
  });

  test('the GPU search and the CPU light evaluation find exactly the same hits', async () => {
    test.setTimeout(PREPARE_TIMEOUT_MS);
    for (const height of HEIGHTS) {
      const start = (BigInt(height) << 32n).toString(); // any 64-bit range; distinct per height
      const gpu = await call('search', 'gpu', HEADER_HASH, height, TARGET, start, NONCES);
      const cpu = await call('search', 'cpu', HEADER_HASH, height, TARGET, start, NONCES);
      expect(gpu.tried).toBeGreaterThanOrEqual(NONCES);
      expect(cpu.tried).toBe(NONCES);
      expect(cpu.hits.length, `height ${height}: some of ${NONCES} nonces meet a 1-in-8 target`).toBeGreaterThan(0);
      // The GPU may have tried past the range (whole workgroups): compare within it.
      const end = BigInt(start) + BigInt(NONCES);
      expect(gpu.hits.filter((h) => BigInt(h.nonce) < end)).toEqual(cpu.hits);
      for (const h of cpu.hits) expect(BigInt(`0x${h.finalHash}`) <= BigInt(`0x${TARGET}`)).toBe(true);
    }
  });

  test('IndexedDB keeps only the newest light caches, the one just saved always among them', async () => {
    expect(await call('keepNewest', `${STORE}-keep`, 2, [3, 4, 5], 5)).toEqual({ left: [4, 5], read: [5, 6, 7] });
    // An older epoch saved last (a job of the previous epoch) stays, beside the newest.
    expect(await call('keepNewest', `${STORE}-keep`, 2, [1], 1)).toEqual({ left: [1, 5], read: [1, 2, 3] });
    expect(await call('keepNewest', `${STORE}-keep1`, 1, [7, 8], 7)).toEqual({ left: [8], read: null });
  });

  test('bad requests are refused with reasons', async () => {
    await expect(call('search', 'cpu', HEADER_HASH, 7500, TARGET, '0', 4)).rejects.toThrow(/not in epoch 0/);
    await expect(call('search', 'cpu', HEADER_HASH, 1234, TARGET, '0', 0)).rejects.toThrow(/count must be/);
    await expect(call('search', 'cpu', HEADER_HASH, 1234, TARGET, (2n ** 64n - 2n).toString(), 4)).rejects.toThrow(/64-bit nonce space/);
  });

  test('a damaged light cache in IndexedDB is rebuilt, not used', async () => {
    test.setTimeout(PREPARE_TIMEOUT_MS);
    const bad = `${STORE}-damaged`;
    await call('keepNewest', bad, 2, [0], 0); // three bytes where a 16 MiB light cache belongs
    // Another dataset size, so the worker does not answer from the epoch it holds.
    const out = await call('prepare', 'cpu', 0, DATASET_ITEMS + 18, bad);
    expect(out.error).toBeUndefined();
    expect(out.prepared?.lightCacheFromStore).toBe(false);
    expectProgress(out.reports, 'light cache');
    const again = await call('prepare', 'gpu', 0, DATASET_ITEMS + 18, bad);
    expect(again.prepared?.lightCacheFromStore, 'the rebuilt cache replaced the damaged record').toBe(true);
  });

  test('Stop during a DAG build frees it: the GPU holds no DAG and the worker still works', async () => {
    test.setTimeout(PREPARE_TIMEOUT_MS);
    const out = await call('prepare', 'gpu', 0, CANCEL_DATASET_ITEMS, STORE, 'DAG');
    expect(out.error).toMatch(/cancelled/);
    expect(out.reports.some((r) => r.what === 'DAG' && r.done < r.total)).toBe(true);
    // The epoch's earlier DAG went before this one was allocated: nothing is held.
    expect(await call('holding', 'gpu')).toEqual({ epoch: null, dagBytes: 0 });
    await expect(call('search', 'gpu', HEADER_HASH, 1234, TARGET, '0', 16)).rejects.toThrow(/no DAG is prepared/);
    const again = await call('prepare', 'gpu', 0, DATASET_ITEMS, STORE);
    expect(again.error).toBeUndefined();
    expect(again.prepared?.lightCacheFromStore).toBe(true);
  });

  test('the engines of the miner mine a job on the GPU and the CPU: hits within the pool\'s nonce prefix, each confirmed by light evaluation', async () => {
    test.setTimeout(PREPARE_TIMEOUT_MS);
    const out = await call('mine', {
      cpuThreads: 1,
      gpu: true,
      datasetItems: DATASET_ITEMS,
      storeName: STORE,
      headerHash: HEADER_HASH,
      height: HEIGHTS[1],
      target: TARGET,
      noncePrefix: 'ab',
      hitsPerDevice: 3,
      deadlineMs: 60_000,
    });
    const say = `events:\n${out.events.join('\n')}`;
    expect(out.hits.filter((h) => h.device === 'gpu').length, say).toBeGreaterThanOrEqual(3);
    expect(out.hits.filter((h) => h.device === 'cpu').length, say).toBeGreaterThanOrEqual(3);
    for (const h of out.hits) {
      expect(h.nonce.startsWith('0xab'), h.nonce).toBe(true);
      expect(h.jobId).toBe('j1');
      expect(h.verified, `${h.device} hit ${h.nonce}`).toBe(true);
    }
    // Disjoint batches of one cursor: no nonce twice.
    expect(new Set(out.hits.map((h) => h.nonce)).size).toBe(out.hits.length);
    expect(out.hashes).toBeGreaterThan(0);
    expect(out.events.some((e) => /light evaluation: slow/.test(e)), say).toBe(true);
    expect(out.events.some((e) => /GPU worker ready for epoch 0 \(light cache from this browser, DAG of/.test(e)), say).toBe(true);
    expect(out.buildPercents.DAG.length, 'DAG progress reached the page').toBeGreaterThan(0);
    expect(out.lastBuilds).toBe(0);
  });

  test('Stop while the engines build a DAG ends the build and clears its progress', async () => {
    test.setTimeout(PREPARE_TIMEOUT_MS);
    const out = await call('stopDuringDag', {
      cpuThreads: 0,
      gpu: true,
      datasetItems: 65521, // 8 MiB: many chunks
      storeName: STORE,
      headerHash: HEADER_HASH,
      height: HEIGHTS[0],
      target: TARGET,
      noncePrefix: '',
      hitsPerDevice: 0,
      deadlineMs: 60_000,
    });
    expect(out.stoppedAtPercent, out.events.join('\n')).not.toBeNull();
    expect(out.stoppedAtPercent!).toBeLessThan(100);
    expect(out.lastBuilds).toBe(0);
    expect(out.events.filter((e) => e.startsWith('error'))).toEqual([]);
  });

  test('Stop during a light-cache build leaves no light cache, in memory or in IndexedDB', async () => {
    test.setTimeout(PREPARE_TIMEOUT_MS);
    const out = await call('prepare', 'cpu', 1, DATASET_ITEMS, STORE, 'light cache');
    expect(out.error).toMatch(/cancel/i);
    expect(await call('holding', 'cpu')).toEqual({ epoch: null });
    expect(await call('storedEpochs', STORE)).toEqual([0]);
    await call('dispose', 'cpu');
    await call('dispose', 'gpu');
  });
});
