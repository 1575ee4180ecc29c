import { describe, expect, it } from 'vitest';
import { Uint8ArrayList } from 'uint8arraylist';
import { createLogger } from '../logger.ts';
import { frame } from './p2p-test-kit.ts';
import { BAN_SCORE, PeerGuard, PENALTY } from './peer-guard.ts';
import { FrameMeter } from './stream-gate.ts';

const silent = createLogger({ level: 'silent' });

function guardAt(limits = {}) {
  let t = 1_000_000;
  const guard = new PeerGuard({ banSeconds: 60, logger: silent, now: () => t, limits });
  return { guard, advance: (ms: number) => (t += ms) };
}

describe('PeerGuard', () => {
  it('bans at BAN_SCORE, tells its listeners once, and lifts the ban when it expires', () => {
    const { guard, advance } = guardAt();
    const bans: string[] = [];
    guard.onBan((b) => bans.push(`${b.peer}:${b.offence}`));
    for (let i = 0; i < 4; i++) guard.penalize('p', PENALTY.malformedRequest, 'malformed');
    expect(guard.isBanned('p')).toBe(false);
    expect(guard.score('p')).toBeGreaterThan(BAN_SCORE);
    guard.penalize('p', PENALTY.malformedRequest, 'malformed');
    expect(guard.isBanned('p')).toBe(true);
    guard.penalize('p', PENALTY.malformedRequest, 'malformed');
    expect(bans).toEqual(['p:score']);
    const gater = guard.gater();
    const id = { toString: () => 'p' } as never;
    expect(gater.denyDialPeer!(id)).toBe(true);
    expect(gater.denyInboundEncryptedConnection!(id, {} as never)).toBe(true);
    advance(60_001);
    expect(guard.isBanned('p')).toBe(false);
    expect(gater.denyDialPeer!(id)).toBe(false);
  });

  it('adds the gossipsub score, and forgives old penalties (half-life 10 min)', () => {
    const { guard, advance } = guardAt();
    guard.gossipScore = (p) => (p === 'q' ? -450 : 0);
    guard.penalize('q', 40, 'x');
    expect(guard.score('q')).toBe(-490);
    guard.check('q');
    expect(guard.isBanned('q')).toBe(false);
    guard.penalize('q', 20, 'y');
    expect(guard.isBanned('q')).toBe(true);
    guard.penalize('r', 100, 'z');
    advance(10 * 60_000);
    expect(guard.penalty('r')).toBeCloseTo(50, 6);
  });

  it('rate-limits gossip and sync per peer, and charges the excess', () => {
    const { guard, advance } = guardAt({ gossipPerSecond: 2, gossipBurst: 3, syncPerSecond: 1, syncBurst: 1 });
    expect([1, 2, 3, 4].map(() => guard.allowGossip('a'))).toEqual([true, true, true, false]);
    expect(guard.allowGossip('b')).toBe(true);
    expect(guard.penalty('a')).toBe(PENALTY.overRate);
    advance(500);
    expect(guard.allowGossip('a')).toBe(true);
    expect([guard.allowSync('a'), guard.allowSync('a')]).toEqual([true, false]);
  });

  it('keeps its memory bounded under a flood of fresh peer ids', () => {
    const { guard } = guardAt();
    for (let i = 0; i < 25_000; i++) guard.penalize(`peer-${i}`, 1, 'x');
    expect((guard as unknown as { penalties: Map<string, unknown> }).penalties.size).toBeLessThanOrEqual(10_000);
    for (let i = 0; i < 12_000; i++) guard.ban(`bad-${i}`, 'oversized-frame', 'x');
    expect(guard.bans().length).toBeLessThanOrEqual(10_000);
  });
});

describe('FrameMeter', () => {
  it('follows length prefixes across chunk boundaries and reports the first frame over the limit', () => {
    const meter = new FrameMeter(300);
    const stream = Uint8Array.from([...frame(200), ...frame(300), ...frame(5), ...frame(301, 10)]);
    const chunks = [stream.subarray(0, 1), stream.subarray(1, 150), stream.subarray(150, 203), stream.subarray(203)];
    const results = chunks.map((c, i) => (i === 3 ? meter.push(new Uint8ArrayList(c.subarray(0, 100), c.subarray(100))) : meter.push(c)));
    expect(results.slice(0, 3)).toEqual([undefined, undefined, undefined]);
    expect(results[3]).toBe(301);
  });

  it('reports a runaway varint prefix', () => {
    expect(new FrameMeter(1 << 20).push(Uint8Array.of(0xff, 0xff, 0xff, 0xff, 0xff, 0x01))).toBe(Infinity);
    expect(new FrameMeter(1 << 30).push(frame(1 << 29, 0))).toBeUndefined();
  });
});
