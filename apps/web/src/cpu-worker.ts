/**
 * A CPU mining worker: one WASM SHA-256d engine (SIMD where the browser validates it) driven
 * through comlink. Searches short batches and returns only hits and the count of nonces tried.
 */
import * as Comlink from 'comlink';
import { createWasmSha256dEngine } from '@otedama/wasm';
import type { NonceSearchEngine } from '@otedama/core';

let engine: NonceSearchEngine | undefined;

const api = {
  async init(): Promise<string> {
    engine ??= await createWasmSha256dEngine({ simd: 'auto' });
    return engine.name;
  },
  async search(header: Uint8Array, target: bigint, start: number, count: number): Promise<{ nonces: number[]; tried: number }> {
    if (!engine) throw new Error('worker not initialised');
    const r = await engine.search({ header, target }, start, count);
    return { nonces: r.hits.map((h) => h.nonce), tried: r.tried };
  },
};

export type CpuWorkerApi = typeof api;
Comlink.expose(api);
