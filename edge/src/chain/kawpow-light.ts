/**
 * KawPow light evaluation for the edge's synchronous checks (simnet's block validation, the
 * sharechain's injected share PoW): the WASM engine's light caches, made ready per epoch
 * asynchronously (`prepare`, built in a worker thread with progress or loaded from the disk
 * store), then used synchronously (`mix`, `hash`, `verify`). Core cannot hold a light cache;
 * this is what the edge injects where core asks for a `KawpowLightMix`.
 *
 * Asking synchronously for an epoch that was not prepared is an EngineUnavailableError, not a
 * verdict: the caller (who knows the chain's height) prepares the epochs it accepts, and a
 * share or block for any other epoch is refused by the caller before it gets here.
 */
import { EngineUnavailableError, kawpowEpoch, type KawpowHashResult, type KawpowLightMix } from '@otedama/core';
import { createWasmKawpowHasher, type BuildOptions, type KawpowContext, type LightCacheProgress, type VerifyCode, type WasmKawpowHasher, type WasmKawpowOptions } from '@otedama/wasm';
import type { KawpowEvaluator } from './kawpow-evaluator.ts';
import { diskLightCacheStore } from './light-cache-store.ts';

export interface KawpowLightOptions extends Omit<WasmKawpowOptions, 'store'> {
  /** Folder of the on-disk light caches (none: built every time). */
  readonly cacheDir?: string;
}

export class KawpowLight implements KawpowEvaluator {
  /** Prepared epochs, least recently prepared first (at most the hasher's cachedEpochs). */
  private readonly ready = new Map<number, KawpowContext>();
  private readonly keep: number;

  private constructor(readonly hasher: WasmKawpowHasher, keep: number) {
    this.keep = keep;
  }

  static async create(options: KawpowLightOptions = {}): Promise<KawpowLight> {
    const { cacheDir, ...wasm } = options;
    const hasher = await createWasmKawpowHasher({ ...wasm, ...(cacheDir ? { store: diskLightCacheStore(cacheDir) } : {}) });
    return new KawpowLight(hasher, options.cachedEpochs ?? 2);
  }

  /** "wasm-simd" or "wasm". */
  get engine(): string {
    return this.hasher.name;
  }

  /**
   * Makes the epoch of `height` ready for synchronous use: from memory, the disk store, or a build
   * (with progress; `signal` cancels it). Heights past the hasher's maxEpoch are InvalidHeightError.
   */
  async prepare(height: number, options: BuildOptions = {}): Promise<void> {
    const epoch = this.hasher.checkHeight(height);
    if (this.ready.has(epoch)) return;
    const context = await this.hasher.context(epoch, options);
    this.ready.delete(epoch);
    this.ready.set(epoch, context);
    while (this.ready.size > this.keep) this.ready.delete(this.ready.keys().next().value!);
  }

  /** Whether the epoch of `height` is prepared. */
  isReady(height: number): boolean {
    return this.ready.has(kawpowEpoch(height));
  }

  /** The prepared context of the epoch of `height` (EngineUnavailableError when not prepared). */
  context(height: number): KawpowContext {
    const epoch = kawpowEpoch(height);
    const context = this.ready.get(epoch);
    if (!context) throw new EngineUnavailableError(this.hasher.name, `the KawPow light cache of epoch ${epoch} (height ${height}) is not prepared`);
    return context;
  }

  /** Mix hash and final hash of one nonce by light evaluation (the epoch prepared). */
  hash(headerHash: Uint8Array, nonce: bigint, height: number): KawpowHashResult {
    return this.context(height).hash(headerHash, nonce, height);
  }

  /** Core's KawpowLightMix: the mix hash of (header hash, nonce, height). */
  readonly mix: KawpowLightMix = (headerHash, nonce, height) => this.hash(headerHash, nonce, height).mixHash;

  /** The engine's share check: the final hash from the given mix first, then the mix by evaluation. */
  verify(headerHash: Uint8Array, nonce: bigint, height: number, mixHash: Uint8Array, target: bigint): { code: VerifyCode; finalHash: Uint8Array } {
    return this.context(height).verify(headerHash, nonce, height, mixHash, target);
  }

  /** Drops the light caches and cancels builds. Idempotent. */
  dispose(): void {
    this.ready.clear();
    this.hasher.dispose();
  }
}

export type { LightCacheProgress };
