/**
 * BrowserMiner's option checks and its controls before start: no workers or sockets are made
 * until start(), so these run without a browser. Mining itself is tested in Chromium
 * (e2e/miner.spec.ts, e2e/gpu.spec.ts, e2e/recovery.spec.ts).
 */
import { describe, expect, it } from 'vitest';
import { MinerOptionError } from './errors.ts';
import { BrowserMiner, checkBrowserAlgorithm, type MinerEvent, type MinerOptions, type MinerStats } from './miner.ts';

const ADDRESS = 'bcrt1qw508d6qejxtdg4y5r3zarvary0c5xw7kygt080';
const EDGE = 'ws://127.0.0.1:8080/ws/stratum';

function options(over: Partial<MinerOptions> = {}): MinerOptions & { events: MinerEvent[]; stats: MinerStats[] } {
  const events: MinerEvent[] = [];
  const stats: MinerStats[] = [];
  return {
    address: ADDRESS,
    worker: 'web',
    algorithm: 'sha256d',
    threads: 1,
    gpu: false,
    intensity: 1,
    edges: [EDGE],
    onStats: (s) => stats.push(s),
    onEvent: (e) => events.push(e),
    events,
    stats,
    ...over,
  };
}

function refused(over: Partial<MinerOptions>): MinerOptionError {
  try {
    new BrowserMiner(options(over));
  } catch (err) {
    expect(err).toBeInstanceOf(MinerOptionError);
    return err as MinerOptionError;
  }
  throw new Error(`options ${JSON.stringify(over)} were accepted`);
}

describe('BrowserMiner options', () => {
  it('accepts a good set', () => {
    expect(() => new BrowserMiner(options())).not.toThrow();
    expect(() => new BrowserMiner(options({ threads: 0, gpu: true, intensity: 0.1, edges: [EDGE, 'wss://b.example/ws/stratum'] }))).not.toThrow();
  });

  it('refuses an algorithm without a browser engine, naming what this page mines', () => {
    expect(checkBrowserAlgorithm('SHA256D')).toBe('sha256d');
    expect(checkBrowserAlgorithm('kawpow')).toBe('kawpow');
    expect(refused({ algorithm: 'scrypt' }).reason).toMatch(/unknown algorithm "scrypt" \(known: sha256d, kawpow\)/);
    expect(refused({ algorithm: '' }).reason).toMatch(/choose an algorithm/);
    expect(refused({ algorithm: 7 as unknown as string }).reason).toMatch(/choose an algorithm/);
  });

  it('refuses bad threads, devices, intensity, edges, address and worker name with reasons', () => {
    expect(refused({ threads: 0, gpu: false }).reason).toBe('choose at least one CPU thread or the GPU');
    expect(refused({ threads: -1 }).reason).toMatch(/whole number from 0 to 256/);
    expect(refused({ threads: 1.5 }).reason).toMatch(/whole number/);
    expect(refused({ threads: 4000 }).reason).toMatch(/0 to 256/);
    expect(refused({ intensity: 0 }).reason).toMatch(/intensity must be a number from 0.1 to 1/);
    expect(refused({ intensity: 50 }).reason).toMatch(/intensity/);
    expect(refused({ edges: [] }).reason).toMatch(/at least one job feed URL/);
    expect(refused({ edges: ['http://127.0.0.1:8080/'] }).reason).toMatch(/ws:\/\/ or wss:\/\//);
    expect(refused({ address: '' }).reason).toMatch(/payout address/);
    expect(refused({ address: `${ADDRESS}.evil` }).reason).toMatch(/payout address/);
    expect(refused({ worker: 'a b' }).reason).toMatch(/worker name/);
  });
});

describe('BrowserMiner controls before start', () => {
  it('checks intensity and throttle values, and reports throttle changes once', () => {
    const o = options();
    const m = new BrowserMiner(o);
    expect(() => m.setIntensity(0.05)).toThrow(MinerOptionError);
    expect(() => m.setThrottle(-1, 'x')).toThrow(/throttle factor/);
    expect(() => m.setThrottle(Number.NaN)).toThrow(MinerOptionError);
    m.setIntensity(0.5);
    m.setThrottle(0, 'tab hidden');
    m.setThrottle(0, 'tab hidden');
    m.setThrottle(0.5, 'on battery (43 %)');
    m.setThrottle(1);
    expect(o.events).toEqual([
      { level: 'info', text: 'paused: tab hidden' },
      { level: 'info', text: 'throttled to 50 %: on battery (43 %)' },
      { level: 'info', text: 'resumed at full intensity' },
    ]);
  });

  it('nextJob resolves at once when not mining; stop before start does nothing', async () => {
    const o = options();
    const m = new BrowserMiner(o);
    await expect(m.nextJob()).resolves.toBeUndefined();
    await m.stop();
    expect(o.events).toEqual([]);
  });
});
