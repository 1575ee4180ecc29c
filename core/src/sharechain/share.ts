/**
 * A share of the sharechain: metadata (what the share claims: its parent, uncles, time,
 * targets and payees) and work (the coin header the miner hashed, the miner-controlled parts of
 * the coinbase, and the merkle branch). The coinbase's outputs are not carried: every validator
 * rebuilds them from the chain (share-coinbase.ts), so a share cannot pay anyone but what the
 * chain says. Layout and limits: docs/sharechain.md §3.
 */

/** Bytes of a share id (the PoW hash of its header, internal order). */
export const SHARE_ID_BYTES = 32;
/** Payees a share may name (the miner, and e.g. the edge that served a Stratum miner). */
export const MAX_PAYEES = 4;
/** The longest standard output script (a segwit v1+ program of 40 bytes). */
export const MAX_PAYEE_SCRIPT_BYTES = 42;
/** Bitcoin's consensus bounds of a coinbase scriptSig ("bad-cb-length" outside them). */
export const MIN_SCRIPT_SIG_BYTES = 2;
export const MAX_SCRIPT_SIG_BYTES = 100;
/** Coin-mandated outputs a share may carry (Bitcoin: the segwit witness commitment). */
export const MAX_MANDATED_OUTPUTS = 2;
/** Longest mandated output script (the witness commitment is 38 bytes; 80 is OP_RETURN's standard limit). */
export const MAX_MANDATED_SCRIPT_BYTES = 80;
/**
 * Merkle branch levels: 16 covers 65,536 transactions, more than a 4 MWU Bitcoin block can hold
 * (~16,000 of the smallest transactions, a 15-level branch).
 */
export const MAX_MERKLE_BRANCH = 16;
/** Bytes of the miner's nonce in the metadata. */
export const MINER_NONCE_BYTES = 8;
/** Micro-share references a share may carry in format 1: none (reserved, SHARECHAIN.md §8). */
export const MAX_REFERENCES = 0;

export interface Payee {
  /** The output script paid (a standard script: P2PKH, P2SH, segwit v0..v16). */
  readonly script: Uint8Array;
  /** Its part of the share's credit, in basis points (the payees' sum is exactly 10,000). */
  readonly bp: number;
}

export interface ShareMetadata {
  /** Share format version (1). */
  readonly version: number;
  /** Id of the parent share; 32 zero bytes for the first share of a chain. */
  readonly parent: Uint8Array;
  /** Shares before this one on its chain (the first share is 0). */
  readonly height: number;
  /** Milliseconds since the epoch. */
  readonly time: number;
  /** The target the chain demands here (the ASERT state), compact. */
  readonly maxBits: number;
  /** The share's own target (at or below the demanded one), compact: what the share is credited for. */
  readonly bits: number;
  /** Ids of up to 3 uncles, strictly ascending bytewise. */
  readonly uncles: readonly Uint8Array[];
  /** 1..4 payees, distinct scripts, basis points summing to 10,000. */
  readonly payees: readonly Payee[];
  /** Free bytes for the miner (makes the metadata hash, and so the coinbase, its own). */
  readonly minerNonce: Uint8Array;
  /** Micro-share references (empty in format 1). */
  readonly references: readonly Uint8Array[];
}

export interface ShareWork {
  /** The algorithm's full header (SHA-256d: 80 bytes). */
  readonly header: Uint8Array;
  /** The coinbase input's scriptSig: BIP34 height push, extranonce, tag (2..100 bytes). */
  readonly scriptSig: Uint8Array;
  /** Satoshis the coinbase claims (subsidy + fees of the miner's template). */
  readonly reward: bigint;
  /** Output scripts the coin's template mandates, value 0, after the payouts and the commitment. */
  readonly mandatedOutputs: readonly Uint8Array[];
  /** Merkle branch from the coinbase (leaf 0) to the header's merkle root, internal order. */
  readonly merkleBranch: readonly Uint8Array[];
}

export interface Share {
  readonly meta: ShareMetadata;
  readonly work: ShareWork;
}

/** The parent id of a chain's first share. */
export const NULL_SHARE_ID: Uint8Array = new Uint8Array(SHARE_ID_BYTES);

export function isNullId(id: Uint8Array): boolean {
  for (let i = 0; i < id.length; i++) if (id[i] !== 0) return false;
  return true;
}
