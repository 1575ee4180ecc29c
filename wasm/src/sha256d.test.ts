import { Worker } from 'node:worker_threads';
import { describe, expect, it } from 'vitest';
import {
  DEFAULT_MAX_HITS,
  EngineUnavailableError,
  hashToBigInt,
  InvalidHeaderError,
  InvalidTargetError,
  MAX_TARGET,
  NonceRangeError,
  withNonce,
} from '@otedama/core';
import { describeSha256dCompliance, nodeSha256d } from '../../core/test/sha256d-compliance.vitest.ts';
import {
  BATCH_NONCES,
  compileSha256dModule,
  createWasmSha256dEngine,
  JobNotSetError,
  Sha256dWasmSearcher,
  simdSupported,
  type WasmModule,
} from './index.ts';

describeSha256dCompliance('wasm (scalar build)', () => createWasmSha256dEngine({ simd: false }));
describeSha256dCompliance('wasm-simd (SIMD build)', () => createWasmSha256dEngine({ simd: true }));

/** xorshift32, for reproducible random headers. */
function random(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s ^= s << 13;
    s >>>= 0;
    s ^= s >>> 17;
    s ^= s << 5;
    return (s >>>= 0);
  };
}

function randomHeader(next: () => number): Uint8Array {
  return Uint8Array.from({ length: 80 }, () => next() & 0xff);
}

/** A target that about one nonce in `odds` meets. */
function targetForOdds(odds: number): bigint {
  return MAX_TARGET / BigInt(odds);
}

describe('wasm loader', () => {
  it('detects SIMD (Node 22 has it) and "auto" picks the SIMD build', async () => {
    expect(simdSupported()).toBe(true);
    const auto = await createWasmSha256dEngine();
    const scalar = await createWasmSha256dEngine({ simd: false });
    expect(auto.name).toBe('wasm-simd');
    expect(scalar.name).toBe('wasm');
    expect(auto.algo).toBe('sha256d');
    auto.dispose();
    scalar.dispose();
  });

  it('compiles each build once and shares the module', async () => {
    const [a, b] = await Promise.all([compileSha256dModule(true), compileSha256dModule(true)]);
    expect(a).toBe(b);
    expect(await compileSha256dModule(false)).not.toBe(a);
  });

  it('dispose is idempotent; a disposed engine refuses to search with EngineUnavailableError', async () => {
    const engine = await createWasmSha256dEngine();
    engine.dispose();
    engine.dispose();
    const job = { header: new Uint8Array(80), target: MAX_TARGET };
    await expect(engine.search(job, 0, 4)).rejects.toBeInstanceOf(EngineUnavailableError);
  });

  it('checks arguments before anything else: typed errors even from a disposed engine', async () => {
    const engine = await createWasmSha256dEngine();
    engine.dispose();
    await expect(engine.search({ header: new Uint8Array(80), target: 1n }, 0xffff_fff0, 32)).rejects.toBeInstanceOf(NonceRangeError);
    await expect(engine.search({ header: new Uint8Array(81), target: 1n }, 0, 32)).rejects.toBeInstanceOf(InvalidHeaderError);
  });

  it('runs concurrent searches of different jobs one after the other, each with its own job', async () => {
    const engine = await createWasmSha256dEngine();
    const next = random(11);
    const jobs = [0, 1, 2].map(() => ({ header: randomHeader(next), target: targetForOdds(64) }));
    const alone = [];
    for (const job of jobs) alone.push(await engine.search(job, 1000, 5000));
    const together = await Promise.all(jobs.map((job) => engine.search(job, 1000, 5000)));
    expect(together.map((r) => r.hits.map((h) => h.nonce))).toEqual(alone.map((r) => r.hits.map((h) => h.nonce)));
    expect(alone.every((r) => r.hits.length > 0)).toBe(true);
    engine.dispose();
  });

  it('searches ranges longer than a batch like one long kernel call, hashes included', async () => {
    const engine = await createWasmSha256dEngine();
    const searcher = await Sha256dWasmSearcher.create({ simd: false });
    const header = randomHeader(random(5));
    const target = targetForOdds(20_000);
    const start = 0xffff_ffff - BATCH_NONCES - 70_000;
    const count = BATCH_NONCES + 70_001; // ends at the top of the nonce space
    const result = await engine.search({ header, target }, start, count);
    searcher.setJob(header, target);
    const whole = searcher.search(start, count);
    expect(result.tried).toBe(count);
    expect(result.truncated).toBe(false);
    expect(result.hits.map((h) => h.nonce)).toEqual(whole.nonces);
    expect(whole.nonces.length).toBeGreaterThan(3);
    for (const hit of result.hits) {
      expect(hit.hash).toEqual(nodeSha256d(withNonce(header, hit.nonce)));
      expect(hashToBigInt(hit.hash) <= target).toBe(true);
    }
    engine.dispose();
  });

  it('stops at the batch where more than maxHits hit and reports what it tried', async () => {
    const engine = await createWasmSha256dEngine();
    const result = await engine.search({ header: new Uint8Array(80), target: MAX_TARGET }, 0, 3 * BATCH_NONCES, { maxHits: 10 });
    expect(result.truncated).toBe(true);
    expect(result.hits.map((h) => h.nonce)).toEqual([...Array(10).keys()]);
    expect(result.tried).toBe(BATCH_NONCES);
    engine.dispose();
  });
});

for (const simd of [false, true]) {
  describe(`Sha256dWasmSearcher (${simd ? 'SIMD' : 'scalar'} build)`, () => {
    const searcher = (): Promise<Sha256dWasmSearcher> => Sha256dWasmSearcher.create({ simd });

    it('knows its engine and lane count', async () => {
      const s = await searcher();
      expect(s.engine).toBe(simd ? 'wasm-simd' : 'wasm');
      expect(s.lanes).toBe(simd ? 4 : 1);
    });

    it('builds synchronously from a compiled module (the worker path)', async () => {
      const module = await compileSha256dModule(simd);
      const s = Sha256dWasmSearcher.fromModule(module);
      s.setJob(new Uint8Array(80), MAX_TARGET);
      expect(s.search(7, 5)).toEqual({ nonces: [7, 8, 9, 10, 11], tried: 5, found: 5 });
    });

    it('refuses to search before setJob, and rejects bad jobs and ranges with typed errors', async () => {
      const s = await searcher();
      expect(() => s.search(0, 10)).toThrow(JobNotSetError);
      expect(() => s.setJob(new Uint8Array(79), 1n)).toThrow(InvalidHeaderError);
      expect(() => s.setJob(new Uint8Array(80), 0n)).toThrow(InvalidTargetError);
      s.setJob(new Uint8Array(80), 1n);
      expect(() => s.search(0xffff_fffe, 3)).toThrow(NonceRangeError);
      expect(() => s.search(0, 0)).toThrow(NonceRangeError);
      expect(() => s.search(0, 10, -1)).toThrow(NonceRangeError);
    });

    it('lists every hit past the module output area (1024 nonces) up to maxHits', async () => {
      const s = await searcher();
      s.setJob(randomHeader(random(3)), MAX_TARGET);
      const r = s.search(500, 3000, 2500);
      expect(r.found).toBe(3000);
      expect(r.nonces).toEqual(Array.from({ length: 2500 }, (_, i) => 500 + i));
      expect(s.search(0, 100, 0)).toEqual({ nonces: [], tried: 100, found: 100 });
      expect(s.search(0, 2000).nonces.length).toBe(DEFAULT_MAX_HITS);
    });

    it('agrees with node:crypto and with its own reference path on odd-sized random ranges', async () => {
      const s = await searcher();
      const next = random(simd ? 99 : 98);
      for (let round = 0; round < 6; round++) {
        const header = randomHeader(next);
        const target = targetForOdds(16);
        const start = next() % 0xfff0_0000;
        const count = 1 + (next() % 700);
        s.setJob(header, target);
        const expected = [];
        for (let i = 0; i < count; i++) {
          if (hashToBigInt(nodeSha256d(withNonce(header, start + i))) <= target) expected.push(start + i);
        }
        const r = s.search(start, count, 1000);
        expect(r.nonces).toEqual(expected);
        expect(r.found).toBe(expected.length);
        expect(expected.every((nonce) => s.meetsTarget(nonce))).toBe(true);
      }
    });

    it('a compiled module posted to a worker thread searches there', async () => {
      const module = await compileSha256dModule(simd);
      const result = await runInWorker(module);
      expect(result).toEqual({ lanes: simd ? 4 : 1, written: 16 });
    });
  });
}

/**
 * Posts a compiled module to a worker_thread that instantiates it and searches 16 nonces
 * against the easiest target through the raw exports.
 */
function runInWorker(module: WasmModule): Promise<unknown> {
  const source = `
    const { parentPort } = require('node:worker_threads');
    parentPort.once('message', (module) => {
      const x = new WebAssembly.Instance(module, {}).exports;
      new Uint8Array(x.memory.buffer, x.HEADER_PTR.value, 80).fill(0);
      new Uint8Array(x.memory.buffer, x.TARGET_PTR.value, 32).fill(0xff);
      x.setJob();
      parentPort.postMessage({ lanes: x.LANES.value, written: x.search(0, 16, 100) });
    });`;
  return new Promise((resolve, reject) => {
    const worker = new Worker(source, { eval: true });
    worker.once('message', (message) => {
      resolve(message);
      void worker.terminate();
    });
    worker.once('error', reject);
    worker.postMessage(module);
  });
}
