import { describe, expect, it } from 'vitest';
import { checkEdgeUrl, EdgeFailover, HEALTHY_SESSION_MS } from './edge-failover.ts';
import { MinerOptionError } from './errors.ts';

const A = 'ws://127.0.0.1:8080/ws/stratum';
const B = 'ws://127.0.0.1:8081/ws/stratum';
const C = 'wss://pool.example/ws/stratum';
/** Jitter at its low end: every delay is exactly half the planned one. */
const low = () => 0;

describe('EdgeFailover', () => {
  it('one edge: reconnects to it with exponential backoff capped at 30 s', () => {
    const f = new EdgeFailover([A], { random: low });
    const delays = Array.from({ length: 9 }, (_, i) => {
      const n = f.sessionDown(i * 1000);
      expect(n.url).toBe(A);
      expect(n.failover).toBe(false);
      expect(n.failures).toBe(i + 1);
      return n.delayMs;
    });
    expect(delays).toEqual([250, 500, 1000, 2000, 4000, 8000, 15_000, 15_000, 15_000]);
    const high = new EdgeFailover([A], { random: () => 0.999999 });
    for (let i = 0; i < 12; i++) expect(high.sessionDown(0).delayMs).toBeLessThanOrEqual(30_000);
  });

  it('fails over in list order, wrapping around, and doubles the delay per full round', () => {
    const f = new EdgeFailover([A, B, C], { random: low });
    expect(f.current).toBe(A);
    const steps = Array.from({ length: 7 }, () => f.sessionDown(0));
    expect(steps.map((s) => s.url)).toEqual([B, C, A, B, C, A, B]);
    expect(steps.every((s) => s.failover)).toBe(true);
    expect(steps.map((s) => s.delayMs)).toEqual([250, 250, 250, 500, 500, 500, 1000]);
    expect(f.current).toBe(B);
  });

  it('a healthy session resets the backoff; a short one does not', () => {
    const f = new EdgeFailover([A, B], { random: low });
    for (let i = 0; i < 6; i++) f.sessionDown(0);
    expect(f.current).toBe(A);
    f.sessionUp(1000);
    const short = f.sessionDown(1000 + HEALTHY_SESSION_MS - 1);
    expect(short.failures).toBe(7);
    expect(short.delayMs).toBe(2000);
    expect(short.url).toBe(B);
    f.sessionUp(50_000);
    const afterHealthy = f.sessionDown(50_000 + HEALTHY_SESSION_MS);
    expect(afterHealthy).toEqual({ url: A, delayMs: 250, failover: true, failures: 1 });
    // A failed connect that follows (never up) counts on from there.
    expect(f.sessionDown(70_000).failures).toBe(2);
  });

  it('refuses an empty list, bad URLs and bad timing options', () => {
    expect(() => new EdgeFailover([])).toThrow(/at least one job feed URL/);
    expect(() => new EdgeFailover(['http://127.0.0.1:8080/ws/stratum'])).toThrow(/ws:\/\/ or wss:\/\//);
    expect(() => new EdgeFailover([A, 'not a url'])).toThrow(MinerOptionError);
    expect(() => new EdgeFailover([A], { baseMs: -1 })).toThrow(/baseMs/);
    expect(() => new EdgeFailover([A], { baseMs: 1000, capMs: 10 })).toThrow(/capMs/);
  });
});

describe('edge URLs', () => {
  it('checks one URL', () => {
    expect(checkEdgeUrl(` ${A} `)).toBe(A);
    expect(checkEdgeUrl(C)).toBe(C);
    expect(() => checkEdgeUrl('')).toThrow(/not a URL/);
    expect(() => checkEdgeUrl('127.0.0.1:8080')).toThrow(MinerOptionError);
    expect(() => checkEdgeUrl('https://pool.example/ws/stratum')).toThrow(/ws:\/\/ or wss:\/\//);
    expect(() => checkEdgeUrl('ws://user:pw@pool.example/ws/stratum')).toThrow(/user name or password/);
    expect(() => checkEdgeUrl('ws://pool.example/ws/stratum#x')).toThrow(/fragment/);
  });
});
