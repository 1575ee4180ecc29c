/**
 * One Stratum V1 connection: the protocol state machine between a miner and the pool.
 *
 * Ordering rules the clients depend on (shared/reference/stratum-clients.md):
 *   - nothing is sent before the subscribe reply (minerd takes the next line as the reply);
 *   - replies go out in request order, whatever their ids (minerd sends every submit with id 4);
 *   - after subscribe + authorize: set_difficulty, then notify;
 *   - a difficulty change is sent as set_difficulty followed by a fresh notify with
 *     clean_jobs=true; shares for jobs sent earlier are judged at the difficulty they were
 *     sent with.
 * Replies produced while handling one chunk of input are written with one socket write.
 *
 * Rules against hostile miners (issue 9), each attacked in edge/test/hostile/:
 *   - one share, one credit: a job id is accepted only if this connection (or the session it
 *     resumed) was sent it; duplicates are per template in the validator; the share counts
 *     (counters, vardiff, useful work) only once its commit succeeded, and a failed commit
 *     forgets it (validator.rollback) so it can be submitted again;
 *   - every job a connection was sent stays known until it is stale: a late share after a new
 *     block, on a variant included, is answered "stale" (0 ban points), never "job not found";
 *   - back-pressure: reading stops while the miner's output is not drained, and a connection
 *     whose unread output passes stratum.maxWriteBufferBytes is closed;
 *   - bounded state: at most stratum.maxWorkersPerConnection workers; control messages
 *     (everything but submits) are rate limited and a flood costs ban points;
 *   - difficulty cannot be pinned: one suggestion is honoured at the start (before the first
 *     submit), vardiff governs afterwards, later suggestions are answered and ignored;
 *   - deadlines (checked by the server's sweep): a started line must end within
 *     lineTimeoutSeconds, login within loginTimeoutSeconds, and an authorized connection must
 *     do useful work (an accepted or stale share) every idleTimeoutSeconds.
 */
import {
  DEFAULT_VERSION_ROLLING_MASK,
  STRATUM_ERROR,
  StratumError,
  StratumLineFramer,
  encodeError,
  encodeNotification,
  encodeReconnect,
  encodeResult,
  encodeSetDifficulty,
  encodeSetExtranonce,
  encodeStratumError,
  hexToBytes,
  parseAuthorizeParams,
  parseConfigureParams,
  parseDifficultyValue,
  parseStratumLine,
  parseSubmitParams,
  parseSubscribeParams,
  parseVersionMask,
  rejectShare,
  shareTarget,
  splitWorkerName,
  targetToDifficulty,
  hexToTarget,
  u32ToHex,
  type AcceptedShare,
  type ShareRejectReason,
  type ShareTarget,
  type ShareValidator,
  type StratumId,
  type StratumRequest,
} from '@otedama/core';
import type { Socket } from 'node:net';
import type { EdgeConfig } from '../config/config.ts';
import { DuplicateShareError } from '../errors.ts';
import type { JobManager, StratumJob } from './job-manager.ts';
import type { Logger } from '../logger.ts';
import { Vardiff } from './vardiff.ts';

export type StratumConfig = EdgeConfig['stratum'];

/** Validates a payout address for the pool's chain; throws an error whose `reason` says why not. */
export type AddressValidator = (address: string) => void;

/** An accepted share, as the accounting hooks see it. */
export interface ShareEvent {
  readonly sessionId: number;
  readonly remoteAddress: string;
  readonly userAgent?: string;
  /** payoutAddress.workerName as the miner sent it. */
  readonly username: string;
  readonly address: string;
  readonly workerName: string;
  readonly jobId: string;
  readonly height: number;
  /** The share difficulty it met (the pool's target for it). */
  readonly difficulty: number;
  readonly share: AcceptedShare;
}

export interface RejectEvent {
  readonly sessionId: number;
  readonly remoteAddress: string;
  readonly username?: string;
  readonly reason: ShareRejectReason | 'malformed';
  readonly message: string;
}

export interface StratumHooks {
  /**
   * An accepted share. When it returns a promise the reply to the miner waits for it (so
   * "accepted" can mean "durable"), and later lines of that connection wait too.
   */
  onShare?(event: ShareEvent): void | Promise<void>;
  onReject?(event: RejectEvent): void;
}

/** Ban score points (the connection is closed and its IP banned at config.stratum.banThreshold). */
export const BAN_SCORE = {
  /** A line that is not JSON or not a Stratum message. */
  garbage: 20,
  /** A method call with malformed parameters. */
  badParams: 10,
  /** A submit before subscribe/authorize, or for a worker that is not authorized. */
  unauthorizedSubmit: 10,
  /** An authorize with an invalid address. */
  badAuthorize: 5,
  /** Invalid shares. Stale shares cost nothing: honest miners send them after every block. */
  share: {
    'job-not-found': 2,
    stale: 0,
    duplicate: 10,
    'low-difficulty': 5,
    unauthorized: 10,
    'not-subscribed': 10,
    'bad-extranonce2': 10,
    'bad-ntime': 10,
    'bad-nonce': 10,
    'bad-version-bits': 10,
  } satisfies Record<ShareRejectReason, number>,
  unknownMethod: 1,
  /** A control message over the rate limit (a flood of authorize, suggest_difficulty, ...). */
  rateLimited: 5,
  /** An authorize for a new worker past stratum.maxWorkersPerConnection. */
  tooManyWorkers: 5,
} as const;
/** Ban score halves every this many ms, so occasional rejects never add up to a ban. */
export const BAN_SCORE_HALF_LIFE_MS = 60_000;
/** Invalid lines (not JSON / not a message) after which the connection is closed. */
export const MAX_GARBAGE_LINES = 5;
/**
 * Jobs a connection remembers with the difficulty they were sent at (stale ones go first). A
 * refresh every 30 s plus a variant per difficulty change: 32 cover a quarter of an hour.
 */
export const MAX_SENT_JOBS = 32;
/** Time a closing connection gets to flush its last lines before it is destroyed (ms). */
export const CLOSE_GRACE_MS = 2000;
/**
 * Control messages (everything but mining.submit) a connection may send in a burst: a Bitaxe
 * starts with 5, a proxy authorizes its workers (up to maxWorkersPerConnection) at once.
 */
export const CONTROL_BURST = 100;
/** ...and the sustained rate (messages per second): cpuminer-opt's keepalive is one per 150 s. */
export const CONTROL_PER_SECOND = 0.5;

/** Why reading from a connection is paused (bits). */
const PAUSE_COMMIT = 1;
const PAUSE_OUTPUT = 2;

/** What a session needs from its server (listed exactly, so tests can fake it). */
export interface SessionHost {
  readonly config: StratumConfig;
  readonly logger: Logger;
  readonly jobs: JobManager;
  readonly validator: ShareValidator;
  readonly validateAddress: AddressValidator;
  readonly hooks: StratumHooks;
  now(): number;
  /** An extranonce1: `resume` (a previous session id) when it is free, else a fresh random one. */
  allocateExtranonce1(resume?: string): string;
  releaseExtranonce1(hex: string): void;
  /** What a closed session with this id left for a miner resuming it (taken: at most once). */
  takeResumable(extranonce1: string): ResumableSession | undefined;
  /** Keeps a closing session's state for a miner that resumes it with its session id. */
  keepResumable(extranonce1: string, state: ResumableSession): void;
  /** The session's ban score passed the threshold. */
  ban(session: StratumSession, why: string): void;
  /** Counters: shares, blocks, and connections closed by the server (with the reason). */
  count(event: 'accepted' | 'rejected' | 'block' | 'closed' | 'rate-limited', reason?: string): void;
}

interface WorkerAuth {
  readonly address: string;
  readonly workerName: string;
}

/** A job as sent to one connection, with the share target it was sent at. */
export interface SentJob {
  readonly job: StratumJob;
  readonly target: ShareTarget;
}

/** What a resumed session inherits from the connection it replaces. */
export interface ResumableSession {
  /** The jobs the old connection was sent: the only job ids the resumed one may submit besides its own. */
  readonly sentJobs: ReadonlyMap<string, SentJob>;
  readonly difficulty: number;
  /** Whether the start window (one honoured suggestion) was still open. */
  readonly suggestionOpen: boolean;
}

export class StratumSession {
  readonly remoteAddress: string;
  readonly connectedAt: number;
  userAgent: string | undefined;
  extranonce1: string | undefined;
  private extranonce1Bytes: Uint8Array | undefined;
  private readonly framer: StratumLineFramer;
  private readonly workers = new Map<string, WorkerAuth>();
  private sentJobs = new Map<string, SentJob>();
  private readonly vardiff: Vardiff;
  /** The target of the current difficulty (shared by the jobs sent at it). */
  private target: ShareTarget;
  /** Difficulty announced by the last set_difficulty sent. */
  private announced: number | undefined;
  private versionMask: number | undefined;
  private extranonceSubscribed = false;
  private workSent = false;
  /** Open until the first submit (or a resumed session's was): one suggest_difficulty is honoured. */
  private suggestionOpen = true;
  private lastNtime = 0;
  private out = '';
  private inChunk = false;
  private waiting: Promise<void> | undefined;
  private readonly queued: string[] = [];
  private pauseReasons = 0;
  private garbage = 0;
  private score = 0;
  private scoreAt = 0;
  private controlTokens = CONTROL_BURST;
  private controlAt: number;
  /** When the line now being received started (ms), while one is incomplete. */
  private partialSince: number | undefined;
  private closing = false;
  closed = false;
  /** Last useful work: subscribe, authorize, an accepted or stale share (ms). */
  lastUsefulAt: number;
  accepted = 0;
  rejected = 0;

  constructor(
    readonly id: number,
    readonly socket: Socket,
    private readonly host: SessionHost,
  ) {
    const now = host.now();
    this.remoteAddress = socket.remoteAddress ?? 'unknown';
    this.connectedAt = now;
    this.lastUsefulAt = now;
    this.controlAt = now;
    this.framer = new StratumLineFramer(host.config.maxLineBytes);
    this.vardiff = new Vardiff(host.config.vardiff, host.config.initialDifficulty, now);
    this.target = shareTarget(this.vardiff.difficulty);
  }

  get subscribed(): boolean {
    return this.extranonce1 !== undefined;
  }

  get authorized(): boolean {
    return this.workers.size > 0;
  }

  get difficulty(): number {
    return this.vardiff.difficulty;
  }

  get banScore(): number {
    return this.decayedScore(this.host.now());
  }

  /** Bytes written to the miner and not yet taken by it (the socket's queue). */
  get bufferedBytes(): number {
    return this.socket.writableLength ?? 0;
  }

  /** True while reading is paused (output not drained, or a share being committed). */
  get readingPaused(): boolean {
    return this.pauseReasons !== 0;
  }

  /** Workers authorized on this connection. */
  get workerCount(): number {
    return this.workers.size;
  }

  /** True once close() started (the socket may still be flushing its last lines). */
  get isClosing(): boolean {
    return this.closing;
  }

  // -------------------------------------------------------------------------------------------
  // Input

  /** Feeds a chunk of text from the socket. */
  onData(chunk: string): void {
    if (this.closing) return;
    this.inChunk = true;
    try {
      this.framer.push(chunk, this.lineHandler);
      // Slowloris: a line must end within lineTimeoutSeconds of its first byte.
      if (this.framer.pending === 0) this.partialSince = undefined;
      else this.partialSince ??= this.host.now();
    } catch (err) {
      if (err instanceof StratumError) {
        // Only the framer throws here: an oversize line. Nothing after it can be trusted.
        this.reply(encodeStratumError(null, err));
        this.close(`protocol: ${err.reason}`);
      } else {
        this.host.logger.error('session failed on input', { session: this.id, error: (err as Error).stack ?? String(err) });
        this.close('internal error');
      }
    } finally {
      this.inChunk = false;
      this.flush();
    }
  }

  private readonly lineHandler = (line: string): void => {
    if (this.closing) return;
    // A line completed: the slowloris clock restarts with the next partial line.
    this.partialSince = undefined;
    if (this.waiting) {
      this.queued.push(line);
      return;
    }
    this.handleLine(line);
  };

  private handleLine(line: string): void {
    let msg;
    try {
      msg = parseStratumLine(line);
    } catch (err) {
      const e = err as StratumError;
      this.reply(encodeError(null, STRATUM_ERROR.OTHER, e.reason ?? 'invalid message'));
      this.garbage++;
      this.host.hooks.onReject?.({ sessionId: this.id, remoteAddress: this.remoteAddress, reason: 'malformed', message: e.reason });
      if (this.addScore(BAN_SCORE.garbage, 'garbage')) return;
      if (this.garbage >= MAX_GARBAGE_LINES) this.close(`${this.garbage} invalid lines`);
      return;
    }
    if (msg.kind === 'response') return; // replies to our own requests; nothing to do
    if (msg.method !== 'mining.submit' && !this.takeControlToken()) {
      this.reply(encodeError(msg.id, STRATUM_ERROR.OTHER, `too many requests: at most ${CONTROL_BURST} control messages at once and ${CONTROL_PER_SECOND * 60} a minute`));
      this.host.count('rate-limited', msg.method);
      this.addScore(BAN_SCORE.rateLimited, `${msg.method} flood`);
      return;
    }
    try {
      this.dispatch(msg);
    } catch (err) {
      if (err instanceof StratumError) {
        this.reply(encodeStratumError(msg.id, err));
        this.addScore(BAN_SCORE.badParams, `bad params for ${msg.method}`);
      } else {
        throw err;
      }
    }
  }

  /** Token bucket of control messages; false when the connection is over the rate. */
  private takeControlToken(): boolean {
    const now = this.host.now();
    this.controlTokens = Math.min(CONTROL_BURST, this.controlTokens + ((now - this.controlAt) / 1000) * CONTROL_PER_SECOND);
    this.controlAt = now;
    if (this.controlTokens < 1) return false;
    this.controlTokens -= 1;
    return true;
  }

  private dispatch(req: StratumRequest): void {
    switch (req.method) {
      case 'mining.submit':
        return this.onSubmit(req);
      case 'mining.subscribe':
        return this.onSubscribe(req);
      case 'mining.authorize':
        return this.onAuthorize(req);
      case 'mining.configure':
        return this.onConfigure(req);
      case 'mining.suggest_difficulty':
        return this.onSuggestDifficulty(req.id, parseDifficultyValue(req.params[0], 'mining.suggest_difficulty: the difficulty'));
      case 'mining.suggest_target':
        return this.onSuggestTarget(req);
      case 'mining.extranonce.subscribe':
        this.extranonceSubscribed = true;
        return this.reply(encodeResult(req.id, true));
      case 'mining.ping':
        return this.reply(encodeResult(req.id, 'pong'));
      default:
        this.reply(encodeError(req.id, STRATUM_ERROR.OTHER, `unknown method ${req.method}`));
        this.addScore(BAN_SCORE.unknownMethod, 'unknown method');
    }
  }

  // -------------------------------------------------------------------------------------------
  // Methods

  private onSubscribe(req: StratumRequest): void {
    const p = parseSubscribeParams(req.params);
    if (!this.extranonce1) {
      const wanted = p.sessionId?.toLowerCase();
      this.extranonce1 = this.host.allocateExtranonce1(wanted);
      this.extranonce1Bytes = hexToBytes(this.extranonce1);
      if (p.userAgent) this.userAgent = p.userAgent;
      this.lastUsefulAt = this.host.now();
      if (wanted !== undefined && wanted === this.extranonce1) this.resume(this.host.takeResumable(wanted));
    }
    const sid = this.extranonce1;
    this.reply(encodeResult(req.id, [[['mining.set_difficulty', sid], ['mining.notify', sid]], sid, this.host.config.extranonce2Bytes]));
    this.maybeStartWork();
  }

  /** A resumed session: the old connection's jobs (and only those) stay valid, at their difficulty. */
  private resume(state: ResumableSession | undefined): void {
    if (!state) return;
    this.sentJobs = new Map(state.sentJobs);
    for (const sent of this.sentJobs.values()) this.noteNtime(sent.job);
    this.vardiff.set(state.difficulty, this.host.now());
    this.target = shareTarget(this.vardiff.difficulty);
    this.suggestionOpen = state.suggestionOpen;
  }

  private onAuthorize(req: StratumRequest): void {
    const { username } = parseAuthorizeParams(req.params);
    if (!this.workers.has(username) && this.workers.size >= this.host.config.maxWorkersPerConnection) {
      this.reply(encodeError(req.id, STRATUM_ERROR.UNAUTHORIZED, `too many workers on one connection (at most ${this.host.config.maxWorkersPerConnection}); open another connection`));
      this.addScore(BAN_SCORE.tooManyWorkers, 'too many workers');
      return;
    }
    const { address, worker } = splitWorkerName(username);
    try {
      this.host.validateAddress(address);
    } catch (err) {
      const reason = (err as { reason?: string }).reason ?? (err as Error).message;
      this.reply(encodeError(req.id, STRATUM_ERROR.UNAUTHORIZED, `invalid payout address "${address.slice(0, 100)}": ${reason}`));
      this.addScore(BAN_SCORE.badAuthorize, 'bad authorize');
      return;
    }
    if (!this.workers.has(username)) this.lastUsefulAt = this.host.now();
    this.workers.set(username, { address, workerName: worker });
    this.reply(encodeResult(req.id, true));
    this.maybeStartWork();
  }

  private onConfigure(req: StratumRequest): void {
    const { extensions, options } = parseConfigureParams(req.params);
    const result: Record<string, unknown> = {};
    for (const ext of extensions) {
      if (ext === 'version-rolling') {
        const offered = parseVersionMask(options['version-rolling.mask']);
        const mask = (offered & DEFAULT_VERSION_ROLLING_MASK) >>> 0;
        const minBits = options['version-rolling.min-bit-count'];
        const minBitCount = typeof minBits === 'number' && Number.isInteger(minBits) && minBits >= 0 ? minBits : 0;
        const ok = mask !== 0 && popcount(mask) >= minBitCount;
        this.versionMask = ok ? mask : 0;
        result['version-rolling'] = ok;
        result['version-rolling.mask'] = u32ToHex(mask);
        if (typeof minBits === 'number') result['version-rolling.min-bit-count'] = minBitCount;
      } else {
        result[ext] = false;
      }
    }
    this.reply(encodeResult(req.id, result));
  }

  private onSuggestTarget(req: StratumRequest): void {
    const t = req.params[0];
    if (typeof t !== 'string' || !/^[0-9a-fA-F]{64}$/.test(t)) {
      throw new StratumError(STRATUM_ERROR.OTHER, 'mining.suggest_target: the target must be 64 hex digits');
    }
    const target = hexToTarget(t.toLowerCase());
    if (target === 0n) throw new StratumError(STRATUM_ERROR.OTHER, 'mining.suggest_target: the target is zero');
    this.onSuggestDifficulty(req.id, targetToDifficulty(target));
  }

  /**
   * A miner's difficulty suggestion. Honoured once, at the start (before the first submit, as
   * Bitaxe sends it right after authorize), clamped to the vardiff range, from the next notify.
   * Later ones are answered and ignored: vardiff governs, so a miner cannot pin its difficulty
   * low after every raise (the control-message rate limit bounds a flood of them).
   */
  private onSuggestDifficulty(id: StratumId, difficulty: number): void {
    this.reply(encodeResult(id, true));
    if (!this.suggestionOpen) return;
    this.suggestionOpen = false;
    const d = this.vardiff.set(difficulty, this.host.now());
    if (this.workSent) this.changeDifficulty(d);
    else this.target = shareTarget(d);
  }

  private onSubmit(req: StratumRequest): void {
    if (!this.extranonce1) {
      this.rejectSubmit(req.id, 'not-subscribed', STRATUM_ERROR.NOT_SUBSCRIBED, 'Not subscribed');
      return;
    }
    this.suggestionOpen = false;
    let p;
    try {
      p = parseSubmitParams(req.params);
    } catch (err) {
      const e = err as StratumError;
      this.rejectSubmit(req.id, 'malformed', e.stratumCode, e.reason);
      return;
    }
    const worker = this.workers.get(p.username);
    if (!worker) {
      this.rejectSubmit(req.id, 'unauthorized', STRATUM_ERROR.UNAUTHORIZED, `Unauthorized worker ${p.username.slice(0, 100)}`);
      return;
    }
    // Only a job this connection (or the session it resumed) was sent: a job id another
    // connection got is not this miner's to submit.
    const sent = this.sentJobs.get(p.jobId);
    if (!sent) {
      const known = this.host.validator.getJob(p.jobId);
      const r = known && this.host.validator.isStale(known) ? rejectShare('stale') : rejectShare('job-not-found');
      this.rejectSubmit(req.id, r.reason, r.code, r.message, p.username);
      return;
    }
    const verdict = this.host.validator.validate(
      p,
      { extranonce1: this.extranonce1, extranonce1Bytes: this.extranonce1Bytes!, shareTarget: sent.target, versionMask: this.versionMask ?? DEFAULT_VERSION_ROLLING_MASK },
      sent.job.shareJob,
    );
    if (!verdict.ok) {
      // A stale share is an honest miner's late work: useful, not punished.
      if (verdict.reason === 'stale') this.lastUsefulAt = this.host.now();
      this.rejectSubmit(req.id, verdict.reason, verdict.code, verdict.message, p.username);
      return;
    }
    const job = sent.job;
    // A block goes to the chain at once, whatever happens to the share's own record.
    if (verdict.isBlock) {
      this.host.count('block');
      void this.host.jobs.submitBlock(verdict, job, p.username);
    }
    let pending: void | Promise<void> = undefined;
    if (this.host.hooks.onShare) {
      try {
        pending = this.host.hooks.onShare({
          sessionId: this.id,
          remoteAddress: this.remoteAddress,
          ...(this.userAgent ? { userAgent: this.userAgent } : {}),
          username: p.username,
          address: worker.address,
          workerName: worker.workerName,
          jobId: p.jobId,
          height: job.height,
          difficulty: sent.target.difficulty,
          share: verdict,
        });
      } catch (err) {
        this.shareNotRecorded(req.id, verdict, err, p.username);
        return;
      }
    }
    if (pending && typeof (pending as Promise<void>).then === 'function') {
      this.waitFor(pending as Promise<void>, req.id, verdict, sent, p.username);
      return;
    }
    this.shareRecorded(req.id, sent);
  }

  /** The share is durable: now it counts (counters, vardiff, useful work) and the miner hears "accepted". */
  private shareRecorded(id: StratumId, sent: SentJob): void {
    const now = this.host.now();
    this.accepted++;
    this.host.count('accepted');
    this.lastUsefulAt = now;
    const next = this.vardiff.onShare(now, sent.target.difficulty);
    this.reply(encodeResult(id, true));
    if (next !== undefined) this.changeDifficulty(next);
  }

  /**
   * The share could not be recorded: nothing about it counted. A share the database already
   * holds is a duplicate; otherwise the validator forgets it, so the miner may submit it again.
   */
  private shareNotRecorded(id: StratumId, verdict: AcceptedShare, err: unknown, username: string): void {
    if (err instanceof DuplicateShareError) {
      const r = rejectShare('duplicate');
      this.rejectSubmit(id, r.reason, r.code, r.message, username);
      return;
    }
    this.host.validator.rollback(verdict);
    this.host.logger.error('share not recorded', { session: this.id, error: (err as Error)?.message ?? String(err) });
    this.rejected++;
    this.host.count('rejected', 'not-recorded');
    this.reply(encodeError(id, STRATUM_ERROR.OTHER, 'share could not be recorded; submit it again'));
  }

  private rejectSubmit(id: StratumId, reason: ShareRejectReason | 'malformed', code: number, message: string, username?: string): void {
    this.rejected++;
    this.host.count('rejected', reason);
    this.reply(encodeError(id, code, message));
    this.host.hooks.onReject?.({ sessionId: this.id, remoteAddress: this.remoteAddress, ...(username ? { username } : {}), reason, message });
    const points = reason === 'malformed' ? BAN_SCORE.badParams : BAN_SCORE.share[reason];
    if (points) this.addScore(points, `invalid share (${reason})`);
  }

  /** Holds later replies and lines until an async onShare settles (keeps replies in order). */
  private waitFor(pending: Promise<void>, id: StratumId, verdict: AcceptedShare, sent: SentJob, username: string): void {
    this.setPaused(PAUSE_COMMIT, true);
    this.waiting = pending.then(
      () => {
        this.waiting = undefined;
        if (this.closing) return;
        this.shareRecorded(id, sent);
        this.drainQueued();
      },
      (err: unknown) => {
        this.waiting = undefined;
        if (this.closing) {
          // Closed meanwhile: still forget a share that was not recorded, for the resumed session.
          if (!(err instanceof DuplicateShareError)) this.host.validator.rollback(verdict);
          return;
        }
        this.shareNotRecorded(id, verdict, err, username);
        this.drainQueued();
      },
    );
  }

  private drainQueued(): void {
    this.inChunk = true;
    try {
      while (this.queued.length && !this.waiting && !this.closing) this.handleLine(this.queued.shift()!);
    } finally {
      this.inChunk = false;
      this.flush();
    }
    if (!this.waiting) this.setPaused(PAUSE_COMMIT, false);
  }

  // -------------------------------------------------------------------------------------------
  // Work

  /** After subscribe and authorize: set_difficulty, then the current job. */
  private maybeStartWork(): void {
    if (this.workSent || !this.extranonce1 || this.workers.size === 0) return;
    this.workSent = true;
    this.target = shareTarget(this.vardiff.difficulty);
    this.sendDifficulty();
    const job = this.host.jobs.current();
    if (job) this.sendJob(job, true);
  }

  /** A new job from the job manager. Jobs sent earlier stay known (stale after a clean job). */
  onJob(job: StratumJob): void {
    if (!this.workSent || this.closing) return;
    this.sendJob(job, job.cleanJobs);
  }

  /** set_difficulty(d) and a fresh notify with clean_jobs=true. */
  private changeDifficulty(d: number): void {
    this.suggestionOpen = false;
    this.target = shareTarget(d);
    this.sendDifficulty();
    const base = this.host.jobs.current();
    if (base) this.sendJob(this.host.jobs.variant(base, this.lastNtime + 1), true);
  }

  private sendDifficulty(): void {
    if (this.announced === this.target.difficulty) return;
    this.announced = this.target.difficulty;
    this.reply(encodeSetDifficulty(this.target.difficulty));
  }

  private sendJob(job: StratumJob, cleanJobs: boolean): void {
    if (this.announced !== this.target.difficulty) this.sendDifficulty();
    this.sentJobs.set(job.id, { job, target: this.target });
    if (this.sentJobs.size > MAX_SENT_JOBS) this.evictSentJob();
    this.noteNtime(job);
    this.reply(job.notifyLine(cleanJobs));
  }

  /** Forgets the oldest stale job, or else the oldest job. */
  private evictSentJob(): void {
    for (const [id, sent] of this.sentJobs) {
      if (this.host.validator.isStale(sent.job.shareJob)) {
        this.sentJobs.delete(id);
        return;
      }
    }
    this.sentJobs.delete(this.sentJobs.keys().next().value as string);
  }

  private noteNtime(job: StratumJob): void {
    const ntime = parseInt(job.fields.ntime, 16);
    if (ntime > this.lastNtime) this.lastNtime = ntime;
  }

  /** Sends mining.set_extranonce (only to miners that asked for it). Returns whether it was sent. */
  setExtranonce1(extranonce1: string): boolean {
    if (!this.extranonceSubscribed || this.closing) return false;
    if (this.extranonce1) this.host.releaseExtranonce1(this.extranonce1);
    this.extranonce1 = extranonce1;
    this.extranonce1Bytes = hexToBytes(extranonce1);
    this.sentJobs.clear();
    this.reply(encodeSetExtranonce(extranonce1, this.host.config.extranonce2Bytes));
    const job = this.host.jobs.current();
    if (job && this.workSent) this.sendJob(this.host.jobs.variant(job, this.lastNtime + 1), true);
    return true;
  }

  /** Periodic housekeeping from the server: vardiff without shares. */
  tick(now: number): void {
    if (!this.workSent || this.closing || this.waiting) return;
    const next = this.vardiff.tick(now);
    if (next !== undefined) this.changeDifficulty(next);
  }

  /**
   * Which deadline the connection missed at `now`, if any: an unfinished line older than
   * lineTimeoutSeconds (not while the server itself stopped reading), no login within
   * loginTimeoutSeconds, no useful work within idleTimeoutSeconds.
   */
  missedDeadline(now: number): 'line-timeout' | 'login-timeout' | 'idle' | undefined {
    const c = this.host.config;
    if (this.partialSince !== undefined && this.pauseReasons === 0 && now - this.partialSince > c.lineTimeoutSeconds * 1000) return 'line-timeout';
    if (!(this.subscribed && this.authorized)) {
      return now - this.connectedAt > c.loginTimeoutSeconds * 1000 ? 'login-timeout' : undefined;
    }
    return now - this.lastUsefulAt > c.idleTimeoutSeconds * 1000 ? 'idle' : undefined;
  }

  // -------------------------------------------------------------------------------------------
  // Output and lifecycle

  private reply(line: string): void {
    // Nothing goes out after close() started (its last lines were flushed by close()).
    if (this.closing) return;
    this.out += line;
    if (!this.inChunk) this.flush();
  }

  /**
   * Writes what is queued. Back-pressure: when the socket's buffer is full, reading stops until
   * it drains (a miner that does not read cannot make us queue replies to its requests); past
   * maxWriteBufferBytes (broadcast jobs pile up too) the connection is closed.
   */
  private flush(): void {
    if (!this.out || this.closed) return;
    const data = this.out;
    this.out = '';
    const ok = this.socket.write(data);
    if (this.closing) return;
    if (this.socket.writableLength > this.host.config.maxWriteBufferBytes) {
      this.host.count('closed', 'not-reading');
      this.close('not reading (write buffer full)');
      return;
    }
    if (!ok && !(this.pauseReasons & PAUSE_OUTPUT)) {
      this.setPaused(PAUSE_OUTPUT, true);
      this.socket.once('drain', this.onDrain);
    }
  }

  private readonly onDrain = (): void => this.setPaused(PAUSE_OUTPUT, false);

  private setPaused(reason: number, on: boolean): void {
    const before = this.pauseReasons;
    this.pauseReasons = on ? before | reason : before & ~reason;
    if (this.closing) return;
    if (before === 0 && this.pauseReasons !== 0) this.socket.pause();
    else if (before !== 0 && this.pauseReasons === 0) this.socket.resume();
  }

  /** Adds ban score; returns true when the session got banned (and is closing). */
  private addScore(points: number, why: string): boolean {
    const now = this.host.now();
    this.score = this.decayedScore(now) + points;
    this.scoreAt = now;
    if (this.score >= this.host.config.banThreshold) {
      this.host.ban(this, why);
      return true;
    }
    return false;
  }

  private decayedScore(now: number): number {
    if (this.score === 0) return 0;
    return this.score * Math.pow(0.5, (now - this.scoreAt) / BAN_SCORE_HALF_LIFE_MS);
  }

  /** Sends client.reconnect (to where the miner connected) and closes. */
  reconnect(waitSeconds = 0): void {
    if (this.closing) return;
    const host = this.socket.localAddress ?? '127.0.0.1';
    const port = this.socket.localPort ?? 0;
    this.reply(encodeReconnect(host.startsWith('::ffff:') ? host.slice(7) : host, port, waitSeconds));
    this.close('reconnect');
  }

  /** Sends a server notification (e.g. client.show_message). */
  notify(method: string, params: readonly unknown[]): void {
    this.reply(encodeNotification(method, params));
  }

  /** Flushes what is queued, ends the connection and destroys it after a grace period. */
  close(why: string): void {
    if (this.closing) return;
    this.closing = true;
    this.host.logger.debug('closing connection', { session: this.id, remote: this.remoteAddress, why });
    this.flush();
    this.socket.end();
    const t = setTimeout(() => this.socket.destroy(), CLOSE_GRACE_MS);
    t.unref();
    this.socket.once('close', () => clearTimeout(t));
  }

  /** Called by the server when the socket closed. */
  onClosed(): void {
    if (this.closed) return;
    this.closed = true;
    this.closing = true;
    if (this.extranonce1) {
      if (this.workSent) this.host.keepResumable(this.extranonce1, { sentJobs: this.sentJobs, difficulty: this.vardiff.difficulty, suggestionOpen: this.suggestionOpen });
      this.host.releaseExtranonce1(this.extranonce1);
    }
    this.queued.length = 0;
  }
}

function popcount(x: number): number {
  let n = 0;
  for (let v = x >>> 0; v; v >>>= 1) n += v & 1;
  return n;
}
