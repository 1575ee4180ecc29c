/**
 * The first 76 bytes every algorithm in scope shares with Bitcoin's header: version u32 LE |
 * prevhash (internal) | merkle root (internal) | time u32 LE | bits u32 LE. SHA-256d puts its
 * u32 nonce after them; KawPow its height, then a u64 nonce and the mix hash.
 */
import { InvalidHeaderError } from '../errors.ts';
import { readU32LE, writeU32LE } from '../hex.ts';
import type { CoinHeaderFields, HeaderFields } from './algorithm.ts';

/** Bytes of the fields every header in scope begins with. */
export const COMMON_HEADER_BYTES = 76;

/** Throws InvalidHeaderError unless `header` is a Uint8Array of `bytes` bytes. */
export function checkHeaderLength(header: Uint8Array, bytes: number): void {
  if (!(header instanceof Uint8Array)) throw new InvalidHeaderError(`header must be ${bytes} bytes (got ${typeof header})`);
  if (header.length !== bytes) throw new InvalidHeaderError(`header must be ${bytes} bytes (got ${header.length})`);
}

/** The coin fields of a header of `bytes` bytes: views into it. */
export function readCoinFields(header: Uint8Array, bytes: number): CoinHeaderFields {
  checkHeaderLength(header, bytes);
  return {
    prevHash: header.subarray(4, 36),
    merkleRoot: header.subarray(36, 68),
    time: readU32LE(header, 68),
    bits: readU32LE(header, 72),
  };
}

function checkU32(value: number, field: string): void {
  if (!Number.isInteger(value) || value < 0 || value > 0xffff_ffff) throw new InvalidHeaderError(`${field} must be a u32 (got ${value})`);
}

/** A zeroed header of `bytes` bytes with the common fields written (checked) into its first 76 bytes. */
export function writeCommonFields(fields: HeaderFields, bytes: number): Uint8Array {
  for (const f of ['version', 'time', 'bits'] as const) checkU32(fields[f], f);
  if (!(fields.prevHash instanceof Uint8Array) || fields.prevHash.length !== 32) throw new InvalidHeaderError('prevHash must be 32 bytes');
  if (!(fields.merkleRoot instanceof Uint8Array) || fields.merkleRoot.length !== 32) throw new InvalidHeaderError('merkleRoot must be 32 bytes');
  const out = new Uint8Array(bytes);
  writeU32LE(out, 0, fields.version);
  out.set(fields.prevHash, 4);
  out.set(fields.merkleRoot, 36);
  writeU32LE(out, 68, fields.time);
  writeU32LE(out, 72, fields.bits);
  return out;
}
