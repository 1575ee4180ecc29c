import { describe, expect, it } from 'vitest';
import { getAlgorithm, validateAddress } from '@otedama/core';
import { BROWSER_ALGORITHMS, checkSettings, offeredAlgorithms, poolAlgorithm, defaultSettings, defaultThreads, edgeHttpOrigin, pageEdgeUrl, parseEdges, repairSettings, type Settings } from './settings.ts';
import { SettingsError } from './errors.ts';

const ADDRESS = 'bcrt1qw508d6qejxtdg4y5r3zarvary0c5xw7kygt080';
const regtest = (a: string) => {
  try {
    validateAddress(a, 'regtest');
    return undefined;
  } catch (err) {
    return (err as Error).message;
  }
};
const good: Settings = { ...defaultSettings(8), address: ADDRESS };

function reason(fn: () => unknown): { field: string; reason: string } {
  try {
    fn();
  } catch (err) {
    expect(err).toBeInstanceOf(SettingsError);
    return { field: (err as SettingsError).field, reason: (err as SettingsError).reason };
  }
  throw new Error('expected a SettingsError');
}

describe('defaults', () => {
  it('uses at most half the cores and at least one thread', () => {
    expect(defaultThreads(8)).toBe(4);
    expect(defaultThreads(1)).toBe(1);
    expect(defaultThreads(3)).toBe(1);
    expect(defaultThreads(NaN)).toBe(1);
    expect(defaultThreads(0)).toBe(1);
  });
  it('starts with the GPU off, full intensity, sha256d, the page edge', () => {
    expect(defaultSettings(4)).toMatchObject({ gpu: false, intensity: 100, algorithm: 'sha256d', edges: [], threads: 2 });
  });
});

describe('BROWSER_ALGORITHMS', () => {
  it('names algorithms of core\'s registry with their registry titles', () => {
    for (const a of BROWSER_ALGORITHMS) expect(getAlgorithm(a.name)).toMatchObject({ name: a.name, title: a.title });
  });
});

describe('offeredAlgorithms', () => {
  it("offers the pool's algorithm, SHA-256d for an edge that names none, every one while the pool is unknown", () => {
    expect(offeredAlgorithms(poolAlgorithm({ pool: { network: 'simnet', algorithm: 'kawpow' } })).map((a) => a.name)).toEqual(['kawpow']);
    expect(offeredAlgorithms(poolAlgorithm({ pool: { network: 'regtest' } })).map((a) => a.name)).toEqual(['sha256d']);
    expect(offeredAlgorithms(undefined).map((a) => a.name)).toEqual(['sha256d', 'kawpow']);
    // A pool of an algorithm the page has no engine for: nothing to offer (Start then says why).
    expect(offeredAlgorithms('scrypt')).toEqual([]);
    for (const junk of [null, 7, 'x', { pool: null }, { pool: { algorithm: 3 } }, { pool: { algorithm: '' } }]) expect(poolAlgorithm(junk)).toBeNull();
  });
});

describe('parseEdges', () => {
  it('takes ws/wss URLs one per line or comma-separated, skips blanks and duplicates', () => {
    expect(parseEdges('ws://127.0.0.1:8080/ws/stratum\n\n  wss://pool.example/ws/stratum , ws://127.0.0.1:8080/ws/stratum')).toEqual([
      'ws://127.0.0.1:8080/ws/stratum',
      'wss://pool.example/ws/stratum',
    ]);
    expect(parseEdges('   \n# a comment\n')).toEqual([]);
  });
  it('turns an edge page URL into its job feed', () => {
    expect(parseEdges('http://127.0.0.1:8081')).toEqual(['ws://127.0.0.1:8081/ws/stratum']);
    expect(parseEdges('https://pool.example/')).toEqual(['wss://pool.example/ws/stratum']);
    expect(parseEdges('http://h:1/custom/feed')).toEqual(['ws://h:1/custom/feed']);
  });
  it('names the bad line', () => {
    expect(reason(() => parseEdges('ws://ok:1/ws/stratum\nnot a url'))).toEqual({ field: 'edges', reason: expect.stringContaining('edge 2: "not a url" is not a URL') });
    expect(reason(() => parseEdges('ftp://h/x')).reason).toContain('must start with ws:// or wss://');
    expect(reason(() => parseEdges('ws://h/ws/stratum#frag')).reason).toContain('fragment');
    expect(reason(() => parseEdges('ws://user:pw@h/ws/stratum')).reason).toContain('user name or password');
    expect(reason(() => parseEdges(Array.from({ length: 9 }, (_, i) => `ws://h${i}/`).join('\n'))).reason).toContain('at most 8');
  });
  it('maps page and feed URLs both ways', () => {
    expect(pageEdgeUrl('http://127.0.0.1:8080/index.html?x')).toBe('ws://127.0.0.1:8080/ws/stratum');
    expect(pageEdgeUrl('https://p.example/')).toBe('wss://p.example/ws/stratum');
    expect(edgeHttpOrigin('wss://p.example:444/ws/stratum')).toBe('https://p.example:444');
    expect(edgeHttpOrigin('ws://127.0.0.1:1/ws/stratum')).toBe('http://127.0.0.1:1');
  });
});

describe('checkSettings', () => {
  it('accepts good settings and trims the address', () => {
    expect(checkSettings({ ...good, address: `  ${ADDRESS} ` }, 8, regtest).address).toBe(ADDRESS);
    expect(checkSettings({ ...good, threads: 0, gpu: true }, 8, regtest).threads).toBe(0);
  });
  it('refuses each bad field with a reason', () => {
    expect(reason(() => checkSettings({ ...good, address: ' ' }, 8, regtest))).toEqual({ field: 'address', reason: 'enter a payout address' });
    expect(reason(() => checkSettings({ ...good, address: 'bc1qw508d6qejxtdg4y5r3zarvary0c5xw7kv8f3t4' }, 8, regtest)).field).toBe('address');
    expect(reason(() => checkSettings({ ...good, algorithm: 'scrypt' }, 8, regtest)).reason).toContain('cannot mine "scrypt"');
    expect(checkSettings({ ...good, algorithm: 'kawpow' }, 8, regtest).algorithm).toBe('kawpow');
    expect(reason(() => checkSettings({ ...good, threads: 9 }, 8, regtest)).reason).toContain('0 to 8');
    expect(reason(() => checkSettings({ ...good, threads: 1.5 }, 8, regtest)).field).toBe('threads');
    expect(reason(() => checkSettings({ ...good, threads: NaN }, 8, regtest)).field).toBe('threads');
    expect(reason(() => checkSettings({ ...good, threads: 0, gpu: false }, 8, regtest)).reason).toContain('at least one CPU thread or the GPU');
    expect(reason(() => checkSettings({ ...good, intensity: 5 }, 8, regtest)).field).toBe('intensity');
    expect(reason(() => checkSettings({ ...good, intensity: NaN }, 8, regtest)).field).toBe('intensity');
  });
});

describe('repairSettings', () => {
  it('keeps a good record', () => {
    const s: Settings = { ...good, threads: 3, gpu: true, intensity: 40, edges: ['ws://h:1/ws/stratum'], whenHidden: 'pause', onBattery: 'run' };
    expect(repairSettings(structuredClone(s), 8)).toEqual(s);
  });
  it('replaces only the damaged fields', () => {
    const r = repairSettings({ address: ADDRESS, threads: 'four', gpu: 'yes', intensity: 1000, edges: ['nope'], whenHidden: 'sleep', algorithm: 'x11', extra: 1 }, 8);
    expect(r).toEqual({ ...defaultSettings(8), address: ADDRESS });
  });
  it('falls back to defaults for anything that is not an object', () => {
    for (const raw of [undefined, null, 42, 'settings', []]) expect(repairSettings(raw, 4)).toEqual(defaultSettings(4));
  });
});
