import { describe, expect, it } from 'vitest';
import { sha256dVectors } from '../test/vectors.ts';
import { blockHashDisplay, headerHash, parseHeader, parseHeaderHex, serializeHeader, withNonce } from './block-header.ts';
import { bytesToHex, hexToBytes, reverseBytes } from './hex.ts';
import { bitsToTarget, hashMeetsTarget } from './target.ts';
import { sha256Midstate } from './sha256.ts';

describe('block header', () => {
  for (const v of sha256dVectors.vectors) {
    it(`${v.name}: fields, hash in both orders, proof of work`, () => {
      const bytes = parseHeaderHex(v.header_hex);
      const h = parseHeader(bytes);
      expect(h.version).toBe(parseInt(v.fields.version, 16));
      expect(bytesToHex(reverseBytes(h.prevHash))).toBe(v.fields.prev_hash_display);
      expect(bytesToHex(reverseBytes(h.merkleRoot))).toBe(v.fields.merkle_root_display);
      expect(h.time).toBe(v.fields.time);
      expect(h.bits).toBe(parseInt(v.fields.nbits, 16));
      expect(h.nonce).toBe(v.fields.nonce);
      expect(bytesToHex(serializeHeader(h))).toBe(v.header_hex);
      expect(bytesToHex(headerHash(bytes))).toBe(v.expected_hash_internal_hex);
      expect(blockHashDisplay(bytes)).toBe(v.expected_hash_display_hex);
      expect(hashMeetsTarget(headerHash(bytes), bitsToTarget(h.bits))).toBe(v.hash_meets_target);
      expect(hashMeetsTarget(headerHash(withNonce(bytes, h.nonce ^ 1)), bitsToTarget(h.bits))).toBe(false);
    });
  }

  it('computes the ESP-Miner BM1397 midstate vector', () => {
    const m = sha256dVectors.midstate_vectors[0] as Record<string, string>;
    const state = sha256Midstate(hexToBytes(m['header_first_64_bytes_hex (nonce not involved)']!));
    // Layout: state words little-endian, concatenated.
    const le = new Uint8Array(32);
    state.forEach((w, i) => new DataView(le.buffer).setUint32(i * 4, w, true));
    expect(bytesToHex(le)).toBe(m.expected_midstate_hex_as_stated);
  });

  it('rejects malformed headers with reasons', () => {
    expect(() => parseHeaderHex('00'.repeat(79))).toThrow(/80 bytes/);
    expect(() => parseHeaderHex('zz'.repeat(80))).toThrow(/not hex/);
    expect(() => parseHeader(new Uint8Array(81))).toThrow(/80 bytes/);
    const h = parseHeader(hexToBytes(sha256dVectors.vectors[0]!.header_hex));
    expect(() => serializeHeader({ ...h, time: -1 })).toThrow(/time must be a u32/);
    expect(() => serializeHeader({ ...h, prevHash: new Uint8Array(31) })).toThrow(/prevHash/);
  });
});
