/**
 * The browser miner: CPU workers (WASM) and optionally one GPU worker (WebGPU) fed with work
 * built from the pool's Stratum jobs. Every worker takes its own slice of the shared nonce
 * cursor, so ranges never overlap. Loaded only after the person pressed Start.
 */
import * as Comlink from 'comlink';
import { buildStratumHeader, difficultyToTarget, u32ToHex, validateAddress, NONCE_SPACE } from '@otedama/core';
import type { CpuWorkerApi } from './cpu-worker.ts';
import type { GpuWorkerApi } from './gpu-worker.ts';
import { StratumWsClient, type StratumJob } from './stratum-ws-client.ts';

/** Nonces per worker call: ~50 ms at a few MH/s, short enough to switch jobs quickly. */
const BATCH_NONCES = 1 << 18;
/** GPU dispatches per worker call: two keep the engine's double-buffered staging busy. */
const GPU_DISPATCHES_PER_BATCH = 2;
/** Window of the hashrate estimate. */
const HASHRATE_WINDOW_MS = 10_000;

export type DeviceKind = 'cpu' | 'gpu';

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

/** Returns a problem description, or undefined when the address is a valid simnet (regtest) address. */
export function validatePayoutAddress(address: string): string | undefined {
  if (!address) return 'enter a payout address';
  try {
    validateAddress(address, 'regtest');
    return undefined;
  } catch (err) {
    return (err as { reason?: string }).reason ?? String(err);
  }
}

interface Work {
  job: StratumJob;
  extranonce2: string;
  header: Uint8Array;
  target: bigint;
  cursor: number;
  generation: number;
}

interface EngineWorker {
  kind: DeviceKind;
  worker: Worker;
  api: Comlink.Remote<CpuWorkerApi> | Comlink.Remote<GpuWorkerApi>;
  batchNonces: number;
}

export class BrowserMiner {
  private readonly workers: EngineWorker[] = [];
  private client: StratumWsClient | undefined;
  private work: Work | undefined;
  private generation = 0;
  private en2Counter = 0;
  private running = false;
  private samples: { t: number; n: number; kind: DeviceKind }[] = [];
  private statsTimer: ReturnType<typeof setInterval> | undefined;
  private readonly stats: MinerStats = { hashrate: 0, cpuHashrate: 0, gpuHashrate: 0, accepted: 0, rejected: 0, difficulty: 0, connection: 'idle' };

  constructor(private readonly options: MinerOptions) {}

  async start(): Promise<void> {
    if (this.running) return;
    this.running = true;
    const user = `${this.options.address}.${this.options.worker}`;
    if (this.options.threads < 1 && !this.options.gpu) throw new Error('choose at least one CPU thread or the GPU');
    const cpu: EngineWorker[] = [];
    for (let i = 0; i < this.options.threads; i++) {
      const worker = new Worker(new URL('./cpu-worker.ts', import.meta.url), { type: 'module', name: `otedama-cpu-${i}` });
      cpu.push({ kind: 'cpu', worker, api: Comlink.wrap<CpuWorkerApi>(worker), batchNonces: BATCH_NONCES });
    }
    this.workers.push(...cpu);
    const gpuInit = this.options.gpu ? this.startGpu() : undefined;
    if (cpu.length > 0) {
      const engines = await Promise.all(cpu.map((w) => (w.api as Comlink.Remote<CpuWorkerApi>).init()));
      this.options.onEvent(`started ${engines.length} CPU worker(s) (${engines[0]})`);
    }
    if (gpuInit) {
      try {
        await gpuInit;
      } catch (err) {
        if (cpu.length === 0) {
          await this.stop();
          throw err;
        }
        this.options.onEvent(`GPU unavailable, mining on the CPU only: ${(err as Error).message}`);
      }
    }
    if (!this.running) return;
    this.client = new StratumWsClient(this.options.wsUrl, user, {
      onJob: (job) => this.onJob(job),
      onExtranonce: () => this.work && this.onJob(this.work.job),
      onState: (state, detail) => {
        this.stats.connection = detail ? `${state} (${detail})` : state;
        this.options.onEvent(`pool ${this.stats.connection}`);
        this.emit();
      },
    });
    this.client.start();
    this.statsTimer = setInterval(() => this.emit(), 1000);
    this.workers.forEach((_, i) => void this.loop(i));
  }

  /** Starts the GPU worker, tunes it, and adds it to the pool of workers. */
  private async startGpu(): Promise<void> {
    const worker = new Worker(new URL('./gpu-worker.ts', import.meta.url), { type: 'module', name: 'otedama-gpu' });
    const api = Comlink.wrap<GpuWorkerApi>(worker);
    try {
      const info = await api.init();
      this.stats.gpuAdapter = info.adapter;
      this.workers.push({ kind: 'gpu', worker, api, batchNonces: info.dispatchNonces * GPU_DISPATCHES_PER_BATCH });
      this.options.onEvent(
        `started GPU worker on ${info.adapter}: ${info.dispatchNonces} nonces per dispatch (~${(info.tunedHashesPerSecond / 1e6).toFixed(2)} MH/s tuned)`,
      );
    } catch (err) {
      worker.terminate();
      throw err;
    }
  }

  async stop(): Promise<void> {
    if (!this.running) return;
    this.running = false;
    this.generation++;
    clearInterval(this.statsTimer);
    this.client?.stop();
    for (const w of this.workers) w.worker.terminate();
    this.workers.length = 0;
    this.options.onEvent('stopped');
  }

  private onJob(job: StratumJob): void {
    if (!this.client) return;
    if (job.clean || !this.work || job.jobId !== this.work.job.jobId) this.en2Counter = 0;
    this.prepare(job);
    this.stats.difficulty = job.difficulty;
    this.options.onEvent(`job ${job.jobId}${job.clean ? ' (new block)' : ''} at difficulty ${job.difficulty}`);
  }

  private prepare(job: StratumJob): void {
    const client = this.client!;
    const size = client.extranonce2Size;
    const extranonce2 = (this.en2Counter++ >>> 0).toString(16).padStart(size * 2, '0').slice(-size * 2);
    const { header } = buildStratumHeader(job, { extranonce1: client.extranonce1, extranonce2, ntime: job.ntime, nonce: '00000000' });
    this.work = { job, extranonce2, header, target: difficultyToTarget(job.difficulty), cursor: 0, generation: ++this.generation };
  }

  private async loop(index: number): Promise<void> {
    while (this.running) {
      const work = this.work;
      const w = this.workers[index];
      if (!work || !w) {
        await new Promise((r) => setTimeout(r, 100));
        continue;
      }
      if (work.cursor >= NONCE_SPACE) {
        this.prepare(work.job);
        continue;
      }
      const start = work.cursor;
      const count = Math.min(w.batchNonces, NONCE_SPACE - start);
      work.cursor += count;
      let result: { nonces: number[]; tried: number };
      try {
        result = await w.api.search(work.header, work.target, start, count);
      } catch (err) {
        if (this.running) this.options.onEvent(`${w.kind} worker ${index} failed: ${(err as Error).message}`);
        return;
      }
      this.samples.push({ t: performance.now(), n: result.tried, kind: w.kind });
      // Shares of a superseded job are still submitted: the pool keeps old job ids valid until a
      // clean job, and rejects them as stale (error 21) after one.
      for (const nonce of result.nonces) void this.submit(work, nonce);
    }
  }

  private async submit(work: Work, nonce: number): Promise<void> {
    const r = await this.client!.submit(work.job.jobId, work.extranonce2, work.job.ntime, u32ToHex(nonce));
    if (r.accepted) this.stats.accepted++;
    else {
      this.stats.rejected++;
      this.options.onEvent(`share rejected: ${r.reason ?? 'unknown reason'}`);
    }
    this.emit();
  }

  private emit(): void {
    const now = performance.now();
    this.samples = this.samples.filter((s) => now - s.t <= HASHRATE_WINDOW_MS);
    const first = this.samples[0];
    const span = first ? Math.max(1000, now - first.t) : HASHRATE_WINDOW_MS;
    const rate = (kind?: DeviceKind) => (this.samples.reduce((a, s) => (kind && s.kind !== kind ? a : a + s.n), 0) / span) * 1000;
    this.stats.cpuHashrate = rate('cpu');
    this.stats.gpuHashrate = rate('gpu');
    this.stats.hashrate = rate();
    this.options.onStats({ ...this.stats });
  }
}
