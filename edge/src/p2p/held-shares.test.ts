import { describe, expect, it } from 'vitest';
import { HELD_FOR_MS, HeldShares, isRetryable, MAX_HELD_PER_PEER, MAX_HELD_SHARES } from './held-shares.ts';

const share = (n: number) => Uint8Array.of(n >> 8, n & 0xff);

describe('held shares', () => {
  it('holds only what time can change: an unknown coin block or a time ahead, not a stale coin block', () => {
    expect(isRetryable('unknown-coin-tip: coin block 00ab is not known here (yet)')).toBe(true);
    expect(isRetryable('future-time: share time is 9000 ms ahead of this clock')).toBe(true);
    expect(isRetryable('coin-tip-stale: coin block 00ab is too old')).toBe(false);
    expect(isRetryable('')).toBe(false);
  });

  it('one flooding peer keeps at most its own share of the room and cannot push out the others', () => {
    const held = new HeldShares();
    for (let i = 0; i < 10; i++) held.hold(`honest-${i % 3}`, share(i), 0);
    for (let i = 0; i < 10_000; i++) held.hold('flooder', share(i), 0);
    const taken = held.take(1);
    expect(taken.filter((h) => h.peer === 'flooder')).toHaveLength(MAX_HELD_PER_PEER);
    expect(taken.filter((h) => h.peer.startsWith('honest'))).toHaveLength(10);
    // The flooder's newest are the ones kept.
    expect(taken.filter((h) => h.peer === 'flooder').at(-1)!.share).toEqual(share(9_999));
  });

  it('many peers together stay within the total, oldest out first', () => {
    const held = new HeldShares();
    for (let i = 0; i < MAX_HELD_SHARES * 3; i++) held.hold(`peer-${i}`, share(i), 0);
    const taken = held.take(1);
    expect(taken).toHaveLength(MAX_HELD_SHARES);
    expect(taken[0]!.peer).toBe(`peer-${MAX_HELD_SHARES * 2}`);
  });

  it('keeps a copy (the caller may reuse its buffer), and lets a share go once its time is up, put back or not', () => {
    const held = new HeldShares();
    const bytes = share(7);
    held.hold('a', bytes, 1_000);
    bytes.fill(0);
    const [h] = held.take(1_001);
    expect(h!.share).toEqual(share(7));
    held.putBack(h!, 2_000);
    expect(held.take(2_001)).toHaveLength(1);
    held.putBack(h!, 1_000 + HELD_FOR_MS);
    expect(held.size).toBe(0);
    held.hold('a', share(8), 0);
    expect(held.take(HELD_FOR_MS)).toHaveLength(0);
  });
});
