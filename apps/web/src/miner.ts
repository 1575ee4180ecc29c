/**
 * The browser miner: CPU workers (WASM) fed with work built from the pool's Stratum jobs.
 * Loaded only after the person pressed Start.
 */
import * as Comlink from 'comlink';
import { buildStratumHeader, difficultyToTarget, u32ToHex, validateAddress, NONCE_SPACE } from '@otedama/core';
import type { CpuWorkerApi } from './cpu-worker.ts';
import { StratumWsClient, type StratumJob } from './stratum-ws-client.ts';

/** Nonces per worker call: ~50 ms at a few MH/s, short enough to switch jobs quickly. */
const BATCH_NONCES = 1 << 18;
/** Window of the hashrate estimate. */
const HASHRATE_WINDOW_MS = 10_000;

export interface MinerStats {
  hashrate: number;
  accepted: number;
  rejected: number;
  difficulty: number;
  connection: string;
}

export interface MinerOptions {
  address: string;
  worker: string;
  threads: number;
  wsUrl: string;
  onStats(stats: MinerStats): void;
  onEvent(text: string): void;
}

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

export class BrowserMiner {
  private readonly workers: { worker: Worker; api: Comlink.Remote<CpuWorkerApi> }[] = [];
  private client: StratumWsClient | undefined;
  private work: Work | undefined;
  private generation = 0;
  private en2Counter = 0;
  private running = false;
  private samples: { t: number; n: number }[] = [];
  private statsTimer: ReturnType<typeof setInterval> | undefined;
  private readonly stats: MinerStats = { hashrate: 0, accepted: 0, rejected: 0, difficulty: 0, connection: 'idle' };

  constructor(private readonly options: MinerOptions) {}

  async start(): Promise<void> {
    if (this.running) return;
    this.running = true;
    const user = `${this.options.address}.${this.options.worker}`;
    for (let i = 0; i < this.options.threads; i++) {
      const worker = new Worker(new URL('./cpu-worker.ts', import.meta.url), { type: 'module', name: `otedama-cpu-${i}` });
      const api = Comlink.wrap<CpuWorkerApi>(worker);
      this.workers.push({ worker, api });
    }
    const engines = await Promise.all(this.workers.map((w) => w.api.init()));
    this.options.onEvent(`started ${engines.length} CPU worker(s) (${engines[0]})`);
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
      const count = Math.min(BATCH_NONCES, NONCE_SPACE - start);
      work.cursor += count;
      let result: { nonces: number[]; tried: number };
      try {
        result = await w.api.search(work.header, work.target, start, count);
      } catch (err) {
        if (this.running) this.options.onEvent(`worker ${index} failed: ${(err as Error).message}`);
        return;
      }
      this.samples.push({ t: performance.now(), n: result.tried });
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
    const total = this.samples.reduce((a, s) => a + s.n, 0);
    const span = first ? Math.max(1000, now - first.t) : HASHRATE_WINDOW_MS;
    this.stats.hashrate = (total / span) * 1000;
    this.options.onStats({ ...this.stats });
  }
}
