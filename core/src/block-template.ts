/**
 * A block template as the job side needs it, normalised from bitcoind's getblocktemplate
 * (BIP22/23) result by parseBlockTemplate below. The coinbase is built in coinbase-builder.ts,
 * the block for submitblock in block.ts.
 */
import { InvalidTemplateError } from './errors.ts';
import { bytesEqual, bytesToHex, hexToBytes, reverseBytes } from './hex.ts';
import { coinbaseMerkleBranch } from './merkle.ts';
import { bitsToTarget, hexToTarget } from './target.ts';
import { txidOfBytes } from './tx.ts';

export interface TemplateTransaction {
  /** Serialized transaction (with witness when present). */
  readonly data: Uint8Array;
  /** txid, internal byte order (what the merkle tree uses). */
  readonly txid: Uint8Array;
  /** Fee in satoshis, when the node said. */
  readonly fee?: bigint;
}

export interface BlockTemplate {
  readonly height: number;
  readonly version: number;
  /** Previous block hash, internal byte order. */
  readonly prevHash: Uint8Array;
  readonly bits: number;
  /** The block target (from `target`, else from bits). */
  readonly target: bigint;
  readonly curtime: number;
  readonly mintime: number;
  /** Satoshis the coinbase may claim (subsidy + fees). */
  readonly coinbaseValue: bigint;
  readonly transactions: readonly TemplateTransaction[];
  /** Segwit commitment output script, when the template has witness transactions. */
  readonly defaultWitnessCommitment?: Uint8Array;
  readonly longpollId?: string;
}

/** One output the coinbase must carry. */
export interface CoinbaseOutput {
  readonly script: Uint8Array;
  readonly value: bigint;
}

// ---------------------------------------------------------------------------------------------
// Parsing bitcoind's getblocktemplate result (BIP22/23, BIP145)

export interface ParseTemplateOptions {
  /**
   * Recompute every txid from its data and compare with the node's (costs a sha256d per
   * transaction; off by default because the node is trusted).
   */
  readonly verifyTxids?: boolean;
}

type Json = Record<string, unknown>;

function field(obj: Json, name: string): unknown {
  return obj[name];
}

function u32Field(obj: Json, name: string, optional = false): number | undefined {
  const v = field(obj, name);
  if (v === undefined && optional) return undefined;
  if (typeof v !== 'number' || !Number.isInteger(v) || v < 0 || v > 0xffffffff) {
    throw new InvalidTemplateError(name, `must be an integer in 0..2^32-1 (got ${describe(v)})`);
  }
  return v;
}

function hexField(obj: Json, key: string, bytes?: number, label = key): Uint8Array {
  const v = field(obj, key);
  if (typeof v !== 'string') throw new InvalidTemplateError(label, `must be a hex string (got ${describe(v)})`);
  if (v.length % 2 !== 0 || !/^[0-9a-fA-F]*$/.test(v)) throw new InvalidTemplateError(label, `is not even-length hex (${describe(v)})`);
  if (bytes !== undefined && v.length !== bytes * 2) throw new InvalidTemplateError(label, `must be ${bytes} bytes (${bytes * 2} hex digits), got ${v.length / 2} bytes`);
  return hexToBytes(v);
}

function describe(v: unknown): string {
  if (v === undefined) return 'nothing';
  const s = JSON.stringify(v) ?? String(v);
  return s.length > 40 ? `${s.slice(0, 40)}…` : s;
}

/** A display-order hash hex (as RPC prints txids and block hashes) to internal bytes. */
function displayHash(obj: Json, key: string, label = key): Uint8Array {
  return reverseBytes(hexField(obj, key, 32, label));
}

function parseTransactions(raw: unknown, options: ParseTemplateOptions): TemplateTransaction[] {
  if (!Array.isArray(raw)) throw new InvalidTemplateError('transactions', `must be an array (got ${describe(raw)})`);
  return raw.map((t, i) => {
    const name = `transactions[${i}]`;
    if (typeof t !== 'object' || t === null || Array.isArray(t)) throw new InvalidTemplateError(name, 'must be an object');
    const tx = t as Json;
    const data = hexField(tx, 'data', undefined, `${name}.data`);
    if (data.length < 10) throw new InvalidTemplateError(`${name}.data`, `is too short for a transaction (${data.length} bytes)`);
    const computeTxid = (): Uint8Array => {
      try {
        return txidOfBytes(data);
      } catch (err) {
        throw new InvalidTemplateError(`${name}.data`, `is not a transaction: ${(err as Error).message}`);
      }
    };
    // Since segwit, "txid" is the txid and "hash" the wtxid; before it, "hash" was the txid.
    const idField = tx.txid !== undefined ? 'txid' : tx.hash !== undefined ? 'hash' : undefined;
    const txid = idField ? displayHash(tx, idField, `${name}.${idField}`) : computeTxid();
    if (options.verifyTxids && idField) {
      const computed = computeTxid();
      if (!bytesEqual(computed, txid)) {
        throw new InvalidTemplateError(`${name}.${idField}`, `does not match its data (data hashes to ${bytesToHex(reverseBytes(computed))})`);
      }
    }
    const fee = tx.fee;
    if (fee !== undefined && (typeof fee !== 'number' || !Number.isSafeInteger(fee))) {
      throw new InvalidTemplateError(`${name}.fee`, `must be an integer number of satoshis (got ${describe(fee)})`);
    }
    return fee === undefined ? { data, txid } : { data, txid, fee: BigInt(fee) };
  });
}

/**
 * Validates and normalises a getblocktemplate result. Throws InvalidTemplateError naming the
 * field for anything missing or malformed. Accepts the `result` object, not the RPC envelope.
 */
export function parseBlockTemplate(json: unknown, options: ParseTemplateOptions = {}): BlockTemplate {
  if (typeof json !== 'object' || json === null || Array.isArray(json)) {
    throw new InvalidTemplateError('(result)', `must be a JSON object (got ${describe(json)})`);
  }
  const obj = json as Json;
  const height = field(obj, 'height');
  if (typeof height !== 'number' || !Number.isSafeInteger(height) || height < 0) {
    throw new InvalidTemplateError('height', `must be a non-negative integer (got ${describe(height)})`);
  }
  const version = u32Field(obj, 'version')!;
  const prevHash = displayHash(obj, 'previousblockhash');
  const bitsRaw = field(obj, 'bits');
  if (typeof bitsRaw !== 'string' || !/^[0-9a-fA-F]{8}$/.test(bitsRaw)) {
    throw new InvalidTemplateError('bits', `must be 8 hex digits (got ${describe(bitsRaw)})`);
  }
  const bits = parseInt(bitsRaw, 16) >>> 0;
  const targetRaw = obj.target;
  if (targetRaw !== undefined && typeof targetRaw !== 'string') throw new InvalidTemplateError('target', `must be a hex string (got ${describe(targetRaw)})`);
  let target: bigint;
  try {
    target = targetRaw === undefined ? bitsToTarget(bits) : hexToTarget(targetRaw);
  } catch (err) {
    throw new InvalidTemplateError(targetRaw === undefined ? 'bits' : 'target', (err as { reason?: string }).reason ?? String(err));
  }
  if (target === 0n) throw new InvalidTemplateError('target', 'is zero: no block can meet it');
  const curtime = u32Field(obj, 'curtime')!;
  const mintime = u32Field(obj, 'mintime', true) ?? curtime;
  const cbv = field(obj, 'coinbasevalue');
  if (typeof cbv !== 'number' || !Number.isSafeInteger(cbv) || cbv < 0) {
    throw new InvalidTemplateError('coinbasevalue', `must be a non-negative integer number of satoshis (got ${describe(cbv)})`);
  }
  const transactions = parseTransactions(obj.transactions ?? [], options);
  let defaultWitnessCommitment: Uint8Array | undefined;
  if (obj.default_witness_commitment !== undefined) {
    defaultWitnessCommitment = hexField(obj, 'default_witness_commitment');
    if (defaultWitnessCommitment.length < 38 || defaultWitnessCommitment[0] !== 0x6a) {
      throw new InvalidTemplateError('default_witness_commitment', 'is not an OP_RETURN witness commitment script (6a24aa21a9ed…)');
    }
  }
  const longpollid = obj.longpollid;
  if (longpollid !== undefined && typeof longpollid !== 'string') {
    throw new InvalidTemplateError('longpollid', `must be a string (got ${describe(longpollid)})`);
  }
  return {
    height,
    version,
    prevHash,
    bits,
    target,
    curtime,
    mintime,
    coinbaseValue: BigInt(cbv),
    transactions,
    ...(defaultWitnessCommitment ? { defaultWitnessCommitment } : {}),
    ...(longpollid !== undefined ? { longpollId: longpollid } : {}),
  };
}

/** The Stratum merkle branch of a template's coinbase (siblings of leaf 0, internal order). */
export function jobMerkleBranch(template: Pick<BlockTemplate, 'transactions'>): Uint8Array[] {
  return coinbaseMerkleBranch(template.transactions.map((t) => t.txid));
}
