/**
 * KawPow's miner for the page: the KawPow engines (kawpow-engines.ts: one GPU worker with the
 * DAG, CPU workers by light evaluation) fed by the page's Stratum-over-WebSocket client speaking
 * KawPow's dialect (kawpow-dialect.ts) to the edge's /ws/stratum on a Ravencoin pool. The same
 * surface as SHA-256d's BrowserMiner (PageMiner): the runtime, courtesy and the dashboard drive
 * both alike; miner-algorithms.ts picks this one for 'kawpow'.
 *
 *   - jobs: every notify is hashed from its first nonce in the connection's nonce prefix; a new
 *     epoch prepares the workers again (light cache from IndexedDB or built, the GPU's DAG);
 *   - shares: a hit is submitted with its mix hash on the connection it was found for, and
 *     dropped (with an event) when the connection changed meanwhile;
 *   - builds: the light cache and DAG builds in progress go to the dashboard as lines
 *     ("Building the DAG of epoch 0 on the GPU worker: 43.5 %, about 12 s left");
 *   - duty: intensity x courtesy throttle, as for SHA-256d (0 parks the engines, the socket stays up).
 */
import { checkIntensity, checkThrottle } from '../duty-cycle.ts';
import { MinerOptionError } from '../errors.ts';
import { checkMinerOptions, type MinerEvent, type MinerOptions, type MinerStats, type PageMiner } from '../miner.ts';
import { initialStats, recordConnectionState, recordShareOutcome, recordThrottle } from '../miner-report.ts';
import { StratumWsClient, type ConnectionState } from '../stratum-ws-client.ts';
import { kawpowDialect, kawpowSubmitFields, type KawpowStratumJob } from './kawpow-dialect.ts';
import { KawpowEngines, type KawpowEngineJob } from './kawpow-engines.ts';
import { formatBuildStatus } from './kawpow-progress.ts';
import type { KawpowHit } from './kawpow-worker-protocol.ts';

/** How often the dashboard's figures are refreshed (ms). */
const STATS_EVERY_MS = 1000;

/** The job being hashed and the connection it came on. */
interface Current {
  readonly job: KawpowStratumJob;
  readonly engineJob: KawpowEngineJob;
  readonly sessionKey: string;
}

export interface KawpowMinerOptions extends MinerOptions {
  /** Tests only: engines of their own (a reduced dataset, another IndexedDB database). */
  readonly engines?: Pick<ConstructorParameters<typeof KawpowEngines>[0], 'datasetItems' | 'storeName' | 'spawn'>;
}

export class KawpowMiner implements PageMiner {
  private readonly client: StratumWsClient<KawpowStratumJob>;
  private readonly engines: KawpowEngines;
  private current: Current | undefined;
  private running = false;
  private intensity: number;
  private throttle = 1;
  private resting = 0;
  private startedAt = 0;
  private jobWaiters: (() => void)[] = [];
  private statsTimer: ReturnType<typeof setInterval> | undefined;
  private readonly stats: MinerStats;

  /** Throws MinerOptionError (with the reason) for an option that cannot be used. */
  constructor(private readonly options: KawpowMinerOptions) {
    const failover = checkMinerOptions(options);
    if (options.jobClient) throw new MinerOptionError('KawPow pools serve browsers through Stratum over WebSocket only (no sharechain peers yet)');
    this.intensity = options.intensity;
    this.client = new StratumWsClient<KawpowStratumJob>(
      failover,
      `${options.address}.${options.worker}`,
      {
        onJob: (job) => this.onJob(job),
        onExtranonce: () => this.current && this.onJob(this.current.job),
        onState: (state, url, detail) => this.onConnectionState(state, url, detail),
        onEvent: (event) => this.event(event),
      },
      { dialect: kawpowDialect() },
    );
    this.engines = new KawpowEngines({
      cpuThreads: options.threads,
      gpu: options.gpu,
      ...options.engines,
      onHit: (job, hit) => void this.submit(job, hit),
      onEvent: (event) => this.event(event),
      onBuild: (builds) => {
        this.stats.builds = builds.map(formatBuildStatus);
        // Shown as it happens: a light cache can be built between two periodic reports.
        this.emit();
      },
    });
    this.stats = { ...initialStats(failover.current, this.intensity), builds: [] };
  }

  async start(): Promise<void> {
    if (this.running) return;
    this.running = true;
    this.startedAt = performance.now();
    this.engines.setDuty(this.duty());
    // The socket and the workers come up side by side; the workers wait for the first job's epoch.
    this.client.start();
    this.statsTimer = setInterval(() => this.emit(), STATS_EVERY_MS);
    let started: Awaited<ReturnType<KawpowEngines['start']>>;
    try {
      started = await this.engines.start();
    } catch (err) {
      await this.stop();
      throw err;
    }
    if (!this.running) return;
    if (started.gpu) this.stats.gpuAdapter = started.gpu;
    this.event({ level: 'info', text: `started KawPow: ${started.gpu ? `GPU worker on ${started.gpu}` : 'no GPU worker'}, ${started.cpu} CPU worker(s)` });
    if (this.current) this.engines.setJob(this.current.engineJob);
    this.emit();
  }

  async stop(): Promise<void> {
    if (!this.running) return;
    this.running = false;
    clearInterval(this.statsTimer);
    this.client.stop();
    this.current = undefined;
    await this.engines.stop();
    for (const resolve of this.jobWaiters.splice(0)) resolve();
    this.stats.hashrate = this.stats.cpuHashrate = this.stats.gpuHashrate = 0;
    this.stats.builds = [];
    this.stats.connection = 'stopped';
    this.event({ level: 'info', text: 'stopped' });
    this.options.onStats(this.snapshot());
  }

  setIntensity(intensity: number): void {
    this.intensity = checkIntensity(intensity);
    this.applyDuty();
  }

  setThrottle(factor: number, reason?: string): void {
    checkThrottle(factor);
    if (!recordThrottle(this.stats, this.throttle, factor, reason, (e) => this.event(e))) return;
    this.throttle = factor;
    this.applyDuty();
  }

  /** Parks the engines for `ms` (courtesy's pressure probe); a batch in flight finishes first. */
  async restFor(ms: number): Promise<void> {
    if (!this.running) return;
    this.resting++;
    this.applyDuty();
    try {
      await new Promise((resolve) => setTimeout(resolve, ms));
    } finally {
      this.resting--;
      this.applyDuty();
    }
  }

  nextJob(): Promise<void> {
    if (!this.running) return Promise.resolve();
    return new Promise((resolve) => this.jobWaiters.push(resolve));
  }

  private duty(): number {
    return this.resting > 0 ? 0 : this.intensity * this.throttle;
  }

  private applyDuty(): void {
    this.stats.duty = this.intensity * this.throttle;
    this.engines.setDuty(this.duty());
    this.emit();
  }

  private event(event: MinerEvent): void {
    this.options.onEvent(event);
  }

  private onConnectionState(state: ConnectionState, url: string, detail?: string): void {
    recordConnectionState(this.stats, state, url, detail, (e) => this.event(e));
    this.emit();
  }

  private onJob(job: KawpowStratumJob): void {
    if (!this.running) return;
    const engineJob: KawpowEngineJob = { jobId: job.jobId, headerHash: job.headerHash, height: job.height, target: job.target, noncePrefix: this.client.extranonce1 };
    const fresh = this.current?.job !== job;
    this.current = { job, engineJob, sessionKey: this.client.sessionKey };
    this.engines.setJob(engineJob);
    this.stats.difficulty = job.difficulty;
    if (fresh) this.event({ level: 'info', text: `job ${job.jobId}${job.clean ? ' (new block)' : ''} at height ${job.height} (epoch ${job.epoch}), difficulty ${job.difficulty.toPrecision(3)}` });
    for (const resolve of this.jobWaiters.splice(0)) resolve();
    this.emit();
  }

  private async submit(engineJob: KawpowEngineJob, hit: KawpowHit): Promise<void> {
    const current = this.current;
    if (!this.running || !current) return;
    // A hit on an older job of this connection still goes in: the pool judges it (accepted or stale).
    if (current.sessionKey !== this.client.sessionKey || engineJob.noncePrefix !== this.client.extranonce1) {
      this.event({ level: 'info', text: 'dropped a share found for an earlier connection (its nonce range is not this one\'s)' });
      return;
    }
    const r = await this.client.submitShare(kawpowSubmitFields(engineJob, hit));
    if (!this.running) return;
    recordShareOutcome(this.stats, r, (e) => this.event(e));
    this.emit();
  }

  private snapshot(): MinerStats {
    return { ...this.stats, rejectReasons: { ...this.stats.rejectReasons }, builds: [...(this.stats.builds ?? [])] };
  }

  private emit(): void {
    if (!this.running) return;
    const now = performance.now();
    const r = this.engines.rates(now);
    this.stats.cpuHashrate = r.cpu;
    this.stats.gpuHashrate = r.gpu;
    this.stats.hashrate = r.total;
    this.stats.hashes = this.engines.hashes;
    if (this.stats.firstHashMs === undefined && this.engines.hashes > 0) this.stats.firstHashMs = Math.round(now - this.startedAt);
    // Times left move on between reports.
    this.stats.builds = this.engines.builds(now).map(formatBuildStatus);
    this.options.onStats(this.snapshot());
  }
}
