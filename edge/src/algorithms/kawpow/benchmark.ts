/**
 * `otedama mining benchmark --algo kawpow`: light-cache build, light verification and dataset
 * items of both WASM builds, beside the scalar build, hash-wasm's keccak and (--native)
 * cpp-kawpow; verification by lookups in a full dataset beside light evaluation; the GPU's DAG
 * generation and the WebGPU search beside the WASM figures (miner/kawpow-benchmark.ts), on the
 * epoch's dataset or one reduced by --dataset-mib.
 */
import { datasetItemCount, kawpowEpoch } from '@otedama/core';
import type { FlagSpec, FlagValues } from '../../cli-args.ts';
import type { CliIO } from '../../command.ts';
import { CliUsageError } from '../../errors.ts';
import { formatKawpowBenchmarkTable, KAWPOW_BENCH_ENGINES, MIN_BENCH_DATASET_ITEMS, runKawpowBenchmark, type KawpowBenchEngine } from '../../miner/kawpow-benchmark.ts';
import { finishBenchmark, gpuListingFor, progressLine } from '../benchmark-output.ts';

export const KAWPOW_BENCH_FLAGS: readonly FlagSpec[] = [
  { name: 'height', type: 'integer', default: 1, min: 0, max: 7_687_499, help: 'kawpow: block height whose epoch is measured', metavar: 'H' },
  { name: 'dataset-mib', type: 'number', help: "kawpow: reduce the full dataset and the GPU's DAG to this many MiB (default: the epoch's)", metavar: 'MIB' },
  { name: 'native', type: 'string', help: "kawpow: cpp-kawpow harness binary, a native baseline (also $OTEDAMA_KAWPOW_NATIVE)", metavar: 'BIN' },
];

/** KawPow's flags given with another --algo: the usage error each is. */
export const KAWPOW_BENCH_EXCLUSIVE: Readonly<Record<string, string>> = {
  native: '--native is a KawPow baseline (--algo kawpow)',
  'dataset-mib': '--dataset-mib sizes the KawPow dataset (--algo kawpow)',
};

export async function runKawpowBench(f: FlagValues, seconds: number, io: CliIO): Promise<number> {
  const engine = String(f.engine);
  if (engine === 'js') throw new CliUsageError('KawPow has no js engine (the light evaluation runs in wasm and wasm-simd); choose wasm, wasm-simd, webgpu or all');
  const engines: KawpowBenchEngine[] = engine === 'all' ? [...KAWPOW_BENCH_ENGINES] : [engine as KawpowBenchEngine];
  const native = f.native !== undefined ? String(f.native) : io.env.OTEDAMA_KAWPOW_NATIVE;
  const height = Number(f.height);
  const datasetItems = f['dataset-mib'] === undefined ? undefined : benchDatasetItems(Number(f['dataset-mib']), height);
  const gpuIndex = Number(f.gpu);
  const gpuListing = await gpuListingFor(engines, engine, gpuIndex);
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
  return finishBenchmark(report, engine, Boolean(f.json), formatKawpowBenchmarkTable, io);
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
