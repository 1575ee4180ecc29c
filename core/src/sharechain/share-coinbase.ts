/**
 * The coinbase of a share, rebuilt canonically by everyone: whoever makes a job (the edge splits it
 * into Stratum's coinb1/coinb2 around the extranonce; a browser builds it whole) and every
 * validator use `buildShareCoinbase`, so the two can never disagree (docs/sharechain.md §4).
 *
 *   version 2 | 1 input: null prevout, the share's scriptSig, sequence 0xffffffff |
 *   outputs: the payouts (canonical order) | the commitment (value 0) | the mandated outputs (value 0) |
 *   lock time 0
 *
 * The commitment is OP_RETURN PUSH68 "OTDM" || pool id || sha256d(metadata): the share's proof
 * of work covers its pool, parent, uncles, targets and payees.
 */
import { COINBASE_TX_VERSION } from '../coinbase-builder.ts';
import { CoinbaseError } from '../coinbase.ts';
import { concatBytes } from '../hex.ts';
import { MAX_MONEY_SATS, NULL_TXID, OP_RETURN, bip34HeightPush, encodeVarInt, pushData, type TxOutput } from '../tx.ts';
import { MAX_SCRIPT_SIG_BYTES, MIN_SCRIPT_SIG_BYTES } from './share.ts';

/** The commitment tag: ASCII "OTDM". */
export const COMMITMENT_TAG: Uint8Array = new Uint8Array([0x4f, 0x54, 0x44, 0x4d]);
/** Bytes of the commitment's pushed data: tag, pool id, metadata hash. */
export const COMMITMENT_DATA_BYTES = 4 + 32 + 32;
/** The commitment output's script: OP_RETURN, a direct push of 68 bytes, the data. */
export const COMMITMENT_SCRIPT_BYTES = 2 + COMMITMENT_DATA_BYTES;

/** OP_RETURN 0x44 "OTDM" pool-id metadata-hash (70 bytes). */
export function commitmentScript(poolId: Uint8Array, metadataHash: Uint8Array): Uint8Array {
  if (poolId.length !== 32 || metadataHash.length !== 32) throw new CoinbaseError('the commitment needs a 32-byte pool id and metadata hash');
  const s = new Uint8Array(COMMITMENT_SCRIPT_BYTES);
  s[0] = OP_RETURN;
  s[1] = COMMITMENT_DATA_BYTES;
  s.set(COMMITMENT_TAG, 2);
  s.set(poolId, 6);
  s.set(metadataHash, 38);
  return s;
}

export interface ShareCoinbaseInput {
  /** The coinbase input's scriptSig (2..100 bytes, starting with the BIP34 height push). */
  readonly scriptSig: Uint8Array;
  /** payouts(parent, reward, coin prevhash), in canonical order. */
  readonly payouts: readonly TxOutput[];
  readonly poolId: Uint8Array;
  readonly metadataHash: Uint8Array;
  /** Scripts the coin's template mandates, paid 0 (e.g. the segwit witness commitment). */
  readonly mandatedOutputs: readonly Uint8Array[];
}

/** Payout outputs serialized (what validators of sibling shares reuse: only the scriptSig and the commitment differ). */
export interface SerializedPayouts {
  /** The outputs back to back (value, script length, script each). */
  readonly bytes: Uint8Array;
  /** How many outputs they are. */
  readonly count: number;
}

/** Bytes the serialized payout outputs take (value, script length, script each). */
export function payoutOutputsBytes(payouts: readonly TxOutput[]): number {
  let n = 0;
  for (const o of payouts) n += payoutOutputBytes(o.script);
  return n;
}

/** Bytes one serialized output paying `script` takes. */
export function payoutOutputBytes(script: Uint8Array): number {
  return 8 + varIntBytes(script.length) + script.length;
}

function varIntBytes(n: number): number {
  return n < 0xfd ? 1 : n <= 0xffff ? 3 : 5;
}

function writeU32(out: Uint8Array, o: number, v: number): number {
  out[o] = v & 0xff;
  out[o + 1] = (v >>> 8) & 0xff;
  out[o + 2] = (v >>> 16) & 0xff;
  out[o + 3] = (v >>> 24) & 0xff;
  return o + 4;
}

/** CompactSize of a script length or output count (< 2^16 here), written in place. */
function writeVarInt(out: Uint8Array, o: number, n: number): number {
  if (n < 0xfd) {
    out[o] = n;
    return o + 1;
  }
  if (n > 0xffff) {
    const v = encodeVarInt(n);
    out.set(v, o);
    return o + v.length;
  }
  out[o] = 0xfd;
  out[o + 1] = n & 0xff;
  out[o + 2] = n >>> 8;
  return o + 3;
}

/** Writes one output (value, script length, script) at `o` and returns where it ends. */
export function writePayoutOutput(out: Uint8Array, o: number, value: bigint, script: Uint8Array): number {
  // Values are at most MAX_MONEY (< 2^51): one conversion to a double is exact, and writeU32's
  // bit operations take it modulo 2^32 (ToInt32): the low word, with no floating-point remainder.
  const v = Number(value);
  o = writeU32(out, o, v);
  o = writeU32(out, o, Math.floor(v / 0x1_0000_0000));
  o = writeVarInt(out, o, script.length);
  // A byte loop: TypedArray.set costs more than copying a standard script (<= 42 bytes) by hand.
  for (let i = 0; i < script.length; i++) out[o + i] = script[i]!;
  return o + script.length;
}

/** The serialized payout outputs. */
export function serializePayoutOutputs(payouts: readonly TxOutput[]): SerializedPayouts {
  const out = new Uint8Array(payoutOutputsBytes(payouts));
  writePayoutOutputs(out, payouts);
  return { bytes: out, count: payouts.length };
}

/** Writes the serialized payout outputs at the start of `out` (at least payoutOutputsBytes long); returns their bytes. */
export function writePayoutOutputs(out: Uint8Array, payouts: readonly TxOutput[]): number {
  let o = 0;
  for (const p of payouts) {
    if (typeof p.value !== 'bigint' || p.value < 0n || p.value > MAX_MONEY_SATS) throw new CoinbaseError(`payout value ${String(p.value)} is not 0..MAX_MONEY sats`);
    o = writePayoutOutput(out, o, p.value, p.script);
  }
  return o;
}

/** What a coinbase is written from when its payouts come serialized. */
export type ShareCoinbaseFields = Omit<ShareCoinbaseInput, 'payouts'>;

/** Bytes of the coinbase `buildShareCoinbase` makes for this input and serialized payouts. */
export function shareCoinbaseBytes(input: ShareCoinbaseFields, payouts: SerializedPayouts): number {
  const payoutBytes = payouts.bytes;
  const outputCount = payouts.count + 1 + input.mandatedOutputs.length;
  let mandatedBytes = 0;
  for (const s of input.mandatedOutputs) mandatedBytes += 8 + varIntBytes(s.length) + s.length;
  const sig = input.scriptSig.length;
  return 4 + 1 + 32 + 4 + varIntBytes(sig) + sig + 4 + varIntBytes(outputCount) + payoutBytes.length + 8 + 1 + COMMITMENT_SCRIPT_BYTES + mandatedBytes + 4;
}

/**
 * Writes the share's coinbase into `out` (at least shareCoinbaseBytes long) and returns its
 * length: what validators use with a reused buffer.
 */
export function writeShareCoinbase(out: Uint8Array, input: ShareCoinbaseFields, payouts: SerializedPayouts): number {
  const { scriptSig, mandatedOutputs } = input;
  const payoutBytes = payouts.bytes;
  if (scriptSig.length < MIN_SCRIPT_SIG_BYTES || scriptSig.length > MAX_SCRIPT_SIG_BYTES) {
    throw new CoinbaseError(`coinbase scriptSig must be ${MIN_SCRIPT_SIG_BYTES}..${MAX_SCRIPT_SIG_BYTES} bytes (got ${scriptSig.length})`);
  }
  if (input.poolId.length !== 32 || input.metadataHash.length !== 32) throw new CoinbaseError('the commitment needs a 32-byte pool id and metadata hash');
  const size = shareCoinbaseBytes(input, payouts);
  if (out.length < size) throw new CoinbaseError(`internal: coinbase buffer of ${out.length} bytes, ${size} needed`);
  let o = writeU32(out, 0, COINBASE_TX_VERSION);
  out[o++] = 1;
  out.fill(0, o, o + 32);
  o += 32;
  o = writeU32(out, o, 0xffffffff);
  o = writeVarInt(out, o, scriptSig.length);
  out.set(scriptSig, o);
  o += scriptSig.length;
  o = writeU32(out, o, 0xffffffff);
  o = writeVarInt(out, o, payouts.count + 1 + mandatedOutputs.length);
  out.set(payoutBytes, o);
  o += payoutBytes.length;
  // The commitment output: value 0, OP_RETURN PUSH68 "OTDM" pool-id metadata-hash.
  out.fill(0, o, o + 8);
  o += 8;
  out[o++] = COMMITMENT_SCRIPT_BYTES;
  out[o++] = OP_RETURN;
  out[o++] = COMMITMENT_DATA_BYTES;
  out.set(COMMITMENT_TAG, o);
  out.set(input.poolId, o + 4);
  out.set(input.metadataHash, o + 36);
  o += COMMITMENT_DATA_BYTES;
  for (const s of mandatedOutputs) o = writePayoutOutput(out, o, 0n, s);
  o = writeU32(out, o, 0);
  if (o !== size) throw new CoinbaseError(`internal: coinbase size ${o} != ${size}`);
  return size;
}

/**
 * The share's coinbase transaction (non-witness serialization: its sha256d is the txid). Pass
 * `serialized` (serializePayoutOutputs of the same payouts) to skip re-serializing them.
 */
export function buildShareCoinbase(input: ShareCoinbaseInput, serialized?: SerializedPayouts): Uint8Array {
  const outs = serialized ?? serializePayoutOutputs(input.payouts);
  const out = new Uint8Array(shareCoinbaseBytes(input, outs));
  writeShareCoinbase(out, input, outs);
  return out;
}

/** A share scriptSig: BIP34 height push, the extranonce as one push, then the tag as a push (if any). */
export function shareScriptSig(coinHeight: number, extranonce: Uint8Array, tag: Uint8Array = new Uint8Array(0)): Uint8Array {
  return concatBytes(bip34HeightPush(coinHeight), pushData(extranonce), tag.length ? pushData(tag) : tag);
}

export interface ShareCoinbaseParts {
  /** Coinbase bytes before the extranonce (ends with the extranonce's push opcode). */
  readonly coinb1: Uint8Array;
  /** Coinbase bytes after it. */
  readonly coinb2: Uint8Array;
  /** extranonce1 + extranonce2 bytes between them. */
  readonly extranonceBytes: number;
  /** Where the extranonce starts inside the scriptSig (to rebuild the share's scriptSig from a submission). */
  readonly scriptSigPrefix: Uint8Array;
  readonly scriptSigSuffix: Uint8Array;
}

/**
 * The coinbase around a Stratum extranonce slot: `buildShareCoinbase` with scriptSig =
 * shareScriptSig(height, zeros(extranonceBytes), tag), split at the slot. A miner's coinbase
 * coinb1 | extranonce1 | extranonce2 | coinb2 is then exactly the coinbase a validator rebuilds
 * from the share whose scriptSig is scriptSigPrefix | extranonce | scriptSigSuffix.
 */
export function shareCoinbaseParts(
  input: Omit<ShareCoinbaseInput, 'scriptSig'> & { readonly coinHeight: number; readonly extranonceBytes: number; readonly tag?: Uint8Array },
): ShareCoinbaseParts {
  const { extranonceBytes } = input;
  if (!Number.isInteger(extranonceBytes) || extranonceBytes < 1 || extranonceBytes > MAX_SCRIPT_SIG_BYTES) {
    throw new CoinbaseError(`extranonce slot must be 1..${MAX_SCRIPT_SIG_BYTES} bytes (got ${extranonceBytes})`);
  }
  const heightPush = bip34HeightPush(input.coinHeight);
  const slotPush = pushData(new Uint8Array(extranonceBytes));
  const scriptSigPrefix = concatBytes(heightPush, slotPush.subarray(0, slotPush.length - extranonceBytes));
  const tag = input.tag ?? new Uint8Array(0);
  const scriptSigSuffix = tag.length ? pushData(tag) : new Uint8Array(0);
  const scriptSig = concatBytes(scriptSigPrefix, new Uint8Array(extranonceBytes), scriptSigSuffix);
  const coinbase = buildShareCoinbase({ ...input, scriptSig });
  const slotStart = 4 + 1 + 32 + 4 + varIntBytes(scriptSig.length) + scriptSigPrefix.length;
  return {
    coinb1: coinbase.slice(0, slotStart),
    coinb2: coinbase.slice(slotStart + extranonceBytes),
    extranonceBytes,
    scriptSigPrefix,
    scriptSigSuffix,
  };
}
