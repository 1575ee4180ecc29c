/**
 * A CPU mining worker: one WASM SHA-256d engine (SIMD where the browser validates it) driven
 * through comlink. Searches short batches and returns only hits and the count of nonces tried.
 * The main thread supervises it: an uncaught error or a search that outlives its deadline gets
 * this worker terminated and replaced (see miner.ts).
 */
import * as Comlink from 'comlink';
import { createWasmSha256dEngine } from '@otedama/wasm';
import type { NonceSearchEngine } from '@otedama/core';
import { restInWorker } from './duty-cycle.ts';

/** What one search call returns: the nonces that met the target and how many were tried. */
export interface SearchReply {
  nonces: number[];
  tried: number;
  /** Set by the GPU worker when its device was lost during the search (nothing was tried). */
  deviceLost?: string;
}

let engine: NonceSearchEngine | undefined;

const api = {
  async init(): Promise<string> {
    engine ??= await createWasmSha256dEngine({ simd: 'auto' });
    return engine.name;
  },
  async search(header: Uint8Array, target: bigint, start: number, count: number): Promise<SearchReply> {
    if (!engine) throw new Error('CPU worker not initialised');
    const r = await engine.search({ header, target }, start, count);
    return { nonces: r.hits.map((h) => h.nonce), tried: r.tried };
  },
  /** Rests between batches (duty cycle) on this worker's timers; see duty-cycle.ts. */
  rest: restInWorker,
};

export type CpuWorkerApi = typeof api;
Comlink.expose(api);
