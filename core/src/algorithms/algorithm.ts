/**
 * What an algorithm module provides: how its headers are mined (engines, the hashed header) and
 * how a share of the sharechain carries and proves its work (the share form). Every layer above
 * (the share codec, validation, the sharechain) is generic over this interface; an algorithm is
 * a folder beside `sha256d/` that exports one `Algorithm` and is listed in `registry.ts`.
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
  readFields(header: Uint8Array): CoinHeaderFields;
  /** Core's own PoW implementation; validators may inject a faster one of the same function. */
  readonly pow: PowFunction;
}

export interface Algorithm {
  readonly name: string;
  /** Human-readable name and the coins that use it. */
  readonly title: string;
  /** Bytes of the header the mining engines hash. */
  readonly headerBytes: number;
  /** Hash of a full mined header, internal byte order. */
  readonly hashHeader: (header: Uint8Array) => Uint8Array;
  /** Engines that implement the nonce search. */
  readonly engines: readonly EngineName[];
  /** How shares of the sharechain carry this algorithm's work. */
  readonly share: ShareForm;
}

/** The registry record's former name; the same interface. */
export type AlgorithmInfo = Algorithm;
