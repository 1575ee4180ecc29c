/**
 * The 80-byte Bitcoin block header:
 *   version u32 LE | prevhash 32 (internal) | merkle root 32 (internal) | time u32 LE | nbits u32 LE | nonce u32 LE
 */
import { writeCommonFields } from './algorithms/header-fields.ts';
import { InvalidHeaderError } from './errors.ts';
import { bytesToHex, hexToBytes, readU32LE, reverseBytes, writeU32LE } from './hex.ts';
import { sha256d } from './sha256.ts';

export const HEADER_BYTES = 80;
export const NONCE_OFFSET = 76;

export interface BlockHeader {
  version: number;
  /** Previous block hash, internal byte order. */
  prevHash: Uint8Array;
  /** Merkle root, internal byte order. */
  merkleRoot: Uint8Array;
  time: number;
  bits: number;
  nonce: number;
}

function checkU32(value: number, field: string): void {
  if (!Number.isInteger(value) || value < 0 || value > 0xffffffff) {
    throw new InvalidHeaderError(`${field} must be a u32 (got ${value})`);
  }
}

export function serializeHeader(h: BlockHeader): Uint8Array {
  checkU32(h.nonce, 'nonce');
  const out = writeCommonFields({ ...h, height: 0 }, HEADER_BYTES);
  writeU32LE(out, NONCE_OFFSET, h.nonce);
  return out;
}

export function parseHeader(bytes: Uint8Array): BlockHeader {
  if (bytes.length !== HEADER_BYTES) throw new InvalidHeaderError(`header must be 80 bytes (got ${bytes.length})`);
  return {
    version: readU32LE(bytes, 0),
    prevHash: bytes.slice(4, 36),
    merkleRoot: bytes.slice(36, 68),
    time: readU32LE(bytes, 68),
    bits: readU32LE(bytes, 72),
    nonce: readU32LE(bytes, 76),
  };
}

/** Parses 160 hex digits into header bytes, with an error that names the problem. */
export function parseHeaderHex(hex: string): Uint8Array {
  if (typeof hex !== 'string') throw new InvalidHeaderError('header must be a hex string');
  const clean = hex.trim().replace(/^0x/i, '');
  if (!/^[0-9a-fA-F]*$/.test(clean)) throw new InvalidHeaderError('header is not hex');
  if (clean.length !== HEADER_BYTES * 2) {
    throw new InvalidHeaderError(`header must be 80 bytes (160 hex digits), got ${clean.length} hex digits`);
  }
  return hexToBytes(clean, HEADER_BYTES, 'header');
}

/** A copy of the header with another nonce. */
export function withNonce(header: Uint8Array, nonce: number): Uint8Array {
  const out = header.slice();
  writeU32LE(out, NONCE_OFFSET, nonce >>> 0);
  return out;
}

/** sha256d of the header, internal byte order. */
export function headerHash(header: Uint8Array): Uint8Array {
  if (header.length !== HEADER_BYTES) throw new InvalidHeaderError(`header must be 80 bytes (got ${header.length})`);
  return sha256d(header);
}

/** The block hash as explorers print it (internal hash reversed). */
export function blockHashDisplay(header: Uint8Array): string {
  return bytesToHex(reverseBytes(headerHash(header)));
}
