/**
 * Bitcoin transactions: CompactSize varints, script pushes (CScript << n), and the transaction
 * codec with BIP144 witness serialization. txid hashes the serialization without witness data;
 * wtxid hashes it with.
 */
import { TxDecodeError } from './errors.ts';
import { concatBytes, readU32LE, writeU32LE } from './hex.ts';
import { sha256d } from './sha256.ts';

export interface TxInput {
  /** Previous output's txid, internal byte order (all zero for a coinbase). */
  readonly prevTxid: Uint8Array;
  readonly prevIndex: number;
  readonly script: Uint8Array;
  readonly sequence: number;
  /** Witness stack items (empty when the input has no witness). */
  readonly witness: readonly Uint8Array[];
}

export interface TxOutput {
  /** Satoshis. */
  readonly value: bigint;
  readonly script: Uint8Array;
}

export interface Transaction {
  readonly version: number;
  readonly inputs: readonly TxInput[];
  readonly outputs: readonly TxOutput[];
  readonly lockTime: number;
}

export const OP_0 = 0x00;
export const OP_PUSHDATA1 = 0x4c;
export const OP_PUSHDATA2 = 0x4d;
export const OP_PUSHDATA4 = 0x4e;
export const OP_1NEGATE = 0x4f;
export const OP_1 = 0x51;
export const OP_RETURN = 0x6a;
/** The largest amount that can exist (21 million BTC in satoshis); Core's MAX_MONEY. */
export const MAX_MONEY_SATS = 21_000_000n * 100_000_000n;

// ---------------------------------------------------------------------------------------------
// CompactSize

/** CompactSize encoding of a non-negative integer (< 2^64). */
export function encodeVarInt(n: number | bigint): Uint8Array {
  const v = BigInt(n);
  if (v < 0n || v >= 1n << 64n) throw new RangeError(`varint out of range: ${v}`);
  if (v < 0xfdn) return new Uint8Array([Number(v)]);
  if (v <= 0xffffn) return new Uint8Array([0xfd, Number(v & 0xffn), Number(v >> 8n)]);
  if (v <= 0xffff_ffffn) {
    const out = new Uint8Array(5);
    out[0] = 0xfe;
    writeU32LE(out, 1, Number(v));
    return out;
  }
  const out = new Uint8Array(9);
  out[0] = 0xff;
  writeU32LE(out, 1, Number(v & 0xffff_ffffn));
  writeU32LE(out, 5, Number(v >> 32n));
  return out;
}

export function u64le(value: bigint): Uint8Array {
  if (value < 0n || value >= 1n << 64n) throw new RangeError(`u64 out of range: ${value}`);
  const out = new Uint8Array(8);
  writeU32LE(out, 0, Number(value & 0xffff_ffffn));
  writeU32LE(out, 4, Number(value >> 32n));
  return out;
}

export function u32le(value: number): Uint8Array {
  const out = new Uint8Array(4);
  writeU32LE(out, 0, value >>> 0);
  return out;
}

/** A bounds-checked reader over transaction bytes; every overrun is a TxDecodeError. */
export class ByteReader {
  offset: number;
  constructor(readonly bytes: Uint8Array, offset = 0) {
    this.offset = offset;
  }
  get remaining(): number {
    return this.bytes.length - this.offset;
  }
  private need(n: number, what: string): void {
    if (n > this.remaining) throw new TxDecodeError(`truncated: ${what} needs ${n} bytes at offset ${this.offset}, ${this.remaining} left`);
  }
  u8(what = 'byte'): number {
    this.need(1, what);
    return this.bytes[this.offset++]!;
  }
  u32(what = 'u32'): number {
    this.need(4, what);
    const v = readU32LE(this.bytes, this.offset);
    this.offset += 4;
    return v;
  }
  u64(what = 'u64'): bigint {
    const lo = this.u32(what);
    const hi = this.u32(what);
    return (BigInt(hi) << 32n) | BigInt(lo);
  }
  take(n: number, what = 'bytes'): Uint8Array {
    this.need(n, what);
    const out = this.bytes.slice(this.offset, this.offset + n);
    this.offset += n;
    return out;
  }
  /** A CompactSize that must be canonical (shortest form) and fit a safe integer. */
  varint(what = 'varint'): number {
    const first = this.u8(what);
    if (first < 0xfd) return first;
    if (first === 0xfd) {
      const v = this.u8(what) | (this.u8(what) << 8);
      if (v < 0xfd) throw new TxDecodeError(`non-canonical ${what} (CompactSize)`);
      return v;
    }
    if (first === 0xfe) {
      const v = this.u32(what);
      if (v <= 0xffff) throw new TxDecodeError(`non-canonical ${what} (CompactSize)`);
      return v;
    }
    const v = this.u64(what);
    if (v <= 0xffff_ffffn) throw new TxDecodeError(`non-canonical ${what} (CompactSize)`);
    if (v > BigInt(Number.MAX_SAFE_INTEGER)) throw new TxDecodeError(`${what} is absurdly large (${v})`);
    return Number(v);
  }
  /** A count whose items take at least `minItemBytes` each: rejects counts the data cannot hold. */
  count(what: string, minItemBytes: number): number {
    const n = this.varint(what);
    if (n * minItemBytes > this.remaining) throw new TxDecodeError(`${what} ${n} is more than the remaining ${this.remaining} bytes can hold`);
    return n;
  }
  varBytes(what: string): Uint8Array {
    const n = this.varint(`${what} length`);
    return this.take(n, what);
  }
}

// ---------------------------------------------------------------------------------------------
// Script pushes

/** The minimal push of `data` (direct push, OP_PUSHDATA1/2/4). */
export function pushData(data: Uint8Array): Uint8Array {
  const n = data.length;
  if (n < OP_PUSHDATA1) return concatBytes(new Uint8Array([n]), data);
  if (n <= 0xff) return concatBytes(new Uint8Array([OP_PUSHDATA1, n]), data);
  if (n <= 0xffff) return concatBytes(new Uint8Array([OP_PUSHDATA2, n & 0xff, n >> 8]), data);
  return concatBytes(new Uint8Array([OP_PUSHDATA4]), u32le(n), data);
}

/** CScriptNum serialization: little-endian magnitude with a sign bit in the last byte. */
export function scriptNumBytes(value: number | bigint): Uint8Array {
  let v = BigInt(value);
  if (v === 0n) return new Uint8Array(0);
  const negative = v < 0n;
  if (negative) v = -v;
  const out: number[] = [];
  while (v > 0n) {
    out.push(Number(v & 0xffn));
    v >>= 8n;
  }
  if (out[out.length - 1]! & 0x80) out.push(negative ? 0x80 : 0x00);
  else if (negative) out[out.length - 1]! |= 0x80;
  return new Uint8Array(out);
}

/**
 * What Bitcoin Core's `CScript() << n` emits: OP_0 for 0, OP_1NEGATE for -1, OP_1..OP_16 for
 * 1..16, otherwise a push of the CScriptNum bytes. BIP34 checks a coinbase starts with exactly
 * this for the block height (so heights 1..16 are a single OP_n byte).
 */
export function pushScriptNumber(value: number): Uint8Array {
  if (!Number.isSafeInteger(value)) throw new RangeError(`script number must be a safe integer (got ${value})`);
  if (value === 0) return new Uint8Array([OP_0]);
  if (value === -1) return new Uint8Array([OP_1NEGATE]);
  if (value >= 1 && value <= 16) return new Uint8Array([OP_1 + value - 1]);
  return pushData(scriptNumBytes(value));
}

/** The BIP34 prefix of a coinbase scriptSig at `height`. */
export function bip34HeightPush(height: number): Uint8Array {
  if (!Number.isSafeInteger(height) || height < 0) throw new RangeError(`block height must be a non-negative integer (got ${height})`);
  return pushScriptNumber(height);
}

// ---------------------------------------------------------------------------------------------
// Transactions

/** The prevout txid of a coinbase input. */
export const NULL_TXID: Uint8Array = new Uint8Array(32);

export function isCoinbase(tx: Transaction): boolean {
  const first = tx.inputs[0];
  return tx.inputs.length === 1 && first !== undefined && first.prevIndex === 0xffffffff && first.prevTxid.every((b) => b === 0);
}

export function hasWitness(tx: Transaction): boolean {
  return tx.inputs.some((i) => i.witness.length > 0);
}

/** Serializes a transaction; with witness data (BIP144) only when asked and present. */
export function serializeTx(tx: Transaction, options: { witness?: boolean } = {}): Uint8Array {
  const withWitness = (options.witness ?? true) && hasWitness(tx);
  const parts: Uint8Array[] = [u32le(tx.version)];
  if (withWitness) parts.push(new Uint8Array([0x00, 0x01]));
  parts.push(encodeVarInt(tx.inputs.length));
  for (const i of tx.inputs) {
    if (i.prevTxid.length !== 32) throw new RangeError('input prevTxid must be 32 bytes');
    parts.push(i.prevTxid, u32le(i.prevIndex), encodeVarInt(i.script.length), i.script, u32le(i.sequence));
  }
  parts.push(encodeVarInt(tx.outputs.length));
  for (const o of tx.outputs) parts.push(u64le(o.value), encodeVarInt(o.script.length), o.script);
  if (withWitness) {
    for (const i of tx.inputs) {
      parts.push(encodeVarInt(i.witness.length));
      for (const item of i.witness) parts.push(encodeVarInt(item.length), item);
    }
  }
  parts.push(u32le(tx.lockTime));
  return concatBytes(...parts);
}

export interface DecodedTx {
  readonly tx: Transaction;
  /** Offset just past the transaction. */
  readonly end: number;
  /** The bytes as given (witness form when it had witness data). */
  readonly raw: Uint8Array;
  readonly hasWitness: boolean;
}

export interface ReadTxOptions {
  /**
   * Read BIP144's marker and flag (default true). False reads the legacy form, where an empty
   * input list is followed by the outputs: Core's decoder tries both for decoderawtransaction.
   */
  readonly witness?: boolean;
}

/** Reads one transaction at the reader's offset (BIP144 aware, as Core's UnserializeTransaction). */
export function readTx(r: ByteReader, options: ReadTxOptions = {}): DecodedTx {
  const start = r.offset;
  const version = r.u32('version');
  // Smallest input: 32 + 4 + 1 + 4 bytes; smallest output: 8 + 1 bytes.
  let inCount = r.count('input count', 41);
  let flags = 0;
  // An empty input list in the witness form is the marker: the next byte is the flag. A zero
  // flag leaves the empty list as it was, and Core reads no output list after it (the zero
  // byte was it), so version | 00 | 00 | locktime is a transaction with no inputs or outputs.
  const marker = inCount === 0 && (options.witness ?? true);
  if (marker) {
    flags = r.u8('witness flag');
    if (flags !== 0) inCount = r.count('input count', 41);
  }
  const inputs: { prevTxid: Uint8Array; prevIndex: number; script: Uint8Array; sequence: number; witness: Uint8Array[] }[] = [];
  for (let i = 0; i < inCount; i++) {
    const prevTxid = r.take(32, `input ${i} prevout`);
    const prevIndex = r.u32(`input ${i} prevout index`);
    const script = r.varBytes(`input ${i} script`);
    const sequence = r.u32(`input ${i} sequence`);
    inputs.push({ prevTxid, prevIndex, script, sequence, witness: [] });
  }
  const outputs: TxOutput[] = [];
  if (!marker || flags !== 0) {
    const outCount = r.count('output count', 9);
    for (let i = 0; i < outCount; i++) {
      const value = r.u64(`output ${i} value`);
      const script = r.varBytes(`output ${i} script`);
      outputs.push({ value, script });
    }
  }
  if (flags & 1) {
    flags ^= 1;
    for (let i = 0; i < inputs.length; i++) {
      const items = r.count(`input ${i} witness item count`, 1);
      for (let k = 0; k < items; k++) inputs[i]!.witness.push(r.varBytes(`input ${i} witness item ${k}`));
    }
    if (!inputs.some((i) => i.witness.length > 0)) throw new TxDecodeError('superfluous witness record (witness flag set, all witnesses empty)');
  }
  if (flags !== 0) throw new TxDecodeError(`unknown transaction optional data (flags 0x${flags.toString(16)})`);
  const lockTime = r.u32('lock time');
  const tx: Transaction = { version, inputs, outputs, lockTime };
  return { tx, end: r.offset, raw: r.bytes.slice(start, r.offset), hasWitness: hasWitness(tx) };
}

/** Parses exactly one transaction filling `bytes`. */
export function parseTx(bytes: Uint8Array, options: ReadTxOptions = {}): DecodedTx {
  const r = new ByteReader(bytes);
  const d = readTx(r, options);
  if (r.remaining !== 0) throw new TxDecodeError(`${r.remaining} unexpected bytes after the transaction`);
  return d;
}

/** txid (internal byte order): sha256d of the serialization without witness. */
export function txid(tx: Transaction): Uint8Array {
  return sha256d(serializeTx(tx, { witness: false }));
}

/** wtxid (internal byte order): sha256d with witness. (BIP141 treats the coinbase's wtxid as zero.) */
export function wtxid(tx: Transaction): Uint8Array {
  return sha256d(serializeTx(tx, { witness: true }));
}

/** txid of serialized bytes (witness or not). */
export function txidOfBytes(bytes: Uint8Array): Uint8Array {
  const d = parseTx(bytes);
  return d.hasWitness ? txid(d.tx) : sha256d(bytes);
}
