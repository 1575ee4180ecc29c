/**
 * What a SHA-256d CPU hashing thread (cpu-worker.ts) gets and gives, on the common hashing-thread
 * protocol (hash-thread-protocol.ts): work is a nonce range of a header, a hit is a nonce.
 */
import type { CompiledWasm, CpuSearcherKind } from './cpu-searcher.ts';
import type { FromHashThread, HashThreadData, ToHashThread } from './hash-thread-protocol.ts';

export interface CpuWorkerData extends HashThreadData {
  readonly kind: CpuSearcherKind;
  readonly wasmModule?: CompiledWasm;
}

/** A range of nonces of one header to search. */
export interface CpuWork {
  readonly workId: number;
  readonly header: Uint8Array;
  readonly target: bigint;
  /** First nonce. */
  readonly start: number;
  /** One past the last nonce (at most 2^32). */
  readonly end: number;
}

export type ToWorker = ToHashThread<CpuWork>;
export type FromWorker = FromHashThread<number>;
