/** What every algorithm's `otedama mining benchmark` shares: progress lines, the GPU check, the report. */
import { EngineUnavailableError } from '@otedama/core';
import type { CliIO } from '../command.ts';
import { listGpuAdapters, type GpuListing } from '../miner/gpu-devices.ts';

export function progressLine(io: CliIO): (line: string) => void {
  return (line) => io.err(`otedama mining benchmark: ${line}`);
}

/** Prints a report (130 when interrupted); an engine asked for by name that could not run is an error, with --engine all a skip. */
export function finishBenchmark<R extends { skipped: readonly { engine: string; reason: string }[] }>(report: R, engine: string, json: boolean, table: (r: R) => string, io: CliIO): number {
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

/** The adapters when webgpu is measured; --engine webgpu with no such adapter fails before anything is measured. */
export async function gpuListingFor(engines: readonly string[], engine: string, gpuIndex: number): Promise<GpuListing | undefined> {
  if (!engines.includes('webgpu')) return undefined;
  const listing = await listGpuAdapters();
  if (engine === 'webgpu' && !listing.adapters[gpuIndex]) throw new EngineUnavailableError('webgpu', noSuchGpu(listing, gpuIndex));
  return listing;
}

function noSuchGpu(listing: GpuListing, index: number): string {
  return listing.adapters.length ? `there is no GPU ${index}; adapters are 0..${listing.adapters.length - 1} (see otedama gpu list)` : `no WebGPU adapter: ${listing.reason ?? 'none found'}`;
}
