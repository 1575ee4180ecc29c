/**
 * `otedama mining benchmark --algo kawpow`: what KawPow costs on this machine, each figure beside
 * a baseline measured in the same run:
 *
 *   - the light cache of the epoch: build time of the SIMD and the scalar WASM builds (and of
 *     native cpp-kawpow when --native names wasm/bench/native's harness binary);
 *   - light verification of a valid share (the whole light evaluation), per share;
 *   - dataset items (512-bit) on one thread: what building an edge's full dataset costs;
 *   - keccak-512 of 64 bytes, a light-cache step, beside hash-wasm's keccak-512;
 *   - verification by lookups in a full dataset (built in worker threads, as an edge with
 *     `chain.kawpow.verification: full` does) beside light evaluation of the same shares;
 *   - on one WebGPU adapter (`measureKawpowWebGpu`): DAG generation (items/s, MB/s, with
 *     progress) beside the WASM dataset items, and the search (H/s) beside light evaluation.
 *
 * The dataset (full dataset and DAG) is the epoch's unless `datasetItems` reduces it, for machines
 * that cannot hold 1+ GiB: the same code and cost per hash, but hashes that are not Ravencoin's,
 * which the report says. The scalar build is the SIMD build's baseline, native cpp-kawpow
 * (optional) both builds'. No figure is asserted anywhere: the report holds what was measured.
 */
import { spawn } from 'node:child_process';
import { createKeccak } from 'hash-wasm';
import { datasetItemCount, EngineUnavailableError, kawpowEpoch, kawpowHashValue, lightCacheBytes, type KawpowShare } from '@otedama/core';
import { buildLightCacheHere, compileKawpowModule, KawpowContext, KawpowDataset, type WasmModule } from '@otedama/wasm';
import { machineInfo, type BenchmarkReport } from './benchmark.ts';
import { adapterName, openKawpowDevice, type GpuListing } from './gpu-devices.ts';

export const KAWPOW_BENCH_ENGINES = ['wasm-simd', 'wasm', 'webgpu'] as const;
export type KawpowBenchEngine = (typeof KAWPOW_BENCH_ENGINES)[number];

/** Distinct valid shares verified round-robin (enough that no cache line stays warm between them). */
const BENCH_SHARES = 16;
/** 512-bit dataset items per timed call (about 10-30 ms of work). */
const ITEMS_PER_CALL = 256;
/** keccak-512 steps per timed call of the baseline comparison. */
const KECCAK_PER_CALL = 4096;
/** Rounds over the engines (each a fresh light cache and seconds/ROUNDS per figure); figures are medians over them. */
const ROUNDS = 3;
/** Worker threads building the full dataset: an edge's default (chain.kawpow.dataset_threads). */
const DATASET_THREADS = 2;
/** Longest time spent fitting the search's dispatch size to the adapter (ms). */
const GPU_TUNE_BUDGET_MS = 2000;
/** Smallest dataset the GPU's DAG takes: 16 KiB, 128 items of 1024 bits (kernels/src/kawpow/dag.ts). */
export const MIN_BENCH_DATASET_ITEMS = 128;

export interface KawpowBenchmarkOptions {
  readonly engines: readonly KawpowBenchEngine[];
  /** Seconds measured per figure (light verification, dataset items, keccak), spread over the rounds. */
  readonly seconds: number;
  /** The block height whose epoch is measured (default 1: epoch 0, 16 MiB). */
  readonly height?: number;
  /** Path of wasm/bench/native's cpp-kawpow harness: a native baseline in the same run. */
  readonly native?: string;
  /** Dataset (full dataset and GPU DAG) in 1024-bit items, when reduced below the epoch's. */
  readonly datasetItems?: number;
  /** WebGPU adapter index (as `otedama gpu list` numbers them; default 0). */
  readonly gpuIndex?: number;
  readonly gpuListing?: GpuListing;
  readonly signal?: AbortSignal;
  readonly progress?: (line: string) => void;
}

export interface KawpowEngineFigures {
  readonly engine: string;
  readonly lightCacheBuildMs: number;
  readonly verify: { readonly shares: number; readonly medianMs: number; readonly bestMs: number; readonly perSecond: number };
  readonly datasetItemsPerSecond: number;
}

export interface KawpowBenchmarkReport {
  readonly algo: 'kawpow';
  readonly height: number;
  readonly epoch: number;
  readonly lightCacheBytes: number;
  readonly engines: KawpowEngineFigures[];
  readonly baselines: {
    /** keccak-512 of 64 bytes per second: this module's light-cache step and hash-wasm's. */
    readonly keccak512PerSecond?: { readonly module: number; readonly hashWasm: number };
    /** cpp-kawpow on this machine, when --native was given and ran. */
    readonly native?: { readonly lightCacheBuildMs: number; readonly verifyMedianMs: number; readonly verifyBestMs: number };
  };
  /** The dataset the full-dataset and GPU figures use: the epoch's, or reduced (then not Ravencoin's hashes). */
  readonly dataset: { readonly items: number; readonly bytes: number; readonly reduced: boolean };
  /** Verification by lookups in the full dataset beside light evaluation of the same shares (same dataset size). */
  readonly lookups?: KawpowLookupFigures;
  /** The KawPow kernels on one WebGPU adapter. */
  readonly webgpu?: KawpowWebGpuFigures;
  readonly skipped: { readonly engine: string; readonly reason: string }[];
  readonly machine: BenchmarkReport['machine'];
  readonly date: string;
  readonly seconds: number;
}

export interface KawpowLookupFigures {
  readonly engine: string;
  readonly threads: number;
  readonly buildMs: number;
  readonly light: { readonly shares: number; readonly medianMs: number; readonly bestMs: number; readonly perSecond: number };
  readonly lookups: { readonly shares: number; readonly medianMs: number; readonly bestMs: number; readonly perSecond: number };
}

export interface KawpowWebGpuFigures {
  /** The adapter, as `otedama gpu list` describes it. */
  readonly adapter: string;
  readonly dag: { readonly items: number; readonly bytes: number; readonly buildMs: number; readonly itemsPerSecond: number; readonly bytesPerSecond: number; readonly bindings: number };
  readonly search: { readonly hashes: number; readonly seconds: number; readonly hashesPerSecond: number; readonly dispatchHashes: number };
}

export interface KawpowWebGpuOptions {
  readonly height: number;
  readonly seconds: number;
  /** The light cache of the height's epoch (the WASM engine built it). */
  readonly lightCache: Uint8Array;
  /** Dataset in 1024-bit items (default: the epoch's). */
  readonly datasetItems?: number;
  readonly gpuIndex?: number;
  readonly gpuListing?: GpuListing;
  readonly signal?: AbortSignal;
  readonly progress?: (line: string) => void;
}

/**
 * The KawPow kernels on one WebGPU adapter: the DAG built on the GPU from the light cache (with
 * progress every tenth), then the search run back to back for `seconds` at a target no hash
 * meets (every dispatch does all its work, no hit is read back), after the period's pipeline is
 * compiled and the dispatch size fitted to the adapter.
 */
export async function measureKawpowWebGpu(options: KawpowWebGpuOptions): Promise<KawpowWebGpuFigures> {
  const say = options.progress ?? (() => {});
  const epoch = kawpowEpoch(options.height);
  const items = options.datasetItems ?? datasetItemCount(epoch);
  const kernels = await import('@otedama/kernels');
  const gpu = await openKawpowDevice(options.gpuIndex ?? 0, options.gpuListing);
  const adapter = adapterName(gpu.info);
  try {
    say(`webgpu on ${adapter}: the DAG of epoch ${epoch} (${(items * 128 / 2 ** 20).toFixed(1)} MiB) on the GPU`);
    let lastTenth = -1;
    const dag = await kernels.buildKawpowDag(gpu.device, { epoch, lightCache: options.lightCache, datasetBytes: items * 128 }, {
      ...(options.signal ? { signal: options.signal } : {}),
      onProgress: ({ bytesDone, bytes, elapsedMs }) => {
        const tenth = Math.floor((10 * bytesDone) / bytes);
        if (tenth === lastTenth) return;
        lastTenth = tenth;
        say(`webgpu DAG: ${tenth * 10} % (${(bytesDone / 2 ** 20).toFixed(1)} of ${(bytes / 2 ** 20).toFixed(1)} MiB, ${(elapsedMs / 1000).toFixed(1)} s)`);
      },
    });
    try {
      const dagItems = dag.layout.items;
      const dagBytes = dagItems * 64;
      const engine = await kernels.createWebGpuKawpowEngine(gpu.device, { dag });
      try {
        const headerHash = Uint8Array.from({ length: 32 }, (_, k) => (k * 13 + 5) & 0xff);
        say(`webgpu search: compiling period ${Math.floor(options.height / 3)}'s kernel and fitting the dispatch size`);
        await engine.prepare(options.height);
        await kernels.autoTuneKawpowDispatch(engine, { headerHash, height: options.height }, { budgetMs: GPU_TUNE_BUDGET_MS }).catch(() => undefined);
        say(`webgpu search (${options.seconds} s)`);
        const job = { headerHash, height: options.height, target: 1n };
        const batch = engine.dispatchHashes * 4;
        let nonce = 0n;
        let hashes = 0;
        const t0 = performance.now();
        const until = t0 + options.seconds * 1000;
        while ((hashes === 0 || performance.now() < until) && !options.signal?.aborted) {
          hashes += (await engine.search(job, nonce, batch)).tried;
          nonce += BigInt(batch);
        }
        const seconds = (performance.now() - t0) / 1000;
        return {
          adapter,
          dag: { items: dagItems, bytes: dagBytes, buildMs: dag.buildMs, itemsPerSecond: dagItems / (dag.buildMs / 1000), bytesPerSecond: dagBytes / (dag.buildMs / 1000), bindings: dag.layout.buffers.length },
          search: { hashes, seconds, hashesPerSecond: hashes / seconds, dispatchHashes: engine.dispatchHashes },
        };
      } finally {
        engine.dispose();
      }
    } finally {
      dag.destroy();
    }
  } finally {
    gpu.close();
  }
}

/** An EngineUnavailableError's reason without its "engine: " prefix (the report names the engine). */
function why(engine: string, err: EngineUnavailableError): string {
  return err.reason.startsWith(`${engine}: `) ? err.reason.slice(engine.length + 2) : err.reason;
}

function median(xs: readonly number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 ? s[(s.length - 1) / 2]! : (s[s.length / 2 - 1]! + s[s.length / 2]!) / 2;
}

/** Runs `step` until `seconds` pass (at least once); returns the per-call times in ms. */
async function timed(seconds: number, signal: AbortSignal | undefined, step: (i: number) => void): Promise<number[]> {
  const times: number[] = [];
  const until = performance.now() + seconds * 1000;
  for (let i = 0; (i === 0 || performance.now() < until) && !signal?.aborted; i++) {
    const t0 = performance.now();
    step(i);
    times.push(performance.now() - t0);
    // Let a stop signal through between calls.
    if (i % 8 === 7) await new Promise((r) => setImmediate(r));
  }
  return times;
}

/** Valid shares at `height` (each target is the share's own final hash: the whole light evaluation runs). */
function makeShares(context: KawpowContext, height: number): { share: KawpowShare; target: bigint }[] {
  return Array.from({ length: BENCH_SHARES }, (_, i) => {
    const headerHash = Uint8Array.from({ length: 32 }, (_, k) => (k * 31 + i * 7 + 1) & 0xff);
    const nonce = BigInt(i) * 0x9e37_79b9n + 1n;
    const { mixHash, finalHash } = context.hash(headerHash, nonce, height);
    return { share: { headerHash, nonce, height, mixHash }, target: kawpowHashValue(finalHash) };
  });
}

/** One engine's samples over the rounds. */
interface EngineSamples {
  readonly name: string;
  readonly module: WasmModule;
  readonly builds: number[];
  readonly verifies: number[];
  readonly itemCalls: number[];
}

/**
 * One round of one engine: a fresh light cache (timed), then light verification and dataset
 * items for `seconds` each. Rounds alternate the engines, so a change in the machine's load
 * falls on both alike.
 */
async function measureRound(samples: EngineSamples, height: number, seconds: number, signal: AbortSignal | undefined, say: (line: string) => void): Promise<KawpowContext> {
  const context = KawpowContext.create(samples.module, kawpowEpoch(height));
  say(`${samples.name}: the light cache of epoch ${context.epoch}, light verification and dataset items (${seconds.toFixed(2)} s each)`);
  const t0 = performance.now();
  await buildLightCacheHere(context, signal ? { signal } : {});
  samples.builds.push(performance.now() - t0);
  const shares = makeShares(context, height);
  samples.verifies.push(
    ...(await timed(seconds, signal, (i) => {
      const { share, target } = shares[i % shares.length]!;
      if (context.verify(share.headerHash, share.nonce, share.height, share.mixHash, target).code !== 'ok') throw new Error('a valid share failed verification');
    })),
  );
  let first = 0;
  samples.itemCalls.push(
    ...(await timed(seconds, signal, () => {
      context.datasetItems512(first, ITEMS_PER_CALL);
      first += ITEMS_PER_CALL;
    })),
  );
  return context;
}

function shareFigures(times: readonly number[]): { shares: number; medianMs: number; bestMs: number; perSecond: number } {
  return { shares: times.length, medianMs: median(times), bestMs: Math.min(...times), perSecond: times.length / (times.reduce((a, b) => a + b, 0) / 1000) };
}

/**
 * Verification by lookups: the full dataset of the context's epoch (or `datasetItems` of it)
 * built in worker threads with progress, then the same valid shares verified by lookups and by
 * light evaluation at that size, in alternating halves of `seconds`.
 */
async function measureLookups(
  engine: string,
  module: WasmModule,
  context: KawpowContext,
  height: number,
  datasetItems: number,
  seconds: number,
  signal: AbortSignal | undefined,
  say: (line: string) => void,
): Promise<KawpowLookupFigures> {
  say(`${engine}: the full dataset of epoch ${context.epoch} (${((datasetItems * 128) / 2 ** 20).toFixed(1)} MiB) in ${DATASET_THREADS} worker threads`);
  let lastTenth = -1;
  const t0 = performance.now();
  const dataset = await KawpowDataset.build(module, context, {
    threads: DATASET_THREADS,
    datasetItems,
    maxBytes: Infinity,
    ...(signal ? { signal } : {}),
    onProgress: ({ done, total }) => {
      const tenth = Math.floor((10 * done) / total);
      if (tenth === lastTenth) return;
      lastTenth = tenth;
      say(`full dataset: ${tenth * 10} % (${(((done * 256) / 2 ** 20)).toFixed(1)} of ${((total * 256) / 2 ** 20).toFixed(1)} MiB, ${((performance.now() - t0) / 1000).toFixed(1)} s)`);
    },
  });
  const buildMs = performance.now() - t0;
  say(`${engine}: verification by lookups beside light evaluation (${seconds} s)`);
  const shares = Array.from({ length: BENCH_SHARES }, (_, i) => {
    const headerHash = Uint8Array.from({ length: 32 }, (_, k) => (k * 29 + i * 11 + 3) & 0xff);
    const nonce = BigInt(i) * 0x7f4a_7c15n + 5n;
    const { mixHash, finalHash } = dataset.hash(context, headerHash, nonce, height);
    return { share: { headerHash, nonce, height, mixHash }, target: kawpowHashValue(finalHash) };
  });
  const light: number[] = [];
  const lookups: number[] = [];
  for (let half = 0; half < 2 && !signal?.aborted; half++) {
    light.push(
      ...(await timed(seconds / 4, signal, (i) => {
        const { share, target } = shares[i % shares.length]!;
        if (context.verify(share.headerHash, share.nonce, share.height, share.mixHash, target, datasetItems).code !== 'ok') throw new Error('a valid share failed light verification');
      })),
    );
    lookups.push(
      ...(await timed(seconds / 4, signal, (i) => {
        const { share, target } = shares[i % shares.length]!;
        if (!dataset.verify(context, share, target).valid) throw new Error('a valid share failed verification by lookups');
      })),
    );
  }
  return { engine, threads: DATASET_THREADS, buildMs, light: shareFigures(light), lookups: shareFigures(lookups) };
}

function engineFigures(s: EngineSamples): KawpowEngineFigures {
  const verifyMs = s.verifies.reduce((a, b) => a + b, 0);
  const itemMs = s.itemCalls.reduce((a, b) => a + b, 0);
  return {
    engine: s.name,
    lightCacheBuildMs: median(s.builds),
    verify: { shares: s.verifies.length, medianMs: median(s.verifies), bestMs: Math.min(...s.verifies), perSecond: s.verifies.length / (verifyMs / 1000) },
    datasetItemsPerSecond: (s.itemCalls.length * ITEMS_PER_CALL) / (itemMs / 1000),
  };
}

/** keccak-512 of 64 bytes: the module's light-cache fill step against hash-wasm's, in the same run. */
async function keccakBaseline(module: WasmModule, epoch: number, seconds: number, signal: AbortSignal | undefined): Promise<{ module: number; hashWasm: number }> {
  const keccak = await createKeccak(512);
  let digest: Uint8Array = new Uint8Array(64).fill(0x5a);
  const theirs = await timed(seconds / 2, signal, () => {
    for (let i = 0; i < KECCAK_PER_CALL; i++) {
      keccak.init();
      keccak.update(digest);
      digest = keccak.digest('binary');
    }
  });
  // Every light-cache build step is one keccak-512 of 64 bytes (the fill hashes the previous
  // item, the RandMemoHash rounds a xor of two); a finished build starts over on a fresh context.
  let fresh = KawpowContext.create(module, epoch);
  const ours = await timed(seconds / 2, signal, () => {
    if (fresh.built) fresh = KawpowContext.create(module, epoch);
    fresh.buildStep(KECCAK_PER_CALL);
  });
  const rate = (times: number[]) => (times.length * KECCAK_PER_CALL) / (times.reduce((a, b) => a + b, 0) / 1000);
  return { module: rate(ours), hashWasm: rate(theirs) };
}

/** One run of the native harness: `BIN <epoch> <verifications>` prints one JSON line. */
function runNative(bin: string, epoch: number, signal?: AbortSignal): Promise<{ lightCacheBuildMs: number; verifyMedianMs: number; verifyBestMs: number }> {
  return new Promise((resolve, reject) => {
    const child = spawn(bin, [String(epoch), String(BENCH_SHARES * 4)], { stdio: ['ignore', 'pipe', 'pipe'], ...(signal ? { signal } : {}) });
    let out = '';
    let err = '';
    child.stdout.setEncoding('utf8').on('data', (c: string) => (out += c));
    child.stderr.setEncoding('utf8').on('data', (c: string) => (err += c));
    child.on('error', (e) => reject(new EngineUnavailableError('native', `${bin}: ${e.message}`)));
    child.on('close', (code) => {
      if (code !== 0) return reject(new EngineUnavailableError('native', `${bin} exited with ${code}: ${err.trim().slice(0, 200)}`));
      try {
        const j = JSON.parse(out.trim()) as { light_cache_build_ms: number; verify_median_ms: number; verify_best_ms: number };
        resolve({ lightCacheBuildMs: j.light_cache_build_ms, verifyMedianMs: j.verify_median_ms, verifyBestMs: j.verify_best_ms });
      } catch {
        reject(new EngineUnavailableError('native', `${bin} did not print the harness's JSON line`));
      }
    });
  });
}

export async function runKawpowBenchmark(options: KawpowBenchmarkOptions): Promise<KawpowBenchmarkReport> {
  const height = options.height ?? 1;
  const epoch = kawpowEpoch(height);
  const epochItems = datasetItemCount(epoch);
  const datasetItems = options.datasetItems ?? epochItems;
  if (!Number.isSafeInteger(datasetItems) || datasetItems < MIN_BENCH_DATASET_ITEMS || datasetItems > epochItems) {
    throw new RangeError(`datasetItems must be an integer in ${MIN_BENCH_DATASET_ITEMS}..${epochItems} (epoch ${epoch}'s) (got ${datasetItems})`);
  }
  const say = options.progress ?? (() => {});
  const engines: KawpowEngineFigures[] = [];
  const skipped: { engine: string; reason: string }[] = [];
  const baselines: { keccak512PerSecond?: { module: number; hashWasm: number }; native?: { lightCacheBuildMs: number; verifyMedianMs: number; verifyBestMs: number } } = {};
  const measured: EngineSamples[] = [];
  for (const engine of options.engines.filter((e) => e !== 'webgpu')) {
    try {
      // compileKawpowModule(true) refuses where SIMD does not validate: the build is the engine asked for.
      measured.push({ name: engine, module: await compileKawpowModule(engine === 'wasm-simd'), builds: [], verifies: [], itemCalls: [] });
    } catch (err) {
      if (!(err instanceof EngineUnavailableError)) throw err;
      skipped.push({ engine, reason: why(engine, err) });
    }
  }
  // The native reference takes its turn in every round too, under the same load.
  const nativeRuns: { lightCacheBuildMs: number; verifyMedianMs: number; verifyBestMs: number }[] = [];
  let native = options.native;
  // The last round's light cache of the first engine: the full dataset and the GPU's DAG are built from it.
  let context: KawpowContext | undefined;
  for (let round = 0; round < ROUNDS && !options.signal?.aborted; round++) {
    for (const [i, samples] of measured.entries()) {
      if (options.signal?.aborted) continue;
      const c = await measureRound(samples, height, options.seconds / ROUNDS, options.signal, say);
      if (i === 0) context = c;
    }
    if (native && !options.signal?.aborted) {
      say(`native cpp-kawpow (${native})`);
      try {
        nativeRuns.push(await runNative(native, epoch, options.signal));
      } catch (err) {
        if (!(err instanceof EngineUnavailableError)) throw err;
        skipped.push({ engine: 'native', reason: why('native', err) });
        native = undefined;
      }
    }
  }
  if (nativeRuns.length) {
    baselines.native = {
      lightCacheBuildMs: median(nativeRuns.map((n) => n.lightCacheBuildMs)),
      verifyMedianMs: median(nativeRuns.map((n) => n.verifyMedianMs)),
      verifyBestMs: Math.min(...nativeRuns.map((n) => n.verifyBestMs)),
    };
  }
  engines.push(...measured.filter((m) => m.builds.length > 0).map(engineFigures));
  const module = measured[0]?.module;
  if (module && !options.signal?.aborted) {
    say(`baseline: keccak-512 of 64 bytes beside hash-wasm (${options.seconds} s)`);
    baselines.keccak512PerSecond = await keccakBaseline(module, epoch, options.seconds, options.signal);
  }
  let lookups: KawpowLookupFigures | undefined;
  if (module && context && !options.signal?.aborted) {
    lookups = await measureLookups(measured[0]!.name, module, context, height, datasetItems, options.seconds, options.signal, say);
  }
  let webgpu: KawpowWebGpuFigures | undefined;
  if (options.engines.includes('webgpu') && !options.signal?.aborted) {
    try {
      if (!context) {
        // --engine webgpu alone: a light cache for the DAG from the fastest build here.
        const own = KawpowContext.create(await compileKawpowModule('auto'), epoch);
        say(`the light cache of epoch ${epoch} for the GPU's DAG`);
        context = await buildLightCacheHere(own, options.signal ? { signal: options.signal } : {});
      }
      webgpu = await measureKawpowWebGpu({
        height,
        seconds: options.seconds,
        lightCache: context.lightCacheView().slice(),
        datasetItems,
        ...(options.gpuIndex !== undefined ? { gpuIndex: options.gpuIndex } : {}),
        ...(options.gpuListing ? { gpuListing: options.gpuListing } : {}),
        ...(options.signal ? { signal: options.signal } : {}),
        progress: say,
      });
    } catch (err) {
      if (!(err instanceof EngineUnavailableError)) throw err;
      skipped.push({ engine: 'webgpu', reason: why('webgpu', err) });
    }
  }
  return {
    algo: 'kawpow',
    height,
    epoch,
    lightCacheBytes: lightCacheBytes(epoch),
    engines,
    baselines,
    dataset: { items: datasetItems, bytes: datasetItems * 128, reduced: datasetItems < epochItems },
    ...(lookups ? { lookups } : {}),
    ...(webgpu ? { webgpu } : {}),
    skipped,
    machine: machineInfo(),
    date: new Date().toISOString(),
    seconds: options.seconds,
  };
}

/** The human table: each figure per engine, with its ratio to the scalar build and to native cpp-kawpow. */
export function formatKawpowBenchmarkTable(report: KawpowBenchmarkReport): string {
  const scalar = report.engines.find((e) => e.engine === 'wasm');
  const native = report.baselines.native;
  const ratio = (a: number, b: number | undefined, higherIsBetter: boolean) => (b ? `${(higherIsBetter ? a / b : b / a).toFixed(2)}x` : '-');
  const rows: string[][] = [['figure', 'engine', 'value', 'vs scalar', 'vs native']];
  for (const e of report.engines) {
    rows.push([`light cache (${(report.lightCacheBytes / 2 ** 20).toFixed(1)} MiB)`, e.engine, `${e.lightCacheBuildMs.toFixed(0)} ms`, ratio(e.lightCacheBuildMs, scalar?.lightCacheBuildMs, false), ratio(e.lightCacheBuildMs, native?.lightCacheBuildMs, false)]);
  }
  for (const e of report.engines) {
    rows.push(['light verification', e.engine, `${e.verify.medianMs.toFixed(2)} ms (best ${e.verify.bestMs.toFixed(2)})`, ratio(e.verify.medianMs, scalar?.verify.medianMs, false), ratio(e.verify.medianMs, native?.verifyMedianMs, false)]);
  }
  for (const e of report.engines) {
    rows.push(['dataset items (512-bit)', e.engine, `${(e.datasetItemsPerSecond / 1e3).toFixed(1)} k/s`, ratio(e.datasetItemsPerSecond, scalar?.datasetItemsPerSecond, true), '-']);
  }
  if (native) {
    rows.push([`light cache (${(report.lightCacheBytes / 2 ** 20).toFixed(1)} MiB)`, 'native cpp-kawpow', `${native.lightCacheBuildMs.toFixed(0)} ms`, '-', '1.00x']);
    rows.push(['light verification', 'native cpp-kawpow', `${native.verifyMedianMs.toFixed(2)} ms (best ${native.verifyBestMs.toFixed(2)})`, '-', '1.00x']);
  }
  const widths = rows[0]!.map((_, c) => Math.max(...rows.map((r) => r[c]!.length)));
  const fmt = (r: string[]) => r.map((cell, c) => (c < 2 ? cell.padEnd(widths[c]!) : cell.padStart(widths[c]!))).join('  ');
  const m = report.machine;
  const lines = [
    `kawpow, epoch ${report.epoch} (height ${report.height}), ${report.seconds} s per figure, one thread, ${m.cpus} CPU${m.cpus === 1 ? '' : 's'} (${m.model}), Node ${m.node}, ${report.date}`,
    '',
    fmt(rows[0]!),
    widths.map((w) => '-'.repeat(w)).join('  '),
    ...rows.slice(1).map(fmt),
  ];
  const k = report.baselines.keccak512PerSecond;
  if (k) lines.push('', `keccak-512 of 64 bytes (a light-cache step): this module ${(k.module / 1e6).toFixed(2)} M/s, hash-wasm ${(k.hashWasm / 1e6).toFixed(2)} M/s (${(k.module / k.hashWasm).toFixed(2)}x)`);
  if (!native) lines.push('native cpp-kawpow: not measured (--native BIN, built from wasm/bench/native/kawpow-native-bench.cpp)');
  lines.push('', ...datasetLines(report));
  for (const s of report.skipped) lines.push(`skipped ${s.engine}: ${s.reason}`);
  return lines.join('\n');
}

const mib = (bytes: number): string => `${(bytes / 2 ** 20).toFixed(1)} MiB`;
const rate = (perSecond: number, unit: string): string =>
  perSecond >= 1e6 ? `${(perSecond / 1e6).toFixed(2)} M${unit}` : perSecond >= 1e3 ? `${(perSecond / 1e3).toFixed(1)} k${unit}` : `${perSecond.toFixed(1)} ${unit}`;

/** The full-dataset and GPU figures, each with its baseline from the same run and the adapter's name. */
function datasetLines(report: KawpowBenchmarkReport): string[] {
  const d = report.dataset;
  const lines = [
    d.reduced
      ? `dataset: REDUCED to ${mib(d.bytes)} (${d.items} items of 1024 bits; epoch ${report.epoch}'s is ${mib(datasetItemCount(report.epoch) * 128)}): ` +
        'the full-dataset and GPU figures are the same work per hash, but their hashes are not Ravencoin\'s'
      : `dataset: epoch ${report.epoch}'s full ${mib(d.bytes)}`,
  ];
  const l = report.lookups;
  if (l) {
    lines.push(
      `full dataset (${mib(d.bytes)}): built in ${(l.buildMs / 1000).toFixed(1)} s on ${l.threads} worker threads (${mib(d.bytes / (l.buildMs / 1000))}/s)`,
      `share verification by lookups (${l.engine}): ${l.lookups.medianMs.toFixed(3)} ms median (best ${l.lookups.bestMs.toFixed(3)}), ${rate(l.lookups.perSecond, 'shares/s')}; ` +
        `light evaluation of the same shares ${l.light.medianMs.toFixed(2)} ms (${rate(l.light.perSecond, 'shares/s')}): lookups ${(l.light.medianMs / l.lookups.medianMs).toFixed(1)}x faster`,
    );
  }
  const g = report.webgpu;
  if (g) {
    const best = [...report.engines].sort((a, b) => b.datasetItemsPerSecond - a.datasetItemsPerSecond)[0];
    const light = [...report.engines].sort((a, b) => a.verify.medianMs - b.verify.medianMs)[0];
    lines.push(
      `webgpu DAG generation on ${g.adapter}: ${g.dag.items} items (512-bit, ${mib(g.dag.bytes)}, ${g.dag.bindings} binding${g.dag.bindings === 1 ? '' : 's'}) in ${(g.dag.buildMs / 1000).toFixed(2)} s: ` +
        `${rate(g.dag.itemsPerSecond, 'items/s')}, ${(g.dag.bytesPerSecond / 1e6).toFixed(2)} MB/s` +
        (best ? `; ${(g.dag.itemsPerSecond / best.datasetItemsPerSecond).toFixed(2)}x ${best.engine}'s dataset items on one thread` : ''),
      `webgpu search on ${g.adapter}: ${rate(g.search.hashesPerSecond, 'H/s')} (${g.search.hashes} hashes in ${g.search.seconds.toFixed(1)} s, ${g.search.dispatchHashes} per dispatch)` +
        (light ? `; ${(g.search.hashesPerSecond / (1000 / light.verify.medianMs)).toFixed(2)}x ${light.engine}'s light evaluation on one thread (${rate(1000 / light.verify.medianMs, 'H/s')})` : ''),
    );
  }
  return lines;
}
