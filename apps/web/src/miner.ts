/**
 * The browser miner: CPU workers (WASM) and optionally one GPU worker (WebGPU) fed with work
 * built from the pool's Stratum jobs. Every worker takes its own slice of the shared nonce
 * cursor, so ranges never overlap. Loaded only after the person pressed Start.
 *
 * Runtime rules (the pure parts live in their own modules, with unit tests):
 *   - duty cycle (duty-cycle.ts): intensity x courtesy throttle; after a batch of t ms at duty d
 *     an engine rests t(1-d)/d ms; duty 0 parks every engine (workers and socket stay up);
 *   - supervision (watchdog.ts): a worker whose Worker fires `error` (an uncaught exception) or
 *     whose search outlives max(5 s, 20x its usual batch time) is terminated and replaced by a
 *     fresh one, with backoff if it keeps failing; its range is abandoned (the cursor has moved
 *     on, so nothing overlaps). A GPU device loss is repaired inside the GPU worker (new device,
 *     rebuilt pipelines) and reported here through a comlink-proxied callback;
 *   - the job connection (stratum-ws-client.ts, edge-failover.ts): reconnects with backoff and
 *     fails over along `edges`; shares rejected as stale (code 21, "stale", "job not found")
 *     are counted apart from other rejections (pool-message.ts).
 * Every recovery, failover and state change is an event ({ level, text }) for the page's log.
 */
import * as Comlink from 'comlink';
import { buildStratumHeader, difficultyToTarget, getAlgorithm, u32ToHex, NONCE_SPACE } from '@otedama/core';
import type { CpuWorkerApi, SearchReply } from './cpu-worker.ts';
import { checkIntensity, checkThrottle, MAX_REST_MS, restAfterBatchMs } from './duty-cycle.ts';
import { EdgeFailover } from './edge-failover.ts';
import { RateWindow, type DeviceKind } from './hash-rate.ts';
import { MinerOptionError } from './errors.ts';
import { BROWSER_ALGORITHMS } from './settings.ts';
import type { GpuWorkerApi } from './gpu-worker.ts';
import { initialStats, recordConnectionState, recordShareOutcome, recordThrottle } from './miner-report.ts';
import { StratumWsClient, type ConnectionState, type StratumJob, type StratumWsEvents, type SubmitOutcome } from './stratum-ws-client.ts';
import { WakeSignal } from './wake-signal.ts';
import { DeadlineExceeded, guard, RestartPolicy, searchDeadlineMs, sleep, Tripwire, updateBatchEstimate } from './watchdog.ts';

/** Nonces per CPU worker call: ~50-250 ms at 1-5 MH/s, short enough to switch jobs quickly. */
const BATCH_NONCES = 1 << 18;
/** GPU dispatches per worker call: two keep the engine's double-buffered staging busy. */
const GPU_DISPATCHES_PER_BATCH = 2;
/** A worker's init (WASM compile; GPU device, pipelines and tuning) may take this long (ms). */
const INIT_DEADLINE_MS = 60_000;
/** A GPU worker rebuilding after a device loss may take this long (ms) before it is replaced. */
const GPU_RECOVERY_DEADLINE_MS = 60_000;
/** Time the GPU worker gets to destroy its device on purpose at stop (ms) before it is terminated. */
const GPU_DISPOSE_MS = 300;
/** Most CPU workers one miner runs (far above any real core count; catches typos such as 4000). */
const MAX_THREADS = 256;

export type { DeviceKind };

export interface MinerStats {
  /** Total hash rate (hashes per second) and its split per device. */
  hashrate: number;
  cpuHashrate: number;
  gpuHashrate: number;
  /** Hashes tried since start(). */
  hashes: number;
  accepted: number;
  /** Rejected for any reason but staleness. */
  rejected: number;
  /** Rejected because the job was superseded (Stratum error 21, "stale" or "job not found"). */
  stale: number;
  /** Rejections and stale shares counted per reason text as the pool gave it. */
  rejectReasons: Record<string, number>;
  difficulty: number;
  connection: string;
  /** The job feed URL in use (one of MinerOptions.edges). */
  edge: string;
  /** Name of the GPU adapter in use, if any. */
  gpuAdapter?: string;
  /** Milliseconds from start() to the first finished batch of hashes; undefined until then. */
  firstHashMs?: number;
  /** Effective duty cycle 0..1 (intensity x courtesy throttle); 0 means paused. */
  duty: number;
  /** Why mining is throttled or paused (courtesy), if it is. */
  throttleReason?: string;
  /** Builds the engines wait for (KawPow: an epoch's light cache, the DAG), one line each: "Building the DAG of epoch 0 on the GPU worker: 43.5 %, about 12 s left". */
  builds?: string[];
}

export type MinerEventLevel = 'info' | 'warn' | 'error';

export interface MinerEvent {
  level: MinerEventLevel;
  text: string;
}

export interface MinerOptions {
  address: string;
  worker: string;
  /** Algorithm name from @otedama/core's registry; only 'sha256d' has browser engines today. */
  algorithm: string;
  /** CPU worker count; 0 is allowed when `gpu` is on. */
  threads: number;
  /** Run one WebGPU worker alongside the CPU workers. */
  gpu: boolean;
  /** Share of time the engines compute, 0.1..1 (the person's intensity setting). */
  intensity: number;
  /** Job feed WebSocket URLs (ws:// or wss://…/ws/stratum) in failover order; at least one. */
  edges: string[];
  onStats(stats: MinerStats): void;
  onEvent(event: MinerEvent): void;
  /**
   * Where jobs come from and shares go: default a Stratum client over `edges`; the sharechain's
   * job client (p2p/chain-job-client.ts) when the page is a peer of the pool's network.
   */
  jobClient?(events: StratumWsEvents): JobClient;
}

/** What the miner needs from a job source (StratumWsClient has this shape). */
export interface JobClient {
  readonly url: string;
  readonly extranonce1: string;
  readonly extranonce2Size: number;
  readonly sessionKey: string;
  start(): void;
  stop(): void;
  submit(jobId: string, extranonce2: string, ntime: string, nonce: string): Promise<SubmitOutcome>;
}

/**
 * What main.ts calls on a BrowserMiner (implemented below):
 *   start(), stop();
 *   setIntensity(0.1..1) — the person's setting, applied from the next batch;
 *   setThrottle(factor 0..1, reason?) — courtesy: multiplies the intensity, 0 pauses every engine
 *     (workers stay alive, the job socket stays open), 1 with no reason lifts it;
 *   nextJob(): Promise<void> — resolves when the next job from the pool has been taken up (used to
 *     let a service-worker update take over between jobs).
 */

/**
 * Checks the algorithm option: known to core's registry, and one this page has browser engines for.
 * Returns the registry name.
 */
export function checkBrowserAlgorithm(name: unknown): string {
  if (typeof name !== 'string' || !name.trim()) throw new MinerOptionError('choose an algorithm (sha256d)');
  let algo: ReturnType<typeof getAlgorithm>;
  try {
    algo = getAlgorithm(name.trim());
  } catch (err) {
    throw new MinerOptionError((err as { reason?: string }).reason ?? String(err));
  }
  if (!BROWSER_ALGORITHMS.some((a) => a.name === algo.name)) {
    throw new MinerOptionError(`${algo.title} has no browser engine yet; this page mines ${BROWSER_ALGORITHMS.map((a) => a.name).join(', ')}`);
  }
  return algo.name;
}

/**
 * What the page and the miner runtime call on a miner, whichever algorithm it mines (BrowserMiner
 * for SHA-256d, KawpowMiner for KawPow; miner-algorithms.ts picks one by the algorithm's name).
 */
export interface PageMiner {
  start(): Promise<void>;
  stop(): Promise<void>;
  setIntensity(intensity: number): void;
  setThrottle(factor: number, reason?: string): void;
  restFor(ms: number): Promise<void>;
  nextJob(): Promise<void>;
}

/** Checks every option and returns the failover plan for `edges`; throws MinerOptionError with the reason. */
export function checkMinerOptions(options: MinerOptions): EdgeFailover {
  // Which network the address must be on is the caller's check (it knows the pool's chain);
  // here only what would break the Stratum user name "address.worker".
  if (typeof options.address !== 'string' || !/^[A-Za-z0-9]{14,100}$/.test(options.address)) {
    throw new MinerOptionError(`payout address must be 14-100 letters and digits (got ${JSON.stringify(String(options.address).slice(0, 40))})`);
  }
  if (typeof options.worker !== 'string' || !/^[\w-]{0,64}$/.test(options.worker)) {
    throw new MinerOptionError(`worker name must be up to 64 letters, digits, "_" or "-" (got ${JSON.stringify(options.worker)})`);
  }
  checkBrowserAlgorithm(options.algorithm);
  if (!Number.isInteger(options.threads) || options.threads < 0 || options.threads > MAX_THREADS) {
    throw new MinerOptionError(`CPU threads must be a whole number from 0 to ${MAX_THREADS} (got ${String(options.threads)})`);
  }
  if (options.threads === 0 && !options.gpu) throw new MinerOptionError('choose at least one CPU thread or the GPU');
  checkIntensity(options.intensity);
  return new EdgeFailover(options.edges);
}

interface Work {
  job: StratumJob;
  extranonce2: string;
  header: Uint8Array;
  target: bigint;
  cursor: number;
  /** The connection this work belongs to (StratumWsClient.sessionKey). */
  sessionKey: string;
}

/** What the miner needs from a worker, whichever engine it runs. */
interface EngineApi {
  search(header: Uint8Array, target: bigint, start: number, count: number): Promise<SearchReply>;
  /** Rests `ms` on the worker's own timers (the duty cycle's pause between batches). */
  rest(ms: number): Promise<void>;
  /** GPU: settles when a rebuild after device loss is over. */
  ready?(): Promise<void>;
  dispose?(): Promise<void>;
}

/** One engine's place in the miner: survives the workers that fill it. */
interface EngineSlot {
  readonly kind: DeviceKind;
  /** "CPU worker 2", "GPU worker": how events name it. */
  readonly label: string;
  readonly index: number;
  worker: Worker | undefined;
  api: EngineApi | undefined;
  /** Trips when the current worker fires `error`. */
  crash: Tripwire;
  batchNonces: number;
  /** Running estimate of one batch's duration (ms); undefined until measured. */
  expectedMs: number | undefined;
  /** Wait before the next restart (ms). */
  restartDelayMs: number;
  readonly restarts: RestartPolicy;
}

class WorkerCrashed extends Error {
  override readonly name = 'WorkerCrashed';
}
class MinerStopped extends Error {
  override readonly name = 'MinerStopped';
}

function describeFailure(err: unknown): string {
  if (err instanceof WorkerCrashed) return `crashed (${err.message})`;
  if (err instanceof DeadlineExceeded) return `hung (${err.message})`;
  return `failed (${err instanceof Error ? err.message : String(err)})`;
}

/** SHA-256d's miner: CPU workers (WASM) and one GPU worker (WebGPU) over the shared nonce cursor. */
export class BrowserMiner implements PageMiner {
  private readonly slots: EngineSlot[] = [];
  private readonly failover: EdgeFailover;
  private client: JobClient | undefined;
  private work: Work | undefined;
  private en2Counter = 0;
  private running = false;
  private halt = new Tripwire();
  private readonly wake = new WakeSignal();
  private jobWaiters: (() => void)[] = [];
  private intensity: number;
  private throttle = 1;
  /** Rests in progress (restFor): every engine parks while it is above 0. */
  private resting = 0;
  private startedAt = 0;
  /** Finished batches: the hashrate over the time observed (hash-rate.ts). */
  private readonly rate = new RateWindow();
  private statsTimer: ReturnType<typeof setInterval> | undefined;
  private readonly stats: MinerStats;

  /** Throws MinerOptionError (with the reason) for an option that cannot be used. */
  constructor(private readonly options: MinerOptions) {
    this.failover = checkMinerOptions(options);
    this.intensity = options.intensity;
    this.stats = initialStats(this.failover.current, this.intensity);
  }

  async start(): Promise<void> {
    if (this.running) return;
    this.running = true;
    this.halt = new Tripwire();
    this.startedAt = performance.now();
    this.rate.clear();
    const { threads, gpu } = this.options;
    // The socket and the workers come up side by side: the first hash waits for neither alone.
    const events: StratumWsEvents = {
      onJob: (job) => this.onJob(job),
      onExtranonce: () => this.onExtranonce(),
      onState: (state, url, detail) => this.onConnectionState(state, url, detail),
      onEvent: (event) => this.event(event),
    };
    this.client = this.options.jobClient ? this.options.jobClient(events) : new StratumWsClient(this.failover, `${this.options.address}.${this.options.worker}`, events);
    this.client.start();
    this.statsTimer = setInterval(() => this.emit(), 1000);

    const cpu = Array.from({ length: threads }, (_, i) => this.newSlot('cpu', i));
    const gpuSlot = gpu ? this.newSlot('gpu', 0) : undefined;
    // In this.slots from the start, so a stop() during start-up terminates every worker.
    this.slots.push(...cpu, ...(gpuSlot ? [gpuSlot] : []));
    const [cpuResults, gpuResult] = await Promise.all([
      Promise.allSettled(cpu.map((slot) => this.spawn(slot))),
      gpuSlot
        ? this.spawn(gpuSlot).then(
            (d) => ({ ok: true as const, d }),
            (err: unknown) => ({ ok: false as const, err }),
          )
        : undefined,
    ]);
    if (!this.running) return;
    const cpuFailure = cpuResults.find((r): r is PromiseRejectedResult => r.status === 'rejected');
    if (cpuFailure || (gpuResult && !gpuResult.ok && cpu.length === 0)) {
      const err: unknown = cpuFailure ? cpuFailure.reason : (gpuResult as { err: unknown }).err;
      await this.stop();
      throw err instanceof Error ? err : new Error(String(err));
    }
    if (cpu.length > 0) {
      const engine = (cpuResults[0] as PromiseFulfilledResult<string>).value;
      this.event({ level: 'info', text: `started ${cpu.length} CPU worker(s) (${engine})` });
    }
    if (gpuSlot && gpuResult) {
      if (gpuResult.ok) {
        this.event({ level: 'info', text: `started GPU worker on ${gpuResult.d}` });
      } else {
        this.slots.splice(this.slots.indexOf(gpuSlot), 1);
        this.event({ level: 'warn', text: `GPU unavailable, mining on the CPU only: ${(gpuResult.err as Error).message}` });
      }
    }
    this.emit();
    for (const slot of this.slots) void this.runSlot(slot);
  }

  async stop(): Promise<void> {
    if (!this.running) return;
    this.running = false;
    this.halt.trip(new MinerStopped('stopped'));
    this.wake.notify();
    clearInterval(this.statsTimer);
    this.client?.stop();
    this.work = undefined;
    const slots = this.slots.splice(0);
    // The GPU worker destroys its device itself (not a "loss"); a hung one is terminated anyway.
    // (A comlink remote answers every property name, so ask by kind, not by feature test.)
    await Promise.allSettled(slots.map((s) => (s.kind === 'gpu' && s.api?.dispose ? guard(s.api.dispose(), GPU_DISPOSE_MS) : undefined)));
    for (const slot of slots) this.terminate(slot);
    for (const resolve of this.jobWaiters.splice(0)) resolve();
    this.stats.hashrate = this.stats.cpuHashrate = this.stats.gpuHashrate = 0;
    this.stats.connection = 'stopped';
    this.event({ level: 'info', text: 'stopped' });
    this.options.onStats(this.snapshot());
  }

  /** The person's intensity (0.1..1), applied from the next batch. */
  setIntensity(intensity: number): void {
    this.intensity = checkIntensity(intensity);
    this.stats.duty = this.duty();
    this.wake.notify();
    this.emit();
  }

  /**
   * Courtesy throttle: `factor` multiplies the intensity; 0 pauses every engine (workers stay
   * alive, the job socket stays open); 1 lifts it. `reason` says why ("tab hidden").
   */
  setThrottle(factor: number, reason?: string): void {
    checkThrottle(factor);
    if (!recordThrottle(this.stats, this.throttle, factor, reason, (e) => this.event(e))) return;
    this.throttle = factor;
    this.stats.duty = this.duty();
    this.wake.notify();
    this.emit();
  }

  /**
   * Parks every engine for `ms` without changing the settings, the stats or the log: courtesy
   * reads CPU pressure meanwhile, without the miner's own load (pressure-probe.ts). A batch in
   * flight finishes first (at most a few hundred ms).
   */
  async restFor(ms: number): Promise<void> {
    if (!this.running) return;
    this.resting++;
    try {
      await new Promise((resolve) => setTimeout(resolve, ms));
    } finally {
      this.resting--;
      this.wake.notify();
    }
  }

  /** Resolves when the next job from the pool has been taken up (at once when not mining). */
  nextJob(): Promise<void> {
    if (!this.running) return Promise.resolve();
    return new Promise((resolve) => this.jobWaiters.push(resolve));
  }

  private duty(): number {
    return this.intensity * this.throttle;
  }

  private event(event: MinerEvent): void {
    this.options.onEvent(event);
  }

  private newSlot(kind: DeviceKind, index: number): EngineSlot {
    return {
      kind,
      index,
      label: kind === 'cpu' ? `CPU worker ${index + 1}` : 'GPU worker',
      worker: undefined,
      api: undefined,
      crash: new Tripwire(),
      batchNonces: BATCH_NONCES,
      expectedMs: undefined,
      restartDelayMs: 0,
      restarts: new RestartPolicy(),
    };
  }

  /** Starts a fresh worker in `slot` and initialises its engine; returns a description of it. */
  private async spawn(slot: EngineSlot): Promise<string> {
    // new URL(..., import.meta.url) must stay literal for the bundler to emit each worker.
    const worker =
      slot.kind === 'cpu'
        ? new Worker(new URL('./cpu-worker.ts', import.meta.url), { type: 'module', name: `otedama-cpu-${slot.index}` })
        : new Worker(new URL('./gpu-worker.ts', import.meta.url), { type: 'module', name: 'otedama-gpu' });
    const crash = new Tripwire();
    worker.addEventListener('error', (ev) => {
      ev.preventDefault();
      crash.trip(new WorkerCrashed(ev.message || 'uncaught error in the worker'));
    });
    worker.addEventListener('messageerror', () => crash.trip(new WorkerCrashed('a message from the worker could not be read')));
    slot.worker = worker;
    slot.crash = crash;
    slot.expectedMs = undefined;
    try {
      if (slot.kind === 'cpu') {
        const api = Comlink.wrap<CpuWorkerApi>(worker);
        const engine = await guard(api.init(), INIT_DEADLINE_MS, [crash, this.halt]);
        slot.api = api;
        slot.batchNonces = BATCH_NONCES;
        return engine;
      }
      const api = Comlink.wrap<GpuWorkerApi>(worker);
      const onEvent = Comlink.proxy((event: MinerEvent) => {
        if (this.running && slot.worker === worker) this.event(event);
      });
      const info = await guard(api.init(onEvent), INIT_DEADLINE_MS, [crash, this.halt]);
      this.stats.gpuAdapter = info.adapter;
      slot.api = api;
      slot.batchNonces = info.dispatchNonces * GPU_DISPATCHES_PER_BATCH;
      return `${info.adapter}: ${info.dispatchNonces} nonces per dispatch (~${(info.tunedHashesPerSecond / 1e6).toFixed(2)} MH/s tuned)`;
    } catch (err) {
      this.terminate(slot);
      throw err;
    }
  }

  private terminate(slot: EngineSlot): void {
    slot.worker?.terminate();
    slot.worker = undefined;
    slot.api = undefined;
  }

  /** Ends the worker in `slot` after a failure and plans its replacement. */
  private retire(slot: EngineSlot, what: string): void {
    this.terminate(slot);
    slot.restartDelayMs = slot.restarts.failed(performance.now());
    const when = slot.restartDelayMs >= 1000 ? ` in ${(slot.restartDelayMs / 1000).toFixed(1)} s` : '';
    this.event({ level: 'warn', text: `${slot.label} ${what}; replacing it with a fresh worker${when}` });
  }

  /** Starts a replacement worker after the planned delay; false if it failed (already retired again). */
  private async replace(slot: EngineSlot): Promise<boolean> {
    await sleep(slot.restartDelayMs, this.halt);
    if (!this.running) return false;
    try {
      await this.spawn(slot);
    } catch (err) {
      if (!this.running) return false;
      this.retire(slot, `could not be restarted: ${describeFailure(err)}`);
      return false;
    }
    slot.restarts.started(performance.now());
    this.event({ level: 'info', text: `${slot.label} replaced and mining again` });
    return true;
  }

  private async runSlot(slot: EngineSlot): Promise<void> {
    slot.restarts.started(performance.now());
    while (this.running) {
      const api = slot.api;
      if (!api) {
        await this.replace(slot);
        continue;
      }
      const work = this.work;
      const duty = this.resting > 0 ? 0 : this.duty();
      if (!work || duty === 0) {
        await this.wake.wait();
        continue;
      }
      if (work.cursor >= NONCE_SPACE) {
        this.prepare(work.job);
        continue;
      }
      const start = work.cursor;
      const count = Math.min(slot.batchNonces, NONCE_SPACE - start);
      work.cursor += count;
      const t0 = performance.now();
      let reply: SearchReply;
      try {
        reply = await guard(api.search(work.header, work.target, start, count), searchDeadlineMs(slot.expectedMs), [slot.crash, this.halt]);
      } catch (err) {
        if (!this.running) return;
        // The range [start, start + count) is abandoned: the cursor has moved on, nothing overlaps.
        this.retire(slot, describeFailure(err));
        continue;
      }
      if (reply.deviceLost !== undefined && slot.kind === 'gpu') {
        // The GPU worker is getting a new device (and reports it); wait for it, within reason.
        try {
          await guard(api.ready?.() ?? Promise.resolve(), GPU_RECOVERY_DEADLINE_MS, [slot.crash, this.halt]);
        } catch (err) {
          if (!this.running) return;
          this.retire(slot, `did not recover from a device loss: ${describeFailure(err)}`);
        }
        continue;
      }
      const batchMs = performance.now() - t0;
      slot.expectedMs = updateBatchEstimate(slot.expectedMs, batchMs);
      this.record(slot.kind, reply.tried, t0);
      for (const nonce of reply.nonces) void this.submit(work, nonce);
      const d = this.duty();
      if (d > 0 && d < 1 && this.resting === 0) {
        // Rest in the worker: a hidden tab's page timers are throttled to ~1 s (duty-cycle.ts).
        const restMs = Math.min(MAX_REST_MS, restAfterBatchMs(batchMs, d));
        try {
          await guard(api.rest(restMs), restMs + searchDeadlineMs(slot.expectedMs), [slot.crash, this.halt]);
        } catch (err) {
          if (!this.running) return;
          this.retire(slot, describeFailure(err));
        }
      }
    }
  }

  private record(kind: DeviceKind, tried: number, t0: number): void {
    const now = performance.now();
    this.rate.add(kind, tried, t0, now);
    this.stats.hashes += tried;
    if (this.stats.firstHashMs === undefined && tried > 0) this.stats.firstHashMs = Math.round(now - this.startedAt);
  }

  private onConnectionState(state: ConnectionState, url: string, detail?: string): void {
    // Work for the lost session cannot be submitted elsewhere: idle until the next job.
    if (state === 'reconnecting') this.work = undefined;
    recordConnectionState(this.stats, state, url, detail, (e) => this.event(e));
    this.emit();
  }

  private onJob(job: StratumJob): void {
    if (!this.client || !this.running) return;
    if (job.clean || !this.work || job.jobId !== this.work.job.jobId) this.en2Counter = 0;
    this.prepare(job);
    this.stats.difficulty = job.difficulty;
    this.event({ level: 'info', text: `job ${job.jobId}${job.clean ? ' (new block)' : ''} at difficulty ${job.difficulty}` });
    for (const resolve of this.jobWaiters.splice(0)) resolve();
    this.wake.notify();
    this.emit();
  }

  private onExtranonce(): void {
    if (!this.work || !this.running) return;
    this.en2Counter = 0;
    this.prepare(this.work.job);
  }

  private prepare(job: StratumJob): void {
    const client = this.client!;
    const size = client.extranonce2Size;
    const extranonce2 = (this.en2Counter++ >>> 0).toString(16).padStart(size * 2, '0').slice(-size * 2);
    const { header } = buildStratumHeader(job, { extranonce1: client.extranonce1, extranonce2, ntime: job.ntime, nonce: '00000000' });
    this.work = { job, extranonce2, header, target: job.target ?? difficultyToTarget(job.difficulty), cursor: 0, sessionKey: client.sessionKey };
  }

  private async submit(work: Work, nonce: number): Promise<void> {
    const client = this.client;
    if (!client || !this.running) return;
    if (client.sessionKey !== work.sessionKey) {
      this.event({ level: 'info', text: 'dropped a share found for an earlier connection (its job is not valid on this one)' });
      return;
    }
    const r = await client.submit(work.job.jobId, work.extranonce2, work.job.ntime, u32ToHex(nonce));
    if (!this.running) return;
    recordShareOutcome(this.stats, r, (e) => this.event(e));
    this.emit();
  }

  private snapshot(): MinerStats {
    return { ...this.stats, rejectReasons: { ...this.stats.rejectReasons } };
  }

  private emit(): void {
    if (!this.running) return;
    const r = this.rate.rates(performance.now());
    this.stats.cpuHashrate = r.cpu;
    this.stats.gpuHashrate = r.gpu;
    this.stats.hashrate = r.total;
    this.options.onStats(this.snapshot());
  }
}
