/**
 * KawPow on WebAssembly for validators and the CLI: light evaluation of one nonce and share
 * verification (core's KawpowHasher), with the light caches of the last few epochs kept in
 * memory (an LRU), built in a worker thread with progress, one build at a time, cancellable,
 * optionally kept in a store (disk on edges, IndexedDB in browsers: the caller provides it), and
 * bounded: epochs past `maxEpoch` are refused before anything is built.
 *
 *   const hasher = await createWasmKawpowHasher({ maxEpoch: 1024 });
 *   const { mixHash, finalHash } = await hasher.hash(headerHash, nonce, height);
 *   const verdict = await hasher.verify({ headerHash, nonce, height, mixHash }, target);
 */
import {
  checkKawpowDatasetItems,
  checkKawpowHeaderHash,
  checkKawpowHeight,
  checkKawpowMixHash,
  checkKawpowNonce,
  checkTarget,
  EngineUnavailableError,
  InvalidHeightError,
  kawpowEpoch,
  KAWPOW_EPOCH_LENGTH,
  KAWPOW_MAX_EPOCH,
  lightCacheBytes,
  bytesToHex,
  type KawpowHasher,
  type KawpowHashOptions,
  type KawpowHashResult,
  type KawpowShare,
  type KawpowVerdict,
} from '@otedama/core';
import { buildLightCacheHere, buildLightCacheInWorker, type BuildOptions } from './kawpow-build.ts';
import { BuildCancelledError } from './errors.ts';
import { KawpowContext, kawpowExports, type LightCacheProgress } from './kawpow-context.ts';
import { deserializeLightCache, serializeLightCache } from './kawpow-light-cache.ts';
import { compileChosenBuild, instantiate } from './loader.ts';
import type { SimdChoice } from './sha256d.ts';
import { newAbortController, type AbortControllerLike, type AbortSignalLike, type WasmModule } from './wasm-api.ts';

/**
 * Default highest epoch a hasher accepts: epoch 1024 (height 7,687,499), whose light cache is
 * 150 MB. Ravencoin makes about 70 epochs a year (one block a minute) and was near epoch 550
 * in 2025, so this leaves years of headroom while refusing heights a miner made up.
 */
export const DEFAULT_MAX_EPOCH = 1024;
/** Light caches kept in memory by default: the current epoch and the one before or after. */
export const DEFAULT_CACHED_EPOCHS = 2;

/** Where serialized light caches are kept between runs (see kawpow-light-cache.ts for the bytes). */
export interface LightCacheStore {
  load(epoch: number): Promise<Uint8Array | undefined>;
  save(epoch: number, bytes: Uint8Array): Promise<void>;
}

export interface WasmKawpowOptions {
  /** SIMD build (true), scalar (false), or SIMD where it validates ('auto', default). */
  readonly simd?: SimdChoice;
  /** Highest epoch accepted (default DEFAULT_MAX_EPOCH); higher heights are InvalidHeightError. */
  readonly maxEpoch?: number;
  /** Light caches kept in memory (default DEFAULT_CACHED_EPOCHS, at least 1). */
  readonly cachedEpochs?: number;
  /** Build light caches in a worker thread (default) or on the calling thread between yields. */
  readonly builder?: 'worker' | 'here';
  /** Keeps built light caches; a corrupt stored cache is reported and rebuilt. */
  readonly store?: LightCacheStore;
  /** Progress of every light-cache build (also those started by hash or verify). */
  readonly onProgress?: (progress: LightCacheProgress) => void;
  /** Problems that were recovered from (a corrupt or unwritable store entry). */
  readonly onWarning?: (message: string) => void;
}

/** The compiled KawPow module of a build ('auto': SIMD where it validates). */
export function compileKawpowModule(simd: SimdChoice = 'auto'): Promise<WasmModule> {
  return compileChosenBuild('kawpow', 'kawpow.simd', simd);
}

function positiveInt(value: number, what: string): number {
  if (!Number.isSafeInteger(value) || value < 1) throw new RangeError(`${what} must be a positive integer (got ${value})`);
  return value;
}

export class WasmKawpowHasher implements KawpowHasher {
  readonly name: 'wasm' | 'wasm-simd';
  readonly maxEpoch: number;
  private readonly cachedEpochs: number;
  /** Built contexts, least recently used first. */
  private readonly ready = new Map<number, KawpowContext>();
  /** Builds in progress, shared by every caller that needs the epoch meanwhile. */
  private readonly building = new Map<
    number,
    { promise: Promise<KawpowContext>; abort: AbortControllerLike; listeners: Set<(p: LightCacheProgress) => void> }
  >();
  private disposed = false;
  /** Whether a light cache is being built now, and the builds waiting for their turn. */
  private buildRunning = false;
  private readonly buildQueue: { start(): void }[] = [];

  private constructor(
    readonly module: WasmModule,
    engine: 'wasm' | 'wasm-simd',
    private readonly options: WasmKawpowOptions,
  ) {
    this.name = engine;
    this.maxEpoch = options.maxEpoch ?? DEFAULT_MAX_EPOCH;
    if (!Number.isSafeInteger(this.maxEpoch) || this.maxEpoch < 0 || this.maxEpoch > KAWPOW_MAX_EPOCH) {
      throw new RangeError(`maxEpoch must be an integer in 0..${KAWPOW_MAX_EPOCH} (got ${this.maxEpoch})`);
    }
    this.cachedEpochs = positiveInt(options.cachedEpochs ?? DEFAULT_CACHED_EPOCHS, 'cachedEpochs');
  }

  static async create(options: WasmKawpowOptions = {}): Promise<WasmKawpowHasher> {
    const simd = options.simd ?? 'auto';
    const module = await compileKawpowModule(simd);
    // The engine name comes from the module itself (its FNV width), read from a small probe instance.
    const probe = kawpowExports(await instantiate(module, 'wasm'));
    return new WasmKawpowHasher(module, probe.FNV_LANES.value > 1 ? 'wasm-simd' : 'wasm', options);
  }

  /** Throws InvalidHeightError unless the height is valid and its epoch within maxEpoch. */
  checkHeight(height: number): number {
    checkKawpowHeight(height);
    const epoch = kawpowEpoch(height);
    if (epoch > this.maxEpoch) {
      throw new InvalidHeightError(
        `height ${height} is in epoch ${epoch}, beyond this hasher's limit of epoch ${this.maxEpoch} (height ${(this.maxEpoch + 1) * KAWPOW_EPOCH_LENGTH - 1}); ` +
          `its light cache alone would take ${Math.round(lightCacheBytes(epoch) / 2 ** 20)} MiB (raise maxEpoch if the chain is really there)`,
      );
    }
    return epoch;
  }

  /**
   * The context of an epoch: from memory, else from the store, else built (in a worker by
   * default). Concurrent calls for one epoch share one build: each gets its progress, and any
   * caller's `signal` cancels it for all of them (BuildCancelledError); a later call builds again.
   */
  async context(epoch: number, options: BuildOptions = {}): Promise<KawpowContext> {
    this.checkLive();
    if (!Number.isSafeInteger(epoch) || epoch < 0 || epoch > this.maxEpoch) {
      throw new InvalidHeightError(`epoch ${epoch} is outside 0..${this.maxEpoch} (this hasher's maxEpoch)`);
    }
    const hit = this.ready.get(epoch);
    if (hit) {
      this.ready.delete(epoch);
      this.ready.set(epoch, hit);
      return hit;
    }
    let entry = this.building.get(epoch);
    if (!entry) {
      const abort = newAbortController();
      const listeners = new Set<(p: LightCacheProgress) => void>();
      const promise = this.load(epoch, abort.signal, (p) => listeners.forEach((listener) => listener(p)));
      const created = { promise, abort, listeners };
      entry = created;
      this.building.set(epoch, created);
      const settle = (): void => {
        if (this.building.get(epoch) === created) this.building.delete(epoch);
      };
      promise.then(settle, settle);
    }
    const { promise, abort, listeners } = entry;
    // Joining callers get the progress of the shared build too, and may cancel it.
    if (options.onProgress) listeners.add(options.onProgress);
    if (options.signal) {
      if (options.signal.aborted) abort.abort(options.signal.reason);
      else options.signal.addEventListener('abort', () => abort.abort(options.signal!.reason), { once: true });
    }
    return promise;
  }

  /** Builds (or loads) an epoch ahead of need, e.g. when the chain nears the next epoch. */
  async prepareEpoch(epoch: number, options: BuildOptions = {}): Promise<void> {
    await this.context(epoch, options);
  }

  /** Epochs whose light caches are in memory, least recently used first. */
  cachedEpochList(): number[] {
    return [...this.ready.keys()];
  }

  private async load(epoch: number, signal: AbortSignalLike, onProgress: (p: LightCacheProgress) => void): Promise<KawpowContext> {
    const progress = (p: LightCacheProgress): void => {
      onProgress(p);
      this.options.onProgress?.(p);
    };
    let context = await this.fromStore(epoch);
    if (!context) {
      await this.buildSlot(epoch, signal);
      try {
        const build: BuildOptions = { signal, onProgress: progress };
        context =
          this.options.builder === 'here'
            ? await buildLightCacheHere(KawpowContext.create(this.module, epoch), build)
            : await buildLightCacheInWorker(this.module, epoch, build);
      } finally {
        this.releaseBuildSlot();
      }
      await this.toStore(context);
    }
    if (this.disposed) throw new EngineUnavailableError(this.name, 'hasher was disposed');
    this.ready.set(epoch, context);
    while (this.ready.size > this.cachedEpochs) this.ready.delete(this.ready.keys().next().value!);
    return context;
  }

  /**
   * Waits until no other light cache is being built: builds run one at a time (each takes a
   * core and its cache's memory), so asking for many epochs at once queues them instead of
   * multiplying memory. Aborting while queued leaves the queue.
   */
  private buildSlot(epoch: number, signal: AbortSignalLike): Promise<void> {
    if (signal.aborted) return Promise.reject(new BuildCancelledError(`the light cache of epoch ${epoch}`, { cause: signal.reason }));
    if (!this.buildRunning) {
      this.buildRunning = true;
      return Promise.resolve();
    }
    return new Promise((resolve, reject) => {
      const entry = {
        start: () => {
          signal.removeEventListener('abort', onAbort);
          resolve();
        },
      };
      const onAbort = (): void => {
        this.buildQueue.splice(this.buildQueue.indexOf(entry), 1);
        reject(new BuildCancelledError(`the light cache of epoch ${epoch}`, { cause: signal.reason }));
      };
      signal.addEventListener('abort', onAbort, { once: true });
      this.buildQueue.push(entry);
    });
  }

  private releaseBuildSlot(): void {
    const next = this.buildQueue.shift();
    if (next) next.start();
    else this.buildRunning = false;
  }

  private async fromStore(epoch: number): Promise<KawpowContext | undefined> {
    const store = this.options.store;
    if (!store) return undefined;
    let bytes: Uint8Array | undefined;
    try {
      bytes = await store.load(epoch);
    } catch (err) {
      this.options.onWarning?.(`reading the stored light cache of epoch ${epoch} failed (${(err as Error).message}); building it`);
      return undefined;
    }
    if (!bytes) return undefined;
    try {
      return deserializeLightCache(this.module, bytes, epoch);
    } catch (err) {
      this.options.onWarning?.(`${(err as Error).message}; building epoch ${epoch} again`);
      return undefined;
    }
  }

  private async toStore(context: KawpowContext): Promise<void> {
    const store = this.options.store;
    if (!store) return;
    try {
      await store.save(context.epoch, serializeLightCache(context));
    } catch (err) {
      this.options.onWarning?.(`saving the light cache of epoch ${context.epoch} failed (${(err as Error).message})`);
    }
  }

  /** Checks every argument of a hash (typed errors) before any epoch work starts. */
  private checkHashArgs(headerHash: Uint8Array, nonce: bigint, height: number, options?: KawpowHashOptions): number {
    checkKawpowHeaderHash(headerHash);
    checkKawpowNonce(nonce);
    const epoch = this.checkHeight(height);
    if (options?.datasetItems !== undefined) checkKawpowDatasetItems(options.datasetItems, Number.MAX_SAFE_INTEGER);
    return epoch;
  }

  async hash(headerHash: Uint8Array, nonce: bigint, height: number, options?: KawpowHashOptions): Promise<KawpowHashResult> {
    const epoch = this.checkHashArgs(headerHash, nonce, height, options);
    const context = await this.context(epoch);
    return context.hash(headerHash, nonce, height, options?.datasetItems);
  }

  async verify(share: KawpowShare, target: bigint, options?: KawpowHashOptions): Promise<KawpowVerdict> {
    const epoch = this.checkHashArgs(share?.headerHash, share?.nonce, share?.height, options);
    checkKawpowMixHash(share.mixHash);
    checkTarget(target);
    const context = await this.context(epoch);
    const { code, finalHash } = context.verify(share.headerHash, share.nonce, share.height, share.mixHash, target, options?.datasetItems);
    if (code === 'ok') return { valid: true, finalHash };
    if (code === 'above-target') {
      return { valid: false, reason: 'above-target', finalHash, detail: `final hash ${bytesToHex(finalHash)} is above the target ${target.toString(16).padStart(64, '0')}` };
    }
    return { valid: false, reason: 'mix-mismatch', finalHash, detail: 'the submitted mix hash is not the one this header hash, nonce and height give' };
  }

  /** Cancels builds in progress and drops every light cache. Idempotent. */
  dispose(): void {
    this.disposed = true;
    for (const { abort } of this.building.values()) abort.abort(new EngineUnavailableError(this.name, 'hasher was disposed'));
    this.building.clear();
    this.ready.clear();
  }

  private checkLive(): void {
    if (this.disposed) throw new EngineUnavailableError(this.name, 'hasher was disposed');
  }
}

/** A KawPow hasher on the WASM module: "wasm-simd" where SIMD validates, else "wasm". */
export function createWasmKawpowHasher(options: WasmKawpowOptions = {}): Promise<WasmKawpowHasher> {
  return WasmKawpowHasher.create(options);
}
