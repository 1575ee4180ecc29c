/**
 * Turns block templates and the sharechain's tip into Stratum jobs, and submits the blocks miners
 * find. Every job is a share of the chain in the making (docs/sharechain.md §4):
 *
 *   - Jobs are per payout address: the coinbase pays payouts(tip, reward) (the chain's current
 *     distribution) and commits to a share whose payees are that address and the edge operator's
 *     fee (accounting/share-payees.ts). Connections of one address share its jobs (their
 *     extranonce1 differs, so their work does); the coinbase is core's createChainJob split around
 *     the extranonce slot, so a header a miner finds is exactly a share validators rebuild.
 *   - A new coin block gives clean jobs (clean_jobs=true; every earlier job is stale). A new chain
 *     tip gives new jobs that are not clean: shares on the old parent are still valid shares (a
 *     side branch, uncle candidates for the next share). Other new templates too. Periodic
 *     refreshes (every jobRefreshSeconds, at most every MAX_NOTIFY_INTERVAL_S since minerd stops
 *     hashing after 120 s without a new job id) give each address a new id with a later ntime;
 *     the share is re-timed (a new coinbase) when the chain would now demand another target
 *     (ASERT eases while no share comes), else the coinbase stays.
 *   - Jobs are made on demand (`jobFor(address)`) for the addresses that have connections, once
 *     per address and work generation; `onWork` tells the server that new work exists.
 *   - Duplicates: every job of one coin template shares one duplicate set in the validator (its
 *     templateKey), whatever address, chain tip or refresh made it: a header identifies a share,
 *     so a share is credited once however many job ids it is sent under (issue 9).
 *   - Variants: a connection whose difficulty changed gets the address's current job under a new
 *     id with a later ntime (so miners that restart from extranonce2 0 do not redo identical work).
 *   - Difficulty: a job's `maxDifficulty` is the chain's share difficulty rounded down to a power
 *     of two; connections are never sent a harder pseudo-share difficulty, so every hash that
 *     meets the chain's share target is submitted (and credited by the chain for the work its
 *     target stands for), while the pseudo-share difficulty changes only when the chain's
 *     difficulty crosses a power of two.
 *   - Blocks are serialized from the job's own template and submitted at once.
 *   - Until `setServing(true)` (the sharechain synced from the peers) no job is made at all.
 */
import {
  DEFAULT_VERSION_ROLLING_MASK,
  bytesToHex,
  createChainJob,
  demandedTarget,
  jobMerkleBranch,
  reverseBytes,
  targetToLE,
  u32ToHex,
  type BlockTemplate,
  type ChainJob,
  type ChainJobCoin,
  type Payouts,
  type ShareChain,
  type ShareEntry,
} from '@otedama/core';
import { blockForSubmit } from '../chain/template-work.ts';
import type { DialectJob, DialectShare, DialectTarget, StratumDialect } from './dialect.ts';
import { JobBuildError } from '../errors.ts';
import type { Logger } from '../logger.ts';
import type { SharePayees } from '../accounting/share-payees.ts';
import type { TemplateSource, TemplateUpdate } from '../chain/template-source.ts';

/** Longest gap between two notifies with new job ids (s): minerd stops hashing after 120 s. */
export const MAX_NOTIFY_INTERVAL_S = 60;
/**
 * Tip moves closer together than this are answered with one round of new jobs (ms): a sync
 * adds hundreds of shares in a burst, and a share on the previous tip is still a valid share.
 */
export const TIP_COALESCE_MS = 50;

/** What a job needs from the chain: a share in the making. */
export interface ChainWork {
  /** core's chain job: metadata, share target, payouts, the coinbase, the share's encoding. */
  readonly job: ChainJob;
  /** The share target as 32 little-endian bytes (compared with header hashes). */
  readonly targetLE: Uint8Array;
  /** The chain's share difficulty (the algorithm's diff1 / target). */
  readonly difficulty: number;
}

/** A job as sent to miners (a base job, or a variant of one under another id and ntime). */
export interface StratumJob {
  readonly id: string;
  /** The header time the job was made with. */
  readonly ntime: number;
  /** Sent with clean_jobs=true: the address's first job on a new coin block (or a variant). */
  readonly cleanJobs: boolean;
  readonly createdAt: number;
  readonly height: number;
  /** The dialect's job (its validator record; a base job and its variants share a template). */
  readonly work: DialectJob;
  readonly template: BlockTemplate;
  /** The payout address whose share this job makes. */
  readonly address: string;
  readonly chain: ChainWork;
  /** The hardest pseudo-share difficulty to send with this job (a power of two, at most chain.difficulty). */
  readonly maxDifficulty: number;
  /** The encoded mining.notify line for a connection at `target` (the dialect's). */
  notifyLine(cleanJobs: boolean, target: DialectTarget): string;
}

export interface FoundBlock {
  readonly height: number;
  /** Block hash, display order. */
  readonly hash: string;
  readonly jobId: string;
  /** Who found it (payoutAddress.workerName). */
  readonly worker: string;
  /** True when the template source accepted the block. */
  readonly accepted: boolean;
  /** The node's reject reason, or the submission error. */
  readonly reason?: string;
  readonly blockHex: string;
  /** What its coinbase pays: the sharechain's payouts(parent, reward) for the finder's payees. */
  readonly payouts: Payouts;
}

export interface JobManagerConfig {
  readonly extranonce1Bytes: number;
  readonly extranonce2Bytes: number;
  readonly jobRefreshSeconds: number;
  readonly coinbaseTag: string;
  /**
   * Clear the template version's bits inside the rolling mask 0x1fffe000 (default true, so XOR
   * and BIP310 version rolling agree). Tests turn it off to emulate other pools' jobs.
   */
  readonly clearRollingBits?: boolean;
}

/** The sharechain as jobs need it: the chain and its tip moves (PoolChain provides both). */
export interface JobChain {
  readonly chain: ShareChain;
  onTip(listener: (tip: ShareEntry) => void): () => void;
}

export interface JobManagerDeps {
  readonly config: JobManagerConfig;
  readonly templateSource: TemplateSource;
  /** The algorithm's Stratum dialect (job form, validator): see dialect.ts. */
  readonly dialect: StratumDialect;
  readonly chain: JobChain;
  /** The payees of a share found by an address's miners (the miner and the operator's fee). */
  readonly payees: SharePayees;
  readonly logger: Logger;
  /** Called for every block found (after the template source answered). */
  readonly onBlock?: (block: FoundBlock) => void;
  /**
   * Called with every block found before it is submitted, to write it ahead durably (the
   * found-block write-ahead log). Awaited for at most WRITE_AHEAD_TIMEOUT_MS: the block is
   * submitted after that, or when it fails, whatever the database does.
   */
  readonly beforeSubmitBlock?: (block: Omit<FoundBlock, 'accepted' | 'reason'>) => Promise<void>;
  readonly now?: () => number;
  /** Serve work from the start (default true); false waits for setServing(true). */
  readonly serving?: boolean;
}

/** New work exists: each connection asks jobFor(its address) and sends it with the job's clean flag. */
export interface WorkUpdate {
  /** A new coin block: every earlier job is stale. */
  readonly clean: boolean;
}

/**
 * Longest wait for the write-ahead record of a found block before it is submitted anyway (ms).
 * A commit takes a few ms (an fsync); a block is worth more than the record of it, and the
 * reconciler finds a block without a record in the chain at the next start.
 */
export const WRITE_AHEAD_TIMEOUT_MS = 2000;

class Job implements StratumJob {
  constructor(
    readonly work: DialectJob,
    readonly cleanJobs: boolean,
    readonly createdAt: number,
    readonly template: BlockTemplate,
    readonly address: string,
    readonly chain: ChainWork,
    readonly maxDifficulty: number,
  ) {}

  get id(): string {
    return this.work.id;
  }

  get ntime(): number {
    return this.work.ntime;
  }

  get height(): number {
    return this.template.height;
  }

  notifyLine(cleanJobs: boolean, target: DialectTarget): string {
    return this.work.notifyLine(cleanJobs, target);
  }
}

/** A coin template prepared once for every address's jobs. */
interface CoinState {
  readonly template: BlockTemplate;
  /** When the template arrived (ms), to advance its curtime with the clock. */
  readonly receivedAt: number;
  /** The duplicate scope of every job of this template (validator templateKey). */
  readonly key: string;
  readonly coin: ChainJobCoin;
  readonly branch: readonly Uint8Array[];
  readonly version: number;
}

/** An address's current job in the current generation. */
interface AddressWork {
  readonly generation: number;
  readonly tick: number;
  readonly job: Job;
}

/** Difficulty <-> target of an algorithm (its dialect's). */
export type DifficultyScale = Pick<StratumDialect, 'targetToDifficulty' | 'difficultyToTarget'>;

/** The largest power of two at or below the chain's share difficulty (its target is at or above the share target). */
export function pseudoShareCap(shareTarget: bigint, scale: DifficultyScale): number {
  let cap = 2 ** Math.floor(Math.log2(scale.targetToDifficulty(shareTarget)));
  // Float rounding must never make the cap harder than the chain's target.
  while (scale.difficultyToTarget(cap) < shareTarget) cap /= 2;
  return cap;
}

export class JobManager {
  private readonly log: Logger;
  private readonly now: () => number;
  private readonly listeners = new Set<(update: WorkUpdate) => void>();
  private readonly work = new Map<string, AddressWork>();
  private readonly tag: Uint8Array;
  private coin: CoinState | undefined;
  private templateSeq = 0;
  private generation = 0;
  /** The current generation began with a new coin block (its first job per address is clean). */
  private generationClean = false;
  private tick = 0;
  private serving: boolean;
  private nextId: number;
  private unsubscribe: (() => void) | undefined;
  private unsubscribeTip: (() => void) | undefined;
  private refreshTimer: ReturnType<typeof setTimeout> | undefined;
  private tipTimer: ReturnType<typeof setTimeout> | undefined;
  private started = false;
  private readonly refreshMs: number;

  constructor(private readonly deps: JobManagerDeps) {
    this.log = deps.logger.forComponent('edge:jobs');
    this.now = deps.now ?? Date.now;
    this.serving = deps.serving ?? true;
    // Random start: a restarted edge does not reuse the job ids miners may still submit for.
    this.nextId = Math.floor(Math.random() * 0xffffff);
    this.refreshMs = Math.min(Math.max(deps.config.jobRefreshSeconds, 1), MAX_NOTIFY_INTERVAL_S) * 1000;
    this.tag = new TextEncoder().encode(deps.config.coinbaseTag);
  }

  /** Bytes of the extranonce slot in the coinbase (the dialect's). */
  get extranonceBytes(): number {
    const c = this.deps.config;
    return this.deps.dialect.extranonceSlotBytes(this.deps.dialect.extranonce1Bytes(c.extranonce1Bytes), c.extranonce2Bytes);
  }

  /** The algorithm's Stratum dialect. */
  get dialect(): StratumDialect {
    return this.deps.dialect;
  }

  /** The sharechain the jobs build on. */
  get chain(): ShareChain {
    return this.deps.chain.chain;
  }

  /** Whether jobs are made (false until the sharechain is synced). */
  get isServing(): boolean {
    return this.serving;
  }

  /** Subscribes to the template source and the chain's tip. */
  start(): void {
    if (this.started) return;
    this.started = true;
    this.unsubscribe = this.deps.templateSource.onTemplate((u) => this.onTemplate(u));
    this.unsubscribeTip = this.deps.chain.onTip(() => this.onChainTip());
    const t = this.deps.templateSource.current();
    if (t && !this.coin) this.onTemplate({ template: t, newBlock: true });
    this.scheduleRefresh();
  }

  /** Idempotent. */
  stop(): void {
    this.started = false;
    this.unsubscribe?.();
    this.unsubscribe = undefined;
    this.unsubscribeTip?.();
    this.unsubscribeTip = undefined;
    if (this.refreshTimer) clearTimeout(this.refreshTimer);
    if (this.tipTimer) clearTimeout(this.tipTimer);
    this.refreshTimer = undefined;
    this.tipTimer = undefined;
  }

  /** Starts (or stops) making jobs; starting tells every connection that work exists. */
  setServing(serving: boolean): void {
    if (this.serving === serving) return;
    this.serving = serving;
    if (serving) this.newGeneration(false);
  }

  /** Subscribes to new work; returns an unsubscribe function. */
  onWork(listener: (update: WorkUpdate) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /** The coin template jobs are made from now (undefined before the first one). */
  currentTemplate(): BlockTemplate | undefined {
    return this.coin?.template;
  }

  /**
   * The current job of `address`: made on the first call of a work generation (a new template
   * or chain tip), refreshed once per refresh period, shared by every connection of the address.
   * Undefined while there is no template or the edge is not serving; throws JobBuildError when no
   * job can be made (logged; the connection keeps its previous work).
   */
  jobFor(address: string): StratumJob | undefined {
    const coin = this.coin;
    if (!coin || !this.serving) return undefined;
    const w = this.work.get(address);
    // While a tip move waits to be coalesced (TIP_COALESCE_MS), a job asked for now is made on the
    // new tip rather than handed out on the old one (a miner connecting just after a share).
    const tipPending = this.tipTimer !== undefined && w !== undefined && !this.buildsOnTip(w.job.chain.job);
    if (w && w.generation === this.generation && w.tick === this.tick && !tipPending) return w.job;
    let chainWork: ChainWork;
    if (w && w.generation === this.generation && !tipPending && !this.demandMoved(w.job.chain.job)) {
      chainWork = w.job.chain; // a refresh: same share, new id and ntime
    } else {
      chainWork = this.chainWork(coin, address);
    }
    const clean = this.generationClean && !w;
    const job = this.publish(coin, address, chainWork, clean, w?.job);
    this.work.set(address, { generation: this.generation, tick: this.tick, job });
    return job;
  }

  /** Makes a job from a template update (also called by start()). */
  onTemplate(update: TemplateUpdate): void {
    const newBlock = update.newBlock || !this.coin || !sameBytes(this.coin.template.prevHash, update.template.prevHash);
    let coin: CoinState;
    try {
      coin = this.prepare(update.template);
    } catch (err) {
      const reason = (err as { reason?: string }).reason ?? (err as Error).message;
      this.log.error('cannot make jobs from the template', { height: update.template.height, reason });
      return;
    }
    // A new block: every job so far is stale (their shares answer "stale", not "job not found").
    if (newBlock) this.deps.dialect.clear();
    this.coin = coin;
    this.newGeneration(newBlock);
  }

  /** New jobs for every address with the same template and chain tip: a later ntime. */
  refresh(): void {
    this.tick++;
    this.emit({ clean: false });
    this.scheduleRefresh();
  }

  /**
   * The current job under a new id with ntime at least `minNtime` (a connection whose
   * difficulty changed gets it with clean_jobs=true). Its validator job is a variant of the
   * base's (validator.variant): the same template and duplicate set, its own ntime as the lower
   * bound. Not registered by id: the connection it was sent to keeps it.
   */
  variant(base: StratumJob, minNtime = 0): StratumJob {
    const ntime = Math.max(base.ntime, this.templateTime(), minNtime) >>> 0;
    const work = this.deps.dialect.variant(base.work, this.allocateId(), ntime);
    return new Job(work, true, this.now(), base.template, base.address, base.chain, base.maxDifficulty);
  }

  /**
   * Builds the block of an accepted share that meets the block target, submits it to the
   * template source and reports it (log + onBlock). Never throws.
   */
  async submitBlock(share: DialectShare, job: StratumJob, worker: string): Promise<FoundBlock> {
    const algorithm = this.deps.dialect.algorithm;
    const hash = bytesToHex(reverseBytes(algorithm.hashHeader(share.header)));
    const payouts = job.chain.job.payouts;
    let blockHex = '';
    let accepted = false;
    let reason: string | undefined;
    try {
      blockHex = bytesToHex(blockForSubmit(algorithm, share.header, share.coinbase, job.template));
      this.log.info('block found, submitting', { height: job.height, hash, worker, jobId: job.id });
      await this.writeAhead({ height: job.height, hash, jobId: job.id, worker, blockHex, payouts });
      const result = await this.deps.templateSource.submitBlock(blockHex);
      accepted = result.accepted;
      reason = result.reason;
    } catch (err) {
      reason = (err as { reason?: string }).reason ?? (err as Error).message;
    }
    const found: FoundBlock = reason === undefined
      ? { height: job.height, hash, jobId: job.id, worker, accepted, blockHex, payouts }
      : { height: job.height, hash, jobId: job.id, worker, accepted, reason, blockHex, payouts };
    if (accepted) this.log.info('block accepted', { height: job.height, hash, worker });
    else this.log.warn('block rejected', { height: job.height, hash, worker, reason });
    try {
      this.deps.onBlock?.(found);
    } catch (err) {
      this.log.error('onBlock hook failed', { error: (err as Error).message });
    }
    return found;
  }

  private async writeAhead(block: Omit<FoundBlock, 'accepted' | 'reason'>): Promise<void> {
    if (!this.deps.beforeSubmitBlock) return;
    let timer: ReturnType<typeof setTimeout> | undefined;
    try {
      await Promise.race([
        this.deps.beforeSubmitBlock(block),
        new Promise<void>((_, reject) => {
          timer = setTimeout(() => reject(new Error(`no answer within ${WRITE_AHEAD_TIMEOUT_MS} ms`)), WRITE_AHEAD_TIMEOUT_MS);
        }),
      ]);
    } catch (err) {
      this.log.error('found block not written ahead; submitting it anyway (the reconciler finds it in the chain)', { height: block.height, hash: block.hash, error: (err as Error).message });
    } finally {
      clearTimeout(timer);
    }
  }

  private onChainTip(): void {
    if (this.tipTimer) return;
    this.tipTimer = setTimeout(() => {
      this.tipTimer = undefined;
      if (this.started) this.newGeneration(false);
    }, TIP_COALESCE_MS);
    this.tipTimer.unref?.();
  }

  /** New work for everyone: jobs are made again on demand. */
  private newGeneration(clean: boolean): void {
    this.generation++;
    this.generationClean = clean;
    this.work.clear();
    this.emit({ clean });
    this.scheduleRefresh();
  }

  private emit(update: WorkUpdate): void {
    if (!this.serving || !this.coin) return;
    for (const l of this.listeners) {
      try {
        l(update);
      } catch (err) {
        this.log.error('work listener failed', { error: (err as Error).message });
      }
    }
  }

  private prepare(template: BlockTemplate): CoinState {
    // Keep the rolling bits clear so XOR and BIP310 rolling agree (stratum-clients.md §3.3).
    const clear = this.deps.dialect.rollsVersion && this.deps.config.clearRollingBits !== false;
    const version = clear ? (template.version & ~DEFAULT_VERSION_ROLLING_MASK) >>> 0 : template.version >>> 0;
    if (version !== template.version >>> 0) {
      this.log.debug('cleared version bits inside the rolling mask', { from: u32ToHex(template.version), to: u32ToHex(version) });
    }
    const branch = jobMerkleBranch(template);
    return {
      template,
      receivedAt: this.now(),
      key: `t${++this.templateSeq}:${bytesToHex(template.prevHash)}`,
      coin: {
        prevHash: template.prevHash,
        height: template.height,
        bits: template.bits,
        reward: template.coinbaseValue,
        merkleBranch: branch,
        ...(template.defaultWitnessCommitment ? { mandatedOutputs: [template.defaultWitnessCommitment] } : {}),
      },
      branch,
      version,
    };
  }

  /** A share of `address` on the chain's tip for the coin template. */
  private chainWork(coin: CoinState, address: string): ChainWork {
    let job: ChainJob;
    try {
      job = createChainJob(this.deps.chain.chain, { payees: this.deps.payees(address), coin: coin.coin, time: this.now() });
    } catch (err) {
      throw new JobBuildError(`sharechain job for ${address}: ${(err as { reason?: string }).reason ?? (err as Error).message}`, { cause: err });
    }
    return { job, targetLE: targetToLE(job.target), difficulty: this.deps.dialect.targetToDifficulty(job.target) };
  }

  /** Whether the job's share would extend the chain's current tip (a chain's first share: when it has none). */
  private buildsOnTip(job: ChainJob): boolean {
    const chain = this.deps.chain.chain;
    if (job.metadata.height === 0) return chain.tip === undefined;
    return chain.tip !== undefined && chain.get(job.metadata.parent) === chain.tip;
  }

  /** Whether the chain would now demand another target of the job's share (ASERT moves with time). */
  private demandMoved(job: ChainJob): boolean {
    if (job.metadata.height === 0) return false; // a chain's first share: the initial target, whatever the time
    const chain = this.deps.chain.chain;
    const parent = chain.get(job.metadata.parent);
    if (!parent || parent !== chain.tip) return true;
    return demandedTarget(parent, this.now(), job.blockTarget, chain.params).bits !== job.metadata.maxBits;
  }

  /** The template's time advanced by the clock since it arrived, never below mintime. */
  private templateTime(): number {
    const s = this.coin!;
    const elapsed = Math.max(0, Math.floor((this.now() - s.receivedAt) / 1000));
    return Math.max(s.template.curtime + elapsed, s.template.mintime);
  }

  private publish(coin: CoinState, address: string, chain: ChainWork, clean: boolean, previous: Job | undefined): Job {
    let ntime = this.templateTime();
    // A refresh must differ from the job before it even within the same second.
    if (previous && previous.template === coin.template) ntime = Math.max(ntime, previous.ntime);
    let parts;
    try {
      parts = chain.job.coinbaseParts(this.extranonceBytes, this.tag.length ? this.tag : undefined);
    } catch (err) {
      throw new JobBuildError(`coinbase: ${(err as { reason?: string }).reason ?? (err as Error).message}`, { cause: err });
    }
    const id = this.allocateId();
    const createdAt = this.now();
    const dialect = this.deps.dialect;
    let work: DialectJob;
    try {
      work = dialect.addJob({
        id,
        template: coin.template,
        coinb1: parts.coinb1,
        coinb2: parts.coinb2,
        extranonceBytes: this.extranonceBytes,
        extranonce2Bytes: this.deps.config.extranonce2Bytes,
        branch: coin.branch,
        version: coin.version,
        ntime,
        createdAt,
        // The epoch moved when the block did (dialect.clear in onTemplate).
        templateKey: coin.key,
      });
    } catch (err) {
      throw new JobBuildError(`job: ${(err as { reason?: string }).reason ?? (err as Error).message}`, { cause: err });
    }
    this.log.debug('new job', { id, address, height: coin.template.height, share: chain.job.metadata.height, clean, ntime: u32ToHex(ntime) });
    return new Job(work, clean, createdAt, coin.template, address, chain, pseudoShareCap(chain.job.target, dialect));
  }

  private scheduleRefresh(): void {
    if (!this.started) return;
    if (this.refreshTimer) clearTimeout(this.refreshTimer);
    this.refreshTimer = setTimeout(() => {
      this.refreshTimer = undefined;
      if (this.started) this.refresh();
    }, this.refreshMs);
    this.refreshTimer.unref?.();
  }

  private allocateId(): string {
    this.nextId = (this.nextId + 1) % 0x1_0000_0000;
    return this.nextId.toString(16);
  }
}

function sameBytes(a: Uint8Array, b: Uint8Array): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}
