/**
 * KawPow's Stratum dialect, as native GPU miners speak it (kawpowminer, T-Rex, TeamRedMiner,
 * NBMiner; core/src/algorithms/kawpow/stratum.ts has the dialogue and its sources):
 *
 *   - subscribe result [[subscriptions], noncePrefix]: the connection's extranonce1 *is* its nonce
 *     prefix (2 bytes, as MiningCore: 65,536 connections, 2^48 nonces each per job);
 *   - mining.set_target with the share target, then mining.notify [jobId, headerHash, seedHash,
 *     target, clean, height, bits];
 *   - mining.submit [worker, jobId, 0x nonce, 0x header hash, 0x mix hash], validated by core's
 *     KawpowShareValidator with the edge's light evaluation injected (the header hash must be the
 *     job's, the nonce inside the connection's prefix, the final hash at the target, then the mix
 *     hash recomputed; the height always the job's).
 *
 * Miners do not touch the coinbase: its extranonce slot is zeros and every connection of an
 * address mines the same header hash in its own nonce range, so a header (and a share of the
 * sharechain) is still one connection's work. Light caches: the epoch of each job's height is
 * prepared when the job is made (from disk or built in a worker); a share that arrives before
 * it is ready is "unverified" (no ban points; the miner submits it again).
 */
import {
  KAWPOW,
  KAWPOW_DEFAULT_NONCE_PREFIX_BYTES,
  KawpowShareValidator,
  coinbaseHash,
  encodeNotification,
  kawpowDifficultyToTarget,
  kawpowNotifyParams,
  kawpowSetTargetParams,
  kawpowShareTarget,
  kawpowSubscribeResult,
  kawpowTargetToDifficulty,
  merkleRootFromBranch,
  parseKawpowSubmitParams,
  rejectKawpowShare,
  reverseBytes,
  type KawpowAcceptedShare,
  type KawpowMixFunction,
  type KawpowShareJob,
  type KawpowShareTarget,
  type KawpowSubmission,
} from '@otedama/core';
import type { DialectContext, DialectJob, DialectJobInput, DialectShare, DialectSubmission, DialectTarget, DialectVerdict, StratumDialect } from '../dialect.ts';

/** Bytes of the zero extranonce slot in a KawPow job's coinbase (nobody fills it; 4 keeps the coinbase like a SHA-256d job's). */
export const KAWPOW_COINBASE_SLOT_BYTES = 4;

/** The edge's light evaluation: the mix function and a way to make an epoch ready ahead. */
export interface KawpowDialectLight {
  readonly mix: KawpowMixFunction;
  /** Makes the epoch of `height` ready (idempotent); failures are logged by the caller. */
  prepare?(height: number): Promise<void>;
}

export interface KawpowDialectOptions {
  readonly light: KawpowDialectLight;
  /** Jobs the validator remembers. */
  readonly maxJobs?: number;
  /** Told when an epoch could not be prepared. */
  readonly onPrepareError?: (height: number, err: Error) => void;
}

class KawpowJob implements DialectJob {
  constructor(
    readonly validatorJob: KawpowShareJob,
    readonly ntime: number,
    /** The job's coinbase (its extranonce slot zeros): every share of the job has it. */
    readonly coinbase: Uint8Array,
  ) {}
  get id(): string {
    return this.validatorJob.id;
  }
  notifyLine(cleanJobs: boolean, target: DialectTarget): string {
    const j = this.validatorJob;
    return encodeNotification('mining.notify', kawpowNotifyParams({ jobId: j.id, headerHash: j.headerHash, height: j.height, bits: j.bits, target: (target as KawpowShareTarget).target, clean: cleanJobs }));
  }
}

/** An accepted KawPow share with the validator's verdict (for rollback). */
class KawpowShare implements DialectShare {
  readonly ok = true as const;
  readonly difficulty: number;
  readonly targetDifficulty: number;
  readonly hash: Uint8Array;
  readonly isBlock: boolean;
  readonly header: Uint8Array;
  constructor(
    readonly verdict: KawpowAcceptedShare,
    readonly coinbase: Uint8Array,
  ) {
    this.difficulty = verdict.difficulty;
    this.targetDifficulty = verdict.targetDifficulty;
    // Internal order, as the sharechain's PoW (kawpowSharePow) and block targets read it.
    this.hash = reverseBytes(verdict.finalHash);
    this.isBlock = verdict.isBlock;
    this.header = verdict.header!;
  }
}

export class KawpowDialect implements StratumDialect {
  readonly algorithm = KAWPOW;
  readonly rollsVersion = false;
  readonly validator: KawpowShareValidator;

  constructor(private readonly options: KawpowDialectOptions) {
    this.validator = new KawpowShareValidator({ lightMix: options.light.mix, ...(options.maxJobs ? { maxJobs: options.maxJobs } : {}) });
  }

  extranonce1Bytes(): number {
    return KAWPOW_DEFAULT_NONCE_PREFIX_BYTES;
  }

  extranonceSlotBytes(): number {
    return KAWPOW_COINBASE_SLOT_BYTES;
  }

  shareTarget(difficulty: number): KawpowShareTarget {
    return kawpowShareTarget(difficulty);
  }

  targetToDifficulty(target: bigint): number {
    return kawpowTargetToDifficulty(target);
  }

  difficultyToTarget(difficulty: number): bigint {
    return kawpowDifficultyToTarget(difficulty);
  }

  subscribeResult(sessionId: string, extranonce1: string): unknown {
    return kawpowSubscribeResult(sessionId, extranonce1);
  }

  difficultyLine(target: DialectTarget): string {
    return encodeNotification('mining.set_target', kawpowSetTargetParams((target as KawpowShareTarget).target));
  }

  setExtranonceLine(extranonce1: string): string {
    return encodeNotification('mining.set_extranonce', [extranonce1]);
  }

  parseSubmit(params: readonly unknown[]): KawpowSubmission {
    return parseKawpowSubmitParams(params);
  }

  addJob(input: DialectJobInput): KawpowJob {
    const t = input.template;
    const coinbase = new Uint8Array(input.coinb1.length + input.extranonceBytes + input.coinb2.length);
    coinbase.set(input.coinb1, 0);
    coinbase.set(input.coinb2, input.coinb1.length + input.extranonceBytes);
    const merkleRoot = merkleRootFromBranch(coinbaseHash(coinbase), input.branch);
    const header = KAWPOW.header.build({ version: input.version, prevHash: t.prevHash, merkleRoot, time: input.ntime, bits: t.bits, height: t.height });
    const job = this.validator.addJob({
      id: input.id,
      headerHash: KAWPOW.header.jobInput(header),
      height: t.height,
      bits: t.bits,
      blockTarget: t.target,
      cleanJobs: false,
      createdAt: input.createdAt,
      header,
      templateKey: input.templateKey,
    });
    this.prepare(t.height);
    return new KawpowJob(job, input.ntime, coinbase);
  }

  private prepare(height: number): void {
    const p = this.options.light.prepare?.(height);
    p?.catch((err: Error) => this.options.onPrepareError?.(height, err));
  }

  /** The same header under another id (KawPow miners do not roll time: the header hash is the job). */
  variant(base: DialectJob, id: string): KawpowJob {
    const b = base as KawpowJob;
    const j = b.validatorJob;
    const job = this.validator.addJob({
      id,
      headerHash: j.headerHash,
      height: j.height,
      bits: j.bits,
      blockTarget: j.blockTarget,
      cleanJobs: false,
      createdAt: Date.now(),
      ...(j.header ? { header: j.header } : {}),
      templateKey: j.template.key,
    });
    return new KawpowJob(job, b.ntime, b.coinbase);
  }

  isStale(job: DialectJob): boolean {
    return this.validator.isStale((job as KawpowJob).validatorJob);
  }

  unsentJob(jobId: string) {
    const known = this.validator.getJob(jobId);
    return known && this.validator.isStale(known) ? rejectKawpowShare('stale') : rejectKawpowShare('job-not-found');
  }

  duplicate() {
    return rejectKawpowShare('duplicate');
  }

  clear(): void {
    this.validator.clear();
  }

  async validate(sub: DialectSubmission, ctx: DialectContext, job: DialectJob): Promise<DialectVerdict> {
    const j = job as KawpowJob;
    const verdict = await this.validator.validate(sub as KawpowSubmission, { noncePrefix: ctx.extranonce1, shareTarget: ctx.target as KawpowShareTarget }, j.validatorJob);
    return verdict.ok ? new KawpowShare(verdict, j.coinbase) : verdict;
  }

  rollback(share: DialectShare): void {
    this.validator.rollback((share as KawpowShare).verdict);
  }
}
