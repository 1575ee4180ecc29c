import { describe, expect, it } from 'vitest';
import { SILENT_MS, STALL_MS, START_DEADLINE_MS, stallReason } from './rig-health.ts';

describe('when a rig browser needs a restart', () => {
  const t0 = 1_000_000;
  it('gives a starting browser until the start deadline for its first hash', () => {
    expect(stallReason({ now: t0 + START_DEADLINE_MS, launchedAt: t0 })).toBeUndefined();
    expect(stallReason({ now: t0 + START_DEADLINE_MS + 1, launchedAt: t0 })).toMatch(/no hashes/);
  });

  it('restarts a page that stopped reporting', () => {
    expect(stallReason({ now: t0 + SILENT_MS + 1, launchedAt: 0, lastStatsAt: t0, lastProgressAt: t0, connection: 'authorized', duty: 1 })).toMatch(/said nothing/);
  });

  it('restarts a connected, unpaused page whose hashes stopped growing', () => {
    const base = { launchedAt: 0, lastProgressAt: t0, connection: 'authorized', duty: 1 };
    expect(stallReason({ ...base, now: t0 + STALL_MS, lastStatsAt: t0 + STALL_MS })).toBeUndefined();
    expect(stallReason({ ...base, now: t0 + STALL_MS + 1, lastStatsAt: t0 + STALL_MS + 1 })).toMatch(/no new hashes/);
  });

  it('leaves a page alone while it reconnects to the pool or is paused by courtesy', () => {
    const late = { launchedAt: 0, lastProgressAt: t0, now: t0 + 10 * STALL_MS, lastStatsAt: t0 + 10 * STALL_MS };
    expect(stallReason({ ...late, connection: 'disconnected: reconnecting', duty: 1 })).toBeUndefined();
    expect(stallReason({ ...late, connection: 'authorized', duty: 0 })).toBeUndefined();
  });
});
