/**
 * Little-endian readers and writers for the sharechain's binary encodings. The reader checks
 * every read against the bytes that are left *before* touching them and returns views (no
 * copies), so decoding never allocates from a length an attacker wrote; every overrun is a
 * ShareDecodeError naming the field.
 */
import { ShareDecodeError } from '../errors.ts';

/** The list of no items (most shares name no uncle and no reference: one array for all of them). */
export const NO_ITEMS: readonly Uint8Array[] = Object.freeze([]);

export class ShareReader {
  offset = 0;
  constructor(readonly bytes: Uint8Array) {}

  get remaining(): number {
    return this.bytes.length - this.offset;
  }

  private need(n: number, field: string): void {
    if (n > this.remaining) {
      throw new ShareDecodeError(field, `truncated: needs ${n} bytes at offset ${this.offset}, ${this.remaining} left`);
    }
  }

  u8(field: string): number {
    this.need(1, field);
    return this.bytes[this.offset++]!;
  }

  u16(field: string): number {
    this.need(2, field);
    const b = this.bytes;
    const o = this.offset;
    this.offset += 2;
    return b[o]! | (b[o + 1]! << 8);
  }

  u32(field: string): number {
    this.need(4, field);
    const b = this.bytes;
    const o = this.offset;
    this.offset += 4;
    return (b[o]! | (b[o + 1]! << 8) | (b[o + 2]! << 16) | (b[o + 3]! << 24)) >>> 0;
  }

  /** A u64 that must fit a safe integer (timestamps). */
  u53(field: string): number {
    const lo = this.u32(field);
    const hi = this.u32(field);
    if (hi > 0x1f_ffff) throw new ShareDecodeError(field, `value exceeds 2^53-1`);
    return hi * 0x1_0000_0000 + lo;
  }

  u64(field: string): bigint {
    const lo = this.u32(field);
    const hi = this.u32(field);
    // Below 2^53 (every amount of money) the value is exact as a double: one conversion.
    return hi <= 0x1f_ffff ? BigInt(hi * 0x1_0000_0000 + lo) : (BigInt(hi) << 32n) | BigInt(lo);
  }

  /** The u8 before a field (its length or count); its label is built only for its error, not per call. */
  private leadByte(field: string, what: 'length' | 'count'): number {
    if (this.remaining < 1) this.need(1, `${field} ${what}`);
    return this.bytes[this.offset++]!;
  }

  /** `n` bytes as a view into the input. */
  view(n: number, field: string): Uint8Array {
    this.need(n, field);
    const out = this.bytes.subarray(this.offset, this.offset + n);
    this.offset += n;
    return out;
  }

  /** A u8 length in [min, max], then that many bytes (checked against both the limit and the input). */
  bytesU8(field: string, min: number, max: number): Uint8Array {
    const n = this.leadByte(field, 'length');
    if (n < min || n > max) throw new ShareDecodeError(field, `length ${n} is outside ${min}..${max}`);
    return this.view(n, field);
  }

  /** A u8 count in [0, max] of items of `itemBytes` fixed bytes each, as views. */
  fixedList(field: string, max: number, itemBytes: number): readonly Uint8Array[] {
    const n = this.leadByte(field, 'count');
    if (n > max) throw new ShareDecodeError(field, `${n} entries, at most ${max} allowed`);
    if (n === 0) return NO_ITEMS;
    this.need(n * itemBytes, field);
    const out: Uint8Array[] = [];
    for (let i = 0; i < n; i++) out.push(this.view(itemBytes, field));
    return out;
  }
}

/** Writes into a buffer sized once for the largest possible encoding; `finish` copies the used part. */
export class ShareWriter {
  private readonly buf: Uint8Array;
  offset = 0;
  constructor(capacity: number) {
    this.buf = new Uint8Array(capacity);
  }

  u8(v: number): this {
    this.buf[this.offset++] = v;
    return this;
  }

  u16(v: number): this {
    this.buf[this.offset++] = v & 0xff;
    this.buf[this.offset++] = (v >>> 8) & 0xff;
    return this;
  }

  u32(v: number): this {
    const b = this.buf;
    b[this.offset++] = v & 0xff;
    b[this.offset++] = (v >>> 8) & 0xff;
    b[this.offset++] = (v >>> 16) & 0xff;
    b[this.offset++] = (v >>> 24) & 0xff;
    return this;
  }

  /** A non-negative safe integer as u64. */
  u53(v: number): this {
    this.u32(v % 0x1_0000_0000);
    return this.u32(Math.floor(v / 0x1_0000_0000));
  }

  u64(v: bigint): this {
    this.u32(Number(v & 0xffff_ffffn));
    return this.u32(Number((v >> 32n) & 0xffff_ffffn));
  }

  bytes(b: Uint8Array): this {
    this.buf.set(b, this.offset);
    this.offset += b.length;
    return this;
  }

  finish(): Uint8Array {
    return this.buf.slice(0, this.offset);
  }
}

/**
 * A copy of `b[start..end)` in a plain Uint8Array. Not `b.slice()`: on a Node Buffer, slice
 * returns a view of the caller's memory (which a network layer reuses), not a copy.
 */
export function ownBytes(b: Uint8Array, start = 0, end = b.length): Uint8Array {
  if (end > b.length) end = b.length;
  const n = Math.max(0, end - start);
  const out = new Uint8Array(n);
  // Ids (32 bytes) by hand, encodings by one set without a view of the whole: both cheaper than
  // constructing from a subarray (every share copies its id and its encoding).
  if (n <= OWN_BYTES_BY_HAND) for (let i = 0; i < n; i++) out[i] = b[start + i]!;
  else out.set(start === 0 && end === b.length ? b : b.subarray(start, end));
  return out;
}

/** Copies up to this many bytes one by one (a share id): faster in V8 than a view and a set. */
const OWN_BYTES_BY_HAND = 64;
