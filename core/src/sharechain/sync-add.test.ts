import { describe, expect, it } from 'vitest';
import { CoinTips } from './coin-context.ts';
import { ShareChain } from './sharechain.ts';
import { addSynced } from './sync-add.ts';
import { bytesToHex } from '../hex.ts';
import { coinTip, extend, testPool } from '../../test/sharechain-fixtures.ts';

describe('addSynced', () => {
  it('takes shares on coin blocks this peer does not know, or knows as old, with every other check; gossip would not', () => {
    const pool = testPool();
    const shares = extend(pool, 4).map((e) => e.encoded);
    // A peer whose coin moved on four blocks: the shares' block is first unknown, then stale.
    const coin = new CoinTips();
    const peer = new ShareChain({ params: pool.chain.params, coin, now: () => pool.now });
    expect(peer.add(shares[0]!, { history: true }).kind).toBe('accepted');
    expect(peer.add(shares[1]!).kind).toBe('held-back');
    expect(addSynced(peer, shares[1]!).kind).toBe('accepted');
    coin.add(pool.tip.prevHash, pool.tip.info);
    for (let n = 2; n <= 5; n++) coin.add(coinTip(n).prevHash, coinTip(n).info);
    expect(peer.add(shares[2]!)).toMatchObject({ kind: 'invalid', reason: 'coin-tip-stale' });
    expect(addSynced(peer, shares[2]!).kind).toBe('accepted');
    // Every other rule still holds: a share with broken work is refused.
    const broken = shares[3]!.slice();
    broken[broken.length - 60]! ^= 0xff;
    expect(addSynced(peer, broken).kind).toBe('invalid');
    expect(addSynced(peer, shares[3]!).kind).toBe('accepted');
    expect(peer.height).toBe(3);
  });

  it('takes a connected share whose window reaches below the synced window\'s oldest share, unverified, until the window lies within what is held', () => {
    // A window of 40 shares; the peer serves from height 10 (the shares below are beyond what it keeps).
    const pool = testPool({ maxWindowShares: 40 });
    extend(pool, 60);
    const fresh = new ShareChain({ params: pool.chain.params, coin: pool.coin, now: () => pool.now });
    for (const s of pool.chain.sharesAfter([pool.chain.bestAt(9)!.id], 20)) expect(fresh.add(s, { history: true }).kind).toBe('accepted');
    // The next batch, as sync adds it (not history): share 30's window reaches below height 10.
    const next = pool.chain.sharesAfter(fresh.locator(), 100);
    expect(fresh.add(next[0]!)).toMatchObject({ kind: 'missing-parent', missing: [pool.chain.bestAt(9)!.id] });
    for (const s of next) expect(addSynced(fresh, s).kind).toBe('accepted');
    expect(bytesToHex(fresh.tip!.id)).toBe(bytesToHex(pool.chain.tip!.id));
    expect(fresh.bestAt(30)!.verified).toBe(false);
    // From the first share whose window lies within heights 10.. every share is checked in full.
    expect(fresh.bestAt(59)!.verified).toBe(true);
    expect(fresh.window().credits).toEqual(pool.chain.window().credits);
    // A share that does not connect stays an orphan: sync never makes it a root.
    const lone = new ShareChain({ params: pool.chain.params, coin: pool.coin, now: () => pool.now });
    for (const s of pool.chain.sharesAfter([pool.chain.bestAt(9)!.id], 5)) lone.add(s, { history: true });
    expect(addSynced(lone, next[0]!).kind).toBe('missing-parent');
  });
});
