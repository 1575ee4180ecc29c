/**
 * What the SHA-256d miner (miner.ts) and the KawPow miner (kawpow-miner.ts) do alike, whatever
 * they hash: which jobs shares are still submitted for, hashrate sampling, the devices' status
 * lines, and waiting for verdicts at stop.
 */
import type { HashMeter } from './hash-meter.ts';
import type { DeviceStatus } from './miner-lifecycle.ts';

/** Job ids (without a clean job in between) whose shares are still submitted. */
export const MAX_LIVE_JOBS = 16;
/** How often device counters are sampled for the hashrate, in ms. */
export const SAMPLE_EVERY_MS = 1000;
/** How long stop() waits for verdicts on shares already submitted (ms). */
export const SUBMIT_DRAIN_MS = 2000;
/** Hits one GPU search reports at most. */
export const GPU_MAX_HITS = 64;

/** A job as far as liveness goes: its id and the connection it came on. */
export interface LiveJob {
  readonly jobId: string;
  readonly connectionId: number;
}

/**
 * The job ids still worth submitting for once `job` arrives: only it after a clean job or on a
 * new connection, else the last MAX_LIVE_JOBS.
 */
export function liveJobIdsAfter(ids: readonly string[], previous: LiveJob | null, job: LiveJob, restart: boolean): string[] {
  if (restart || previous?.connectionId !== job.connectionId) return [job.jobId];
  return [...ids.filter((id) => id !== job.jobId), job.jobId].slice(-MAX_LIVE_JOBS);
}

/** Whether a share of `job` may still be submitted: same connection, a live id, the pool ready. */
export function isLiveJob(current: LiveJob | null, liveIds: readonly string[], job: LiveJob, poolReady: boolean): boolean {
  return !!current && current.connectionId === job.connectionId && liveIds.includes(job.jobId) && poolReady;
}

/** The CPU side as status needs it. */
export interface MeteredCpu {
  readonly threads: number;
  totalHashes(): number;
}

/** A GPU runner as status needs it. */
export interface MeteredGpu {
  readonly hashes: number;
  readonly error: string | null;
  readonly gpu: { readonly label: string; readonly info: { readonly description: string; readonly device: string } };
}

/** Samples every device's counter into its meter ('cpu', or the GPU's label). */
export function sampleMeters(meters: ReadonlyMap<string, HashMeter>, cpu: MeteredCpu | null, gpus: readonly MeteredGpu[]): void {
  if (cpu) meters.get('cpu')?.sample(cpu.totalHashes());
  for (const g of gpus) meters.get(g.gpu.label)?.sample(g.hashes);
}

/** The status line of every device: the CPU threads (`cpuKind` says how they hash), then each GPU. */
export function deviceStatuses(meters: ReadonlyMap<string, HashMeter>, cpu: MeteredCpu | null, cpuKind: string, gpus: readonly MeteredGpu[]): DeviceStatus[] {
  const devices: DeviceStatus[] = [];
  if (cpu) {
    devices.push({ name: 'cpu', kind: cpuKind, threads: cpu.threads, hashesPerSecond: Math.round(meters.get('cpu')!.rate()), hashes: cpu.totalHashes() });
  }
  for (const g of gpus) {
    devices.push({
      name: g.gpu.label,
      kind: 'webgpu',
      description: g.gpu.info.description || g.gpu.info.device,
      hashesPerSecond: Math.round(meters.get(g.gpu.label)!.rate()),
      hashes: g.hashes,
      ...(g.error ? { error: g.error } : {}),
    });
  }
  return devices;
}

/** Lets submits already on the wire get their verdict (they resolve on close at the latest), for up to `ms`. */
export async function drainSubmits(pending: ReadonlySet<Promise<unknown>>, ms = SUBMIT_DRAIN_MS): Promise<void> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  await Promise.race([Promise.all(pending), new Promise((r) => (timer = setTimeout(r, ms)))]);
  clearTimeout(timer);
}
