/** The wallet's keys and addresses against published vectors (wallet-vectors.json names the sources). */
import { bech32, bech32m } from '@scure/base';
import { describe, expect, it } from 'vitest';
import { decodeAddress, type Network } from '../address.ts';
import { WalletError } from '../errors.ts';
import { bytesToHex, hexToBytes } from '../hex.ts';
import vectors from './wallet-vectors.json' with { type: 'json' };
import { bech32Prefix, decodeWif, encodeWif, generatePrivateKey, hash160, isValidPrivateKey, p2wpkhAddress, publicKeyOf, walletAddress } from './keys.ts';

/** secp256k1's group order n (SEC 2): keys must be 1 .. n-1. */
const N = hexToBytes('fffffffffffffffffffffffffffffffebaaedce6af48a03bbfd25e8cd0364141');

describe('bech32 and bech32m (BIP-173, BIP-350)', () => {
  it('accepts every valid string under its own checksum and refuses it under the other', () => {
    for (const s of vectors.bech32.valid) {
      expect(bech32.decodeUnsafe(s, 90), s).toBeDefined();
      expect(bech32m.decodeUnsafe(s, 90), s).toBeUndefined();
    }
    for (const s of vectors.bech32m.valid) {
      expect(bech32m.decodeUnsafe(s, 90), s).toBeDefined();
      expect(bech32.decodeUnsafe(s, 90), s).toBeUndefined();
    }
  });

  it('refuses every invalid string (the BIPs give the reason)', () => {
    for (const [s, why] of vectors.bech32.invalid) expect(bech32.decodeUnsafe(s!, 90), `${JSON.stringify(s)}: ${why}`).toBeUndefined();
    for (const [s, why] of vectors.bech32m.invalid) expect(bech32m.decodeUnsafe(s!, 90), `${JSON.stringify(s)}: ${why}`).toBeUndefined();
  });

  it('re-encodes every valid string to itself (lower case)', () => {
    for (const [codec, list] of [[bech32, vectors.bech32.valid], [bech32m, vectors.bech32m.valid]] as const) {
      for (const s of list) {
        const d = codec.decode(s as `${string}1${string}`, 90);
        expect(codec.encode(d.prefix, d.words, 90)).toBe(s.toLowerCase());
      }
    }
  });
});

describe('private key -> public key -> P2WPKH address', () => {
  it('matches the published vectors', () => {
    for (const v of vectors.p2wpkh.vectors) {
      const key = hexToBytes(v.privateKey);
      const pub = publicKeyOf(key);
      expect(bytesToHex(pub)).toBe(v.publicKey);
      expect(bytesToHex(hash160(pub))).toBe(v.hash160);
      for (const network of ['mainnet', 'testnet', 'regtest'] as Network[]) {
        const address = walletAddress(key, network);
        const expected = (v as Record<string, string>)[network];
        if (expected) expect(address).toBe(expected);
        // Whatever the network, the address decodes to 0014<hash160> on it.
        const decoded = decodeAddress(address);
        expect(decoded.type).toBe('p2wpkh');
        expect(decoded.networks).toEqual([network]);
        expect(bytesToHex(decoded.script)).toBe(`0014${v.hash160}`);
      }
    }
  });

  it('simnet addresses start with bcrt1q (regtest)', () => {
    expect(bech32Prefix('regtest')).toBe('bcrt1');
    expect(walletAddress(hexToBytes(vectors.p2wpkh.vectors[1]!.privateKey), 'regtest')).toMatch(/^bcrt1q[a-z0-9]{38}$/);
  });

  it('refuses keys outside 1 .. n-1 and public keys P2WPKH cannot use', () => {
    expect(isValidPrivateKey(new Uint8Array(32))).toBe(false);
    expect(isValidPrivateKey(N)).toBe(false);
    expect(isValidPrivateKey(new Uint8Array(31).fill(1))).toBe(false);
    expect(() => publicKeyOf(new Uint8Array(32))).toThrow(WalletError);
    expect(() => publicKeyOf(N)).toThrow(/group order/);
    expect(() => publicKeyOf(new Uint8Array(33).fill(1))).toThrow(/32 bytes/);
    const uncompressed = new Uint8Array(65).fill(4);
    expect(() => p2wpkhAddress(uncompressed, 'regtest')).toThrow(/compressed public key/);
  });
});

describe('WIF', () => {
  it('encodes and decodes the published vectors', () => {
    for (const v of vectors.wif.vectors) {
      const key = hexToBytes(v.privateKey);
      expect(encodeWif(key, v.network as Network, v.compressed)).toBe(v.wif);
      const d = decodeWif(v.wif);
      expect(bytesToHex(d.privateKey)).toBe(v.privateKey);
      expect(d.compressed).toBe(v.compressed);
      expect(d.networks).toContain(v.network);
    }
    // Testnet and regtest share the version byte.
    expect(decodeWif(encodeWif(hexToBytes(vectors.wif.vectors[0]!.privateKey), 'regtest')).networks).toEqual(['testnet', 'regtest']);
  });

  it('refuses malformed WIF with a reason', () => {
    const good = vectors.wif.vectors[0]!.wif;
    const typo = good.slice(0, 10) + (good[10] === 'a' ? 'b' : 'a') + good.slice(11);
    expect(() => decodeWif(typo)).toThrow(/checksum|not a WIF/);
    expect(() => decodeWif('')).toThrow(/empty/);
    expect(() => decodeWif('0OIl')).toThrow(/not a WIF/);
    // A P2PKH address is base58check too, but 21 bytes.
    expect(() => decodeWif('1FsSia9rv4NeEwvJ2GvXrX7LyxYspbN2mo')).toThrow(/33 or 34 bytes/);
  });
});

describe('generatePrivateKey', () => {
  it('uses the random source and redraws an invalid key', () => {
    const draws = [new Uint8Array(32), N, hexToBytes(vectors.p2wpkh.vectors[1]!.privateKey)];
    const key = generatePrivateKey(() => draws.shift()!);
    expect(bytesToHex(key)).toBe(vectors.p2wpkh.vectors[1]!.privateKey);
    expect(draws).toEqual([]);
  });

  it('refuses a broken random source', () => {
    expect(() => generatePrivateKey(() => new Uint8Array(32))).toThrow(/broken/);
    expect(() => generatePrivateKey(() => new Uint8Array(16))).toThrow(/16 bytes instead of 32/);
  });

  it('gives different valid keys from the platform source', () => {
    const random = (n: number) => globalThis.crypto.getRandomValues(new Uint8Array(n));
    const a = generatePrivateKey(random);
    const b = generatePrivateKey(random);
    expect(isValidPrivateKey(a) && isValidPrivateKey(b)).toBe(true);
    expect(bytesToHex(a)).not.toBe(bytesToHex(b));
  });
});
