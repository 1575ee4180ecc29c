/**
 * The WebGPU SHA-256d engine in Node: Dawn's OpenGL ES backend on Mesa llvmpipe. Runs the
 * shared compliance suite (twice: default tuning, and a tiny dispatch size that splits every
 * range into many pipelined dispatches), then what is specific to this engine: hit-slot
 * overflow, options and device limits, a lost device, dispose, the dispatch tuner.
 */
import { fileURLToPath, pathToFileURL } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  createReferenceSha256dEngine,
  EngineUnavailableError,
  MAX_TARGET,
  NONCE_SPACE,
  type NonceSearchEngine,
  type SearchResult,
} from '@otedama/core';
import { describeSha256dCompliance } from '../../core/test/sha256d-compliance.vitest.ts';
import { autoTuneDispatchNonces } from './dispatch-tuner.ts';
import { KernelOptionError } from './errors.ts';
import { requestSha256dDevice, type Sha256dDevice } from './gpu-device.ts';
import { createNodeGpu, listNodeAdapters } from './node-gpu.ts';
import { createWebGpuSha256dEngine, MAX_NONCES_PER_INVOCATION } from './sha256d.ts';

const GPU_TEST_TIMEOUT_MS = 120_000;

let shared: Promise<Sha256dDevice> | undefined;
/** One device for the whole file: creating one costs ~50 ms, compiling the kernel more. */
function sharedDevice(): Promise<Sha256dDevice> {
  shared ??= requestSha256dDevice(createNodeGpu());
  return shared;
}
afterAll(async () => {
  if (shared) (await shared).device.destroy();
});

describeSha256dCompliance('webgpu (Node, Dawn)', async () => createWebGpuSha256dEngine((await sharedDevice()).device));

// 4 nonces x 8 invocations = 32-nonce workgroups and 64-nonce dispatches: every range of the
// suite becomes many pipelined dispatches, and the slot readback takes its second-map path.
describeSha256dCompliance('webgpu (Node, Dawn), 64-nonce dispatches', async () =>
  createWebGpuSha256dEngine((await sharedDevice()).device, { noncesPerInvocation: 4, workgroupSize: 8, dispatchNonces: 64 }),
  { randomHeaders: 2, rangeSize: 2048 },
);

function header(seed: number): Uint8Array {
  return Uint8Array.from({ length: 80 }, (_, i) => (i * 131 + seed * 7919 + 17) & 0xff);
}

function nonces(result: SearchResult): number[] {
  return result.hits.map((h) => h.nonce);
}

describe('webgpu sha256d engine (Node, Dawn)', { timeout: GPU_TEST_TIMEOUT_MS }, () => {
  let device: GPUDevice;
  let engine: NonceSearchEngine;
  const reference = createReferenceSha256dEngine();

  beforeAll(async () => {
    device = (await sharedDevice()).device;
    engine = createWebGpuSha256dEngine(device);
  });
  afterAll(() => engine?.dispose());

  it('lists the llvmpipe adapter through the OpenGL ES backend', async () => {
    const adapters = await listNodeAdapters(['opengles']);
    expect(adapters.length).toBeGreaterThan(0);
    expect(adapters[0]!.backend).toBe('opengles');
    expect(adapters[0]!.maxComputeWorkgroupsPerDimension).toBeGreaterThanOrEqual(65535);
  });

  it('more hits in one dispatch than it has slots: the lowest nonces, ascending, exactly', async () => {
    // 3000 hits (every nonce) overflow the 1024 hit slots; maxHits 2000 needs the lowest 2000.
    const job = { header: header(1), target: MAX_TARGET };
    const result = await engine.search(job, 5000, 3000, { maxHits: 2000 });
    expect(result.truncated).toBe(true);
    expect(nonces(result)).toEqual(Array.from({ length: 2000 }, (_, i) => 5000 + i));
    const want = await reference.search(job, 5000, 3000, { maxHits: 2000 });
    expect(result.hits.map((h) => Buffer.from(h.hash).toString('hex'))).toEqual(want.hits.map((h) => Buffer.from(h.hash).toString('hex')));
  });

  it('overflowing slots with an ordinary target: same hits as the reference', async () => {
    // About 1/16 of nonces hit: ~4100 hits in 65536 nonces, one dispatch, slots overflow.
    const job = { header: header(2), target: MAX_TARGET >> 4n };
    const got = await engine.search(job, 0x7fff_0000, 65536, { maxHits: 3000 });
    const want = await reference.search(job, 0x7fff_0000, 65536, { maxHits: 3000 });
    expect(nonces(got)).toEqual(nonces(want));
    expect(got.truncated).toBe(want.truncated);
    expect(got.tried).toBe(65536);
  });

  it('a range spread over many small dispatches matches the reference', async () => {
    const small = createWebGpuSha256dEngine(device, { noncesPerInvocation: 2, workgroupSize: 16, dispatchNonces: 32 });
    try {
      const job = { header: header(3), target: MAX_TARGET >> 6n };
      const got = await small.search(job, 123, 4000);
      const want = await reference.search(job, 123, 4000);
      expect(got.hits.length).toBeGreaterThan(20);
      expect(nonces(got)).toEqual(nonces(want));
    } finally {
      small.dispose();
    }
  });

  it('a partial last workgroup hashes exactly the requested nonces', async () => {
    const job = { header: header(4), target: MAX_TARGET };
    const result = await engine.search(job, NONCE_SPACE - 7, 7);
    expect(nonces(result)).toEqual([NONCE_SPACE - 7, NONCE_SPACE - 6, NONCE_SPACE - 5, NONCE_SPACE - 4, NONCE_SPACE - 3, NONCE_SPACE - 2, NONCE_SPACE - 1]);
  });

  it('concurrent searches on one engine each get their own answer', async () => {
    const jobs = [1, 2, 3].map((s) => ({ header: header(10 + s), target: MAX_TARGET >> 5n }));
    const got = await Promise.all(jobs.map((job) => engine.search(job, 0, 2048)));
    const want = await Promise.all(jobs.map((job) => reference.search(job, 0, 2048)));
    expect(got.map(nonces)).toEqual(want.map(nonces));
  });

  it('rejects options the kernel or the device cannot run', () => {
    expect(() => createWebGpuSha256dEngine(device, { noncesPerInvocation: 0 })).toThrow(KernelOptionError);
    expect(() => createWebGpuSha256dEngine(device, { noncesPerInvocation: MAX_NONCES_PER_INVOCATION + 1 })).toThrow(KernelOptionError);
    expect(() => createWebGpuSha256dEngine(device, { workgroupSize: device.limits.maxComputeInvocationsPerWorkgroup + 1 })).toThrow(KernelOptionError);
    expect(() => createWebGpuSha256dEngine(device, { dispatchNonces: 0 })).toThrow(KernelOptionError);
  });

  it('keeps dispatches within maxComputeWorkgroupsPerDimension and whole workgroups', () => {
    const e = createWebGpuSha256dEngine(device, { noncesPerInvocation: 1, workgroupSize: 1, dispatchNonces: 2 ** 31 });
    try {
      expect(e.dispatchNonces).toBe(device.limits.maxComputeWorkgroupsPerDimension);
      e.dispatchNonces = 1000;
      expect(e.dispatchNonces).toBe(1000);
      const wide = createWebGpuSha256dEngine(device, { noncesPerInvocation: 16, workgroupSize: 64, dispatchNonces: 1000 });
      expect(wide.dispatchNonces).toBe(1024);
      wide.dispose();
    } finally {
      e.dispose();
    }
  });

  it('auto-tunes the dispatch size to a whole number of workgroups within the limits', async () => {
    const e = createWebGpuSha256dEngine(device);
    try {
      const tuned = await autoTuneDispatchNonces(e, { targetMs: 20, budgetMs: 1500 });
      expect(tuned.dispatchNonces).toBe(e.dispatchNonces);
      expect(e.dispatchNonces % e.dispatchGranularity).toBe(0);
      expect(e.dispatchNonces).toBeLessThanOrEqual(e.maxDispatchNonces);
      expect(tuned.hashesPerSecond).toBeGreaterThan(0);
    } finally {
      e.dispose();
    }
  });

  it('dispose is idempotent and later searches fail with EngineUnavailableError', async () => {
    const e = createWebGpuSha256dEngine(device);
    await e.search({ header: header(5), target: 1n }, 0, 64);
    e.dispose();
    e.dispose();
    await expect(e.search({ header: header(5), target: 1n }, 0, 64)).rejects.toBeInstanceOf(EngineUnavailableError);
  });

  it('a lost device ends searches with EngineUnavailableError naming the loss', async () => {
    const own = await requestSha256dDevice(createNodeGpu());
    const e = createWebGpuSha256dEngine(own.device);
    await e.search({ header: header(6), target: 1n }, 0, 64);
    own.device.destroy();
    await own.device.lost;
    const err = await e.search({ header: header(6), target: 1n }, 0, 64).catch((x: unknown) => x);
    expect(err).toBeInstanceOf(EngineUnavailableError);
    expect((err as EngineUnavailableError).reason).toMatch(/device lost/);
    e.dispose();
  });
});

describe('raw-hook.mjs (`?raw` for plain Node)', () => {
  it('loads a .wgsl?raw module as its text', async () => {
    const hook = (await import('./raw-hook.mjs')) as {
      load(url: string, context: object, next: () => never): Promise<{ format: string; source: string }>;
    };
    const url = pathToFileURL(fileURLToPath(new URL('./sha256d.wgsl', import.meta.url))).href + '?raw';
    const loaded = await hook.load(url, {}, () => {
      throw new Error('next loader must not run');
    });
    expect(loaded.format).toBe('module');
    expect(loaded.source).toMatch(/^export default ".*@compute/s);
  });
});
