/**
 * What the pool sends a browser miner, parsed and checked: one Stratum V1 JSON-RPC line in, a
 * typed message out, or a PoolMessageError whose reason says what was wrong. The connection
 * turns an error into an event on the page and carries on: a malformed line never crashes the
 * miner. Also the share verdicts: which rejections are stale (the job was superseded) and which
 * are real rejections.
 */
import { PoolMessageError } from './errors.ts';

/** The fields of one mining.notify. */
export interface NotifyFields {
  jobId: string;
  /** 64 hex digits, as sent (Stratum's word-swapped order). */
  prevhash: string;
  coinb1: string;
  coinb2: string;
  merkleBranch: string[];
  /** 8 hex digits each. */
  version: string;
  nbits: string;
  ntime: string;
  clean: boolean;
}

/** A Stratum error as the pool sent it: `[code, "message", traceback]` or a bare message. */
export interface PoolError {
  code: number | null;
  message: string;
}

export type PoolMessage =
  | { kind: 'response'; id: number | string | null; result: unknown; error: PoolError | null }
  | { kind: 'notify'; fields: NotifyFields }
  | { kind: 'set-difficulty'; difficulty: number }
  | { kind: 'set-extranonce'; extranonce1: string; extranonce2Size: number }
  | { kind: 'reconnect' }
  /** A method this miner does not use (client.show_message, client.get_version...). */
  | { kind: 'other'; method: string };

export interface SubscribeReply {
  /** The id to resume this session with (mining.notify's subscription id), if the pool gave one. */
  sessionId?: string;
  extranonce1: string;
  extranonce2Size: number;
}

/** Longest line a pool may send (characters): a notify with a full merkle branch is ~3 KB. */
export const MAX_POOL_LINE_CHARS = 64 * 1024;
/** Longest job id kept (the edge's are a few characters). */
const MAX_JOB_ID_CHARS = 128;
/** Merkle branch depth of a block of 2^32 transactions: more is not a real branch. */
const MAX_MERKLE_BRANCH = 32;

const HEX_RE = /^(?:[0-9a-fA-F]{2})*$/;
const HEX64_RE = /^[0-9a-fA-F]{64}$/;
const HEX8_RE = /^[0-9a-fA-F]{8}$/;

function fail(reason: string): never {
  throw new PoolMessageError(reason);
}

function preview(value: unknown): string {
  let s: string;
  try {
    s = JSON.stringify(value) ?? String(value);
  } catch {
    s = String(value);
  }
  return s.length > 40 ? `${s.slice(0, 40)}…` : s;
}

function hex(value: unknown, what: string, pattern = HEX_RE): string {
  if (typeof value !== 'string' || !pattern.test(value)) fail(`${what} must be ${pattern === HEX_RE ? 'even-length hex' : 'hex of the right length'} (got ${preview(value)})`);
  return value.toLowerCase();
}

/** One line from the pool before a dialect reads it: a reply, or a notification with its params. */
export type PoolFrame =
  | { kind: 'response'; id: number | string | null; result: unknown; error: PoolError | null }
  | { kind: 'notification'; method: string; params: unknown[] };

/** Parses one line's framing (JSON, reply or notification). Throws PoolMessageError with the reason when it is malformed. */
export function parsePoolFrame(line: string): PoolFrame {
  if (typeof line !== 'string') fail('a pool message must be text');
  if (line.length > MAX_POOL_LINE_CHARS) fail(`line of ${line.length} characters is longer than ${MAX_POOL_LINE_CHARS}`);
  let msg: unknown;
  try {
    msg = JSON.parse(line);
  } catch {
    fail(`not JSON: ${preview(line)}`);
  }
  if (typeof msg !== 'object' || msg === null || Array.isArray(msg)) fail(`not a JSON object: ${preview(msg)}`);
  const obj = msg as Record<string, unknown>;
  const method = obj.method;
  if (method === undefined || method === null) {
    if (!('result' in obj) && !('error' in obj)) fail('neither a notification (no "method") nor a reply (no "result" or "error")');
    const id = obj.id ?? null;
    if (!(id === null || typeof id === 'string' || (typeof id === 'number' && Number.isFinite(id)))) fail(`reply id must be a number or a string (got ${preview(id)})`);
    return { kind: 'response', id, result: obj.result ?? null, error: parsePoolError(obj.error) };
  }
  if (typeof method !== 'string' || !method) fail(`method must be a non-empty string (got ${preview(method)})`);
  const params = obj.params ?? [];
  if (!Array.isArray(params)) fail(`${method}: params must be an array (got ${preview(obj.params)})`);
  return { kind: 'notification', method, params };
}

/** Parses one line from a SHA-256d pool. Throws PoolMessageError with the reason when it is malformed. */
export function parsePoolLine(line: string): PoolMessage {
  const frame = parsePoolFrame(line);
  if (frame.kind === 'response') return frame;
  const { method, params } = frame;
  switch (method) {
    case 'mining.notify':
      return { kind: 'notify', fields: parseNotifyParams(params) };
    case 'mining.set_difficulty':
      return { kind: 'set-difficulty', difficulty: parseDifficultyParams(params) };
    case 'mining.set_extranonce':
      return { kind: 'set-extranonce', ...parseExtranonceParams(params) };
    case 'client.reconnect':
      return { kind: 'reconnect' };
    default:
      return { kind: 'other', method };
  }
}

/** mining.set_extranonce: [extranonce1, extranonce2_size]. */
export function parseExtranonceParams(params: readonly unknown[]): { extranonce1: string; extranonce2Size: number } {
  return parseExtranonce(params[0], params[1], 'mining.set_extranonce');
}

/** mining.notify: [job_id, prevhash, coinb1, coinb2, merkle_branch, version, nbits, ntime, clean_jobs]. */
export function parseNotifyParams(params: readonly unknown[]): NotifyFields {
  if (params.length < 9) fail(`mining.notify needs 9 params (got ${params.length})`);
  const [jobId, prevhash, coinb1, coinb2, branch, version, nbits, ntime, clean] = params;
  if (typeof jobId !== 'string' || !jobId || jobId.length > MAX_JOB_ID_CHARS) fail(`mining.notify: job_id must be a non-empty string of at most ${MAX_JOB_ID_CHARS} characters (got ${preview(jobId)})`);
  if (!Array.isArray(branch) || branch.length > MAX_MERKLE_BRANCH) fail(`mining.notify: merkle_branch must be a list of at most ${MAX_MERKLE_BRANCH} hashes (got ${preview(branch)})`);
  if (typeof clean !== 'boolean') fail(`mining.notify: clean_jobs must be true or false (got ${preview(clean)})`);
  return {
    jobId,
    prevhash: hex(prevhash, 'mining.notify: prevhash', HEX64_RE),
    coinb1: hex(coinb1, 'mining.notify: coinb1'),
    coinb2: hex(coinb2, 'mining.notify: coinb2'),
    merkleBranch: branch.map((b, i) => hex(b, `mining.notify: merkle_branch[${i}]`, HEX64_RE)),
    version: hex(version, 'mining.notify: version', HEX8_RE),
    nbits: hex(nbits, 'mining.notify: nbits', HEX8_RE),
    ntime: hex(ntime, 'mining.notify: ntime', HEX8_RE),
    clean,
  };
}

/** mining.set_difficulty: [difficulty], a positive finite number. */
export function parseDifficultyParams(params: readonly unknown[]): number {
  const d = params[0];
  if (typeof d !== 'number' || !Number.isFinite(d) || d <= 0) fail(`mining.set_difficulty needs a positive number (got ${preview(d)})`);
  return d;
}

function parseExtranonce(en1: unknown, size: unknown, what: string): { extranonce1: string; extranonce2Size: number } {
  const extranonce1 = hex(en1, `${what}: extranonce1`);
  if (extranonce1.length > 64) fail(`${what}: extranonce1 is longer than 32 bytes`);
  if (typeof size !== 'number' || !Number.isInteger(size) || size < 1 || size > 16) fail(`${what}: extranonce2_size must be a whole number from 1 to 16 (got ${preview(size)})`);
  return { extranonce1, extranonce2Size: size };
}

/** The result of mining.subscribe: [[[method, id]...], extranonce1, extranonce2_size]. */
export function parseSubscribeResult(result: unknown): SubscribeReply {
  if (!Array.isArray(result) || result.length < 3) fail(`mining.subscribe result must be [subscriptions, extranonce1, extranonce2_size] (got ${preview(result)})`);
  const [subs, en1, size] = result;
  const out: SubscribeReply = parseExtranonce(en1, size, 'mining.subscribe');
  // Pools send [[method, id], ...] or a single [method, id] pair.
  const pairs: unknown[] = Array.isArray(subs) && typeof subs[0] === 'string' ? [subs] : Array.isArray(subs) ? subs : [];
  for (const pair of pairs) {
    if (Array.isArray(pair) && pair[0] === 'mining.notify' && typeof pair[1] === 'string' && pair[1].length > 0 && pair[1].length <= 64) {
      out.sessionId = pair[1];
    }
  }
  return out;
}

/** A reply's error member as {code, message}; null when there is none. */
export function parsePoolError(error: unknown): PoolError | null {
  if (error === undefined || error === null || error === false) return null;
  if (Array.isArray(error)) {
    const [code, message] = error;
    return {
      code: typeof code === 'number' && Number.isInteger(code) ? code : null,
      message: typeof message === 'string' && message ? message : preview(error),
    };
  }
  if (typeof error === 'string') return { code: null, message: error || 'unknown error' };
  if (typeof error === 'object') {
    const e = error as { code?: unknown; message?: unknown };
    return {
      code: typeof e.code === 'number' && Number.isInteger(e.code) ? e.code : null,
      message: typeof e.message === 'string' && e.message ? e.message : preview(error),
    };
  }
  return { code: null, message: preview(error) };
}

/** Stratum's "job not found" error code, which pools also use for stale shares. */
export const STALE_ERROR_CODE = 21;
const STALE_RE = /stale|job not found/i;

/** A rejected share is stale when the pool says code 21 or its message says stale / job not found. */
export function isStaleRejection(error: PoolError): boolean {
  return error.code === STALE_ERROR_CODE || STALE_RE.test(error.message);
}
