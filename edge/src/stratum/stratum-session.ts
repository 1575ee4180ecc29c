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
} as const;
/** Ban score halves every this many ms, so occasional rejects never add up to a ban. */
export const BAN_SCORE_HALF_LIFE_MS = 60_000;
/** Invalid lines (not JSON / not a message) after which the connection is closed. */
export const MAX_GARBAGE_LINES = 5;
/** Jobs a connection remembers with the difficulty they were sent at. */
export const MAX_SENT_JOBS = 32;
/** Bytes queued for a miner that does not read before the connection is dropped. */
export const MAX_WRITE_BUFFER_BYTES = 4 * 1024 * 1024;
/** Time a closing connection gets to flush its last lines before it is destroyed (ms). */
export const CLOSE_GRACE_MS = 2000;

/** What a session needs from its server (listed exactly, so tests can fake it). */
export interface SessionHost {
  readonly config: StratumConfig;
  readonly logger: Logger;
  readonly jobs: JobManager;
  readonly validator: ShareValidator;
  readonly validateAddress: AddressValidator;
  readonly hooks: StratumHooks;
  now(): number;
  allocateExtranonce1(resume?: string): string;
  releaseExtranonce1(hex: string): void;
  /** The session's ban score passed the threshold. */
  ban(session: StratumSession, why: string): void;
  /** Counters. */
  count(event: 'accepted' | 'rejected' | 'block', reason?: string): void;
}

interface WorkerAuth {
  readonly address: string;
  readonly workerName: string;
}

interface SentJob {
  readonly job: StratumJob;
  readonly target: ShareTarget;
}

export class StratumSession {
  readonly remoteAddress: string;
  readonly connectedAt: number;
  userAgent: string | undefined;
  extranonce1: string | undefined;
  private extranonce1Bytes: Uint8Array | undefined;
  private readonly framer: StratumLineFramer;
  private readonly workers = new Map<string, WorkerAuth>();
  private readonly sentJobs = new Map<string, SentJob>();
  private readonly vardiff: Vardiff;
  /** The target of the current difficulty (shared by the jobs sent at it). */
  private target: ShareTarget;
  /** Difficulty announced by the last set_difficulty sent. */
  private announced: number | undefined;
  private versionMask: number | undefined;
  private extranonceSubscribed = false;
  private workSent = false;
  private lastNtime = 0;
  private out = '';
  private inChunk = false;
  private waiting: Promise<void> | undefined;
  private readonly queued: string[] = [];
  private garbage = 0;
  private score = 0;
  private scoreAt = 0;
  private closing = false;
  closed = false;
  lastLineAt: number;
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
    this.lastLineAt = now;
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

  // -------------------------------------------------------------------------------------------
  // Input

  /** Feeds a chunk of text from the socket. */
  onData(chunk: string): void {
    if (this.closing) return;
    this.lastLineAt = this.host.now();
    this.inChunk = true;
    try {
      this.framer.push(chunk, this.lineHandler);
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
      this.extranonce1 = this.host.allocateExtranonce1(p.sessionId);
      this.extranonce1Bytes = hexToBytes(this.extranonce1);
      if (p.userAgent) this.userAgent = p.userAgent;
    }
    const sid = this.extranonce1;
    this.reply(encodeResult(req.id, [[['mining.set_difficulty', sid], ['mining.notify', sid]], sid, this.host.config.extranonce2Bytes]));
    this.maybeStartWork();
  }

  private onAuthorize(req: StratumRequest): void {
    const { username } = parseAuthorizeParams(req.params);
    const { address, worker } = splitWorkerName(username);
    try {
      this.host.validateAddress(address);
    } catch (err) {
      const reason = (err as { reason?: string }).reason ?? (err as Error).message;
      this.reply(encodeError(req.id, STRATUM_ERROR.UNAUTHORIZED, `invalid payout address "${address.slice(0, 100)}": ${reason}`));
      this.addScore(BAN_SCORE.badAuthorize, 'bad authorize');
      return;
    }
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

  /** A miner's difficulty suggestion, clamped to the vardiff range; applies from the next notify. */
  private onSuggestDifficulty(id: StratumId, difficulty: number): void {
    const d = this.vardiff.set(difficulty, this.host.now());
    this.reply(encodeResult(id, true));
    if (this.workSent) this.changeDifficulty(d);
    else this.target = shareTarget(d);
  }

  private onSubmit(req: StratumRequest): void {
    if (!this.extranonce1) {
      this.rejectSubmit(req.id, 'not-subscribed', STRATUM_ERROR.NOT_SUBSCRIBED, 'Not subscribed');
      return;
    }
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
    let sent = this.sentJobs.get(p.jobId);
    if (!sent) {
      // A job sent to an earlier connection of this miner (resumed session), judged at today's difficulty.
      const job = this.host.jobs.get(p.jobId);
      if (job) sent = { job, target: this.target };
    }
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
      this.rejectSubmit(req.id, verdict.reason, verdict.code, verdict.message, p.username);
      return;
    }
    const job = sent.job;
    this.accepted++;
    this.host.count('accepted');
    if (verdict.isBlock) {
      this.host.count('block');
      void this.host.jobs.submitBlock(verdict, job, p.username);
    }
    const now = this.host.now();
    const next = this.vardiff.onShare(now, sent.target.difficulty);
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
        this.host.logger.error('onShare hook failed', { session: this.id, error: (err as Error).message });
        this.reply(encodeError(req.id, STRATUM_ERROR.OTHER, 'share could not be recorded'));
        return;
      }
    }
    if (pending && typeof (pending as Promise<void>).then === 'function') {
      this.waitFor(pending as Promise<void>, req.id, next);
      return;
    }
    this.reply(encodeResult(req.id, true));
    if (next !== undefined) this.changeDifficulty(next);
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
  private waitFor(pending: Promise<void>, id: StratumId, nextDifficulty: number | undefined): void {
    this.socket.pause();
    this.waiting = pending.then(
      () => {
        this.waiting = undefined;
        if (this.closing) return;
        this.reply(encodeResult(id, true));
        if (nextDifficulty !== undefined) this.changeDifficulty(nextDifficulty);
        this.drainQueued();
      },
      (err: unknown) => {
        this.waiting = undefined;
        if (this.closing) return;
        this.host.logger.error('onShare hook failed', { session: this.id, error: (err as Error)?.message ?? String(err) });
        this.reply(encodeError(id, STRATUM_ERROR.OTHER, 'share could not be recorded'));
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
    if (!this.waiting && !this.closing) this.socket.resume();
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

  /** A new job from the job manager. */
  onJob(job: StratumJob): void {
    if (!this.workSent || this.closing) return;
    if (job.cleanJobs) this.sentJobs.clear();
    this.sendJob(job, job.cleanJobs);
  }

  /** set_difficulty(d) and a fresh notify with clean_jobs=true. */
  private changeDifficulty(d: number): void {
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
    if (this.sentJobs.size > MAX_SENT_JOBS) this.sentJobs.delete(this.sentJobs.keys().next().value as string);
    const ntime = parseInt(job.fields.ntime, 16);
    if (ntime > this.lastNtime) this.lastNtime = ntime;
    this.reply(job.notifyLine(cleanJobs));
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

  // -------------------------------------------------------------------------------------------
  // Output and lifecycle

  private reply(line: string): void {
    // Nothing goes out after close() started (its last lines were flushed by close()).
    if (this.closing) return;
    this.out += line;
    if (!this.inChunk) this.flush();
  }

  private flush(): void {
    if (!this.out || this.closed) return;
    const data = this.out;
    this.out = '';
    this.socket.write(data);
    if (this.socket.writableLength > MAX_WRITE_BUFFER_BYTES) this.close('not reading (write buffer full)');
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
    if (this.extranonce1) this.host.releaseExtranonce1(this.extranonce1);
    this.queued.length = 0;
  }
}

function popcount(x: number): number {
  let n = 0;
  for (let v = x >>> 0; v; v >>>= 1) n += v & 1;
  return n;
}
