/** Hex and byte helpers shared by every workspace (platform-free). */
import { InvalidHexError } from './errors.ts';

const HEX_RE = /^[0-9a-fA-F]*$/;

/** Parses even-length hex (no 0x prefix); `expectedBytes` checks the decoded length. */
export function hexToBytes(hex: string, expectedBytes?: number, what = 'hex'): Uint8Array {
  if (typeof hex !== 'string') throw new InvalidHexError(`${what} must be a hex string`);
  if (hex.length % 2 !== 0) throw new InvalidHexError(`${what} has an odd number of hex digits (${hex.length})`);
  if (!HEX_RE.test(hex)) throw new InvalidHexError(`${what} is not hex: ${JSON.stringify(hex.slice(0, 24))}`);
  if (expectedBytes !== undefined && hex.length !== expectedBytes * 2) {
    throw new InvalidHexError(`${what} must be ${expectedBytes} bytes (${expectedBytes * 2} hex digits), got ${hex.length / 2} bytes`);
  }
  const out = new Uint8Array(hex.length / 2);
  for (let i = 0; i < out.length; i++) out[i] = parseInt(hex.substr(i * 2, 2), 16);
  return out;
}

const HEX_DIGITS = Array.from({ length: 256 }, (_, i) => i.toString(16).padStart(2, '0'));

export function bytesToHex(bytes: Uint8Array): string {
  let s = '';
  for (let i = 0; i < bytes.length; i++) s += HEX_DIGITS[bytes[i]!];
  return s;
}

/** A reversed copy (internal <-> display byte order). */
export function reverseBytes(bytes: Uint8Array): Uint8Array {
  const out = new Uint8Array(bytes.length);
  for (let i = 0; i < bytes.length; i++) out[i] = bytes[bytes.length - 1 - i]!;
  return out;
}

export function concatBytes(...parts: Uint8Array[]): Uint8Array {
  let n = 0;
  for (const p of parts) n += p.length;
  const out = new Uint8Array(n);
  let o = 0;
  for (const p of parts) {
    out.set(p, o);
    o += p.length;
  }
  return out;
}

export function bytesEqual(a: Uint8Array, b: Uint8Array): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}

/** Parses a u32 written as exactly 8 big-endian hex digits (Stratum's version/nbits/ntime/nonce). */
export function parseU32Hex(hex: string, what = 'value'): number {
  if (typeof hex !== 'string' || !/^[0-9a-fA-F]{8}$/.test(hex)) {
    throw new InvalidHexError(`${what} must be 8 hex digits, got ${JSON.stringify(typeof hex === 'string' ? hex.slice(0, 24) : hex)}`);
  }
  return parseInt(hex, 16) >>> 0;
}

/** A u32 as 8 big-endian hex digits, zero padded. */
export function u32ToHex(value: number): string {
  return (value >>> 0).toString(16).padStart(8, '0');
}

export function readU32LE(bytes: Uint8Array, offset: number): number {
  return (bytes[offset]! | (bytes[offset + 1]! << 8) | (bytes[offset + 2]! << 16) | (bytes[offset + 3]! << 24)) >>> 0;
}

export function writeU32LE(bytes: Uint8Array, offset: number, value: number): void {
  bytes[offset] = value & 0xff;
  bytes[offset + 1] = (value >>> 8) & 0xff;
  bytes[offset + 2] = (value >>> 16) & 0xff;
  bytes[offset + 3] = (value >>> 24) & 0xff;
}
