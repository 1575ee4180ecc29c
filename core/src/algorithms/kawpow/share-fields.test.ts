import { describe, expect, it } from 'vitest';
import { InvalidHeaderError, InvalidHeightError, InvalidHexError, InvalidMixHashError, NonceRangeError } from '../../errors.ts';
import { bytesToHex, hexToBytes } from '../../hex.ts';
import { sha256d } from '../../sha256.ts';
import { KAWPOW_MAX_HEIGHT } from './params.ts';
import {
  checkKawpowHeight,
  formatKawpowHash,
  formatKawpowNonce,
  kawpowBlockHashInternal,
  kawpowHashMeetsTarget,
  kawpowHashValue,
  kawpowHeaderHash,
  mixHashFromBlockOrder,
  mixHashToBlockOrder,
  parseKawpowHash,
  parseKawpowHeader,
  parseKawpowNonce,
  withKawpowSolution,
} from './share-fields.ts';

describe('KawPow nonces', () => {
  it('parse as the CLI takes them (decimal or 0x-hex) and as Stratum sends them (hex)', () => {
    expect(parseKawpowNonce('0')).toBe(0n);
    expect(parseKawpowNonce('117914631')).toBe(0x7073c07n);
    expect(parseKawpowNonce('0x0000000007073c07')).toBe(0x7073c07n);
    expect(parseKawpowNonce('0XFFFFFFFFFFFFFFFF')).toBe((1n << 64n) - 1n);
    expect(parseKawpowNonce('18446744073709551615')).toBe((1n << 64n) - 1n);
    expect(parseKawpowNonce('005d409dbc23a62a', 'hex')).toBe(0x5d409dbc23a62an);
    expect(parseKawpowNonce('0x005d409dbc23a62a', 'hex')).toBe(0x5d409dbc23a62an);
    expect(formatKawpowNonce(0x5d409dbc23a62an)).toBe('0x005d409dbc23a62a');
  });

  const bad: [string, 'auto' | 'hex', RegExp][] = [
    ['', 'auto', /neither decimal nor 0x-prefixed hex/],
    ['-1', 'auto', /neither decimal/],
    ['12a', 'auto', /neither decimal/],
    ['1.5', 'auto', /neither decimal/],
    [' 12', 'auto', /neither decimal/],
    ['18446744073709551616', 'auto', /outside 0..2\^64-1/],
    ['999999999999999999999', 'auto', /larger than 2\^64-1/],
    ['0x', 'auto', /is not hex/],
    ['0x1g', 'auto', /is not hex/],
    ['0x10000000000000000', 'auto', /more than 16 hex digits/],
    ['', 'hex', /is not hex/],
    ['xyz', 'hex', /is not hex/],
  ];
  for (const [text, radix, reason] of bad) {
    it(`refuse ${JSON.stringify(text)} (${radix}) with NonceRangeError`, () => {
      expect(() => parseKawpowNonce(text, radix)).toThrow(NonceRangeError);
      expect(() => parseKawpowNonce(text, radix)).toThrow(reason);
    });
  }

  it('refuse what is not a string or a bigint in range', () => {
    expect(() => parseKawpowNonce(12 as unknown as string)).toThrow(NonceRangeError);
    expect(() => formatKawpowNonce(-1n)).toThrow(NonceRangeError);
    expect(() => formatKawpowNonce(1n << 64n)).toThrow(NonceRangeError);
  });
});

describe('KawPow hashes and heights', () => {
  it('parse 32-byte hashes with or without 0x; wrong lengths are typed by field', () => {
    const hex = '63155f732f2bf556967f906155b510c917e48e99685ead76ea83f4eca03ab12b';
    expect(bytesToHex(parseKawpowHash('0x' + hex, 'header hash'))).toBe(hex);
    expect(formatKawpowHash(parseKawpowHash(hex))).toBe('0x' + hex);
    expect(() => parseKawpowHash(hex.slice(2), 'header hash')).toThrow(InvalidHeaderError);
    expect(() => parseKawpowHash(hex + '00', 'mix hash')).toThrow(InvalidMixHashError);
    expect(() => parseKawpowHash('zz' + hex.slice(2), 'mix hash')).toThrow(/not hex/);
    expect(() => parseKawpowHash(hex.slice(1))).toThrow(InvalidHexError);
    expect(() => parseKawpowHash(undefined as unknown as string, 'mix hash')).toThrow(InvalidMixHashError);
  });

  it('check heights: integers from 0 to the last KawPow height, or a tighter cap', () => {
    expect(() => checkKawpowHeight(0)).not.toThrow();
    expect(() => checkKawpowHeight(KAWPOW_MAX_HEIGHT)).not.toThrow();
    for (const h of [-1, 0.5, Number.NaN, Infinity, KAWPOW_MAX_HEIGHT + 1, '5' as unknown as number]) {
      expect(() => checkKawpowHeight(h)).toThrow(InvalidHeightError);
    }
    expect(() => checkKawpowHeight(7500, 7499)).toThrow(/beyond the highest accepted height 7499/);
  });
});

describe('KawPow byte orders', () => {
  it('the header hash is the sha256d of the KAWPOW input in display order', () => {
    const input = Uint8Array.from({ length: 80 }, (_, i) => i);
    expect(kawpowHeaderHash(input)).toEqual(sha256d(input).reverse());
    expect(() => kawpowHeaderHash(new Uint8Array(81))).toThrow(InvalidHeaderError);
  });

  it('a block stores the mix hash reversed; the internal block hash is the final hash reversed', () => {
    const mix = hexToBytes('d36f7e815ee09e74eceb9c96993a3d681edf2bf0921fc7bb710364042db99777');
    const stored = mixHashToBlockOrder(mix);
    expect(bytesToHex(stored)).toBe('7797b92d04640371bbc71f92f02bdf1e683d3a99969cebec749ee05e817e6fd3');
    expect(mixHashFromBlockOrder(stored)).toEqual(mix);
    expect(() => mixHashToBlockOrder(new Uint8Array(31))).toThrow(InvalidMixHashError);
    const final = hexToBytes('e7ced124598fd2500a55ad9f9f48e3569327fe50493c77a4ac9799b96efb9463');
    expect(bytesToHex(kawpowBlockHashInternal(final))).toBe('6394fb6eb99997aca4773c4950fe279356e3489f9fad550a50d28f5924d1cee7');
  });

  it('the final hash is compared with the target big-endian, equality included', () => {
    const final = hexToBytes('00000000ffff0000000000000000000000000000000000000000000000000001');
    const value = kawpowHashValue(final);
    expect(value).toBe((0xffffn << 208n) + 1n);
    expect(kawpowHashMeetsTarget(final, value)).toBe(true);
    expect(kawpowHashMeetsTarget(final, value - 1n)).toBe(false);
  });
});

describe('KawPow block headers (120 bytes)', () => {
  const input = Uint8Array.from({ length: 80 }, (_, i) => (i * 7 + 3) & 0xff);
  new DataView(input.buffer).setUint32(76, 1_219_736, true); // the height, last field of the input
  const mix = hexToBytes('d36f7e815ee09e74eceb9c96993a3d681edf2bf0921fc7bb710364042db99777');
  const header = withKawpowSolution(Uint8Array.from([...input, ...new Uint8Array(40)]), 0x005d409dbc23a62an, mix);

  it('carry the nonce little-endian at 80 and the mix hash reversed at 88', () => {
    expect(bytesToHex(header.subarray(80, 88))).toBe('2aa623bc9d405d00');
    expect(header.subarray(88)).toEqual(mixHashToBlockOrder(mix));
    expect(header.subarray(0, 80)).toEqual(input);
  });

  it('parse back into the fields the proof of work reads', () => {
    const fields = parseKawpowHeader(header);
    expect(fields.height).toBe(1_219_736);
    expect(fields.nonce).toBe(0x005d409dbc23a62an);
    expect(fields.mixHash).toEqual(mix);
    expect(fields.headerHash).toEqual(kawpowHeaderHash(input));
  });

  it('refuse headers of any other length, and bad solutions', () => {
    expect(() => parseKawpowHeader(new Uint8Array(80))).toThrow(InvalidHeaderError);
    expect(() => parseKawpowHeader(new Uint8Array(121))).toThrow(/must be 120 bytes \(got 121\)/);
    expect(() => withKawpowSolution(header, -1n, mix)).toThrow(NonceRangeError);
    expect(() => withKawpowSolution(header, 1n, mix.subarray(1))).toThrow(InvalidMixHashError);
  });
});
