/**
 * `otedama mining benchmark --algo sha256d`: hashes per second of each engine (1 thread and N
 * threads; one GPU) beside node:crypto and hash-wasm baselines measured in the same run on the
 * same header (miner/benchmark.ts).
 */
import { cpus } from 'node:os';
import { EngineUnavailableError } from '@otedama/core';
import type { FlagValues } from '../../cli-args.ts';
import type { CliIO } from '../../command.ts';
import { BENCH_ENGINES, formatBenchmarkTable, runBenchmark, type BenchEngine } from '../../miner/benchmark.ts';
import { listGpuAdapters, type GpuListing } from '../../miner/gpu-devices.ts';
import { finishBenchmark, noSuchGpu, progressLine } from '../benchmark-output.ts';

export async function runSha256dBenchmark(f: FlagValues, seconds: number, io: CliIO): Promise<number> {
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
  return finishBenchmark(report, engine, Boolean(f.json), formatBenchmarkTable, io);
}
