/**
 * The seam an edge's synchronous KawPow checks stand on (simnet's block validation, ravend's
 * getkawpowhash, the sharechain's injected share PoW): an epoch is made ready asynchronously
 * (`prepare`), then hashes and share checks run synchronously. Two implementations:
 *
 *   - KawpowLight (kawpow-light.ts, the default): light evaluation from the epoch's light cache
 *     (16 MiB and up), 256 dataset items computed per hash;
 *   - KawpowFullDataset (kawpow-full.ts, `chain.kawpow.verification: full`): the epoch's full
 *     dataset (1 GiB and up) built once in worker threads, 64 lookups per hash.
 *
 * The composition root (chain.ts, createKawpowEvaluator) picks one from the configuration; the
 * call sites only see this interface.
 */
import type { KawpowHashResult, KawpowLightMix } from '@otedama/core';
import type { BuildOptions, VerifyCode } from '@otedama/wasm';

export interface KawpowEvaluator {
  /** What evaluates: "wasm-simd" or "wasm", with " full dataset" for lookups. */
  readonly engine: string;
  /**
   * Makes the epoch of `height` ready for synchronous use (light cache, and for the full
   * evaluator its dataset), with progress; `signal` cancels. Heights past the limit of epochs
   * are InvalidHeightError.
   */
  prepare(height: number, options?: BuildOptions): Promise<void>;
  /** Whether the epoch of `height` is prepared. */
  isReady(height: number): boolean;
  /** Mix and final hash of one nonce (the epoch prepared, else EngineUnavailableError). */
  hash(headerHash: Uint8Array, nonce: bigint, height: number): KawpowHashResult;
  /** Core's KawpowLightMix: the mix hash of (header hash, nonce, height). */
  readonly mix: KawpowLightMix;
  /** A share check: the final hash from the submitted mix against the target first, then the mix. */
  verify(headerHash: Uint8Array, nonce: bigint, height: number, mixHash: Uint8Array, target: bigint): { code: VerifyCode; finalHash: Uint8Array };
  /** Drops what is held and cancels builds. Idempotent. */
  dispose(): void;
}
