/**
 * The lifecycle every miner of `otedama mine` shares, whatever it hashes: start (the search opens
 * its devices, then jobs flow in from the pool), stop, pause and resume, which jobs shares are
 * still submitted for, the work records hits point back to, each hit checked, counted and
 * submitted with its verdict counted, hashrate sampling, and the status `otedama mining status`
 * and the live line show.
 *
 * What varies by algorithm is one seam, the search (MinerSearch): the devices it opens, the work
 * it hands them for a job, and how it checks a hit. The SHA-256d miner (miner.ts) and the KawPow
 * miner (kawpow-miner.ts) are this lifecycle over their search.
 */
import { bitsToTarget } from '@otedama/core';
import type { Logger } from '../logger.ts';
import { HashMeter } from './hash-meter.ts';
import { deviceStatuses, drainSubmits, isLiveJob, liveJobIdsAfter, SAMPLE_EVERY_MS, sampleMeters, type LiveJob, type MeteredCpu, type MeteredGpu } from './miner-parts.ts';
import type { ShareResult, StratumClientState, StratumClientStatus } from './stratum-connection.ts';

/** A job as the lifecycle needs it: its id, its connection and its share difficulty. */
export interface MinedJob extends LiveJob {
  readonly difficulty: number;
}

/** What a miner needs from a pool connection (the Stratum clients implement it). */
export interface MinerPool<J extends MinedJob, S> {
  on(event: 'job', listener: (job: J, restart: boolean) => void): () => void;
  submit(share: S): Promise<ShareResult>;
  status(): StratumClientStatus;
  readonly currentJob: J | null;
  readonly state: StratumClientState;
}

/** A piece of work handed to a device; hits name it by workId. */
export interface WorkRecord<J> {
  readonly workId: number;
  readonly job: J;
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

export interface JobStatus {
  readonly id: string;
  readonly difficulty: number;
  readonly clean: boolean;
  readonly height?: number;
  readonly epoch?: number;
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
  readonly job: JobStatus | null;
  /** Builds in progress (KawPow), with percent and time left. */
  readonly preparing?: readonly PrepareStatus[];
  readonly pool: StratumClientStatus;
}

/** The CPU threads as the lifecycle drives them. */
export interface SearchCpu extends MeteredCpu {
  idleAll(): void;
  stop(): Promise<void>;
}

/** A GPU runner as the lifecycle drives it. */
export interface SearchGpu extends MeteredGpu {
  setWork(work: null): void;
  stop(): Promise<void>;
}

/** A hit as its search judged it. */
export type CheckedHit<S> =
  /** It meets the share target: `value` is its hash as a number, `bits` the job's network target (compact). */
  | { readonly submission: S; readonly value: bigint; readonly bits: number; readonly nonce: string }
  /** An engine bug: the check does not confirm it (`why` finishes "an engine reported a nonce ..."). */
  | { readonly invalid: string; readonly nonce: string }
  /** It could not be checked (the search logged why). */
  | null;

/** What the lifecycle offers its search. */
export interface SearchHost<J, W extends WorkRecord<J>, H> {
  /** The job devices should hash now: null while paused, stopped or without one. */
  activeJob(): J | null;
  /** Keeps `work` under a new workId so its hits can be traced back (the oldest are forgotten past the search's limit). */
  record(work: Omit<W, 'workId'>): W;
  /** The work kept under `workId` (undefined once forgotten). */
  work(workId: number): W | undefined;
  /** A device found `hit` in the work `workId`. */
  hit(workId: number, hit: H): void;
  /** Hands every device work of the current job again (a search that was not ready for it is now). */
  dispatch(): void;
}

/** The algorithm's side of a miner: its devices, the work it gives them, the check of a hit. */
export interface MinerSearch<J extends MinedJob, W extends WorkRecord<J>, H, S> {
  /** Work records kept for late hits; older ones are dropped (their hits are counted stale). */
  readonly maxWorkRecords: number;
  /** The CPU threads, once open (null: none). */
  readonly cpu: SearchCpu | null;
  /** The GPUs opened so far. */
  readonly gpus: readonly SearchGpu[];
  /** How the CPU threads hash, for the status line. */
  cpuKind(): string;
  /** Loads engines, starts the CPU threads and opens the GPUs; throws if one cannot start (what did start is in cpu and gpus). */
  open(host: SearchHost<J, W, H>): Promise<void>;
  /** Hands every device work of `job` (the miner is running and not paused). */
  assign(job: J): void;
  /** Checks a hit before it is submitted. */
  check(work: W, hit: H): CheckedHit<S> | Promise<CheckedHit<S>>;
  /** What status says of a job. */
  jobStatus(job: J): JobStatus;
  /** Builds in progress (a search that builds nothing leaves it out). */
  preparing?(): PrepareStatus[];
  /** Stop has begun: cancel work in progress before the devices stop. */
  halt?(): void;
  /** The devices have stopped and verdicts are in: free what is left. */
  dispose?(): void;
}

/** A difficulty as logs show it (six significant digits). */
function logDifficulty(difficulty: number): number {
  return Number(difficulty.toPrecision(6));
}

export class MinerLifecycle<J extends MinedJob, W extends WorkRecord<J>, H, S> {
  protected readonly log: Logger;
  private readonly works = new Map<number, W>();
  private nextWorkId = 1;
  private job: J | null = null;
  private liveJobIds: string[] = [];
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
    private readonly pool: MinerPool<J, S>,
    logger: Logger,
    private readonly search: MinerSearch<J, W, H, S>,
  ) {
    this.log = logger.forComponent('miner');
  }

  /** Opens the search's devices, then follows the pool's jobs; throws if a device cannot start. */
  async start(): Promise<void> {
    if (this.started) return;
    this.started = true;
    try {
      await this.search.open({
        activeJob: () => (this.paused || this.stopped ? null : this.job),
        record: (work) => this.record(work),
        work: (workId) => this.works.get(workId),
        hit: (workId, hit) => void this.onHit(workId, hit),
        dispatch: () => this.dispatch(),
      });
    } catch (err) {
      await this.stop();
      throw err;
    }
    if (this.search.cpu) this.meters.set('cpu', new HashMeter());
    for (const g of this.search.gpus) this.meters.set(g.gpu.label, new HashMeter());
    this.sampler = setInterval(() => this.sample(), SAMPLE_EVERY_MS);
    this.sample();
    this.unsubscribe = this.pool.on('job', (job, restart) => this.onJob(job, restart));
    if (this.pool.currentJob && this.pool.state === 'ready') this.onJob(this.pool.currentJob, true);
  }

  /** Stops hashing (cancelling builds in progress); the pool connection is the caller's. Idempotent. */
  async stop(): Promise<void> {
    if (this.stopped) return;
    this.stopped = true;
    this.search.halt?.();
    this.unsubscribe?.();
    if (this.sampler) clearInterval(this.sampler);
    await Promise.all([this.search.cpu?.stop(), ...this.search.gpus.map((g) => g.stop())]);
    await drainSubmits(this.pendingSubmits);
    this.search.dispose?.();
  }

  /** Stops hashing but keeps the pool connection and the job. */
  pause(): void {
    if (this.paused || this.stopped) return;
    this.paused = true;
    this.idle();
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
    const devices = deviceStatuses(this.meters, this.search.cpu, this.search.cpuKind(), this.search.gpus);
    const poolStatus = this.pool.status();
    const preparing = this.search.preparing?.();
    const state: MinerStatus['state'] = this.stopped
      ? 'stopped'
      : this.paused
        ? 'paused'
        : !this.started
          ? 'starting'
          : this.job && poolStatus.state === 'ready'
            ? preparing?.length && devices.every((d) => d.hashesPerSecond === 0)
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
      job: this.job ? this.search.jobStatus(this.job) : null,
      ...(preparing ? { preparing } : {}),
      pool: poolStatus,
    };
  }

  // -- work -----------------------------------------------------------------------------------

  private sample(): void {
    sampleMeters(this.meters, this.search.cpu, this.search.gpus);
  }

  private idle(): void {
    this.search.cpu?.idleAll();
    for (const g of this.search.gpus) g.setWork(null);
  }

  private onJob(job: J, restart: boolean): void {
    if (this.stopped) return;
    const previous = this.job;
    this.job = job;
    this.liveJobIds = liveJobIdsAfter(this.liveJobIds, previous, job, restart);
    const { id, clean: _clean, ...rest } = this.search.jobStatus(job);
    this.log.info(restart ? 'new job (restart)' : 'new job', { jobId: id, ...rest, difficulty: logDifficulty(job.difficulty) });
    this.dispatch();
  }

  private isLive(job: J): boolean {
    return isLiveJob(this.job, this.liveJobIds, job, this.pool.state === 'ready');
  }

  private record(work: Omit<W, 'workId'>): W {
    const rec = { ...work, workId: this.nextWorkId++ } as W;
    this.works.set(rec.workId, rec);
    if (this.works.size > this.search.maxWorkRecords) this.works.delete(this.works.keys().next().value!);
    return rec;
  }

  /** Hands every device fresh work of the current job (or idles them). */
  private dispatch(): void {
    if (this.stopped) return;
    const job = this.job;
    if (!job || this.paused) {
      this.idle();
      return;
    }
    // Forget work of jobs that can no longer be submitted.
    for (const [id, rec] of this.works) if (!this.isLive(rec.job)) this.works.delete(id);
    this.search.assign(job);
  }

  private async onHit(workId: number, hit: H): Promise<void> {
    const rec = this.works.get(workId);
    this.shares.found++;
    if (!rec || !this.isLive(rec.job)) {
      this.shares.stale++;
      this.log.debug('dropped a share of a replaced job', { workId });
      return;
    }
    const job = rec.job;
    // Every hit is checked before it goes out: an engine bug costs a log line, not a reject.
    const checked = await this.search.check(rec, hit);
    if (!checked) return;
    if ('invalid' in checked) {
      this.shares.invalid++;
      this.log.error(`an engine reported a nonce ${checked.invalid}; not submitted`, { nonce: checked.nonce, jobId: job.jobId });
      return;
    }
    if (!this.isLive(job)) {
      this.shares.stale++;
      return;
    }
    let isBlock = false;
    try {
      isBlock = checked.value <= bitsToTarget(checked.bits);
    } catch {
      /* unusable bits: cannot be a block */
    }
    if (isBlock) {
      this.shares.blocks++;
      this.log.info('found a block candidate!', { jobId: job.jobId, nonce: checked.nonce });
    }
    const p = this.pool.submit(checked.submission).then((result) => {
      if (result.lost) {
        this.shares.lost++;
        this.log.warn('share got no verdict', { jobId: job.jobId, reason: result.reason });
      } else if (result.accepted) {
        this.shares.accepted++;
        this.log.info('share accepted', { jobId: job.jobId, difficulty: logDifficulty(job.difficulty) });
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
