import { describe, expect, it } from 'vitest';
import { HashMeter } from './hash-meter.ts';
import { deviceStatuses, drainSubmits, isLiveJob, liveJobIdsAfter, MAX_LIVE_JOBS } from './miner-parts.ts';

describe('miner parts', () => {
  it('keeps job ids live until a clean job or a new connection, at most MAX_LIVE_JOBS', () => {
    const j = (jobId: string, connectionId = 1) => ({ jobId, connectionId });
    let ids = liveJobIdsAfter([], null, j('a'), false);
    expect(ids).toEqual(['a']);
    ids = liveJobIdsAfter(ids, j('a'), j('b'), false);
    expect(ids).toEqual(['a', 'b']);
    ids = liveJobIdsAfter(ids, j('b'), j('a'), false); // a repeated id moves to the end, once
    expect(ids).toEqual(['b', 'a']);
    expect(liveJobIdsAfter(ids, j('a'), j('c'), true)).toEqual(['c']);
    expect(liveJobIdsAfter(ids, j('a'), j('c', 2), false)).toEqual(['c']);
    for (let i = 0; i < 40; i++) ids = liveJobIdsAfter(ids, j('x'), j(`j${i}`), false);
    expect(ids).toHaveLength(MAX_LIVE_JOBS);
    expect(ids.at(-1)).toBe('j39');
    expect(isLiveJob(j('j39'), ids, j('j39'), true)).toBe(true);
    expect(isLiveJob(j('j39'), ids, j('j39'), false)).toBe(false); // the pool is not ready
    expect(isLiveJob(j('j39'), ids, j('j39', 2), true)).toBe(false); // another connection's job
    expect(isLiveJob(j('j39'), ids, j('a'), true)).toBe(false); // dropped long ago
    expect(isLiveJob(null, ids, j('j39'), true)).toBe(false);
  });

  it('lists the CPU threads then each GPU, with its error if it stopped', () => {
    const meters = new Map([['cpu', new HashMeter()], ['gpu0', new HashMeter()]]);
    const cpu = { threads: 2, totalHashes: () => 10 };
    const gpu = { hashes: 5, error: 'device lost', gpu: { label: 'gpu0', info: { description: '', device: 'llvmpipe' } } };
    expect(deviceStatuses(meters, cpu, 'wasm light evaluation', [gpu])).toEqual([
      { name: 'cpu', kind: 'wasm light evaluation', threads: 2, hashesPerSecond: 0, hashes: 10 },
      { name: 'gpu0', kind: 'webgpu', description: 'llvmpipe', hashesPerSecond: 0, hashes: 5, error: 'device lost' },
    ]);
    expect(deviceStatuses(meters, null, 'x', [])).toEqual([]);
  });

  it('waits for verdicts at stop, but not past the limit', async () => {
    let settled = false;
    await drainSubmits(new Set([new Promise((r) => setTimeout(r, 5)).then(() => (settled = true))]), 5_000);
    expect(settled).toBe(true);
    const never = new Promise(() => undefined);
    await expect(drainSubmits(new Set([never]), 10)).resolves.toBeUndefined();
  });
});
