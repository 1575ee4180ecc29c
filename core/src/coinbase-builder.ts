/**
 * Builds the coinbase transaction of a job around the Stratum extranonce slot:
 *
 *   coinb1 = version | 1 input (null prevout) | scriptSig length | BIP34 height push | push opcode
 *   [extranonce1 | extranonce2]                                (the slot, extranonceBytes long)
 *   coinb2 = tag push | sequence | outputs (payouts, then the segwit commitment) | lock time
 *
 * Miners hash the coinbase in this non-witness form: its sha256d is the txid, the merkle leaf.
 * When the template carries a segwit commitment (`default_witness_commitment`), BIP141 requires
 * the coinbase *in the block* to carry the 32-byte witness reserved value, so the block submitted
 * uses `coinbaseWithWitness(coinbase)`; the txid, and so the header, does not change.
 */
import { utf8 } from '@scure/base';
import type { BlockTemplate, CoinbaseOutput } from './block-template.ts';
import { CoinbaseError } from './coinbase.ts';
import { bytesEqual, concatBytes } from './hex.ts';
import { merkleRoot } from './merkle.ts';
import { sha256d } from './sha256.ts';
import { MAX_MONEY_SATS, NULL_TXID, bip34HeightPush, encodeVarInt, pushData, u32le, u64le, type TxOutput } from './tx.ts';

/** Consensus bounds of a coinbase scriptSig (bytes); Core rejects others as "bad-cb-length". */
export const COINBASE_SCRIPT_MIN_BYTES = 2;
export const COINBASE_SCRIPT_MAX_BYTES = 100;
/** Version of the coinbase transactions Otedama builds (Core's miner uses 2 as well). */
export const COINBASE_TX_VERSION = 2;
/** BIP141: the coinbase witness is one 32-byte item, the reserved value; zero by convention. */
export const WITNESS_RESERVED_VALUE: Uint8Array = new Uint8Array(32);
/** OP_RETURN, push 36, then the commitment header aa21a9ed (BIP141). */
export const WITNESS_COMMITMENT_PREFIX: Uint8Array = new Uint8Array([0x6a, 0x24, 0xaa, 0x21, 0xa9, 0xed]);

export interface CoinbaseBuildOptions {
  /** Payout outputs; their sum may not exceed the template's coinbase value. */
  readonly outputs: readonly CoinbaseOutput[];
  /** extranonce1 + extranonce2 bytes: the slot between coinb1 and coinb2. */
  readonly extranonceBytes: number;
  /** Text or bytes in the scriptSig after the slot (e.g. "/otedama/"). */
  readonly tag?: string | Uint8Array;
}

export interface CoinbaseParts {
  readonly coinb1: Uint8Array;
  readonly coinb2: Uint8Array;
  readonly extranonceBytes: number;
}

export type CoinbaseTemplate = Pick<BlockTemplate, 'height' | 'coinbaseValue' | 'defaultWitnessCommitment'>;

/** The coinbase halves around the extranonce slot (see the module comment for the layout). */
export function buildCoinbaseParts(template: CoinbaseTemplate, options: CoinbaseBuildOptions): CoinbaseParts {
  const { extranonceBytes } = options;
  if (!Number.isInteger(extranonceBytes) || extranonceBytes < 1 || extranonceBytes > COINBASE_SCRIPT_MAX_BYTES) {
    throw new CoinbaseError(`extranonce slot must be 1..${COINBASE_SCRIPT_MAX_BYTES} bytes (got ${extranonceBytes})`);
  }
  const tagBytes = typeof options.tag === 'string' ? utf8.decode(options.tag) : options.tag ?? new Uint8Array(0);
  const heightPush = bip34HeightPush(template.height);
  // The slot is itself a push, so the scriptSig stays a push-only script: the opcode ends coinb1.
  const slotPush = pushData(new Uint8Array(extranonceBytes));
  const slotOpcode = slotPush.slice(0, slotPush.length - extranonceBytes);
  const tagPush = tagBytes.length ? pushData(tagBytes) : new Uint8Array(0);
  const scriptLength = heightPush.length + slotPush.length + tagPush.length;
  if (scriptLength > COINBASE_SCRIPT_MAX_BYTES) {
    throw new CoinbaseError(
      `coinbase scriptSig would be ${scriptLength} bytes (max ${COINBASE_SCRIPT_MAX_BYTES}): shorten the coinbase tag (${tagBytes.length} bytes) or the extranonce`,
    );
  }
  const outputs = coinbaseOutputs(template, options.outputs);
  const coinb1 = concatBytes(
    u32le(COINBASE_TX_VERSION),
    encodeVarInt(1),
    NULL_TXID,
    u32le(0xffffffff),
    encodeVarInt(scriptLength),
    heightPush,
    slotOpcode,
  );
  const outParts: Uint8Array[] = [encodeVarInt(outputs.length)];
  for (const o of outputs) outParts.push(u64le(o.value), encodeVarInt(o.script.length), o.script);
  const coinb2 = concatBytes(tagPush, u32le(0xffffffff), ...outParts, u32le(0));
  return { coinb1, coinb2, extranonceBytes };
}

/** The payouts checked against the template's value, then the witness commitment if any. */
function coinbaseOutputs(template: CoinbaseTemplate, payouts: readonly CoinbaseOutput[]): TxOutput[] {
  if (payouts.length === 0) throw new CoinbaseError('the coinbase needs at least one payout output');
  let total = 0n;
  payouts.forEach((o, i) => {
    if (typeof o.value !== 'bigint' || o.value < 0n || o.value > MAX_MONEY_SATS) {
      throw new CoinbaseError(`payout output ${i} has an invalid value (${String(o.value)} sats)`);
    }
    if (!(o.script instanceof Uint8Array) || o.script.length === 0) throw new CoinbaseError(`payout output ${i} has an empty script`);
    total += o.value;
  });
  if (total > template.coinbaseValue) {
    throw new CoinbaseError(`coinbase outputs pay ${total} sats but the template allows ${template.coinbaseValue}`);
  }
  const outputs: TxOutput[] = payouts.map((o) => ({ value: o.value, script: o.script }));
  if (template.defaultWitnessCommitment) outputs.push({ value: 0n, script: template.defaultWitnessCommitment });
  return outputs;
}

/**
 * The witness (BIP144) form of a non-witness coinbase: marker and flag after the version, one
 * witness item (the 32-byte reserved value) before the lock time. Same txid.
 */
export function coinbaseWithWitness(coinbase: Uint8Array, reserved: Uint8Array = WITNESS_RESERVED_VALUE): Uint8Array {
  if (coinbase.length < 10) throw new CoinbaseError(`coinbase is too short (${coinbase.length} bytes)`);
  if (coinbase[4] === 0x00) throw new CoinbaseError('coinbase already has witness serialization');
  if (reserved.length !== 32) throw new CoinbaseError('witness reserved value must be 32 bytes');
  const n = coinbase.length;
  return concatBytes(coinbase.slice(0, 4), new Uint8Array([0x00, 0x01]), coinbase.slice(4, n - 4), new Uint8Array([0x01, 0x20]), reserved, coinbase.slice(n - 4));
}

/** Witness merkle root: the coinbase's wtxid counts as zero (BIP141). */
export function witnessMerkleRoot(otherWtxids: readonly Uint8Array[]): Uint8Array {
  return merkleRoot([new Uint8Array(32), ...otherWtxids]);
}

/** The commitment output script: OP_RETURN aa21a9ed || sha256d(witness root || reserved value). */
export function witnessCommitmentScript(witnessRoot: Uint8Array, reserved: Uint8Array = WITNESS_RESERVED_VALUE): Uint8Array {
  return concatBytes(WITNESS_COMMITMENT_PREFIX, sha256d(concatBytes(witnessRoot, reserved)));
}

/** Index of the output holding the witness commitment (the last matching one, as BIP141), or -1. */
export function findWitnessCommitment(outputs: readonly TxOutput[]): number {
  for (let i = outputs.length - 1; i >= 0; i--) {
    const s = outputs[i]!.script;
    if (s.length >= 38 && bytesEqual(s.slice(0, 6), WITNESS_COMMITMENT_PREFIX)) return i;
  }
  return -1;
}
