/**
 * Messages between the main thread and a hashing thread (hash-threads.ts), whatever it hashes.
 * Hot paths post nothing per nonce: a thread adds its hash count to a shared counter after each
 * chunk and posts only hits and "work done".
 */

/** What every hashing thread gets as workerData. */
export interface HashThreadData {
  /** This thread's slot in `counters`. */
  readonly slot: number;
  /** BigInt64Array over this buffer: hashes done, one slot per thread (Atomics.add). */
  readonly counters: SharedArrayBuffer;
}

export type ToHashThread<W> =
  | { readonly type: 'work'; readonly work: W }
  /** Stop hashing and wait for work (pause, or no job). */
  | { readonly type: 'idle' }
  | { readonly type: 'stop' };

export type FromHashThread<H> =
  | { readonly type: 'ready' }
  | { readonly type: 'hit'; readonly workId: number; readonly hit: H }
  | { readonly type: 'done'; readonly workId: number }
  | { readonly type: 'error'; readonly message: string };
