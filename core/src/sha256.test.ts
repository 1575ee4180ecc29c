import { createHash, randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { bytesToHex, hexToBytes, parseU32Hex, u32ToHex } from './hex.ts';
import { sha256, sha256d } from './sha256.ts';

describe('sha256', () => {
  it('matches FIPS 180-4 examples', () => {
    expect(bytesToHex(sha256(new TextEncoder().encode('abc')))).toBe('ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad');
    expect(bytesToHex(sha256(new Uint8Array()))).toBe('e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855');
    expect(bytesToHex(sha256(new TextEncoder().encode('abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq')))).toBe(
      '248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1',
    );
  });

  it('agrees with node:crypto on random lengths 0..300 (differential)', () => {
    for (let len = 0; len <= 300; len += 7) {
      const data = new Uint8Array(randomBytes(len));
      const once = createHash('sha256').update(data).digest();
      const twice = createHash('sha256').update(once).digest();
      expect(bytesToHex(sha256(data))).toBe(once.toString('hex'));
      expect(bytesToHex(sha256d(data))).toBe(twice.toString('hex'));
    }
  });
});

describe('hex', () => {
  it('bytesToHex gives lower-case hex of any length (chunk boundaries included) and round-trips', () => {
    for (const len of [0, 1, 31, 32, 33, 255, 256, 257, 511, 512, 513, 1000, 70_000]) {
      const data = new Uint8Array(randomBytes(len));
      const hex = bytesToHex(data);
      expect(hex).toBe(Buffer.from(data).toString('hex'));
      expect(bytesToHex(hexToBytes(hex))).toBe(hex);
    }
    expect(bytesToHex(new Uint8Array([0, 0x0f, 0xa0, 0xff]))).toBe('000fa0ff');
  });

  it('rejects malformed hex with a reason', () => {
    expect(() => hexToBytes('abc')).toThrow(/odd number/);
    expect(() => hexToBytes('0g')).toThrow(/not hex/);
    expect(() => hexToBytes('00', 2, 'nonce')).toThrow(/nonce must be 2 bytes/);
    expect(() => parseU32Hex('1234567', 'ntime')).toThrow(/ntime must be 8 hex digits/);
    expect(() => parseU32Hex(12 as unknown as string)).toThrow(/8 hex digits/);
  });

  it('formats u32 with zero padding (miners reject unpadded hex)', () => {
    expect(u32ToHex(1)).toBe('00000001');
    expect(u32ToHex(0xffffffff)).toBe('ffffffff');
    expect(parseU32Hex('ffffffff')).toBe(0xffffffff);
  });
});
