/**
 * How a KawPow DAG (the ethash full dataset) is laid out in GPU buffers. A device limits one
 * storage binding (`maxStorageBufferBindingSize`, 128 MiB on lavapipe, 2-4 GiB on desktop GPUs)
 * and one buffer (`maxBufferSize`), while a real epoch's DAG is 1-6 GiB: the DAG is then split
 * into equal bindings of whole 2048-bit items (the unit one ProgPoW loop iteration reads), and
 * the search kernel picks the binding by item index. Pure arithmetic, no GPU.
 */
import { KernelOptionError } from '../errors.ts';

/** Bytes of one ethash dataset item (what one DAG invocation computes). */
export const DAG_ITEM_BYTES = 64;
/** Bytes of one ProgPoW DAG access (4 words x 16 lanes): a binding holds whole ones. */
export const DAG_LOAD_BYTES = 256;
/** ProgPoW's L1 cache: the first 16 KiB of the DAG, which must sit in the first binding. */
export const L1_CACHE_BYTES = 16 * 1024;
/** A dataset is whole 1024-bit ethash items (`full_dataset_num_items` counts these). */
export const DATASET_GRANULE_BYTES = 128;

export interface DagBuffer {
  /** First 512-bit dataset item this buffer holds. */
  readonly firstItem: number;
  /** 512-bit dataset items it holds. */
  readonly items: number;
  /** Its size in bytes (items x 64). */
  readonly bytes: number;
}

export interface DagLayout {
  /** The whole dataset, in bytes. */
  readonly datasetBytes: number;
  /** 512-bit items in the dataset (what DAG generation computes). */
  readonly items: number;
  /** 2048-bit items ProgPoW addresses: floor(1024-bit items / 2), as ethash's progpow.cpp. */
  readonly loadItems: number;
  /** 2048-bit items in every buffer but possibly the last (the search kernel's divisor). */
  readonly loadItemsPerBuffer: number;
  readonly buffers: readonly DagBuffer[];
}

export interface DagLayoutLimits {
  /** Largest storage binding, bytes (the device's maxStorageBufferBindingSize). */
  readonly maxStorageBufferBindingSize: number;
  /** Largest buffer, bytes (the device's maxBufferSize). */
  readonly maxBufferSize: number;
  /** Storage bindings the DAG may use in the search kernel. */
  readonly maxBindings: number;
}

/**
 * Splits a dataset of `datasetBytes` into as few buffers as the limits allow, each a whole
 * number of 2048-bit items no larger than one binding. Throws KernelOptionError when the
 * dataset is not whole 1024-bit items, is smaller than the L1 cache, or needs more bindings
 * than the device offers.
 */
export function planDagLayout(datasetBytes: number, limits: DagLayoutLimits): DagLayout {
  if (!Number.isSafeInteger(datasetBytes) || datasetBytes < L1_CACHE_BYTES || datasetBytes % DATASET_GRANULE_BYTES !== 0) {
    throw new KernelOptionError(
      `a KawPow dataset must be a whole number of 128-byte items and at least the 16 KiB L1 cache (got ${datasetBytes} bytes)`,
    );
  }
  const perBinding = Math.min(limits.maxStorageBufferBindingSize, limits.maxBufferSize);
  const bufferBytes = Math.floor(perBinding / DAG_LOAD_BYTES) * DAG_LOAD_BYTES;
  if (bufferBytes < L1_CACHE_BYTES) {
    throw new KernelOptionError(`a DAG binding of ${perBinding} bytes cannot hold the 16 KiB L1 cache`);
  }
  const count = Math.ceil(datasetBytes / bufferBytes);
  if (count > limits.maxBindings) {
    throw new KernelOptionError(
      `the ${formatMiB(datasetBytes)} DAG needs ${count} bindings of at most ${formatMiB(bufferBytes)} ` +
        `but the device allows ${limits.maxBindings} for it (maxStorageBuffersPerShaderStage)`,
    );
  }
  const itemsPerBuffer = bufferBytes / DAG_ITEM_BYTES;
  const items = datasetBytes / DAG_ITEM_BYTES;
  const buffers: DagBuffer[] = [];
  for (let first = 0; first < items; first += itemsPerBuffer) {
    const n = Math.min(itemsPerBuffer, items - first);
    buffers.push({ firstItem: first, items: n, bytes: n * DAG_ITEM_BYTES });
  }
  return {
    datasetBytes,
    items,
    loadItems: Math.floor(datasetBytes / DATASET_GRANULE_BYTES / 2),
    loadItemsPerBuffer: bufferBytes / DAG_LOAD_BYTES,
    buffers,
  };
}

export function formatMiB(bytes: number): string {
  return `${(bytes / (1024 * 1024)).toFixed(bytes % (1024 * 1024) === 0 ? 0 : 2)} MiB`;
}
