/**
 * KawPow share validation: the same contract as the SHA-256d ShareValidator (../sha256d/share-validator.ts)
 * — a verdict { ok } or { ok: false, reason, code, message }, jobs known and not stale,
 * duplicates per template across job ids, connections and reconnects, provisional acceptance
 * with rollback — on the same job history (share-job-book.ts), with KawPow's checks:
 *
 *   - the submitted header hash must be the job's: a header hash of another job (or made up) is
 *     refused before any hashing;
 *   - the nonce is a u64 inside the connection's nonce prefix;
 *   - the final hash from the submitted mix hash (two keccak-f800, no DAG) must meet the share
 *     target: a share that cannot count costs no light evaluation;
 *   - then the mix hash is recomputed by the injected light evaluation (the WASM engine on an
 *     edge, its light cache built per epoch) and must be the submitted one;
 *   - the height, and so the epoch and the program, always come from the job, never from the
 *     miner: a hostile miner cannot make the validator build light caches;
 *   - block: the final hash at or below the job's block target (from its compact bits).
 *
 * Duplicates: a share's key is its final hash (a function of header hash and nonce once the mix
 * is the right one). The key is taken before the light evaluation and given back when the mix
 * turns out wrong, so two copies of one share submitted at once cannot both be credited while
 * the first is being verified.
 *
 * Unlike SHA-256d's, `validate` is asynchronous: a light evaluation takes milliseconds, and the
 * verifier may run it in a worker.
 */
import { InvalidHeaderError, STRATUM_ERROR, type OtedamaError, type StratumErrorCode } from '../../errors.ts';
import { bytesEqual, bytesToHex } from '../../hex.ts';
import type { ShareTemplate } from '../../share-job-book.ts';
import { AlgorithmShareValidator, COMMON_SHARE_REJECT_CODES, COMMON_SHARE_REJECT_MESSAGES, DEFAULT_MAX_JOBS, formatDifficulty, shareRejecter, type PreparedJob, type ShareRules } from '../../share-validation.ts';
import { bitsToTarget, MAX_TARGET } from '../../target.ts';
import { KAWPOW } from './kawpow-algorithm.ts';
import { kawpowFinalHash } from './progpow.ts';
import { checkKawpowHeaderHash, checkKawpowHeight, KAWPOW_HASH_BYTES, KAWPOW_MAX_NONCE, kawpowHashValue, withKawpowSolution } from './share-fields.ts';
import { kawpowDifficultyToTarget, kawpowNonceHasPrefix, kawpowTargetToDifficulty, type KawpowSubmission } from './stratum.ts';

export type KawpowShareRejectReason =
  | 'job-not-found'
  | 'stale'
  | 'duplicate'
  | 'low-difficulty'
  /** The submitted header hash is not the job's. */
  | 'bad-header-hash'
  /** The nonce is outside u64 or outside the connection's nonce prefix. */
  | 'bad-nonce'
  /** The mix hash is not 32 bytes, or not the one light evaluation gives. */
  | 'bad-mix-hash'
  /** The light evaluation could not run (its epoch is not ready): not the miner's fault; submit again. */
  | 'unverified';

export const KAWPOW_SHARE_REJECT_CODES: Readonly<Record<KawpowShareRejectReason, StratumErrorCode>> = {
  ...COMMON_SHARE_REJECT_CODES,
  'bad-header-hash': STRATUM_ERROR.OTHER,
  'bad-nonce': STRATUM_ERROR.OTHER,
  'bad-mix-hash': STRATUM_ERROR.OTHER,
  unverified: STRATUM_ERROR.OTHER,
};

/** What a miner sees in its log for each reject reason (kawpowminer prints the error's text). */
export const KAWPOW_SHARE_REJECT_MESSAGES: Readonly<Record<KawpowShareRejectReason, string>> = {
  ...COMMON_SHARE_REJECT_MESSAGES,
  'bad-header-hash': "Header hash is not the job's",
  'bad-nonce': 'Nonce out of range',
  'bad-mix-hash': 'Invalid mix hash',
  unverified: 'Share could not be verified now; submit it again',
};

/** A KawPow job as published to miners. */
export interface KawpowJobSpec {
  readonly id: string;
  /** 32 bytes, ProgPoW's order (what mining.notify sends). */
  readonly headerHash: Uint8Array;
  /** The height of the block mined: picks the epoch (light cache) and the period (program). */
  readonly height: number;
  /** The template's compact block target. */
  readonly bits: number;
  /** The block target (default: from `bits`). A share at or below it is a block. */
  readonly blockTarget?: bigint;
  /** True when the job starts a new block: every older job becomes stale. */
  readonly cleanJobs: boolean;
  /** When the job was made (ms since the epoch). */
  readonly createdAt: number;
  /**
   * The job's 120-byte header (nonce and mix hash zero), when the caller has it: accepted shares
   * then carry their full header. Its header hash must be `headerHash`.
   */
  readonly header?: Uint8Array;
  /**
   * Identity for duplicate detection (default: the header hash, which commits to every header
   * field, with the height beside it for jobs made from a bare header hash).
   */
  readonly templateKey?: string;
}

/** A registered KawPow job. */
export interface KawpowShareJob extends KawpowJobSpec {
  readonly epoch: number;
  readonly blockTarget: bigint;
  readonly template: ShareTemplate;
}

/** A KawPow share target; build with `kawpowShareTarget(difficulty)`. */
export interface KawpowShareTarget {
  /** The pool difficulty (relative to KawPow's difficulty 1, 0xff·2^216). */
  readonly difficulty: number;
  /** The final hash, read big-endian, must be at or below it. */
  readonly target: bigint;
}

/** The share target of a KawPow pool difficulty. */
export function kawpowShareTarget(difficulty: number): KawpowShareTarget {
  return Object.freeze({ difficulty, target: kawpowDifficultyToTarget(difficulty) });
}

/** Who submits: the connection's nonce prefix and the share target the job was sent with. */
export interface KawpowShareContext {
  /** Lower-case hex as parseKawpowNoncePrefix returns it ('' for none). */
  readonly noncePrefix: string;
  readonly shareTarget: KawpowShareTarget;
}

/** The submitted fields (a parsed mining.submit; the worker name is the caller's business). */
export type KawpowShareSubmission = Pick<KawpowSubmission, 'jobId' | 'nonce' | 'headerHash' | 'mixHash'>;

export interface KawpowAcceptedShare {
  readonly ok: true;
  readonly job: KawpowShareJob;
  readonly nonce: bigint;
  /** ProgPoW's order, as submitted (and verified). */
  readonly mixHash: Uint8Array;
  /** ProgPoW's order: the block hash as displayed. */
  readonly finalHash: Uint8Array;
  /** The difficulty the final hash achieved (KawPow pool difficulty). */
  readonly difficulty: number;
  /** The share difficulty it was judged at. */
  readonly targetDifficulty: number;
  readonly isBlock: boolean;
  /** The full 120-byte header (job header + nonce + mix hash), when the job had its header. */
  readonly header?: Uint8Array;
}

export interface KawpowRejectedShare {
  readonly ok: false;
  readonly reason: KawpowShareRejectReason;
  readonly code: StratumErrorCode;
  readonly message: string;
  /** For low-difficulty rejects: the difficulty the final hash achieved. */
  readonly difficulty?: number;
}

export type KawpowShareVerdict = KawpowAcceptedShare | KawpowRejectedShare;

export const rejectKawpowShare: (reason: KawpowShareRejectReason, detail?: string, difficulty?: number) => KawpowRejectedShare = shareRejecter(
  KAWPOW_SHARE_REJECT_CODES,
  KAWPOW_SHARE_REJECT_MESSAGES,
);

/**
 * The light evaluation a validator is given: ProgPoW's mix hash for (header hash, nonce, height),
 * in ProgPoW's order. Core's KawpowLightMix (synchronous, an edge's prepared light caches) is one;
 * `async (h, n, height) => (await hasher.hash(h, n, height)).mixHash` over the WASM hasher is another.
 * It throws when it cannot evaluate (the epoch is not prepared); the share is then `unverified`.
 */
export type KawpowMixFunction = (headerHash: Uint8Array, nonce: bigint, height: number) => Uint8Array | Promise<Uint8Array>;

export interface KawpowShareValidatorOptions {
  /** The light evaluation (required: core cannot hold a light cache). */
  readonly lightMix: KawpowMixFunction;
  /** Jobs remembered; older ones answer "Job not found". Default DEFAULT_MAX_JOBS. */
  readonly maxJobs?: number;
  /** The highest job height accepted (default: the last height KawPow is defined for). */
  readonly maxHeight?: number;
}

/** The 64-bit duplicate key of a final hash: its low-order end (bytes 24..31), uniformly random even for shares. */
function finalHashKey(finalHash: Uint8Array): Uint8Array {
  return finalHash.subarray(KAWPOW_HASH_BYTES - 8);
}

/**
 * KawPow's share rules: a job's header hash and height checked (its header, when given, must
 * hash to it), its template the header hash at its height; a share's header hash, nonce, final
 * hash and (last) the light evaluation of its mix checked; its key the final hash's low end.
 */
class KawpowShareRules
  implements ShareRules<KawpowJobSpec, KawpowShareJob, KawpowShareSubmission, KawpowShareContext, KawpowAcceptedShare, KawpowShareRejectReason, Promise<KawpowShareVerdict>>
{
  readonly reject = rejectKawpowShare;

  constructor(
    private readonly lightMix: KawpowMixFunction,
    private readonly maxHeight: number | undefined,
  ) {}

  prepare(spec: KawpowJobSpec): PreparedJob<KawpowShareJob> {
    checkKawpowHeaderHash(spec.headerHash);
    checkKawpowHeight(spec.height, this.maxHeight);
    const blockTarget = spec.blockTarget ?? bitsToTarget(spec.bits);
    if (spec.header !== undefined && !bytesEqual(KAWPOW.header.jobInput(spec.header), spec.headerHash)) {
      throw new InvalidHeaderError(`job ${spec.id}: its header hash is not the one of its header`);
    }
    const headerHash = spec.headerHash.slice();
    return {
      key: spec.templateKey ?? `${bytesToHex(headerHash)}@${spec.height}`,
      make: (epoch, template) => ({ ...spec, headerHash, blockTarget: blockTarget > MAX_TARGET ? MAX_TARGET : blockTarget, epoch, template }),
    };
  }

  duplicateKey(share: KawpowAcceptedShare): Uint8Array {
    return finalHashKey(share.finalHash);
  }

  async check(sub: KawpowShareSubmission, ctx: KawpowShareContext, job: KawpowShareJob): Promise<KawpowShareVerdict> {
    if (!(sub.headerHash instanceof Uint8Array) || !bytesEqual(sub.headerHash, job.headerHash)) {
      return rejectKawpowShare('bad-header-hash', `job ${job.id} has header hash ${bytesToHex(job.headerHash).slice(0, 16)}...`);
    }
    const nonce = sub.nonce;
    if (typeof nonce !== 'bigint' || nonce < 0n || nonce > KAWPOW_MAX_NONCE) return rejectKawpowShare('bad-nonce', 'a nonce is a 64-bit number');
    if (!kawpowNonceHasPrefix(nonce, ctx.noncePrefix)) {
      return rejectKawpowShare('bad-nonce', `this connection mines nonces 0x${ctx.noncePrefix}...`);
    }
    if (!(sub.mixHash instanceof Uint8Array) || sub.mixHash.length !== KAWPOW_HASH_BYTES) return rejectKawpowShare('bad-mix-hash', 'a mix hash is 32 bytes');

    const finalHash = kawpowFinalHash(job.headerHash, nonce, sub.mixHash);
    const value = kawpowHashValue(finalHash);
    const achieved = value === 0n ? Infinity : kawpowTargetToDifficulty(value);
    if (value > ctx.shareTarget.target) {
      return rejectKawpowShare('low-difficulty', `${formatDifficulty(achieved)} < ${formatDifficulty(ctx.shareTarget.difficulty)}`, achieved);
    }
    const key = finalHashKey(finalHash);
    const template = job.template;
    if (!template.accepted.addHash(key)) return rejectKawpowShare('duplicate');

    let mix: Uint8Array;
    try {
      mix = await this.lightMix(job.headerHash, nonce, job.height);
    } catch (err) {
      if (!template.retired) template.accepted.deleteHash(key);
      return rejectKawpowShare('unverified', (err as OtedamaError).reason ?? (err as Error)?.message ?? String(err));
    }
    if (!bytesEqual(mix, sub.mixHash)) {
      if (!template.retired) template.accepted.deleteHash(key);
      return rejectKawpowShare('bad-mix-hash', `height ${job.height} gives another mix hash for this nonce`);
    }
    const accepted: KawpowAcceptedShare = {
      ok: true,
      job,
      nonce,
      mixHash: sub.mixHash.slice(),
      finalHash,
      difficulty: achieved,
      targetDifficulty: ctx.shareTarget.difficulty,
      isBlock: value <= job.blockTarget,
      ...(job.header ? { header: withKawpowSolution(job.header, nonce, sub.mixHash) } : {}),
    };
    return accepted;
  }
}

/** Remembers recent KawPow jobs and validates shares against them: the one share validator (share-validation.ts) over KawPow's rules. */
export class KawpowShareValidator extends AlgorithmShareValidator<
  KawpowJobSpec,
  KawpowShareJob,
  KawpowShareSubmission,
  KawpowShareContext,
  KawpowAcceptedShare,
  KawpowShareRejectReason,
  Promise<KawpowShareVerdict>
> {
  constructor(options: KawpowShareValidatorOptions) {
    if (typeof options?.lightMix !== 'function') throw new TypeError('KawpowShareValidator needs a lightMix function (the light evaluation)');
    super(new KawpowShareRules(options.lightMix, options.maxHeight), options.maxJobs ?? DEFAULT_MAX_JOBS);
  }

  /**
   * Validates a share. `job` is the job the caller resolved for this connection (the one it sent
   * under that id); by default the id is looked up here. Never throws for what a miner sends:
   * every bad field is a verdict.
   */
  override async validate(sub: KawpowShareSubmission, ctx: KawpowShareContext, job: KawpowShareJob | undefined = this.book.get(sub.jobId)): Promise<KawpowShareVerdict> {
    return super.validate(sub, ctx, job);
  }
}
