import { beforeAll, describe, expect, it } from 'vitest';
import { InvalidDatasetSizeError, kawpowHashValue } from '@otedama/core';
import { buildLightCacheInWorker } from './kawpow-build.ts';
import type { KawpowContext } from './kawpow-context.ts';
import { KawpowDataset, type DatasetProgress } from './kawpow-dataset.ts';
import { compileKawpowModule } from './kawpow.ts';
import { BuildCancelledError } from './errors.ts';
import type { WasmModule } from './wasm-api.ts';

/** A reduced dataset: 2^15 items of 1024 bits (4 MiB), several worker jobs' worth of progress. */
const REDUCED_ITEMS = 1 << 15;

describe('KawpowDataset (a full dataset held in memory)', () => {
  let module: WasmModule;
  let context: KawpowContext;
  let dataset: KawpowDataset;
  const progress: DatasetProgress[] = [];

  beforeAll(async () => {
    module = await compileKawpowModule(true);
    context = await buildLightCacheInWorker(module, 0);
    dataset = await KawpowDataset.build(module, context, { threads: 2, datasetItems: REDUCED_ITEMS, onProgress: (p) => progress.push(p) });
  });

  it('is built in worker threads, reporting progress up to every item', () => {
    expect(dataset.items2048).toBe(REDUCED_ITEMS / 2);
    expect(dataset.bytes).toBe(REDUCED_ITEMS * 128);
    expect(progress.length).toBeGreaterThan(3);
    expect(progress.at(-1)).toEqual({ epoch: 0, done: REDUCED_ITEMS / 2, total: REDUCED_ITEMS / 2 });
  });

  it('holds the items the light cache gives', () => {
    for (const index of [0, 1, 63, 4097, REDUCED_ITEMS / 2 - 1]) {
      expect(dataset.item(index)).toEqual(context.datasetItems2048(index, 1));
    }
    expect(() => dataset.item(REDUCED_ITEMS / 2)).toThrow(RangeError);
  });

  it('hashes and verifies by lookups exactly as light evaluation does at the same size', () => {
    for (let i = 0; i < 4; i++) {
      const header = Uint8Array.from({ length: 32 }, (_, k) => (k * 31 + i * 7) & 0xff);
      const nonce = 0x1234_5678_9abcn * BigInt(i + 1);
      const height = 1000 + i * 37;
      const byLookup = dataset.hash(context, header, nonce, height);
      expect(byLookup).toEqual(context.hash(header, nonce, height, REDUCED_ITEMS));
      const share = { headerHash: header, nonce, height, mixHash: byLookup.mixHash };
      expect(dataset.verify(context, share, kawpowHashValue(byLookup.finalHash))).toMatchObject({ valid: true });
      expect(dataset.verify(context, share, kawpowHashValue(byLookup.finalHash) - 1n)).toMatchObject({ valid: false, reason: 'above-target' });
      const wrong = { ...share, mixHash: byLookup.mixHash.map((b, k) => (k === 0 ? b ^ 1 : b)) };
      expect(dataset.verify(context, wrong, (1n << 256n) - 1n)).toMatchObject({ valid: false, reason: 'mix-mismatch' });
    }
  });

  it('refuses sizes other than 2..the epoch size or above its memory cap, and stops when aborted', async () => {
    await expect(KawpowDataset.build(module, context, { datasetItems: 1 })).rejects.toBeInstanceOf(InvalidDatasetSizeError);
    await expect(KawpowDataset.build(module, context, { datasetItems: context.datasetItems + 2 })).rejects.toBeInstanceOf(InvalidDatasetSizeError);
    await expect(KawpowDataset.build(module, context, { maxBytes: 2 ** 29 })).rejects.toThrow(/takes 1\.00 GiB, above the 0\.50 GiB this edge allows/);
    const abort = new AbortController();
    const build = KawpowDataset.build(module, context, { datasetItems: 1 << 17, signal: abort.signal, onProgress: () => abort.abort() });
    await expect(build).rejects.toBeInstanceOf(BuildCancelledError);
  });
});
