import { CoinTips, ShareChain } from '@otedama/core';
import { describe, expect, it } from 'vitest';
import { extend, testPool } from '../../../core/test/sharechain-fixtures.ts';
import { ShareChainHost } from './chain-host-sharechain.ts';
import { SyncShareChainHost } from './chain-host-sync.ts';

describe('SyncShareChainHost', () => {
  it('takes a synced share on a coin block this edge never saw; the gossip host holds it back', () => {
    const pool = testPool();
    const shares = extend(pool, 2).map((e) => e.encoded);
    // An edge that restarted after the coin moved on: its coin context knows none of these blocks.
    const chain = new ShareChain({ params: pool.chain.params, coin: new CoinTips(), now: () => pool.now });
    const accepted: string[] = [];
    const gossip = new ShareChainHost(chain, (a) => accepted.push(a.entry.key));
    const sync = new SyncShareChainHost(chain, (a) => accepted.push(a.entry.key));
    expect(sync.receiveShare(shares[0]!, { history: true }).result).toBe('accepted');
    expect(gossip.receiveShare(shares[1]!).result).toBe('deferred');
    expect(sync.receiveShare(shares[1]!).result).toBe('accepted');
    expect(accepted).toHaveLength(2);
    expect(sync.tip()!.height).toBe(1);
  });
});
