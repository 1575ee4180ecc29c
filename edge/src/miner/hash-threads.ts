/**
 * A pool of hashing threads (worker_threads), whatever they hash: SHA-256d nonce ranges
 * (cpu-worker.ts) or KawPow light evaluation (kawpow-cpu-worker.ts). The pool starts the
 * threads, waits until each has loaded its hasher, hands each a piece of work (replacing what it
 * was doing), reads the hash counters the threads add to in shared memory, and reports hits,
 * finished ranges and failures through callbacks.
 *
 * Thread protocol (hash-thread-protocol.ts): the pool posts work, idle and stop (and whatever a
 * hasher needs besides, with `post`); a thread posts ready, hit, done and error, and adds its
 * hashes to its slot of the shared counters after each chunk, so nothing is posted per nonce.
 */
import { Worker } from 'node:worker_threads';
import { EngineUnavailableError } from '@otedama/core';
import type { FromHashThread, ToHashThread } from './hash-thread-protocol.ts';

/** How long a thread may take to load its hasher (tsx compile + WASM instantiate on a busy machine). */
const THREAD_READY_TIMEOUT_MS = 60_000;
/** How long stop() waits for a thread to exit by itself before terminating it. */
const THREAD_STOP_GRACE_MS = 2_000;

export interface HashThreadPoolSpec {
  /** The thread's entry module (an .mjs that registers the TypeScript loader, then the body). */
  readonly entry: URL;
  /** The engine's name, for thread names and errors. */
  readonly engine: string;
  readonly threads: number;
  /** What thread `slot` gets as workerData besides its slot and the shared counters. */
  readonly data?: (slot: number) => Record<string, unknown>;
}

export interface HashThreadHandlers<H> {
  onHit?(thread: number, workId: number, hit: H): void;
  /** The thread finished its work and is idle. */
  onDone?(thread: number, workId: number): void;
  onError?(thread: number, error: Error): void;
}

export class HashThreadPool<W, H> {
  private readonly counters: BigInt64Array;
  private stopped = false;
  private readonly exits: Promise<void>[];

  private constructor(
    readonly engine: string,
    private readonly workers: Worker[],
    buffer: SharedArrayBuffer,
  ) {
    this.counters = new BigInt64Array(buffer);
    this.exits = workers.map((w) => new Promise<void>((resolve) => w.once('exit', () => resolve())));
  }

  /** Starts the threads and resolves once every one has loaded its hasher. */
  static async start<W, H>(spec: HashThreadPoolSpec, handlers: HashThreadHandlers<H> = {}): Promise<HashThreadPool<W, H>> {
    if (!Number.isInteger(spec.threads) || spec.threads < 1) throw new RangeError(`threads must be at least 1 (got ${spec.threads})`);
    const buffer = new SharedArrayBuffer(8 * spec.threads);
    const workers: Worker[] = [];
    const ready: Promise<void>[] = [];
    for (let slot = 0; slot < spec.threads; slot++) {
      const worker = new Worker(spec.entry, { workerData: { ...(spec.data?.(slot) ?? {}), slot, counters: buffer }, name: `otedama-${spec.engine}-${slot}` });
      workers.push(worker);
      ready.push(
        new Promise<void>((resolve, reject) => {
          const timer = setTimeout(() => reject(new EngineUnavailableError(spec.engine, `thread ${slot} did not start within ${THREAD_READY_TIMEOUT_MS / 1000} s`)), THREAD_READY_TIMEOUT_MS);
          let started = false;
          worker.on('message', (msg: FromHashThread<H>) => {
            switch (msg.type) {
              case 'ready':
                started = true;
                clearTimeout(timer);
                resolve();
                break;
              case 'hit':
                handlers.onHit?.(slot, msg.workId, msg.hit);
                break;
              case 'done':
                handlers.onDone?.(slot, msg.workId);
                break;
              case 'error': {
                const err = new EngineUnavailableError(spec.engine, msg.message);
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
            if (!started) reject(new EngineUnavailableError(spec.engine, `thread ${slot} exited with code ${code} while starting`));
          });
        }),
      );
    }
    const pool = new HashThreadPool<W, H>(spec.engine, workers, buffer);
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

  /** Gives thread `thread` work (replacing what it was doing), or null to idle it. */
  assign(thread: number, work: W | null): void {
    this.post(thread, work ? { type: 'work', work } : { type: 'idle' });
  }

  /** Posts a message to one thread (a hasher's own messages besides work, idle and stop). */
  post<M extends ToHashThread<W> | { readonly type: string }>(thread: number, msg: M): void {
    if (this.stopped) return;
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
          w.postMessage({ type: 'stop' } satisfies ToHashThread<W>);
        } catch {
          /* already gone */
        }
        const timer = setTimeout(() => void w.terminate(), THREAD_STOP_GRACE_MS);
        await exited;
        clearTimeout(timer);
      }),
    );
  }
}
