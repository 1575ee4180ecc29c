/**
 * What the edge's Stratum side needs of an algorithm: its Stratum dialect (subscribe result,
 * difficulty message, notify, submit), its share targets and its validator, behind one
 * interface. The session (stratum-session.ts), the job manager (job-manager.ts) and the server
 * are generic over it; each algorithm is one file in `dialects/` and one line in
 * `dialects/index.ts`. Adding an algorithm touches nothing else here.
 *
 * Every algorithm in scope keeps Bitcoin's coinbase and merkle tree, so the job manager builds
 * the coinbase around an extranonce slot for every dialect; what a dialect decides is who fills
 * that slot (SHA-256d: the miner's extranonce1 + extranonce2; KawPow: nobody, the slot is zeros
 * and the connection's nonce prefix keeps miners' work apart) and how the header is built,
 * announced and checked.
 */
import type { AcceptedShare, Algorithm, BlockTemplate, StratumErrorCode } from '@otedama/core';

/** A share target of the dialect (its difficulty is relative to the algorithm's difficulty 1). */
export interface DialectTarget {
  readonly difficulty: number;
}

/**
 * An accepted share, as every dialect reports it to the session, the accounting hooks and the job
 * manager: the fields of SHA-256d's AcceptedShare that are not SHA-256d's own. `hash` is the PoW
 * hash in internal order (what chain and block targets compare with), `header` the algorithm's
 * full header with its solution, `difficulty` relative to the algorithm's difficulty 1.
 */
export type DialectShare = Pick<AcceptedShare, 'ok' | 'difficulty' | 'targetDifficulty' | 'hash' | 'isBlock' | 'header' | 'coinbase'> &
  Partial<Pick<AcceptedShare, 'versionRolling'>>;

export interface DialectReject {
  readonly ok: false;
  /** One of the dialect's reject reasons (the ban table in stratum-session.ts prices each). */
  readonly reason: string;
  readonly code: StratumErrorCode;
  readonly message: string;
}

export type DialectVerdict = DialectShare | DialectReject;

/** What the job manager hands a dialect to make one job: the coin template and the share's coinbase around its extranonce slot. */
export interface DialectJobInput {
  readonly id: string;
  readonly template: BlockTemplate;
  /** The coinbase before and after the extranonce slot (extranonceBytes wide). */
  readonly coinb1: Uint8Array;
  readonly coinb2: Uint8Array;
  readonly extranonceBytes: number;
  /** The miner's part of the slot (SHA-256d's extranonce2; 0 where miners do not fill it). */
  readonly extranonce2Bytes: number;
  /** Merkle branch from the coinbase to the root, internal order. */
  readonly branch: readonly Uint8Array[];
  /** The header version (the template's, rolling bits cleared where the dialect rolls versions). */
  readonly version: number;
  readonly ntime: number;
  readonly createdAt: number;
  /** The duplicate scope shared by every job of the coin template. */
  readonly templateKey: string;
}

/** A job made by a dialect: its validator record and its notify line. */
export interface DialectJob {
  readonly id: string;
  /** The header time the job was made with. */
  readonly ntime: number;
  /** The validator's record of the job (the dialect's own type). */
  readonly validatorJob: unknown;
  /** The mining.notify line for one connection (KawPow's carries the connection's target). */
  notifyLine(cleanJobs: boolean, target: DialectTarget): string;
}

/** Who submits: the connection's extranonce1 (or nonce prefix), its target, its version mask. */
export interface DialectContext {
  readonly extranonce1: string;
  readonly extranonce1Bytes: Uint8Array;
  readonly target: DialectTarget;
  readonly versionMask: number;
}

/** A parsed mining.submit: who and which job, and the dialect's own fields. */
export interface DialectSubmission {
  readonly username: string;
  readonly jobId: string;
}

export interface StratumDialect {
  readonly algorithm: Algorithm;
  /** Whether miners roll the header version (mining.configure version-rolling): the job manager then clears the mask's bits. */
  readonly rollsVersion: boolean;
  /** Bytes of the connection's extranonce1 given the configured width (KawPow: its nonce prefix, 2 bytes). */
  extranonce1Bytes(configured: number): number;
  /** Bytes of the coinbase's extranonce slot (SHA-256d: extranonce1 + extranonce2). */
  extranonceSlotBytes(extranonce1Bytes: number, extranonce2Bytes: number): number;

  // -- targets --
  shareTarget(difficulty: number): DialectTarget;
  /** The dialect's difficulty of a target (relative to its difficulty 1). */
  targetToDifficulty(target: bigint): number;
  difficultyToTarget(difficulty: number): bigint;

  // -- messages --
  subscribeResult(sessionId: string, extranonce1: string, extranonce2Bytes: number): unknown;
  /** mining.set_difficulty / mining.set_target. */
  difficultyLine(target: DialectTarget): string;
  /** mining.set_extranonce for miners that subscribed to it. */
  setExtranonceLine(extranonce1: string, extranonce2Bytes: number): string;
  /** Reads mining.submit's params; throws StratumError for malformed ones. */
  parseSubmit(params: readonly unknown[]): DialectSubmission;

  // -- jobs and validation --
  addJob(input: DialectJobInput): DialectJob;
  /** `base` under another id (and, where the dialect rolls time, a later ntime): same template, same duplicate set. */
  variant(base: DialectJob, id: string, ntime: number): DialectJob;
  isStale(job: DialectJob): boolean;
  /** The verdict for a job id this connection was not sent: stale when the id is known and stale, else job-not-found. */
  unsentJob(jobId: string): DialectReject;
  /** A duplicate reject (a share the database already holds). */
  duplicate(): DialectReject;
  /** Forgets every job (a new coin block). */
  clear(): void;
  validate(sub: DialectSubmission, ctx: DialectContext, job: DialectJob): DialectVerdict | Promise<DialectVerdict>;
  /** Forgets an accepted share whose recording failed. */
  rollback(share: DialectShare): void;
}
