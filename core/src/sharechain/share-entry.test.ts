import { describe, expect, it } from 'vitest';
import { extend, payee, testPool } from '../../test/sharechain-fixtures.ts';
import { bytesToHex } from '../hex.ts';
import { PayeeBook, PayeeSplit, SplitBook, shareCredits } from './share-entry.ts';

describe('PayeeBook', () => {
  it('interns equal scripts from different buffers as one owned copy with its hex key', () => {
    const book = new PayeeBook();
    const a = payee(7).script;
    const b = Buffer.from(a);
    const first = book.intern(a);
    expect(book.intern(b)).toBe(first);
    expect(first.key).toBe(bytesToHex(a));
    a[5] = a[5]! ^ 0xff; // the caller's bytes change: the interned copy does not
    expect(bytesToHex(first.script)).toBe(bytesToHex(b));
    expect(book.intern(payee(8).script)).not.toBe(first);
  });

  it('is bounded: past its size it starts over, and what it hands out stays right', () => {
    const book = new PayeeBook(3);
    const kept = [1, 2, 3].map((n) => book.intern(payee(n).script));
    const fourth = book.intern(payee(4).script); // full: forgets 1..3
    expect(book.intern(payee(4).script)).toBe(fourth);
    const again = book.intern(payee(1).script);
    expect(again).not.toBe(kept[0]);
    expect(again.key).toBe(kept[0]!.key);
    expect(bytesToHex(again.script)).toBe(bytesToHex(kept[0]!.script));
  });
});

describe('shareCredits with the chain book', () => {
  it("gives the same credits as a book of the call's own, and a payee's shares share one script", () => {
    const pool = testPool();
    const miner = { ...payee(3), bp: 9000 };
    const fee = { ...payee(9), bp: 1000 };
    const [a, b] = extend(pool, 2, { payees: [miner, fee] });
    expect(a!.credits[0]!.script).toBe(b!.credits[0]!.script);
    expect(a!.credits[1]!.script).toBe(b!.credits[1]!.script);
    const fresh = shareCredits(b!.share, b!.work, [], pool.chain.params);
    expect(fresh.map((c) => [c.key, bytesToHex(c.script), c.weight])).toEqual(b!.credits.map((c) => [c.key, bytesToHex(c.script), c.weight]));
  });
});

describe('SplitBook', () => {
  it('interns equal payee lists as one split, and tells apart order, basis points and scripts', () => {
    const book = new SplitBook(new PayeeBook());
    const a = [{ ...payee(1), bp: 9000 }, { ...payee(2), bp: 1000 }];
    const split = book.intern(a);
    expect(book.intern(a.map((p) => ({ script: Buffer.from(p.script), bp: p.bp })))).toBe(split);
    expect(split.payees.map((p) => [p.key, p.bp, p.bpBigint])).toEqual([
      [bytesToHex(payee(1).script), 9000, 9000n],
      [bytesToHex(payee(2).script), 1000, 1000n],
    ]);
    const others = [
      [a[1]!, a[0]!], // the same payees in the other order
      [{ ...a[0]!, bp: 8000 }, { ...a[1]!, bp: 2000 }],
      [a[0]!, { ...payee(3), bp: 1000 }],
      [{ ...payee(1), bp: 10_000 }],
    ];
    for (const list of others) {
      const other = book.intern(list);
      expect(other).not.toBe(split);
      expect(other.payees.map((p) => [p.key, p.bp])).toEqual(list.map((p) => [bytesToHex(p.script), p.bp]));
    }
    expect(book.held).toBe(5);
    // The caller's bytes change: the split's interned scripts do not.
    a[0]!.script.fill(0);
    expect(split.payees[0]!.key).toBe(bytesToHex(payee(1).script));
    expect(bytesToHex(split.payees[0]!.script)).toBe(bytesToHex(payee(1).script));
  });

  it('is bounded: past its size it starts over, and what it hands out stays right', () => {
    const book = new SplitBook(new PayeeBook(), 2);
    const lists = [1, 2, 3].map((n) => [{ ...payee(n), bp: 10_000 }]);
    const first = book.intern(lists[0]!);
    book.intern(lists[1]!);
    book.intern(lists[2]!); // full: forgets the first two
    expect(book.held).toBe(1);
    const again = book.intern(lists[0]!);
    expect(again).not.toBe(first);
    expect(again.credits(7n)).toEqual(first.credits(7n));
  });

  it("a split's credits are shareCredits of a share without uncles, and a held share's credits say so", () => {
    const pool = testPool();
    const payees = [{ ...payee(3), bp: 7000 }, { ...payee(9), bp: 2000 }, { ...payee(4), bp: 1000 }];
    const [a, b] = extend(pool, 2, { payees });
    expect(a!.split).toBeInstanceOf(PayeeSplit);
    expect(b!.split).toBe(a!.split); // one split for both shares
    const expected = shareCredits(b!.share, b!.work, [], pool.chain.params);
    expect(b!.split!.credits(b!.work)).toEqual(expected);
    expect(b!.credits).toEqual(expected);
    for (const p of payees) expect(b!.creditsKey(bytesToHex(p.script))).toBe(true);
    expect(b!.creditsKey(bytesToHex(payee(5).script))).toBe(false);
  });
});
