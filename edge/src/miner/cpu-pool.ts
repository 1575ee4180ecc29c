/**
 * The SHA-256d CPU hashing threads: a HashThreadPool (hash-threads.ts) whose threads each run a
 * searcher (WASM or the JS reference) over nonce ranges of an 80-byte header.
 */
import type { CpuSearcherKind } from './cpu-searcher.ts';
import type { CpuWork, CpuWorkerData } from './cpu-worker-protocol.ts';
import { HashThreadPool, type HashThreadHandlers } from './hash-threads.ts';
import { compileWasmModule } from './wasm-searcher.ts';

const WORKER_ENTRY = new URL('./cpu-worker.mjs', import.meta.url);

/** Hits are nonces (u32). */
export type CpuPoolHandlers = HashThreadHandlers<number>;

export interface CpuPoolOptions {
  readonly kind: CpuSearcherKind;
  readonly threads: number;
}

export type CpuWorkerPool = HashThreadPool<CpuWork, number>;

/** Starts the threads and resolves once every one has loaded its searcher. */
export async function startCpuPool(options: CpuPoolOptions, handlers: CpuPoolHandlers = {}): Promise<CpuWorkerPool> {
  if (!Number.isInteger(options.threads) || options.threads < 1) throw new RangeError(`threads must be at least 1 (got ${options.threads})`);
  const wasmModule = options.kind === 'wasm' || options.kind === 'wasm-simd' ? await compileWasmModule(options.kind) : undefined;
  return HashThreadPool.start<CpuWork, number>(
    {
      entry: WORKER_ENTRY,
      engine: options.kind,
      threads: options.threads,
      data: (): Omit<CpuWorkerData, 'slot' | 'counters'> => ({ kind: options.kind, ...(wasmModule ? { wasmModule } : {}) }),
    },
    handlers,
  );
}

/** Splits [0, 2^32) into `parts` contiguous ranges (thread i scans from 2^32/parts*i, as minerd). */
export function splitNonceSpace(parts: number, start = 0, end = 0x1_0000_0000): { start: number; end: number }[] {
  const out: { start: number; end: number }[] = [];
  const size = end - start;
  for (let i = 0; i < parts; i++) {
    out.push({ start: start + Math.floor((size * i) / parts), end: start + Math.floor((size * (i + 1)) / parts) });
  }
  return out;
}
