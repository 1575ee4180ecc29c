/**
 * SHA-256d's Stratum dialect (Stratum V1 as Bitcoin miners speak it; stratum-clients.md):
 * subscribe result [[subscriptions], extranonce1, extranonce2_size], mining.set_difficulty,
 * the 9-param mining.notify, submits with extranonce2, ntime, nonce and version bits, validated
 * by core's ShareValidator (per-template duplicate sets, version rolling).
 */
import {
  SHA256D,
  ShareValidator,
  bytesToHex,
  difficultyToTarget,
  encodeNotify,
  encodeSetDifficulty,
  encodeSetExtranonce,
  parseSubmitParams,
  prevHashToStratum,
  rejectShare,
  shareTarget,
  targetToDifficulty,
  u32ToHex,
  type AcceptedShare,
  type ShareJob,
  type ShareTarget,
  type StratumJobFields,
  type SubmitParams,
} from '@otedama/core';
import type { DialectContext, DialectJob, DialectJobInput, DialectShare, DialectSubmission, DialectTarget, DialectVerdict, StratumDialect } from '../dialect.ts';

export interface Sha256dDialectOptions {
  readonly validator: ShareValidator;
}

class Sha256dJob implements DialectJob {
  private readonly lines: [string | undefined, string | undefined] = [undefined, undefined];
  constructor(readonly validatorJob: ShareJob) {}
  get id(): string {
    return this.validatorJob.id;
  }
  get ntime(): number {
    return this.validatorJob.ntime;
  }
  get fields(): StratumJobFields {
    return this.validatorJob.fields;
  }
  notifyLine(cleanJobs: boolean): string {
    const i = cleanJobs ? 1 : 0;
    return (this.lines[i] ??= encodeNotify(this.id, this.validatorJob.fields, cleanJobs));
  }
}

export class Sha256dDialect implements StratumDialect {
  readonly algorithm = SHA256D;
  readonly rollsVersion = true;
  readonly validator: ShareValidator;

  constructor(options: Sha256dDialectOptions) {
    this.validator = options.validator;
  }

  extranonce1Bytes(configured: number): number {
    return configured;
  }

  extranonceSlotBytes(extranonce1Bytes: number, extranonce2Bytes: number): number {
    return extranonce1Bytes + extranonce2Bytes;
  }

  shareTarget(difficulty: number): ShareTarget {
    return shareTarget(difficulty);
  }

  targetToDifficulty(target: bigint): number {
    return targetToDifficulty(target);
  }

  difficultyToTarget(difficulty: number): bigint {
    return difficultyToTarget(difficulty);
  }

  subscribeResult(sessionId: string, extranonce1: string, extranonce2Bytes: number): unknown {
    return [[['mining.set_difficulty', sessionId], ['mining.notify', sessionId]], extranonce1, extranonce2Bytes];
  }

  difficultyLine(target: DialectTarget): string {
    return encodeSetDifficulty(target.difficulty);
  }

  setExtranonceLine(extranonce1: string, extranonce2Bytes: number): string {
    return encodeSetExtranonce(extranonce1, extranonce2Bytes);
  }

  parseSubmit(params: readonly unknown[]): SubmitParams {
    return parseSubmitParams(params);
  }

  addJob(input: DialectJobInput): Sha256dJob {
    const fields: StratumJobFields = {
      prevhash: prevHashToStratum(input.template.prevHash),
      coinb1: bytesToHex(input.coinb1),
      coinb2: bytesToHex(input.coinb2),
      merkleBranch: input.branch.map(bytesToHex),
      version: u32ToHex(input.version),
      nbits: u32ToHex(input.template.bits),
      ntime: u32ToHex(input.ntime),
    };
    return new Sha256dJob(
      this.validator.addJob({
        id: input.id,
        fields,
        blockTarget: input.template.target,
        extranonce2Size: input.extranonce2Bytes,
        // The epoch moved when the block did (clear() on a new block).
        cleanJobs: false,
        createdAt: input.createdAt,
        templateKey: input.templateKey,
      }),
    );
  }

  variant(base: DialectJob, id: string, ntime: number): Sha256dJob {
    return new Sha256dJob(this.validator.variant((base as Sha256dJob).validatorJob, id, ntime));
  }

  isStale(job: DialectJob): boolean {
    return this.validator.isStale((job as Sha256dJob).validatorJob);
  }

  unsentJob(jobId: string) {
    const known = this.validator.getJob(jobId);
    return known && this.validator.isStale(known) ? rejectShare('stale') : rejectShare('job-not-found');
  }

  duplicate() {
    return rejectShare('duplicate');
  }

  clear(): void {
    this.validator.clear();
  }

  validate(sub: DialectSubmission, ctx: DialectContext, job: DialectJob): DialectVerdict {
    return this.validator.validate(
      sub as SubmitParams,
      { extranonce1: ctx.extranonce1, extranonce1Bytes: ctx.extranonce1Bytes, shareTarget: ctx.target as ShareTarget, versionMask: ctx.versionMask },
      (job as Sha256dJob).validatorJob,
    );
  }

  rollback(share: DialectShare): void {
    this.validator.rollback(share as AcceptedShare);
  }
}

/** The validator's record of a SHA-256d dialect job (its Stratum fields, template, ntime). */
export function sha256dJob(job: DialectJob): ShareJob {
  if (!(job instanceof Sha256dJob)) throw new TypeError('not a SHA-256d job');
  return job.validatorJob;
}
