/**
 * The WASM KawPow engine as a subject of core's shared compliance suite
 * (core/test/kawpow-compliance.ts), for Vitest in Node (wasm/src/kawpow.test.ts) and for the
 * browser harness page (wasm/e2e/kawpow-page.ts). The hasher is created lazily, so the suite can
 * list its cases before anything is compiled.
 */
import type { KawpowHasher } from '@otedama/core';
import type { KawpowComplianceSubject } from '../../core/test/kawpow-compliance.ts';
import { createWasmKawpowHasher, type WasmKawpowHasher, type WasmKawpowOptions } from '../src/index.ts';

export interface WasmKawpowSubject {
  readonly subject: KawpowComplianceSubject;
  /** The hasher behind the subject (created on first use). */
  hasher(): Promise<WasmKawpowHasher>;
  dispose(): void;
}

/** Epochs the suite touches at once (0 and 3 for the vectors, one more for a checksum epoch). */
const SUITE_CACHED_EPOCHS = 3;

export function wasmKawpowSubject(name: string, options: WasmKawpowOptions): WasmKawpowSubject {
  let created: Promise<WasmKawpowHasher> | undefined;
  const hasher = (): Promise<WasmKawpowHasher> => (created ??= createWasmKawpowHasher({ cachedEpochs: SUITE_CACHED_EPOCHS, ...options }));
  const context = async (epoch: number) => (await hasher()).context(epoch);
  const lazy: KawpowHasher = {
    name,
    hash: async (headerHash, nonce, height, o) => (await hasher()).hash(headerHash, nonce, height, o),
    verify: async (share, target, o) => (await hasher()).verify(share, target, o),
    dispose: () => void created?.then((h) => h.dispose()),
  };
  const subject: KawpowComplianceSubject = {
    name,
    hasher: lazy,
    primitives: {
      keccakF800: async (state) => (await context(0)).keccakF800(state),
      seedWords: async (headerHash, nonce) => (await context(0)).seedWords(headerHash, nonce),
      finalHashFromMix: async (headerHash, nonce, mixHash) => (await context(0)).finalHashFromMix(headerHash, nonce, mixHash),
      initMix: async (seed0, seed1) => (await context(0)).initMix(seed0, seed1),
      randomMath: async (a, b, selector) => (await context(0)).randomMath(a, b, selector),
      kiss99: async (state, count) => (await context(0)).kiss99(state, count),
    },
    epochs: {
      lightCacheBytes: async (epoch) => (await context(epoch)).lightCacheView().length,
      lightCacheChecksum: async (epoch) => (await context(epoch)).lightCacheChecksum(),
      l1Cache: async (epoch) => (await context(epoch)).l1Cache(),
      datasetItems2048: async (epoch, first, count) => (await context(epoch)).datasetItems2048(first, count),
    },
  };
  return { subject, hasher, dispose: lazy.dispose };
}
