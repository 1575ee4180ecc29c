/**
 * What the GPU KawPow engine is held against, and how it presents itself to core's shared
 * KawPow compliance suite. Both need the WASM engine: it builds the epochs' light caches (the
 * GPU builds DAGs from them) and is the reference of the reduced-dataset checks. Used by the
 * Node tests and the browser harness alike.
 */
import { datasetItemCount, type KawpowHasher } from '@otedama/core';
import type { WasmKawpowHasher } from '@otedama/wasm';
import type { KawpowComplianceSubject, KawpowEpochs } from '../../core/test/kawpow-compliance.ts';
import { buildKawpowDag, readDagItems, type KawpowDag } from '../src/kawpow/dag.ts';
import { createWebGpuKawpowHasher } from '../src/kawpow/hasher.ts';
import type { KawpowReference } from './kawpow-cases.ts';
import { KawpowGpuPrimitives } from './kawpow-primitives.ts';

/** The WASM engine's light evaluation and dataset items for one epoch, as the cases' reference. */
export async function wasmReference(wasm: WasmKawpowHasher, epoch: number): Promise<KawpowReference> {
  const context = await wasm.context(epoch);
  return {
    name: `the WASM engine (${wasm.name})`,
    hash: async (headerHash, nonce, height, datasetItems) => context.hash(headerHash, nonce, height, datasetItems),
    datasetItems: async (first, count) => {
      const bytes = context.datasetItems512(first, count);
      return new Uint32Array(bytes.buffer, bytes.byteOffset, bytes.byteLength / 4);
    },
  };
}

/** The epoch's light cache from the WASM engine, copied out of its memory. */
export async function wasmLightCache(wasm: WasmKawpowHasher, epoch: number): Promise<Uint8Array> {
  return (await wasm.context(epoch)).lightCacheView().slice();
}

export interface GpuSubjectOptions {
  /** Largest DAG the subject's hasher builds (default: the reduced dataset only; Infinity for real epochs). */
  readonly maxDatasetBytes: number;
  /** 1024-bit items of the DAG that answers the `epochs` group (L1 cache, dataset items). */
  readonly epochDatasetItems: number;
}

/**
 * The GPU engine as a subject of core's shared suite: `primitives` are the kernel's own WGSL
 * functions on the GPU, `epochs` read the GPU's DAG (a reduced one: the suite reads the L1
 * cache and the first items), `hasher` hashes and verifies on the GPU. Light-cache bytes and
 * checksums are the WASM engine's (the GPU takes its light caches); run the suite with
 * GPU_SHARED_SUITE_OPTIONS, which asks for no checksums.
 */
export function webgpuKawpowSubject(device: GPUDevice, wasm: WasmKawpowHasher, options: GpuSubjectOptions): { subject: KawpowComplianceSubject; dispose(): void } {
  const dags = new Map<number, Promise<KawpowDag>>();
  const dagOf = (epoch: number): Promise<KawpowDag> => {
    let dag = dags.get(epoch);
    if (!dag) {
      const items = Math.min(options.epochDatasetItems, datasetItemCount(epoch));
      dag = wasmLightCache(wasm, epoch).then((lightCache) => buildKawpowDag(device, { epoch, lightCache, datasetBytes: items * 128 }));
      dags.set(epoch, dag);
    }
    return dag;
  };
  const epochs: KawpowEpochs = {
    lightCacheBytes: async (epoch) => (await wasm.context(epoch)).lightCacheView().length,
    lightCacheChecksum: async (epoch) => (await wasm.context(epoch)).lightCacheChecksum(),
    l1Cache: async (epoch) => readDagItems(await dagOf(epoch), 0, 256),
    datasetItems2048: async (epoch, first, count) => {
      const words = await readDagItems(await dagOf(epoch), first * 4, count * 4);
      return new Uint8Array(words.buffer, words.byteOffset, words.byteLength);
    },
  };
  const hasher: KawpowHasher = createWebGpuKawpowHasher(device, {
    lightCache: (epoch) => wasmLightCache(wasm, epoch),
    maxDatasetBytes: options.maxDatasetBytes,
    keepDags: 2, // the suite alternates between epochs 0 and 3, and full and reduced sizes
  });
  return {
    subject: { name: 'webgpu', primitives: new KawpowGpuPrimitives(device), epochs, hasher },
    dispose() {
      hasher.dispose();
      for (const dag of dags.values()) void dag.then((d) => d.destroy(), () => undefined);
    },
  };
}

/**
 * Members that call through to `get()`'s object when called, so a suite can list its cases
 * (which only closes over the subject) before the subject exists.
 */
export function lazyGroup<T extends object>(get: () => Promise<T>): T {
  return new Proxy({} as T, {
    get: (_, key) =>
      async (...args: unknown[]) => {
        const target = await get();
        return ((target as Record<PropertyKey, unknown>)[key] as (...a: unknown[]) => unknown).apply(target, args);
      },
  });
}
