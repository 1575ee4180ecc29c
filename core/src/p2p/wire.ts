/**
 * Bounded binary reading and writing for the peer-to-peer messages (handshake, sync). Every
 * read checks the bytes left first and every count is checked against its limit before
 * anything is allocated, so a hostile length field costs the reader nothing: it gets a
 * P2pCodecError that names the field.
 */
import { utf8 } from '@scure/base';
import { P2pCodecError } from '../errors.ts';

export class WireReader {
  private offset = 0;

  constructor(
    private readonly bytes: Uint8Array,
    /** Names the message in errors ("sync request"). */
    private readonly what: string,
  ) {}

  get remaining(): number {
    return this.bytes.length - this.offset;
  }

  private need(n: number, field: string): void {
    if (this.remaining < n) {
      throw new P2pCodecError(`${this.what}: ${field} needs ${n} byte${n === 1 ? '' : 's'} but only ${this.remaining} remain (message of ${this.bytes.length} bytes)`);
    }
  }

  u8(field: string): number {
    this.need(1, field);
    return this.bytes[this.offset++]!;
  }

  u16(field: string): number {
    this.need(2, field);
    const v = (this.bytes[this.offset]! << 8) | this.bytes[this.offset + 1]!;
    this.offset += 2;
    return v;
  }

  u32(field: string): number {
    this.need(4, field);
    const b = this.bytes;
    const o = this.offset;
    this.offset += 4;
    return ((b[o]! << 24) >>> 0) + ((b[o + 1]! << 16) | (b[o + 2]! << 8) | b[o + 3]!);
  }

  /** A copy of the next n bytes (copies so a message never pins the frame it came in). */
  bytesN(n: number, field: string): Uint8Array {
    this.need(n, field);
    const out = this.bytes.slice(this.offset, this.offset + n);
    this.offset += n;
    return out;
  }

  /** An unsigned big-endian integer of n bytes. */
  uintBE(n: number, field: string): bigint {
    this.need(n, field);
    let v = 0n;
    for (let i = 0; i < n; i++) v = (v << 8n) | BigInt(this.bytes[this.offset + i]!);
    this.offset += n;
    return v;
  }

  /** A count that must lie in [min, max]; checked before the caller allocates anything. */
  count(width: 1 | 2, min: number, max: number, field: string): number {
    const n = width === 1 ? this.u8(field) : this.u16(field);
    if (n < min || n > max) throw new P2pCodecError(`${this.what}: ${field} is ${n}, must be from ${min} to ${max}`);
    return n;
  }

  /** UTF-8 text of at most maxBytes, prefixed by a one-byte length. */
  text(maxBytes: number, field: string): string {
    const n = this.count(1, 0, maxBytes, `${field} length`);
    const raw = this.bytesN(n, field);
    try {
      return utf8.encode(raw);
    } catch {
      throw new P2pCodecError(`${this.what}: ${field} is not UTF-8`);
    }
  }

  /** Nothing may follow the last field: trailing bytes mean the sender speaks something else. */
  end(): void {
    if (this.remaining !== 0) throw new P2pCodecError(`${this.what}: ${this.remaining} unexpected byte${this.remaining === 1 ? '' : 's'} after the last field`);
  }
}

export class WireWriter {
  private readonly parts: Uint8Array[] = [];
  private length = 0;

  private push(b: Uint8Array): this {
    this.parts.push(b);
    this.length += b.length;
    return this;
  }

  u8(v: number): this {
    return this.push(Uint8Array.of(v & 0xff));
  }

  u16(v: number): this {
    return this.push(Uint8Array.of((v >>> 8) & 0xff, v & 0xff));
  }

  u32(v: number): this {
    return this.push(Uint8Array.of((v >>> 24) & 0xff, (v >>> 16) & 0xff, (v >>> 8) & 0xff, v & 0xff));
  }

  bytes(b: Uint8Array): this {
    return this.push(b);
  }

  uintBE(v: bigint, n: number): this {
    if (v < 0n || v >= 1n << BigInt(8 * n)) throw new RangeError(`${v} does not fit ${n} bytes`);
    const out = new Uint8Array(n);
    for (let i = n - 1; i >= 0; i--) {
      out[i] = Number(v & 0xffn);
      v >>= 8n;
    }
    return this.push(out);
  }

  /** One-byte length then UTF-8, cut (at a character boundary) to maxBytes. */
  text(s: string, maxBytes: number): this {
    let raw = utf8.decode(s);
    if (raw.length > maxBytes) {
      let cut = maxBytes;
      while (cut > 0 && (raw[cut]! & 0xc0) === 0x80) cut--;
      raw = raw.slice(0, cut);
    }
    return this.u8(raw.length).push(raw);
  }

  finish(): Uint8Array {
    const out = new Uint8Array(this.length);
    let o = 0;
    for (const p of this.parts) {
      out.set(p, o);
      o += p.length;
    }
    return out;
  }
}
