/**
 * What an algorithm module provides: how its block headers are laid out and assembled from a
 * template (the header form), how they are mined (engines, the hashed job input) and how a share
 * of the sharechain carries and proves its work (the share form). Every layer above (the
 * template source, the share codec, validation, the sharechain) is generic over this interface;
 * an algorithm is a folder beside `sha256d/` that exports one `Algorithm` and is listed in
 * `registry.ts`.
 */
import type { EngineName } from '../engine.ts';

/**
 * A proof-of-work function: the PoW hash of a full share header (as `ShareForm.headerBytes`),
 * 32 bytes read as a little-endian uint256 ("internal order", what Bitcoin compares with a
 * target). It may return a buffer it reuses on the next call: callers copy what they keep. A
 * function that cannot verify the header (KawPow: a mix hash that does not match) throws
 * `PowVerificationError`.
 */
export type PowFunction = (header: Uint8Array) => Uint8Array;

/** The coin fields a validator reads from a share's header: views into the header, not copies. */
export interface CoinHeaderFields {
  /** The coin block the header builds on, internal byte order. */
  readonly prevHash: Uint8Array;
  /** Merkle root of the block's transactions (the coinbase first), internal byte order. */
  readonly merkleRoot: Uint8Array;
  /** The header's time, seconds since the epoch. */
  readonly time: number;
  /** The coin's block target, compact. */
  readonly bits: number;
}

/** What a job's header is made of: a template's fields and the merkle root of its coinbase. */
export interface HeaderFields {
  readonly version: number;
  /** Previous block hash, internal byte order. */
  readonly prevHash: Uint8Array;
  /** Merkle root, internal byte order. */
  readonly merkleRoot: Uint8Array;
  readonly time: number;
  readonly bits: number;
  /** The block's height: KawPow's header carries it (and its PoW depends on it); SHA-256d's does not. */
  readonly height: number;
}

/**
 * How a block header of this algorithm is laid out: every algorithm in scope keeps Bitcoin's
 * first 76 bytes (version, previous hash, merkle root, time, bits) and differs after them.
 */
export interface HeaderForm {
  /** Bytes of a full block header (SHA-256d 80, KawPow 120). */
  readonly bytes: number;
  /** Where the miner's nonce sits (little-endian) and how wide it is in bytes (4 or 8). */
  readonly nonceOffset: number;
  readonly nonceBytes: number;
  /** A job's header from its fields: the nonce (and any solution field, KawPow's mix hash) zero. */
  build(fields: HeaderFields): Uint8Array;
  /**
   * What the nonce search of a job hashes besides the nonce: SHA-256d the 80-byte header itself,
   * KawPow the 32-byte header hash of its first 80 bytes (what `mining.notify` sends).
   */
  jobInput(header: Uint8Array): Uint8Array;
}

/**
 * How a share of this algorithm carries its work. A share holds the algorithm's full header
 * (`headerBytes` bytes, fixed), from which the validator reads the coin fields and computes the
 * PoW hash; the coinbase and merkle branch that travel beside it are the coin family's (Bitcoin
 * transactions and double-SHA-256 merkle trees for every algorithm in scope).
 */
export interface ShareForm {
  /** Bytes of the header a share carries. */
  readonly headerBytes: number;
  /** Where the miner's nonce sits in that header, and how wide it is (bytes). */
  readonly nonceOffset: number;
  readonly nonceBytes: number;
  /** The target of difficulty 1 for this algorithm (what difficulties are relative to). */
  readonly diff1Target: bigint;
  /** The coin fields of a header (`header.length === headerBytes`; views, no copies). */
  readonly readFields: (header: Uint8Array) => CoinHeaderFields;
  /**
   * Core's own PoW implementation; validators may inject a faster one of the same function.
   * Absent where core cannot compute it alone: KawPow's needs the epoch's light cache (tens of
   * megabytes, built by an engine), so its validator must inject one (`kawpowSharePow` with the
   * engine's light evaluation) and the sharechain refuses to start without it.
   */
  readonly pow?: PowFunction;
}

export interface Algorithm {
  readonly name: string;
  /** Human-readable name and the coins that use it. */
  readonly title: string;
  /** Bytes of the header the mining engines hash. */
  readonly headerBytes: number;
  /**
   * The block hash of a full mined header, internal byte order (what the next header's prevhash
   * holds). For KawPow this trusts the header's mix hash, as Ravencoin's `GetHash` does; the
   * proof of work is the share form's `pow` (or a node's full check).
   */
  readonly hashHeader: (header: Uint8Array) => Uint8Array;
  /** Engines that implement the nonce search (or, for KawPow, the light evaluation of one nonce). */
  readonly engines: readonly EngineName[];
  /** The block header's layout and how a job's header is built. */
  readonly header: HeaderForm;
  /** How shares of the sharechain carry this algorithm's work. */
  readonly share: ShareForm;
}

/** The registry record's former name; the same interface. */
export type AlgorithmInfo = Algorithm;
