/**
 * Turns block templates into Stratum jobs and submits the blocks miners find.
 *
 *   - A job is the template's header fields, the coinbase split around an extranonce slot of
 *     extranonce1Bytes + extranonce2Bytes, and the coinbase's merkle branch.
 *   - A template on a new block gives a clean job (clean_jobs=true; older jobs become stale).
 *     Other new templates and periodic refreshes (every jobRefreshSeconds, at most every
 *     MAX_NOTIFY_INTERVAL_S since minerd stops hashing after 120 s without a new job id) give
 *     jobs with clean_jobs=false; old job ids stay valid until the next clean job.
 *   - Variants: a connection whose difficulty changed gets the current job under a new id with
 *     a later ntime (so miners that restart from extranonce2 0 do not redo identical work).
 *   - Blocks are serialized from the job's own template and submitted at once.
 */
import {
  DEFAULT_VERSION_ROLLING_MASK,
  buildCoinbaseParts,
  bytesToHex,
  encodeNotify,
  headerHash,
  jobMerkleBranch,
  prevHashToStratum,
  reverseBytes,
  serializeBlock,
  u32ToHex,
  type AcceptedShare,
  type BlockTemplate,
  type ShareJob,
  type ShareValidator,
  type StratumJobFields,
} from '@otedama/core';
import { JobBuildError } from '../errors.ts';
import type { Logger } from '../logger.ts';
import type { PayoutProvider } from '../accounting/payout-provider.ts';
import type { TemplateSource, TemplateUpdate } from '../chain/template-source.ts';

/** Longest gap between two notifies with new job ids (s): minerd stops hashing after 120 s. */
export const MAX_NOTIFY_INTERVAL_S = 60;

/** A job as sent to miners (a base job, or a variant of one under another id and ntime). */
export interface StratumJob {
  readonly id: string;
  readonly fields: StratumJobFields;
  readonly cleanJobs: boolean;
  readonly createdAt: number;
  readonly height: number;
  /** The validator's job (shared by a base job and its variants). */
  readonly shareJob: ShareJob;
  readonly template: BlockTemplate;
  /** The encoded mining.notify line (built once per job and clean flag). */
  notifyLine(cleanJobs?: boolean): string;
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

export interface JobManagerDeps {
  readonly config: JobManagerConfig;
  readonly templateSource: TemplateSource;
  readonly validator: ShareValidator;
  readonly payouts: PayoutProvider;
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
}

/**
 * Longest wait for the write-ahead record of a found block before it is submitted anyway (ms).
 * A commit takes a few ms (an fsync); a block is worth more than the record of it, and the
 * reconciler finds a block without a record in the chain at the next start.
 */
export const WRITE_AHEAD_TIMEOUT_MS = 2000;

class Job implements StratumJob {
  private lines: [string | undefined, string | undefined] = [undefined, undefined];
  constructor(
    readonly id: string,
    readonly fields: StratumJobFields,
    readonly cleanJobs: boolean,
    readonly createdAt: number,
    readonly shareJob: ShareJob,
    readonly template: BlockTemplate,
  ) {}

  get height(): number {
    return this.template.height;
  }

  notifyLine(cleanJobs = this.cleanJobs): string {
    const i = cleanJobs ? 1 : 0;
    return (this.lines[i] ??= encodeNotify(this.id, this.fields, cleanJobs));
  }
}

interface TemplateState {
  readonly template: BlockTemplate;
  /** When the template arrived (ms), to advance its curtime with the clock. */
  readonly receivedAt: number;
  readonly coinb1: string;
  readonly coinb2: string;
  readonly branch: readonly string[];
  readonly prevhash: string;
  readonly version: string;
  readonly nbits: string;
}

export class JobManager {
  private readonly log: Logger;
  private readonly now: () => number;
  private readonly listeners = new Set<(job: StratumJob) => void>();
  private readonly jobs = new Map<string, StratumJob>();
  private state: TemplateState | undefined;
  private latest: StratumJob | undefined;
  private nextId: number;
  private unsubscribe: (() => void) | undefined;
  private refreshTimer: ReturnType<typeof setTimeout> | undefined;
  private started = false;
  private readonly refreshMs: number;

  constructor(private readonly deps: JobManagerDeps) {
    this.log = deps.logger.forComponent('edge:jobs');
    this.now = deps.now ?? Date.now;
    // Random start: a restarted edge does not reuse the job ids miners may still submit for.
    this.nextId = Math.floor(Math.random() * 0xffffff);
    this.refreshMs = Math.min(Math.max(deps.config.jobRefreshSeconds, 1), MAX_NOTIFY_INTERVAL_S) * 1000;
  }

  /** Bytes of the extranonce slot in the coinbase. */
  get extranonceBytes(): number {
    return this.deps.config.extranonce1Bytes + this.deps.config.extranonce2Bytes;
  }

  /** Subscribes to the template source and makes a job from its current template, if any. */
  start(): void {
    if (this.started) return;
    this.started = true;
    this.unsubscribe = this.deps.templateSource.onTemplate((u) => this.onTemplate(u));
    const t = this.deps.templateSource.current();
    if (t && !this.state) this.onTemplate({ template: t, newBlock: true });
  }

  /** Idempotent. */
  stop(): void {
    this.started = false;
    this.unsubscribe?.();
    this.unsubscribe = undefined;
    if (this.refreshTimer) clearTimeout(this.refreshTimer);
    this.refreshTimer = undefined;
  }

  /** The newest job. */
  current(): StratumJob | undefined {
    return this.latest;
  }

  /** A base job by id (variants are known only to the connection they were sent to). */
  get(id: string): StratumJob | undefined {
    return this.jobs.get(id);
  }

  /** Subscribes to new jobs; returns an unsubscribe function. */
  onJob(listener: (job: StratumJob) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /** Makes a job from a template update (also called by start()). */
  onTemplate(update: TemplateUpdate): StratumJob | undefined {
    const newBlock = update.newBlock || !this.state || !sameBytes(this.state.template.prevHash, update.template.prevHash);
    try {
      this.state = this.prepare(update.template);
    } catch (err) {
      const reason = (err as { reason?: string }).reason ?? (err as Error).message;
      this.log.error('cannot make a job from the template', { height: update.template.height, reason });
      return undefined;
    }
    return this.publish(newBlock);
  }

  /** A new job from the current template with a fresh ntime (clean_jobs=false). */
  refresh(): StratumJob | undefined {
    if (!this.state) return undefined;
    return this.publish(false);
  }

  /**
   * The current job under a new id with ntime at least `minNtime` (a connection whose
   * difficulty changed gets it with clean_jobs=true). Its validator job is a variant of the
   * base's (validator.variant): the same template and duplicate set, its own ntime as the lower
   * bound. Not registered by id: the connection it was sent to keeps it.
   */
  variant(base: StratumJob, minNtime = 0): StratumJob {
    const ntime = Math.max(parseInt(base.fields.ntime, 16), this.templateTime(), minNtime) >>> 0;
    const id = this.allocateId();
    const shareJob = this.deps.validator.variant(base.shareJob, id, ntime);
    return new Job(id, shareJob.fields, true, this.now(), shareJob, base.template);
  }

  /**
   * Builds the block of an accepted share that meets the block target, submits it to the
   * template source and reports it (log + onBlock). Never throws.
   */
  async submitBlock(share: AcceptedShare, job: StratumJob, worker: string): Promise<FoundBlock> {
    const hash = bytesToHex(reverseBytes(headerHash(share.header)));
    let blockHex = '';
    let accepted = false;
    let reason: string | undefined;
    try {
      blockHex = bytesToHex(serializeBlock(share.header, share.coinbase, job.template));
      this.log.info('block found, submitting', { height: job.height, hash, worker, jobId: job.id });
      await this.writeAhead({ height: job.height, hash, jobId: job.id, worker, blockHex });
      const result = await this.deps.templateSource.submitBlock(blockHex);
      accepted = result.accepted;
      reason = result.reason;
    } catch (err) {
      reason = (err as { reason?: string }).reason ?? (err as Error).message;
    }
    const found: FoundBlock = reason === undefined
      ? { height: job.height, hash, jobId: job.id, worker, accepted, blockHex }
      : { height: job.height, hash, jobId: job.id, worker, accepted, reason, blockHex };
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

  private prepare(template: BlockTemplate): TemplateState {
    const outputs = this.deps.payouts.payoutOutputs(template);
    let parts;
    try {
      parts = buildCoinbaseParts(template, { outputs, extranonceBytes: this.extranonceBytes, tag: this.deps.config.coinbaseTag });
    } catch (err) {
      throw new JobBuildError(`coinbase: ${(err as { reason?: string }).reason ?? (err as Error).message}`, { cause: err });
    }
    // Keep the rolling bits clear so XOR and BIP310 rolling agree (stratum-clients.md §3.3).
    const version = this.deps.config.clearRollingBits === false ? template.version >>> 0 : (template.version & ~DEFAULT_VERSION_ROLLING_MASK) >>> 0;
    if (version !== template.version >>> 0) {
      this.log.debug('cleared version bits inside the rolling mask', { from: u32ToHex(template.version), to: u32ToHex(version) });
    }
    return {
      template,
      receivedAt: this.now(),
      coinb1: bytesToHex(parts.coinb1),
      coinb2: bytesToHex(parts.coinb2),
      branch: jobMerkleBranch(template).map(bytesToHex),
      prevhash: prevHashToStratum(template.prevHash),
      version: u32ToHex(version),
      nbits: u32ToHex(template.bits),
    };
  }

  /** The template's time advanced by the clock since it arrived, never below mintime. */
  private templateTime(): number {
    const s = this.state!;
    const elapsed = Math.max(0, Math.floor((this.now() - s.receivedAt) / 1000));
    return Math.max(s.template.curtime + elapsed, s.template.mintime);
  }

  private publish(cleanJobs: boolean): StratumJob {
    const s = this.state!;
    let ntime = this.templateTime();
    // A refresh must differ from the job before it even within the same second.
    if (!cleanJobs && this.latest && this.latest.template === s.template) {
      ntime = Math.max(ntime, parseInt(this.latest.fields.ntime, 16));
    }
    const fields: StratumJobFields = {
      prevhash: s.prevhash,
      coinb1: s.coinb1,
      coinb2: s.coinb2,
      merkleBranch: s.branch,
      version: s.version,
      nbits: s.nbits,
      ntime: u32ToHex(ntime),
    };
    const id = this.allocateId();
    const createdAt = this.now();
    const shareJob = this.deps.validator.addJob({
      id,
      fields,
      blockTarget: s.template.target,
      extranonce2Size: this.deps.config.extranonce2Bytes,
      cleanJobs,
      createdAt,
    });
    const job = new Job(id, fields, cleanJobs, createdAt, shareJob, s.template);
    if (cleanJobs) this.jobs.clear();
    this.jobs.set(id, job);
    // Same bound as the validator's history; evicted ids answer "Job not found" there too.
    while (this.jobs.size > 0 && !this.deps.validator.getJob(this.jobs.keys().next().value as string)) {
      this.jobs.delete(this.jobs.keys().next().value as string);
    }
    this.latest = job;
    this.log.debug('new job', { id, height: s.template.height, cleanJobs, ntime: fields.ntime });
    this.scheduleRefresh();
    for (const l of this.listeners) {
      try {
        l(job);
      } catch (err) {
        this.log.error('job listener failed', { error: (err as Error).message });
      }
    }
    return job;
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
