/**
 * The headless miner behind `otedama mine`: takes jobs from a Stratum client, turns each into
 * work (a header for one extranonce2, a nonce range, the share target), keeps CPU threads and
 * GPUs busy with it and checks every hit with core's SHA-256d before it is submitted. Start, stop,
 * pause, resume, submits and the counters `otedama mining status` shows are the lifecycle every
 * miner shares (miner-lifecycle.ts); this file is SHA-256d's search.
 *
 * Work layout: per job the extranonce2 counter starts at 0 (little-endian, as minerd). The CPU
 * threads share one extranonce2 and split its 2^32 nonces (thread i from 2^32/n*i); each GPU
 * gets its own extranonce2 and the whole nonce space. A device that exhausts its range gets the
 * next extranonce2. ntime is never rolled.
 */
import { buildStratumHeader, hashToBigInt, sha256d, u32ToHex, writeU32LE } from '@otedama/core';
import type { Logger } from '../logger.ts';
import type { ShareSubmission, StratumJob } from './stratum-client.ts';
import { extranonce2Hex } from './stratum-client.ts';
import { splitNonceSpace, startCpuPool, type CpuPoolHandlers, type CpuPoolOptions, type CpuWorkerPool } from './cpu-pool.ts';
import type { CpuEngineName } from './cpu-searcher.ts';
import type { OpenedGpu } from './gpu-devices.ts';
import { GpuRunner, type GpuSearchStep, type GpuSlice } from './gpu-runner.ts';
import { GPU_MAX_HITS } from './miner-parts.ts';
import { MinerLifecycle, type CheckedHit, type JobStatus, type MinerPool, type MinerSearch, type SearchHost, type WorkRecord } from './miner-lifecycle.ts';

const NONCE_SPACE = 0x1_0000_0000;
/** Work records kept for late hits; older ones are dropped (their hits are counted stale). */
const MAX_WORK_RECORDS = 4096;
/** Nonces per GPU search call: enough to keep the device busy, short enough to switch jobs fast. */
const GPU_MIN_BATCH = 1 << 22;

/** What the miner needs from a pool connection (StratumClient implements it). */
export type MinerPoolClient = MinerPool<StratumJob, ShareSubmission>;

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

interface Sha256dWork extends WorkRecord<StratumJob> {
  readonly extranonce2: string;
  readonly header: Uint8Array;
  readonly target: bigint;
}

export const defaultMinerDevices: MinerDevices = {
  startCpuPool,
  openGpu: async (index) => (await import('./gpu-devices.ts')).openGpu(index),
};

/** A GPU's batches: the whole nonce space of its extranonce2, then the next extranonce2. */
function sha256dGpuStep(gpu: OpenedGpu, next: () => Sha256dWork | null): GpuSearchStep<Sha256dWork, number> {
  const batch = Math.max(GPU_MIN_BATCH, (gpu.engine.dispatchNonces ?? 0) * 4);
  return {
    async search(work, start, count) {
      const r = await gpu.engine.search({ header: work.header, target: work.target }, Number(start), count, { maxHits: GPU_MAX_HITS });
      return { tried: r.tried, hits: r.hits.map((h) => h.nonce) };
    },
    batch: () => batch,
    next: () => wholeNonceSpace(next()),
  };
}

function wholeNonceSpace(work: Sha256dWork | null): GpuSlice<Sha256dWork> | null {
  return work ? { work, start: 0n, end: BigInt(NONCE_SPACE) } : null;
}

/** SHA-256d's search: CPU threads splitting an extranonce2's nonces, each GPU on an extranonce2 of its own. */
class Sha256dSearch implements MinerSearch<StratumJob, Sha256dWork, number, ShareSubmission> {
  readonly maxWorkRecords = MAX_WORK_RECORDS;
  cpu: CpuWorkerPool | null = null;
  readonly gpus: GpuRunner<OpenedGpu, Sha256dWork, number>[] = [];
  private host: SearchHost<StratumJob, Sha256dWork, number> | null = null;
  private extranonce2Counter = 0n;
  private job: StratumJob | null = null;

  constructor(
    private readonly options: MinerOptions,
    private readonly devices: MinerDevices,
    private readonly log: Logger,
  ) {}

  cpuKind(): string {
    return this.options.cpuEngine;
  }

  async open(host: SearchHost<StratumJob, Sha256dWork, number>): Promise<void> {
    this.host = host;
    if (this.options.threads > 0) {
      this.cpu = await this.devices.startCpuPool(
        { kind: this.options.cpuEngine, threads: this.options.threads },
        {
          onHit: (_t, workId, nonce) => host.hit(workId, nonce),
          onDone: (thread, workId) => this.onCpuRangeDone(thread, workId),
          onError: (thread, err) => this.log.error(`cpu thread ${thread} failed`, { error: err.message }),
        },
      );
    }
    for (const index of this.options.gpus) {
      const gpu = await this.devices.openGpu(index);
      const runner = new GpuRunner(gpu, sha256dGpuStep(gpu, () => this.nextWork()), (w, n) => host.hit(w, n), this.log);
      runner.start();
      this.gpus.push(runner);
      this.log.info(`${gpu.label} ready`, { adapter: gpu.info.description || gpu.info.device, backend: gpu.info.backend });
    }
  }

  assign(job: StratumJob): void {
    if (this.cpu) {
      const rec = this.newWork(job);
      splitNonceSpace(this.cpu.threads).forEach((r, i) =>
        this.cpu!.assign(i, { workId: rec.workId, header: rec.header, target: rec.target, start: r.start, end: r.end }),
      );
    }
    for (const g of this.gpus) g.setWork(wholeNonceSpace(this.newWork(job)));
  }

  check(rec: Sha256dWork, nonce: number): CheckedHit<ShareSubmission> {
    const header = rec.header.slice();
    writeU32LE(header, 76, nonce);
    const value = hashToBigInt(sha256d(header));
    const nonceHex = u32ToHex(nonce);
    if (value > rec.target) return { invalid: 'whose hash misses the target', nonce: nonceHex };
    const submission: ShareSubmission = { jobId: rec.job.jobId, extranonce2: rec.extranonce2, ntime: rec.job.ntime, nonce: nonceHex };
    return { submission, value, bits: parseInt(rec.job.nbits, 16), nonce: nonceHex };
  }

  jobStatus(job: StratumJob): JobStatus {
    return { id: job.jobId, difficulty: job.difficulty, clean: job.cleanJobs };
  }

  /** Fresh work of the job the devices should hash (null while there is none). */
  private nextWork(): Sha256dWork | null {
    const job = this.host?.activeJob();
    return job ? this.newWork(job) : null;
  }

  private newWork(job: StratumJob): Sha256dWork {
    // Per job the extranonce2 counter starts at 0.
    if (job !== this.job) {
      this.job = job;
      this.extranonce2Counter = 0n;
    }
    const extranonce2 = extranonce2Hex(this.extranonce2Counter++, job.extranonce2Size);
    const { header } = buildStratumHeader(
      { prevhash: job.prevhash, coinb1: job.coinb1, coinb2: job.coinb2, merkleBranch: job.merkleBranch, version: job.version, nbits: job.nbits, ntime: job.ntime },
      { extranonce1: job.extranonce1, extranonce2, ntime: job.ntime, nonce: '00000000' },
      { extranonce2Size: job.extranonce2Size },
    );
    return this.host!.record({ job, extranonce2, header, target: job.target });
  }

  private onCpuRangeDone(thread: number, workId: number): void {
    const job = this.host?.activeJob();
    // Work of a replaced job: the thread already has the current job's.
    if (!job || !this.cpu || this.host!.work(workId)?.job !== job) return;
    const fresh = this.newWork(job);
    this.cpu.assign(thread, { workId: fresh.workId, header: fresh.header, target: fresh.target, start: 0, end: NONCE_SPACE });
  }
}

/**
 * The SHA-256d miner: the shared lifecycle (miner-lifecycle.ts) over CPU threads (WASM or JS)
 * and GPUs (WebGPU), each hit checked with core's SHA-256d.
 */
export class Miner extends MinerLifecycle<StratumJob, Sha256dWork, number, ShareSubmission> {
  constructor(options: MinerOptions, pool: MinerPoolClient, logger: Logger, devices: MinerDevices = defaultMinerDevices) {
    super(pool, logger, new Sha256dSearch(options, devices, logger.forComponent('miner')));
  }
}
