/**
 * `otedama mining benchmark --algo sha256d`: hashes per second of each engine (1 thread and N
 * threads; one GPU) beside node:crypto and hash-wasm baselines measured in the same run on the
 * same header (miner/benchmark.ts).
 */
import { cpus } from 'node:os';
import type { FlagValues } from '../../cli-args.ts';
import type { CliIO } from '../../command.ts';
import { BENCH_ENGINES, formatBenchmarkTable, runBenchmark, type BenchEngine } from '../../miner/benchmark.ts';
import { finishBenchmark, gpuListingFor, progressLine } from '../benchmark-output.ts';

export async function runSha256dBenchmark(f: FlagValues, seconds: number, io: CliIO): Promise<number> {
  const threads = f.threads === undefined ? Math.max(1, cpus().length) : Number(f.threads);
  const engine = String(f.engine);
  const engines: BenchEngine[] = engine === 'all' ? [...BENCH_ENGINES] : [engine as BenchEngine];
  const gpuIndex = Number(f.gpu);
  const gpuListing = await gpuListingFor(engines, engine, gpuIndex);
  const report = await runBenchmark({
    engines,
    threads,
    seconds,
    gpuIndex,
    ...(gpuListing ? { gpuListing } : {}),
    signal: io.stopSignal,
    progress: progressLine(io),
  });
  return finishBenchmark(report, engine, Boolean(f.json), formatBenchmarkTable, io);
}
