/**
 * The page's chain with really mined shares (core's test pool: easy targets): jobs whose coinbase
 * pays the window and commits to the page's address, sealed into shares every validator accepts,
 * sync of shares on coin blocks the page has no template for, and the money explained.
 */
import { bytesToHex, encodePoolParams, hashToBigInt, sha256d, ShareChain, buildStratumHeader, type CoinTipInfo } from '@otedama/core';
import { describe, expect, it } from 'vitest';
import { COIN_REWARD, coinTip, extend, payee, testParams, testPool, T0 } from '../../../../core/test/sharechain-fixtures.ts';
import { PageChain, type ChainWork, type MiningCoin } from './page-chain.ts';

const params = testParams();

function miningCoin(tip: { prevHash: Uint8Array; info: CoinTipInfo }): MiningCoin {
  return { prevHash: tip.prevHash, height: tip.info.height, bits: tip.info.bits, reward: COIN_REWARD, headerVersion: 0x20000000, curtime: Math.floor(T0 / 1000) };
}

/** Mines `work` as miner.ts does (Stratum fields, extranonce1 + extranonce2) until a header meets its target. */
function mine(work: ChainWork, extranonce: Uint8Array): Uint8Array {
  const hex = bytesToHex(extranonce);
  for (let nonce = 0; ; nonce++) {
    const { header } = buildStratumHeader(work, { extranonce1: hex.slice(0, 8), extranonce2: hex.slice(8), ntime: work.ntime, nonce: nonce.toString(16).padStart(8, '0') });
    if (hashToBigInt(sha256d(header)) <= work.target) return header;
  }
}

describe('PageChain', () => {
  it('builds jobs that pay the window and commit to its payee; sealed shares are accepted by the page and by any other chain', () => {
    let now = T0;
    const page = new PageChain(() => now);
    page.open(encodePoolParams(params));
    const tip = coinTip(1);
    page.coinTip(tip.prevHash, tip.info);
    const other = testPool();
    const me = payee(7);
    for (let i = 0; i < 3; i++) {
      now += params.shareIntervalMs;
      const work = page.job([me], miningCoin(tip), 8);
      expect(work.height).toBe(i);
      const extranonce = Uint8Array.of(1, 2, 3, 4, 0, 0, 0, i);
      const share = page.seal(work.jobId, mine(work, extranonce), extranonce);
      const v = page.receive(share, 'own');
      expect(v.verdict.result).toBe('accepted');
      expect(v.tipMoved).toBe(true);
      other.now = now;
      expect(other.chain.add(share).kind).toBe('accepted');
    }
    expect(page.tip()!.height).toBe(2);
    expect(bytesToHex(page.tip()!.id)).toBe(bytesToHex(other.chain.tip!.id));
    const s = page.summary(me.script, { prevHash: tip.prevHash, reward: COIN_REWARD, bits: tip.info.bits });
    expect(s).toMatchObject({ windowShares: 3, myShares: 3, creditPpm: 1_000_000 });
    // Alone in the window: everything but the finder's bonus if another finds it, all of it if this page does.
    expect(s.nextIfMine!.amount).toBe(COIN_REWARD);
    expect(s.nextIfOther!.amount).toBe(COIN_REWARD - (COIN_REWARD * 50n) / 10_000n);
    expect(s.nextIfOther!.kind).toBe('direct');
    expect(s.hashesPerShare).toBeGreaterThan(1);
    expect(page.nextPayouts(me.script, { prevHash: tip.prevHash, reward: COIN_REWARD })).toEqual([{ script: bytesToHex(me.script), amount: COIN_REWARD, paid: COIN_REWARD }]);
  });

  it("says which kept shares may still go out over gossip: not those on a coin block it has since moved past (peers take them by sync)", () => {
    const pool = testPool();
    const shares = extend(pool, 2).map((e) => e.encoded);
    const page = new PageChain(() => pool.now);
    page.open(encodePoolParams(pool.chain.params));
    page.coinTip(pool.tip.prevHash, pool.tip.info);
    expect(page.gossipable(shares)).toEqual([true, true]);
    // Three newer coin blocks: the one the shares build on is too old for new shares now.
    for (let n = 2; n <= 4; n++) page.coinTip(coinTip(n).prevHash, coinTip(n).info);
    expect(page.gossipable([...shares, Uint8Array.of(1, 2, 3)])).toEqual([false, false, false]);
  });

  it('syncs shares on coin blocks it has no template for (history), refuses them from gossip, and answers sync questions', () => {
    const pool = testPool();
    const shares = extend(pool, 5).map((e) => e.encoded);
    const page = new PageChain(() => pool.now);
    page.open(encodePoolParams(params));
    // No template yet: gossip cannot judge the coin, so it waits; sync takes the first as history and the rest leniently.
    expect(page.receive(shares[0]!, 'gossip').verdict.result).toBe('deferred');
    expect(page.receive(shares[0]!, 'sync', true).verdict.result).toBe('accepted');
    for (const s of shares.slice(1)) expect(page.receive(s, 'sync').verdict.result).toBe('accepted');
    expect(page.tip()!.height).toBe(4);
    expect(page.sharesAfter([], 10)).toHaveLength(5);
    expect(page.sharesById([page.tip()!.id])).toHaveLength(1);
    expect(page.locator()[0]).toEqual(page.tip()!.id);
  });

  it('judges a sync batch in one call as the sync run would share by share: history on an empty chain, stopping at the first bad share', () => {
    const pool = testPool();
    const shares = extend(pool, 6).map((e) => e.encoded);
    const page = new PageChain(() => pool.now);
    page.open(encodePoolParams(params));
    // A fresh window (no template: the coin is left to edges), then the next batch on top of it.
    expect(page.receiveBatch(shares.slice(0, 3), 'sync').map((v) => v.verdict.result)).toEqual(['accepted', 'accepted', 'accepted']);
    expect(page.tip()!.height).toBe(2);
    const broken = shares[4]!.slice();
    broken[broken.length - 40]! ^= 0xff;
    // Nothing after the invalid share is judged (or added): the run drops the batch there.
    const verdicts = page.receiveBatch([shares[2]!, shares[3]!, broken, shares[5]!], 'sync');
    expect(verdicts.map((v) => v.verdict.result)).toEqual(['duplicate', 'accepted', 'invalid']);
    expect(verdicts[1]).toMatchObject({ height: 3, tipMoved: true });
    expect(page.tip()!.height).toBe(3);
    // A batch that does not connect: the first share is an orphan and nothing more is judged.
    const other = new PageChain(() => pool.now);
    other.open(encodePoolParams(params));
    other.receive(shares[0]!, 'sync', true);
    expect(other.receiveBatch(shares.slice(4), 'sync').map((v) => v.verdict.result)).toEqual(['orphan']);
    expect(other.tip()!.height).toBe(0);
  });

  it('restores a stored window and drops what does not validate', () => {
    const pool = testPool();
    const shares = extend(pool, 4).map((e) => e.encoded);
    const broken = shares[3]!.slice();
    broken[broken.length - 40]! ^= 0xff;
    const page = new PageChain(() => pool.now);
    page.open(encodePoolParams(params));
    const progress: number[] = [];
    expect(page.restore([...shares.slice(0, 3), broken], (n) => progress.push(n))).toEqual({ restored: 3, dropped: 1 });
    expect(progress.at(-1)).toBe(4);
    expect(page.tip()!.height).toBe(2);
  });

  it('refuses parameters that do not hash to the pool id the edge named', () => {
    const page = new PageChain();
    expect(() => page.open(encodePoolParams(params), '00'.repeat(32))).toThrow(/not the pool id/);
    expect(page.open(encodePoolParams(params)).poolId).toBe(bytesToHex(new ShareChain({ params, coin: testPool().coin }).poolId));
  });
});
