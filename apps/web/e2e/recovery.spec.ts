/**
 * Self-healing, end to end: real edges (`otedama pool` on simnet), real Chromium, the page driven
 * through its UI only. Faults are real too: an uncaught exception and a busy loop inside the CPU
 * worker (through Playwright's handle on the worker), a destroyed GPUDevice inside the GPU worker
 * (through its documented diagnostic global `otedamaGpu`), an edge killed with SIGKILL and
 * started again on the same ports and data, and an edge killed while a second one is listed.
 */
import { expect, test, type Page, type Worker } from '@playwright/test';
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer, type AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { edgeForFile, MINER_ADDRESS, stratumConnections, startEdge } from './edge-fixture.ts';

const ADDRESS = MINER_ADDRESS;
/** Shares on a 2-core machine shared with other test runs can take a while: be generous. */
const SHARES_TIMEOUT_MS = 120_000;

test.describe.configure({ timeout: 300_000 });

const edge = edgeForFile();

test.beforeEach(async ({ page }) => {
  // These tests are about recovery, not courtesy: on a loaded 2-core machine Chromium's Compute
  // Pressure API reports "critical" and the page would (rightly) throttle, slowing every share
  // these tests wait for. Without the API the page mines at the intensity set (courtesy.spec.ts
  // tests the throttle itself).
  await page.addInitScript(() => {
    delete (window as { PressureObserver?: unknown }).PressureObserver;
  });
});

test.afterEach(async ({ page }, info) => {
  // On failure, the page's event log is the story: attach it.
  if (info.status !== info.expectedStatus) {
    const events = await page.locator('#events li').allTextContents().catch(() => []);
    await info.attach('events.txt', { body: events.reverse().join('\n'), contentType: 'text/plain' });
    if (process.env.OTEDAMA_E2E_DUMP_EVENTS) console.log(events.join('\n'));
  }
});

function jobFeed(httpUrl: string): string {
  const u = new URL(httpUrl);
  return `ws://${u.host}/ws/stratum`;
}

async function startMining(page: Page, opts: { threads: number; gpu?: boolean; edges?: string[] }): Promise<void> {
  await page.fill('#address', ADDRESS);
  await page.fill('#threads', String(opts.threads));
  if (opts.gpu) {
    const gpu = page.getByLabel('GPU (WebGPU)');
    await expect(gpu).toBeEnabled();
    await gpu.check();
  }
  if (opts.edges) {
    // The edge list sits in the collapsed "More settings" group.
    await page.getByText('More settings').click();
    await page.fill('#edges', opts.edges.join('\n'));
  }
  await page.getByRole('button', { name: 'Start' }).click();
  await expect(page.locator('#mining-indicator')).toBeVisible();
}

async function accepted(page: Page): Promise<number> {
  return Number(await page.locator('#accepted').textContent());
}

async function expectMoreAccepted(page: Page, than: number): Promise<void> {
  await expect.poll(() => accepted(page), { timeout: SHARES_TIMEOUT_MS }).toBeGreaterThan(than);
}

/** The page's dedicated worker whose script is `name` (cpu-worker / gpu-worker). */
async function engineWorker(page: Page, name: 'cpu-worker' | 'gpu-worker'): Promise<Worker> {
  const find = () => page.workers().filter((w) => w.url().includes(name));
  await expect.poll(() => find().length).toBe(1);
  return find()[0]!;
}

/** Three distinct free loopback ports (for an edge that must come back on the same ones). */
async function freePorts(n: number): Promise<number[]> {
  const servers = await Promise.all(
    Array.from({ length: n }, () => new Promise<ReturnType<typeof createServer>>((resolve, reject) => {
      const s = createServer();
      s.once('error', reject);
      s.listen(0, '127.0.0.1', () => resolve(s));
    })),
  );
  const ports = servers.map((s) => (s.address() as AddressInfo).port);
  await Promise.all(servers.map((s) => new Promise((r) => s.close(r))));
  return ports;
}

/** Records a measured recovery time in the report (and on stdout, for the run's notes). */
function figure(name: string, sinceMs: number): void {
  const description = `${name}: ${((Date.now() - sinceMs) / 1000).toFixed(1)} s`;
  test.info().annotations.push({ type: 'figure', description });
  console.log(description);
}

/**
 * Starts mining on one CPU thread, injects `fault` into the CPU worker (through Playwright's
 * handle on it), and checks the whole recovery: the warning, the old worker gone, a fresh one
 * mining, and more accepted shares. `name` labels the figures.
 */
async function cpuWorkerRecovers(page: Page, name: string, fault: () => void, warning: RegExp, warningTimeoutMs = 30_000): Promise<void> {
  await page.goto(edge.url);
  await startMining(page, { threads: 1 });
  await expectMoreAccepted(page, 0);

  const worker = await engineWorker(page, 'cpu-worker');
  const closed = new Promise<void>((resolve) => worker.once('close', () => resolve()));
  const faultAt = Date.now();
  await worker.evaluate(fault);
  await expect(page.locator('#events li.warn', { hasText: warning })).toBeVisible({ timeout: warningTimeoutMs });
  await closed;
  await expect(page.locator('#events li', { hasText: 'CPU worker 1 replaced and mining again' })).toBeVisible();
  figure(`${name} -> replacement mining`, faultAt);
  const after = await accepted(page);
  await expectMoreAccepted(page, after);
  figure(`${name} -> next accepted share`, faultAt);
  expect(page.workers().filter((w) => w.url().includes('cpu-worker'))).toHaveLength(1);
}

test('a CPU worker that crashes (uncaught exception) is replaced and shares keep coming', async ({ page }) => {
  await cpuWorkerRecovers(
    page,
    'CPU worker crash',
    () => {
      setTimeout(() => {
        throw new Error('boom');
      });
    },
    /CPU worker 1 crashed \(.*boom.*\); replacing it with a fresh worker/,
  );
  await expect(page.locator('#rejected')).toHaveText('0');
});

test('a CPU worker that hangs (busy loop) is terminated after its deadline and replaced', async ({ page }) => {
  await cpuWorkerRecovers(
    page,
    'CPU worker hang',
    () => {
      setTimeout(() => {
        for (;;) {
          // Hang: never yields to the event loop, so the next search never answers.
        }
      });
    },
    /CPU worker 1 hung \(no answer within [\d.]+ s\); replacing it/,
    90_000,
  );
});

test('GPU device loss: the GPU worker gets a new device, rebuilds its pipelines and mines on', async ({ page }) => {
  await page.goto(edge.url);
  await startMining(page, { threads: 0, gpu: true });
  await expect(page.locator('#events')).toContainText('started GPU worker');
  await expectMoreAccepted(page, 0);

  const worker = await engineWorker(page, 'gpu-worker');
  const faultAt = Date.now();
  const destroyed = await worker.evaluate(() => {
    const diag = (self as unknown as { otedamaGpu?: { device?: { destroy(): void } } }).otedamaGpu;
    if (!diag?.device) return false;
    diag.device.destroy();
    return true;
  });
  expect(destroyed).toBe(true);
  await expect(page.locator('#events li.warn', { hasText: /GPU device lost \(destroyed/ })).toBeVisible();
  await expect(page.locator('#events li.warn', { hasText: /GPU recovered from device loss: new device on .+, pipelines rebuilt/ })).toBeVisible({ timeout: 90_000 });
  figure('GPU device loss -> recovered', faultAt);
  // Recovered in place: the same worker, no replacement.
  await expect(page.locator('#events')).not.toContainText('GPU worker crashed');
  expect(page.workers().filter((w) => w.url().includes('gpu-worker'))).toEqual([worker]);
  const after = await accepted(page);
  await expectMoreAccepted(page, after);
  figure('GPU device loss -> next accepted share', faultAt);
  const hasDevice = await worker.evaluate(() => !!(self as unknown as { otedamaGpu?: { device?: { destroy(): void } } }).otedamaGpu?.device);
  expect(hasDevice).toBe(true);
});

test('edge restart: the page shows the lost connection, reconnects when the edge is back and shares flow again', async ({ page }) => {
  const [http, stratum, rpc] = await freePorts(3);
  const dataDir = mkdtempSync(join(tmpdir(), 'otedama-e2e-restart-'));
  const args = ['--http-port', String(http), '--stratum-port', String(stratum), '--rpc-port', String(rpc)];
  let restartable = await startEdge(args, dataDir);
  try {
    await page.goto(restartable.url);
    await startMining(page, { threads: 1 });
    await expectMoreAccepted(page, 0);
    await expect(page.locator('#connection')).toContainText('authorized');

    restartable.kill('SIGKILL');
    await expect(page.locator('#connection')).toContainText(/disconnected|reconnecting/);
    await expect(page.locator('#events li.warn', { hasText: /lost the job connection to ws:\/\/127\.0\.0\.1:\d+\/ws\/stratum .*reconnecting in/ })).toBeVisible();
    const before = await accepted(page);

    restartable = await startEdge(args, dataDir);
    const backAt = Date.now();
    await expect(page.locator('#connection')).toContainText('authorized', { timeout: 90_000 });
    figure('edge back -> miner authorized again', backAt);
    await expectMoreAccepted(page, before);
    figure('edge back -> next accepted share', backAt);
    expect(await stratumConnections(restartable)).toBeGreaterThanOrEqual(1);
  } finally {
    await restartable.stop();
    rmSync(dataDir, { recursive: true, force: true });
  }
});

test('failover: when edge A dies the miner moves to edge B from the list and shares flow there', async ({ page }) => {
  const a = await startEdge();
  const b = await startEdge();
  try {
    await page.goto(a.url);
    await startMining(page, { threads: 1, edges: [jobFeed(a.url), jobFeed(b.url)] });
    await expectMoreAccepted(page, 0);
    expect(await stratumConnections(b)).toBe(0);

    const killedAt = Date.now();
    a.kill('SIGKILL');
    const toB = jobFeed(b.url);
    await expect(page.locator('#events li.warn', { hasText: `failing over to ${toB}` })).toBeVisible();
    const before = await accepted(page);
    await expect(page.locator('#connection')).toContainText('authorized', { timeout: 60_000 });
    await expect(page.locator('#connection')).toContainText(toB);
    figure('edge A killed -> authorized on edge B', killedAt);
    await expectMoreAccepted(page, before);
    figure('edge A killed -> next accepted share on B', killedAt);
    expect(await stratumConnections(b)).toBeGreaterThanOrEqual(1);
  } finally {
    await a.stop();
    await b.stop();
  }
});
