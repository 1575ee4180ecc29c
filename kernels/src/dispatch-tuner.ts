/**
 * Fits the WebGPU engine's dispatch size to the adapter at hand: big enough that per-dispatch
 * overhead (submit, map, a JS turn) is noise, small enough that one dispatch takes about
 * 50-100 ms, so a page stays responsive, a new job preempts the old one quickly and a watchdog
 * never sees a long-running shader.
 */
import type { WebGpuSha256dEngine } from './sha256d.ts';

/** Wall time one dispatch should take (ms); the middle of the 50-100 ms band. */
export const DEFAULT_DISPATCH_TARGET_MS = 75;

export interface DispatchTuneOptions {
  /** Wall time one dispatch should take (default 75 ms). */
  readonly targetMs?: number;
  /** Upper bound on the tuning itself (default 3 s); the best estimate so far is used then. */
  readonly budgetMs?: number;
  /** Clock (default performance.now). */
  readonly now?: () => number;
}

export interface DispatchTuneResult {
  /** The dispatch size now set on the engine. */
  readonly dispatchNonces: number;
  /** Measured wall time of the largest probe dispatch (ms). */
  readonly probeMs: number;
  /** Nonces in that probe. */
  readonly probeNonces: number;
  /** Hash rate the probe measured (hashes per second). */
  readonly hashesPerSecond: number;
}

/** A probe shorter than this (ms) is dominated by overhead and is grown before extrapolating. */
const MIN_PROBE_MS = 25;
/** Timings per probe size; the fastest counts. */
const PROBE_REPEATS = 3;
/** Largest growth between probes, so one slow adapter is never handed a multi-second probe. */
const MAX_GROWTH = 8;

/**
 * Measures single dispatches of growing size on a job with no hits and sets
 * `engine.dispatchNonces` so that one dispatch takes about `targetMs`. Returns what it measured.
 */
export async function autoTuneDispatchNonces(engine: WebGpuSha256dEngine, options: DispatchTuneOptions = {}): Promise<DispatchTuneResult> {
  const targetMs = options.targetMs ?? DEFAULT_DISPATCH_TARGET_MS;
  const budgetMs = options.budgetMs ?? 3000;
  const now = options.now ?? (() => performance.now());
  // Target 1 is met by no hash that is not (almost surely) zero: every probe runs hit-free.
  const job = { header: new Uint8Array(80), target: 1n };
  await engine.ready();

  const granularity = engine.dispatchGranularity;
  let nonces = Math.min(granularity * 16, engine.maxDispatchNonces);
  // The first dispatch pays one-off costs (shader specialisation in some drivers): discard it.
  engine.dispatchNonces = nonces;
  await engine.search(job, 0, nonces);

  const started = now();
  let probeMs = 0;
  let probeNonces = nonces;
  for (;;) {
    engine.dispatchNonces = nonces;
    probeNonces = engine.dispatchNonces;
    // Best of PROBE_REPEATS: on a shared machine a single probe may include a preemption.
    probeMs = Infinity;
    for (let i = 0; i < PROBE_REPEATS; i++) {
      const t0 = now();
      await engine.search(job, 0, probeNonces);
      probeMs = Math.min(probeMs, Math.max(now() - t0, 0.01));
    }
    const atLimit = probeNonces >= engine.maxDispatchNonces;
    if (probeMs >= MIN_PROBE_MS || atLimit || now() - started > budgetMs) break;
    nonces = Math.min(probeNonces * Math.min(MAX_GROWTH, Math.ceil(MIN_PROBE_MS / probeMs) * 2), engine.maxDispatchNonces);
  }
  // Throughput is near linear in dispatch size once overhead is amortised: extrapolate.
  engine.dispatchNonces = Math.max(granularity, Math.round((probeNonces * targetMs) / probeMs));
  return {
    dispatchNonces: engine.dispatchNonces,
    probeMs,
    probeNonces,
    hashesPerSecond: (probeNonces / probeMs) * 1000,
  };
}
