/**
 * Whole blocks: serialization for `submitblock` and parsing for validation (simnet).
 *   block = header | CompactSize tx count | coinbase | template transactions
 * The header is the algorithm's (`Algorithm.header.bytes`: 80 for SHA-256d, 120 for KawPow);
 * the transactions are the Bitcoin family's for every algorithm in scope.
 */
import type { BlockTemplate } from './block-template.ts';
import { HEADER_BYTES } from './block-header.ts';
import { coinbaseWithWitness } from './coinbase-builder.ts';
import { TxDecodeError } from './errors.ts';
import { concatBytes } from './hex.ts';
import { ByteReader, encodeVarInt, readTx, type DecodedTx } from './tx.ts';

export interface SerializeBlockOptions {
  /** Bytes of the header (default 80, Bitcoin's; KawPow's is 120). */
  readonly headerBytes?: number;
  /**
   * Put the coinbase in witness form (with the BIP141 reserved value). Defaults to whether the
   * template has a witness commitment, which the coinbase then carries.
   */
  readonly witness?: boolean;
}

/**
 * The block to submit: header, then the coinbase (given in the non-witness form miners hash),
 * then the template's transactions as the node sent them.
 */
export function serializeBlock(
  header: Uint8Array,
  coinbase: Uint8Array,
  template: Pick<BlockTemplate, 'transactions' | 'defaultWitnessCommitment'>,
  options: SerializeBlockOptions = {},
): Uint8Array {
  const headerBytes = options.headerBytes ?? HEADER_BYTES;
  if (header.length !== headerBytes) throw new TxDecodeError(`header must be ${headerBytes} bytes (got ${header.length})`);
  const witness = options.witness ?? template.defaultWitnessCommitment !== undefined;
  return concatBytes(
    header,
    encodeVarInt(1 + template.transactions.length),
    witness ? coinbaseWithWitness(coinbase) : coinbase,
    ...template.transactions.map((t) => t.data),
  );
}

export interface ParsedBlock {
  readonly header: Uint8Array;
  readonly txs: readonly DecodedTx[];
}

/**
 * Parses a serialized block whose header has `headerBytes` bytes (default 80); throws
 * TxDecodeError for anything malformed or trailing bytes.
 */
export function parseBlock(bytes: Uint8Array, headerBytes: number = HEADER_BYTES): ParsedBlock {
  if (bytes.length < headerBytes + 1) throw new TxDecodeError(`block is too short (${bytes.length} bytes)`);
  const r = new ByteReader(bytes, headerBytes);
  // Smallest transaction: 4 + 1 + 41 + 1 + 9 + 4 bytes.
  const count = r.count('transaction count', 60);
  if (count === 0) throw new TxDecodeError('block has no transactions');
  const txs: DecodedTx[] = [];
  for (let i = 0; i < count; i++) txs.push(readTx(r));
  if (r.remaining !== 0) throw new TxDecodeError(`${r.remaining} unexpected bytes after the last transaction`);
  return { header: bytes.slice(0, headerBytes), txs };
}
