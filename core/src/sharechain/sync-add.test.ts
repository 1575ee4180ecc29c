import { describe, expect, it } from 'vitest';
import { CoinTips } from './coin-context.ts';
import { ShareChain } from './sharechain.ts';
import { addSynced } from './sync-add.ts';
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
});
