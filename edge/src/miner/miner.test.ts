/**
 * The SHA-256d miner against a real Stratum pool (edge/test/mini-stratum-pool.ts, every submit
 * checked with core): on a CPU thread (WASM) shares accepted, a clean job followed, pause and
 * resume; on a GPU (Dawn on llvmpipe) shares accepted with each GPU on its own extranonce2.
 * `otedama mine` end to end is edge/test/cli-mine.test.ts.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { silentLogger } from '../logger.ts';
import { MiniStratumPool } from '../../test/mini-stratum-pool.ts';
import { listGpuAdapters } from './gpu-devices.ts';
import { Miner, type MinerOptions } from './miner.ts';
import { StratumClient } from './stratum-client.ts';

const stops: (() => unknown)[] = [];
afterEach(async () => {
  for (const stop of stops.splice(0).reverse()) await stop();
});

async function setup(options: MinerOptions) {
  const pool = new MiniStratumPool({ difficulty: 0.0005 });
  await pool.start();
  stops.push(() => pool.stop());
  const client = new StratumClient({ pool: { tls: false, host: '127.0.0.1', port: pool.port }, user: 'addr.rig1', password: 'x', backoffInitialMs: 50 }, silentLogger);
  const miner = new Miner(options, client, silentLogger);
  stops.push(() => client.stop());
  stops.push(() => miner.stop());
  await miner.start();
  client.start();
  return { pool, miner };
}

describe('Miner on a CPU thread (WASM)', () => {
  it('mines accepted shares, follows a clean job, pauses and resumes, stops idempotently', async () => {
    const { pool, miner } = await setup({ threads: 1, cpuEngine: 'wasm', gpus: [] });
    await expect.poll(() => pool.shares.filter((s) => s.valid).length, { timeout: 60_000, interval: 100 }).toBeGreaterThanOrEqual(2);
    expect(pool.shares.filter((s) => !s.valid)).toEqual([]);
    const status = miner.status();
    expect(status).toMatchObject({ state: 'mining', job: { id: pool.job.jobId }, pool: { state: 'ready' } });
    expect(status.preparing).toBeUndefined();
    expect(status.hashrate.devices[0]).toMatchObject({ name: 'cpu', kind: 'wasm', threads: 1 });
    expect(status.shares.invalid).toBe(0);

    const next = pool.newJob(true);
    await expect.poll(() => pool.shares.filter((s) => s.valid && s.jobId === next.jobId).length, { timeout: 60_000, interval: 100 }).toBeGreaterThanOrEqual(1);

    miner.pause();
    expect(miner.isPaused).toBe(true);
    expect(miner.status().state).toBe('paused');
    // The chunk in flight ends, then the counter holds still.
    let last = -1;
    await expect
      .poll(() => {
        const hashes = miner.status().hashrate.devices[0]!.hashes;
        const still = hashes === last;
        last = hashes;
        return still;
      }, { timeout: 10_000, interval: 300 })
      .toBe(true);
    const before = pool.shares.length;
    miner.resume();
    await expect.poll(() => pool.shares.length, { timeout: 60_000, interval: 100 }).toBeGreaterThan(before);

    await miner.stop();
    await miner.stop();
    expect(miner.status().state).toBe('stopped');
  }, 120_000);
});

describe('Miner on a GPU (Dawn, llvmpipe)', async () => {
  const adapters = await listGpuAdapters();
  const gpuIt = adapters.adapters.length ? it : it.skip;

  gpuIt('mines shares the pool accepts, the GPU on an extranonce2 of its own', async () => {
    const { pool, miner } = await setup({ threads: 0, cpuEngine: 'wasm', gpus: [0] });
    await expect.poll(() => pool.shares.filter((s) => s.valid).length, { timeout: 120_000, interval: 250 }).toBeGreaterThanOrEqual(2);
    expect(pool.shares.filter((s) => !s.valid)).toEqual([]);
    const status = miner.status();
    expect(status.hashrate.devices).toHaveLength(1);
    expect(status.hashrate.devices[0]).toMatchObject({ name: 'gpu0', kind: 'webgpu' });
    expect(status.hashrate.devices[0]!.hashes).toBeGreaterThan(0);
    expect(status.shares.invalid).toBe(0);
  }, 180_000);
});
