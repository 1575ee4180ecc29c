/**
 * The headless KawPow miner behind `otedama mine --algo kawpow`: takes jobs from the KawPow
 * Stratum client, makes sure every device holds the job's epoch (the light cache for the CPU
 * threads, built in a worker thread or loaded from the store; the DAG for each GPU, built on the
 * GPU from that light cache), gives each device its own slice of the connection's nonce range,
 * checks every hit by light evaluation before it is submitted, and keeps the progress of those
 * builds for `otedama mining status` and the live line. Start, stop, pause, resume, submits and
 * the share counters are the lifecycle every miner shares (miner-lifecycle.ts).
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
import { EngineUnavailableError, kawpowEpoch, kawpowHashValue, kawpowNonceRange, type OtedamaError } from '@otedama/core';
import { compileKawpowModule, createWasmKawpowHasher, type LightCacheStore, type SimdChoice, type WasmKawpowHasher } from '@otedama/wasm';
import type { Logger } from '../logger.ts';
import type { KawpowGpuOptions, OpenedKawpowGpu } from './gpu-devices.ts';
import { GpuRunner, type GpuSearchStep } from './gpu-runner.ts';
import { GPU_MAX_HITS } from './miner-parts.ts';
import { MinerLifecycle, type CheckedHit, type JobStatus, type MinerPool, type MinerSearch, type PrepareStatus, type SearchHost, type WorkRecord } from './miner-lifecycle.ts';
import { HashThreadPool, type HashThreadHandlers } from './hash-threads.ts';
import type { KawpowCpuHit, KawpowCpuWork, KawpowEpochMessage } from './kawpow-cpu-protocol.ts';
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
export type KawpowMinerPoolClient = MinerPool<KawpowStratumJob, KawpowShareSubmit>;

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

type KawpowWork = WorkRecord<KawpowStratumJob>;

/** A build the miner waits for, with what the status shows of it. */
interface Preparation {
  readonly what: 'light cache' | 'DAG';
  readonly device: string;
  readonly epoch: number;
  done: number;
  total: number;
  readonly startedAt: number;
}

/** A GPU's batches: its slice of the job's nonce range, each call sized for about GPU_BATCH_TARGET_MS. */
function kawpowGpuStep(gpu: OpenedKawpowGpu): GpuSearchStep<KawpowWork, KawpowCpuHit> {
  const granularity = gpu.engine.dispatchGranularity;
  let size = Math.max(1, granularity);
  return {
    search: ({ job }, start, count) => gpu.engine.search({ headerHash: job.headerHash, height: job.height, target: job.target }, start, count, { maxHits: GPU_MAX_HITS }),
    batch(last) {
      // The first call of an epoch includes its DAG build.
      if (!last) return size;
      if (last.count === size && last.ms < GPU_BATCH_TARGET_MS / 2) size = Math.min(GPU_MAX_BATCH, size * 2);
      else if (last.ms > GPU_BATCH_TARGET_MS * 2 && size > granularity) size = Math.max(granularity, Math.floor(size / 2));
      return size;
    },
  };
}

/** Splits the nonces [first, last] into `parts` contiguous slices. */
export function splitNonceRange(first: bigint, last: bigint, parts: number): { start: bigint; end: bigint }[] {
  const size = last - first + 1n;
  const n = BigInt(parts);
  return Array.from({ length: parts }, (_, i) => ({ start: first + (size * BigInt(i)) / n, end: first + (size * BigInt(i + 1)) / n }));
}

/**
 * KawPow's search: every device holds the job's epoch (light cache or DAG) and searches its own
 * slice of the connection's nonce range; every hit is confirmed by light evaluation.
 */
class KawpowSearch implements MinerSearch<KawpowStratumJob, KawpowWork, KawpowCpuHit, KawpowShareSubmit> {
  readonly maxWorkRecords = MAX_WORK_RECORDS;
  cpu: KawpowCpuPool | null = null;
  readonly gpus: GpuRunner<OpenedKawpowGpu, KawpowWork, KawpowCpuHit>[] = [];
  private hasher: WasmKawpowHasher | null = null;
  private host: SearchHost<KawpowStratumJob, KawpowWork, KawpowCpuHit> | null = null;
  /** The epoch whose light cache the CPU threads hold (-1: none yet). */
  private cpuEpoch = -1;
  private cpuPreparing: Promise<void> | null = null;
  private readonly abort = new AbortController();
  private readonly builds = new Map<string, Preparation>();

  constructor(
    private readonly options: KawpowMinerOptions,
    private readonly devices: KawpowMinerDevices,
    private readonly log: Logger,
  ) {}

  cpuKind(): string {
    return `${this.hasher?.name ?? 'wasm'} light evaluation`;
  }

  async open(host: SearchHost<KawpowStratumJob, KawpowWork, KawpowCpuHit>): Promise<void> {
    this.host = host;
    this.hasher = await this.devices.createHasher({
      simd: this.options.simd ?? 'auto',
      ...(this.options.store ? { store: this.options.store } : {}),
      onProgress: (p) => this.progress('light cache', 'wasm', p.epoch, p.done, p.total),
    });
    if (this.options.threads > 0) {
      this.cpu = await this.devices.startCpuPool(this.options.threads, this.options.simd ?? 'auto', {
        onHit: (_t, workId, hit) => host.hit(workId, hit),
        onError: (thread, err) => this.log.error(`cpu thread ${thread} failed`, { error: (err as OtedamaError).reason ?? err.message }),
      });
    }
    for (const index of this.options.gpus) {
      const label = `gpu${index}`;
      const gpu = await this.devices.openGpu(index, {
        lightCache: async (epoch) => (await this.hasher!.context(epoch, { signal: this.abort.signal })).lightCacheView().slice(),
        onDagProgress: (p) => this.progress('DAG', label, p.epoch, p.bytesDone, p.bytes),
        signal: this.abort.signal,
        ...(this.options.datasetItems ? { datasetBytes: this.options.datasetItems * 128 } : {}),
      });
      const runner = new GpuRunner(gpu, kawpowGpuStep(gpu), (w, h) => host.hit(w, h), this.log, this.abort.signal);
      runner.start();
      this.gpus.push(runner);
      this.log.info(`${gpu.label} ready`, { adapter: gpu.info.description || gpu.info.device, backend: gpu.info.backend });
    }
  }

  /** Cancels builds in progress (freeing their memory). */
  halt(): void {
    this.abort.abort(new EngineUnavailableError('kawpow', 'the miner stopped'));
  }

  dispose(): void {
    this.hasher?.dispose();
  }

  jobStatus(job: KawpowStratumJob): JobStatus {
    return { id: job.jobId, difficulty: job.difficulty, clean: job.clean, height: job.height, epoch: job.epoch };
  }

  preparing(): PrepareStatus[] {
    return [...this.builds.values()].map((p) => prepareStatus(p));
  }

  /** Hands every device a slice of the job's nonce range. */
  assign(job: KawpowStratumJob): void {
    const host = this.host!;
    const { first, last } = kawpowNonceRange(job.noncePrefix);
    const cpuThreads = this.cpu?.threads ?? 0;
    const slices = splitNonceRange(first, last, cpuThreads + this.gpus.length);
    const rec = host.record({ job });
    this.gpus.forEach((g, i) => g.setWork({ work: rec, ...slices[cpuThreads + i]! }));
    if (!this.cpu) return;
    const epoch = kawpowEpoch(job.height);
    if (this.cpuEpoch !== epoch) {
      this.cpu.idleAll();
      if (!this.cpuPreparing) {
        this.cpuPreparing = this.prepareCpu(epoch)
          .catch((err: unknown) => {
            if (!this.abort.signal.aborted) this.log.error('the light cache could not be made; the CPU threads wait', { epoch, error: (err as OtedamaError).reason ?? (err as Error).message });
          })
          .finally(() => {
            this.cpuPreparing = null;
            if (this.cpuEpoch === kawpowEpoch(host.activeJob()?.height ?? -1)) host.dispatch();
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

  /** Light evaluation of the hit: its final hash meets the target and its mix hash is the engine's. */
  async check(rec: KawpowWork, hit: KawpowCpuHit): Promise<CheckedHit<KawpowShareSubmit>> {
    const job = rec.job;
    const nonce = '0x' + hit.nonce.toString(16).padStart(16, '0');
    let checked;
    try {
      checked = await this.hasher!.hash(job.headerHash, hit.nonce, job.height, this.options.datasetItems ? { datasetItems: this.options.datasetItems } : undefined);
    } catch (err) {
      if (!this.abort.signal.aborted) this.log.warn('could not check a hit; not submitted', { nonce, error: (err as OtedamaError).reason ?? (err as Error).message });
      return null;
    }
    const value = kawpowHashValue(checked.finalHash);
    if (value > job.target || checked.mixHash.some((b, i) => b !== hit.mixHash[i])) return { invalid: 'that light evaluation does not confirm', nonce };
    return { submission: { jobId: job.jobId, nonce: hit.nonce, headerHash: job.headerHash, mixHash: hit.mixHash }, value, bits: job.bits, nonce };
  }

  // -- builds ---------------------------------------------------------------------------------

  private progress(what: Preparation['what'], device: string, epoch: number, done: number, total: number): void {
    const key = `${what}:${device}`;
    if (done >= total) {
      const p = this.builds.get(key);
      if (p) this.log.info(`${what} of epoch ${epoch} ready`, { device, seconds: Math.round((performance.now() - p.startedAt) / 100) / 10 });
      this.builds.delete(key);
      return;
    }
    let p = this.builds.get(key);
    if (!p || p.epoch !== epoch) {
      p = { what, device, epoch, done, total, startedAt: performance.now() };
      this.builds.set(key, p);
      this.log.info(`building the ${what} of epoch ${epoch}`, { device });
    }
    p.done = done;
    p.total = total;
  }

  /** Sends the CPU threads the light cache of `epoch` (built or loaded first), once per epoch. */
  private async prepareCpu(epoch: number): Promise<void> {
    const cpu = this.cpu!;
    const context = await this.hasher!.context(epoch, { signal: this.abort.signal });
    if (this.abort.signal.aborted) return;
    const lightCache = context.lightCacheView();
    for (let t = 0; t < cpu.threads; t++) cpu.post(t, { type: 'epoch', epoch, lightCache: lightCache.slice() } satisfies KawpowEpochMessage);
    this.cpuEpoch = epoch;
  }
}

function prepareStatus(p: Preparation): PrepareStatus {
  const fraction = p.total > 0 ? p.done / p.total : 0;
  const elapsed = (performance.now() - p.startedAt) / 1000;
  const etaSeconds = fraction > 0.01 ? Math.round((elapsed / fraction) * (1 - fraction)) : null;
  return { what: p.what, device: p.device, epoch: p.epoch, percent: Math.floor(fraction * 1000) / 10, etaSeconds };
}

/**
 * The KawPow miner: the shared lifecycle (miner-lifecycle.ts) over CPU threads hashing by light
 * evaluation and GPUs holding the epoch's DAG.
 */
export class KawpowMiner extends MinerLifecycle<KawpowStratumJob, KawpowWork, KawpowCpuHit, KawpowShareSubmit> {
  constructor(options: KawpowMinerOptions, pool: KawpowMinerPoolClient, logger: Logger, devices: KawpowMinerDevices = defaultKawpowMinerDevices) {
    super(pool, logger, new KawpowSearch(options, devices, logger.forComponent('miner')));
  }
}
