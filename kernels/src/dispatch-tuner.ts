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

/** What the tuner needs of an engine: its dispatch size and a hit-free probe of `count` nonces. */
export interface TunableDispatch {
  /** Dispatch sizes are multiples of this. */
  readonly granularity: number;
  /** Largest dispatch the device allows. */
  readonly max: number;
  /** The dispatch size (the setter rounds and clamps). */
  size: number;
  /** Compiles what the probes run. */
  ready(): Promise<void>;
  /** Searches `count` nonces of a job with no hits. */
  probe(count: number): Promise<void>;
}

export interface GenericTuneResult {
  /** The dispatch size now set. */
  readonly dispatch: number;
  readonly probeMs: number;
  readonly probeCount: number;
  /** Nonces per second the probe measured. */
  readonly perSecond: number;
}

/**
 * Measures single dispatches of growing size (hit-free) and sets the dispatch size so that one
 * dispatch takes about `targetMs`. Returns what it measured.
 */
export async function autoTuneDispatchSize(t: TunableDispatch, options: DispatchTuneOptions = {}): Promise<GenericTuneResult> {
  const targetMs = options.targetMs ?? DEFAULT_DISPATCH_TARGET_MS;
  const budgetMs = options.budgetMs ?? 3000;
  const now = options.now ?? (() => performance.now());
  await t.ready();

  let count = Math.min(t.granularity * 16, t.max);
  // The first dispatch pays one-off costs (shader specialisation in some drivers): discard it.
  t.size = count;
  await t.probe(count);

  const started = now();
  let probeMs = 0;
  let probeCount = count;
  for (;;) {
    t.size = count;
    probeCount = t.size;
    // Best of PROBE_REPEATS: on a shared machine a single probe may include a preemption.
    probeMs = Infinity;
    for (let i = 0; i < PROBE_REPEATS; i++) {
      const t0 = now();
      await t.probe(probeCount);
      probeMs = Math.min(probeMs, Math.max(now() - t0, 0.01));
    }
    const atLimit = probeCount >= t.max;
    if (probeMs >= MIN_PROBE_MS || atLimit || now() - started > budgetMs) break;
    count = Math.min(probeCount * Math.min(MAX_GROWTH, Math.ceil(MIN_PROBE_MS / probeMs) * 2), t.max);
  }
  // Throughput is near linear in dispatch size once overhead is amortised: extrapolate.
  t.size = Math.max(t.granularity, Math.round((probeCount * targetMs) / probeMs));
  return { dispatch: t.size, probeMs, probeCount, perSecond: (probeCount / probeMs) * 1000 };
}

/**
 * Measures single dispatches of growing size on a job with no hits and sets
 * `engine.dispatchNonces` so that one dispatch takes about `targetMs`. Returns what it measured.
 */
export async function autoTuneDispatchNonces(engine: WebGpuSha256dEngine, options: DispatchTuneOptions = {}): Promise<DispatchTuneResult> {
  // Target 1 is met by no hash that is not (almost surely) zero: every probe runs hit-free.
  const job = { header: new Uint8Array(80), target: 1n };
  const r = await autoTuneDispatchSize(
    {
      granularity: engine.dispatchGranularity,
      max: engine.maxDispatchNonces,
      get size() {
        return engine.dispatchNonces;
      },
      set size(n: number) {
        engine.dispatchNonces = n;
      },
      ready: () => engine.ready(),
      probe: async (count) => void (await engine.search(job, 0, count)),
    },
    options,
  );
  return { dispatchNonces: r.dispatch, probeMs: r.probeMs, probeNonces: r.probeCount, hashesPerSecond: r.perSecond };
}
