/**
 * The binary encoding of a share (format 1), docs/sharechain.md §3. All integers little-endian.
 *
 *   metadata: version u8 | parent 32 | height u32 | time u64 (ms) | maxBits u32 | bits u32 |
 *             uncle count u8 (0..3) | uncles 32 each | payee count u8 (1..4) |
 *             payees (bp u16 | script length u8 (1..42) | script) | miner nonce 8 |
 *             reference count u8 (0)
 *   work:     header (the algorithm's header bytes) | scriptSig length u8 (2..100) | scriptSig |
 *             reward u64 | mandated output count u8 (0..2) | (script length u8 (1..80) | script) |
 *             merkle branch count u8 (0..16) | branch 32 each
 *
 * The metadata hash (committed in the coinbase) is sha256d of the metadata bytes. Decoding checks
 * every hard limit and every stateless rule (canonical compact targets, payees summing to
 * 10,000 bp, ascending uncles, ...) and returns views into the input; it never allocates from a
 * length field, and nothing but ShareDecodeError escapes it.
 */
import { standardScriptType } from '../address.ts';
import { ShareDecodeError } from '../errors.ts';
import { MAX_MONEY_SATS } from '../tx.ts';
import { decodeCompact, targetToBits } from '../target.ts';
import { NO_ITEMS, ShareReader, ShareWriter } from './bytes.ts';
import { BASIS_POINTS, MAX_UNCLES, SHARE_FORMAT_VERSION } from './params.ts';
import {
  MAX_MANDATED_OUTPUTS,
  MAX_MANDATED_SCRIPT_BYTES,
  MAX_MERKLE_BRANCH,
  MAX_PAYEE_SCRIPT_BYTES,
  MAX_PAYEES,
  MAX_REFERENCES,
  MAX_SCRIPT_SIG_BYTES,
  MIN_SCRIPT_SIG_BYTES,
  MINER_NONCE_BYTES,
  SHARE_ID_BYTES,
  isNullId,
  type Payee,
  type Share,
  type ShareMetadata,
  type ShareWork,
} from './share.ts';

/** Metadata bytes at most: fixed fields, 3 uncles, 4 payees with the longest scripts. */
export const MAX_METADATA_BYTES =
  1 + 32 + 4 + 8 + 4 + 4 + 1 + MAX_UNCLES * 32 + 1 + MAX_PAYEES * (2 + 1 + MAX_PAYEE_SCRIPT_BYTES) + MINER_NONCE_BYTES + 1 + MAX_REFERENCES * 32;

/** Bytes of the work part at most, besides the header. */
const MAX_WORK_BYTES_WITHOUT_HEADER =
  1 + MAX_SCRIPT_SIG_BYTES + 8 + 1 + MAX_MANDATED_OUTPUTS * (1 + MAX_MANDATED_SCRIPT_BYTES) + 1 + MAX_MERKLE_BRANCH * 32;

/** The largest valid encoding of a share whose algorithm's header has `headerBytes` bytes (SHA-256d: 1,205). */
export function maxShareBytes(headerBytes: number): number {
  return MAX_METADATA_BYTES + headerBytes + MAX_WORK_BYTES_WITHOUT_HEADER;
}

/** A decoded share: views into `encoded`, plus where the metadata ends. */
export interface DecodedShare extends Share {
  readonly work: DecodedShareWork;
  /** The bytes decoded (the caller's buffer; copy it to keep it). */
  readonly encoded: Uint8Array;
  /** The metadata part of `encoded` (what the coinbase commitment hashes). */
  readonly metadataBytes: Uint8Array;
}

/** Compact values already found canonical (a chain uses few: the cache spares a bigint round trip per share). */
const canonicalBits = new Set<number>();
const CANONICAL_BITS_CACHE = 4096;

function checkCompact(bits: number, field: string): void {
  if (canonicalBits.has(bits)) return;
  const d = decodeCompact(bits);
  if (d.negative || d.overflow || d.target === 0n) throw new ShareDecodeError(field, `compact target ${hex32(bits)} is negative, zero or overflows`);
  if (targetToBits(d.target) !== bits) throw new ShareDecodeError(field, `compact target ${hex32(bits)} is not canonical (${hex32(targetToBits(d.target))})`);
  if (canonicalBits.size >= CANONICAL_BITS_CACHE) canonicalBits.clear();
  canonicalBits.add(bits);
}

function hex32(v: number): string {
  return v.toString(16).padStart(8, '0');
}

function compareBytes(a: Uint8Array, b: Uint8Array): number {
  const n = Math.min(a.length, b.length);
  for (let i = 0; i < n; i++) if (a[i] !== b[i]) return a[i]! - b[i]!;
  return a.length - b.length;
}

/** Field names of the repeated fields, built once (not a string per field per decode). */
const PAYEE_BP_LABELS = Array.from({ length: MAX_PAYEES }, (_, i) => `payee ${i} bp`);
const PAYEE_SCRIPT_LABELS = Array.from({ length: MAX_PAYEES }, (_, i) => `payee ${i} script`);
const MANDATED_SCRIPT_LABELS = Array.from({ length: MAX_MANDATED_OUTPUTS }, (_, i) => `mandated output ${i} script`);

function readMetadata(r: ShareReader): ShareMetadata {
  const version = r.u8('version');
  if (version !== SHARE_FORMAT_VERSION) throw new ShareDecodeError('version', `unknown format version ${version} (this build reads ${SHARE_FORMAT_VERSION})`);
  const parent = r.view(SHARE_ID_BYTES, 'parent');
  const height = r.u32('height');
  const genesis = isNullId(parent);
  if (genesis !== (height === 0)) {
    throw new ShareDecodeError('height', genesis ? `a first share (null parent) has height 0, not ${height}` : 'only a first share (null parent) has height 0');
  }
  const time = r.u53('time');
  const maxBits = r.u32('maxBits');
  checkCompact(maxBits, 'maxBits');
  const bits = r.u32('bits');
  checkCompact(bits, 'bits');
  const uncles = r.fixedList('uncles', MAX_UNCLES, SHARE_ID_BYTES);
  if (genesis && uncles.length > 0) throw new ShareDecodeError('uncles', 'a first share (null parent) has no uncles');
  for (let i = 0; i < uncles.length; i++) {
    if (isNullId(uncles[i]!)) throw new ShareDecodeError('uncles', `uncle ${i} is the null id`);
    if (i > 0 && compareBytes(uncles[i - 1]!, uncles[i]!) >= 0) throw new ShareDecodeError('uncles', 'uncle ids must be strictly ascending (sorted, no duplicates)');
  }
  const payeeCount = r.u8('payee count');
  if (payeeCount < 1 || payeeCount > MAX_PAYEES) throw new ShareDecodeError('payees', `${payeeCount} payees; a share names 1..${MAX_PAYEES}`);
  const payees: Payee[] = [];
  let bpSum = 0;
  for (let i = 0; i < payeeCount; i++) {
    const bp = r.u16(PAYEE_BP_LABELS[i]!);
    if (bp < 1 || bp > BASIS_POINTS) throw new ShareDecodeError('payees', `payee ${i} has ${bp} bp (1..${BASIS_POINTS})`);
    const script = r.bytesU8(PAYEE_SCRIPT_LABELS[i]!, 1, MAX_PAYEE_SCRIPT_BYTES);
    if (standardScriptType(script) === undefined) throw new ShareDecodeError('payees', `payee ${i} script is not a standard address script (P2PKH, P2SH, segwit)`);
    for (let k = 0; k < i; k++) if (compareBytes(payees[k]!.script, script) === 0) throw new ShareDecodeError('payees', `payee ${i} repeats payee ${k}'s script`);
    payees.push({ script, bp });
    bpSum += bp;
  }
  if (bpSum !== BASIS_POINTS) throw new ShareDecodeError('payees', `payee shares sum to ${bpSum} bp, not ${BASIS_POINTS}`);
  const minerNonce = r.view(MINER_NONCE_BYTES, 'miner nonce');
  const references = r.fixedList('references', MAX_REFERENCES, SHARE_ID_BYTES);
  return { version, parent, height, time, maxBits, bits, uncles, payees, minerNonce, references };
}

/** The work part as decoded: the branch also as one run of bytes (32 per level). */
export interface DecodedShareWork extends ShareWork {
  readonly merkleBranchBytes: Uint8Array;
}

function readWork(r: ShareReader, headerBytes: number): DecodedShareWork {
  const header = r.view(headerBytes, 'header');
  const scriptSig = r.bytesU8('scriptSig', MIN_SCRIPT_SIG_BYTES, MAX_SCRIPT_SIG_BYTES);
  const reward = r.u64('reward');
  if (reward > MAX_MONEY_SATS) throw new ShareDecodeError('reward', `${reward} sats is more than all the money there is (${MAX_MONEY_SATS})`);
  const mandatedCount = r.u8('mandated output count');
  if (mandatedCount > MAX_MANDATED_OUTPUTS) throw new ShareDecodeError('mandated outputs', `${mandatedCount} outputs, at most ${MAX_MANDATED_OUTPUTS}`);
  let mandatedOutputs: readonly Uint8Array[] = NO_ITEMS;
  if (mandatedCount > 0) {
    const list: Uint8Array[] = [];
    for (let i = 0; i < mandatedCount; i++) list.push(r.bytesU8(MANDATED_SCRIPT_LABELS[i]!, 1, MAX_MANDATED_SCRIPT_BYTES));
    mandatedOutputs = list;
  }
  const levels = r.u8('merkle branch count');
  if (levels > MAX_MERKLE_BRANCH) throw new ShareDecodeError('merkle branch', `${levels} entries, at most ${MAX_MERKLE_BRANCH} allowed`);
  // An empty template's coinbase is its only transaction: no branch, and no view made for it.
  const merkleBranchBytes = levels === 0 ? NO_BRANCH : r.view(levels * 32, 'merkle branch');
  return new DecodedWork(header, scriptSig, reward, mandatedOutputs, merkleBranchBytes);
}

/** The branch of a share with none (zero bytes: nothing can be written into it). */
const NO_BRANCH = new Uint8Array(0);

/** A decoded share's work part (a class: one shape, and the branch getter lives on the prototype, not in every decode). */
class DecodedWork implements DecodedShareWork {
  constructor(
    readonly header: Uint8Array,
    readonly scriptSig: Uint8Array,
    readonly reward: bigint,
    readonly mandatedOutputs: readonly Uint8Array[],
    readonly merkleBranchBytes: Uint8Array,
  ) {}

  /** The branch as hashes, made when asked: validators fold merkleBranchBytes directly. */
  get merkleBranch(): Uint8Array[] {
    const out: Uint8Array[] = [];
    for (let o = 0; o < this.merkleBranchBytes.length; o += 32) out.push(this.merkleBranchBytes.subarray(o, o + 32));
    return out;
  }
}

export function decodeShare(bytes: Uint8Array, headerBytes: number): DecodedShare {
  // try/catch inline (not onlyDecodeErrors' closure): the validator decodes every share it is given.
  try {
    if (!(bytes instanceof Uint8Array)) throw new ShareDecodeError('(bytes)', 'a share must be given as bytes');
    const max = maxShareBytes(headerBytes);
    if (bytes.length > max) throw new ShareDecodeError('(length)', `${bytes.length} bytes; a share is at most ${max}`);
    const r = new ShareReader(bytes);
    const meta = readMetadata(r);
    const metadataBytes = bytes.subarray(0, r.offset);
    const work = readWork(r, headerBytes);
    if (r.remaining !== 0) throw new ShareDecodeError('(length)', `${r.remaining} unexpected bytes after the share`);
    return { meta, work, encoded: bytes, metadataBytes };
  } catch (err) {
    throw asDecodeError(err);
  }
}

export function decodeShareMetadata(bytes: Uint8Array): ShareMetadata {
  return onlyDecodeErrors(() => {
    if (!(bytes instanceof Uint8Array)) throw new ShareDecodeError('(bytes)', 'share metadata must be given as bytes');
    return readMetadata(new ShareReader(bytes));
  });
}

/** Runs a decoder so that nothing but ShareDecodeError leaves it (a bug would otherwise surface as a TypeError to a peer-facing caller). */
function onlyDecodeErrors<T>(decode: () => T): T {
  try {
    return decode();
  } catch (err) {
    throw asDecodeError(err);
  }
}

function asDecodeError(err: unknown): ShareDecodeError {
  if (err instanceof ShareDecodeError) return err;
  return new ShareDecodeError('(bytes)', `undecodable: ${(err as Error)?.message ?? String(err)}`);
}

function writeMetadata(w: ShareWriter, m: ShareMetadata): void {
  w.u8(m.version).bytes(m.parent).u32(m.height).u53(m.time).u32(m.maxBits).u32(m.bits).u8(m.uncles.length);
  for (const u of m.uncles) w.bytes(u);
  w.u8(m.payees.length);
  for (const p of m.payees) w.u16(p.bp).u8(p.script.length).bytes(p.script);
  w.bytes(m.minerNonce).u8(m.references.length);
  for (const ref of m.references) w.bytes(ref);
}

/** Rejects field values the writer cannot represent (the decoder checks everything else). */
function checkWritable(m: ShareMetadata, work?: ShareWork): void {
  const fail = (field: string, reason: string) => new ShareDecodeError(field, reason);
  if (!(m.parent instanceof Uint8Array) || m.parent.length !== SHARE_ID_BYTES) throw fail('parent', 'must be 32 bytes');
  if (!Number.isSafeInteger(m.time) || m.time < 0) throw fail('time', `must be a non-negative integer of ms (got ${m.time})`);
  for (const f of ['height', 'maxBits', 'bits'] as const) {
    if (!Number.isInteger(m[f]) || m[f] < 0 || m[f] > 0xffffffff) throw fail(f, `must be a u32 (got ${m[f]})`);
  }
  if (m.uncles.length > MAX_UNCLES || m.uncles.some((u) => u.length !== SHARE_ID_BYTES)) throw fail('uncles', `at most ${MAX_UNCLES} ids of 32 bytes`);
  if (m.payees.length > MAX_PAYEES) throw fail('payees', `at most ${MAX_PAYEES}`);
  for (const p of m.payees) {
    if (!Number.isInteger(p.bp) || p.bp < 0 || p.bp > 0xffff) throw fail('payees', `bp must be a u16 (got ${p.bp})`);
    if (!(p.script instanceof Uint8Array) || p.script.length > MAX_PAYEE_SCRIPT_BYTES) throw fail('payees', `scripts are at most ${MAX_PAYEE_SCRIPT_BYTES} bytes`);
  }
  if (!(m.minerNonce instanceof Uint8Array) || m.minerNonce.length !== MINER_NONCE_BYTES) throw fail('miner nonce', `must be ${MINER_NONCE_BYTES} bytes`);
  if (m.references.length > MAX_REFERENCES) throw fail('references', `at most ${MAX_REFERENCES} in format ${SHARE_FORMAT_VERSION}`);
  if (!work) return;
  if (work.scriptSig.length > MAX_SCRIPT_SIG_BYTES) throw fail('scriptSig', `at most ${MAX_SCRIPT_SIG_BYTES} bytes`);
  if (typeof work.reward !== 'bigint' || work.reward < 0n || work.reward >= 1n << 64n) throw fail('reward', 'must be a u64 bigint of sats');
  if (work.mandatedOutputs.length > MAX_MANDATED_OUTPUTS || work.mandatedOutputs.some((s) => s.length > MAX_MANDATED_SCRIPT_BYTES)) {
    throw fail('mandated outputs', `at most ${MAX_MANDATED_OUTPUTS} scripts of ${MAX_MANDATED_SCRIPT_BYTES} bytes`);
  }
  if (work.merkleBranch.length > MAX_MERKLE_BRANCH || work.merkleBranch.some((b) => b.length !== 32)) throw fail('merkle branch', `at most ${MAX_MERKLE_BRANCH} hashes of 32 bytes`);
}

/** The metadata's encoding (the commitment's preimage). Throws ShareDecodeError for metadata that would not decode. */
export function encodeShareMetadata(meta: ShareMetadata): Uint8Array {
  checkWritable(meta);
  const w = new ShareWriter(MAX_METADATA_BYTES);
  writeMetadata(w, meta);
  const out = w.finish();
  decodeShareMetadata(out);
  return out;
}

/**
 * Encodes a share for an algorithm whose header is `headerBytes` long. Throws ShareDecodeError
 * for a share that would not decode (so whatever this returns, every peer can read).
 */
export function encodeShare(share: Share, headerBytes: number): Uint8Array {
  checkWritable(share.meta, share.work);
  if (share.work.header.length !== headerBytes) throw new ShareDecodeError('header', `must be ${headerBytes} bytes (got ${share.work.header.length})`);
  const w = new ShareWriter(maxShareBytes(headerBytes));
  writeMetadata(w, share.meta);
  const work = share.work;
  w.bytes(work.header).u8(work.scriptSig.length).bytes(work.scriptSig).u64(work.reward).u8(work.mandatedOutputs.length);
  for (const s of work.mandatedOutputs) w.u8(s.length).bytes(s);
  w.u8(work.merkleBranch.length);
  for (const b of work.merkleBranch) w.bytes(b);
  const out = w.finish();
  decodeShare(out, headerBytes);
  return out;
}
