import { describe, expect, it } from 'vitest';
import { buildStatus, formatBuildStatus, KawpowBuildTracker } from './kawpow-progress.ts';

describe('KawPow build progress', () => {
  it('gives percent and time left from the rate so far', () => {
    expect(buildStatus({ what: 'DAG', device: 'GPU worker', epoch: 598, done: 435, total: 1000 }, 10_000)).toEqual({
      what: 'DAG',
      device: 'GPU worker',
      epoch: 598,
      percent: 43.5,
      etaSeconds: 13,
    });
    // Too early to say.
    expect(buildStatus({ what: 'light cache', device: 'CPU worker 1', epoch: 0, done: 5, total: 1000 }, 200).etaSeconds).toBeNull();
    expect(buildStatus({ what: 'DAG', device: 'g', epoch: 0, done: 0, total: 0 }, 5).percent).toBe(0);
  });

  it('tracks builds per device until they end, restarting the clock on a new epoch', () => {
    const t = new KawpowBuildTracker();
    expect(t.report({ what: 'light cache', device: 'CPU worker 1', epoch: 0, done: 10, total: 100 }, 1000)).toBe(false);
    t.report({ what: 'DAG', device: 'GPU worker', epoch: 0, done: 1, total: 4 }, 1000);
    t.report({ what: 'light cache', device: 'CPU worker 1', epoch: 0, done: 50, total: 100 }, 3000);
    expect(t.statuses(3000)).toEqual([
      { what: 'light cache', device: 'CPU worker 1', epoch: 0, percent: 50, etaSeconds: 2 },
      { what: 'DAG', device: 'GPU worker', epoch: 0, percent: 25, etaSeconds: 6 },
    ]);
    expect(t.report({ what: 'light cache', device: 'CPU worker 1', epoch: 0, done: 100, total: 100 }, 4000)).toBe(true);
    t.report({ what: 'DAG', device: 'GPU worker', epoch: 1, done: 1, total: 4 }, 9000);
    expect(t.statuses(9000)).toEqual([{ what: 'DAG', device: 'GPU worker', epoch: 1, percent: 25, etaSeconds: 0 }]);
    t.clear('GPU worker');
    expect(t.statuses(9000)).toEqual([]);
  });

  it('says it in words', () => {
    expect(formatBuildStatus({ what: 'DAG', device: 'GPU worker', epoch: 598, percent: 43.5, etaSeconds: 80 })).toBe(
      'Building the DAG of epoch 598 on the GPU worker: 43.5 %, about 1 min 20 s left',
    );
    expect(formatBuildStatus({ what: 'light cache', device: 'CPU worker 1', epoch: 0, percent: 0.5, etaSeconds: null })).toBe('Building the light cache of epoch 0: 0.5 %');
  });
});
