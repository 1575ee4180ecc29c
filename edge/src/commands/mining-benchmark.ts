/**
 * `otedama mining benchmark`: each algorithm's benchmark (its edge module's, algorithms/<name>/
 * benchmark.ts). SHA-256d: hashes per second of each engine (1 thread and N threads; one GPU)
 * beside node:crypto and hash-wasm baselines measured in the same run on the same header.
 * KawPow: light-cache build, light verification, dataset items, verification by lookups, the
 * GPU's DAG generation and the WebGPU search, each beside its baseline.
 */
import { cpus } from 'node:os';
import { getAlgorithm, type OtedamaError } from '@otedama/core';
import { EDGE_ALGORITHMS, algorithmFlags, edgeAlgorithm, edgeAlgorithmNames } from '../algorithms/registry.ts';
import { JSON_FLAG, type Command } from '../command.ts';
import { CliUsageError } from '../errors.ts';
import { BENCH_ENGINES } from '../miner/benchmark.ts';

/** Longest accepted --seconds: a benchmark, not a soak test. */
const MAX_BENCH_SECONDS = 3600;

export const miningBenchmarkCommand: Command = {
  words: ['mining', 'benchmark'],
  summary: 'measure hashes/s of each mining engine beside node:crypto and hash-wasm baselines',
  usage: `[--algo ${edgeAlgorithmNames().join('|')}] [--engine js|wasm|wasm-simd|webgpu|all] [--threads N] [--seconds S] [--json]`,
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
    ...algorithmFlags('benchmark'),
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
    const own = edgeAlgorithm(algo, 'otedama mining benchmark');
    for (const other of EDGE_ALGORITHMS) {
      if (other === own) continue;
      for (const [flag, misuse] of Object.entries(other.benchmark.exclusive)) if (f[flag] !== undefined) throw new CliUsageError(misuse);
    }
    return own.benchmark.run(f, seconds, io);
  },
};
