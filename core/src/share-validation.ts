/**
 * One share validator for every algorithm: the job history (share-job-book.ts: jobs by id, clean
 * jobs making older ones stale, one duplicate set per template), the verdicts ({ ok } or
 * { ok: false, reason, code, message }), the rejects every algorithm has (unknown job, stale,
 * duplicate, low difficulty) and provisional acceptance with rollback are here, once.
 *
 * What varies is the algorithm's share rules (ShareRules), which its module provides beside its
 * registry entry: how a job is decoded and what its template identity is, how a submission's
 * fields and proof of work are checked (SHA-256d: the coinbase, merkle root and header rebuilt
 * and hashed, version rolling; KawPow: the header hash, the nonce prefix, the final hash and the
 * light evaluation of the mix), and which key marks a share as seen. ShareValidator
 * (algorithms/sha256d/share-validator.ts) and KawpowShareValidator (algorithms/kawpow/share-validator.ts) are this
 * validator over those rules.
 */
import { STRATUM_ERROR, type StratumErrorCode } from './errors.ts';
import { ShareJobBook, type BookedJob, type ShareTemplate } from './share-job-book.ts';

/** Jobs remembered by default (refreshes every 30 s give ~60 minutes of history). */
export const DEFAULT_MAX_JOBS = 128;

/** The rejects every algorithm's validator can give. */
export type CommonShareRejectReason = 'job-not-found' | 'stale' | 'duplicate' | 'low-difficulty';

/** Stratum error code of each common reject reason. */
export const COMMON_SHARE_REJECT_CODES: Readonly<Record<CommonShareRejectReason, StratumErrorCode>> = {
  'job-not-found': STRATUM_ERROR.JOB_NOT_FOUND,
  stale: STRATUM_ERROR.JOB_NOT_FOUND,
  duplicate: STRATUM_ERROR.DUPLICATE_SHARE,
  'low-difficulty': STRATUM_ERROR.LOW_DIFFICULTY,
};

/** What a miner sees in its log for each common reject reason. */
export const COMMON_SHARE_REJECT_MESSAGES: Readonly<Record<CommonShareRejectReason, string>> = {
  'job-not-found': 'Job not found',
  stale: 'Stale share (job is older than the current block)',
  duplicate: 'Duplicate share',
  'low-difficulty': 'Low difficulty share',
};

export interface RejectedShareOf<R extends string> {
  readonly ok: false;
  readonly reason: R;
  readonly code: StratumErrorCode;
  readonly message: string;
  /** For low-difficulty rejects: the difficulty the hash achieved. */
  readonly difficulty?: number;
}

/** Builds a reject: the reason's message, with `detail` after it, and its Stratum code. */
export type ShareRejecter<R extends string> = (reason: R, detail?: string, difficulty?: number) => RejectedShareOf<R>;

/** The reject builder of an algorithm's reasons. */
export function shareRejecter<R extends string>(codes: Readonly<Record<R, StratumErrorCode>>, messages: Readonly<Record<R, string>>): ShareRejecter<R> {
  return (reason, detail, difficulty) => {
    const message = detail ? `${messages[reason]}: ${detail}` : messages[reason];
    return difficulty === undefined ? { ok: false, reason, code: codes[reason], message } : { ok: false, reason, code: codes[reason], message, difficulty };
  };
}

/** A difficulty as a reject message shows it. */
export function formatDifficulty(d: number): string {
  return d >= 1000 || d < 0.001 ? d.toExponential(3) : d.toPrecision(4);
}

/** A job as published to miners, whatever the algorithm. */
export interface ShareJobSpecBase {
  readonly id: string;
  /** True when the job starts a new block: every older job becomes stale. */
  readonly cleanJobs: boolean;
}

/** A registered job, whatever the algorithm. */
export interface RegisteredShareJob extends BookedJob {
  /** The template's duplicate scope, shared with every job of the same template. */
  readonly template: ShareTemplate;
}

/** A job checked and decoded, ready to be registered. */
export interface PreparedJob<J> {
  /** Its template's identity: jobs with the same key share one duplicate set. */
  readonly key: string;
  make(epoch: number, template: ShareTemplate): J;
}

/** An algorithm's share rules: what the validator leaves to the algorithm module. */
export interface ShareRules<Spec extends ShareJobSpecBase, J extends RegisteredShareJob, Sub, Ctx, A extends { readonly ok: true; readonly job: J }, R extends string, V> {
  readonly reject: ShareRejecter<CommonShareRejectReason | R>;
  /** Checks a job's fields (typed errors) and decodes them once. */
  prepare(spec: Spec): PreparedJob<J>;
  /**
   * The submitted fields and the proof of work of a share of a known, live job; the duplicate
   * check is the rules' too (the key goes into `job.template.accepted`), since what it keys on
   * and when it is taken differ by algorithm.
   */
  check(sub: Sub, ctx: Ctx, job: J): V;
  /** The key an accepted share holds in its template's duplicate set (for rollback). */
  duplicateKey(share: A): Uint8Array;
}

/**
 * Remembers recent jobs and validates shares against them with an algorithm's rules. One
 * instance per job stream; duplicate detection is per template, so it holds across job ids,
 * connections and reconnects.
 */
export class AlgorithmShareValidator<Spec extends ShareJobSpecBase, J extends RegisteredShareJob, Sub extends { readonly jobId: string }, Ctx, A extends { readonly ok: true; readonly job: J }, R extends string, V> {
  protected readonly book: ShareJobBook<J>;

  constructor(
    protected readonly rules: ShareRules<Spec, J, Sub, Ctx, A, R, V>,
    maxJobs = DEFAULT_MAX_JOBS,
  ) {
    this.book = new ShareJobBook(maxJobs);
  }

  /** Registers a job (decoding its fields once). A clean job makes every earlier job stale. */
  addJob(spec: Spec): J {
    this.book.checkNewId(spec.id);
    const prepared = this.rules.prepare(spec);
    if (spec.cleanJobs) this.book.newEpoch();
    return this.book.register(prepared.key, (epoch, template) => prepared.make(epoch, template));
  }

  getJob(id: string): J | undefined {
    return this.book.get(id);
  }

  /** True when a newer clean job exists, or the job's template left the history. */
  isStale(job: J): boolean {
    return this.book.isStale(job);
  }

  /** Number of remembered jobs. */
  get size(): number {
    return this.book.size;
  }

  /** Templates of the current epoch still in the history. */
  get templateCount(): number {
    return this.book.templateCount;
  }

  /** Forgets every job (e.g. when the template source restarts). */
  clear(): void {
    this.book.clear();
  }

  /**
   * Forgets an accepted share whose recording failed (e.g. its database commit), so the same
   * submission is accepted again later instead of being a duplicate nobody was credited for.
   * Returns whether the share was still remembered.
   */
  rollback(share: A): boolean {
    if (share.job.template.retired) return false;
    return share.job.template.accepted.deleteHash(this.rules.duplicateKey(share));
  }

  /**
   * Validates a share. `job` may be given when the caller resolved the job id itself (the edge
   * maps per-connection job ids to shared jobs); otherwise the id is looked up here. Never throws
   * for what a miner sends: every bad field is a verdict.
   */
  validate(sub: Sub, ctx: Ctx, job: J | undefined = this.book.get(sub.jobId)): V | RejectedShareOf<CommonShareRejectReason> {
    if (!job) return this.rules.reject('job-not-found') as RejectedShareOf<CommonShareRejectReason>;
    if (this.isStale(job)) return this.rules.reject('stale') as RejectedShareOf<CommonShareRejectReason>;
    return this.rules.check(sub, ctx, job);
  }
}
