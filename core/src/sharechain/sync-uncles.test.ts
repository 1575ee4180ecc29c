/**
 * Sync carries uncles: a share's uncles are off the best chain, so a peer that synced only the
 * best chain would credit a window without them and refuse every later coinbase (bad-coinbase).
 * sharesAfter sends each share's held uncles just before it.
 */
import { describe, expect, it } from 'vitest';
import { bytesToHex } from '../hex.ts';
import { extend, mineShare, testPool } from '../../test/sharechain-fixtures.ts';
import { ShareChain } from './sharechain.ts';

function poolWithUncle() {
  const pool = testPool();
  extend(pool, 3);
  const tip = pool.chain.tip!;
  // A sibling of the tip (same parent, another extranonce): it loses the race and becomes an uncle.
  pool.now += 1;
  const sibling = mineShare(pool, { parent: tip.parent!, extranonce: Uint8Array.of(9, 9, 9, 9, 9, 9, 9, 9) }).bytes;
  const added = pool.chain.add(sibling);
  expect(added.kind).toBe('accepted');
  const [nephew] = extend(pool, 1);
  expect(nephew!.uncleKeys).toHaveLength(1);
  extend(pool, 3);
  return { pool, uncleKey: nephew!.uncleKeys[0]! };
}

describe('sync of a chain with uncles', () => {
  it('sends the uncle before the share that names it; a fresh chain ends on the same tip and window', () => {
    const { pool, uncleKey } = poolWithUncle();
    const batch = pool.chain.sharesAfter([], 100);
    expect(batch).toHaveLength(pool.chain.height + 2);
    const fresh = new ShareChain({ params: pool.chain.params, coin: pool.coin, now: () => pool.now });
    for (const s of batch) expect(fresh.add(s).kind).toBe('accepted');
    expect(bytesToHex(fresh.tip!.id)).toBe(bytesToHex(pool.chain.tip!.id));
    expect(fresh.has(uncleKey)).toBe(true);
    expect(fresh.window().credits).toEqual(pool.chain.window().credits);
  });

  it('keeps a share and its uncles in one batch: one that does not fit waits for the next', () => {
    const { pool, uncleKey } = poolWithUncle();
    const nephewHeight = pool.chain.get(uncleKey)!.height + 1;
    // Room for the shares below the nephew and one more: the nephew and its uncle need two.
    const batch = pool.chain.sharesAfter([], nephewHeight + 1);
    expect(batch).toHaveLength(nephewHeight);
    const next = pool.chain.sharesAfter([pool.chain.bestAt(nephewHeight - 1)!.id], 2);
    expect(next).toHaveLength(2);
    expect(bytesToHex(next[0]!)).toBe(bytesToHex(pool.chain.get(uncleKey)!.encoded));
  });

  it('a window that starts beside an uncle: its parent lies beyond what the syncing chain holds, so the check is skipped (history) or waits (not history), never a rejection', () => {
    const { pool, uncleKey } = poolWithUncle();
    const uncle = pool.chain.get(uncleKey)!;
    // The batch a peer sends after the share below the uncle: the best share at the uncle's
    // height, then the uncle just before its nephew. Both their parents are beyond the batch.
    const batch = pool.chain.sharesAfter([uncle.parentId], 100);
    const fresh = new ShareChain({ params: pool.chain.params, coin: pool.coin, now: () => pool.now });
    for (const s of batch) expect(fresh.add(s, { history: true }).kind).toBe('accepted');
    expect(bytesToHex(fresh.tip!.id)).toBe(bytesToHex(pool.chain.tip!.id));
    const nephew = fresh.bestAt(uncle.height + 1)!;
    expect(nephew.uncleKeys).toEqual([uncleKey]);
    expect(nephew.verified).toBe(false);
    // Outside history the same share waits for the missing ancestor instead of being refused.
    const strict = new ShareChain({ params: pool.chain.params, coin: pool.coin, now: () => pool.now });
    for (const s of batch.slice(0, 2)) expect(strict.add(s, { history: true }).kind).toBe('accepted');
    const r = strict.add(batch[2]!);
    expect(r.kind).toBe('missing-parent');
    if (r.kind === 'missing-parent') expect(r.missing.map(bytesToHex)).toEqual([bytesToHex(uncle.parentId)]);
  });
});
