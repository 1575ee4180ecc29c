import { describe, expect, it } from 'vitest';
import { rng } from '../../test/rng.ts';
import { COIN_REWARD, coinTip, mineShare, testParams, testPool, type TestPool } from '../../test/sharechain-fixtures.ts';
import { targetToBits } from '../target.ts';
import type { ShareEntry } from './share-entry.ts';
import { ShareChain } from './sharechain.ts';
import { walkWindow, type WindowSummary } from './window.ts';

function same(a: WindowSummary, b: WindowSummary): void {
  expect(a.shares).toBe(b.shares);
  expect(a.work).toBe(b.work);
  expect(a.totalWeight).toBe(b.totalWeight);
  expect(a.credits).toEqual(b.credits);
  expect(a.oldest).toBe(b.oldest);
  expect(a.complete).toBe(b.complete);
  expect(a.missing).toEqual(b.missing);
}

/** Coin blocks whose targets make windows of a few to a few dozen easy shares (share work ~2). */
const BLOCK_BITS = [8n, 20n, 45n].map((k) => targetToBits((1n << 256n) / k));

/** A chain with forks, uncles, jittered times and changing coin targets. */
function messyChain(seed: number, count: number, over: Parameters<typeof testPool>[0]): TestPool {
  const r = rng(seed);
  const pool = testPool(over);
  const tips = BLOCK_BITS.map((bits, i) => coinTip(10 + i, bits));
  let coin = tips[0]!;
  pool.coin.add(coin.prevHash, coin.info);
  const held: ShareEntry[] = [];
  for (let i = 0; i < count; i++) {
    if (r() < 0.08) {
      coin = tips[Math.floor(r() * tips.length)]!;
      pool.coin.add(coin.prevHash, coin.info);
    }
    pool.now += Math.floor(r() * 6000) - 1000;
    const forked = held.length > 3 && r() < 0.25 ? held[held.length - 1 - Math.floor(r() * 3)] : undefined;
    const { bytes } = mineShare(pool, {
      ...(forked ? { parent: forked } : {}),
      coin: { prevHash: coin.prevHash, height: coin.info.height, bits: coin.info.bits, reward: COIN_REWARD },
      payees: [{ script: new Uint8Array([0, 20, ...new Uint8Array(19), Math.floor(r() * 12)]), bp: 10_000 }],
      extranonce: new Uint8Array([i & 0xff, i >> 8]),
    });
    const res = pool.chain.add(bytes);
    if (res.kind !== 'accepted') throw new Error(`share ${i}: ${res.kind} ${'message' in res ? res.message : ''}`);
    held.push(res.entry);
  }
  return pool;
}

describe('the window', () => {
  it('kept by the tracker equals the walk, whichever shares it moves between (forks, uncles, changing block targets)', () => {
    const pool = messyChain(3, 160, { maxWindowShares: 40 });
    const entries = pool.chain.tips().flatMap((t) => {
      const out: ShareEntry[] = [];
      for (let e: ShareEntry | undefined = t; e; e = e.parent) out.push(e);
      return out;
    });
    const r = rng(5);
    const order = [...new Set(entries)].sort((a, b) => a.seq - b.seq);
    // Chain order (the tracker steps), then random jumps (rebuilds), then back-and-forth.
    for (const e of order) same(pool.chain.window(e.id), walkWindow(e, pool.chain.params));
    for (let i = 0; i < 60; i++) {
      const e = order[Math.floor(r() * order.length)]!;
      same(pool.chain.window(e.id), walkWindow(e, pool.chain.params));
    }
    const counts = order.map((e) => walkWindow(e, pool.chain.params).shares);
    expect(Math.max(...counts)).toBeGreaterThan(8);
    expect(Math.min(...counts.slice(50))).toBeLessThan(Math.max(...counts.slice(50)));
  });

  it('stops at the age cap and at maxWindowShares', () => {
    const aged = messyChain(8, 120, { windowMaxAgeMs: 12_000 });
    const tip = aged.chain.tip!;
    const w = walkWindow(tip, aged.chain.params);
    same(aged.chain.window(), w);
    for (let e: ShareEntry | undefined = tip; e && e !== w.oldest; e = e.parent) expect(e.time).toBeGreaterThanOrEqual(tip.time - 12_000);
    expect(w.oldest!.parent!.time).toBeLessThan(tip.time - 12_000);

    // A fresh chain steps its tracker share by share along the best chain (the trims of pushHead).
    const fresh = new ShareChain({ params: aged.chain.params, coin: aged.coin, now: () => aged.now });
    const all: ShareEntry[] = [];
    for (const t of aged.chain.tips()) for (let e: ShareEntry | undefined = t; e; e = e.parent) all.push(e);
    fresh.loadTrusted([...new Set(all)].sort((a, b) => a.seq - b.seq).map((e) => e.encoded));
    for (let h = 0; h <= fresh.height; h++) {
      const e = fresh.bestAt(h)!;
      same(fresh.window(e.id), walkWindow(e, fresh.params));
    }

    const capped = messyChain(9, 60, { maxWindowShares: 7 });
    for (const t of capped.chain.tips()) expect(walkWindow(t, capped.chain.params).shares).toBeLessThanOrEqual(7);
    same(capped.chain.window(), walkWindow(capped.chain.tip!, capped.chain.params));
  });

  it('is incomplete when it reaches a share whose parent is not held, and names that parent', () => {
    const pool = messyChain(4, 60, { maxWindowShares: 30 });
    const best: ShareEntry[] = [];
    for (let e: ShareEntry | undefined = pool.chain.tip; e; e = e.parent) best.unshift(e);
    const partial = new ShareChain({ params: testParams({ maxWindowShares: 30 }), coin: pool.coin, now: () => pool.now });
    partial.loadTrusted(best.slice(40).map((e) => e.encoded));
    const root = partial.get(best[40]!.id)!;
    const w = partial.window();
    same(w, walkWindow(partial.tip!, partial.params));
    expect(w.complete).toBe(false);
    expect(w.missing).toEqual(root.share.meta.parent);
    expect(() => partial.payouts(partial.tip!.id, 1n, pool.tip.prevHash, [{ script: new Uint8Array([0, 20, ...new Uint8Array(20)]), bp: 10_000 }])).toThrow(/not held/);
  });
});
