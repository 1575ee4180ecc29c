/**
 * KawPow verification by lookups in the epoch's full dataset, for an edge that can afford the
 * memory (`chain.kawpow.verification: full`): the dataset (1 GiB at epoch 0, about 5.5 GiB near
 * epoch 550) is built once per epoch in worker threads from the light cache, with progress and
 * cancellation, and a hash then reads 64 2048-bit items instead of computing 256 of them from
 * the light cache (wasm's KawpowDataset).
 *
 * Memory is bounded: at most `maxBytes` per dataset (a larger epoch is refused with the size in
 * the reason) and one dataset held at a time; the old epoch's dataset is dropped before the new
 * one is built, so the peak is one dataset plus a build's worker buffers. An epoch whose light
 * cache is prepared but whose dataset is not held (the previous epoch after a switch) is
 * evaluated from its light cache: the same results, at light-evaluation speed.
 */
import { EngineUnavailableError, kawpowEpoch, type KawpowHashResult, type KawpowLightMix } from '@otedama/core';
import { DEFAULT_DATASET_MAX_BYTES, KawpowDataset, type BuildOptions, type DatasetProgress, type VerifyCode } from '@otedama/wasm';
import type { KawpowEvaluator } from './kawpow-evaluator.ts';
import { KawpowLight, type KawpowLightOptions } from './kawpow-light.ts';

/** Worker threads building a dataset unless configured: two, as a 2-core edge still answers its sockets meanwhile. */
export const DEFAULT_DATASET_THREADS = 2;

export interface KawpowFullOptions extends KawpowLightOptions {
  /** Worker threads of a dataset build (default DEFAULT_DATASET_THREADS). */
  readonly datasetThreads?: number;
  /** Largest dataset built, bytes (default wasm's DEFAULT_DATASET_MAX_BYTES, 8 GiB). */
  readonly datasetMaxBytes?: number;
  /** Dataset size in 1024-bit items instead of the epoch's (tests and benchmarks: not Ravencoin's hashes then). */
  readonly datasetItems?: number;
  /** Progress of a dataset build (2048-bit items done of total). */
  readonly onDatasetProgress?: (progress: DatasetProgress) => void;
}

export class KawpowFullDataset implements KawpowEvaluator {
  private held: KawpowDataset | undefined;
  /** The build in progress, shared by every prepare of its epoch. */
  private building: { epoch: number; promise: Promise<KawpowDataset>; abort: AbortController } | undefined;
  private disposed = false;

  private constructor(
    /** The light evaluation under it: light caches, the context's L1 cache and program. */
    readonly light: KawpowLight,
    private readonly options: KawpowFullOptions,
  ) {}

  static async create(options: KawpowFullOptions = {}): Promise<KawpowFullDataset> {
    return new KawpowFullDataset(await KawpowLight.create(options), options);
  }

  get engine(): string {
    return `${this.light.engine} full dataset`;
  }

  /** The dataset held (its epoch and size), if any. */
  get dataset(): KawpowDataset | undefined {
    return this.held;
  }

  /**
   * The light cache of the epoch of `height`, then its dataset (built in worker threads unless
   * held). `options.onProgress` sees the light cache's progress, `onDatasetProgress` the
   * dataset's; `options.signal` cancels either (BuildCancelledError).
   */
  async prepare(height: number, options: BuildOptions = {}): Promise<void> {
    await this.light.prepare(height, options);
    const epoch = kawpowEpoch(height);
    if (this.held?.epoch === epoch) return;
    if (this.building?.epoch !== epoch) {
      this.building?.abort.abort(new Error(`epoch ${epoch}'s dataset is wanted instead`));
      // Drop the old epoch's dataset first: at most one is held (its epoch falls back to light evaluation).
      this.held = undefined;
      const abort = new AbortController();
      const promise = KawpowDataset.build(this.light.hasher.module, this.light.context(height), {
        threads: this.options.datasetThreads ?? DEFAULT_DATASET_THREADS,
        maxBytes: this.options.datasetMaxBytes ?? DEFAULT_DATASET_MAX_BYTES,
        ...(this.options.datasetItems !== undefined ? { datasetItems: this.options.datasetItems } : {}),
        signal: abort.signal,
        ...(this.options.onDatasetProgress ? { onProgress: this.options.onDatasetProgress } : {}),
      });
      const building = { epoch, promise, abort };
      this.building = building;
      promise.then(
        (dataset) => {
          if (this.building === building) {
            this.building = undefined;
            if (!this.disposed) this.held = dataset;
          }
        },
        () => {
          if (this.building === building) this.building = undefined;
        },
      );
    }
    const building = this.building!;
    const onAbort = (): void => building.abort.abort(options.signal?.reason);
    options.signal?.addEventListener('abort', onAbort, { once: true });
    try {
      await building.promise;
    } finally {
      options.signal?.removeEventListener('abort', onAbort);
    }
    if (this.disposed) throw new EngineUnavailableError(this.engine, 'the KawPow full-dataset evaluator was disposed');
  }

  isReady(height: number): boolean {
    return this.light.isReady(height) && this.held?.epoch === kawpowEpoch(height);
  }

  hash(headerHash: Uint8Array, nonce: bigint, height: number): KawpowHashResult {
    const context = this.light.context(height);
    const dataset = this.held;
    if (dataset?.epoch === context.epoch) return dataset.hash(context, headerHash, nonce, height);
    return this.light.hash(headerHash, nonce, height);
  }

  readonly mix: KawpowLightMix = (headerHash, nonce, height) => this.hash(headerHash, nonce, height).mixHash;

  verify(headerHash: Uint8Array, nonce: bigint, height: number, mixHash: Uint8Array, target: bigint): { code: VerifyCode; finalHash: Uint8Array } {
    const context = this.light.context(height);
    const dataset = this.held;
    if (dataset?.epoch !== context.epoch) return this.light.verify(headerHash, nonce, height, mixHash, target);
    const verdict = dataset.verify(context, { headerHash, nonce, height, mixHash }, target);
    return { code: verdict.valid ? 'ok' : verdict.reason === 'above-target' ? 'above-target' : 'mix-mismatch', finalHash: verdict.finalHash };
  }

  dispose(): void {
    this.disposed = true;
    this.building?.abort.abort(new Error('the KawPow full-dataset evaluator was disposed'));
    this.building = undefined;
    this.held = undefined;
    this.light.dispose();
  }
}
