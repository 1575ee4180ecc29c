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

/** Bytes hexed per String.fromCharCode call (its arguments; longer inputs go in chunks). */
const HEX_CHUNK_BYTES = 256;
const HEX_ALPHABET = '0123456789abcdef';
/** The char codes of each byte's two hex digits. */
const HEX_HIGH = Uint16Array.from({ length: 256 }, (_, i) => HEX_ALPHABET.charCodeAt(i >>> 4));
const HEX_LOW = Uint16Array.from({ length: 256 }, (_, i) => HEX_ALPHABET.charCodeAt(i & 15));
const HEX_SCRATCH = new Uint16Array(2 * HEX_CHUNK_BYTES);

/**
 * Lower-case hex of the bytes. The digits' char codes go into a reused buffer made into one flat
 * string by String.fromCharCode: about 1.8x faster than appending two-digit strings one by one
 * for share ids (no rope of 32 pieces to flatten when the id is hashed as a Map key: the chain
 * keys every share by it).
 */
export function bytesToHex(bytes: Uint8Array): string {
  const n = bytes.length;
  if (n <= HEX_CHUNK_BYTES) return hexChunk(bytes, 0, n);
  let s = '';
  for (let o = 0; o < n; o += HEX_CHUNK_BYTES) s += hexChunk(bytes, o, Math.min(n, o + HEX_CHUNK_BYTES));
  return s;
}

function hexChunk(bytes: Uint8Array, start: number, end: number): string {
  const out = HEX_SCRATCH;
  let j = 0;
  for (let i = start; i < end; i++) {
    const v = bytes[i]! & 0xff;
    out[j++] = HEX_HIGH[v]!;
    out[j++] = HEX_LOW[v]!;
  }
  const codes = j === out.length ? out : j <= HEX_EXACT_MAX ? hexExact(out, j) : out.subarray(0, j);
  return String.fromCharCode.apply(null, codes as unknown as number[]);
}

/** Hex digits up to which a scratch of the exact length is kept (ids: 64, scripts: <= 84). */
const HEX_EXACT_MAX = 128;
const HEX_EXACT: (Uint16Array | undefined)[] = [];

/** The first `n` codes of `out` in a reused buffer of exactly `n` (no view to make for every id hexed). */
function hexExact(out: Uint16Array, n: number): Uint16Array {
  let exact = HEX_EXACT[n];
  if (exact === undefined) exact = HEX_EXACT[n] = new Uint16Array(n);
  for (let i = 0; i < n; i++) exact[i] = out[i]!;
  return exact;
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
