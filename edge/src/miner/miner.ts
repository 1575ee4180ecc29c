/**
 * The headless miner behind `otedama mine`: takes jobs from a Stratum client, turns each into
 * work (a header for one extranonce2, a nonce range, the share target), keeps CPU threads and
 * GPUs busy with it, checks every hit with core's SHA-256d before submitting it, and keeps the
 * counters `otedama mining status` and the live line show.
 *
 * Work layout: per job the extranonce2 counter starts at 0 (little-endian, as minerd). The CPU
 * threads share one extranonce2 and split its 2^32 nonces (thread i from 2^32/n*i); each GPU
 * gets its own extranonce2 and the whole nonce space. A device that exhausts its range gets the
 * next extranonce2. ntime is never rolled.
 */
import {
  bitsToTarget,
  buildStratumHeader,
  hashToBigInt,
  sha256d,
  u32ToHex,
  writeU32LE,
} from '@otedama/core';
import type { Logger } from '../logger.ts';
import type { ShareResult, ShareSubmission, StratumClientState, StratumClientStatus, StratumJob } from './stratum-client.ts';
import { extranonce2Hex } from './stratum-client.ts';
import { splitNonceSpace, startCpuPool, type CpuPoolHandlers, type CpuPoolOptions, type CpuWorkerPool } from './cpu-pool.ts';
import type { CpuEngineName } from './cpu-searcher.ts';
import type { OpenedGpu } from './gpu-devices.ts';
import { HashMeter } from './hash-meter.ts';
import { deviceStatuses, drainSubmits, GPU_MAX_HITS, isLiveJob, liveJobIdsAfter, SAMPLE_EVERY_MS, sampleMeters } from './miner-parts.ts';

const NONCE_SPACE = 0x1_0000_0000;
/** Work records kept for late hits; older ones are dropped (their hits are counted stale). */
const MAX_WORK_RECORDS = 4096;
/** Nonces per GPU search call: enough to keep the device busy, short enough to switch jobs fast. */
const GPU_MIN_BATCH = 1 << 22;

/** What the miner needs from a pool connection (StratumClient implements it). */
export interface MinerPoolClient {
  on(event: 'job', listener: (job: StratumJob, restart: boolean) => void): () => void;
  submit(share: ShareSubmission): Promise<ShareResult>;
  status(): StratumClientStatus;
  readonly currentJob: StratumJob | null;
  readonly state: StratumClientState;
}

export interface MinerDevices {
  startCpuPool(options: CpuPoolOptions, handlers: CpuPoolHandlers): Promise<CpuWorkerPool>;
  openGpu(index: number): Promise<OpenedGpu>;
}

export interface MinerOptions {
  /** CPU threads (0: GPUs only). */
  readonly threads: number;
  readonly cpuEngine: CpuEngineName;
  /** Adapter indices as `otedama gpu list` numbers them. */
  readonly gpus: readonly number[];
}

export interface DeviceStatus {
  readonly name: string;
  readonly kind: string;
  readonly threads?: number;
  readonly description?: string;
  readonly hashesPerSecond: number;
  readonly hashes: number;
  readonly error?: string;
}

/** A build a device waits for before it can hash (KawPow: an epoch's light cache or DAG). */
export interface PrepareStatus {
  readonly what: 'light cache' | 'DAG';
  /** The device it is for ('wasm' for the light cache the CPU threads and the DAG builds use). */
  readonly device: string;
  readonly epoch: number;
  readonly percent: number;
  /** Seconds left at the rate so far (null until 1 % is done). */
  readonly etaSeconds: number | null;
}

export interface MinerStatus {
  /** 'preparing': a job is there, but no device hashes yet (an epoch's light cache or DAG is being built). */
  readonly state: 'starting' | 'preparing' | 'mining' | 'paused' | 'waiting' | 'stopped';
  readonly paused: boolean;
  readonly startedAt: string;
  readonly uptimeSeconds: number;
  readonly hashrate: { readonly total: number; readonly devices: DeviceStatus[] };
  readonly shares: {
    readonly found: number;
    readonly accepted: number;
    readonly rejected: number;
    /** Found for a job the pool had already replaced (clean_jobs) or on a closed connection. */
    readonly stale: number;
    /** Submitted but never answered (connection lost, timeout). */
    readonly lost: number;
    /** Hits an engine reported whose hash does not meet the target (an engine bug; never submitted). */
    readonly invalid: number;
    readonly blocks: number;
    readonly lastRejectReason: string | null;
  };
  readonly job: { readonly id: string; readonly difficulty: number; readonly clean: boolean; readonly height?: number; readonly epoch?: number } | null;
  /** Builds in progress (KawPow), with percent and time left. */
  readonly preparing?: readonly PrepareStatus[];
  readonly pool: StratumClientStatus;
}

interface WorkRecord {
  readonly workId: number;
  readonly job: StratumJob;
  readonly extranonce2: string;
  readonly header: Uint8Array;
  readonly target: bigint;
}

export const defaultMinerDevices: MinerDevices = {
  startCpuPool,
  openGpu: async (index) => (await import('./gpu-devices.ts')).openGpu(index),
};

class GpuRunner {
  hashes = 0;
  error: string | null = null;
  private work: { rec: WorkRecord; cursor: number } | null = null;
  private wake: (() => void) | null = null;
  private stopped = false;
  private done: Promise<void> | null = null;

  constructor(
    readonly gpu: OpenedGpu,
    private readonly nextWork: () => WorkRecord | null,
    private readonly onHit: (workId: number, nonce: number) => void,
    private readonly log: Logger,
  ) {}

  start(): void {
    this.done = this.loop();
  }

  setWork(rec: WorkRecord | null): void {
    this.work = rec ? { rec, cursor: 0 } : null;
    this.wake?.();
  }

  async stop(): Promise<void> {
    this.stopped = true;
    this.wake?.();
    await this.done;
    this.gpu.close();
  }

  private async loop(): Promise<void> {
    const batch = Math.max(GPU_MIN_BATCH, (this.gpu.engine.dispatchNonces ?? 0) * 4);
    while (!this.stopped) {
      const w = this.work;
      if (!w) {
        await new Promise<void>((resolve) => (this.wake = resolve));
        this.wake = null;
        continue;
      }
      const count = Math.min(batch, NONCE_SPACE - w.cursor);
      try {
        const r = await this.gpu.engine.search({ header: w.rec.header, target: w.rec.target }, w.cursor, count, { maxHits: GPU_MAX_HITS });
        this.hashes += r.tried;
        for (const h of r.hits) this.onHit(w.rec.workId, h.nonce);
      } catch (err) {
        this.error = (err as { reason?: string }).reason ?? (err as Error).message;
        this.log.error(`${this.gpu.label} stopped`, { error: this.error });
        return;
      }
      if (this.work === w) {
        w.cursor += count;
        if (w.cursor >= NONCE_SPACE) this.setWork(this.nextWork());
      }
    }
  }
}

export class Miner {
  private readonly log: Logger;
  private readonly devices: MinerDevices;
  private cpu: CpuWorkerPool | null = null;
  private gpus: GpuRunner[] = [];
  private readonly works = new Map<number, WorkRecord>();
  private nextWorkId = 1;
  private job: StratumJob | null = null;
  private liveJobIds: string[] = [];
  private extranonce2Counter = 0n;
  private paused = false;
  private started = false;
  private stopped = false;
  private readonly startedAt = new Date();
  private readonly meters = new Map<string, HashMeter>();
  private sampler: ReturnType<typeof setInterval> | null = null;
  private unsubscribe: (() => void) | null = null;
  private readonly pendingSubmits = new Set<Promise<unknown>>();
  private readonly shares = { found: 0, accepted: 0, rejected: 0, stale: 0, lost: 0, invalid: 0, blocks: 0, lastRejectReason: null as string | null };

  constructor(
    private readonly options: MinerOptions,
    private readonly pool: MinerPoolClient,
    logger: Logger,
    devices: MinerDevices = defaultMinerDevices,
  ) {
    this.log = logger.forComponent('miner');
    this.devices = devices;
  }

  /** Starts the CPU threads and opens the GPUs; throws if one cannot start. */
  async start(): Promise<void> {
    if (this.started) return;
    this.started = true;
    try {
      if (this.options.threads > 0) {
        this.cpu = await this.devices.startCpuPool(
          { kind: this.options.cpuEngine, threads: this.options.threads },
          {
            onHit: (_t, workId, nonce) => this.onHit(workId, nonce),
            onDone: (thread, workId) => this.onCpuRangeDone(thread, workId),
            onError: (thread, err) => this.log.error(`cpu thread ${thread} failed`, { error: err.message }),
          },
        );
        this.meters.set('cpu', new HashMeter());
      }
      for (const index of this.options.gpus) {
        const gpu = await this.devices.openGpu(index);
        const runner = new GpuRunner(gpu, () => (this.job && !this.paused ? this.newWork(this.job) : null), (w, n) => this.onHit(w, n), this.log);
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

  /** Stops hashing; the pool connection is the caller's. Idempotent. */
  async stop(): Promise<void> {
    if (this.stopped) return;
    this.stopped = true;
    this.unsubscribe?.();
    if (this.sampler) clearInterval(this.sampler);
    await Promise.all([this.cpu?.stop(), ...this.gpus.map((g) => g.stop())]);
    await drainSubmits(this.pendingSubmits);
  }

  /** Stops hashing but keeps the pool connection and the job. */
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
    const devices = deviceStatuses(this.meters, this.cpu, this.options.cpuEngine, this.gpus);
    const poolStatus = this.pool.status();
    const state: MinerStatus['state'] = this.stopped ? 'stopped' : this.paused ? 'paused' : !this.started ? 'starting' : this.job && poolStatus.state === 'ready' ? 'mining' : 'waiting';
    return {
      state,
      paused: this.paused,
      startedAt: this.startedAt.toISOString(),
      uptimeSeconds: Math.round((Date.now() - this.startedAt.getTime()) / 1000),
      hashrate: { total: devices.reduce((a, d) => a + d.hashesPerSecond, 0), devices },
      shares: { ...this.shares },
      job: this.job ? { id: this.job.jobId, difficulty: this.job.difficulty, clean: this.job.cleanJobs } : null,
      pool: poolStatus,
    };
  }

  // -- work -----------------------------------------------------------------------------------

  private sample(): void {
    sampleMeters(this.meters, this.cpu, this.gpus);
  }

  private onJob(job: StratumJob, restart: boolean): void {
    if (this.stopped) return;
    const previous = this.job;
    this.job = job;
    this.extranonce2Counter = 0n;
    this.liveJobIds = liveJobIdsAfter(this.liveJobIds, previous, job, restart);
    this.log.info(restart ? 'new job (restart)' : 'new job', { jobId: job.jobId, difficulty: job.difficulty });
    this.dispatch();
  }

  private isLive(job: StratumJob): boolean {
    return isLiveJob(this.job, this.liveJobIds, job, this.pool.state === 'ready');
  }

  private newWork(job: StratumJob): WorkRecord {
    const extranonce2 = extranonce2Hex(this.extranonce2Counter++, job.extranonce2Size);
    const { header } = buildStratumHeader(
      { prevhash: job.prevhash, coinb1: job.coinb1, coinb2: job.coinb2, merkleBranch: job.merkleBranch, version: job.version, nbits: job.nbits, ntime: job.ntime },
      { extranonce1: job.extranonce1, extranonce2, ntime: job.ntime, nonce: '00000000' },
      { extranonce2Size: job.extranonce2Size },
    );
    const rec: WorkRecord = { workId: this.nextWorkId++, job, extranonce2, header, target: job.target };
    this.works.set(rec.workId, rec);
    if (this.works.size > MAX_WORK_RECORDS) this.works.delete(this.works.keys().next().value!);
    return rec;
  }

  /** Hands every device fresh work of the current job (or idles them). */
  private dispatch(): void {
    if (this.stopped) return;
    const job = this.job;
    if (!job || this.paused) {
      this.cpu?.idleAll();
      for (const g of this.gpus) g.setWork(null);
      return;
    }
    // Forget work of jobs that can no longer be submitted.
    for (const [id, rec] of this.works) if (!this.isLive(rec.job)) this.works.delete(id);
    if (this.cpu) {
      const rec = this.newWork(job);
      splitNonceSpace(this.cpu.threads).forEach((r, i) =>
        this.cpu!.assign(i, { workId: rec.workId, header: rec.header, target: rec.target, start: r.start, end: r.end }),
      );
    }
    for (const g of this.gpus) g.setWork(this.newWork(job));
  }

  private onCpuRangeDone(thread: number, workId: number): void {
    const rec = this.works.get(workId);
    const job = this.job;
    if (!job || this.paused || this.stopped || !this.cpu || rec?.job !== job) return;
    const fresh = this.newWork(job);
    this.cpu.assign(thread, { workId: fresh.workId, header: fresh.header, target: fresh.target, start: 0, end: NONCE_SPACE });
  }

  private onHit(workId: number, nonce: number): void {
    const rec = this.works.get(workId);
    this.shares.found++;
    if (!rec || !this.isLive(rec.job)) {
      this.shares.stale++;
      this.log.debug('dropped a share of a replaced job', { workId });
      return;
    }
    const header = rec.header.slice();
    writeU32LE(header, 76, nonce);
    const value = hashToBigInt(sha256d(header));
    if (value > rec.target) {
      this.shares.invalid++;
      this.log.error('an engine reported a nonce whose hash misses the target; not submitted', { nonce: u32ToHex(nonce), jobId: rec.job.jobId });
      return;
    }
    let isBlock = false;
    try {
      isBlock = value <= bitsToTarget(parseInt(rec.job.nbits, 16));
    } catch {
      /* unusable nbits: cannot be a block */
    }
    if (isBlock) {
      this.shares.blocks++;
      this.log.info('found a block candidate!', { jobId: rec.job.jobId, nonce: u32ToHex(nonce) });
    }
    const submission: ShareSubmission = { jobId: rec.job.jobId, extranonce2: rec.extranonce2, ntime: rec.job.ntime, nonce: u32ToHex(nonce) };
    const p = this.pool.submit(submission).then((result) => {
      if (result.lost) {
        this.shares.lost++;
        this.log.warn('share got no verdict', { jobId: submission.jobId, reason: result.reason });
      } else if (result.accepted) {
        this.shares.accepted++;
        this.log.info('share accepted', { jobId: submission.jobId, difficulty: rec.job.difficulty });
      } else {
        this.shares.rejected++;
        this.shares.lastRejectReason = result.reason ?? null;
        this.log.warn('share rejected', { jobId: submission.jobId, reason: result.reason });
      }
    });
    this.pendingSubmits.add(p);
    void p.finally(() => this.pendingSubmits.delete(p));
  }
}
