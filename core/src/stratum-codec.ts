/**
 * Stratum V1 on the wire, without I/O: line framing, parsing and validating what miners send,
 * and encoding what a pool sends. Shaped by what minerd 2.5.1, cpuminer-opt 26.1, Bitaxe
 * firmware and public-pool actually do (shared/reference/stratum-clients.md):
 *   - one JSON object per line; minerd/cpuminer-opt put spaces after ':' and ',', Bitaxe not;
 *   - errors travel as `[code, "message", null]` (minerd shows error[1]);
 *   - mining.notify's version/nbits/ntime are exactly 8 hex digits (minerd rejects unpadded hex);
 *   - suggest_difficulty's value is a number (Bitaxe) or a numeric string (cpuminer-opt).
 */
import { STRATUM_ERROR, StratumError } from './errors.ts';
import type { StratumJobFields } from './stratum-job.ts';

export type StratumId = number | string | null;

/** A method call from the peer (a request when id is non-null, a notification otherwise). */
export interface StratumRequest {
  readonly kind: 'request';
  readonly id: StratumId;
  readonly method: string;
  readonly params: readonly unknown[];
}

/** A reply from the peer to something we sent (client.get_version, ...). */
export interface StratumResponse {
  readonly kind: 'response';
  readonly id: StratumId;
  readonly result: unknown;
  readonly error: unknown;
}

export type StratumInbound = StratumRequest | StratumResponse;

/** Longest method name accepted (the longest real one, mining.extranonce.subscribe, has 26). */
export const MAX_METHOD_CHARS = 64;
/** Longest string id echoed back (ids are small integers in every known miner). */
export const MAX_ID_CHARS = 64;
/** Longest user agent kept (longer ones are truncated, not rejected). */
export const MAX_USER_AGENT_CHARS = 128;
/** Longest `payoutAddress.workerName` accepted. */
export const MAX_USERNAME_CHARS = 256;
/** Longest job id accepted in a submit. */
export const MAX_JOB_ID_CHARS = 64;
/** Largest extranonce2 a submit may carry (bytes); the job decides the exact size. */
export const MAX_EXTRANONCE2_BYTES = 32;

const HEX8_RE = /^[0-9a-fA-F]{8}$/;
const HEX_RE = /^(?:[0-9a-fA-F]{2})*$/;
const VERSION_BITS_RE = /^[0-9a-fA-F]{1,8}$/;
const DECIMAL_RE = /^\s*\+?(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?\s*$/;

function protocolError(reason: string): StratumError {
  return new StratumError(STRATUM_ERROR.OTHER, reason);
}

function preview(value: unknown): string {
  let s: string;
  try {
    s = typeof value === 'string' ? JSON.stringify(value) : (JSON.stringify(value) ?? String(value));
  } catch {
    s = String(value);
  }
  return s.length > 32 ? `${s.slice(0, 32)}…` : s;
}

// ---------------------------------------------------------------------------------------------
// Framing

/**
 * Splits a text stream into lines ('\n', optional '\r'), skipping blank lines. A line (or an
 * unterminated tail) longer than `maxLineChars` throws a StratumError: the caller disconnects,
 * since what follows cannot be trusted to be framed. Counts UTF-16 code units, which equal bytes
 * for the ASCII that Stratum is in practice (other text counts less than its UTF-8 bytes).
 */
export class StratumLineFramer {
  private tail = '';

  constructor(readonly maxLineChars: number) {
    if (!Number.isInteger(maxLineChars) || maxLineChars < 64) {
      throw new RangeError(`maxLineChars must be an integer >= 64 (got ${maxLineChars})`);
    }
  }

  /** Characters buffered without a newline yet. */
  get pending(): number {
    return this.tail.length;
  }

  /** Feeds a chunk; calls `onLine` for every complete non-blank line, in order. */
  push(chunk: string, onLine: (line: string) => void): void {
    let text = this.tail.length ? this.tail + chunk : chunk;
    this.tail = '';
    let start = 0;
    for (;;) {
      const nl = text.indexOf('\n', start);
      if (nl < 0) break;
      let end = nl;
      if (end > start && text.charCodeAt(end - 1) === 13) end--;
      if (end - start > this.maxLineChars) throw this.tooLong(end - start);
      if (end > start) {
        const line = text.slice(start, end);
        if (!isBlank(line)) onLine(line);
      }
      start = nl + 1;
    }
    if (start < text.length) {
      if (text.length - start > this.maxLineChars) throw this.tooLong(text.length - start);
      this.tail = start === 0 ? text : text.slice(start);
    }
    text = '';
  }

  private tooLong(n: number): StratumError {
    this.tail = '';
    return protocolError(`line too long (${n}+ characters; the limit is ${this.maxLineChars})`);
  }
}

function isBlank(line: string): boolean {
  // Fast path: a JSON line starts with '{'.
  const c = line.charCodeAt(0);
  if (c === 123) return false;
  return line.trim().length === 0;
}

// ---------------------------------------------------------------------------------------------
// Parsing

/**
 * Parses one line into a request or a response. Throws StratumError (code 20) with the reason:
 * not JSON, not an object, a bad id, a missing or bad method, params that are not an array.
 */
export function parseStratumLine(line: string): StratumInbound {
  let msg: unknown;
  try {
    msg = JSON.parse(line);
  } catch {
    throw protocolError(`invalid JSON: ${preview(line)}`);
  }
  if (typeof msg !== 'object' || msg === null || Array.isArray(msg)) {
    throw protocolError('a Stratum message must be a JSON object');
  }
  const obj = msg as Record<string, unknown>;
  const id = obj.id === undefined ? null : obj.id;
  if (!(id === null || (typeof id === 'number' && Number.isFinite(id)) || (typeof id === 'string' && id.length <= MAX_ID_CHARS))) {
    throw protocolError(`id must be a number, a short string or null (got ${preview(obj.id)})`);
  }
  const method = obj.method;
  if (method === undefined || method === null) {
    if ('result' in obj || 'error' in obj) return { kind: 'response', id, result: obj.result, error: obj.error ?? null };
    throw protocolError('message has no method');
  }
  if (typeof method !== 'string' || method.length === 0 || method.length > MAX_METHOD_CHARS) {
    throw protocolError(`method must be a non-empty string of at most ${MAX_METHOD_CHARS} characters (got ${preview(method)})`);
  }
  const params = obj.params === undefined || obj.params === null ? [] : obj.params;
  if (!Array.isArray(params)) throw protocolError(`params of ${method} must be an array (got ${preview(obj.params)})`);
  return { kind: 'request', id, method, params };
}

export interface SubscribeParams {
  readonly userAgent?: string;
  /** The session id of a previous connection (minerd/cpuminer-opt resubscribe with it). */
  readonly sessionId?: string;
}

/** `mining.subscribe` params: [] | [userAgent] | [userAgent, sessionId, ...]. Lenient by design. */
export function parseSubscribeParams(params: readonly unknown[]): SubscribeParams {
  const ua = params[0];
  const sid = params[1];
  if (ua !== undefined && ua !== null && typeof ua !== 'string') {
    throw protocolError(`mining.subscribe: the user agent must be a string (got ${preview(ua)})`);
  }
  const out: { userAgent?: string; sessionId?: string } = {};
  if (typeof ua === 'string' && ua.length) out.userAgent = ua.slice(0, MAX_USER_AGENT_CHARS);
  if (typeof sid === 'string' && sid.length && sid.length <= 64) out.sessionId = sid.toLowerCase();
  return out;
}

export interface AuthorizeParams {
  readonly username: string;
  readonly password: string;
}

/** `mining.authorize` params: [username, password?]. */
export function parseAuthorizeParams(params: readonly unknown[]): AuthorizeParams {
  const user = params[0];
  const pass = params[1];
  if (typeof user !== 'string' || user.length === 0) {
    throw new StratumError(STRATUM_ERROR.UNAUTHORIZED, `mining.authorize: the username must be a non-empty string "payoutAddress.workerName" (got ${preview(user)})`);
  }
  if (user.length > MAX_USERNAME_CHARS) {
    throw new StratumError(STRATUM_ERROR.UNAUTHORIZED, `mining.authorize: the username is longer than ${MAX_USERNAME_CHARS} characters`);
  }
  if (pass !== undefined && pass !== null && typeof pass !== 'string') {
    throw protocolError(`mining.authorize: the password must be a string (got ${preview(pass)})`);
  }
  return { username: user, password: typeof pass === 'string' ? pass : '' };
}

export interface WorkerName {
  readonly address: string;
  /** The part after the first '.', or '' when there is none. */
  readonly worker: string;
}

/** Splits `payoutAddress.workerName` (addresses never contain '.'). */
export function splitWorkerName(username: string): WorkerName {
  const dot = username.indexOf('.');
  return dot < 0 ? { address: username, worker: '' } : { address: username.slice(0, dot), worker: username.slice(dot + 1) };
}

export interface ConfigureParams {
  readonly extensions: readonly string[];
  readonly options: Readonly<Record<string, unknown>>;
}

/** `mining.configure` params: [[extension...], {options}] (BIP310). */
export function parseConfigureParams(params: readonly unknown[]): ConfigureParams {
  const ext = params[0];
  const opts = params[1] ?? {};
  if (!Array.isArray(ext) || !ext.every((e) => typeof e === 'string' && e.length > 0 && e.length <= 64) || ext.length > 16) {
    throw protocolError(`mining.configure: the first parameter must be a list of extension names (got ${preview(ext)})`);
  }
  if (typeof opts !== 'object' || opts === null || Array.isArray(opts)) {
    throw protocolError(`mining.configure: the second parameter must be an object of options (got ${preview(opts)})`);
  }
  return { extensions: ext as string[], options: opts as Record<string, unknown> };
}

/** A version-rolling mask from configure options: hex string (with or without 0x) to u32. */
export function parseVersionMask(value: unknown): number {
  if (value === undefined) return 0xffffffff;
  if (typeof value !== 'string' || !/^(?:0x)?[0-9a-fA-F]{1,8}$/.test(value)) {
    throw protocolError(`mining.configure: version-rolling.mask must be up to 8 hex digits (got ${preview(value)})`);
  }
  return parseInt(value.replace(/^0x/i, ''), 16) >>> 0;
}

/** A difficulty sent as a JSON number or as a numeric string (cpuminer-opt sends "%f"). */
export function parseDifficultyValue(value: unknown, what = 'difficulty'): number {
  let d: number;
  if (typeof value === 'number') d = value;
  else if (typeof value === 'string' && DECIMAL_RE.test(value)) d = Number(value);
  else throw protocolError(`${what} must be a positive number or numeric string (got ${preview(value)})`);
  if (!Number.isFinite(d) || d <= 0) throw protocolError(`${what} must be a positive finite number (got ${preview(value)})`);
  return d;
}

/** `mining.suggest_difficulty` params: [difficulty]. */
export function parseSuggestDifficultyParams(params: readonly unknown[]): number {
  if (params.length < 1) throw protocolError('mining.suggest_difficulty needs one parameter, the difficulty');
  return parseDifficultyValue(params[0], 'mining.suggest_difficulty: the difficulty');
}

export interface SubmitParams {
  readonly username: string;
  readonly jobId: string;
  /** Lower-case hex. */
  readonly extranonce2: string;
  /** 8 lower-case hex digits. */
  readonly ntime: string;
  /** 8 lower-case hex digits. */
  readonly nonce: string;
  /** 8 lower-case hex digits (zero padded), when the 6th parameter is present. */
  readonly versionBits?: string;
}

/**
 * `mining.submit` params: [user, job_id, extranonce2, ntime, nonce] plus version_bits when
 * version rolling (Bitaxe always sends 6). Hex is checked for shape here; sizes and ranges
 * against the job are the validator's business.
 */
export function parseSubmitParams(params: readonly unknown[]): SubmitParams {
  if (params.length !== 5 && params.length !== 6) {
    throw protocolError(`mining.submit needs 5 or 6 parameters [worker, job_id, extranonce2, ntime, nonce, version_bits?] (got ${params.length})`);
  }
  const [user, jobId, en2, ntime, nonce, vb] = params;
  if (typeof user !== 'string' || user.length === 0 || user.length > MAX_USERNAME_CHARS) {
    throw protocolError(`mining.submit: the worker name must be a non-empty string (got ${preview(user)})`);
  }
  if (typeof jobId !== 'string' || jobId.length === 0 || jobId.length > MAX_JOB_ID_CHARS) {
    throw protocolError(`mining.submit: job_id must be a non-empty string (got ${preview(jobId)})`);
  }
  if (typeof en2 !== 'string' || en2.length === 0 || en2.length > MAX_EXTRANONCE2_BYTES * 2 || !HEX_RE.test(en2)) {
    throw protocolError(`mining.submit: extranonce2 must be even-length hex (got ${preview(en2)})`);
  }
  if (typeof ntime !== 'string' || !HEX8_RE.test(ntime)) {
    throw protocolError(`mining.submit: ntime must be 8 hex digits (got ${preview(ntime)})`);
  }
  if (typeof nonce !== 'string' || !HEX8_RE.test(nonce)) {
    throw protocolError(`mining.submit: nonce must be 8 hex digits (got ${preview(nonce)})`);
  }
  const out: { -readonly [K in keyof SubmitParams]: SubmitParams[K] } = {
    username: user,
    jobId,
    extranonce2: en2.toLowerCase(),
    ntime: ntime.toLowerCase(),
    nonce: nonce.toLowerCase(),
  };
  if (params.length === 6) {
    if (typeof vb !== 'string' || !VERSION_BITS_RE.test(vb)) {
      throw protocolError(`mining.submit: version_bits must be up to 8 hex digits (got ${preview(vb)})`);
    }
    out.versionBits = vb.length === 8 ? vb.toLowerCase() : vb.toLowerCase().padStart(8, '0');
  }
  return out;
}

// ---------------------------------------------------------------------------------------------
// Encoding (each returns one line including its '\n')

function idJson(id: StratumId): string {
  return id === null ? 'null' : typeof id === 'number' ? String(id) : JSON.stringify(id);
}

/** `{"id":..,"result":..,"error":null}` */
export function encodeResult(id: StratumId, result: unknown): string {
  if (result === true) return `{"id":${idJson(id)},"result":true,"error":null}\n`;
  return `{"id":${idJson(id)},"result":${JSON.stringify(result)},"error":null}\n`;
}

/** `{"id":..,"result":null,"error":[code,"message",null]}` */
export function encodeError(id: StratumId, code: number, message: string): string {
  return `{"id":${idJson(id)},"result":null,"error":[${code},${JSON.stringify(message)},null]}\n`;
}

/** A StratumError as an error reply. */
export function encodeStratumError(id: StratumId, err: StratumError): string {
  return encodeError(id, err.stratumCode, err.reason);
}

/** A server-to-client notification: `{"id":null,"method":..,"params":[..]}`. */
export function encodeNotification(method: string, params: readonly unknown[]): string {
  return `{"id":null,"method":${JSON.stringify(method)},"params":${JSON.stringify(params)}}\n`;
}

/** Throws unless the job fields are what minerd accepts (8-hex version/nbits/ntime, 64-hex prevhash). */
export function checkNotifyFields(fields: StratumJobFields): void {
  if (!HEX8_RE.test(fields.version)) throw protocolError(`notify version must be 8 hex digits (got ${preview(fields.version)})`);
  if (!HEX8_RE.test(fields.nbits)) throw protocolError(`notify nbits must be 8 hex digits (got ${preview(fields.nbits)})`);
  if (!HEX8_RE.test(fields.ntime)) throw protocolError(`notify ntime must be 8 hex digits (got ${preview(fields.ntime)})`);
  if (!/^[0-9a-f]{64}$/.test(fields.prevhash)) throw protocolError('notify prevhash must be 64 lower-case hex digits');
  if (!HEX_RE.test(fields.coinb1) || !HEX_RE.test(fields.coinb2)) throw protocolError('notify coinb1/coinb2 must be hex');
  for (const b of fields.merkleBranch) if (!/^[0-9a-f]{64}$/.test(b)) throw protocolError('notify merkle branch hashes must be 64 hex digits');
}

/** The 9 parameters of mining.notify. */
export function notifyParams(jobId: string, fields: StratumJobFields, cleanJobs: boolean): unknown[] {
  return [jobId, fields.prevhash, fields.coinb1, fields.coinb2, fields.merkleBranch, fields.version, fields.nbits, fields.ntime, cleanJobs];
}

export function encodeNotify(jobId: string, fields: StratumJobFields, cleanJobs: boolean): string {
  return encodeNotification('mining.notify', notifyParams(jobId, fields, cleanJobs));
}

export function encodeSetDifficulty(difficulty: number): string {
  return encodeNotification('mining.set_difficulty', [difficulty]);
}

export function encodeSetExtranonce(extranonce1: string, extranonce2Size: number): string {
  return encodeNotification('mining.set_extranonce', [extranonce1, extranonce2Size]);
}

/** client.reconnect [host, port, waitSeconds]; minerd ignores the message when params are missing. */
export function encodeReconnect(host: string, port: number, waitSeconds = 0): string {
  return encodeNotification('client.reconnect', [host, port, waitSeconds]);
}
