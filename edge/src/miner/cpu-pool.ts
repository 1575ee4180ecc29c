/**
 * A pool of CPU hashing threads (worker_threads), each with its own searcher. The pool hands
 * each thread a nonce range of a header, reads the shared hash counters, and reports hits and
 * finished ranges to its owner through callbacks.
 */
import { Worker } from 'node:worker_threads';
import { EngineUnavailableError } from '@otedama/core';
import type { CpuSearcherKind } from './cpu-searcher.ts';
import type { CpuWork, CpuWorkerData, FromWorker, ToWorker } from './cpu-worker-protocol.ts';
import { compileWasmModule } from './wasm-searcher.ts';

const WORKER_ENTRY = new URL('./cpu-worker.mjs', import.meta.url);
/** How long a thread may take to load its searcher (tsx compile + WASM instantiate on a busy machine). */
const WORKER_READY_TIMEOUT_MS = 60_000;
/** How long stop() waits for a thread to exit by itself before terminating it. */
const WORKER_STOP_GRACE_MS = 2_000;

export interface CpuPoolHandlers {
  onHit?(thread: number, workId: number, nonce: number): void;
  /** The thread searched its whole range and is idle. */
  onDone?(thread: number, workId: number): void;
  onError?(thread: number, error: Error): void;
}

export interface CpuPoolOptions {
  readonly kind: CpuSearcherKind;
  readonly threads: number;
}

export class CpuWorkerPool {
  private readonly counters: BigInt64Array;
  private stopped = false;

  private readonly exits: Promise<void>[];

  private constructor(
    readonly kind: CpuSearcherKind,
    private readonly workers: Worker[],
    buffer: SharedArrayBuffer,
  ) {
    this.counters = new BigInt64Array(buffer);
    this.exits = workers.map((w) => new Promise<void>((resolve) => w.once('exit', () => resolve())));
  }

  /** Starts the threads and resolves once every one has loaded its searcher. */
  static async start(options: CpuPoolOptions, handlers: CpuPoolHandlers = {}): Promise<CpuWorkerPool> {
    if (!Number.isInteger(options.threads) || options.threads < 1) throw new RangeError(`threads must be at least 1 (got ${options.threads})`);
    const buffer = new SharedArrayBuffer(8 * options.threads);
    const wasmModule = options.kind === 'wasm' || options.kind === 'wasm-simd' ? await compileWasmModule(options.kind) : undefined;
    const workers: Worker[] = [];
    const ready: Promise<void>[] = [];
    for (let slot = 0; slot < options.threads; slot++) {
      const data: CpuWorkerData = { kind: options.kind, slot, counters: buffer, ...(wasmModule ? { wasmModule } : {}) };
      const worker = new Worker(WORKER_ENTRY, { workerData: data, name: `otedama-${options.kind}-${slot}` });
      workers.push(worker);
      ready.push(
        new Promise<void>((resolve, reject) => {
          const timer = setTimeout(() => reject(new EngineUnavailableError(options.kind, `thread ${slot} did not start within ${WORKER_READY_TIMEOUT_MS / 1000} s`)), WORKER_READY_TIMEOUT_MS);
          let started = false;
          worker.on('message', (msg: FromWorker) => {
            switch (msg.type) {
              case 'ready':
                started = true;
                clearTimeout(timer);
                resolve();
                break;
              case 'hit':
                handlers.onHit?.(slot, msg.workId, msg.nonce);
                break;
              case 'done':
                handlers.onDone?.(slot, msg.workId);
                break;
              case 'error': {
                const err = new EngineUnavailableError(options.kind, msg.message);
                if (!started) {
                  clearTimeout(timer);
                  reject(err);
                } else handlers.onError?.(slot, err);
                break;
              }
            }
          });
          worker.on('error', (err) => {
            clearTimeout(timer);
            if (!started) reject(err);
            else handlers.onError?.(slot, err);
          });
          worker.on('exit', (code) => {
            clearTimeout(timer);
            if (!started) reject(new EngineUnavailableError(options.kind, `thread ${slot} exited with code ${code} while starting`));
          });
        }),
      );
    }
    const pool = new CpuWorkerPool(options.kind, workers, buffer);
    try {
      await Promise.all(ready);
    } catch (err) {
      await pool.stop();
      throw err;
    }
    return pool;
  }

  get threads(): number {
    return this.workers.length;
  }

  /** Gives thread `thread` a range to search (replacing what it was doing), or null to idle it. */
  assign(thread: number, work: CpuWork | null): void {
    if (this.stopped) return;
    const msg: ToWorker = work ? { type: 'work', work } : { type: 'idle' };
    this.workers[thread]?.postMessage(msg);
  }

  /** Idles every thread. */
  idleAll(): void {
    for (let i = 0; i < this.workers.length; i++) this.assign(i, null);
  }

  /** Hashes done so far by each thread. */
  hashesPerThread(): number[] {
    return Array.from({ length: this.workers.length }, (_, i) => Number(Atomics.load(this.counters, i)));
  }

  totalHashes(): number {
    return this.hashesPerThread().reduce((a, b) => a + b, 0);
  }

  /** Stops every thread (gracefully, then by force). Idempotent. */
  async stop(): Promise<void> {
    if (this.stopped) return;
    this.stopped = true;
    await Promise.all(
      this.workers.map(async (w, i) => {
        const exited = this.exits[i]!;
        try {
          w.postMessage({ type: 'stop' } satisfies ToWorker);
        } catch {
          /* already gone */
        }
        const timer = setTimeout(() => void w.terminate(), WORKER_STOP_GRACE_MS);
        await exited;
        clearTimeout(timer);
      }),
    );
  }
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
