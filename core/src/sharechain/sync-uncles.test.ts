/**
 * Sync carries uncles: a share's uncles are off the best chain, so a peer that synced only the
 * best chain would credit a window without them and refuse every later coinbase (bad-coinbase).
 * sharesAfter sends each share's held uncles just before it.
 */
import { describe, expect, it } from 'vitest';
import { bytesToHex } from '../hex.ts';
import { extend, mineShare, payee, testPool } from '../../test/sharechain-fixtures.ts';
import { ShareChain } from './sharechain.ts';
import { addSynced } from './sync-add.ts';

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

/**
 * Several miners racing on one tip (siblings that later shares name as uncles), and a peer that
 * prunes: the shares just above its cutoff name uncles it no longer holds, so the window it
 * serves starts with shares whose uncles never come.
 */
function racingPrunedPool() {
  const pool = testPool({ maxWindowShares: 40 });
  let extranonce = 0;
  for (let step = 0; step < 160; step++) {
    pool.now += pool.chain.params.shareIntervalMs;
    const tip = pool.chain.tip;
    // One to three shares on the same tip: 1, 2, 3, 1, 2, 3, ...
    for (let j = 0; j <= step % 3; j++) {
      extranonce++;
      const bytes = mineShare(pool, { payees: [payee(1 + (extranonce % 3))], extranonce: Uint8Array.of(extranonce & 0xff, extranonce >> 8, 0, 0, 0, 0, 0, 0), ...(tip ? { parent: tip } : {}) }).bytes;
      expect(pool.chain.add(bytes).kind).toBe('accepted');
    }
    if (step % 40 === 39) pool.chain.prune();
  }
  return pool;
}

describe('sync from a peer that pruned below the uncles of its oldest shares', () => {
  it('takes every share it serves: a window that holds a share added without an uncle is not checked against the wrong credits (no bad-coinbase), and ends on the same tip and window', () => {
    const pool = racingPrunedPool();
    const server = pool.chain;
    // The oldest shares it serves name uncles it pruned.
    const low = server.bestAt(server.locator().at(-1) ? server.get(server.locator().at(-1)!)!.height : 0)!;
    expect(server.sharesAfter([], 1)).toHaveLength(1);
    const fresh = new ShareChain({ params: server.params, coin: pool.coin, now: () => pool.now });
    // The first batch as history (an empty chain), the rest as sync adds them: 32 at a time.
    for (const s of server.sharesAfter([], 32)) expect(fresh.add(s, { history: true }).kind).toBe('accepted');
    const partial = [...Array(fresh.height - low.height + 1).keys()].map((i) => fresh.bestAt(low.height + i)!).filter((e) => e.unheldUncle);
    expect(partial.length).toBeGreaterThan(0);
    for (let i = 0; i < 20 && bytesToHex(fresh.tip!.id) !== bytesToHex(server.tip!.id); i++) {
      for (const s of server.sharesAfter(fresh.locator(), 32)) expect(addSynced(fresh, s).kind).toMatch(/accepted|duplicate/);
    }
    expect(bytesToHex(fresh.tip!.id)).toBe(bytesToHex(server.tip!.id));
    // A window that includes a share added without its uncle is incomplete, naming that uncle.
    const unheld = new Set(partial.map((p) => bytesToHex(p.unheldUncle!)));
    const windows = [...Array(fresh.height - low.height + 1).keys()].map((i) => fresh.window(fresh.bestAt(low.height + i)!.id));
    expect(windows.some((w) => !w.complete && unheld.has(bytesToHex(w.missing!)))).toBe(true);
    // Past them, the tip's window is complete and equal to the server's.
    expect(fresh.window().complete).toBe(true);
    expect(fresh.window().credits).toEqual(server.window().credits);
  });
});
