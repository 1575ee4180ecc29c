/**
 * Messages between the host and a KawPow worker thread (worker_threads in Node, a Web Worker in
 * browsers). One request per worker: the host starts a worker, posts one request, receives
 * progress replies and one result (or an error), and terminates the worker, which is also how a
 * build is cancelled.
 */
import type { WasmModule } from './wasm-api.ts';

export type KawpowWorkerRequest =
  /** Build the light cache of `epoch` (the worker computes the seed with the module's keccak-256). */
  | {
      readonly type: 'light-cache';
      readonly module: WasmModule;
      readonly epoch: number;
      readonly lightItems: number;
      readonly datasetItems: number;
      /** Keccak-512 steps between two progress replies. */
      readonly chunkSteps: number;
    }
  /** Compute 512-bit dataset items [first, first + count) from a light cache. */
  | {
      readonly type: 'dataset';
      readonly module: WasmModule;
      readonly lightItems: number;
      readonly datasetItems: number;
      /** The light cache's bytes (lightItems × 64). */
      readonly lightCache: Uint8Array;
      readonly first: number;
      readonly count: number;
      /** Items between two progress replies. */
      readonly chunkItems: number;
    };

export type KawpowWorkerReply =
  | { readonly type: 'progress'; readonly done: number; readonly total: number }
  | { readonly type: 'light-cache'; readonly cache: Uint8Array; readonly checksum: Uint8Array }
  | { readonly type: 'dataset'; readonly items: Uint8Array }
  | { readonly type: 'error'; readonly message: string };

/** Posts a reply, transferring the listed buffers. */
export type KawpowWorkerPost = (reply: KawpowWorkerReply, transfer?: ArrayBuffer[]) => void;

/** A started worker; terminate() stops it (also mid-request: that is how builds are cancelled). */
export interface KawpowThread {
  terminate(): void;
}

/**
 * Starts a worker on one request; every reply and any failure come through the callbacks.
 * `#kawpow-threads` resolves to kawpow-threads.ts (Node, worker_threads) or
 * kawpow-threads.browser.ts (browsers, Web Workers).
 */
export type StartKawpowThread = (
  request: KawpowWorkerRequest,
  onReply: (reply: KawpowWorkerReply) => void,
  onError: (error: Error) => void,
) => KawpowThread;
