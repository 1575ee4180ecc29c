/**
 * Messages between the main thread and a CPU hashing thread (cpu-worker.ts). Hot paths post
 * nothing per nonce: a worker adds its hash count to a shared counter after each chunk and
 * posts only hits and "range done".
 */
import type { CompiledWasm, CpuSearcherKind } from './cpu-searcher.ts';

export interface CpuWorkerData {
  readonly kind: CpuSearcherKind;
  /** This worker's slot in `counters`. */
  readonly slot: number;
  /** BigInt64Array over this buffer: hashes done, one slot per worker (Atomics.add). */
  readonly counters: SharedArrayBuffer;
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

export type ToWorker =
  | { readonly type: 'work'; readonly work: CpuWork }
  /** Stop hashing and wait for work (pause, or no job). */
  | { readonly type: 'idle' }
  | { readonly type: 'stop' };

export type FromWorker =
  | { readonly type: 'ready' }
  | { readonly type: 'hit'; readonly workId: number; readonly nonce: number }
  | { readonly type: 'done'; readonly workId: number }
  | { readonly type: 'error'; readonly message: string };
