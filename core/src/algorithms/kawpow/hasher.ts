/**
 * The contract of a KawPow hasher: light evaluation of one nonce, and share verification for
 * validators. The WASM engine implements it (wasm/src/kawpow.ts); the shared compliance suite
 * (core/test/kawpow-compliance.ts) runs against any implementation.
 */

/** What one hash gives: ProgPoW's mix hash and the final hash, both in ProgPoW's output order. */
export interface KawpowHashResult {
  /** 32 bytes; a block stores them reversed (see share-fields.ts). */
  readonly mixHash: Uint8Array;
  /** 32 bytes: the block hash as displayed; compared big-endian with the target. */
  readonly finalHash: Uint8Array;
}

/** A submitted share: what a miner sends for a job (header hash, nonce, mix hash) plus the job's height. */
export interface KawpowShare {
  /** 32 bytes, as ProgPoW takes it (display order of the KAWPOW input's sha256d). */
  readonly headerHash: Uint8Array;
  /** u64. */
  readonly nonce: bigint;
  /** The block height the job was for: picks the epoch (DAG) and the period (program). */
  readonly height: number;
  /** 32 bytes, in ProgPoW's output order (as Stratum sends it). */
  readonly mixHash: Uint8Array;
}

/** Why a well-formed share is not valid. */
export type KawpowRejectReason =
  /** The final hash computed from the submitted mix hash is above the target: no DAG work was spent. */
  | 'above-target'
  /** The final hash meets the target, but the submitted mix hash is not the one the DAG gives. */
  | 'mix-mismatch';

export type KawpowVerdict =
  | { readonly valid: true; readonly finalHash: Uint8Array }
  | { readonly valid: false; readonly reason: KawpowRejectReason; readonly detail: string; readonly finalHash: Uint8Array };

export interface KawpowHashOptions {
  /**
   * Dataset size in 1024-bit items used as the modulus of DAG reads. Default: the epoch's real
   * size. Tests pass a small value to compare engines on a reduced dataset with the same code.
   */
  readonly datasetItems?: number;
}

export interface KawpowHasher {
  /** Which engine this is ("wasm", "wasm-simd", ...). */
  readonly name: string;
  /** Mix hash and final hash of one nonce at one height, by light evaluation (or the dataset where held). */
  hash(headerHash: Uint8Array, nonce: bigint, height: number, options?: KawpowHashOptions): Promise<KawpowHashResult>;
  /**
   * Checks a share against a target: the final hash from the submitted mix first (cheap), then
   * the mix hash by evaluation. Bad input (lengths, ranges) throws typed errors; a well-formed
   * share that fails is a `{ valid: false, reason }` verdict.
   */
  verify(share: KawpowShare, target: bigint, options?: KawpowHashOptions): Promise<KawpowVerdict>;
  /** Releases memory (light caches, instances, workers). Idempotent. */
  dispose(): void;
}
