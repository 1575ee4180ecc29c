/**
 * What the validation hot path keeps and what it lets go: shares are decoded in the caller's
 * buffer and only held ones are copied (into the chain's EncodingStore), so a caller that reuses
 * its buffer (a network layer) must not change anything the chain answered or kept; the caches
 * of the hot path stay bounded.
 */
import { describe, expect, it } from 'vitest';
import { COIN_REWARD, extend, mineShare, payee, testPool } from '../../test/sharechain-fixtures.ts';
import { bytesToHex } from '../hex.ts';
import { decodeShare } from './share-codec.ts';
import { EncodingStore, PayeeBook, payeeScriptHash } from './share-entry.ts';
import { ShareChain } from './sharechain.ts';

/** A reused network buffer: the share is written at an offset, then the buffer is overwritten. */
function inReusedBuffer(bytes: Uint8Array): { view: Uint8Array; scribble: () => void } {
  const buffer = Buffer.alloc(bytes.length + 100);
  buffer.set(bytes, 37);
  return { view: buffer.subarray(37, 37 + bytes.length), scribble: () => buffer.fill(0xa5) };
}

describe('ShareChain and the bytes it is given', () => {
  it("keeps entries, encodings and payouts right after the caller's buffer is overwritten", () => {
    const pool = testPool();
    const [first] = extend(pool, 1);
    pool.now += pool.chain.params.shareIntervalMs;
    const miner = { ...payee(77), bp: 9000 };
    const fee = { ...payee(78), bp: 1000 };
    const { bytes } = mineShare(pool, { payees: [miner, fee] });
    const copy = Uint8Array.from(bytes);
    // A chain that did not make the job: it computes the payouts while judging the share.
    const chain = new ShareChain({ params: pool.chain.params, coin: pool.coin, now: () => pool.now });
    expect(chain.add(first!.encoded).kind).toBe('accepted');
    const reused = inReusedBuffer(bytes);
    const r = chain.add(reused.view);
    expect(r.kind).toBe('accepted');
    if (r.kind !== 'accepted') return;
    const payoutsBefore = chain.payouts(first!.id, COIN_REWARD, pool.tip.prevHash, [miner, fee]);
    const id = bytesToHex(r.id);
    reused.scribble();
    const entry = chain.get(id)!;
    expect(bytesToHex(entry.encoded)).toBe(bytesToHex(copy));
    expect(bytesToHex(entry.parentId)).toBe(first!.key);
    expect(entry.share.meta.payees.map((p) => bytesToHex(p.script))).toEqual([bytesToHex(miner.script), bytesToHex(fee.script)]);
    expect(entry.credits.map((c) => bytesToHex(c.script))).toEqual(entry.credits.map((c) => c.key));
    // The payouts cached while judging the share (its finder's scripts among them) are unchanged.
    const payoutsAfter = chain.payouts(first!.id, COIN_REWARD, pool.tip.prevHash, [miner, fee]);
    expect(payoutsAfter).toBe(payoutsBefore);
    expect(payoutsAfter.payees.every((p) => bytesToHex(p.script) === p.key)).toBe(true);
    expect(chain.add(copy).kind).toBe('duplicate');
  });

  it('answers missing ids that stay right after the buffer is overwritten', () => {
    const pool = testPool();
    const [a] = extend(pool, 1);
    pool.now += pool.chain.params.shareIntervalMs;
    const orphan = mineShare(pool, { parent: a!, uncles: [] }).bytes;
    const fresh = new ShareChain({ params: pool.chain.params, coin: pool.coin, now: () => pool.now });
    const reused = inReusedBuffer(orphan);
    const r = fresh.add(reused.view);
    expect(r.kind).toBe('missing-parent');
    reused.scribble();
    if (r.kind === 'missing-parent') expect(r.missing.map(bytesToHex)).toEqual([a!.key]);
  });

  it('hands out copies of a held encoding: changing one changes nothing held', () => {
    const pool = testPool();
    extend(pool, 3);
    const entries = [...Array(3).keys()].map((h) => pool.chain.bestAt(h)!);
    // Every encoding reads back as the share, and a copy: changing it changes nothing held.
    for (const e of entries) {
      const enc = e.encoded;
      expect(enc).not.toBe(e.encoded);
      expect(decodeShare(enc, 80).meta.height).toBe(e.height);
      enc.fill(0);
      expect(decodeShare(e.encoded, 80).meta.height).toBe(e.height);
      expect(e.encodedBytes).toBe(enc.length);
    }
  });

  it('hands out copies of a held id, kept in the slab behind the encoding: changing one changes nothing held', () => {
    const pool = testPool();
    extend(pool, 3);
    for (let h = 0; h < 3; h++) {
      const e = pool.chain.bestAt(h)!;
      const id = e.id;
      expect(bytesToHex(id)).toBe(e.key);
      expect(id).not.toBe(e.id);
      expect(e.hasId(id)).toBe(true);
      expect(pool.chain.get(id)).toBe(e);
      id[31] = id[31]! ^ 1;
      expect(e.hasId(id)).toBe(false);
      expect(bytesToHex(e.id)).toBe(e.key);
      // A share's parent is found by its id, compared in the slab.
      if (h > 0) expect(bytesToHex(pool.chain.bestAt(h - 1)!.id)).toBe(bytesToHex(e.parentId));
    }
  });
});

describe('the payout cache', () => {
  it("writes new outputs into an evicted entry's buffer without touching the entries it still holds", () => {
    const pool = testPool();
    // Five miners in turn: every parent's window, so its outputs, differs from the next one's.
    const es = [...Array(12).keys()].flatMap((i) => extend(pool, 1, { payees: [payee(1 + (i % 5))] }));
    pool.now += pool.chain.params.shareIntervalMs;
    // The cache is full (the jobs that mined the chain filled it). Jobs on 6 parents first: each
    // caches its parent's payouts in the buffer of the entry it evicts; then their shares, each
    // judged against its cached entry (a hit), written before the other jobs' payouts were: a
    // buffer shared by two live entries would leave one of them wrong and its share refused
    // (bad-coinbase). Twice, on other parents the second time.
    for (const parents of [es.slice(4, 10), es.slice(1, 7)]) {
      const shares = parents.map((parent, i) => mineShare(pool, { parent, uncles: [], extranonce: Uint8Array.of(parent.height, i, 0, 0, 0, 0, 0, 0) }).bytes);
      shares.forEach((bytes, i) => expect(pool.chain.add(bytes).kind, `share on ${parents[i]!.height}`).toBe('accepted'));
    }
    const fresh = new ShareChain({ params: pool.chain.params, coin: pool.coin, now: () => pool.now });
    for (let h = 0; h < 12; h++) fresh.add(es[h]!.encoded);
    for (const e of es.slice(2)) {
      const a = pool.chain.payouts(e.id, COIN_REWARD, pool.tip.prevHash, [payee(1)]);
      const b = fresh.payouts(e.id, COIN_REWARD, pool.tip.prevHash, [payee(1)]);
      expect(a.outputs.map((o) => [bytesToHex(o.script), o.value])).toEqual(b.outputs.map((o) => [bytesToHex(o.script), o.value]));
    }
  });
});

describe('EncodingStore', () => {
  it('packs encodings back to back and starts a new slab when one does not fit', () => {
    const store = new EncodingStore(10);
    const at = [store.put(Uint8Array.of(1, 2, 3)), store.put(Uint8Array.of(4, 5, 6, 7))];
    const first = store.slab;
    expect(at).toEqual([0, 3]);
    expect(store.put(Uint8Array.of(8, 9, 10, 11))).toBe(0); // 7 + 4 > 10: a new slab
    expect(store.slab).not.toBe(first);
    expect([...first.subarray(0, 7)]).toEqual([1, 2, 3, 4, 5, 6, 7]);
    // An encoding larger than a slab gets a slab of its own size.
    expect(store.put(new Uint8Array(25).fill(3))).toBe(0);
    expect(store.slab.length).toBe(25);
  });

  it('puts a second buffer right behind the first, and counts both when a slab is full', () => {
    const store = new EncodingStore(10);
    expect(store.put(Uint8Array.of(1, 2, 3), Uint8Array.of(4, 5))).toBe(0);
    expect(store.put(Uint8Array.of(6, 7), Uint8Array.of(8))).toBe(5);
    const first = store.slab;
    expect([...first.subarray(0, 8)]).toEqual([1, 2, 3, 4, 5, 6, 7, 8]);
    // 8 + 2 + 1 > 10: a new slab, though the first buffer alone would fit.
    expect(store.put(Uint8Array.of(9, 9), Uint8Array.of(9))).toBe(0);
    expect(store.slab).not.toBe(first);
  });
});

describe('PayeeBook', () => {
  it('tells apart two scripts whose fast-path hashes collide (the hex key decides)', () => {
    // Birthday search for two P2WPKH scripts with equal 32-bit hashes: about 2^16.5 tries for
    // even odds; 2^19 make a miss about e^-32 (programs drawn from a xorshift stream, so all 20
    // bytes vary: varying 4 bytes alone maps one-to-one onto FNV's 32-bit state).
    const script = (n: number): Uint8Array => {
      const s = new Uint8Array(22);
      s[1] = 0x14;
      let x = (n + 1) * 0x9e3779b9;
      for (let i = 2; i < 22; i++) {
        x ^= x << 13;
        x ^= x >>> 17;
        x ^= x << 5;
        s[i] = x & 0xff;
      }
      return s;
    };
    const seen = new Map<number, number>();
    let pair: [Uint8Array, Uint8Array] | undefined;
    for (let n = 0; !pair && n < 1 << 19; n++) {
      const h = payeeScriptHash(script(n));
      const other = seen.get(h);
      if (other !== undefined) pair = [script(other), script(n)];
      else seen.set(h, n);
    }
    if (!pair) throw new Error('no colliding pair in 2^19 scripts');
    expect(bytesToHex(pair[0])).not.toBe(bytesToHex(pair[1]));
    expect(payeeScriptHash(pair[0])).toBe(payeeScriptHash(pair[1]));
    const book = new PayeeBook();
    const a = book.intern(pair[0]);
    const b = book.intern(pair[1]);
    expect(b).not.toBe(a);
    expect([a.key, b.key]).toEqual([bytesToHex(pair[0]), bytesToHex(pair[1])]);
    expect(book.intern(pair[0])).toBe(a);
    expect(book.intern(Uint8Array.from(pair[1]))).toBe(b);
    expect(book.held).toBe(2);
  });
});
