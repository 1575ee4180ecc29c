/**
 * Share validation, shared by the edge's Stratum server, the WebSocket feed and (later) every
 * peer of the sharechain: the job must be known and not stale, the share not a duplicate, the
 * submitted fields well-formed; the coinbase, merkle root and header are rebuilt exactly as the
 * miner did (stratum-job.ts conventions), hashed with SHA-256d and compared with the share
 * target and the block target.
 *
 * Version rolling: the header version is job version XOR version_bits (what Bitaxe firmware and
 * public-pool do). When the job version has bits inside the mask, XOR and BIP310's
 * (v & ~m) | (vb & m) differ; a share is accepted if either verifies (stratum-clients.md §3.3).
 * Jobs made by the edge keep version & 0x1fffe000 == 0, so both agree there.
 *
 * One share, one credit: duplicates are detected per *template*, not per job id. Jobs that differ
 * only in ntime (a refresh of the same template under a new id, a per-connection variant sent
 * after a difficulty change) build the same header from the same submission, so they share one
 * ShareTemplate and its set of accepted header hashes: a header accepted under one id is a
 * duplicate under every other. A template's identity is a digest of every job field but ntime
 * (templateKey), so the rule needs nothing from the caller and holds for any job stream that
 * speaks this job shape (the edge's Stratum jobs today, the sharechain's later).
 *
 * Accepted is provisional until the caller made it durable: `rollback(share)` forgets a share
 * whose commit failed, so the miner may submit it again.
 *
 * Job history: registered jobs are looked up by id (bounded by maxJobs); variants are not
 * registered (they are held by whoever sent them, e.g. the edge's connection) but share their
 * base job's template and epoch, so they answer "stale" after a clean job exactly like their
 * base. A template whose last registered job left the history is retired: its jobs, variants
 * included, answer "stale" and its duplicate set is freed.
 *
 * Performance: job bytes are decoded once per job, the header and merkle scratch buffers are
 * reused, the target test is a byte compare (no bigint), and the hash function is injectable
 * (the edge passes node:crypto's SHA-256; browsers use core's).
 */
import { STRATUM_ERROR, type StratumErrorCode } from '../../errors.ts';
import { bytesToHex, hexToBytes, readU32LE, u32ToHex, writeU32LE } from '../../hex.ts';
import type { ShareTemplate } from '../../share-job-book.ts';
import { AlgorithmShareValidator, COMMON_SHARE_REJECT_CODES, COMMON_SHARE_REJECT_MESSAGES, DEFAULT_MAX_JOBS, formatDifficulty, shareRejecter, type PreparedJob, type ShareRules } from '../../share-validation.ts';
import { createSha256dHasher } from '../../sha256d-hasher.ts';
import { DEFAULT_VERSION_ROLLING_MASK, prevHashFromStratum, type StratumJobFields } from '../../stratum-job.ts';
import { DIFF1_TARGET, MAX_TARGET, difficultyToTarget } from '../../target.ts';

/** How far past the validator's clock a submitted ntime may be (Bitcoin's 2-hour rule), seconds. */
export const MAX_NTIME_FUTURE_S = 7200;

/**
 * SHA-256d of a message (32 bytes, internal order). Implementations may return a buffer they
 * reuse on the next call (createSha256dHasher does): callers copy what they keep.
 */
export type Sha256dFn = (data: Uint8Array) => Uint8Array;

export type ShareRejectReason =
  | 'job-not-found'
  | 'stale'
  | 'duplicate'
  | 'low-difficulty'
  | 'unauthorized'
  | 'not-subscribed'
  | 'bad-extranonce2'
  | 'bad-ntime'
  | 'bad-nonce'
  | 'bad-version-bits';

/** Stratum error code of each reject reason. */
export const SHARE_REJECT_CODES: Readonly<Record<ShareRejectReason, StratumErrorCode>> = {
  ...COMMON_SHARE_REJECT_CODES,
  unauthorized: STRATUM_ERROR.UNAUTHORIZED,
  'not-subscribed': STRATUM_ERROR.NOT_SUBSCRIBED,
  'bad-extranonce2': STRATUM_ERROR.OTHER,
  'bad-ntime': STRATUM_ERROR.OTHER,
  'bad-nonce': STRATUM_ERROR.OTHER,
  'bad-version-bits': STRATUM_ERROR.OTHER,
};

/** What a miner sees in its log for each reject reason (minerd prints error[1]). */
export const SHARE_REJECT_MESSAGES: Readonly<Record<ShareRejectReason, string>> = {
  ...COMMON_SHARE_REJECT_MESSAGES,
  unauthorized: 'Unauthorized worker',
  'not-subscribed': 'Not subscribed',
  'bad-extranonce2': 'Incorrect size of extranonce2',
  'bad-ntime': 'ntime out of range',
  'bad-nonce': 'nonce must be 8 hex digits',
  'bad-version-bits': 'version bits outside the granted mask',
};

/** A job as published to miners. */
export interface ShareJobSpec {
  readonly id: string;
  readonly fields: StratumJobFields;
  /** The block target; a share at or below it is a block. */
  readonly blockTarget: bigint;
  /** extranonce2 bytes the miner fills in. */
  readonly extranonce2Size: number;
  /** True when the job starts a new block: every older job becomes stale. */
  readonly cleanJobs: boolean;
  /** When the job was made (ms since the epoch). */
  readonly createdAt: number;
  /**
   * Identity of the job's template for duplicate detection (default: templateKey of the
   * fields). Jobs with the same key must build the same header from the same submission.
   */
  readonly templateKey?: string;
}

/** A registered job with its fields decoded once. */
export interface ShareJob extends ShareJobSpec {
  /** Clean-job generation the job belongs to. */
  readonly epoch: number;
  readonly version: number;
  readonly nbits: number;
  readonly ntime: number;
  readonly prevHash: Uint8Array;
  readonly coinb1: Uint8Array;
  readonly coinb2: Uint8Array;
  readonly branch: readonly Uint8Array[];
  readonly blockTargetLE: Uint8Array;
  /** The template's duplicate scope, shared with every job of the same template. */
  readonly template: ShareTemplate;
}

/** A share target precomputed for fast comparison; build with `shareTarget(difficulty)`. */
export interface ShareTarget {
  readonly difficulty: number;
  readonly target: bigint;
  /** The target as 32 little-endian bytes (the hash's orientation). */
  readonly le: Uint8Array;
}

/** Who submits: the connection's extranonce1 and granted version mask, and its share target. */
export interface ShareContext {
  /** extranonce1, lower-case hex. */
  readonly extranonce1: string;
  /** The same bytes, when the caller caches them (saves a decode per share). */
  readonly extranonce1Bytes?: Uint8Array;
  readonly shareTarget: ShareTarget;
  /** Version bits the miner may roll (default 0x1fffe000). */
  readonly versionMask?: number;
}

/** The submitted fields (hex strings as on the wire; lower-case). */
export interface ShareSubmission {
  readonly jobId: string;
  readonly extranonce2: string;
  readonly ntime: string;
  readonly nonce: string;
  readonly versionBits?: string;
}

export interface AcceptedShare {
  readonly ok: true;
  readonly job: ShareJob;
  /** The difficulty the hash achieved (diff1 / hash). */
  readonly difficulty: number;
  /** The share difficulty it was judged at. */
  readonly targetDifficulty: number;
  /** sha256d of the header, internal byte order. */
  readonly hash: Uint8Array;
  readonly isBlock: boolean;
  /** The 80-byte header (a copy the caller may keep). */
  readonly header: Uint8Array;
  /** The coinbase transaction (non-witness form). */
  readonly coinbase: Uint8Array;
  /** How the version bits were applied ('none' without version rolling). */
  readonly versionRolling: 'none' | 'xor' | 'bip310';
}

export interface RejectedShare {
  readonly ok: false;
  readonly reason: ShareRejectReason;
  readonly code: StratumErrorCode;
  readonly message: string;
  /** For low-difficulty rejects: the difficulty the hash achieved. */
  readonly difficulty?: number;
}

export type ShareVerdict = AcceptedShare | RejectedShare;

export const rejectShare: (reason: ShareRejectReason, detail?: string, difficulty?: number) => RejectedShare = shareRejecter(SHARE_REJECT_CODES, SHARE_REJECT_MESSAGES);

/** A target as 32 little-endian bytes. */
export function targetToLE(target: bigint): Uint8Array {
  const out = new Uint8Array(32);
  let t = target;
  for (let i = 0; i < 32; i++) {
    out[i] = Number(t & 0xffn);
    t >>= 8n;
  }
  return out;
}

/** Distinct difficulties whose targets are kept (connections mostly share a few values). */
const SHARE_TARGET_CACHE_SIZE = 256;
const shareTargetCache = new Map<number, ShareTarget>();

/** The share target of a (fractional) difficulty, precomputed; cached, so treat it as read-only. */
export function shareTarget(difficulty: number): ShareTarget {
  const hit = shareTargetCache.get(difficulty);
  if (hit) return hit;
  const target = difficultyToTarget(difficulty);
  const t: ShareTarget = Object.freeze({ difficulty, target, le: targetToLE(target) });
  if (shareTargetCache.size >= SHARE_TARGET_CACHE_SIZE) shareTargetCache.delete(shareTargetCache.keys().next().value as number);
  shareTargetCache.set(difficulty, t);
  return t;
}

/** True when the hash (internal order = little-endian number) is at or below the target bytes. */
export function hashAtOrBelow(hash: Uint8Array, targetLE: Uint8Array): boolean {
  for (let i = 31; i >= 0; i--) {
    const h = hash[i]!;
    const t = targetLE[i]!;
    if (h !== t) return h < t;
  }
  return true;
}

const DIFF1_DOUBLE = Number(DIFF1_TARGET);

/** The difficulty a hash achieved, as a float (no bigint; exact to double precision). */
export function hashDifficultyFast(hash: Uint8Array): number {
  let v = 0;
  for (let i = 31; i >= 0; i--) v = v * 256 + hash[i]!;
  return v === 0 ? Infinity : DIFF1_DOUBLE / v;
}

/**
 * SHA-256d's share rules: jobs decoded once (coinbase parts, merkle branch, prevhash, version,
 * nbits), the template identity a digest of every job field but ntime, and a share's header
 * rebuilt, hashed and compared with the share and block targets; its header hash is its key.
 */
class Sha256dShareRules implements ShareRules<ShareJobSpec, ShareJob, ShareSubmission, ShareContext, AcceptedShare, ShareRejectReason, ShareVerdict> {
  readonly reject = rejectShare;
  private readonly header = new Uint8Array(80);
  private readonly pair = new Uint8Array(64);

  constructor(
    private readonly hash: Sha256dFn,
    private readonly now: () => number,
    private readonly maxFuture: number,
  ) {}

  prepare(spec: ShareJobSpec): PreparedJob<ShareJob> {
    if (!Number.isInteger(spec.extranonce2Size) || spec.extranonce2Size < 1 || spec.extranonce2Size > 32) {
      throw new RangeError(`extranonce2Size must be 1..32 (got ${spec.extranonce2Size})`);
    }
    const f = spec.fields;
    const prevHash = prevHashFromStratum(f.prevhash);
    const coinb1 = hexToBytes(f.coinb1, undefined, 'coinb1');
    const coinb2 = hexToBytes(f.coinb2, undefined, 'coinb2');
    const branch = f.merkleBranch.map((b, i) => hexToBytes(b, 32, `merkle_branch[${i}]`));
    const version = parseInt(f.version, 16) >>> 0;
    const nbits = parseInt(f.nbits, 16) >>> 0;
    return {
      key: spec.templateKey ?? this.templateKey({ prevHash, coinb1, coinb2, branch, version, nbits, extranonce2Size: spec.extranonce2Size }),
      make: (epoch, template) => ({
        ...spec,
        epoch,
        version,
        nbits,
        ntime: parseInt(f.ntime, 16) >>> 0,
        prevHash,
        coinb1,
        coinb2,
        branch,
        blockTargetLE: targetToLE(spec.blockTarget > MAX_TARGET ? MAX_TARGET : spec.blockTarget),
        template,
      }),
    };
  }

  /**
   * The template identity of a job: SHA-256d over every field that shapes the header except
   * ntime (prevhash, version, nbits, coinbase parts with their lengths, merkle branch,
   * extranonce2 size), as hex.
   */
  templateKey(j: Pick<ShareJob, 'prevHash' | 'coinb1' | 'coinb2' | 'branch' | 'version' | 'nbits' | 'extranonce2Size'>): string {
    const size = 32 + 4 + 4 + 4 + 4 + j.coinb1.length + 4 + j.coinb2.length + 4 + 32 * j.branch.length;
    const buf = new Uint8Array(size);
    let o = 0;
    buf.set(j.prevHash, o);
    o += 32;
    writeU32LE(buf, o, j.version);
    writeU32LE(buf, o + 4, j.nbits);
    writeU32LE(buf, o + 8, j.extranonce2Size);
    writeU32LE(buf, o + 12, j.coinb1.length);
    o += 16;
    buf.set(j.coinb1, o);
    o += j.coinb1.length;
    writeU32LE(buf, o, j.coinb2.length);
    o += 4;
    buf.set(j.coinb2, o);
    o += j.coinb2.length;
    writeU32LE(buf, o, j.branch.length);
    o += 4;
    for (const b of j.branch) {
      buf.set(b, o);
      o += 32;
    }
    return bytesToHex(this.hash(buf));
  }

  duplicateKey(share: AcceptedShare): Uint8Array {
    return share.hash;
  }

  check(sub: ShareSubmission, ctx: ShareContext, job: ShareJob): ShareVerdict {
    const en2 = sub.extranonce2;
    if (en2.length !== job.extranonce2Size * 2) {
      return rejectShare('bad-extranonce2', `expected ${job.extranonce2Size} bytes, got ${en2.length / 2}`);
    }
    const ntime = parseHex32(sub.ntime);
    if (ntime < 0) return rejectShare('bad-ntime', 'ntime must be 8 hex digits');
    if (ntime < job.ntime) return rejectShare('bad-ntime', `ntime is before the job's ntime`);
    if (ntime > Math.floor(this.now() / 1000) + this.maxFuture) return rejectShare('bad-ntime', 'ntime is too far in the future');
    const nonce = parseHex32(sub.nonce);
    if (nonce < 0) return rejectShare('bad-nonce');
    let versionBits = 0;
    const mask = ctx.versionMask ?? DEFAULT_VERSION_ROLLING_MASK;
    if (sub.versionBits !== undefined) {
      versionBits = parseHex32(sub.versionBits);
      if (versionBits < 0) return rejectShare('bad-version-bits', 'version bits must be 8 hex digits');
      if ((versionBits & ~mask) !== 0) return rejectShare('bad-version-bits');
    }

    const en1 = ctx.extranonce1Bytes ?? hexToBytes(ctx.extranonce1, undefined, 'extranonce1');
    const coinbase = new Uint8Array(job.coinb1.length + en1.length + job.extranonce2Size + job.coinb2.length);
    coinbase.set(job.coinb1, 0);
    coinbase.set(en1, job.coinb1.length);
    let o = job.coinb1.length + en1.length;
    for (let i = 0; i < en2.length; i += 2) {
      const hi = hexNibble(en2.charCodeAt(i));
      const lo = hexNibble(en2.charCodeAt(i + 1));
      if (hi < 0 || lo < 0) return rejectShare('bad-extranonce2', 'extranonce2 is not hex');
      coinbase[o++] = (hi << 4) | lo;
    }
    coinbase.set(job.coinb2, o);

    const header = this.header;
    let root = this.hash(coinbase);
    const pair = this.pair;
    for (const b of job.branch) {
      pair.set(root, 0);
      pair.set(b, 32);
      root = this.hash(pair);
    }
    header.set(job.prevHash, 4);
    header.set(root.length === 32 ? root : root.subarray(0, 32), 36);
    writeU32LE(header, 68, ntime);
    writeU32LE(header, 72, job.nbits);
    writeU32LE(header, 76, nonce);

    const xorVersion = (job.version ^ versionBits) >>> 0;
    writeU32LE(header, 0, xorVersion);
    // The hasher may reuse its output buffer: read what is needed before hashing again.
    let hash = this.hash(header);
    let rolling: AcceptedShare['versionRolling'] = sub.versionBits === undefined ? 'none' : 'xor';
    let ok = hashAtOrBelow(hash, ctx.shareTarget.le);
    if (!ok && sub.versionBits !== undefined) {
      const bip310 = ((job.version & ~mask) | (versionBits & mask)) >>> 0;
      if (bip310 !== xorVersion) {
        const achievedXor = hashDifficultyFast(hash);
        writeU32LE(header, 0, bip310);
        hash = this.hash(header);
        if (hashAtOrBelow(hash, ctx.shareTarget.le)) {
          ok = true;
          rolling = 'bip310';
        } else {
          writeU32LE(header, 0, xorVersion);
          const achieved = Math.max(achievedXor, hashDifficultyFast(hash));
          return rejectShare('low-difficulty', `${formatDifficulty(achieved)} < ${formatDifficulty(ctx.shareTarget.difficulty)}`, achieved);
        }
      }
    }
    if (!ok) {
      const achieved = hashDifficultyFast(hash);
      return rejectShare('low-difficulty', `${formatDifficulty(achieved)} < ${formatDifficulty(ctx.shareTarget.difficulty)}`, achieved);
    }
    if (!job.template.accepted.addHash(hash)) return rejectShare('duplicate');
    const kept = new Uint8Array(hash);
    return {
      ok: true,
      job,
      difficulty: hashDifficultyFast(kept),
      targetDifficulty: ctx.shareTarget.difficulty,
      hash: kept,
      isBlock: hashAtOrBelow(kept, job.blockTargetLE),
      header: header.slice(),
      coinbase,
      versionRolling: rolling,
    };
  }
}

export interface ShareValidatorOptions {
  /** SHA-256d; default an allocation-free TypeScript hasher (createSha256dHasher). */
  readonly sha256d?: Sha256dFn;
  /** Clock in ms (ntime upper bound); default Date.now. */
  readonly now?: () => number;
  /** Jobs remembered; older ones answer "Job not found". Default DEFAULT_MAX_JOBS. */
  readonly maxJobs?: number;
  /** Seconds a submitted ntime may lie past the clock. Default MAX_NTIME_FUTURE_S. */
  readonly maxNtimeFutureSeconds?: number;
}

/**
 * Remembers recent jobs and validates SHA-256d shares against them: the one share validator
 * (share-validation.ts) over SHA-256d's rules. One instance per job stream (the edge has one);
 * duplicate detection is per template (see the module comment), keyed by the header hash, so it
 * holds across job ids, connections and reconnects.
 */
export class ShareValidator extends AlgorithmShareValidator<ShareJobSpec, ShareJob, ShareSubmission, ShareContext, AcceptedShare, ShareRejectReason, ShareVerdict> {
  private readonly now: () => number;
  private readonly sha256Rules: Sha256dShareRules;

  constructor(options: ShareValidatorOptions = {}) {
    const now = options.now ?? Date.now;
    const rules = new Sha256dShareRules(options.sha256d ?? createSha256dHasher(), now, options.maxNtimeFutureSeconds ?? MAX_NTIME_FUTURE_S);
    super(rules, options.maxJobs ?? DEFAULT_MAX_JOBS);
    this.now = now;
    this.sha256Rules = rules;
  }

  /**
   * A job of the same template as `base` under another id and a later ntime (what the edge
   * sends one connection after its difficulty changed). It shares the base's template (a share
   * accepted under one is a duplicate under the other) and epoch, and its own ntime is the lower
   * bound of submitted ntimes. Not registered: the caller keeps it and passes it to validate().
   */
  variant(base: ShareJob, id: string, ntime: number): ShareJob {
    const t = ntime >>> 0;
    return { ...base, id, cleanJobs: true, createdAt: this.now(), fields: { ...base.fields, ntime: u32ToHex(t) }, ntime: t };
  }

  /** The template identity of a job (see Sha256dShareRules.templateKey). */
  templateKey(j: Pick<ShareJob, 'prevHash' | 'coinb1' | 'coinb2' | 'branch' | 'version' | 'nbits' | 'extranonce2Size'>): string {
    return this.sha256Rules.templateKey(j);
  }
}

/** Reads the header version a verdict's header carries (handy in logs and tests). */
export function headerVersion(header: Uint8Array): number {
  return readU32LE(header, 0);
}

function hexNibble(c: number): number {
  if (c >= 48 && c <= 57) return c - 48;
  if (c >= 97 && c <= 102) return c - 87;
  if (c >= 65 && c <= 70) return c - 55;
  return -1;
}

/** 8 hex digits to a u32, or -1. */
function parseHex32(s: string): number {
  if (s.length !== 8) return -1;
  let v = 0;
  for (let i = 0; i < 8; i++) {
    const n = hexNibble(s.charCodeAt(i));
    if (n < 0) return -1;
    v = v * 16 + n;
  }
  return v;
}
