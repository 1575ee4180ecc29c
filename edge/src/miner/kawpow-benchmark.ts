/**
 * `otedama mining benchmark --algo kawpow`: what KawPow costs on this machine, each figure beside
 * a baseline measured in the same run:
 *
 *   - the light cache of the epoch: build time of the SIMD and the scalar WASM builds (and of
 *     native cpp-kawpow when --native names wasm/bench/native's harness binary);
 *   - light verification of a valid share (the whole light evaluation), per share;
 *   - dataset items (512-bit) on one thread: what building an edge's full dataset costs;
 *   - keccak-512 of 64 bytes, a light-cache step, beside hash-wasm's keccak-512;
 *   - the WebGPU search, through `measureKawpowWebGpuSearch` (a seam until kernels/src/kawpow*
 *     lands: skipped with that reason).
 *
 * The scalar build is the SIMD build's baseline, native cpp-kawpow (optional) both builds'. No
 * figure is asserted anywhere: the report holds what was measured.
 */
import { spawn } from 'node:child_process';
import { createKeccak } from 'hash-wasm';
import { EngineUnavailableError, kawpowEpoch, kawpowHashValue, lightCacheBytes, type KawpowShare } from '@otedama/core';
import { buildLightCacheHere, compileKawpowModule, KawpowContext, type WasmModule } from '@otedama/wasm';
import { machineInfo, type BenchmarkReport } from './benchmark.ts';

export const KAWPOW_BENCH_ENGINES = ['wasm-simd', 'wasm', 'webgpu'] as const;
export type KawpowBenchEngine = (typeof KAWPOW_BENCH_ENGINES)[number];

/** Distinct valid shares verified round-robin (enough that no cache line stays warm between them). */
const BENCH_SHARES = 16;
/** 512-bit dataset items per timed call (about 10-30 ms of work). */
const ITEMS_PER_CALL = 256;
/** keccak-512 steps per timed call of the baseline comparison. */
const KECCAK_PER_CALL = 4096;

export interface KawpowBenchmarkOptions {
  readonly engines: readonly KawpowBenchEngine[];
  /** Seconds measured per figure (light verification, dataset items, keccak). */
  readonly seconds: number;
  /** The block height whose epoch is measured (default 1: epoch 0, 16 MiB). */
  readonly height?: number;
  /** Path of wasm/bench/native's cpp-kawpow harness: a native baseline in the same run. */
  readonly native?: string;
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
  /** WebGPU search rate (hashes per second) once the kernel exists. */
  readonly webgpu?: { readonly hashesPerSecond: number };
  readonly skipped: { readonly engine: string; readonly reason: string }[];
  readonly machine: BenchmarkReport['machine'];
  readonly date: string;
  readonly seconds: number;
}

/**
 * The KawPow WebGPU search, hashes per second on one adapter. The kernel
 * (kernels/src/kawpow*) has not landed on this branch: this seam reports that, and the kernels'
 * integration replaces its body with the search run back to back, as measureWebGpu does for
 * SHA-256d.
 */
export async function measureKawpowWebGpuSearch(_height: number, _seconds: number, _signal?: AbortSignal): Promise<number> {
  throw new EngineUnavailableError('webgpu', 'the KawPow WebGPU search kernel has not landed on this build (kernels/src/kawpow*)');
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

async function measureEngine(simd: boolean, height: number, seconds: number, signal: AbortSignal | undefined, say: (line: string) => void): Promise<{ figures: KawpowEngineFigures; module: WasmModule }> {
  const module = await compileKawpowModule(simd);
  const context = KawpowContext.create(module, kawpowEpoch(height));
  const name = context.engine;
  say(`${name}: building the light cache of epoch ${context.epoch}`);
  const t0 = performance.now();
  await buildLightCacheHere(context, signal ? { signal } : {});
  const lightCacheBuildMs = performance.now() - t0;
  const shares = makeShares(context, height);
  say(`${name}: light verification (${seconds} s)`);
  const verifyTimes = await timed(seconds, signal, (i) => {
    const { share, target } = shares[i % shares.length]!;
    if (context.verify(share.headerHash, share.nonce, share.height, share.mixHash, target).code !== 'ok') throw new Error('a valid share failed verification');
  });
  say(`${name}: dataset items (${seconds} s)`);
  let first = 0;
  const itemTimes = await timed(seconds, signal, () => {
    context.datasetItems512(first, ITEMS_PER_CALL);
    first += ITEMS_PER_CALL;
  });
  const itemMs = itemTimes.reduce((a, b) => a + b, 0);
  const verifyMs = verifyTimes.reduce((a, b) => a + b, 0);
  return {
    module,
    figures: {
      engine: name,
      lightCacheBuildMs,
      verify: { shares: verifyTimes.length, medianMs: median(verifyTimes), bestMs: Math.min(...verifyTimes), perSecond: verifyTimes.length / (verifyMs / 1000) },
      datasetItemsPerSecond: (itemTimes.length * ITEMS_PER_CALL) / (itemMs / 1000),
    },
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
  const say = options.progress ?? (() => {});
  const engines: KawpowEngineFigures[] = [];
  const skipped: { engine: string; reason: string }[] = [];
  const baselines: { keccak512PerSecond?: { module: number; hashWasm: number }; native?: { lightCacheBuildMs: number; verifyMedianMs: number; verifyBestMs: number } } = {};
  let module: WasmModule | undefined;
  for (const engine of options.engines.filter((e) => e !== 'webgpu')) {
    if (options.signal?.aborted) break;
    try {
      const r = await measureEngine(engine === 'wasm-simd', height, options.seconds, options.signal, say);
      engines.push(r.figures);
      module ??= r.module;
    } catch (err) {
      if (!(err instanceof EngineUnavailableError)) throw err;
      skipped.push({ engine, reason: why(engine, err) });
    }
  }
  if (module && !options.signal?.aborted) {
    say(`baseline: keccak-512 of 64 bytes beside hash-wasm (${options.seconds} s)`);
    baselines.keccak512PerSecond = await keccakBaseline(module, epoch, options.seconds, options.signal);
  }
  if (options.native && !options.signal?.aborted) {
    say(`baseline: native cpp-kawpow (${options.native})`);
    try {
      baselines.native = await runNative(options.native, epoch, options.signal);
    } catch (err) {
      if (!(err instanceof EngineUnavailableError)) throw err;
      skipped.push({ engine: 'native', reason: why('native', err) });
    }
  }
  let webgpu: { hashesPerSecond: number } | undefined;
  if (options.engines.includes('webgpu') && !options.signal?.aborted) {
    try {
      webgpu = { hashesPerSecond: await measureKawpowWebGpuSearch(height, options.seconds, options.signal) };
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
  if (report.webgpu) rows.push(['search', 'webgpu', `${(report.webgpu.hashesPerSecond / 1e6).toFixed(2)} MH/s`, '-', '-']);
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
  for (const s of report.skipped) lines.push(`skipped ${s.engine}: ${s.reason}`);
  return lines.join('\n');
}
