/**
 * `otedama mining benchmark`: hashes per second of each engine (1 thread and N threads; one
 * GPU) beside node:crypto and hash-wasm baselines measured in the same run on the same header.
 * With `--algo kawpow`: light-cache build, light verification and dataset items of both WASM
 * builds, beside the scalar build, hash-wasm's keccak and (--native) cpp-kawpow, and the WebGPU
 * search (miner/kawpow-benchmark.ts).
 */
import { cpus } from 'node:os';
import { EngineUnavailableError, getAlgorithm, type OtedamaError } from '@otedama/core';
import type { FlagValues } from '../cli-args.ts';
import { JSON_FLAG, type CliIO, type Command } from '../command.ts';
import { CliUsageError } from '../errors.ts';
import { BENCH_ENGINES, formatBenchmarkTable, runBenchmark, type BenchEngine } from '../miner/benchmark.ts';
import { formatKawpowBenchmarkTable, KAWPOW_BENCH_ENGINES, runKawpowBenchmark, type KawpowBenchEngine } from '../miner/kawpow-benchmark.ts';
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
    'webgpu measures the KawPow search once its kernel is built in.',
    '',
    'Examples:',
    '  otedama mining benchmark',
    '  otedama mining benchmark --engine wasm-simd --threads 4 --seconds 10 --json',
    '  otedama mining benchmark --algo kawpow --seconds 3',
  ].join('\n'),
  flags: [
    { name: 'algo', type: 'string', default: 'sha256d', help: 'proof-of-work algorithm', metavar: 'NAME' },
    { name: 'engine', type: 'string', default: 'all', choices: [...BENCH_ENGINES, 'all'], help: 'engine to measure', metavar: 'NAME' },
    { name: 'threads', type: 'integer', min: 1, max: 1024, help: `N for the N-thread figures (default: all cores, ${cpus().length} here)`, metavar: 'N' },
    { name: 'seconds', type: 'number', default: 5, help: 'seconds measured per figure, after a short warm-up', metavar: 'S' },
    { name: 'gpu', type: 'integer', default: 0, min: 0, max: 999, help: 'adapter index for webgpu (see otedama gpu list)', metavar: 'INDEX' },
    { name: 'height', type: 'integer', default: 1, min: 0, max: 7_687_499, help: 'kawpow: block height whose epoch is measured', metavar: 'H' },
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
    const threads = f.threads === undefined ? Math.max(1, cpus().length) : Number(f.threads);
    const engine = String(f.engine);
    const engines: BenchEngine[] = engine === 'all' ? [...BENCH_ENGINES] : [engine as BenchEngine];
    const gpuIndex = Number(f.gpu);

    // --engine webgpu with no such adapter fails before any baseline is measured.
    let gpuListing: GpuListing | undefined;
    if (engines.includes('webgpu')) {
      gpuListing = await listGpuAdapters();
      if (engine === 'webgpu' && !gpuListing.adapters[gpuIndex]) {
        throw new EngineUnavailableError(
          'webgpu',
          gpuListing.adapters.length ? `there is no GPU ${gpuIndex}; adapters are 0..${gpuListing.adapters.length - 1} (see otedama gpu list)` : `no WebGPU adapter: ${gpuListing.reason ?? 'none found'}`,
        );
      }
    }

    const report = await runBenchmark({
      engines,
      threads,
      seconds,
      gpuIndex,
      ...(gpuListing ? { gpuListing } : {}),
      signal: io.stopSignal,
      progress: (line) => io.err(`otedama mining benchmark: ${line}`),
    });
    if (io.stopSignal.aborted) {
      io.err('otedama mining benchmark: interrupted');
      return 130;
    }
    // An engine asked for by name that cannot run is an error; with --engine all it is a skip.
    if (engine !== 'all') {
      const skip = report.skipped.find((s) => s.engine === engine);
      if (skip) throw new EngineUnavailableError(engine, skip.reason.replace(new RegExp(`^${engine}: `), ''));
    }
    io.out(f.json ? JSON.stringify(report) : formatBenchmarkTable(report));
    return 0;
  },
};

async function runKawpow(f: FlagValues, seconds: number, io: CliIO): Promise<number> {
  const engine = String(f.engine);
  if (engine === 'js') throw new CliUsageError('KawPow has no js engine (the light evaluation runs in wasm and wasm-simd); choose wasm, wasm-simd, webgpu or all');
  const engines: KawpowBenchEngine[] = engine === 'all' ? [...KAWPOW_BENCH_ENGINES] : [engine as KawpowBenchEngine];
  const native = f.native !== undefined ? String(f.native) : io.env.OTEDAMA_KAWPOW_NATIVE;
  const report = await runKawpowBenchmark({
    engines,
    seconds,
    height: Number(f.height),
    ...(native ? { native } : {}),
    signal: io.stopSignal,
    progress: (line) => io.err(`otedama mining benchmark: ${line}`),
  });
  if (io.stopSignal.aborted) {
    io.err('otedama mining benchmark: interrupted');
    return 130;
  }
  if (engine !== 'all') {
    const skip = report.skipped.find((s) => s.engine === engine);
    if (skip) throw new EngineUnavailableError(engine, skip.reason);
  }
  io.out(f.json ? JSON.stringify(report) : formatKawpowBenchmarkTable(report));
  return 0;
}
