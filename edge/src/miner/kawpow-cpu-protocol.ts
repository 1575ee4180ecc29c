/**
 * What a KawPow CPU hashing thread (kawpow-cpu-worker.ts) gets and gives, on the common
 * hashing-thread protocol (hash-thread-protocol.ts).
 */
import type { WasmModule } from '@otedama/wasm';
import type { HashThreadData } from './hash-thread-protocol.ts';

export interface KawpowCpuThreadData extends HashThreadData {
  /** The compiled KawPow module (compiled once on the main thread). */
  readonly module: WasmModule;
}

/** The light cache of an epoch (its raw bytes, light-cache items × 64): sent before work of that epoch. */
export interface KawpowEpochMessage {
  readonly type: 'epoch';
  readonly epoch: number;
  readonly lightCache: Uint8Array;
}

/** A range of nonces of one job to hash by light evaluation. */
export interface KawpowCpuWork {
  readonly workId: number;
  readonly headerHash: Uint8Array;
  readonly height: number;
  /** The final hash, read big-endian, must be at or below it. */
  readonly target: bigint;
  /** First nonce (u64). */
  readonly start: bigint;
  /** One past the last nonce (at most 2^64). */
  readonly end: bigint;
  /** Dataset size in 1024-bit items (tests' reduced datasets); absent: the epoch's. */
  readonly datasetItems?: number;
}

/** A nonce whose final hash meets the work's target. */
export interface KawpowCpuHit {
  readonly nonce: bigint;
  readonly mixHash: Uint8Array;
  readonly finalHash: Uint8Array;
}
