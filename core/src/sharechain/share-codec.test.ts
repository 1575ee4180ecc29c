import { describe, expect, it } from 'vitest';
import { rng } from '../../test/rng.ts';
import { ShareDecodeError } from '../errors.ts';
import { sha256d } from '../sha256.ts';
import { decodeShare, decodeShareMetadata, encodeShare, encodeShareMetadata, maxShareBytes, MAX_METADATA_BYTES } from './share-codec.ts';
import { MAX_MERKLE_BRANCH, NULL_SHARE_ID, type Share } from './share.ts';

const H = 80;

function p2wpkh(n: number): Uint8Array {
  const s = new Uint8Array(22);
  s[1] = 0x14;
  s.fill(n, 2);
  return s;
}

function id(n: number): Uint8Array {
  return sha256d(new Uint8Array([n]));
}

/** The largest share the format allows: 3 uncles, 4 payees, 2 mandated outputs, a full branch. */
function bigShare(): Share {
  const uncles = [id(1), id(2), id(3)].sort((a, b) => {
    for (let i = 0; i < 32; i++) if (a[i] !== b[i]) return a[i]! - b[i]!;
    return 0;
  });
  // Four 42-byte scripts (segwit v1..v16 programs of 40 bytes): the longest payees there are.
  const longest = (n: number) => {
    const s = new Uint8Array(42).fill(n);
    s[0] = 0x50 + n;
    s[1] = 40;
    return s;
  };
  return {
    meta: {
      version: 1,
      parent: id(9),
      height: 123_456,
      time: 1_700_000_000_123,
      maxBits: 0x1d00ffff,
      bits: 0x1c7fffff,
      uncles,
      payees: [
        { script: longest(1), bp: 9_000 },
        { script: longest(2), bp: 900 },
        { script: longest(3), bp: 99 },
        { script: longest(16), bp: 1 },
      ],
      minerNonce: new Uint8Array([1, 2, 3, 4, 5, 6, 7, 8]),
      references: [],
    },
    work: {
      header: new Uint8Array(H).fill(0xab),
      scriptSig: new Uint8Array(100).fill(3),
      reward: 625_000_000n,
      mandatedOutputs: [new Uint8Array(80).fill(0x6a), new Uint8Array(80).fill(0x6b)],
      merkleBranch: Array.from({ length: MAX_MERKLE_BRANCH }, (_, i) => id(100 + i)),
    },
  };
}

function smallShare(): Share {
  return {
    meta: { version: 1, parent: id(5), height: 7, time: 1000, maxBits: 0x207fffff, bits: 0x207fffff, uncles: [], payees: [{ script: p2wpkh(2), bp: 10_000 }], minerNonce: new Uint8Array(8), references: [] },
    work: { header: new Uint8Array(H).fill(1), scriptSig: new Uint8Array([1, 7]), reward: 1n, mandatedOutputs: [], merkleBranch: [] },
  };
}

function decodeError(bytes: Uint8Array): ShareDecodeError {
  try {
    decodeShare(bytes, H);
  } catch (err) {
    if (err instanceof ShareDecodeError) return err;
    throw err;
  }
  throw new Error('decoded');
}

describe('share codec', () => {
  it('round-trips the largest share the format allows, at exactly maxShareBytes', () => {
    const bytes = encodeShare(bigShare(), H);
    expect(bytes.length).toBe(maxShareBytes(H));
    expect(maxShareBytes(H)).toBe(1205);
    const d = decodeShare(bytes, H);
    expect(encodeShare(d, H)).toEqual(bytes);
    expect(d.meta.time).toBe(1_700_000_000_123);
    expect(d.work.reward).toBe(625_000_000n);
    expect(d.metadataBytes.length).toBe(MAX_METADATA_BYTES);
    expect(encodeShareMetadata(d.meta)).toEqual(d.metadataBytes);
  });

  it('decodes into views of the input: nothing is allocated from a length field', () => {
    const bytes = encodeShare(bigShare(), H);
    const d = decodeShare(bytes, H);
    expect(d.work.header.buffer).toBe(bytes.buffer);
    expect(d.work.merkleBranch[15]!.buffer).toBe(bytes.buffer);
    expect(d.meta.payees[0]!.script.buffer).toBe(bytes.buffer);
  });

  it('lays the metadata out as the spec says (offsets of the fixed fields)', () => {
    const bytes = encodeShare(smallShare(), H);
    expect(bytes[0]).toBe(1);
    expect(bytes.subarray(1, 33)).toEqual(id(5));
    expect(new DataView(bytes.buffer).getUint32(33, true)).toBe(7);
    expect(new DataView(bytes.buffer).getBigUint64(37, true)).toBe(1000n);
    expect(new DataView(bytes.buffer).getUint32(45, true)).toBe(0x207fffff);
    expect(new DataView(bytes.buffer).getUint32(49, true)).toBe(0x207fffff);
    expect(bytes[53]).toBe(0); // uncles
    expect(bytes[54]).toBe(1); // payees
    expect(bytes.length).toBe(54 + 1 + 2 + 1 + 22 + 8 + 1 + 80 + 1 + 2 + 8 + 1 + 1);
  });

  it('rejects each broken rule with a ShareDecodeError naming the field', () => {
    const ok = encodeShare(smallShare(), H);
    const mutate = (f: (b: Uint8Array, v: DataView) => void) => {
      const b = ok.slice();
      f(b, new DataView(b.buffer));
      return decodeError(b).field;
    };
    expect(mutate((b) => (b[0] = 2))).toBe('version');
    expect(mutate((_b, v) => v.setUint32(33, 0, true))).toBe('height');
    expect(mutate((_b, v) => v.setUint32(41, 0x00200000, true))).toBe('time');
    expect(mutate((_b, v) => v.setUint32(45, 0x04800000, true))).toBe('maxBits');
    expect(mutate((_b, v) => v.setUint32(49, 0x2100ffff + 1, true))).toBe('bits');
    expect(mutate((_b, v) => v.setUint32(49, 0x03000001, true))).toBe('bits'); // zero target
    expect(mutate((_b, v) => v.setUint32(49, 0x22000001, true))).toBe('bits'); // 2^248, canonically 0x20010000
    expect(mutate((b) => (b[53] = 4))).toBe('uncles');
    expect(mutate((b) => (b[54] = 0))).toBe('payees');
    expect(mutate((b) => (b[54] = 5))).toBe('payees');
    expect(mutate((_b, v) => v.setUint16(55, 9_999, true))).toBe('payees');
    expect(mutate((b) => (b[57] = 43))).toBe('payee 0 script');
    expect(mutate((b) => (b[58] = 0x6a))).toBe('payees'); // OP_RETURN 0x14 ...: pays no address
    expect(mutate((b) => (b[88] = 1))).toBe('references');
    expect(decodeError(ok.subarray(0, ok.length - 1)).field).toBe('merkle branch count');
    expect(decodeError(new Uint8Array([...ok, 0])).field).toBe('(length)');
    expect(decodeError(new Uint8Array(1206)).field).toBe('(length)');
    // The tail: scriptSig length, reward, mandated count, branch count.
    const tail = 89 + H;
    expect(mutate((b) => (b[tail] = 1))).toBe('scriptSig');
    expect(mutate((b) => (b[tail] = 101))).toBe('scriptSig');
    expect(mutate((b) => (b[tail + 3 + 7] = 0xff))).toBe('reward');
    expect(mutate((b) => (b[tail + 11] = 3))).toBe('mandated outputs');
    expect(mutate((b) => (b[tail + 12] = 17))).toBe('merkle branch');
  });

  it('rejects a first share with a height or uncles, and unsorted or repeated uncles and payees', () => {
    const base = smallShare();
    const first = { ...base, meta: { ...base.meta, parent: NULL_SHARE_ID, height: 1 } };
    expect(() => encodeShare(first, H)).toThrow(/height/);
    const dupPayee = { ...base, meta: { ...base.meta, payees: [{ script: p2wpkh(2), bp: 5000 }, { script: p2wpkh(2), bp: 5000 }] } };
    expect(() => encodeShare(dupPayee, H)).toThrow(ShareDecodeError);
    const [a, b] = [id(1), id(2)].sort((x, y) => x[0]! - y[0]!);
    const unsorted = { ...base, meta: { ...base.meta, uncles: [b!, a!] } };
    expect(() => encodeShare(unsorted, H)).toThrow(/ascending/);
    const twice = { ...base, meta: { ...base.meta, uncles: [a!, a!] } };
    expect(() => encodeShare(twice, H)).toThrow(/ascending/);
  });

  it('fuzz: random bytes and mutated shares only ever fail with ShareDecodeError, and what decodes re-encodes to itself', () => {
    const r = rng(42);
    const seeds = [encodeShare(smallShare(), H), encodeShare(bigShare(), H)];
    let decoded = 0;
    for (let i = 0; i < 8_000; i++) {
      let b: Uint8Array;
      if (i % 4 === 0) {
        b = new Uint8Array(Math.floor(r() * 1300));
        for (let k = 0; k < b.length; k++) b[k] = Math.floor(r() * 256);
      } else {
        const seed = seeds[i % 2]!;
        b = seed.slice();
        const flips = 1 + Math.floor(r() * 4);
        for (let k = 0; k < flips; k++) b[Math.floor(r() * b.length)] = Math.floor(r() * 256);
        if (r() < 0.2) b = b.subarray(0, Math.floor(r() * b.length));
        if (r() < 0.1) b = new Uint8Array([...b, ...new Uint8Array(Math.floor(r() * 40))]);
      }
      try {
        const d = decodeShare(b, H);
        decoded++;
        expect(encodeShare(d, H)).toEqual(b);
        expect(decodeShareMetadata(b)).toEqual(d.meta);
      } catch (err) {
        if (!(err instanceof ShareDecodeError)) throw err;
      }
    }
    expect(decoded).toBeGreaterThan(100);
  });

  it('rejects what is not bytes', () => {
    expect(() => decodeShare('share' as unknown as Uint8Array, H)).toThrow(ShareDecodeError);
    expect(() => decodeShareMetadata(null as unknown as Uint8Array)).toThrow(ShareDecodeError);
  });
});
