/**
 * A Stratum V1 client: what `otedama mine` speaks to a pool (our edge or any other).
 *
 * Dialogue (as minerd, cpuminer-opt and Bitaxe firmware do it; shared/reference/stratum-clients.md):
 *   - optional `mining.configure` (version rolling, BIP310) pipelined with `mining.subscribe`
 *     ["otedama/0.1.0"(, session id on reconnect)], then `mining.authorize` [ADDR.WORKER, password];
 *   - `mining.set_difficulty` is stored and applies from the next `mining.notify`;
 *   - `mining.notify` with clean_jobs restarts the hashing, otherwise the new job replaces the
 *     old one and shares already found for the old job are still submitted;
 *   - `mining.set_extranonce`, `mining.set_version_mask`, `client.reconnect`, `mining.ping`,
 *     `client.get_version`, `client.show_message`; unknown requests with an id get an error reply;
 *   - submits carry 5 params (6 with version rolling); replies are matched by id, and replies
 *     with an id we never sent are matched to the oldest outstanding submit (pools that answer
 *     in order with their own ids);
 *   - a lost connection reconnects with exponential backoff and resubscribes with the session
 *     id so the pool can resume the session.
 * Malformed lines from the pool are logged and skipped; they never crash the miner. The
 * connection itself (dial, reconnect, replies, subscribe and authorize) is stratum-connection.ts,
 * shared with the KawPow dialect (stratum-client-kawpow.ts).
 */
import { difficultyToTarget, type ShareSubmission } from '@otedama/core';
import type { Logger } from '../logger.ts';
import {
  fail,
  StratumConnection,
  type DialectStatus,
  type ShareResult,
  type StratumConnectionEvents,
  type StratumConnectionOptions,
  type StratumRequestMessage,
} from './stratum-connection.ts';

export {
  CONNECT_TIMEOUT_S,
  DEFAULT_BACKOFF_INITIAL_MS,
  DEFAULT_BACKOFF_MAX_MS,
  DEFAULT_IDLE_TIMEOUT_S,
  MAX_RECONNECT_WAIT_S,
  MAX_SERVER_LINE_BYTES,
  normalizeStratumError,
  OTEDAMA_USER_AGENT,
  parseReconnectParams,
  parseServerLine,
  SUBMIT_TIMEOUT_S,
  type JsonRpcId,
  type ShareResult,
  type StratumClientState,
  type StratumClientStatus,
  type StratumErrorInfo,
  type StratumServerMessage,
} from './stratum-connection.ts';

/** The fields of one `mining.notify`, validated, hex normalised to lowercase and 8 digits. */
export interface StratumNotify {
  readonly jobId: string;
  readonly prevhash: string;
  readonly coinb1: string;
  readonly coinb2: string;
  readonly merkleBranch: readonly string[];
  readonly version: string;
  readonly nbits: string;
  readonly ntime: string;
  readonly cleanJobs: boolean;
}

/** A job as the miner uses it: the notify plus the session state it was received under. */
export interface StratumJob extends StratumNotify {
  /** Share difficulty for this job (the last set_difficulty before the notify). */
  readonly difficulty: number;
  /** Share target of that difficulty. */
  readonly target: bigint;
  readonly extranonce1: string;
  readonly extranonce2Size: number;
  /** Granted version-rolling mask, or null when version rolling is off. */
  readonly versionMask: number | null;
  /** Increments on every connection; jobs of an older connection are stale. */
  readonly connectionId: number;
}

/** What the client submits: the same fields core's ShareValidator checks on the pool side. */
export type { ShareSubmission };

// ---------------------------------------------------------------------------------------------
// Parsing (pure; exported for tests)

const HEX_RE = /^[0-9a-fA-F]*$/;

function hexField(value: unknown, name: string, bytes?: number): string {
  if (typeof value !== 'string') fail(`${name} must be a hex string`);
  if (!HEX_RE.test(value)) fail(`${name} is not hex`);
  if (value.length % 2 !== 0) fail(`${name} has an odd number of hex digits`);
  if (bytes !== undefined && value.length !== bytes * 2) fail(`${name} must be ${bytes} bytes (${bytes * 2} hex digits), got ${value.length} digits`);
  return value.toLowerCase();
}

/** A u32 field; pools such as public-pool send it unpadded, so 1..8 digits are padded to 8. */
function u32Field(value: unknown, name: string): string {
  if (typeof value !== 'string' || !/^[0-9a-fA-F]{1,8}$/.test(value)) fail(`${name} must be 8 hex digits`);
  return value.toLowerCase().padStart(8, '0');
}

/** Validates `mining.notify` params: job_id, prevhash, coinb1, coinb2, merkle_branch, version, nbits, ntime, clean_jobs. */
export function parseNotifyParams(params: readonly unknown[]): StratumNotify {
  if (params.length < 9) fail(`mining.notify needs 9 params, got ${params.length}`);
  const [jobId, prevhash, coinb1, coinb2, branch, version, nbits, ntime, clean] = params;
  if ((typeof jobId !== 'string' && typeof jobId !== 'number') || String(jobId) === '') fail('job_id must be a non-empty string');
  if (String(jobId).length > 128) fail('job_id is longer than 128 characters');
  if (!Array.isArray(branch)) fail('merkle_branch must be an array');
  if (branch.length > 64) fail(`merkle_branch has ${branch.length} hashes (at most 64)`);
  return {
    jobId: String(jobId),
    prevhash: hexField(prevhash, 'prevhash', 32),
    coinb1: hexField(coinb1, 'coinb1'),
    coinb2: hexField(coinb2, 'coinb2'),
    merkleBranch: branch.map((b, i) => hexField(b, `merkle_branch[${i}]`, 32)),
    version: u32Field(version, 'version'),
    nbits: u32Field(nbits, 'nbits'),
    ntime: u32Field(ntime, 'ntime'),
    cleanJobs: clean === true,
  };
}

/** `mining.set_difficulty` [d]: a positive finite number (a numeric string is tolerated). */
export function parseDifficultyParams(params: readonly unknown[]): number {
  const raw = params[0];
  const d = typeof raw === 'number' ? raw : typeof raw === 'string' && raw.trim() !== '' ? Number(raw) : NaN;
  if (!Number.isFinite(d) || d <= 0) fail(`mining.set_difficulty needs a positive number, got ${JSON.stringify(raw)}`);
  difficultyToTarget(d); // rejects a difficulty so high that the target is zero
  return d;
}

export interface SubscribeResult {
  readonly sessionId: string | null;
  readonly extranonce1: string;
  readonly extranonce2Size: number;
}

function checkExtranonce2Size(size: unknown): number {
  if (typeof size !== 'number' || !Number.isInteger(size) || size < 1 || size > 32) {
    fail(`extranonce2_size must be a whole number from 1 to 32, got ${JSON.stringify(size)}`);
  }
  return size;
}

/** `mining.subscribe` result: [[[method, id]...] or [method, id], extranonce1, extranonce2_size]. */
export function parseSubscribeResult(result: unknown): SubscribeResult {
  if (!Array.isArray(result) || result.length < 3) fail('subscribe result must be [subscriptions, extranonce1, extranonce2_size]');
  const [subs, en1, size] = result;
  let sessionId: string | null = null;
  const pairs: unknown[] = Array.isArray(subs) && subs.length === 2 && typeof subs[0] === 'string' ? [subs] : Array.isArray(subs) ? subs : [];
  for (const pair of pairs) {
    if (Array.isArray(pair) && pair[0] === 'mining.notify' && (typeof pair[1] === 'string' || typeof pair[1] === 'number')) {
      sessionId = String(pair[1]);
    }
  }
  const extranonce1 = hexField(en1, 'extranonce1');
  if (extranonce1.length > 64) fail('extranonce1 is longer than 32 bytes');
  return { sessionId, extranonce1, extranonce2Size: checkExtranonce2Size(size) };
}

/** `mining.set_extranonce` [extranonce1, extranonce2_size]. */
export function parseSetExtranonceParams(params: readonly unknown[]): { extranonce1: string; extranonce2Size: number } {
  const extranonce1 = hexField(params[0], 'extranonce1');
  if (extranonce1.length > 64) fail('extranonce1 is longer than 32 bytes');
  return { extranonce1, extranonce2Size: checkExtranonce2Size(params[1]) };
}

/** The little-endian bytes of a counter, as many as the pool's extranonce2_size (minerd's order). */
export function extranonce2Hex(counter: bigint, size: number): string {
  let hex = '';
  let v = counter;
  for (let i = 0; i < size; i++) {
    hex += Number(v & 0xffn).toString(16).padStart(2, '0');
    v >>= 8n;
  }
  return hex;
}

// ---------------------------------------------------------------------------------------------
// The client

export interface StratumClientOptions extends StratumConnectionOptions {
  /** Ask for version rolling with mining.configure (default false). */
  readonly versionRolling?: boolean;
}

export type StratumClientEvents = StratumConnectionEvents<StratumJob, ShareSubmission>;

export class StratumClient extends StratumConnection<StratumJob, ShareSubmission> {
  private extranonce1: string | null = null;
  private extranonce2Size: number | null = null;
  private versionMask: number | null = null;
  private difficulty: number | null = null;
  private pendingDifficulty: number | null = null;

  constructor(
    private readonly sha256dOptions: StratumClientOptions,
    logger: Logger,
  ) {
    super(sha256dOptions, logger);
  }

  protected dialectStatus(): DialectStatus {
    return {
      difficulty: this.difficulty,
      pendingDifficulty: this.pendingDifficulty,
      extranonce1: this.extranonce1,
      extranonce2Size: this.extranonce2Size,
      versionMask: this.versionMask === null ? null : (this.versionMask >>> 0).toString(16).padStart(8, '0'),
    };
  }

  /** Submits a share; resolves with the pool's verdict (never rejects). */
  submit(share: ShareSubmission): Promise<ShareResult> {
    const params: string[] = [this.options.user, share.jobId, share.extranonce2, share.ntime, share.nonce];
    if (this.versionMask !== null) params.push(share.versionBits ?? '00000000');
    return this.submitParams(params, share);
  }

  protected handshake(connectionId: number, onReady: () => void): void {
    this.versionMask = null;
    if (this.sha256dOptions.versionRolling) {
      this.request('mining.configure', [['version-rolling'], { 'version-rolling.mask': 'ffffffff', 'version-rolling.min-bit-count': 2 }], {
        onReply: (msg) => {
          const r = msg.result as Record<string, unknown> | null;
          const mask = r && typeof r === 'object' && r['version-rolling'] === true ? r['version-rolling.mask'] : undefined;
          if (typeof mask === 'string' && /^[0-9a-fA-F]{1,8}$/.test(mask) && parseInt(mask, 16) !== 0) {
            this.versionMask = parseInt(mask, 16) >>> 0;
            this.log.info('version rolling granted', { mask: mask.toLowerCase() });
          } else {
            this.log.info('version rolling not granted; submitting 5 params');
          }
        },
        onLost: () => {},
      });
    }
    this.subscribe(
      connectionId,
      onReady,
      parseSubscribeResult,
      (sub) => {
        const resumed = this.sessionId !== null && sub.sessionId === this.sessionId && sub.extranonce1 === this.extranonce1;
        this.extranonce1 = sub.extranonce1;
        this.extranonce2Size = sub.extranonce2Size;
        // minerd's rule: difficulty starts at 1 on every subscribe until the pool says otherwise.
        if (!resumed) this.pendingDifficulty = this.pendingDifficulty ?? 1;
        return resumed;
      },
      (sub) => ({ extranonce1: sub.extranonce1, extranonce2Size: sub.extranonce2Size }),
    );
  }

  protected handleDialectRequest(msg: StratumRequestMessage, connectionId: number): boolean {
    switch (msg.method) {
      case 'mining.notify':
        this.onNotify(parseNotifyParams(msg.params), connectionId);
        return true;
      case 'mining.set_difficulty': {
        const d = parseDifficultyParams(msg.params);
        this.pendingDifficulty = d;
        this.log.info('difficulty set; applies from the next job', { difficulty: d });
        return true;
      }
      case 'mining.set_extranonce': {
        const en = parseSetExtranonceParams(msg.params);
        this.extranonce1 = en.extranonce1;
        this.extranonce2Size = en.extranonce2Size;
        this.log.info('extranonce changed', { extranonce1: en.extranonce1, extranonce2Size: en.extranonce2Size });
        if (this.lastJob) {
          this.lastJob = { ...this.lastJob, extranonce1: en.extranonce1, extranonce2Size: en.extranonce2Size };
          this.emit('job', this.lastJob, true);
        }
        this.reply(msg.id, true);
        return true;
      }
      case 'mining.set_version_mask': {
        const mask = msg.params[0];
        if (typeof mask !== 'string' || !/^[0-9a-fA-F]{1,8}$/.test(mask)) fail('mining.set_version_mask needs 8 hex digits');
        if (this.versionMask !== null) this.versionMask = parseInt(mask, 16) >>> 0;
        return true;
      }
      default:
        return false;
    }
  }

  private onNotify(notify: StratumNotify, connectionId: number): void {
    if (this.extranonce1 === null || this.extranonce2Size === null) fail('mining.notify before the subscribe result');
    if (this.lastJob && this.lastJob.jobId === notify.jobId && !notify.cleanJobs && this.lastJob.connectionId === connectionId) return;
    if (this.pendingDifficulty !== null) this.difficulty = this.pendingDifficulty;
    const difficulty = this.difficulty ?? 1;
    const job: StratumJob = {
      ...notify,
      difficulty,
      target: difficultyToTarget(difficulty),
      extranonce1: this.extranonce1,
      extranonce2Size: this.extranonce2Size,
      versionMask: this.versionMask,
      connectionId,
    };
    this.lastJob = job;
    this.log.debug('new job', { jobId: job.jobId, clean: job.cleanJobs, difficulty });
    if (this.state === 'ready') this.emit('job', job, job.cleanJobs);
  }
}
