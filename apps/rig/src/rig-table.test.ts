import { describe, expect, it } from 'vitest';
import { MINER_STATS_EVENT } from '@otedama/web/miner-runtime';
import { readPageStats, STATS_EVENT } from './rig-browser.ts';
import type { RigSnapshot } from './rig.ts';
import { formatSummary, formatTable, summaryJson } from './rig-table.ts';

const snapshot: RigSnapshot = {
  elapsedMs: 125_000,
  rows: [
    { browser: 1, state: 'mining', pid: 4242, hashrate: 5_100_000, hashes: 600_000_000, accepted: 12, rejected: 0, stale: 1, restarts: 1, peers: 0, note: '' },
    { browser: 2, state: 'restarting', pid: undefined, hashrate: 0, hashes: 25_000_000, accepted: 3, rejected: 1, stale: 0, restarts: 2, peers: 0, note: 'Chromium exited (SIGKILL)' },
  ],
  total: { hashrate: 5_100_000, hashes: 625_000_000, accepted: 15, rejected: 1, stale: 1, restarts: 3, peers: 0 },
};

describe('what the rig prints', () => {
  it('a table with a row per browser and the total', () => {
    const lines = formatTable(snapshot);
    expect(lines).toHaveLength(4);
    expect(lines[0]).toMatch(/^browser\s+state\s+pid\s+hashrate\s+accepted\s+rejected\s+stale\s+restarts\s+peers\s+note$/);
    expect(lines[1]).toMatch(/^1\s+mining\s+4242\s+5\.10 MH\/s\s+12\s+0\s+1\s+1\s+0$/);
    expect(lines[2]).toMatch(/^2\s+restarting\s+-\s+0 H\/s\s+3\s+1\s+0\s+2\s+0\s+Chromium exited \(SIGKILL\)$/);
    expect(lines[3]).toMatch(/^total\s+5\.10 MH\/s\s+15\s+1\s+1\s+3\s+0\s+up 2m05s$/);
  });

  it('a summary with average hashrates over the run', () => {
    const lines = formatSummary(snapshot);
    expect(lines[0]).toBe('rig stopped after 2m05s:');
    expect(lines.at(-1)).toMatch(/^total\s+15\s+1\s+1\s+3\s+5\.00 MH\/s$/);
    const json = summaryJson(snapshot) as { total: { averageHashrate: number }; browsers: { averageHashrate: number }[] };
    expect(json.total.averageHashrate).toBe(5_000_000);
    expect(json.browsers[0]!.averageHashrate).toBe(4_800_000);
  });

  it('reads the page stats defensively and listens to the web app\'s event', () => {
    expect(STATS_EVENT).toBe(MINER_STATS_EVENT);
    expect(readPageStats(null)).toBeUndefined();
    expect(readPageStats({ hashrate: -5, hashes: 'many', accepted: 2, duty: 7, connection: 42 })).toEqual({ hashrate: 0, hashes: 0, accepted: 2, rejected: 0, stale: 0, connection: '', duty: 1, peers: 0 });
  });
});
