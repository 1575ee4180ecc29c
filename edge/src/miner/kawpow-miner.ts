/**
 * The headless KawPow miner behind `otedama mine --algo kawpow`: takes jobs from the KawPow
 * Stratum client, makes sure every device holds the job's epoch (the light cache for the CPU
 * threads, built in a worker thread or loaded from the store; the DAG for each GPU, built on the
 * GPU from that light cache), gives each device its own slice of the connection's nonce range,
 * checks every hit by light evaluation before submitting it, and keeps the counters and the
 * progress of those builds for `otedama mining status` and the live line.
 *
 * CPU threads hash by light evaluation: every nonce recomputes its 64 DAG items from the light
 * cache (milliseconds per nonce, about 10^5 times slower than a GPU with the DAG), which is what
 * a CPU can do without the multi-gigabyte dataset. It makes sense where shares are easy (test
 * chains, this project's simnet) and as a check; real pools need a GPU.
 *
 * Work layout: per job, the nonce range of the prefix the pool gave is cut into one slice per
 * CPU thread and GPU, each searched from its start. ntime and the header are the pool's: KawPow
 * miners only choose the nonce.
 */
import { bitsToTarget, EngineUnavailableError, kawpowEpoch, kawpowHashValue, kawpowNonceRange, type OtedamaError } from '@otedama/core';
import { compileKawpowModule, createWasmKawpowHasher, type LightCacheStore, type SimdChoice, type WasmKawpowHasher } from '@otedama/wasm';
import type { Logger } from '../logger.ts';
import type { KawpowGpuOptions, OpenedKawpowGpu } from './gpu-devices.ts';
import { HashMeter } from './hash-meter.ts';
import { deviceStatuses, drainSubmits, GPU_MAX_HITS, isLiveJob, liveJobIdsAfter, SAMPLE_EVERY_MS, sampleMeters } from './miner-parts.ts';
import { HashThreadPool, type HashThreadHandlers } from './hash-threads.ts';
import type { KawpowCpuHit, KawpowCpuWork, KawpowEpochMessage } from './kawpow-cpu-protocol.ts';
import type { DeviceStatus, MinerStatus, PrepareStatus } from './miner.ts';
import type { ShareResult, StratumClientState, StratumClientStatus } from './stratum-connection.ts';
import type { KawpowShareSubmit, KawpowStratumJob } from './stratum-client-kawpow.ts';

const THREAD_ENTRY = new URL('./kawpow-cpu-worker.mjs', import.meta.url);
/** Work records kept for late hits; older ones are dropped (their hits are counted stale). */
const MAX_WORK_RECORDS = 1024;
/** Wall time one GPU search call aims at (ms): long enough to keep the GPU busy, short enough to switch jobs. */
const GPU_BATCH_TARGET_MS = 500;
/** Largest GPU search call (nonces). */
const GPU_MAX_BATCH = 1 << 26;
/** Light caches the miner keeps in memory (the current epoch's). */
const MINER_CACHED_EPOCHS = 1;

/** What the miner needs from a pool connection (KawpowStratumClient implements it). */
export interface KawpowMinerPoolClient {
  on(event: 'job', listener: (job: KawpowStratumJob, restart: boolean) => void): () => void;
  submit(share: KawpowShareSubmit): Promise<ShareResult>;
  status(): StratumClientStatus;
  readonly currentJob: KawpowStratumJob | null;
  readonly state: StratumClientState;
}

export type KawpowCpuPool = HashThreadPool<KawpowCpuWork, KawpowCpuHit>;

export interface KawpowMinerDevices {
  /** The light caches (and the hit check): the WASM engine with its store. */
  createHasher(options: { simd: SimdChoice; store?: LightCacheStore; onProgress: (p: { epoch: number; done: number; total: number }) => void }): Promise<WasmKawpowHasher>;
  startCpuPool(threads: number, simd: SimdChoice, handlers: HashThreadHandlers<KawpowCpuHit>): Promise<KawpowCpuPool>;
  openGpu(index: number, options: KawpowGpuOptions): Promise<OpenedKawpowGpu>;
}

export const defaultKawpowMinerDevices: KawpowMinerDevices = {
  createHasher: (options) => createWasmKawpowHasher({ cachedEpochs: MINER_CACHED_EPOCHS, ...options }),
  async startCpuPool(threads, simd, handlers) {
    const module = await compileKawpowModule(simd);
    return HashThreadPool.start<KawpowCpuWork, KawpowCpuHit>({ entry: THREAD_ENTRY, engine: 'kawpow-cpu', threads, data: () => ({ module }) }, handlers);
  },
  openGpu: async (index, options) => (await import('./gpu-devices.ts')).openKawpowGpu(index, options),
};

export interface KawpowMinerOptions {
  /** CPU threads hashing by light evaluation (0: GPUs only). */
  readonly threads: number;
  /** Adapter indices as `otedama gpu list` numbers them. */
  readonly gpus: readonly number[];
  /** The WASM build of the light cache, the hit check and the CPU threads (default 'auto': SIMD where it validates). */
  readonly simd?: SimdChoice;
  /** Where light caches are kept between runs (disk on the CLI); none: built every run. */
  readonly store?: LightCacheStore;
  /**
   * Dataset size in 1024-bit items for every device and the hit check. Tests only (a reduced
   * dataset, the same code paths): a pool checks shares at the epoch's real size.
   */
  readonly datasetItems?: number;
}

interface WorkRecord {
  readonly workId: number;
  readonly job: KawpowStratumJob;
}

/** A build the miner waits for, with what the status shows of it. */
interface Preparation {
  readonly what: 'light cache' | 'DAG';
  readonly device: string;
  readonly epoch: number;
  done: number;
  total: number;
  readonly startedAt: number;
}

class KawpowGpuRunner {
  hashes = 0;
  error: string | null = null;
  private work: { rec: WorkRecord; cursor: bigint; end: bigint } | null = null;
  private wake: (() => void) | null = null;
  private stopped = false;
  private done: Promise<void> | null = null;
  private batch: number;

  constructor(
    readonly gpu: OpenedKawpowGpu,
    private readonly onHit: (workId: number, hit: KawpowCpuHit) => void,
    private readonly log: Logger,
    private readonly stopSignal: AbortSignal,
  ) {
    this.batch = Math.max(1, gpu.engine.dispatchGranularity);
  }

  start(): void {
    this.done = this.loop();
  }

  setWork(rec: WorkRecord | null, start = 0n, end = 0n): void {
    this.work = rec ? { rec, cursor: start, end } : null;
    this.wake?.();
  }

  async stop(): Promise<void> {
    this.stopped = true;
    this.wake?.();
    await this.done;
    this.gpu.close();
  }

  private async loop(): Promise<void> {
    while (!this.stopped) {
      const w = this.work;
      if (!w || w.cursor >= w.end) {
        await new Promise<void>((resolve) => (this.wake = resolve));
        this.wake = null;
        continue;
      }
      const left = w.end - w.cursor;
      const count = left < BigInt(this.batch) ? Number(left) : this.batch;
      const t0 = performance.now();
      try {
        const job = w.rec.job;
        const r = await this.gpu.engine.search({ headerHash: job.headerHash, height: job.height, target: job.target }, w.cursor, count, { maxHits: GPU_MAX_HITS });
        this.hashes += r.tried;
        for (const h of r.hits) this.onHit(w.rec.workId, h);
      } catch (err) {
        if (this.stopped || this.stopSignal.aborted) return;
        this.error = (err as OtedamaError).reason ?? (err as Error).message;
        this.log.error(`${this.gpu.label} stopped`, { error: this.error });
        return;
      }
      const ms = performance.now() - t0;
      // Size the next call for about GPU_BATCH_TARGET_MS (the first one of an epoch includes its DAG build).
      if (count === this.batch && ms < GPU_BATCH_TARGET_MS / 2) this.batch = Math.min(GPU_MAX_BATCH, this.batch * 2);
      else if (ms > GPU_BATCH_TARGET_MS * 2 && this.batch > this.gpu.engine.dispatchGranularity) this.batch = Math.max(this.gpu.engine.dispatchGranularity, Math.floor(this.batch / 2));
      if (this.work === w) w.cursor += BigInt(count);
    }
  }
}

/** Splits the nonces [first, last] into `parts` contiguous slices. */
export function splitNonceRange(first: bigint, last: bigint, parts: number): { start: bigint; end: bigint }[] {
  const size = last - first + 1n;
  const n = BigInt(parts);
  return Array.from({ length: parts }, (_, i) => ({ start: first + (size * BigInt(i)) / n, end: first + (size * BigInt(i + 1)) / n }));
}

export class KawpowMiner {
  private readonly log: Logger;
  private hasher: WasmKawpowHasher | null = null;
  private cpu: KawpowCpuPool | null = null;
  /** The epoch whose light cache the CPU threads hold (-1: none yet). */
  private cpuEpoch = -1;
  private cpuPreparing: Promise<void> | null = null;
  private gpus: KawpowGpuRunner[] = [];
  private readonly works = new Map<number, WorkRecord>();
  private nextWorkId = 1;
  private job: KawpowStratumJob | null = null;
  private liveJobIds: string[] = [];
  private paused = false;
  private started = false;
  private stopped = false;
  private readonly abort = new AbortController();
  private readonly startedAt = new Date();
  private readonly meters = new Map<string, HashMeter>();
  private readonly preparing = new Map<string, Preparation>();
  private sampler: ReturnType<typeof setInterval> | null = null;
  private unsubscribe: (() => void) | null = null;
  private readonly pendingSubmits = new Set<Promise<unknown>>();
  private readonly shares = { found: 0, accepted: 0, rejected: 0, stale: 0, lost: 0, invalid: 0, blocks: 0, lastRejectReason: null as string | null };

  constructor(
    private readonly options: KawpowMinerOptions,
    private readonly pool: KawpowMinerPoolClient,
    logger: Logger,
    private readonly devices: KawpowMinerDevices = defaultKawpowMinerDevices,
  ) {
    this.log = logger.forComponent('miner');
  }

  /** Loads the engines, starts the CPU threads and opens the GPUs; throws if one cannot start. */
  async start(): Promise<void> {
    if (this.started) return;
    this.started = true;
    try {
      this.hasher = await this.devices.createHasher({
        simd: this.options.simd ?? 'auto',
        ...(this.options.store ? { store: this.options.store } : {}),
        onProgress: (p) => this.progress('light cache', 'wasm', p.epoch, p.done, p.total),
      });
      if (this.options.threads > 0) {
        this.cpu = await this.devices.startCpuPool(this.options.threads, this.options.simd ?? 'auto', {
          onHit: (_t, workId, hit) => void this.onHit(workId, hit),
          onError: (thread, err) => this.log.error(`cpu thread ${thread} failed`, { error: (err as OtedamaError).reason ?? err.message }),
        });
        this.meters.set('cpu', new HashMeter());
      }
      for (const index of this.options.gpus) {
        const label = `gpu${index}`;
        const gpu = await this.devices.openGpu(index, {
          lightCache: async (epoch) => (await this.hasher!.context(epoch, { signal: this.abort.signal })).lightCacheView().slice(),
          onDagProgress: (p) => this.progress('DAG', label, p.epoch, p.bytesDone, p.bytes),
          signal: this.abort.signal,
          ...(this.options.datasetItems ? { datasetBytes: this.options.datasetItems * 128 } : {}),
        });
        const runner = new KawpowGpuRunner(gpu, (w, h) => void this.onHit(w, h), this.log, this.abort.signal);
        runner.start();
        this.gpus.push(runner);
        this.meters.set(gpu.label, new HashMeter());
        this.log.info(`${gpu.label} ready`, { adapter: gpu.info.description || gpu.info.device, backend: gpu.info.backend });
      }
    } catch (err) {
      await this.stop();
      throw err;
    }
    this.sampler = setInterval(() => this.sample(), SAMPLE_EVERY_MS);
    this.sample();
    this.unsubscribe = this.pool.on('job', (job, restart) => this.onJob(job, restart));
    if (this.pool.currentJob && this.pool.state === 'ready') this.onJob(this.pool.currentJob, true);
  }

  /** Stops hashing, cancels builds in progress (freeing their memory); the pool connection is the caller's. Idempotent. */
  async stop(): Promise<void> {
    if (this.stopped) return;
    this.stopped = true;
    this.abort.abort(new EngineUnavailableError('kawpow', 'the miner stopped'));
    this.unsubscribe?.();
    if (this.sampler) clearInterval(this.sampler);
    await Promise.all([this.cpu?.stop(), ...this.gpus.map((g) => g.stop())]);
    await drainSubmits(this.pendingSubmits);
    this.hasher?.dispose();
  }

  pause(): void {
    if (this.paused || this.stopped) return;
    this.paused = true;
    this.cpu?.idleAll();
    for (const g of this.gpus) g.setWork(null);
    this.log.info('paused');
  }

  resume(): void {
    if (!this.paused || this.stopped) return;
    this.paused = false;
    this.log.info('resumed');
    this.dispatch();
  }

  get isPaused(): boolean {
    return this.paused;
  }

  status(): MinerStatus {
    this.sample();
    const devices = deviceStatuses(this.meters, this.cpu, `${this.hasher?.name ?? 'wasm'} light evaluation`, this.gpus);
    const poolStatus = this.pool.status();
    const preparing = [...this.preparing.values()].map((p) => this.prepareStatus(p));
    const state: MinerStatus['state'] = this.stopped
      ? 'stopped'
      : this.paused
        ? 'paused'
        : !this.started
          ? 'starting'
          : this.job && poolStatus.state === 'ready'
            ? preparing.length && devices.every((d) => d.hashesPerSecond === 0)
              ? 'preparing'
              : 'mining'
            : 'waiting';
    return {
      state,
      paused: this.paused,
      startedAt: this.startedAt.toISOString(),
      uptimeSeconds: Math.round((Date.now() - this.startedAt.getTime()) / 1000),
      hashrate: { total: devices.reduce((a, d) => a + d.hashesPerSecond, 0), devices },
      shares: { ...this.shares },
      job: this.job ? { id: this.job.jobId, difficulty: this.job.difficulty, clean: this.job.clean, height: this.job.height, epoch: this.job.epoch } : null,
      preparing,
      pool: poolStatus,
    };
  }

  // -- builds ---------------------------------------------------------------------------------

  private progress(what: Preparation['what'], device: string, epoch: number, done: number, total: number): void {
    const key = `${what}:${device}`;
    if (done >= total) {
      const p = this.preparing.get(key);
      if (p) this.log.info(`${what} of epoch ${epoch} ready`, { device, seconds: Math.round((performance.now() - p.startedAt) / 100) / 10 });
      this.preparing.delete(key);
      return;
    }
    let p = this.preparing.get(key);
    if (!p || p.epoch !== epoch) {
      p = { what, device, epoch, done, total, startedAt: performance.now() };
      this.preparing.set(key, p);
      this.log.info(`building the ${what} of epoch ${epoch}`, { device });
    }
    p.done = done;
    p.total = total;
  }

  private prepareStatus(p: Preparation): PrepareStatus {
    const fraction = p.total > 0 ? p.done / p.total : 0;
    const elapsed = (performance.now() - p.startedAt) / 1000;
    const etaSeconds = fraction > 0.01 ? Math.round((elapsed / fraction) * (1 - fraction)) : null;
    return { what: p.what, device: p.device, epoch: p.epoch, percent: Math.floor(fraction * 1000) / 10, etaSeconds };
  }

  /** Sends the CPU threads the light cache of `epoch` (built or loaded first), once per epoch. */
  private async prepareCpu(epoch: number): Promise<void> {
    const cpu = this.cpu!;
    const context = await this.hasher!.context(epoch, { signal: this.abort.signal });
    if (this.stopped) return;
    const lightCache = context.lightCacheView();
    for (let t = 0; t < cpu.threads; t++) cpu.post(t, { type: 'epoch', epoch, lightCache: lightCache.slice() } satisfies KawpowEpochMessage);
    this.cpuEpoch = epoch;
  }

  // -- work -----------------------------------------------------------------------------------

  private sample(): void {
    sampleMeters(this.meters, this.cpu, this.gpus);
  }

  private onJob(job: KawpowStratumJob, restart: boolean): void {
    if (this.stopped) return;
    const previous = this.job;
    this.job = job;
    this.liveJobIds = liveJobIdsAfter(this.liveJobIds, previous, job, restart);
    this.log.info(restart ? 'new job (restart)' : 'new job', { jobId: job.jobId, height: job.height, epoch: job.epoch, difficulty: Number(job.difficulty.toPrecision(6)) });
    this.dispatch();
  }

  private isLive(job: KawpowStratumJob): boolean {
    return isLiveJob(this.job, this.liveJobIds, job, this.pool.state === 'ready');
  }

  private newWork(job: KawpowStratumJob): WorkRecord {
    const rec: WorkRecord = { workId: this.nextWorkId++, job };
    this.works.set(rec.workId, rec);
    if (this.works.size > MAX_WORK_RECORDS) this.works.delete(this.works.keys().next().value!);
    return rec;
  }

  /** Hands every device a slice of the current job's nonce range (or idles them). */
  private dispatch(): void {
    if (this.stopped) return;
    const job = this.job;
    if (!job || this.paused) {
      this.cpu?.idleAll();
      for (const g of this.gpus) g.setWork(null);
      return;
    }
    for (const [id, rec] of this.works) if (!this.isLive(rec.job)) this.works.delete(id);
    const { first, last } = kawpowNonceRange(job.noncePrefix);
    const cpuThreads = this.cpu?.threads ?? 0;
    const slices = splitNonceRange(first, last, cpuThreads + this.gpus.length);
    const rec = this.newWork(job);
    this.gpus.forEach((g, i) => g.setWork(rec, slices[cpuThreads + i]!.start, slices[cpuThreads + i]!.end));
    if (!this.cpu) return;
    const epoch = kawpowEpoch(job.height);
    if (this.cpuEpoch !== epoch) {
      this.cpu.idleAll();
      if (!this.cpuPreparing) {
        this.cpuPreparing = this.prepareCpu(epoch)
          .catch((err: unknown) => {
            if (!this.stopped) this.log.error('the light cache could not be made; the CPU threads wait', { epoch, error: (err as OtedamaError).reason ?? (err as Error).message });
          })
          .finally(() => {
            this.cpuPreparing = null;
            if (this.cpuEpoch === kawpowEpoch(this.job?.height ?? -1)) this.dispatch();
          });
      }
      return;
    }
    for (let t = 0; t < cpuThreads; t++) {
      const s = slices[t]!;
      const work: KawpowCpuWork = {
        workId: rec.workId,
        headerHash: job.headerHash,
        height: job.height,
        target: job.target,
        start: s.start,
        end: s.end,
        ...(this.options.datasetItems ? { datasetItems: this.options.datasetItems } : {}),
      };
      this.cpu.assign(t, work);
    }
  }

  private async onHit(workId: number, hit: KawpowCpuHit): Promise<void> {
    const rec = this.works.get(workId);
    this.shares.found++;
    if (!rec || !this.isLive(rec.job)) {
      this.shares.stale++;
      this.log.debug('dropped a share of a replaced job', { workId });
      return;
    }
    const job = rec.job;
    const nonceHex = '0x' + hit.nonce.toString(16).padStart(16, '0');
    // Every hit is checked by light evaluation before it goes out: an engine bug costs a log line, not a reject.
    let checked;
    try {
      checked = await this.hasher!.hash(job.headerHash, hit.nonce, job.height, this.options.datasetItems ? { datasetItems: this.options.datasetItems } : undefined);
    } catch (err) {
      if (!this.stopped) this.log.warn('could not check a hit; not submitted', { nonce: nonceHex, error: (err as OtedamaError).reason ?? (err as Error).message });
      return;
    }
    const value = kawpowHashValue(checked.finalHash);
    if (value > job.target || checked.mixHash.some((b, i) => b !== hit.mixHash[i])) {
      this.shares.invalid++;
      this.log.error('an engine reported a nonce that light evaluation does not confirm; not submitted', { nonce: nonceHex, jobId: job.jobId });
      return;
    }
    if (!this.isLive(job)) {
      this.shares.stale++;
      return;
    }
    let isBlock = false;
    try {
      isBlock = value <= bitsToTarget(job.bits);
    } catch {
      /* unusable bits: cannot be a block */
    }
    if (isBlock) {
      this.shares.blocks++;
      this.log.info('found a block candidate!', { jobId: job.jobId, nonce: nonceHex });
    }
    const p = this.pool.submit({ jobId: job.jobId, nonce: hit.nonce, headerHash: job.headerHash, mixHash: hit.mixHash }).then((result) => {
      if (result.lost) {
        this.shares.lost++;
        this.log.warn('share got no verdict', { jobId: job.jobId, reason: result.reason });
      } else if (result.accepted) {
        this.shares.accepted++;
        this.log.info('share accepted', { jobId: job.jobId, difficulty: Number(job.difficulty.toPrecision(6)) });
      } else {
        this.shares.rejected++;
        this.shares.lastRejectReason = result.reason ?? null;
        this.log.warn('share rejected', { jobId: job.jobId, reason: result.reason });
      }
    });
    this.pendingSubmits.add(p);
    void p.finally(() => this.pendingSubmits.delete(p));
  }
}
