/**
 * An epoch's full KawPow dataset (DAG) held in memory, for an edge that can afford it: a share is
 * then checked with 64 lookups instead of computing 256 dataset items from the light cache.
 * Built once per epoch in worker threads (each computes a slice of at most CHUNK_BYTES and
 * transfers it back), with progress and cancellation; about 1 GiB at epoch 0, 5.5 GiB near
 * epoch 550. Held as CHUNK_BYTES ArrayBuffers, so no single allocation is larger.
 *
 * `datasetItems` can reduce the dataset (tests, benchmarks): the same code with a smaller
 * modulus, matching the light evaluation at that size.
 */
import {
  bytesEqual,
  bytesToHex,
  checkKawpowDatasetItems,
  checkKawpowMixHash,
  checkTarget,
  InvalidDatasetSizeError,
  kawpowHashMeetsTarget,
  PROGPOW_DAG_ITEM_BYTES,
  type KawpowHashResult,
  type KawpowShare,
  type KawpowVerdict,
} from '@otedama/core';
import { BuildCancelledError } from './errors.ts';
import { runInWorker } from './kawpow-build.ts';
import type { KawpowContext } from './kawpow-context.ts';
import { newAbortController, type AbortSignalLike, type WasmModule } from './wasm-api.ts';

/**
 * Largest dataset built unless the caller allows more: 8 GiB, the dataset of epoch ~900
 * (Ravencoin was near epoch 550 in 2025, 5.5 GiB). An edge sets `maxBytes` to what it can spare.
 */
export const DEFAULT_DATASET_MAX_BYTES = 8 * 2 ** 30;
/** Bytes of one worker job and one held buffer: 64 MiB (262,144 items of 2048 bits). */
export const CHUNK_BYTES = 64 * 2 ** 20;
const ITEMS2048_PER_CHUNK = CHUNK_BYTES / PROGPOW_DAG_ITEM_BYTES;
/** 512-bit items between two progress reports from a worker (about 0.1 s of work). */
const PROGRESS_ITEMS = 4096;

export interface DatasetProgress {
  readonly epoch: number;
  /** 2048-bit items computed so far. */
  readonly done: number;
  readonly total: number;
}

export interface DatasetBuildOptions {
  /** Worker threads computing at once (default 2). */
  readonly threads?: number;
  /** Dataset size in 1024-bit items (default: the epoch's; smaller for tests). */
  readonly datasetItems?: number;
  /** Refuse (InvalidDatasetSizeError) a dataset larger than this (default DEFAULT_DATASET_MAX_BYTES). */
  readonly maxBytes?: number;
  readonly signal?: AbortSignalLike;
  readonly onProgress?: (progress: DatasetProgress) => void;
}

export class KawpowDataset {
  private constructor(
    readonly epoch: number,
    /** 1024-bit items (ethash's count): the modulus the hashes use. */
    readonly datasetItems: number,
    /** 2048-bit items per held buffer (the last may hold fewer). */
    private readonly itemsPerChunk: number,
    private readonly chunks: Uint8Array[],
  ) {}

  /** 2048-bit items held. */
  get items2048(): number {
    return Math.floor(this.datasetItems / 2);
  }

  /** Bytes held. */
  get bytes(): number {
    return this.items2048 * PROGPOW_DAG_ITEM_BYTES;
  }

  /**
   * Computes the dataset of a built context's epoch in worker threads. The module must be the
   * one the context runs (compileKawpowModule()).
   */
  static async build(module: WasmModule, context: KawpowContext, options: DatasetBuildOptions = {}): Promise<KawpowDataset> {
    const datasetItems = options.datasetItems ?? context.datasetItems;
    checkKawpowDatasetItems(datasetItems, context.datasetItems);
    const maxBytes = options.maxBytes ?? DEFAULT_DATASET_MAX_BYTES;
    const bytes = Math.floor(datasetItems / 2) * PROGPOW_DAG_ITEM_BYTES;
    if (bytes > maxBytes) {
      throw new InvalidDatasetSizeError(
        `the dataset of epoch ${context.epoch} takes ${(bytes / 2 ** 30).toFixed(2)} GiB, above the ${(maxBytes / 2 ** 30).toFixed(2)} GiB this edge allows (maxBytes); verify by light evaluation instead`,
      );
    }
    const threads = options.threads ?? 2;
    if (!Number.isSafeInteger(threads) || threads < 1) throw new RangeError(`threads must be a positive integer (got ${threads})`);
    const total = Math.floor(datasetItems / 2);
    // At most CHUNK_BYTES per job, and at least one job per thread.
    const itemsPerChunk = Math.min(ITEMS2048_PER_CHUNK, Math.ceil(total / threads));
    const chunkCount = Math.ceil(total / itemsPerChunk);
    const chunks: Uint8Array[] = new Array(chunkCount);
    const doneByChunk = new Array<number>(chunkCount).fill(0);
    const lightCache = context.lightCacheView().slice();
    const abort = newAbortController();
    const onOuterAbort = (): void => abort.abort(options.signal!.reason);
    if (options.signal?.aborted) throw new BuildCancelledError(`the dataset of epoch ${context.epoch}`, { cause: options.signal.reason });
    options.signal?.addEventListener('abort', onOuterAbort, { once: true });
    let next = 0;
    const worker = async (): Promise<void> => {
      while (next < chunkCount) {
        const c = next++;
        const first2048 = c * itemsPerChunk;
        const count2048 = Math.min(itemsPerChunk, total - first2048);
        const reply = await runInWorker(
          {
            type: 'dataset',
            module,
            lightItems: context.lightItems,
            datasetItems: context.datasetItems,
            lightCache,
            first: first2048 * 4,
            count: count2048 * 4,
            chunkItems: PROGRESS_ITEMS,
          },
          'dataset',
          `the dataset of epoch ${context.epoch}`,
          {
            signal: abort.signal,
            onProgress: (done) => {
              doneByChunk[c] = Math.floor(done / 4);
              options.onProgress?.({ epoch: context.epoch, done: doneByChunk.reduce((a, b) => a + b, 0), total });
            },
          },
        );
        chunks[c] = reply.items;
      }
    };
    try {
      await Promise.all(Array.from({ length: Math.min(threads, chunkCount) }, worker));
    } catch (err) {
      abort.abort(err);
      throw err;
    } finally {
      options.signal?.removeEventListener('abort', onOuterAbort);
    }
    return new KawpowDataset(context.epoch, datasetItems, itemsPerChunk, chunks);
  }

  /** 2048-bit item `index` (a view into the held bytes). */
  item(index: number): Uint8Array {
    if (!Number.isSafeInteger(index) || index < 0 || index >= this.items2048) throw new RangeError(`dataset item ${index} is outside 0..${this.items2048 - 1}`);
    const chunk = this.chunks[Math.floor(index / this.itemsPerChunk)]!;
    const offset = (index % this.itemsPerChunk) * PROGPOW_DAG_ITEM_BYTES;
    return chunk.subarray(offset, offset + PROGPOW_DAG_ITEM_BYTES);
  }

  /** Mix and final hash of one nonce by lookups in this dataset (the context supplies the L1 cache and the program). */
  hash(context: KawpowContext, headerHash: Uint8Array, nonce: bigint, height: number): KawpowHashResult {
    this.checkContext(context);
    return context.hashWithItems(headerHash, nonce, height, (i) => this.item(i), this.datasetItems);
  }

  /** Checks a share by lookups: the final hash from the submitted mix first, then the mix. */
  verify(context: KawpowContext, share: KawpowShare, target: bigint): KawpowVerdict {
    this.checkContext(context);
    checkKawpowMixHash(share.mixHash);
    checkTarget(target);
    const claimed = context.finalHashFromMix(share.headerHash, share.nonce, share.mixHash);
    if (!kawpowHashMeetsTarget(claimed, target)) {
      return { valid: false, reason: 'above-target', finalHash: claimed, detail: `final hash ${bytesToHex(claimed)} is above the target ${target.toString(16).padStart(64, '0')}` };
    }
    const { mixHash } = this.hash(context, share.headerHash, share.nonce, share.height);
    if (!bytesEqual(mixHash, share.mixHash)) {
      return { valid: false, reason: 'mix-mismatch', finalHash: claimed, detail: 'the submitted mix hash is not the one this header hash, nonce and height give' };
    }
    return { valid: true, finalHash: claimed };
  }

  private checkContext(context: KawpowContext): void {
    if (context.epoch !== this.epoch) throw new RangeError(`this dataset is epoch ${this.epoch}'s; the context holds epoch ${context.epoch}`);
  }
}
