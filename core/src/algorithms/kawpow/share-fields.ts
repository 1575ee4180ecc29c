/**
 * The fields of a KawPow share (header hash, nonce, mix hash, height) as they arrive from miners,
 * blocks and the command line: checks that turn bad input into typed errors, parsers for their
 * text forms, and the byte-order conversions between ProgPoW's outputs and Ravencoin's blocks.
 *
 * Byte orders (Ravencoin 6d48ae01 src/hash.cpp KAWPOWHash, src/primitives/block.h):
 *   - block header (120 bytes once KawPow is active): version u32 LE | prevhash (internal) |
 *     merkle root (internal) | time u32 LE | bits u32 LE | height u32 LE | nonce u64 LE |
 *     mix hash (32 bytes, block order); its first 80 bytes are the KAWPOW input.
 *   - header hash: sha256d of the 80-byte KAWPOW input (the header without nonce and mix hash,
 *     with the height in place of the nonce), taken in display order: the internal sha256d
 *     bytes reversed. This is the hash ProgPoW takes and KawPow Stratum sends.
 *   - nonce: a u64 (nNonce64, little-endian in the block). Stratum sends it as 0x + 16 hex digits.
 *   - mix hash: ProgPoW's output bytes are what Stratum and the published vectors show; the block
 *     stores them reversed (uint256S(to_hex(mix))).
 *   - final hash: ProgPoW's output bytes are the block hash as displayed; the block's internal
 *     hash is them reversed. Proof of work: the final hash read as a big-endian number <= target.
 */
import { InvalidHeaderError, InvalidHeightError, InvalidHexError, InvalidMixHashError, NonceRangeError } from '../../errors.ts';
import { bytesToHex, hexToBytes, reverseBytes } from '../../hex.ts';
import { sha256d } from '../../sha256.ts';
import { KAWPOW_MAX_HEIGHT } from './params.ts';

/** Bytes of a header hash, a mix hash and a final hash. */
export const KAWPOW_HASH_BYTES = 32;
/** Bytes of the KAWPOW input whose sha256d is the header hash. */
export const KAWPOW_INPUT_BYTES = 80;
/** Bytes of a KawPow block header: the input, the nonce (8) and the mix hash (32). */
export const KAWPOW_HEADER_BYTES = 120;
/** Offsets in a KawPow block header. */
export const KAWPOW_HEIGHT_OFFSET = 76;
export const KAWPOW_NONCE_OFFSET = 80;
export const KAWPOW_MIX_OFFSET = 88;
/** The largest nonce: KawPow nonces are u64. */
export const KAWPOW_MAX_NONCE = (1n << 64n) - 1n;

/** Throws InvalidHeaderError unless `headerHash` is 32 bytes. */
export function checkKawpowHeaderHash(headerHash: Uint8Array): void {
  if (!(headerHash instanceof Uint8Array)) throw new InvalidHeaderError('header hash must be a Uint8Array of 32 bytes');
  if (headerHash.length !== KAWPOW_HASH_BYTES) throw new InvalidHeaderError(`header hash must be 32 bytes (got ${headerHash.length})`);
}

/** Throws InvalidMixHashError unless `mixHash` is 32 bytes. */
export function checkKawpowMixHash(mixHash: Uint8Array): void {
  if (!(mixHash instanceof Uint8Array)) throw new InvalidMixHashError('mix hash must be a Uint8Array of 32 bytes');
  if (mixHash.length !== KAWPOW_HASH_BYTES) throw new InvalidMixHashError(`mix hash must be 32 bytes (got ${mixHash.length})`);
}

/** Throws NonceRangeError unless `nonce` is a bigint in 0..2^64-1. */
export function checkKawpowNonce(nonce: bigint): void {
  if (typeof nonce !== 'bigint') throw new NonceRangeError(`a KawPow nonce must be a bigint (got ${typeof nonce})`);
  if (nonce < 0n || nonce > KAWPOW_MAX_NONCE) throw new NonceRangeError(`KawPow nonce ${nonce} is outside 0..2^64-1`);
}

/**
 * Throws InvalidHeightError unless `height` is an integer in 0..maxHeight (default: the last
 * height KawPow is defined for; callers pass a tighter cap, such as the last epoch they accept).
 */
export function checkKawpowHeight(height: number, maxHeight: number = KAWPOW_MAX_HEIGHT): void {
  if (typeof height !== 'number' || !Number.isSafeInteger(height)) throw new InvalidHeightError(`block height must be an integer (got ${String(height)})`);
  if (height < 0) throw new InvalidHeightError(`block height ${height} is negative`);
  if (height > maxHeight) throw new InvalidHeightError(`block height ${height} is beyond the highest accepted height ${maxHeight}`);
}

const HEX_DIGITS_RE = /^[0-9a-fA-F]+$/;
const DECIMAL_RE = /^[0-9]+$/;

/**
 * Parses a nonce. `'auto'` (the command line): `0x` + hex, or decimal. `'hex'` (Stratum): hex
 * with or without `0x`. At most 16 hex digits / values up to 2^64-1; anything else is a
 * NonceRangeError naming what was wrong.
 */
export function parseKawpowNonce(text: string, radix: 'auto' | 'hex' = 'auto'): bigint {
  if (typeof text !== 'string') throw new NonceRangeError(`nonce must be a string (got ${typeof text})`);
  const shown = JSON.stringify(text.slice(0, 40));
  const prefixed = /^0[xX]/.test(text);
  let value: bigint;
  if (prefixed || radix === 'hex') {
    const digits = prefixed ? text.slice(2) : text;
    if (!HEX_DIGITS_RE.test(digits)) throw new NonceRangeError(`nonce ${shown} is not hex`);
    if (digits.length > 16) throw new NonceRangeError(`nonce ${shown} has more than 16 hex digits (KawPow nonces are 64-bit)`);
    value = BigInt('0x' + digits);
  } else {
    if (!DECIMAL_RE.test(text)) throw new NonceRangeError(`nonce ${shown} is neither decimal nor 0x-prefixed hex`);
    if (text.length > 20) throw new NonceRangeError(`nonce ${shown} is larger than 2^64-1`);
    value = BigInt(text);
  }
  checkKawpowNonce(value);
  return value;
}

/** A nonce as Stratum writes it: 0x + 16 hex digits. */
export function formatKawpowNonce(nonce: bigint): string {
  checkKawpowNonce(nonce);
  return '0x' + nonce.toString(16).padStart(16, '0');
}

/**
 * Parses a 32-byte hash given as 64 hex digits with or without `0x` (Stratum's header and mix
 * hashes). `what` names the field in the error; mix hashes throw InvalidMixHashError, header
 * hashes InvalidHeaderError, anything else InvalidHexError.
 */
export function parseKawpowHash(text: string, what: 'header hash' | 'mix hash' | 'hash' = 'hash'): Uint8Array {
  try {
    if (typeof text !== 'string') throw new InvalidHexError(`${what} must be a hex string`);
    return hexToBytes(/^0[xX]/.test(text) ? text.slice(2) : text, KAWPOW_HASH_BYTES, what);
  } catch (err) {
    if (!(err instanceof InvalidHexError)) throw err;
    if (what === 'mix hash') throw new InvalidMixHashError(err.reason);
    if (what === 'header hash') throw new InvalidHeaderError(err.reason);
    throw err;
  }
}

/** A 32-byte hash as Stratum writes it: 0x + 64 hex digits. */
export function formatKawpowHash(hash: Uint8Array): string {
  return '0x' + bytesToHex(hash);
}

/** The header hash ProgPoW takes: sha256d of the 80-byte KAWPOW input, in display order. */
export function kawpowHeaderHash(kawpowInput: Uint8Array): Uint8Array {
  if (!(kawpowInput instanceof Uint8Array) || kawpowInput.length !== KAWPOW_INPUT_BYTES) {
    throw new InvalidHeaderError(`the KAWPOW input must be 80 bytes (got ${kawpowInput instanceof Uint8Array ? kawpowInput.length : typeof kawpowInput})`);
  }
  return reverseBytes(sha256d(kawpowInput));
}

/** The fields of a 120-byte KawPow block header that its proof of work reads. */
export interface KawpowHeaderFields {
  /** The first 80 bytes (a view): sha256d of them, reversed, is the header hash. */
  readonly kawpowInput: Uint8Array;
  readonly headerHash: Uint8Array;
  readonly height: number;
  readonly nonce: bigint;
  /** In ProgPoW's order (the header stores it reversed). */
  readonly mixHash: Uint8Array;
}

/** Reads the proof-of-work fields of a KawPow block header; InvalidHeaderError unless it is 120 bytes. */
export function parseKawpowHeader(header: Uint8Array): KawpowHeaderFields {
  if (!(header instanceof Uint8Array) || header.length !== KAWPOW_HEADER_BYTES) {
    throw new InvalidHeaderError(`a KawPow block header must be 120 bytes (got ${header instanceof Uint8Array ? header.length : typeof header})`);
  }
  const view = new DataView(header.buffer, header.byteOffset, header.byteLength);
  const kawpowInput = header.subarray(0, KAWPOW_INPUT_BYTES);
  return {
    kawpowInput,
    headerHash: kawpowHeaderHash(kawpowInput),
    height: view.getUint32(KAWPOW_HEIGHT_OFFSET, true),
    nonce: view.getBigUint64(KAWPOW_NONCE_OFFSET, true),
    mixHash: reverseBytes(header.subarray(KAWPOW_MIX_OFFSET, KAWPOW_HEADER_BYTES)),
  };
}

/**
 * Writes the nonce and mix hash (ProgPoW's order) a miner found into a 120-byte header (a copy):
 * how a share or a block is assembled from a Stratum submit.
 */
export function withKawpowSolution(header: Uint8Array, nonce: bigint, mixHash: Uint8Array): Uint8Array {
  parseKawpowHeader(header);
  checkKawpowNonce(nonce);
  checkKawpowMixHash(mixHash);
  const out = header.slice();
  new DataView(out.buffer).setBigUint64(KAWPOW_NONCE_OFFSET, nonce, true);
  out.set(reverseBytes(mixHash), KAWPOW_MIX_OFFSET);
  return out;
}

/** The mix hash as a block stores it (ProgPoW's output reversed); its own inverse. */
export function mixHashToBlockOrder(mixHash: Uint8Array): Uint8Array {
  checkKawpowMixHash(mixHash);
  return reverseBytes(mixHash);
}

/** ProgPoW's mix hash from a block's stored bytes. */
export const mixHashFromBlockOrder = mixHashToBlockOrder;

/** The block hash in internal byte order (how the next header's prevhash holds it). */
export function kawpowBlockHashInternal(finalHash: Uint8Array): Uint8Array {
  return reverseBytes(finalHash);
}

/** The final hash as the number the target bounds: its bytes read big-endian. */
export function kawpowHashValue(finalHash: Uint8Array): bigint {
  return BigInt('0x' + (bytesToHex(finalHash) || '0'));
}

/** Proof of work: the final hash, read big-endian, is at or below the target. */
export function kawpowHashMeetsTarget(finalHash: Uint8Array, target: bigint): boolean {
  return kawpowHashValue(finalHash) <= target;
}
