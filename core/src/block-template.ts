/**
 * A block template as the job side needs it, normalised from bitcoind's getblocktemplate
 * (BIP22/23) result. Parsing and coinbase building live beside it (tx.ts, address.ts).
 */
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
