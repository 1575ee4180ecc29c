import { describe, expect, it } from 'vitest';
import { extend, payee, testPool } from '../../test/sharechain-fixtures.ts';
import { bytesToHex } from '../hex.ts';
import { PayeeBook, shareCredits } from './share-entry.ts';

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
