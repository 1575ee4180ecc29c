/**
 * `otedama mining benchmark`: hashes per second of each engine (1 thread and N threads; one
 * GPU) beside node:crypto and hash-wasm baselines measured in the same run on the same header.
 * With `--algo kawpow`: light-cache build, light verification and dataset items of both WASM
 * builds, beside the scalar build, hash-wasm's keccak and (--native) cpp-kawpow; verification by
 * lookups in a full dataset beside light evaluation; the GPU's DAG generation and the WebGPU
 * search beside the WASM figures (miner/kawpow-benchmark.ts), on the epoch's dataset or one
 * reduced by --dataset-mib.
 */
import { cpus } from 'node:os';
import { datasetItemCount, EngineUnavailableError, getAlgorithm, kawpowEpoch, type OtedamaError } from '@otedama/core';
import type { FlagValues } from '../cli-args.ts';
import { JSON_FLAG, type CliIO, type Command } from '../command.ts';
import { CliUsageError } from '../errors.ts';
import { BENCH_ENGINES, formatBenchmarkTable, runBenchmark, type BenchEngine } from '../miner/benchmark.ts';
import { formatKawpowBenchmarkTable, KAWPOW_BENCH_ENGINES, MIN_BENCH_DATASET_ITEMS, runKawpowBenchmark, type KawpowBenchEngine } from '../miner/kawpow-benchmark.ts';
import { listGpuAdapters, type GpuListing } from '../miner/gpu-devices.ts';

/** Longest accepted --seconds: a benchmark, not a soak test. */
const MAX_BENCH_SECONDS = 3600;

export const miningBenchmarkCommand: Command = {
  words: ['mining', 'benchmark'],
  summary: 'measure hashes/s of each mining engine beside node:crypto and hash-wasm baselines',
  usage: '[--algo sha256d|kawpow] [--engine js|wasm|wasm-simd|webgpu|all] [--threads N] [--seconds S] [--json]',
  details: [
    'CPU engines and baselines run in worker threads over disjoint nonce ranges of one header,',
    'first on 1 thread, then on N; webgpu runs the WGSL kernel on one adapter (--gpu).',
    'With --engine all, an engine that cannot run here is skipped with its reason.',
    '',
    'kawpow (one thread): the light cache of the epoch of --height, light verification of a valid',
    'share and 512-bit dataset items for wasm-simd and wasm, beside the scalar build, hash-wasm\'s',
    'keccak-512 and, with --native BIN, cpp-kawpow (wasm/bench/native/kawpow-native-bench.cpp);',
    'then verification by lookups in the full dataset (built in 2 worker threads, as an edge with',
    'chain.kawpow.verification: full) beside light evaluation of the same shares; webgpu builds the',
    'DAG on the GPU (items/s, MB/s, progress) and runs the search (H/s) on adapter --gpu, each beside',
    'the WASM figures. The dataset is the epoch\'s (1 GiB at epoch 0) unless --dataset-mib reduces it',
    'for a machine that cannot hold it: the same work per hash, but not Ravencoin\'s hashes.',
    '',
    'Examples:',
    '  otedama mining benchmark',
    '  otedama mining benchmark --engine wasm-simd --threads 4 --seconds 10 --json',
    '  otedama mining benchmark --algo kawpow --seconds 3',
    '  otedama mining benchmark --algo kawpow --dataset-mib 64 --gpu 0',
  ].join('\n'),
  flags: [
    { name: 'algo', type: 'string', default: 'sha256d', help: 'proof-of-work algorithm', metavar: 'NAME' },
    { name: 'engine', type: 'string', default: 'all', choices: [...BENCH_ENGINES, 'all'], help: 'engine to measure', metavar: 'NAME' },
    { name: 'threads', type: 'integer', min: 1, max: 1024, help: `N for the N-thread figures (default: all cores, ${cpus().length} here)`, metavar: 'N' },
    { name: 'seconds', type: 'number', default: 5, help: 'seconds measured per figure, after a short warm-up', metavar: 'S' },
    { name: 'gpu', type: 'integer', default: 0, min: 0, max: 999, help: 'adapter index for webgpu (see otedama gpu list)', metavar: 'INDEX' },
    { name: 'height', type: 'integer', default: 1, min: 0, max: 7_687_499, help: 'kawpow: block height whose epoch is measured', metavar: 'H' },
    { name: 'dataset-mib', type: 'number', help: "kawpow: reduce the full dataset and the GPU's DAG to this many MiB (default: the epoch's)", metavar: 'MIB' },
    { name: 'native', type: 'string', help: "kawpow: cpp-kawpow harness binary, a native baseline (also $OTEDAMA_KAWPOW_NATIVE)", metavar: 'BIN' },
    JSON_FLAG,
  ],
  async run(args, io) {
    const f = args.flags;
    if (args.positionals.length) throw new CliUsageError(`unexpected argument "${args.positionals[0]}"`);
    let algo;
    try {
      algo = getAlgorithm(String(f.algo));
    } catch (err) {
      throw new CliUsageError((err as OtedamaError).reason);
    }
    const seconds = Number(f.seconds);
    if (!(seconds > 0)) throw new CliUsageError(`--seconds must be more than 0 (got ${f.seconds})`);
    if (seconds > MAX_BENCH_SECONDS) throw new CliUsageError(`--seconds must be at most ${MAX_BENCH_SECONDS} (got ${f.seconds})`);
    if (algo.name === 'kawpow') return runKawpow(f, seconds, io);
    if (f.native !== undefined) throw new CliUsageError('--native is a KawPow baseline (--algo kawpow)');
    if (f['dataset-mib'] !== undefined) throw new CliUsageError('--dataset-mib sizes the KawPow dataset (--algo kawpow)');
    const threads = f.threads === undefined ? Math.max(1, cpus().length) : Number(f.threads);
    const engine = String(f.engine);
    const engines: BenchEngine[] = engine === 'all' ? [...BENCH_ENGINES] : [engine as BenchEngine];
    const gpuIndex = Number(f.gpu);

    // --engine webgpu with no such adapter fails before any baseline is measured.
    let gpuListing: GpuListing | undefined;
    if (engines.includes('webgpu')) {
      gpuListing = await listGpuAdapters();
      if (engine === 'webgpu' && !gpuListing.adapters[gpuIndex]) {
        throw new EngineUnavailableError('webgpu', noSuchGpu(gpuListing, gpuIndex));
      }
    }

    const report = await runBenchmark({
      engines,
      threads,
      seconds,
      gpuIndex,
      ...(gpuListing ? { gpuListing } : {}),
      signal: io.stopSignal,
      progress: progressLine(io),
    });
    return finish(report, engine, Boolean(f.json), formatBenchmarkTable, io);
  },
};

function progressLine(io: CliIO): (line: string) => void {
  return (line) => io.err(`otedama mining benchmark: ${line}`);
}

/** Prints a report (130 when interrupted); an engine asked for by name that could not run is an error, with --engine all a skip. */
function finish<R extends { skipped: readonly { engine: string; reason: string }[] }>(report: R, engine: string, json: boolean, table: (r: R) => string, io: CliIO): number {
  if (io.stopSignal.aborted) {
    io.err('otedama mining benchmark: interrupted');
    return 130;
  }
  if (engine !== 'all') {
    const skip = report.skipped.find((s) => s.engine === engine);
    if (skip) throw new EngineUnavailableError(engine, skip.reason.replace(new RegExp(`^${engine}: `), ''));
  }
  io.out(json ? JSON.stringify(report) : table(report));
  return 0;
}

async function runKawpow(f: FlagValues, seconds: number, io: CliIO): Promise<number> {
  const engine = String(f.engine);
  if (engine === 'js') throw new CliUsageError('KawPow has no js engine (the light evaluation runs in wasm and wasm-simd); choose wasm, wasm-simd, webgpu or all');
  const engines: KawpowBenchEngine[] = engine === 'all' ? [...KAWPOW_BENCH_ENGINES] : [engine as KawpowBenchEngine];
  const native = f.native !== undefined ? String(f.native) : io.env.OTEDAMA_KAWPOW_NATIVE;
  const height = Number(f.height);
  const datasetItems = f['dataset-mib'] === undefined ? undefined : benchDatasetItems(Number(f['dataset-mib']), height);
  const gpuIndex = Number(f.gpu);
  // --engine webgpu with no such adapter fails before anything is measured.
  let gpuListing: GpuListing | undefined;
  if (engines.includes('webgpu')) {
    gpuListing = await listGpuAdapters();
    if (engine === 'webgpu' && !gpuListing.adapters[gpuIndex]) throw new EngineUnavailableError('webgpu', noSuchGpu(gpuListing, gpuIndex));
  }
  const report = await runKawpowBenchmark({
    engines,
    seconds,
    height,
    gpuIndex,
    ...(gpuListing ? { gpuListing } : {}),
    ...(datasetItems !== undefined ? { datasetItems } : {}),
    ...(native ? { native } : {}),
    signal: io.stopSignal,
    progress: progressLine(io),
  });
  return finish(report, engine, Boolean(f.json), formatKawpowBenchmarkTable, io);
}

function noSuchGpu(listing: GpuListing, index: number): string {
  return listing.adapters.length ? `there is no GPU ${index}; adapters are 0..${listing.adapters.length - 1} (see otedama gpu list)` : `no WebGPU adapter: ${listing.reason ?? 'none found'}`;
}

/** --dataset-mib as 1024-bit items: at least 16 KiB (the GPU's smallest DAG), below the epoch's dataset. */
function benchDatasetItems(mib: number, height: number): number {
  const epoch = kawpowEpoch(height);
  const epochItems = datasetItemCount(epoch);
  const epochMib = (epochItems * 128) / 2 ** 20;
  const items = Math.floor((mib * 2 ** 20) / 128);
  if (!Number.isFinite(mib) || items < MIN_BENCH_DATASET_ITEMS || items > epochItems) {
    throw new CliUsageError(`--dataset-mib must be from ${(MIN_BENCH_DATASET_ITEMS * 128) / 2 ** 20} (16 KiB) to ${epochMib.toFixed(1)} (epoch ${epoch}'s dataset) (got ${mib})`);
  }
  return items;
}
