/**
 * The WebGPU KawPow engine's compliance cases, framework-free like core's shared suites: named
 * cases that throw on failure, run by Vitest in Node (kernels/src/kawpow/search.test.ts) and by
 * the harness page in Chromium on lavapipe and SwiftShader, in a page and in a worker
 * (kawpow-compliance.html, kawpow.spec.ts), so every adapter runs the very same checks.
 *
 * Everything runs on a reduced dataset: the epoch's real light cache, and a dataset of a few
 * MiB instead of 1-6 GiB. The reduction is a parameter of the same code, on both sides: the GPU
 * builds the first `datasetBytes` of the real DAG and indexes it modulo its size, the reference
 * (the WASM engine's light evaluation) is told the same size. The DAG is built twice: in one
 * binding, and split across bindings of a forced smaller size, and every hash is checked on both.
 */
import { bytesToHex, fnv1a, FNV_OFFSET_BASIS, Kiss99, kawpowHashValue, kawpowPeriod, KAWPOW_EPOCH_LENGTH, type KawpowHashResult } from '@otedama/core';
import { buildKawpowDag, readDagItems, type KawpowDag, type KawpowDagInput } from '../src/kawpow/dag.ts';
import { DAG_LOAD_BYTES } from '../src/kawpow/dag-layout.ts';
import { createWebGpuKawpowEngine, type WebGpuKawpowEngine, type WebGpuKawpowOptions } from '../src/kawpow/search.ts';
import { KAWPOW_CASE_NAMES as NAMES } from './kawpow-settings.ts';

/** What the GPU is held against. */
export interface KawpowReference {
  readonly name: string;
  /** Mix and final hash of one nonce on a dataset of `datasetItems` 1024-bit items. */
  hash(headerHash: Uint8Array, nonce: bigint, height: number, datasetItems: number): Promise<KawpowHashResult>;
  /** 512-bit dataset items [first, first + count) of the epoch, 16 words each. */
  datasetItems(first: number, count: number): Promise<Uint32Array>;
}

export interface KawpowCaseOptions {
  /** Nonces checked hash by hash at each height (default 12). */
  readonly noncesPerHeight?: number;
  /** Engine tuning (hashes per workgroup, L1 placement, dispatch size). */
  readonly engine?: Omit<WebGpuKawpowOptions, 'dag' | 'dagSource'>;
  /** Seed of the deterministic generator that picks header hashes and nonces. */
  readonly seed?: number;
}

export interface KawpowCase {
  readonly name: string;
  run(suite: KawpowSuite): Promise<void>;
}

export class KawpowCaseFailure extends Error {
  override readonly name = 'KawpowCaseFailure';
}

function check(cond: boolean, message: string): asserts cond {
  if (!cond) throw new KawpowCaseFailure(message);
}

const MAX_TARGET = (1n << 256n) - 1n;
const U64_TOP = (1n << 64n) - 1n;

/** Heights in four periods of the input's epoch, its first and last block among them (two share a period). */
export function caseHeights(epoch: number): number[] {
  const base = epoch * KAWPOW_EPOCH_LENGTH;
  return [base, base + 2, base + 50, base + 2999, base + KAWPOW_EPOCH_LENGTH - 1];
}

/** The built DAGs and engines the cases share; `close()` releases them. */
export class KawpowSuite {
  private single: Promise<{ dag: KawpowDag; engine: WebGpuKawpowEngine }> | undefined;
  private split: Promise<{ dag: KawpowDag; engine: WebGpuKawpowEngine }> | undefined;
  readonly next: () => number;

  constructor(
    readonly device: GPUDevice,
    readonly input: KawpowDagInput,
    readonly reference: KawpowReference,
    readonly options: KawpowCaseOptions = {},
  ) {
    // KISS99 (core's) as a deterministic generator of header hashes and nonces.
    const seed = fnv1a(FNV_OFFSET_BASIS, options.seed ?? 0x6b617770);
    const kiss = new Kiss99({ z: seed, w: fnv1a(seed, 1), jsr: fnv1a(seed, 2), jcong: fnv1a(seed, 3) });
    this.next = () => kiss.next();
  }

  /** 1024-bit items of the reduced dataset (what the reference is told). */
  get datasetItems(): number {
    return this.input.datasetBytes / 128;
  }

  /** Binding size that splits the reduced DAG into about four bindings. */
  get splitBindingBytes(): number {
    return Math.max(16384, Math.ceil(this.input.datasetBytes / 4 / DAG_LOAD_BYTES) * DAG_LOAD_BYTES);
  }

  /** The DAG in one binding, and an engine on it. */
  oneBinding(): Promise<{ dag: KawpowDag; engine: WebGpuKawpowEngine }> {
    this.single ??= this.build(undefined);
    return this.single;
  }

  /** The DAG split across bindings of splitBindingBytes, and an engine on it. */
  splitBindings(): Promise<{ dag: KawpowDag; engine: WebGpuKawpowEngine }> {
    this.split ??= this.build(this.splitBindingBytes);
    return this.split;
  }

  private async build(maxBindingBytes: number | undefined): Promise<{ dag: KawpowDag; engine: WebGpuKawpowEngine }> {
    const dag = await buildKawpowDag(this.device, this.input, maxBindingBytes === undefined ? {} : { maxBindingBytes });
    // No prefetching: the cases jump between periods, and each compile costs seconds on a CPU.
    return { dag, engine: await createWebGpuKawpowEngine(this.device, { prefetchNextPeriod: false, ...this.options.engine, dag }) };
  }

  headerHash(): Uint8Array {
    return Uint8Array.from({ length: 32 }, () => this.next() & 0xff);
  }

  randomNonce(): bigint {
    return (BigInt(this.next()) << 32n) | BigInt(this.next());
  }

  async close(): Promise<void> {
    for (const built of [this.single, this.split]) {
      const b = await built?.catch(() => undefined);
      b?.engine.dispose();
      b?.dag.destroy();
    }
  }
}

/** Nonce ranges that cover the edges: from 0, across 2^32 (the high word's carry), up to 2^64-1. */
function rangeStart(suite: KawpowSuite, i: number, n: number): bigint {
  switch (i % 4) {
    case 0: return 0n;
    case 1: return (1n << 32n) - BigInt(Math.floor(n / 2));
    case 2: return U64_TOP - BigInt(n - 1);
    default: return suite.randomNonce() & ((1n << 63n) - 1n);
  }
}

async function expectSameHashes(suite: KawpowSuite, engine: WebGpuKawpowEngine, label: string, heights: readonly number[]): Promise<void> {
  const n = suite.options.noncesPerHeight ?? 12;
  for (let i = 0; i < heights.length; i++) {
    const height = heights[i]!;
    const headerHash = suite.headerHash();
    const start = rangeStart(suite, i, n);
    const result = await engine.search({ headerHash, height, target: MAX_TARGET }, start, n, { maxHits: n });
    check(result.tried === n && !result.truncated, `${label}: tried ${result.tried}, truncated ${result.truncated}`);
    check(result.hits.length === n, `${label}: height ${height}: ${result.hits.length} hits for ${n} nonces at the largest target`);
    for (let k = 0; k < n; k++) {
      const hit = result.hits[k]!;
      const nonce = start + BigInt(k);
      check(hit.nonce === nonce, `${label}: height ${height}: hit ${k} has nonce ${hit.nonce}, expected ${nonce} (ascending)`);
      const want = await suite.reference.hash(headerHash, nonce, height, suite.datasetItems);
      const where = `${label}: height ${height} (period ${kawpowPeriod(height)}), header ${bytesToHex(headerHash)}, nonce 0x${nonce.toString(16)}`;
      check(bytesToHex(hit.mixHash) === bytesToHex(want.mixHash), `${where}: mix ${bytesToHex(hit.mixHash)} != ${suite.reference.name} ${bytesToHex(want.mixHash)}`);
      check(bytesToHex(hit.finalHash) === bytesToHex(want.finalHash), `${where}: final ${bytesToHex(hit.finalHash)} != ${suite.reference.name} ${bytesToHex(want.finalHash)}`);
    }
  }
}

async function expectRejects(what: string, p: Promise<unknown>, name: string, reason?: RegExp): Promise<void> {
  let error: unknown;
  try {
    await p;
  } catch (err) {
    error = err;
  }
  check(error !== undefined, `${what}: resolved, expected ${name}`);
  const e = error as { name?: string; message?: string; reason?: string };
  check(e.name === name, `${what}: threw ${e.name}: ${e.message}, expected ${name}`);
  if (reason) check(reason.test(e.reason ?? e.message ?? ''), `${what}: reason "${e.reason ?? e.message}" does not match ${reason}`);
}

/**
 * A device whose createBuffer records what it made, so a test can tell that a cancelled build
 * destroyed every buffer (writing to a destroyed buffer is a validation error).
 */
function recordingDevice(device: GPUDevice): { device: GPUDevice; buffers: GPUBuffer[] } {
  const buffers: GPUBuffer[] = [];
  const proxy = new Proxy(device, {
    get(target, prop) {
      if (prop === 'createBuffer') {
        return (descriptor: GPUBufferDescriptor) => {
          const buffer = target.createBuffer(descriptor);
          buffers.push(buffer);
          return buffer;
        };
      }
      const value = Reflect.get(target, prop, target) as unknown;
      return typeof value === 'function' ? (value as (...a: unknown[]) => unknown).bind(target) : value;
    },
  });
  return { device: proxy, buffers };
}

async function isDestroyed(device: GPUDevice, buffer: GPUBuffer): Promise<boolean> {
  device.pushErrorScope('validation');
  device.queue.writeBuffer(buffer, 0, new Uint32Array(1));
  return (await device.popErrorScope()) !== null;
}

/** The cases, in the order they run. */
export function kawpowCases(): KawpowCase[] {
  return [
    {
      name: NAMES.dagItems,
      async run(suite) {
        const items = suite.reference.datasetItems.bind(suite.reference);
        for (const build of [await suite.oneBinding(), await suite.splitBindings()]) {
          const { dag } = build;
          const ranges: [number, number][] = [[0, 256]];
          for (const part of dag.layout.buffers.slice(1)) ranges.push([part.firstItem - 8, 16]);
          ranges.push([dag.layout.items - 32, 32]);
          for (const [first, count] of ranges) {
            const got = await readDagItems(dag, first, count);
            const want = await items(first, count);
            for (let w = 0; w < got.length; w++) {
              if (got[w] !== want[w]) {
                const item = first + Math.floor(w / 16);
                throw new KawpowCaseFailure(`${dag.buffers.length}-binding DAG: item ${item} word ${w % 16} is ${got[w]}, ${suite.reference.name} has ${want[w]}`);
              }
            }
          }
        }
      },
    },
    {
      name: NAMES.oneBinding,
      async run(suite) {
        await expectSameHashes(suite, (await suite.oneBinding()).engine, 'one binding', caseHeights(suite.input.epoch));
      },
    },
    {
      name: NAMES.split,
      async run(suite) {
        const { dag, engine } = await suite.splitBindings();
        check(dag.buffers.length >= 3, `the split DAG has ${dag.buffers.length} bindings`);
        // Two periods, the epoch's first and last: every period costs a compile (SwiftShader: ~10 s).
        const heights = caseHeights(suite.input.epoch);
        await expectSameHashes(suite, engine, `${dag.buffers.length} bindings`, [heights[1]!, heights[heights.length - 1]!]);
      },
    },
    {
      name: NAMES.targetFilter,
      async run(suite) {
        const { engine } = await suite.oneBinding();
        const job = { headerHash: suite.headerHash(), height: caseHeights(suite.input.epoch)[2]!, target: MAX_TARGET };
        const all = await engine.search(job, 1000n, 128, { maxHits: 128 });
        const values = all.hits.map((h) => kawpowHashValue(h.finalHash));
        const sorted = [...values].sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
        const target = sorted[9]!; // ten hashes at or below it, one of them equal
        const want = all.hits.filter((_, i) => values[i]! <= target).map((h) => h.nonce);
        const got = await engine.search({ ...job, target }, 1000n, 128);
        check(got.hits.map((h) => h.nonce).join() === want.join(), `target ${target.toString(16)}: hits ${got.hits.map((h) => h.nonce).join()} != ${want.join()}`);
        const below = await engine.search({ ...job, target: target - 1n }, 1000n, 128);
        check(below.hits.length === 9, `one below the 10th smallest hash: ${below.hits.length} hits, expected 9`);
        const one = all.hits.find((_, i) => values[i] === target)!;
        const ref = await suite.reference.hash(job.headerHash, one.nonce, job.height, suite.datasetItems);
        check(kawpowHashValue(ref.finalHash) === target, `${suite.reference.name} disagrees on the boundary hash`);
      },
    },
    {
      name: NAMES.overflow,
      async run(suite) {
        const { engine } = await suite.oneBinding();
        const job = { headerHash: suite.headerHash(), height: caseHeights(suite.input.epoch)[1]!, target: MAX_TARGET };
        // 320 hits in one dispatch overflow its 256 slots: the range is searched again in halves.
        const start = (1n << 40n) + 7n;
        const result = await engine.search(job, start, 320, { maxHits: 300 });
        check(result.truncated && result.tried === 320, `truncated ${result.truncated}, tried ${result.tried}`);
        check(result.hits.length === 300, `${result.hits.length} hits, expected 300`);
        result.hits.forEach((h, i) => check(h.nonce === start + BigInt(i), `hit ${i} has nonce ${h.nonce}`));
        const last = result.hits[299]!;
        const want = await suite.reference.hash(job.headerHash, last.nonce, job.height, suite.datasetItems);
        check(bytesToHex(last.finalHash) === bytesToHex(want.finalHash), 'the 300th hit differs from the reference');
      },
    },
    {
      name: NAMES.badInput,
      async run(suite) {
        const { engine } = await suite.oneBinding();
        const height = caseHeights(suite.input.epoch)[0]!;
        const job = { headerHash: suite.headerHash(), height, target: MAX_TARGET };
        await expectRejects('31-byte header hash', engine.search({ ...job, headerHash: new Uint8Array(31) }, 0n, 1), 'InvalidHeaderError', /32 bytes/);
        await expectRejects('33-byte header hash', engine.search({ ...job, headerHash: new Uint8Array(33) }, 0n, 1), 'InvalidHeaderError');
        await expectRejects('target 0', engine.search({ ...job, target: 0n }, 0n, 1), 'InvalidTargetError');
        await expectRejects('target 2^256', engine.search({ ...job, target: 1n << 256n }, 0n, 1), 'InvalidTargetError');
        await expectRejects('start nonce 2^64', engine.search(job, 1n << 64n, 1), 'NonceRangeError');
        await expectRejects('negative start nonce', engine.search(job, -1n, 1), 'NonceRangeError');
        await expectRejects('range past 2^64-1', engine.search(job, U64_TOP - 9n, 11), 'NonceRangeError', /2\^64/);
        await expectRejects('empty range', engine.search(job, 0n, 0), 'NonceRangeError');
        await expectRejects('fractional count', engine.search(job, 0n, 1.5), 'NonceRangeError');
        await expectRejects('number start nonce', engine.search(job, 5 as unknown as bigint, 1), 'NonceRangeError');
        await expectRejects('negative height', engine.search({ ...job, height: -1 }, 0n, 1), 'InvalidHeightError');
        await expectRejects('fractional height', engine.search({ ...job, height: 1.5 }, 0n, 1), 'InvalidHeightError');
        await expectRejects('height of another epoch', engine.search({ ...job, height: height + KAWPOW_EPOCH_LENGTH }, 0n, 1), 'EngineUnavailableError', /no DAG for epoch/);
        // The range ending exactly at 2^64-1 is fine, and the engine still works after all that.
        const top = await engine.search(job, U64_TOP, 1);
        check(top.hits.length === 1 && top.hits[0]!.nonce === U64_TOP, 'the last u64 nonce was not searched');
      },
    },
    {
      name: NAMES.badDag,
      async run(suite) {
        const { device, input } = suite;
        await expectRejects('light cache of 100 bytes', buildKawpowDag(device, { ...input, lightCache: new Uint8Array(100) }), 'KernelOptionError');
        await expectRejects('dataset of 1000 bytes', buildKawpowDag(device, { ...input, datasetBytes: 1000 }), 'KernelOptionError');
        await expectRejects('dataset below the L1 cache', buildKawpowDag(device, { ...input, datasetBytes: 8192 }), 'KernelOptionError');
        const recorded = recordingDevice(device);
        const abort = new AbortController();
        let chunks = 0;
        const build = buildKawpowDag(recorded.device, input, {
          firstChunkItems: 256,
          targetChunkMs: 1, // many small chunks
          onProgress: () => {
            if (++chunks === 2) abort.abort(new Error('cancelled by the test'));
          },
          signal: abort.signal,
        });
        let error: unknown;
        await build.catch((err: unknown) => (error = err));
        check((error as Error | undefined)?.message === 'cancelled by the test', `the aborted build ended with ${String(error)}`);
        check(recorded.buffers.length >= 3, `the build made ${recorded.buffers.length} buffers before the abort`);
        for (const buffer of recorded.buffers) check(await isDestroyed(device, buffer), `buffer "${buffer.label}" was left alive`);
        const live = device.createBuffer({ size: 16, usage: 0x0008 /* COPY_DST */ });
        check(!(await isDestroyed(device, live)), 'a live buffer reads as destroyed: the check is broken');
        live.destroy();
        const already = new AbortController();
        already.abort(new Error('aborted before the start'));
        await buildKawpowDag(device, input, { signal: already.signal }).then(
          () => check(false, 'a build with an aborted signal resolved'),
          (err: unknown) => check((err as Error).message === 'aborted before the start', `rejected with ${String(err)}`),
        );
      },
    },
  ];
}

export { MAX_TARGET as KAWPOW_MAX_TARGET };
