import { describe, expect, it } from 'vitest';
import { COIN_REWARD, extend, job, mineCustom, mineShare, payee, testParams, testPool, coinTip, type TestPool } from '../../test/sharechain-fixtures.ts';
import { bytesToHex } from '../hex.ts';
import { sha256d } from '../sha256.ts';
import { bitsToTarget, targetToBits } from '../target.ts';
import { shareScriptSig } from './share-coinbase.ts';
import { computePayouts } from './payouts.ts';
import { decodeShare, encodeShare } from './share-codec.ts';
import type { ShareEntry } from './share-entry.ts';
import type { AddResult } from './share-verdict.ts';
import { ShareChain } from './sharechain.ts';
import { walkWindow } from './window.ts';

function expectInvalid(r: AddResult, reason: string): void {
  expect(r.kind, JSON.stringify(r, (_k, v) => (typeof v === 'bigint' ? String(v) : v instanceof Uint8Array ? bytesToHex(v) : v))).toBe('invalid');
  if (r.kind === 'invalid') expect(r.reason).toBe(reason);
}

function accepted(r: AddResult): ShareEntry {
  if (r.kind !== 'accepted') throw new Error(`expected accepted, got ${r.kind}: ${'message' in r ? r.message : ''}`);
  return r.entry;
}

/** A share on `parent` (mined, not added). */
function onParent(pool: TestPool, parent: ShareEntry, extra: Parameters<typeof mineShare>[1] = {}): Uint8Array {
  return mineShare(pool, { parent, uncles: [], ...extra }).bytes;
}

describe('ShareChain: adding shares', () => {
  it('accepts mined shares and tracks the best tip, height and chain work', () => {
    const pool = testPool();
    const es = extend(pool, 5);
    const chain = pool.chain;
    expect(chain.height).toBe(4);
    expect(chain.tip).toBe(es[4]);
    expect(chain.size).toBe(5);
    expect(chain.chainWork).toBe(es.reduce((a, e) => a + e.windowWork, 0n));
    expect(es.every((e) => e.verified && !e.isBlock)).toBe(true);
    expect(chain.get(es[2]!.id)).toBe(es[2]);
    expect(chain.has(bytesToHex(es[3]!.id))).toBe(true);
    expect(es[0]!.parent).toBeUndefined();
    expect(es[1]!.parent).toBe(es[0]);
  });

  it('answers duplicate for a share it holds and invalid for bytes that are not a share', () => {
    const pool = testPool();
    const [e] = extend(pool, 1);
    expect(pool.chain.add(e!.encoded).kind).toBe('duplicate');
    expectInvalid(pool.chain.add(new Uint8Array(10)), 'malformed');
    expectInvalid(pool.chain.add('share' as unknown as Uint8Array), 'malformed');
    expectInvalid(pool.chain.add(new Uint8Array(5000)), 'malformed');
  });

  it('keeps its own copy of what it is given: a network buffer reused afterwards changes nothing', () => {
    const a = testPool();
    const [e] = extend(a, 1);
    const b = testPool();
    const buf = Buffer.from(e!.encoded);
    const r = b.chain.add(buf);
    buf.fill(0);
    expect(accepted(r).encoded).toEqual(e!.encoded);
    expect(b.chain.sharesAfter([], 1)[0]).toEqual(e!.encoded);
  });

  it('reports a missing parent (and missing uncles) instead of rejecting, and accepts once they arrive', () => {
    const a = testPool();
    const es = extend(a, 3);
    const b = testPool();
    const r = b.chain.add(es[2]!.encoded);
    expect(r.kind).toBe('missing-parent');
    if (r.kind === 'missing-parent') expect(r.missing.map(bytesToHex)).toEqual([es[1]!.key]);
    for (const e of es) accepted(b.chain.add(e.encoded));
    expect(b.chain.tip!.key).toBe(es[2]!.key);
  });

  it('holds back a share more than maxFutureMs ahead of its clock, and takes it once the clock catches up', () => {
    const pool = testPool();
    extend(pool, 2);
    const { bytes } = mineShare(pool, { time: pool.now + 61_000 });
    const r = pool.chain.add(bytes);
    expect(r.kind).toBe('held-back');
    if (r.kind === 'held-back') {
      expect(r.reason).toBe('future-time');
      expect(r.retryAfterMs).toBe(1000);
    }
    pool.now += 1000;
    accepted(pool.chain.add(bytes));
  });

  it('holds back a share on a coin block it does not know yet, and rejects one on a stale coin block', () => {
    const pool = testPool();
    extend(pool, 1);
    const next = coinTip(2);
    pool.now += 2000;
    const j = job(pool, { coin: { prevHash: next.prevHash, height: next.info.height, bits: next.info.bits, reward: COIN_REWARD } });
    const unknown = mineCustom(pool, j, { scriptSig: shareScriptSig(next.info.height, new Uint8Array(8)) });
    const r = pool.chain.add(unknown);
    expect(r.kind === 'held-back' && r.reason === 'unknown-coin-tip').toBe(true);
    pool.coin.add(next.prevHash, next.info);
    accepted(pool.chain.add(unknown));
    // Three newer coin blocks later, tip 1 is too old for new shares.
    pool.coin.add(coinTip(3).prevHash, coinTip(3).info);
    pool.coin.add(coinTip(4).prevHash, coinTip(4).info);
    pool.now += 2000;
    expectInvalid(pool.chain.add(mineShare(pool).bytes), 'coin-tip-stale');
  });

  it('rejects claims the coin does not allow: other bits, more reward, another height', () => {
    const pool = testPool();
    extend(pool, 1);
    pool.now += 2000;
    const { prevHash, info } = pool.tip;
    expectInvalid(pool.chain.add(mineShare(pool, { coin: { prevHash, height: info.height, bits: 0x1d00fffe, reward: COIN_REWARD } }).bytes), 'bad-coin-bits');
    expectInvalid(pool.chain.add(mineShare(pool, { coin: { prevHash, height: info.height, bits: info.bits, reward: COIN_REWARD + 1n } }).bytes), 'reward-too-high');
    const j = job(pool);
    expectInvalid(pool.chain.add(mineCustom(pool, j, { scriptSig: shareScriptSig(info.height + 1, new Uint8Array(8)) })), 'bad-coinbase-height');
  });

  it('rejects a hash above the target, a wrong height, and times not above the median of 11 ancestors', () => {
    const pool = testPool();
    const es = extend(pool, 12);
    pool.now += 2000;
    expectInvalid(pool.chain.add(mineCustom(pool, job(pool), { highHash: true })), 'high-hash');
    expectInvalid(pool.chain.add(mineCustom(pool, job(pool), { meta: { height: 99 } })), 'bad-height');
    const times = es.slice(-11).map((e) => e.time).sort((a, b) => a - b);
    expectInvalid(pool.chain.add(mineCustom(pool, job(pool), { meta: { time: times[5]! } })), 'time-too-old');
    accepted(pool.chain.add(mineShare(pool, { time: times[5]! + 1 }).bytes));
  });

  it('checks the difficulty: maxBits must be what ASERT demands, the target at most that and at most 30x harder', () => {
    const pool = testPool({ initialShareBits: 0x1f7fffff });
    extend(pool, 2);
    pool.now += 2000;
    const j = job(pool);
    const demanded = bitsToTarget(j.metadata.maxBits);
    expectInvalid(pool.chain.add(mineCustom(pool, j, { meta: { maxBits: 0x1f7ffffe } })), 'bad-max-bits');
    expectInvalid(pool.chain.add(mineCustom(pool, j, { meta: { bits: 0x207fffff } })), 'target-too-easy');
    expectInvalid(pool.chain.add(mineCustom(pool, j, { meta: { bits: targetToBits(demanded / 31n) } })), 'target-too-hard');
    // A miner may choose up to 30x harder, and is credited by its target's work.
    const hard = accepted(pool.chain.add(mineShare(pool, { difficultyMultiple: 30 }).bytes));
    expect(hard.work).toBeGreaterThan(29n * (2n ** 256n / (demanded + 1n)));
  });

  it('makes re-addressing or re-parenting a share cost its work: the commitment no longer matches', () => {
    const pool = testPool();
    const es = extend(pool, 3);
    pool.now += 2000;
    const { bytes } = mineShare(pool);
    const d = decodeShare(bytes, 80);
    const stolen = encodeShare({ ...d, meta: { ...d.meta, payees: [payee(666)] } }, 80);
    expectInvalid(pool.chain.add(stolen), 'bad-coinbase');
    const reparented = encodeShare({ ...d, meta: { ...d.meta, parent: es[1]!.id, height: 2 } }, 80);
    expectInvalid(pool.chain.add(reparented), 'bad-coinbase');
    // Paying itself instead of payouts(parent) is a different coinbase too.
    expectInvalid(pool.chain.add(mineCustom(pool, job(pool), { outputs: [{ script: payee(666).script, value: COIN_REWARD }] })), 'bad-coinbase');
    accepted(pool.chain.add(bytes));
  });

  it('reports a share that meets the coin block target as a block', () => {
    const pool = testPool({}, 0x207fffff);
    const [first] = extend(pool, 1);
    expect(first!.isBlock).toBe(true);
  });
});

describe('ShareChain: fork choice and uncles', () => {
  it('follows the most work, keeps the first seen on ties, and reports the reorg', () => {
    const pool = testPool();
    const es = extend(pool, 4);
    const chain = pool.chain;
    const branch: ShareEntry[] = [];
    let parent = es[1]!;
    for (let i = 0; i < 3; i++) {
      pool.now += 2000;
      const r = chain.add(onParent(pool, parent, { extranonce: new Uint8Array([9, i]) }));
      const e = accepted(r);
      branch.push(e);
      parent = e;
      if (i < 2) {
        expect(r.kind === 'accepted' && r.bestChanged).toBe(false);
        expect(chain.tip).toBe(es[3]);
      } else {
        expect(r.kind === 'accepted' && r.bestChanged).toBe(true);
        const reorg = r.kind === 'accepted' ? r.reorg : undefined;
        expect(reorg).toBeDefined();
        expect(reorg!.fork).toBe(es[1]);
        expect(reorg!.removed.map(bytesToHex)).toEqual([es[3]!.key, es[2]!.key]);
        expect(reorg!.added.map(bytesToHex)).toEqual(branch.map((b) => b.key));
      }
    }
    expect(chain.tip).toBe(branch[2]);
    expect(chain.isBest(es[2]!)).toBe(false);
    expect(chain.bestAt(2)).toBe(branch[0]);
    expect(chain.tips()).toHaveLength(2);
  });

  it('credits an uncle 90% of its work and the share that names it 10%', () => {
    const pool = testPool();
    const [, s1, s2] = extend(pool, 3);
    pool.now += 1;
    const sibling = accepted(pool.chain.add(onParent(pool, s1!, { payees: [payee(7)], extranonce: new Uint8Array([7]) })));
    pool.now += 2000;
    const { bytes, job: j } = mineShare(pool);
    expect(j.metadata.uncles.map(bytesToHex)).toEqual([sibling.key]);
    const s3 = accepted(pool.chain.add(bytes));
    expect(s3.parent).toBe(s2);
    expect(s3.uncleKeys).toEqual([sibling.key]);
    expect(s3.windowWork).toBe(s3.work + sibling.work);
    const uncleCredit = (sibling.work * 9000n) / 10_000n;
    const byKey = new Map(s3.credits.map((c) => [c.key, c.weight]));
    expect(byKey.get(bytesToHex(payee(7).script))).toBe(uncleCredit * 10_000n);
    expect(byKey.get(bytesToHex(payee(1).script))).toBe((s3.work + sibling.work - uncleCredit) * 10_000n);
    expect(s3.chainWork).toBe(s2!.chainWork + s3.work + sibling.work);
  });

  it('rejects uncles that are ancestors, too deep, already named, not branching off the chain, or too many', () => {
    const pool = testPool({ maxUncles: 2 });
    const [g, s1, s2] = extend(pool, 3);
    pool.now += 1;
    const u1 = accepted(pool.chain.add(onParent(pool, s1!, { extranonce: new Uint8Array([1]) })));
    const u2 = accepted(pool.chain.add(onParent(pool, s1!, { extranonce: new Uint8Array([2]) })));
    const t1 = accepted(pool.chain.add(onParent(pool, g!, { extranonce: new Uint8Array([3]) })));
    const t2 = accepted(pool.chain.add(onParent(pool, t1, { extranonce: new Uint8Array([4]) })));
    pool.now += 2000;
    const named = accepted(pool.chain.add(mineShare(pool, { uncles: [u1] }).bytes));
    expect(named.parent).toBe(s2);
    pool.now += 2000;
    expectInvalid(pool.chain.add(mineShare(pool, { uncles: [u1] }).bytes), 'uncle-already-named');
    expectInvalid(pool.chain.add(mineShare(pool, { uncles: [s2!] }).bytes), 'uncle-on-chain');
    expectInvalid(pool.chain.add(mineShare(pool, { uncles: [t2] }).bytes), 'uncle-not-sibling');
    const sorted = [u2, t2].sort((a, b) => (a.key < b.key ? -1 : 1));
    const three = mineCustom(pool, job(pool, { uncles: [] }), { meta: { uncles: [...sorted, u1].sort((a, b) => (a.key < b.key ? -1 : 1)).map((e) => e.id) } });
    expectInvalid(pool.chain.add(three), 'uncle-too-many');
    const missing = mineCustom(pool, job(pool, { uncles: [] }), { meta: { uncles: [sha256d(new Uint8Array([1]))] } });
    const r = pool.chain.add(missing);
    expect(r.kind).toBe('missing-parent');
    extend(pool, 2, { uncles: [] });
    expectInvalid(pool.chain.add(mineShare(pool, { uncles: [u2] }).bytes), 'uncle-too-deep');
  });
});

describe('ShareChain: sync, pruning, persistence', () => {
  it('syncs another chain by locator batches to the same tip and work', () => {
    const a = testPool();
    extend(a, 60);
    const loc = a.chain.locator();
    expect(loc.slice(0, 10).map(bytesToHex)).toEqual(Array.from({ length: 10 }, (_, i) => a.chain.bestAt(59 - i)!.key));
    expect(bytesToHex(loc[loc.length - 1]!)).toBe(a.chain.bestAt(0)!.key);
    expect(loc.length).toBeLessThan(20);
    const b = testPool();
    b.now = a.now;
    let rounds = 0;
    while (b.chain.tip?.key !== a.chain.tip!.key) {
      const batch = a.chain.sharesAfter(b.chain.locator(), 25);
      expect(batch.length).toBeGreaterThan(0);
      for (const bytes of batch) accepted(b.chain.add(bytes));
      rounds++;
    }
    expect(rounds).toBe(3);
    expect(b.chain.chainWork).toBe(a.chain.chainWork);
    expect(a.chain.sharesAfter(b.chain.locator(), 25)).toHaveLength(0);
  });

  it('prunes beyond twice the window, keeps the window, and a fresh peer syncs from the pruned chain in history mode', () => {
    const a = testPool({ maxWindowShares: 20 });
    extend(a, 120);
    const before = a.chain.window();
    const keep = a.chain.keepDepth();
    expect(keep).toBe(2 * 20 + 3 + 11);
    const removed = a.chain.prune();
    expect(removed.length).toBe(119 - keep); // heights 0 .. 118 - keep
    expect(a.chain.size).toBe(120 - removed.length);
    expect(a.chain.get(removed[0]!)).toBeUndefined();
    expect(a.chain.window().credits).toEqual(before.credits);
    expect(a.chain.locator().length).toBeGreaterThan(1);

    const b = testPool({ maxWindowShares: 20 });
    b.now = a.now;
    const all = a.chain.sharesAfter([], 1000);
    expect(all.length).toBe(a.chain.size);
    const first = b.chain.add(all[0]!);
    expect(first.kind).toBe('missing-parent');
    for (const bytes of all) accepted(b.chain.add(bytes, { history: true }));
    expect(b.chain.tip!.key).toBe(a.chain.tip!.key);
    expect(b.chain.window().credits).toEqual(a.chain.window().credits);
    const verified = all.map((bytes) => b.chain.get(sha256d(decodeShare(bytes, 80).work.header))!.verified);
    expect(verified.slice(0, 20).some((v) => !v)).toBe(true);
    expect(verified.slice(21).every((v) => v)).toBe(true);
    // From there on it validates new shares as usual.
    a.now += 2000;
    b.now = a.now;
    const next = mineShare(a).bytes;
    accepted(b.chain.add(next));
  });

  it('loads a stored chain without validating it and goes on validating new shares', () => {
    const a = testPool();
    const es = extend(a, 30);
    const c = new ShareChain({ params: testParams(), coin: a.coin, now: () => a.now });
    expect(c.loadTrusted(es.slice(0, 15).map((e) => e.encoded))).toBe(15);
    expect(c.loadTrusted(es.slice(15).map((e) => ({ id: e.id, bytes: e.encoded })))).toBe(15);
    expect(c.tip!.key).toBe(a.chain.tip!.key);
    expect(c.chainWork).toBe(a.chain.chainWork);
    a.now += 2000;
    accepted(c.add(mineShare(a).bytes));
  });

  it('computes the same payouts as the rule applied to a walked window', () => {
    const pool = testPool({ maxWindowShares: 12 });
    const es = extend(pool, 30, { payees: [payee(3, 6000), payee(4, 4000)] });
    extend(pool, 5, { payees: [payee(5)] });
    const prev = pool.tip.prevHash;
    for (const e of [es[29]!, pool.chain.tip!, es[10]!]) {
      const w = walkWindow(e, pool.chain.params);
      const expected = computePayouts({ params: pool.chain.params, reward: COIN_REWARD, finder: [payee(9)], credits: w.credits, totalWeight: w.totalWeight, coinPrevHash: prev, parentId: e.id });
      expect(pool.chain.payouts(e.id, COIN_REWARD, prev, [payee(9)])).toEqual(expected);
    }
    expect(() => pool.chain.payouts(new Uint8Array(32).fill(1), 1n, prev, [payee(9)])).toThrow(/not held/);
    expect(pool.chain.payouts(undefined, 1000n, prev, [payee(9)]).outputs).toEqual([{ script: payee(9).script, value: 1000n }]);
  });

  it('answers payouts that validation only wrote as bytes (everyone paid directly) as the rule gives them', () => {
    const pool = testPool({ maxWindowShares: 12 });
    const finder = [payee(3, 6000), payee(4, 4000)];
    const es = extend(pool, 20, { payees: finder });
    // A fresh chain validates the shares: each share's payouts are planned and written without a Payouts object.
    const fresh = new ShareChain({ params: pool.chain.params, coin: pool.coin, now: () => pool.now });
    for (const e of es) accepted(fresh.add(e.encoded));
    const prev = pool.tip.prevHash;
    for (const parent of [es[18]!, es[12]!]) {
      const w = walkWindow(fresh.get(parent.id)!, fresh.params);
      const expected = computePayouts({ params: fresh.params, reward: COIN_REWARD, finder, credits: w.credits, totalWeight: w.totalWeight, coinPrevHash: prev, parentId: parent.id });
      expect(expected.lottery).toBeUndefined();
      expect(fresh.payouts(parent.id, COIN_REWARD, prev, finder)).toEqual(expected);
    }
  });
});
