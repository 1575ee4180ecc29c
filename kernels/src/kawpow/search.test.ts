/**
 * The WebGPU KawPow engine in Node (Dawn on llvmpipe): the cases shared with the browser
 * harness (kernels/e2e/kawpow-cases.ts) on a reduced dataset of epoch 0, against the WASM
 * engine, then what only Node checks: pipelines compiled ahead of the period change, DAGs built
 * per epoch by dagSource, options against device limits, dispose and a lost device (those run
 * on stand-in light caches: what they check does not depend on the DAG's contents).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { bytesToHex, EngineUnavailableError, kawpowHashValue, kawpowPeriod } from '@otedama/core';
import { createWasmKawpowHasher, type WasmKawpowHasher } from '@otedama/wasm';
import { kawpowCases, KawpowSuite, KAWPOW_MAX_TARGET } from '../../e2e/kawpow-cases.ts';
import { DEFAULT_KAWPOW_DATASET_ITEMS } from '../../e2e/kawpow-settings.ts';
import { wasmLightCache, wasmReference } from '../../e2e/kawpow-subject.ts';
import { KernelOptionError } from '../errors.ts';
import { createNodeGpu } from '../node-gpu.ts';
import { buildKawpowDag, type KawpowDag, type KawpowDagInput } from './dag.ts';
import { requestKawpowDevice, type KawpowDevice } from './device.ts';
import { createWebGpuKawpowHasher } from './hasher.ts';
import { createWebGpuKawpowEngine, MAX_HASHES_PER_GROUP } from './search.ts';

const GPU_TEST_TIMEOUT_MS = 180_000;
/** Reduced dataset: 8191 1024-bit items (a prime, like real epochs), about 1 MiB. */
const DATASET_BYTES = DEFAULT_KAWPOW_DATASET_ITEMS * 128;

let shared: Promise<KawpowDevice> | undefined;
const sharedDevice = (): Promise<KawpowDevice> => (shared ??= requestKawpowDevice(createNodeGpu()));
afterAll(async () => {
  if (shared) (await shared).device.destroy();
});

/** A stand-in light cache (deterministic bytes), for checks that do not depend on the DAG's contents. */
function lightCache(items: number, seed: number): Uint8Array {
  return Uint8Array.from({ length: items * 64 }, (_, i) => (Math.imul(i + seed, 2654435761) >>> 13) & 0xff);
}

const input: KawpowDagInput = { epoch: 0, lightCache: lightCache(4099, 1), datasetBytes: DATASET_BYTES };

describe('webgpu kawpow vs the WASM engine (Node, Dawn, epoch 0, reduced dataset)', { timeout: GPU_TEST_TIMEOUT_MS }, () => {
  let wasm: WasmKawpowHasher;
  let suite: KawpowSuite;
  beforeAll(async () => {
    const { device } = await sharedDevice();
    wasm = await createWasmKawpowHasher();
    const epoch0 = { epoch: 0, lightCache: await wasmLightCache(wasm, 0), datasetBytes: DATASET_BYTES };
    suite = new KawpowSuite(device, epoch0, await wasmReference(wasm, 0));
  });
  afterAll(async () => {
    await suite?.close();
    wasm?.dispose();
  });

  for (const c of kawpowCases()) it(c.name, () => c.run(suite));

  it('the GPU hasher: hash equals the WASM engine, verify accepts it and refuses a wrong mix or a hard target, big DAGs refused', async () => {
    const { device } = await sharedDevice();
    const datasetItems = 4096;
    const gpu = createWebGpuKawpowHasher(device, { lightCache: (epoch) => wasmLightCache(wasm, epoch), maxDatasetBytes: datasetItems * 128 });
    try {
      const headerHash = Uint8Array.from({ length: 32 }, (_, i) => i * 5 + 1);
      const share = { headerHash, nonce: 0xfedc_ba98_7654_3210n, height: 4321 };
      const got = await gpu.hash(share.headerHash, share.nonce, share.height, { datasetItems });
      const want = await wasm.hash(share.headerHash, share.nonce, share.height, { datasetItems });
      expect(bytesToHex(got.mixHash)).toBe(bytesToHex(want.mixHash));
      expect(bytesToHex(got.finalHash)).toBe(bytesToHex(want.finalHash));
      const value = kawpowHashValue(got.finalHash);
      expect(await gpu.verify({ ...share, mixHash: got.mixHash }, value, { datasetItems })).toMatchObject({ valid: true });
      const wrong = got.mixHash.slice();
      wrong[0] = wrong[0]! ^ 0x80;
      expect(await gpu.verify({ ...share, mixHash: wrong }, KAWPOW_MAX_TARGET, { datasetItems })).toMatchObject({ valid: false, reason: 'mix-mismatch' });
      expect(await gpu.verify({ ...share, mixHash: got.mixHash }, value - 1n, { datasetItems })).toMatchObject({ valid: false, reason: 'above-target' });
      await expect(gpu.hash(share.headerHash, share.nonce, share.height)).rejects.toThrow(/above this hasher's limit/);
      await expect(gpu.hash(share.headerHash, share.nonce, share.height, { datasetItems: 1 })).rejects.toMatchObject({ name: 'InvalidDatasetSizeError' });
    } finally {
      gpu.dispose();
    }
    await expect(gpu.hash(new Uint8Array(32), 0n, 0, { datasetItems })).rejects.toBeInstanceOf(EngineUnavailableError);
  });
});

describe('webgpu kawpow engine (Node, Dawn)', { timeout: GPU_TEST_TIMEOUT_MS }, () => {
  let device: GPUDevice;
  let dag: KawpowDag;
  beforeAll(async () => {
    device = (await sharedDevice()).device;
    dag = await buildKawpowDag(device, input);
  });
  afterAll(() => dag?.destroy());

  const job = (height: number) => ({ headerHash: new Uint8Array(32).fill(7), height, target: KAWPOW_MAX_TARGET });

  it('compiles the next period while the current one is searched', async () => {
    const engine = await createWebGpuKawpowEngine(device, { dag });
    const height = 3 * 700; // period 700, not used by any other test
    expect(engine.hasPipeline(kawpowPeriod(height) + 1)).toBe(false);
    await engine.search(job(height), 0n, 4);
    expect(engine.hasPipeline(kawpowPeriod(height))).toBe(true);
    expect(engine.hasPipeline(kawpowPeriod(height) + 1)).toBe(true); // compiling or compiled
    expect(engine.hasPipeline(kawpowPeriod(height) + 2)).toBe(false);
    engine.dispose();
  });

  it('builds each epoch through dagSource, owns what it built, and destroys the old DAG on an epoch change', async () => {
    const built: KawpowDag[] = [];
    const engine = await createWebGpuKawpowEngine(device, {
      dagSource: async (epoch) => {
        const d = await buildKawpowDag(device, { epoch, lightCache: lightCache(1031, epoch + 10), datasetBytes: 64 * 128 * 4 });
        built.push(d);
        return d;
      },
    });
    await engine.prepare(5);
    expect(engine.dag?.epoch).toBe(0);
    const a = await engine.search(job(5), 0n, 2);
    const b = await engine.search(job(7500 + 5), 0n, 2);
    expect(built.map((d) => d.epoch)).toEqual([0, 1]);
    expect(built[0]!.destroyed).toBe(true);
    expect(a.hits[0]!.mixHash).not.toEqual(b.hits[0]!.mixHash);
    engine.dispose();
    expect(built[1]!.destroyed).toBe(true);
  });

  it('rejects options the kernel or the device cannot run', async () => {
    await expect(createWebGpuKawpowEngine(device, { dag, hashesPerGroup: 0 })).rejects.toBeInstanceOf(KernelOptionError);
    await expect(createWebGpuKawpowEngine(device, { dag, hashesPerGroup: MAX_HASHES_PER_GROUP + 1 })).rejects.toBeInstanceOf(KernelOptionError);
    await expect(createWebGpuKawpowEngine(device, { dag, dispatchHashes: 0 })).rejects.toBeInstanceOf(KernelOptionError);
    const other = await requestKawpowDevice(createNodeGpu());
    await expect(createWebGpuKawpowEngine(other.device, { dag })).rejects.toBeInstanceOf(KernelOptionError);
    other.device.destroy();
  });

  it('reads the L1 cache from the DAG binding when told to, with the same hashes', async () => {
    const inWorkgroup = await createWebGpuKawpowEngine(device, { dag, l1InWorkgroup: true, hashesPerGroup: 2 });
    const fromBinding = await createWebGpuKawpowEngine(device, { dag, l1InWorkgroup: false, hashesPerGroup: 8, dispatchHashes: 8 });
    const a = await inWorkgroup.search(job(30), 77n, 20, { maxHits: 20 });
    const b = await fromBinding.search(job(30), 77n, 20, { maxHits: 20 });
    expect(b.hits.map((h) => [h.nonce, h.mixHash, h.finalHash])).toEqual(a.hits.map((h) => [h.nonce, h.mixHash, h.finalHash]));
    inWorkgroup.dispose();
    fromBinding.dispose();
  });

  it('dispose is idempotent and later searches fail with EngineUnavailableError', async () => {
    const engine = await createWebGpuKawpowEngine(device, { dag });
    await engine.search(job(1), 0n, 1);
    engine.dispose();
    engine.dispose();
    expect(dag.destroyed).toBe(false); // the caller's DAG stays the caller's
    await expect(engine.search(job(1), 0n, 1)).rejects.toBeInstanceOf(EngineUnavailableError);
  });

  it('a lost device ends searches with EngineUnavailableError naming the loss', async () => {
    const own = await requestKawpowDevice(createNodeGpu());
    const ownDag = await buildKawpowDag(own.device, { epoch: 0, lightCache: lightCache(1031, 3), datasetBytes: 32 * 1024 });
    const engine = await createWebGpuKawpowEngine(own.device, { dag: ownDag });
    await engine.search(job(1), 0n, 1);
    own.device.destroy();
    await own.device.lost;
    const err = await engine.search(job(1), 0n, 1).catch((x: unknown) => x);
    expect(err).toBeInstanceOf(EngineUnavailableError);
    expect((err as EngineUnavailableError).reason).toMatch(/device lost/);
    engine.dispose();
  });
});
