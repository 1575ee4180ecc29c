import { describe, expect, it } from 'vitest';
import { EngineUnavailableError, InvalidHeightError } from '@otedama/core';
import { describeKawpowCompliance } from '../../core/test/kawpow-compliance.vitest.ts';
import { wasmKawpowSubject } from '../test/kawpow-subject.ts';
import { BuildCancelledError } from './errors.ts';
import { createWasmKawpowHasher } from './kawpow.ts';

// The scalar build builds on this thread between yields, the SIMD build in a worker thread:
// both builders run the whole suite.
const scalar = wasmKawpowSubject('wasm (scalar build)', { simd: false, builder: 'here' });
describeKawpowCompliance(scalar.subject, { beyondCapHeight: 1025 * 7500 }, scalar.dispose);
const simd = wasmKawpowSubject('wasm-simd (SIMD build)', { simd: true, builder: 'worker' });
describeKawpowCompliance(simd.subject, { beyondCapHeight: 1025 * 7500, checksumEpochs: [0, 171] }, simd.dispose);

/** A store in memory, counting its calls. */
function memoryStore() {
  const entries = new Map<number, Uint8Array>();
  const calls = { load: 0, save: 0 };
  return {
    entries,
    calls,
    store: {
      async load(epoch: number) {
        calls.load++;
        return entries.get(epoch);
      },
      async save(epoch: number, bytes: Uint8Array) {
        calls.save++;
        entries.set(epoch, bytes);
      },
    },
  };
}

describe('WasmKawpowHasher: epochs, memory and the store', () => {
  it('refuses heights past maxEpoch before building anything, naming the cap and the memory', async () => {
    const progress: number[] = [];
    const hasher = await createWasmKawpowHasher({ maxEpoch: 2, onProgress: (p) => progress.push(p.epoch) });
    const error = await hasher.hash(new Uint8Array(32), 0n, 3 * 7500).catch((err: unknown) => err);
    expect(error).toBeInstanceOf(InvalidHeightError);
    expect((error as InvalidHeightError).reason).toMatch(/epoch 3, beyond this hasher's limit of epoch 2 \(height 22499\).*MiB/);
    await expect(hasher.context(3)).rejects.toBeInstanceOf(InvalidHeightError);
    expect(progress).toEqual([]);
    expect(hasher.cachedEpochList()).toEqual([]);
    hasher.dispose();
  });

  it('keeps the last cachedEpochs light caches; concurrent users of one epoch share one build', async () => {
    const builds: number[] = [];
    const hasher = await createWasmKawpowHasher({
      cachedEpochs: 1,
      onProgress: (p) => {
        if (p.done === p.total) builds.push(p.epoch);
      },
    });
    const header = new Uint8Array(32).fill(1);
    const [a, b] = await Promise.all([hasher.hash(header, 1n, 100), hasher.hash(header, 1n, 100)]);
    expect(a).toEqual(b);
    expect(builds).toEqual([0]);
    await hasher.hash(header, 1n, 7500);
    expect(hasher.cachedEpochList()).toEqual([1]);
    expect(await hasher.hash(header, 1n, 100)).toEqual(a);
    expect(builds).toEqual([0, 1, 0]);
    hasher.dispose();
    hasher.dispose();
    await expect(hasher.hash(header, 1n, 100)).rejects.toBeInstanceOf(EngineUnavailableError);
  });

  it('saves built caches to the store and loads them next time; a corrupt entry is reported and rebuilt', async () => {
    const { store, entries, calls } = memoryStore();
    const first = await createWasmKawpowHasher({ store });
    const header = new Uint8Array(32).fill(2);
    const expected = await first.hash(header, 9n, 10);
    expect(calls).toEqual({ load: 1, save: 1 });
    first.dispose();

    const progress: number[] = [];
    const second = await createWasmKawpowHasher({ store, onProgress: (p) => progress.push(p.done) });
    expect(await second.hash(header, 9n, 10)).toEqual(expected);
    expect(progress).toEqual([]); // loaded, not built
    second.dispose();

    const bytes = entries.get(0)!;
    bytes[1000]! ^= 0xff;
    const warnings: string[] = [];
    const third = await createWasmKawpowHasher({ store, onWarning: (w) => warnings.push(w), builder: 'here' });
    expect(await third.hash(header, 9n, 10)).toEqual(expected);
    expect(warnings).toEqual([expect.stringMatching(/light cache rejected: checksum mismatch.*building epoch 0 again/)]);
    expect(calls.save).toBe(2);
    third.dispose();
  });

  it('builds one light cache at a time: epochs asked for together are built one after the other', async () => {
    const order: number[] = [];
    const hasher = await createWasmKawpowHasher({ cachedEpochs: 2, onProgress: (p) => order.push(p.epoch) });
    const abort = new AbortController();
    // Epoch 2 waits behind epoch 0 and leaves the queue when cancelled; epoch 1 waits on.
    const building = hasher.prepareEpoch(0, { onProgress: () => abort.abort() });
    const queued = hasher.prepareEpoch(2, { signal: abort.signal }).catch((err: unknown) => err);
    const next = hasher.prepareEpoch(1);
    expect(await queued).toBeInstanceOf(BuildCancelledError);
    await Promise.all([building, next]);
    const switches = order.filter((epoch, i) => i > 0 && epoch !== order[i - 1]).length;
    expect(new Set(order)).toEqual(new Set([0, 1]));
    expect(switches).toBe(1);
    expect(hasher.cachedEpochList().sort()).toEqual([0, 1]);
    hasher.dispose();
  });

  it('a build cancelled by its caller rejects everyone waiting on it; the next call builds again', async () => {
    const hasher = await createWasmKawpowHasher({ builder: 'here' });
    const abort = new AbortController();
    const waiting = hasher.hash(new Uint8Array(32), 0n, 0);
    const preparing = hasher.prepareEpoch(0, { signal: abort.signal, onProgress: () => abort.abort() });
    await expect(preparing).rejects.toBeInstanceOf(BuildCancelledError);
    await expect(waiting).rejects.toBeInstanceOf(BuildCancelledError);
    expect(hasher.cachedEpochList()).toEqual([]);
    hasher.dispose();
  });
});
