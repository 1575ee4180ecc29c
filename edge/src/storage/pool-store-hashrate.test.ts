/**
 * Hashrates over the time actually observed: real shares of known difficulty in a real database
 * (SQLite and PostgreSQL), read at an injected `now`. A pool or miner that started 40 s ago is
 * measured over those 40 s, not over 10 minutes (issue 11: a 5.25 MH/s page saw the pool at
 * 22.82 kH/s).
 */
import { HASHES_PER_DIFFICULTY_1 as H } from '@otedama/core';
import { afterAll, describe, expect, it } from 'vitest';
import { describeOnBackends, postgresBackend, sqliteBackend, type Backend } from '../../test/storage-backends.ts';
import { MIN_OBSERVED_MS, MINUTE_MS, observedStart, type ShareRecord } from './pool-store.ts';

const backends: Backend[] = [sqliteBackend(), await postgresBackend()];
afterAll(async () => {
  for (const b of backends) await b.close();
});

/** 12:00:30 UTC: half-way into a minute, so minute buckets and exact times differ. */
const NOW = Date.UTC(2025, 0, 1, 12, 0, 30);
let seq = 0;

function share(address: string, worker: string, time: number, difficulty: number): ShareRecord {
  const i = seq++;
  return { time, address, worker, difficulty, shareDiff: difficulty, jobId: `j${i}`, height: 1, isBlock: false, hash: i.toString(16).padStart(64, '0') };
}

/** Shares a miner of `hps` hashes per second finds at `difficulty` from `from` to `to` (ms), evenly spaced. */
function mined(address: string, worker: string, hps: number, difficulty: number, from: number, to: number): ShareRecord[] {
  const every = (difficulty * H * 1000) / hps;
  const out: ShareRecord[] = [];
  for (let t = from + every; t <= to; t += every) out.push(share(address, worker, Math.round(t), difficulty));
  return out;
}

const sum = (shares: ShareRecord[]) => shares.reduce((a, s) => a + s.difficulty, 0);

describe('observedStart', () => {
  it('is the window start, the first bucket start or the first share, whichever is latest', () => {
    const windowStart = 1000 * MINUTE_MS;
    expect(observedStart(windowStart, undefined, 5)).toBeUndefined();
    // Shares since before the window: the window.
    expect(observedStart(windowStart, 1000, 10 * MINUTE_MS)).toBe(windowStart);
    // A new group: its first share, exactly.
    expect(observedStart(windowStart, 1005, 1005 * MINUTE_MS + 42_000)).toBe(1005 * MINUTE_MS + 42_000);
    // A group that came back: the first bucket's start.
    expect(observedStart(windowStart, 1005, 10 * MINUTE_MS)).toBe(1005 * MINUTE_MS);
  });
});

describeOnBackends('hashrate windows', backends, (storage) => {
  it('a pool and a miner that started 40 s ago are measured over those 40 s', async () => {
    // A 5.25 MH/s browser at difficulty 0.001, alone on a fresh pool, for 40 s.
    const shares = mined('page', 'web', 5.25e6, 0.001, NOW - 40_000, NOW);
    await storage().store.insertShares(shares);
    const first = shares[0]!.time;
    const expected = (sum(shares) * H) / ((NOW - first) / 1000);

    const pool = await storage().store.poolStats(NOW);
    expect(pool.hashrate.seconds.m10).toBeCloseTo((NOW - first) / 1000, 6);
    expect(pool.hashrate.m10).toBeCloseTo(expected, 0);
    // Every window observed the same 40 s, so all three agree and read the page's speed.
    expect(pool.hashrate.h1).toBeCloseTo(expected, 0);
    expect(pool.hashrate.h24).toBeCloseTo(expected, 0);
    expect(pool.hashrate.m10 / 5.25e6).toBeGreaterThan(0.97);
    expect(pool.hashrate.m10 / 5.25e6).toBeLessThan(1.03);

    const [miner] = await storage().store.listMiners({}, NOW);
    expect(miner!.hashrate).toEqual(pool.hashrate);
    const detail = await storage().store.minerDetail('page', NOW);
    expect(detail!.hashrate).toEqual(pool.hashrate);
    expect(detail!.workerStats[0]!.hashrate).toEqual(pool.hashrate);
  });

  it('a miner whose first share came seconds ago is measured over MIN_OBSERVED_MS', async () => {
    await storage().store.insertShares([share('quick', 'w', NOW - 2_000, 0.5)]);
    const stats = await storage().store.poolStats(NOW);
    expect(stats.hashrate.seconds).toEqual({ m10: MIN_OBSERVED_MS / 1000, h1: MIN_OBSERVED_MS / 1000, h24: MIN_OBSERVED_MS / 1000 });
    expect(stats.hashrate.m10).toBeCloseTo((0.5 * H) / (MIN_OBSERVED_MS / 1000), 0);
  });

  it('a steady miner is measured over whole windows, a new worker beside it over its own time', async () => {
    // 'old' mined at 1 MH/s (difficulty 0.001) for the whole day; its second worker joined 90 s ago.
    const steady = mined('old', 'a', 1e6, 0.001, NOW - 24 * 3600_000, NOW);
    const joined = mined('old', 'b', 2e6, 0.001, NOW - 90_000, NOW);
    await storage().store.insertShares([...steady, ...joined]);
    const detail = (await storage().store.minerDetail('old', NOW))!;
    const a = detail.workerStats.find((w) => w.worker === 'a')!;
    const b = detail.workerStats.find((w) => w.worker === 'b')!;
    // The 10-minute window is the current minute (30 s) and 9 before it.
    expect(a.hashrate.seconds.m10).toBe(9 * 60 + 30);
    expect(a.hashrate.m10 / 1e6).toBeGreaterThan(0.97);
    expect(a.hashrate.m10 / 1e6).toBeLessThan(1.03);
    expect(b.hashrate.seconds.m10).toBeCloseTo((NOW - joined[0]!.time) / 1000, 6);
    expect(b.hashrate.m10 / 2e6).toBeGreaterThan(0.95);
    expect(b.hashrate.m10 / 2e6).toBeLessThan(1.05);
    // The address: both workers' work over the whole window (it mined all along).
    expect(detail.hashrate.seconds.m10).toBe(9 * 60 + 30);
    expect(detail.hashrate.m10).toBeCloseTo(a.hashrate.m10 + (sum(joined) * H) / (9 * 60 + 30), 0);
  });

  it('a miner that came back within the window is measured from its first minute back, never overstated', async () => {
    // Mined 3 hours ago for ten minutes, stopped, came back 40 s ago (at 11:59:50).
    const before = mined('back', 'w', 1e6, 0.001, NOW - 3 * 3600_000, NOW - 3 * 3600_000 + 600_000);
    const again = mined('back', 'w', 1e6, 0.001, NOW - 40_000, NOW);
    await storage().store.insertShares([...before, ...again]);
    const [m] = await storage().store.listMiners({}, NOW);
    // Its first share back fell in the 11:59 bucket: observed from 11:59:00, 90 s; the rollups
    // know no finer, so the figure is at most a minute's worth low, never high.
    const bucketStart = Math.floor(again[0]!.time / MINUTE_MS) * MINUTE_MS;
    expect(m!.hashrate.seconds.m10).toBe((NOW - bucketStart) / 1000);
    expect(m!.hashrate.m10).toBeCloseTo((sum(again) * H) / ((NOW - bucketStart) / 1000), 0);
    expect(m!.hashrate.m10).toBeLessThanOrEqual(1.03e6);
    expect(m!.hashrate.m10).toBeGreaterThan(0.3e6);
    // The day saw it three hours ago: the pause counts (no work reached the pool then).
    expect(m!.hashrate.seconds.h24).toBeCloseTo((NOW - before[0]!.time) / 1000, 6);
  });

  it('with no shares in a window the figure is 0 over the whole window', async () => {
    await storage().store.insertShares([share('gone', 'w', NOW - 2 * 3600_000, 1)]);
    const stats = await storage().store.poolStats(NOW);
    expect(stats.hashrate.m10).toBe(0);
    expect(stats.hashrate.seconds.m10).toBe(9 * 60 + 30);
    expect(stats.hashrate.h1).toBe(0);
    expect(stats.hashrate.seconds.h24).toBe(2 * 3600);
    expect(stats.hashrate.h24).toBeCloseTo(H / 7200, 3);
  });
});
