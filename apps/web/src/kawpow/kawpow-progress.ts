/**
 * Progress of the builds a KawPow miner waits for before it hashes: an epoch's light cache (WASM,
 * in a worker: 16-150 MiB, seconds) and its DAG (WebGPU: 1-5 GiB built in chunks of about
 * 100 ms, seconds to minutes). Percent and time left for the page, from what the builders report.
 * Pure: no DOM, no timers.
 */

export type KawpowBuildKind = 'light cache' | 'DAG';

/** What a builder reports after each chunk. */
export interface KawpowBuildReport {
  readonly what: KawpowBuildKind;
  /** "CPU worker 1", "GPU worker". */
  readonly device: string;
  readonly epoch: number;
  readonly done: number;
  readonly total: number;
}

/** A build as the page shows it. */
export interface KawpowBuildStatus {
  readonly what: KawpowBuildKind;
  readonly device: string;
  readonly epoch: number;
  /** 0..100, one decimal. */
  readonly percent: number;
  /** Seconds left at the rate so far; null until 1 % is done. */
  readonly etaSeconds: number | null;
}

/** Tracks builds by device and kind, from their reports and a clock (ms). */
export class KawpowBuildTracker {
  private readonly builds = new Map<string, { report: KawpowBuildReport; startedAt: number }>();

  /** Records a report; a report with done >= total ends that build. Returns whether it ended. */
  report(r: KawpowBuildReport, now: number): boolean {
    const key = `${r.what}\u0000${r.device}`;
    if (r.done >= r.total) return this.builds.delete(key);
    const known = this.builds.get(key);
    if (!known || known.report.epoch !== r.epoch) this.builds.set(key, { report: r, startedAt: now });
    else known.report = r;
    return false;
  }

  /** Forgets every build of `device` (it stopped, or was cancelled). */
  clear(device?: string): void {
    if (device === undefined) this.builds.clear();
    else for (const [k, v] of this.builds) if (v.report.device === device) this.builds.delete(k);
  }

  statuses(now: number): KawpowBuildStatus[] {
    return [...this.builds.values()].map(({ report, startedAt }) => buildStatus(report, now - startedAt));
  }
}

/** Percent and time left of a build `elapsedMs` after it started. */
export function buildStatus(r: KawpowBuildReport, elapsedMs: number): KawpowBuildStatus {
  const fraction = r.total > 0 ? Math.min(1, Math.max(0, r.done / r.total)) : 0;
  const etaSeconds = fraction >= 0.01 && fraction < 1 ? Math.round((elapsedMs / 1000 / fraction) * (1 - fraction)) : fraction >= 1 ? 0 : null;
  return { what: r.what, device: r.device, epoch: r.epoch, percent: Math.floor(fraction * 1000) / 10, etaSeconds };
}

/** "Building the DAG of epoch 598 on the GPU worker: 43.5 %, about 1 min 20 s left". */
export function formatBuildStatus(s: KawpowBuildStatus): string {
  const where = s.what === 'DAG' ? ` on the ${s.device}` : '';
  const left = s.etaSeconds === null ? '' : `, about ${formatSeconds(s.etaSeconds)} left`;
  return `Building the ${s.what} of epoch ${s.epoch}${where}: ${s.percent} %${left}`;
}

function formatSeconds(s: number): string {
  if (s < 60) return `${s} s`;
  const m = Math.floor(s / 60);
  if (m < 60) return `${m} min ${s % 60} s`;
  return `${Math.floor(m / 60)} h ${m % 60} min`;
}
