/**
 * KawPow on WebAssembly: what a validator and an edge pay, each figure beside a baseline
 * measured in the same run.
 *
 *   npm run bench:kawpow -- [--epoch=0] [--shares=60] [--rounds=3] [--threads=2]
 *                           [--dataset-mib=64] [--native=/tmp/kawpow-native-bench]
 *
 *   - light verification per share (SIMD and scalar builds): a valid share, so the whole light
 *     evaluation runs; beside native cpp-kawpow's verify() on the same machine when --native
 *     (or OTEDAMA_KAWPOW_NATIVE) names the harness binary of wasm/bench/native/;
 *   - light-cache build per epoch (both builds, and native);
 *   - keccak-512 of 64 bytes (a light-cache step) beside hash-wasm's keccak-512;
 *   - dataset items (512-bit) per second on one thread and in worker threads, and what that
 *     means for a full dataset of the epoch;
 *   - a share checked by lookups in a dataset held in memory (reduced to --dataset-mib) beside
 *     light evaluation at the same size and at the real size.
 *
 * Writes the figures as JSON to bench/results/kawpow-<date>.json. The machine is shared: compare
 * figures of one run, and rerun when the load average is high.
 */
import { spawnSync } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { cpus, loadavg } from 'node:os';
import { fileURLToPath } from 'node:url';
import { createKeccak } from 'hash-wasm';
import { datasetBytes, kawpowHashValue, lightCacheBytes, type KawpowShare } from '@otedama/core';
import { compileKawpowModule, KawpowContext, KawpowDataset } from '../src/index.ts';

const arg = (name: string, fallback: number): number => {
  const found = process.argv.find((a) => a.startsWith(`--${name}=`));
  return found ? Number(found.slice(name.length + 3)) : fallback;
};
const EPOCH = arg('epoch', 0);
const SHARES = arg('shares', 60);
const ROUNDS = arg('rounds', 3);
const THREADS = arg('threads', 2);
const DATASET_MIB = arg('dataset-mib', 64);
const NATIVE = process.argv.find((a) => a.startsWith('--native='))?.slice(9) ?? process.env['OTEDAMA_KAWPOW_NATIVE'];
const HEIGHT = EPOCH * 7500 + 1;
/** 512-bit items per single-thread dataset measurement (about 0.3 s with SIMD). */
const ITEMS_PER_SAMPLE = 16_384;

const median = (xs: number[]): number => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 ? s[(s.length - 1) / 2]! : (s[s.length / 2 - 1]! + s[s.length / 2]!) / 2;
};
const ms = (t0: number): number => performance.now() - t0;
const log = (line: string): void => void process.stdout.write(line + '\n');
const progress = (line: string): void => void process.stderr.write(line + '\n');

/** `count` valid shares at HEIGHT with their targets (each share's own final hash). */
function makeShares(context: KawpowContext, count: number): { share: KawpowShare; target: bigint }[] {
  return Array.from({ length: count }, (_, i) => {
    const headerHash = Uint8Array.from({ length: 32 }, (_, k) => (k * 13 + i * 101) & 0xff);
    const nonce = BigInt(i) * 0x9e37_79b9_7f4an;
    const { mixHash, finalHash } = context.hash(headerHash, nonce, HEIGHT);
    return { share: { headerHash, nonce, height: HEIGHT, mixHash }, target: kawpowHashValue(finalHash) };
  });
}

/** Times `verify` on every share; returns the per-share times in ms. */
function timeShares(shares: { share: KawpowShare; target: bigint }[], verify: (s: KawpowShare, t: bigint) => boolean): number[] {
  return shares.map(({ share, target }) => {
    const t0 = performance.now();
    if (!verify(share, target)) throw new Error('a valid share failed verification');
    return ms(t0);
  });
}

interface NativeFigures {
  light_cache_build_ms: number;
  verify_median_ms: number;
  verify_best_ms: number;
}

/** One run of the native harness (it builds its own light cache, then verifies SHARES shares). */
function runNative(): NativeFigures | undefined {
  if (!NATIVE) return undefined;
  progress(`native: ${NATIVE} ${EPOCH} ${SHARES}`);
  const r = spawnSync(NATIVE, [String(EPOCH), String(SHARES)], { encoding: 'utf8' });
  if (r.status !== 0) {
    progress(`native harness failed (${r.error?.message ?? `exit ${r.status}`}): ${r.stderr}`);
    return undefined;
  }
  return JSON.parse(r.stdout.trim()) as NativeFigures;
}

const builds = { simd: [] as number[], scalar: [] as number[] };
const nativeRuns: NativeFigures[] = [];
const verifies = { simd: [] as number[], scalar: [] as number[] };
const itemRates = { simd: [] as number[], scalar: [] as number[] };
const modules = { simd: await compileKawpowModule(true), scalar: await compileKawpowModule(false) };
let simdContext: KawpowContext | undefined;

for (let round = 0; round < ROUNDS; round++) {
  for (const kind of ['simd', 'scalar'] as const) {
    progress(`round ${round + 1}/${ROUNDS}: ${kind} light cache of epoch ${EPOCH}`);
    const context = KawpowContext.create(modules[kind], EPOCH);
    let t0 = performance.now();
    context.buildAll();
    builds[kind].push(ms(t0));
    const shares = makeShares(context, kind === 'simd' ? SHARES : Math.max(5, Math.floor(SHARES / 4)));
    verifies[kind].push(...timeShares(shares, (s, t) => context.verify(s.headerHash, s.nonce, s.height, s.mixHash, t).code === 'ok'));
    t0 = performance.now();
    context.datasetItems512(1_000_000, ITEMS_PER_SAMPLE);
    itemRates[kind].push(ITEMS_PER_SAMPLE / (ms(t0) / 1000));
    if (kind === 'simd') simdContext = context;
  }
  // The native reference takes its turn in every round, so that all see the same machine load.
  const n = runNative();
  if (n) nativeRuns.push(n);
}
const native: NativeFigures | undefined = nativeRuns.length
  ? {
      light_cache_build_ms: median(nativeRuns.map((n) => n.light_cache_build_ms)),
      verify_median_ms: median(nativeRuns.map((n) => n.verify_median_ms)),
      verify_best_ms: Math.min(...nativeRuns.map((n) => n.verify_best_ms)),
    }
  : undefined;

// Keccak-512 of 64 bytes: this module (a light-cache fill step) beside hash-wasm.
const context = simdContext!;
const KECCAK_COUNT = 200_000;
const keccak = await createKeccak(512);
const block = new Uint8Array(64).fill(0x5a);
let t0 = performance.now();
let digest: Uint8Array = block;
for (let i = 0; i < KECCAK_COUNT; i++) {
  keccak.init();
  keccak.update(digest);
  digest = keccak.digest('binary');
}
const hashWasmKeccakRate = KECCAK_COUNT / (ms(t0) / 1000);
const steps = KawpowContext.create(modules.simd, EPOCH);
t0 = performance.now();
steps.buildStep(lightCacheBytes(EPOCH) / 64); // exactly the sequential pass: one keccak-512 of 64 bytes per item
const moduleKeccakRate = lightCacheBytes(EPOCH) / 64 / (ms(t0) / 1000);

// The full dataset held in memory, reduced to DATASET_MIB, built in worker threads.
const reducedItems = DATASET_MIB * 8192; // 1024-bit items per MiB
progress(`dataset: ${DATASET_MIB} MiB in ${THREADS} worker threads`);
t0 = performance.now();
const dataset = await KawpowDataset.build(modules.simd, context, { threads: THREADS, datasetItems: reducedItems });
const datasetSeconds = ms(t0) / 1000;
const workerItemRate = (2 * reducedItems) / datasetSeconds;
const reducedShares = Array.from({ length: SHARES }, (_, i) => {
  const headerHash = Uint8Array.from({ length: 32 }, (_, k) => (k * 7 + i * 29) & 0xff);
  const nonce = BigInt(i) * 0x1234_5678_9an;
  const { mixHash, finalHash } = dataset.hash(context, headerHash, nonce, HEIGHT);
  return { share: { headerHash, nonce, height: HEIGHT, mixHash }, target: kawpowHashValue(finalHash) };
});
const lookupTimes: number[] = [];
const lightReducedTimes: number[] = [];
for (let round = 0; round < ROUNDS; round++) {
  lookupTimes.push(...timeShares(reducedShares, (s, t) => dataset.verify(context, s, t).valid));
  lightReducedTimes.push(...timeShares(reducedShares, (s, t) => context.verify(s.headerHash, s.nonce, s.height, s.mixHash, t, reducedItems).code === 'ok'));
}

const fullDatasetBytes = datasetBytes(EPOCH);
const fullBuildSeconds = (fullDatasetBytes / 64) / workerItemRate;
const figures = {
  date: new Date().toISOString(),
  machine: { cpus: cpus().length, model: cpus()[0]?.model ?? 'unknown', node: process.versions.node, loadavg: loadavg().map((x) => Number(x.toFixed(2))) },
  epoch: EPOCH,
  lightVerifyMs: {
    simd: { median: median(verifies.simd), best: Math.min(...verifies.simd), shares: verifies.simd.length },
    scalar: { median: median(verifies.scalar), best: Math.min(...verifies.scalar), shares: verifies.scalar.length },
    native: native ? { median: native.verify_median_ms, best: native.verify_best_ms } : null,
  },
  lightCacheBuildMs: {
    simd: { median: median(builds.simd), best: Math.min(...builds.simd) },
    scalar: { median: median(builds.scalar), best: Math.min(...builds.scalar) },
    native: native ? native.light_cache_build_ms : null,
    bytes: lightCacheBytes(EPOCH),
  },
  keccak512Per64BytesPerSecond: { module: moduleKeccakRate, hashWasm: hashWasmKeccakRate },
  datasetItems512PerSecond: { simdOneThread: median(itemRates.simd), scalarOneThread: median(itemRates.scalar), workerThreads: { threads: THREADS, rate: workerItemRate } },
  fullDataset: { bytes: fullDatasetBytes, estimatedBuildSeconds: fullBuildSeconds },
  datasetInMemory: {
    mib: DATASET_MIB,
    buildSeconds: datasetSeconds,
    verifyByLookupMs: { median: median(lookupTimes), best: Math.min(...lookupTimes) },
    verifyLightSameSizeMs: { median: median(lightReducedTimes), best: Math.min(...lightReducedTimes) },
  },
};

const f = (x: number, digits = 2): string => x.toFixed(digits);
const ratio = (a: number, b: number | undefined | null): string => (b ? `${f(a / b)}x` : '-');
log(`KawPow on WebAssembly, epoch ${EPOCH}, Node ${figures.machine.node}, ${figures.machine.cpus} CPUs (${figures.machine.model}), load ${figures.machine.loadavg.join(' ')}`);
log('');
log('| light verification of a valid share | median ms | best ms | median vs native |');
log('|---|---:|---:|---:|');
log(`| wasm-simd | ${f(figures.lightVerifyMs.simd.median)} | ${f(figures.lightVerifyMs.simd.best)} | ${ratio(figures.lightVerifyMs.simd.median, native?.verify_median_ms)} |`);
log(`| wasm (scalar) | ${f(figures.lightVerifyMs.scalar.median)} | ${f(figures.lightVerifyMs.scalar.best)} | ${ratio(figures.lightVerifyMs.scalar.median, native?.verify_median_ms)} |`);
log(`| native cpp-kawpow | ${native ? f(native.verify_median_ms) : 'not run (--native)'} | ${native ? f(native.verify_best_ms) : '-'} | 1.00x |`);
log('');
log(`| light cache of epoch ${EPOCH} (${f(lightCacheBytes(EPOCH) / 2 ** 20, 1)} MiB) | median ms | best ms | vs native |`);
log('|---|---:|---:|---:|');
log(`| wasm-simd | ${f(figures.lightCacheBuildMs.simd.median, 0)} | ${f(figures.lightCacheBuildMs.simd.best, 0)} | ${ratio(figures.lightCacheBuildMs.simd.median, native?.light_cache_build_ms)} |`);
log(`| wasm (scalar) | ${f(figures.lightCacheBuildMs.scalar.median, 0)} | ${f(figures.lightCacheBuildMs.scalar.best, 0)} | ${ratio(figures.lightCacheBuildMs.scalar.median, native?.light_cache_build_ms)} |`);
log(`| native cpp-kawpow | ${native ? f(native.light_cache_build_ms, 0) : '-'} | - | 1.00x |`);
log('');
log(`keccak-512 of 64 bytes: this module ${f(moduleKeccakRate / 1e6)} M/s, hash-wasm ${f(hashWasmKeccakRate / 1e6)} M/s (${ratio(moduleKeccakRate, hashWasmKeccakRate)})`);
log(`dataset items (512-bit): wasm-simd ${f(figures.datasetItems512PerSecond.simdOneThread / 1e3, 1)} k/s, scalar ${f(figures.datasetItems512PerSecond.scalarOneThread / 1e3, 1)} k/s on one thread; ${f(workerItemRate / 1e3, 1)} k/s in ${THREADS} worker threads`);
log(`  -> the full dataset of epoch ${EPOCH} (${f(fullDatasetBytes / 2 ** 30)} GiB) would take about ${f(fullBuildSeconds / 60, 1)} min with ${THREADS} threads`);
log(`share check with the dataset in memory (${DATASET_MIB} MiB, built in ${f(datasetSeconds, 1)} s): by lookups ${f(figures.datasetInMemory.verifyByLookupMs.median, 3)} ms median, light evaluation at the same size ${f(figures.datasetInMemory.verifyLightSameSizeMs.median)} ms (${ratio(figures.datasetInMemory.verifyLightSameSizeMs.median, figures.datasetInMemory.verifyByLookupMs.median)} faster by lookups)`);

const resultsDir = fileURLToPath(new URL('../../bench/results/', import.meta.url));
mkdirSync(resultsDir, { recursive: true });
const file = `${resultsDir}kawpow-${figures.date.replace(/[:.]/g, '-')}.json`;
writeFileSync(file, JSON.stringify(figures, null, 2) + '\n');
progress(`figures written to ${file}`);
