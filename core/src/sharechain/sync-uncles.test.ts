/**
 * Sync carries uncles: a share's uncles are off the best chain, so a peer that synced only the
 * best chain would credit a window without them and refuse every later coinbase (bad-coinbase).
 * sharesAfter sends each share's held uncles just before it.
 */
import { describe, expect, it } from 'vitest';
import { bytesToHex, hexToBytes } from '../hex.ts';
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

/**
 * An uncle that names an uncle of its own: V loses a race at height 3, U (height 4, on A3) names
 * V and loses to B4, S names U. No best-chain share names V, so only U's own list leads to it.
 */
function poolWithUncleOfUncle() {
  const pool = testPool();
  const [, a2, a3] = extend(pool, 3);
  pool.now += 1;
  const v = pool.chain.add(mineShare(pool, { parent: a2!, uncles: [], extranonce: Uint8Array.of(7, 7, 7, 7, 7, 7, 7, 7) }).bytes);
  if (v.kind !== 'accepted') throw new Error(`V: ${v.kind}`);
  const [b4] = extend(pool, 1, { parent: a3!, uncles: [] });
  pool.now += 1;
  const u = pool.chain.add(mineShare(pool, { parent: a3!, uncles: [v.entry], extranonce: Uint8Array.of(8, 8, 8, 8, 8, 8, 8, 8) }).bytes);
  if (u.kind !== 'accepted') throw new Error(`U: ${u.kind}`);
  const [s] = extend(pool, 1, { parent: b4!, uncles: [u.entry] });
  extend(pool, 3, { uncles: [] });
  return { pool, v: v.entry, u: u.entry, s: s! };
}

describe('sync of a chain with uncles', () => {
  it("sends an uncle's own uncles before it: a fresh chain takes every share in order and ends on the same tip and window", () => {
    const { pool, v, u, s } = poolWithUncleOfUncle();
    expect(pool.chain.isBest(u)).toBe(false);
    expect(pool.chain.isBest(v)).toBe(false);
    expect(s.uncleKeys).toEqual([u.key]);
    const batch = pool.chain.sharesAfter([], 100).map(bytesToHex);
    expect(batch).toHaveLength(pool.chain.height + 3);
    expect(batch.indexOf(bytesToHex(v.encoded))).toBe(batch.indexOf(bytesToHex(u.encoded)) - 1);
    expect(batch.indexOf(bytesToHex(u.encoded))).toBe(batch.indexOf(bytesToHex(s.encoded)) - 1);
    const fresh = new ShareChain({ params: pool.chain.params, coin: pool.coin, now: () => pool.now });
    for (const share of batch) expect(fresh.add(hexToBytes(share)).kind).toBe('accepted');
    expect(bytesToHex(fresh.tip!.id)).toBe(bytesToHex(pool.chain.tip!.id));
    expect(fresh.window().credits).toEqual(pool.chain.window().credits);
    // A requester whose locator ends beside V is sent V too: the locator names best-chain shares
    // only, so what it holds off the best chain is not known here (a duplicate costs nothing).
    const after = pool.chain.sharesAfter([pool.chain.bestAt(v.height)!.id], 100).map(bytesToHex);
    expect(after.slice(0, 4)).toEqual([pool.chain.bestAt(v.height + 1)!.encoded, v.encoded, u.encoded, s.encoded].map(bytesToHex));
  });

  it('never sends more than asked: a first share whose group does not fit sends itself and the uncles nearest it', () => {
    const { pool, u, s } = poolWithUncleOfUncle();
    const parent = pool.chain.get(s.parentId)!;
    // S's group is V, U, S: asked for two, U and S come.
    expect(pool.chain.sharesAfter([parent.id], 2).map(bytesToHex)).toEqual([u.encoded, s.encoded].map(bytesToHex));
    expect(pool.chain.sharesAfter([parent.id], 1).map(bytesToHex)).toEqual([bytesToHex(s.encoded)]);
  });

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
