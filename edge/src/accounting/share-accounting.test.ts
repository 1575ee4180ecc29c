import type { AcceptedShare } from '@otedama/core';
import { describe, expect, it } from 'vitest';
import { MetricsRegistry } from '../metrics/metrics.ts';
import { createPoolMetrics } from '../metrics/pool-metrics.ts';
import { createShareAccounting, shareRecord } from './share-accounting.ts';
import type { ShareRecord } from '../storage/pool-store.ts';
import type { ShareEvent } from '../stratum/stratum-session.ts';

/** A chain share target no test hash meets (hash bytes are 0xab..., the target is 0): pseudo-shares only. */
const NO_CHAIN = { job: {} as never, targetLE: new Uint8Array(32), difficulty: Infinity };

function event(over: Partial<ShareEvent> = {}): ShareEvent {
  const hash = new Uint8Array(32);
  hash[0] = 0xab; // internal order: first byte is the last in display order
  return {
    sessionId: 1, remoteAddress: '127.0.0.1', username: 'bcrt1qx.rig', address: 'bcrt1qx', workerName: 'rig', jobId: '1f', height: 7,
    difficulty: 0.5, share: { ok: true, difficulty: 3.25, targetDifficulty: 0.5, hash, isBlock: false } as unknown as AcceptedShare, chain: NO_CHAIN,
    ...over,
  };
}

describe('share accounting hooks', () => {
  it('builds the stored record from an accepted share', () => {
    const r = shareRecord(event(), 1234);
    expect(r).toEqual({ time: 1234, address: 'bcrt1qx', worker: 'rig', difficulty: 0.5, shareDiff: 3.25, jobId: '1f', height: 7, isBlock: false, hash: '00'.repeat(31) + 'ab' });
  });

  it('the reply waits for the commit; metrics count accepted and rejected shares', async () => {
    const stored: ShareRecord[] = [];
    let release!: () => void;
    const gate = new Promise<void>((r) => (release = r));
    const registry = new MetricsRegistry();
    const metrics = createPoolMetrics(registry);
    const hooks = createShareAccounting({ writer: { append: async (s) => { await gate; stored.push(s); } }, metrics, now: () => 99 });
    let acked = false;
    const p = hooks.onShare(event()).then(() => (acked = true));
    await new Promise((r) => setTimeout(r, 5));
    expect(acked).toBe(false);
    release();
    await p;
    expect(stored.map((s) => s.time)).toEqual([99]);
    hooks.onReject({ sessionId: 1, remoteAddress: 'x', reason: 'stale', message: 'stale' });
    expect(metrics.sharesAccepted.get()).toBe(1);
    expect(metrics.sharesRejected.get({ reason: 'stale' })).toBe(1);
    expect(metrics.miningEfficiency.get()).toBe(0.5);
    expect(registry.render()).toContain('otedama_submit_latency_seconds_count 1');
  });

  it('a failed commit rejects the hook (the miner gets an error, not "accepted")', async () => {
    const hooks = createShareAccounting({ writer: { append: () => Promise.reject(new Error('disk full')) } });
    await expect(hooks.onShare(event())).rejects.toThrow('disk full');
  });
});
