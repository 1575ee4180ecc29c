/**
 * The KawPow miner against a real KawPow Stratum pool (edge/test/kawpow-stratum-pool.ts, core's
 * codec and validator with the WASM light evaluation), on every device kind here:
 *   - CPU threads hashing by light evaluation at epoch 0's real size: shares accepted, the light
 *     cache built with progress (or read from the store), a clean job followed, pause and resume;
 *   - a GPU (Dawn on llvmpipe) with a reduced dataset (the same code, a size parameter used only
 *     by tests; the pool checks at the same size): the DAG built on the GPU, shares accepted;
 *   - stop during a DAG build: the build is cancelled and the miner stops promptly.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { diskLightCacheStore } from '../chain/light-cache-store.ts';
import type { KawpowLight } from '../chain/kawpow-light.ts';
import { silentLogger, type Logger } from '../logger.ts';
import { testKawpowLight, TEST_LIGHT_CACHE_DIR } from '../../test/kawpow-helpers.ts';
import { KawpowStratumPool } from '../../test/kawpow-stratum-pool.ts';
import { KawpowMiner, splitNonceRange } from './kawpow-miner.ts';
import { listGpuAdapters } from './gpu-devices.ts';
import { parsePoolUrl } from './pool-url.ts';
import { KawpowStratumClient } from './stratum-client-kawpow.ts';

let light: KawpowLight;
beforeAll(async () => {
  light = await testKawpowLight();
  await light.prepare(1_000);
}, 120_000);
afterAll(() => light?.dispose());

const stops: (() => unknown)[] = [];
afterEach(async () => {
  for (const stop of stops.splice(0).reverse()) await stop();
});

const USER = 'mo9ncXisMeAoXwqcV5EWuyncbmCcQN4rVs.rig1';

/** A logger that keeps the messages (to see the builds' progress lines). */
function recordingLogger(lines: string[]): Logger {
  const make = (component: string): Logger => ({
    debug: () => {},
    info: (m) => void lines.push(`${component}: ${m}`),
    warn: (m) => void lines.push(`${component}: ${m}`),
    error: (m) => void lines.push(`${component}: ${m}`),
    forComponent: (name) => make(name),
  });
  return make('test');
}

async function setup(poolOptions: Partial<ConstructorParameters<typeof KawpowStratumPool>[0]>, minerOptions: ConstructorParameters<typeof KawpowMiner>[0], logger: Logger = silentLogger) {
  const pool = new KawpowStratumPool({ lightMix: light.mix, ...poolOptions });
  await pool.start();
  stops.push(() => pool.stop());
  const client = new KawpowStratumClient({ pool: parsePoolUrl(pool.url), user: USER, password: 'x', backoffInitialMs: 50 }, logger);
  const miner = new KawpowMiner(minerOptions, client, logger);
  stops.push(() => client.stop());
  stops.push(() => miner.stop());
  await miner.start();
  client.start();
  return { pool, client, miner };
}

describe('splitNonceRange', () => {
  it('cuts a prefix range into contiguous slices that cover it exactly', () => {
    const first = 0x8001_0000_0000_0000n;
    const last = 0x8001_ffff_ffff_ffffn;
    const slices = splitNonceRange(first, last, 3);
    expect(slices[0]!.start).toBe(first);
    expect(slices[2]!.end).toBe(last + 1n);
    for (let i = 1; i < 3; i++) expect(slices[i]!.start).toBe(slices[i - 1]!.end);
  });
});

describe('KawpowMiner on the CPU (light evaluation, epoch 0)', () => {
  it('builds the light cache with progress, mines accepted shares, follows a clean job, pauses and resumes', async () => {
    const lines: string[] = [];
    const store = mkdtempSync(join(tmpdir(), 'otedama-kawpow-miner-'));
    stops.push(() => rmSync(store, { recursive: true, force: true }));
    const { pool, miner } = await setup({}, { threads: 1, gpus: [], store: diskLightCacheStore(store) }, recordingLogger(lines));

    await expect.poll(() => pool.shares.filter((s) => s.verdict.ok).length, { timeout: 60_000, interval: 200 }).toBeGreaterThanOrEqual(2);
    expect(lines.some((l) => /building the light cache of epoch 0/.test(l))).toBe(true);
    expect(lines.some((l) => /light cache of epoch 0 ready/.test(l))).toBe(true);
    // Every share it sent is in its prefix and valid.
    expect(pool.shares.filter((s) => !s.verdict.ok)).toEqual([]);
    const params = pool.shares[0]!.params as string[];
    expect(params[0]).toBe(USER);
    expect(params[2]).toMatch(new RegExp(`^0x${pool.noncePrefixOf(1)}[0-9a-f]{12}$`));

    const status = miner.status();
    expect(status).toMatchObject({ state: 'mining', job: { height: 1_000, epoch: 0 }, pool: { state: 'ready' } });
    expect(status.hashrate.devices[0]).toMatchObject({ name: 'cpu', threads: 1 });
    expect(status.hashrate.devices[0]!.kind).toMatch(/light evaluation/);
    expect(status.shares.invalid).toBe(0);

    // A clean job: shares follow it.
    const next = pool.newJob(true);
    await expect.poll(() => pool.shares.filter((s) => s.verdict.ok && s.verdict.job.headerHash.every((b, i) => b === next.headerHash[i])).length, { timeout: 60_000, interval: 200 }).toBeGreaterThanOrEqual(1);

    // Paused: no hashing; resumed: shares again.
    miner.pause();
    expect(miner.status().state).toBe('paused');
    const hashes = miner.status().hashrate.devices[0]!.hashes;
    await new Promise((r) => setTimeout(r, 300));
    const settled = miner.status().hashrate.devices[0]!.hashes;
    await new Promise((r) => setTimeout(r, 500));
    expect(miner.status().hashrate.devices[0]!.hashes).toBe(settled);
    expect(settled - hashes).toBeLessThan(64);
    const before = pool.shares.length;
    miner.resume();
    await expect.poll(() => pool.shares.length, { timeout: 60_000, interval: 200 }).toBeGreaterThan(before);
  }, 120_000);
});

describe('KawpowMiner on a GPU (Dawn, llvmpipe)', async () => {
  const adapters = await listGpuAdapters();
  const gpuIt = adapters.adapters.length ? it : it.skip;

  /** A reduced dataset of 8191 1024-bit items (about 1 MiB): the DAG builds in a moment on llvmpipe. */
  const REDUCED_ITEMS = 8191;

  gpuIt('builds the DAG on the GPU and mines shares the pool accepts (reduced dataset on both sides)', async () => {
    const lines: string[] = [];
    const { pool, miner } = await setup(
      { lightMix: async (h, n, height) => (await light.hasher.hash(h, n, height, { datasetItems: REDUCED_ITEMS })).mixHash },
      { threads: 0, gpus: [0], store: diskLightCacheStore(TEST_LIGHT_CACHE_DIR), datasetItems: REDUCED_ITEMS },
      recordingLogger(lines),
    );
    await expect.poll(() => pool.shares.filter((s) => s.verdict.ok).length, { timeout: 120_000, interval: 250 }).toBeGreaterThanOrEqual(2);
    expect(pool.shares.filter((s) => !s.verdict.ok)).toEqual([]);
    expect(lines.some((l) => /gpu0 ready/.test(l))).toBe(true);
    const status = miner.status();
    expect(status.hashrate.devices[0]).toMatchObject({ name: 'gpu0', kind: 'webgpu' });
    expect(status.hashrate.devices[0]!.hashes).toBeGreaterThan(0);
    expect(status.shares.invalid).toBe(0);
  }, 180_000);

  gpuIt('shows the DAG build with percent and time left, and a stop during the build cancels it', async () => {
    // 64 MiB: long enough on llvmpipe (about a minute) to be caught building.
    const items = 2 ** 19 - 1;
    const { miner } = await setup(
      { lightMix: async (h, n, height) => (await light.hasher.hash(h, n, height, { datasetItems: items })).mixHash },
      { threads: 0, gpus: [0], store: diskLightCacheStore(TEST_LIGHT_CACHE_DIR), datasetItems: items },
    );
    await expect.poll(() => miner.status().preparing?.find((p) => p.what === 'DAG' && p.percent > 0), { timeout: 60_000, interval: 200 }).toBeTruthy();
    const building = miner.status().preparing!.find((p) => p.what === 'DAG')!;
    expect(building).toMatchObject({ device: 'gpu0', epoch: 0 });
    expect(building.percent).toBeLessThan(100);
    expect(miner.status().state).toBe('preparing');
    const t0 = performance.now();
    await miner.stop();
    // The build stops between chunks (about 100 ms each), not after the whole DAG.
    expect(performance.now() - t0).toBeLessThan(20_000);
    expect(miner.status().state).toBe('stopped');
  }, 120_000);
});
