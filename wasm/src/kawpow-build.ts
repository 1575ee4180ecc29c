/**
 * Building a KawPow light cache without freezing the caller, two ways:
 *   - in a worker thread (worker_threads in Node, a Web Worker in browsers): the default; the
 *     main thread only receives progress and, at the end, the cache bytes (about 0.6 s of
 *     work for epoch 0 with SIMD on this machine, 16 MB);
 *   - on the calling thread in slices of about SLICE_MS with a yield between them, for
 *     platforms without workers.
 * Both report progress in keccak-512 steps and stop on an AbortSignal (the worker is terminated;
 * the slices stop at the next yield) with BuildCancelledError.
 */
import { EngineUnavailableError } from '@otedama/core';
import { startKawpowThread } from '#kawpow-threads';
import { BuildCancelledError } from './errors.ts';
import { KawpowContext, type LightCacheProgress } from './kawpow-context.ts';
import type { KawpowWorkerReply, KawpowWorkerRequest } from './kawpow-worker-protocol.ts';
import { yieldToEventLoop } from './loader.ts';
import type { AbortSignalLike, WasmModule } from './wasm-api.ts';

/** Keccak-512 steps per progress report and per slice: about 30 ms of work with SIMD. */
export const BUILD_CHUNK_STEPS = 16_384;

export interface BuildOptions {
  /** Cancels the build: the promise rejects with BuildCancelledError. */
  readonly signal?: AbortSignalLike;
  readonly onProgress?: (progress: LightCacheProgress) => void;
}

function cancelled(what: string, signal: AbortSignalLike): BuildCancelledError {
  return new BuildCancelledError(what, { cause: signal.reason });
}

/** Builds the context's light cache on this thread, yielding to the event loop between slices. */
export async function buildLightCacheHere(context: KawpowContext, options: BuildOptions = {}): Promise<KawpowContext> {
  const what = `the light cache of epoch ${context.epoch}`;
  while (!context.built) {
    if (options.signal?.aborted) throw cancelled(what, options.signal);
    context.buildStep(BUILD_CHUNK_STEPS);
    options.onProgress?.(context.progress());
    if (!context.built) await yieldToEventLoop();
  }
  return context;
}

/**
 * Runs one request on a fresh worker and resolves with its final reply; progress replies go to
 * `onProgress`. Abort terminates the worker.
 */
export function runInWorker<T extends KawpowWorkerReply['type']>(
  request: KawpowWorkerRequest,
  expect: T,
  what: string,
  options: { signal?: AbortSignalLike; onProgress?: (done: number, total: number) => void } = {},
): Promise<Extract<KawpowWorkerReply, { type: T }>> {
  const { signal } = options;
  if (signal?.aborted) return Promise.reject(cancelled(what, signal));
  return new Promise((resolve, reject) => {
    let settled = false;
    const finish = (error: Error | undefined, reply?: Extract<KawpowWorkerReply, { type: T }>): void => {
      if (settled) return;
      settled = true;
      signal?.removeEventListener('abort', onAbort);
      thread?.terminate();
      if (error) reject(error);
      else resolve(reply!);
    };
    const onAbort = (): void => finish(cancelled(what, signal!));
    let thread: { terminate(): void } | undefined;
    try {
      thread = startKawpowThread(
        request,
        (reply) => {
          if (reply.type === 'progress') options.onProgress?.(reply.done, reply.total);
          else if (reply.type === 'error') finish(new EngineUnavailableError('wasm', `${what} failed in its worker: ${reply.message}`));
          else if (reply.type === expect) finish(undefined, reply as Extract<KawpowWorkerReply, { type: T }>);
        },
        (err) => finish(new EngineUnavailableError('wasm', `${what} failed in its worker: ${err.message}`, { cause: err })),
      );
    } catch (err) {
      finish(new EngineUnavailableError('wasm', `cannot start a worker for ${what} (${(err as Error).message})`, { cause: err }));
      return;
    }
    signal?.addEventListener('abort', onAbort, { once: true });
  });
}

/**
 * Builds the light cache of `epoch` in a worker thread and returns a context holding it (the
 * worker's checksum is compared with the one computed here, so the copy is checked too).
 */
export async function buildLightCacheInWorker(module: WasmModule, epoch: number, options: BuildOptions = {}): Promise<KawpowContext> {
  const context = KawpowContext.create(module, epoch);
  const reply = await runInWorker(
    { type: 'light-cache', module, epoch, lightItems: context.lightItems, datasetItems: context.datasetItems, chunkSteps: BUILD_CHUNK_STEPS },
    'light-cache',
    `the light cache of epoch ${epoch}`,
    { ...(options.signal ? { signal: options.signal } : {}), onProgress: (done, total) => options.onProgress?.({ epoch, done, total }) },
  );
  context.adoptLightCache(reply.cache);
  const checksum = context.lightCacheChecksum();
  if (checksum.some((b, i) => b !== reply.checksum[i])) {
    throw new EngineUnavailableError(context.engine, `the light cache of epoch ${epoch} changed on its way from the worker (checksum mismatch)`);
  }
  return context;
}
