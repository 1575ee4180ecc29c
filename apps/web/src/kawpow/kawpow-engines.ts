/**
 * The KawPow engines of the web miner: one GPU worker (the DAG, the search kernel) and CPU
 * workers (light evaluation, slow), fed with KawPow jobs. What the browser miner's engine seam
 * drives for KawPow, as BrowserMiner's slots do for SHA-256d; the job feed (a KawPow Stratum
 * session) is the caller's.
 *
 *   - epochs: a job of a new epoch prepares every worker for it. The first worker builds the
 *     light cache (kept in IndexedDB), the others then take it from there, so it is built once;
 *     builds report percent and time left (kawpow-progress.ts) through `onBuild`. Workers
 *     hash only jobs of the epoch they hold;
 *   - nonces: every job's range is the pool's nonce prefix followed by free bits
 *     (core's kawpowNonceRange); workers take disjoint batches from one cursor per job;
 *   - batches adapt to about BATCH_TARGET_MS, so a new job takes effect within one;
 *   - duty cycle: after a batch of t ms at duty d a worker rests t(1-d)/d ms (duty-cycle.ts);
 *   - stop: cancels builds in progress (the GPU frees the DAG being built), disposes and
 *     terminates every worker.
 */
import * as Comlink from 'comlink';
import { kawpowEpoch, kawpowNonceRange } from '@otedama/core';
import { MAX_REST_MS, restAfterBatchMs } from '../duty-cycle.ts';
import { errorReason } from '../errors.ts';
import { RateWindow, type DeviceKind, type Rates } from '../hash-rate.ts';
import { WakeSignal } from '../wake-signal.ts';
import type { KawpowCpuWorkerApi } from './kawpow-cpu-worker.ts';
import { MAX_LIGHT_BATCH } from './kawpow-cpu-limits.ts';
import type { KawpowGpuWorkerApi } from './kawpow-gpu-worker.ts';
import { KawpowBuildTracker, type KawpowBuildReport, type KawpowBuildStatus } from './kawpow-progress.ts';
import type { KawpowHit, KawpowSearchReply, KawpowWorkerJob } from './kawpow-worker-protocol.ts';

/** Wall time one batch should take (ms): short enough to switch jobs quickly. */
export const BATCH_TARGET_MS = 200;
/** First GPU batch (nonces): one default dispatch; it grows to BATCH_TARGET_MS. */
const FIRST_GPU_BATCH = 4096;
/** Largest GPU batch (nonces): a fast GPU at 50 MH/s does this in about 80 ms. */
const MAX_GPU_BATCH = 1 << 22;

/** A KawPow job as the engines hash it. */
export interface KawpowEngineJob extends KawpowWorkerJob {
  readonly jobId: string;
  /** The pool's nonce prefix, lower-case hex ('' for none): the nonce's top bytes. */
  readonly noncePrefix: string;
}

export interface KawpowEngineEvent {
  readonly level: 'info' | 'warn' | 'error';
  readonly text: string;
}

export interface KawpowEnginesOptions {
  readonly cpuThreads: number;
  readonly gpu: boolean;
  /** Tests only: a reduced dataset of this many 1024-bit items (kawpow-worker-protocol.ts). */
  readonly datasetItems?: number;
  /** IndexedDB database of the light caches (tests use their own). */
  readonly storeName?: string;
  /** A nonce that met the job's target (the caller submits it). */
  onHit(job: KawpowEngineJob, hit: KawpowHit, device: DeviceKind): void;
  onEvent(event: KawpowEngineEvent): void;
  /** The builds in progress, after each report (empty when none is left). */
  onBuild?(builds: KawpowBuildStatus[]): void;
  /** Workers (default: the bundled ones); tests and other bundles may give their own. */
  readonly spawn?: (kind: DeviceKind, index: number) => Worker;
}

type Api = Comlink.Remote<KawpowGpuWorkerApi> | Comlink.Remote<KawpowCpuWorkerApi>;

interface Slot {
  readonly kind: DeviceKind;
  readonly label: string;
  readonly worker: Worker;
  readonly api: Api;
  /** The epoch this worker holds, once prepared. */
  epoch: number | null;
  batch: number;
  readonly maxBatch: number;
}

interface Work {
  readonly job: KawpowEngineJob;
  cursor: bigint;
  readonly last: bigint;
}

function spawnDefault(kind: DeviceKind, index: number): Worker {
  // new URL(..., import.meta.url) must stay literal for the bundler to emit each worker.
  return kind === 'gpu'
    ? new Worker(new URL('./kawpow-gpu-worker.ts', import.meta.url), { type: 'module', name: 'otedama-kawpow-gpu' })
    : new Worker(new URL('./kawpow-cpu-worker.ts', import.meta.url), { type: 'module', name: `otedama-kawpow-cpu-${index}` });
}


/** Next batch size: doubled or halved towards BATCH_TARGET_MS, within 1..max. */
export function nextBatch(batch: number, ms: number, max: number): number {
  if (ms < BATCH_TARGET_MS / 2) return Math.min(max, batch * 2);
  if (ms > BATCH_TARGET_MS * 2) return Math.max(1, Math.floor(batch / 2));
  return batch;
}

export class KawpowEngines {
  private readonly slots: Slot[] = [];
  private readonly tracker = new KawpowBuildTracker();
  private readonly rate = new RateWindow();
  private readonly wake = new WakeSignal();
  private work: Work | undefined;
  /** The epoch being prepared or held; a newer job's epoch replaces it. */
  private epoch: number | null = null;
  private running = false;
  /** Every worker is up (start() is over): an epoch change prepares them from then on. */
  private started = false;
  private duty = 1;
  /** Hashes tried since start(). */
  hashes = 0;

  constructor(private readonly options: KawpowEnginesOptions) {
    if (!Number.isInteger(options.cpuThreads) || options.cpuThreads < 0) throw new RangeError(`cpuThreads must be a whole number (got ${options.cpuThreads})`);
    if (options.cpuThreads === 0 && !options.gpu) throw new RangeError('choose at least one CPU thread or the GPU');
  }

  /** Starts the workers; resolves with what runs. A GPU that cannot start leaves the CPU workers (if any). */
  async start(): Promise<{ gpu?: string; cpu: number }> {
    this.running = true;
    const spawn = this.options.spawn ?? spawnDefault;
    const out: { gpu?: string; cpu: number } = { cpu: 0 };
    if (this.options.gpu) {
      const worker = spawn('gpu', 0);
      const api = Comlink.wrap<KawpowGpuWorkerApi>(worker);
      try {
        out.gpu = (await api.init()).adapter;
        this.slots.push({ kind: 'gpu', label: 'GPU worker', worker, api, epoch: null, batch: FIRST_GPU_BATCH, maxBatch: MAX_GPU_BATCH });
      } catch (err) {
        worker.terminate();
        if (this.options.cpuThreads === 0) throw new Error(`the GPU cannot mine KawPow here: ${errorReason(err)}`);
        this.event('warn', `GPU unavailable, mining KawPow on the CPU only (light evaluation, slow): ${errorReason(err)}`);
      }
    }
    for (let i = 0; i < this.options.cpuThreads; i++) {
      const worker = spawn('cpu', i);
      const api = Comlink.wrap<KawpowCpuWorkerApi>(worker);
      const label = `CPU worker ${i + 1}`;
      await api.init(label);
      this.slots.push({ kind: 'cpu', label, worker, api, epoch: null, batch: 1, maxBatch: MAX_LIGHT_BATCH });
      out.cpu++;
    }
    if (out.cpu > 0) this.event('info', `${out.cpu} CPU worker(s) hash KawPow by light evaluation: slow (milliseconds a hash), the GPU is what earns`);
    for (const slot of this.slots) void this.run(slot);
    // A job that came while the workers started: prepare them for its epoch now.
    this.started = true;
    if (this.epoch !== null) void this.prepareAll(this.epoch);
    return out;
  }

  /** The job to hash from now on (a new job abandons the old one's range). */
  setJob(job: KawpowEngineJob): void {
    const { first, last } = kawpowNonceRange(job.noncePrefix);
    this.work = { job, cursor: first, last };
    const epoch = kawpowEpoch(job.height);
    if (epoch !== this.epoch) {
      this.epoch = epoch;
      if (this.started) void this.prepareAll(epoch);
    }
    this.wake.notify();
  }

  /** Share of the time the engines compute, 0..1 (0 parks them). */
  setDuty(duty: number): void {
    this.duty = duty;
    this.wake.notify();
  }

  rates(now: number): Rates {
    return this.rate.rates(now);
  }

  builds(now: number): KawpowBuildStatus[] {
    return this.tracker.statuses(now);
  }

  /** What each worker holds (tests: nothing after a stop during a build). */
  async holding(): Promise<{ label: string; epoch: number | null; dagBytes?: number }[]> {
    return Promise.all(this.slots.map(async (s) => ({ label: s.label, ...(await s.api.holding()) })));
  }

  async stop(): Promise<void> {
    if (!this.running) return;
    this.running = false;
    this.started = false;
    this.work = undefined;
    this.wake.notify();
    const slots = this.slots.splice(0);
    // Builds end first (the GPU destroys a DAG being built), then each worker frees what it holds.
    await Promise.allSettled(slots.map(async (s) => {
      await s.api.cancel();
      await s.api.dispose();
    }));
    for (const s of slots) s.worker.terminate();
    this.tracker.clear();
    this.options.onBuild?.([]);
  }

  private event(level: KawpowEngineEvent['level'], text: string): void {
    this.options.onEvent({ level, text });
  }

  private async prepareAll(epoch: number): Promise<void> {
    const slots = [...this.slots];
    for (const s of slots) s.epoch = null;
    const prepare = async (s: Slot) => {
      const onProgress = Comlink.proxy((r: KawpowBuildReport) => {
        this.tracker.report(r, performance.now());
        this.options.onBuild?.(this.tracker.statuses(performance.now()));
      });
      try {
        const p = await s.api.prepare(epoch, { ...(this.options.datasetItems ? { datasetItems: this.options.datasetItems } : {}), ...(this.options.storeName ? { storeName: this.options.storeName } : {}) }, onProgress);
        if (this.epoch !== epoch || !this.running) return;
        s.epoch = epoch;
        const dag = p.dagBytes ? `, DAG of ${(p.dagBytes / 2 ** 20).toFixed(1)} MiB built` : '';
        this.event('info', `${s.label} ready for epoch ${epoch} (light cache ${p.lightCacheFromStore ? 'from this browser' : 'built'}${dag})`);
        this.wake.notify();
      } catch (err) {
        if (this.epoch === epoch && this.running) this.event('error', `${s.label} could not prepare epoch ${epoch}: ${errorReason(err)}`);
      } finally {
        this.tracker.clear(s.label);
        this.options.onBuild?.(this.tracker.statuses(performance.now()));
      }
    };
    // The first worker builds the light cache and keeps it in IndexedDB; the others load it there.
    if (slots.length === 0) return;
    await prepare(slots[0]!);
    await Promise.all(slots.slice(1).map(prepare));
  }

  private async run(slot: Slot): Promise<void> {
    while (this.running) {
      const work = this.work;
      if (!work || this.duty === 0 || slot.epoch === null || slot.epoch !== kawpowEpoch(work.job.height) || work.cursor > work.last) {
        await this.wake.wait();
        continue;
      }
      const start = work.cursor;
      const count = Number(BigInt(slot.batch) <= work.last - start + 1n ? BigInt(slot.batch) : work.last - start + 1n);
      work.cursor += BigInt(count);
      const t0 = performance.now();
      let reply: KawpowSearchReply;
      try {
        reply = await slot.api.search(work.job, start, count);
      } catch (err) {
        if (!this.running) return;
        this.event('error', `${slot.label} failed a search: ${errorReason(err)}`);
        slot.epoch = null; // prepared again with the next epoch change; until then it rests
        continue;
      }
      const t1 = performance.now();
      this.rate.add(slot.kind, reply.tried, t0, t1);
      this.hashes += reply.tried;
      slot.batch = nextBatch(slot.batch, t1 - t0, slot.maxBatch);
      if (!this.running) return;
      for (const hit of reply.hits) this.options.onHit(work.job, hit, slot.kind);
      if (this.duty < 1) await slot.api.rest(Math.min(MAX_REST_MS, restAfterBatchMs(t1 - t0, this.duty)));
    }
  }
}
