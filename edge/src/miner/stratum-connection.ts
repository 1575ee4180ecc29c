/**
 * The client side of a Stratum V1 connection, whatever the dialect: dialing (TCP or TLS), line
 * framing, requests and their replies, reconnecting with backoff, `client.reconnect`, the
 * requests every pool may send (`mining.ping`, `client.get_version`, `client.show_message`,
 * unknown ones), subscribe (with the previous session id first) and authorize. A dialect
 * (stratum-client.ts for SHA-256d, stratum-client-kawpow.ts for KawPow) adds what differs: the
 * subscribe result, the job messages and the submit parameters.
 *
 * Replies are matched by id; replies with an id we never sent are matched to the oldest
 * outstanding submit (pools that answer in order with their own ids). Malformed lines from the
 * pool are logged and skipped; they never crash the miner.
 */
import { connect as netConnect, isIP, type Socket } from 'node:net';
import { connect as tlsConnect } from 'node:tls';
import { StratumClientError } from '../errors.ts';
import type { Logger } from '../logger.ts';
import { formatPoolUrl, type PoolUrl } from './pool-url.ts';

export const OTEDAMA_USER_AGENT = 'otedama/0.1.0';
/** Longest line accepted from a pool; a notify with a long merkle branch is a few KiB. */
export const MAX_SERVER_LINE_BYTES = 1 << 20;
/** Seconds without any line from the pool before the connection is considered dead (minerd: 120). */
export const DEFAULT_IDLE_TIMEOUT_S = 150;
/** Seconds to wait for the TCP/TLS connection. */
export const CONNECT_TIMEOUT_S = 15;
/** Seconds to wait for a submit result before counting the share as lost. */
export const SUBMIT_TIMEOUT_S = 60;
/** Reconnect backoff: first delay and cap, in milliseconds. */
export const DEFAULT_BACKOFF_INITIAL_MS = 1000;
export const DEFAULT_BACKOFF_MAX_MS = 60_000;
/** Longest wait honoured from client.reconnect's third parameter, in seconds. */
export const MAX_RECONNECT_WAIT_S = 300;

export type JsonRpcId = number | string | null;

export interface StratumErrorInfo {
  readonly code: number | null;
  readonly message: string;
}

export type StratumServerMessage =
  | { readonly kind: 'response'; readonly id: JsonRpcId; readonly result: unknown; readonly error: StratumErrorInfo | null }
  | { readonly kind: 'request'; readonly id: JsonRpcId; readonly method: string; readonly params: readonly unknown[] };

export type StratumResponseMessage = Extract<StratumServerMessage, { kind: 'response' }>;
export type StratumRequestMessage = Extract<StratumServerMessage, { kind: 'request' }>;

export interface ShareResult {
  readonly accepted: boolean;
  /** The pool's reject reason, or why the share never got a verdict. */
  readonly reason?: string;
  /** True when the share never got a verdict (connection lost, timeout, not connected). */
  readonly lost?: boolean;
}

export type StratumClientState = 'idle' | 'connecting' | 'subscribing' | 'authorizing' | 'ready' | 'waiting' | 'stopped';

export interface StratumClientStatus {
  readonly pool: string;
  readonly state: StratumClientState;
  readonly user: string;
  readonly difficulty: number | null;
  readonly pendingDifficulty: number | null;
  readonly jobId: string | null;
  /** SHA-256d: extranonce1; KawPow: the nonce prefix. */
  readonly extranonce1: string | null;
  readonly extranonce2Size: number | null;
  readonly versionMask: string | null;
  readonly sessionId: string | null;
  readonly accepted: number;
  readonly rejected: number;
  readonly lost: number;
  readonly connections: number;
  readonly malformedLines: number;
  readonly lastError: string | null;
}

/** The dialect's part of the status. */
export type DialectStatus = Pick<StratumClientStatus, 'difficulty' | 'pendingDifficulty' | 'extranonce1' | 'extranonce2Size' | 'versionMask'>;

// ---------------------------------------------------------------------------------------------
// Parsing (pure; exported for tests)

export function fail(reason: string): never {
  throw new StratumClientError(reason);
}

/** Turns the many error shapes pools send ([code, msg, data], {code, message}, "msg") into one. */
export function normalizeStratumError(error: unknown): StratumErrorInfo | null {
  if (error === null || error === undefined || error === false) return null;
  if (Array.isArray(error)) {
    const code = typeof error[0] === 'number' ? error[0] : null;
    const message = typeof error[1] === 'string' ? error[1] : JSON.stringify(error);
    return { code, message };
  }
  if (typeof error === 'object') {
    const e = error as { code?: unknown; message?: unknown };
    return { code: typeof e.code === 'number' ? e.code : null, message: typeof e.message === 'string' ? e.message : JSON.stringify(error) };
  }
  return { code: null, message: String(error) };
}

/** Parses one line from a pool; throws StratumClientError naming what is wrong. */
export function parseServerLine(line: string): StratumServerMessage {
  let value: unknown;
  try {
    value = JSON.parse(line);
  } catch {
    fail(`not JSON: ${JSON.stringify(line.slice(0, 60))}`);
  }
  if (value === null || typeof value !== 'object' || Array.isArray(value)) fail('not a JSON object');
  const msg = value as Record<string, unknown>;
  const rawId = msg.id === undefined ? null : msg.id;
  if (rawId !== null && typeof rawId !== 'number' && typeof rawId !== 'string') fail('"id" must be a number, a string or null');
  const id = rawId as JsonRpcId;
  if ('method' in msg && msg.method !== undefined && msg.method !== null) {
    if (typeof msg.method !== 'string' || msg.method === '') fail('"method" must be a non-empty string');
    const params = msg.params === undefined || msg.params === null ? [] : msg.params;
    if (!Array.isArray(params)) fail(`"params" of ${msg.method} must be an array`);
    return { kind: 'request', id, method: msg.method, params };
  }
  if ('result' in msg || 'error' in msg) {
    const error = normalizeStratumError(msg.error) ?? (typeof msg['reject-reason'] === 'string' && msg.result !== true ? { code: null, message: msg['reject-reason'] } : null);
    return { kind: 'response', id, result: msg.result ?? null, error };
  }
  fail('neither a request (no "method") nor a response (no "result" or "error")');
}

/** `client.reconnect` [host, port, wait]; every param is optional (none: reconnect to the same pool). */
export function parseReconnectParams(params: readonly unknown[]): { host?: string; port?: number; waitSeconds: number } {
  const [host, port, wait] = params;
  const out: { host?: string; port?: number; waitSeconds: number } = { waitSeconds: 0 };
  if (host !== undefined && host !== null && host !== '') {
    if (typeof host !== 'string' || !/^[A-Za-z0-9.\-:[\]]{1,253}$/.test(host)) fail('client.reconnect host is not a host name');
    out.host = host.replace(/^\[(.*)\]$/, '$1');
  }
  if (port !== undefined && port !== null && port !== '') {
    const p = typeof port === 'number' ? port : Number(port);
    if (!Number.isInteger(p) || p < 1 || p > 65535) fail(`client.reconnect port must be 1..65535, got ${JSON.stringify(port)}`);
    out.port = p;
  }
  if (wait !== undefined && wait !== null && wait !== '') {
    const w = typeof wait === 'number' ? wait : Number(wait);
    if (!Number.isFinite(w) || w < 0) fail(`client.reconnect wait must be a non-negative number of seconds, got ${JSON.stringify(wait)}`);
    out.waitSeconds = Math.min(w, MAX_RECONNECT_WAIT_S);
  }
  return out;
}

// ---------------------------------------------------------------------------------------------
// The connection

export interface StratumConnectionOptions {
  readonly pool: PoolUrl;
  /** `payoutAddress.workerName`. */
  readonly user: string;
  readonly password: string;
  readonly userAgent?: string;
  /** Accept TLS certificates that do not verify (self-signed pools). */
  readonly tlsInsecure?: boolean;
  readonly idleTimeoutSeconds?: number;
  readonly backoffInitialMs?: number;
  readonly backoffMaxMs?: number;
}

export interface StratumConnectionEvents<J, S> {
  /** A job to mine; `restart` means drop the current work now (clean_jobs, new extranonce). */
  job: (job: J, restart: boolean) => void;
  state: (state: StratumClientState) => void;
  share: (submission: S, result: ShareResult) => void;
  /** The pool refused the session for good (authorization failed): the client has stopped. */
  fatal: (error: StratumClientError) => void;
}

interface PendingRequest {
  readonly method: string;
  readonly onReply: (msg: StratumResponseMessage) => void;
  readonly onLost: (reason: string) => void;
  readonly timer?: ReturnType<typeof setTimeout>;
}

/** What every dialect's subscribe result carries. */
export interface SubscribedSession {
  readonly sessionId: string | null;
}

/** What every job carries. */
export interface ConnectionJob {
  readonly jobId: string;
  /** Increments on every connection; jobs of an older connection are stale. */
  readonly connectionId: number;
}

export abstract class StratumConnection<J extends ConnectionJob, S> {
  protected readonly log: Logger;
  protected readonly userAgent: string;
  private readonly listeners: { [K in keyof StratumConnectionEvents<J, S>]: Set<StratumConnectionEvents<J, S>[K]> } = {
    job: new Set(),
    state: new Set(),
    share: new Set(),
    fatal: new Set(),
  };
  private target: PoolUrl;
  private socket: Socket | null = null;
  private _state: StratumClientState = 'idle';
  protected connectionId = 0;
  private nextId = 1;
  private readonly pending = new Map<number, PendingRequest>();
  private readonly submitOrder: number[] = [];
  protected sessionId: string | null = null;
  protected lastJob: J | null = null;
  private redirect: { pool: PoolUrl; waitMs: number } | null = null;
  private backoffMs: number;
  private stopped = false;
  private running: Promise<void> | null = null;
  private wake: (() => void) | null = null;
  private counters = { accepted: 0, rejected: 0, lost: 0, connections: 0, malformedLines: 0 };
  private lastError: string | null = null;

  constructor(
    protected readonly options: StratumConnectionOptions,
    logger: Logger,
  ) {
    this.log = logger.forComponent('miner:stratum');
    this.userAgent = options.userAgent ?? OTEDAMA_USER_AGENT;
    this.target = options.pool;
    this.backoffMs = options.backoffInitialMs ?? DEFAULT_BACKOFF_INITIAL_MS;
  }

  // -- the dialect's part ---------------------------------------------------------------------

  /** Starts the dialogue on a fresh connection (configure, subscribe, ...). */
  protected abstract handshake(connectionId: number, onReady: () => void): void;
  /** Handles a pool request of the dialect; false when the method is not the dialect's. Throws on bad params. */
  protected abstract handleDialectRequest(msg: StratumRequestMessage, connectionId: number): boolean;
  protected abstract dialectStatus(): DialectStatus;

  // -- public ---------------------------------------------------------------------------------

  on<K extends keyof StratumConnectionEvents<J, S>>(event: K, listener: StratumConnectionEvents<J, S>[K]): () => void {
    this.listeners[event].add(listener);
    return () => this.listeners[event].delete(listener);
  }

  protected emit<K extends keyof StratumConnectionEvents<J, S>>(event: K, ...args: Parameters<StratumConnectionEvents<J, S>[K]>): void {
    for (const l of this.listeners[event]) {
      try {
        (l as (...a: unknown[]) => void)(...args);
      } catch (err) {
        this.log.error(`${event} listener failed`, { error: (err as Error).message });
      }
    }
  }

  get state(): StratumClientState {
    return this._state;
  }

  /** The job the pool sent last (null before the first notify or after a disconnect). */
  get currentJob(): J | null {
    return this.lastJob;
  }

  protected setState(state: StratumClientState): void {
    if (this._state === state) return;
    this._state = state;
    this.emit('state', state);
  }

  /** Starts connecting (and reconnecting) in the background. */
  start(): void {
    if (this.running || this.stopped) return;
    this.running = this.loop();
  }

  /** Closes the connection and stops reconnecting. Idempotent. */
  async stop(): Promise<void> {
    this.stopped = true;
    this.wake?.();
    this.socket?.destroy();
    await this.running;
    this.setState('stopped');
  }

  status(): StratumClientStatus {
    return {
      pool: formatPoolUrl(this.target),
      state: this._state,
      user: this.options.user,
      ...this.dialectStatus(),
      jobId: this.lastJob?.jobId ?? null,
      sessionId: this.sessionId,
      ...this.counters,
      lastError: this.lastError,
    };
  }

  /** Sends a `mining.submit` with these params; resolves with the pool's verdict (never rejects). */
  protected submitParams(params: unknown[], share: S): Promise<ShareResult> {
    const done = (result: ShareResult): ShareResult => {
      if (result.lost) this.counters.lost++;
      else if (result.accepted) this.counters.accepted++;
      else this.counters.rejected++;
      this.emit('share', share, result);
      return result;
    };
    if (this._state !== 'ready' || !this.socket) return Promise.resolve(done({ accepted: false, lost: true, reason: 'not connected to the pool' }));
    return new Promise((resolve) => {
      const id = this.request('mining.submit', params, {
        timeoutS: SUBMIT_TIMEOUT_S,
        onReply: (msg) => {
          const accepted = msg.result === true && msg.error === null;
          resolve(done(accepted ? { accepted } : { accepted, reason: msg.error?.message ?? `pool answered ${JSON.stringify(msg.result)}` }));
        },
        onLost: (reason) => resolve(done({ accepted: false, lost: true, reason })),
      });
      this.submitOrder.push(id);
    });
  }

  // -- connection loop ------------------------------------------------------------------------

  private async loop(): Promise<void> {
    while (!this.stopped) {
      let reachedReady = false;
      try {
        reachedReady = await this.session();
      } catch (err) {
        this.lastError = (err as Error).message;
        this.log.warn('pool connection failed', { pool: formatPoolUrl(this.target), error: (err as Error).message });
      }
      if (this.stopped) break;
      let waitMs: number;
      if (this.redirect) {
        this.log.info('pool asked us to reconnect', { to: formatPoolUrl(this.redirect.pool), waitSeconds: this.redirect.waitMs / 1000 });
        if (this.redirect.pool.host !== this.target.host || this.redirect.pool.port !== this.target.port) this.sessionId = null;
        this.target = this.redirect.pool;
        waitMs = this.redirect.waitMs;
        this.redirect = null;
      } else {
        if (reachedReady) this.backoffMs = this.options.backoffInitialMs ?? DEFAULT_BACKOFF_INITIAL_MS;
        // ±20% jitter so a pool restart is not met by every miner at the same millisecond.
        waitMs = Math.round(this.backoffMs * (0.8 + Math.random() * 0.4));
        this.backoffMs = Math.min(this.backoffMs * 2, this.options.backoffMaxMs ?? DEFAULT_BACKOFF_MAX_MS);
        this.log.info('reconnecting', { pool: formatPoolUrl(this.target), inSeconds: Math.round(waitMs / 100) / 10 });
      }
      this.setState('waiting');
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, waitMs);
        this.wake = () => {
          clearTimeout(timer);
          resolve();
        };
      });
      this.wake = null;
    }
    this.setState('stopped');
  }

  /** One connection, from dial to close. Resolves with whether it got as far as authorized. */
  private session(): Promise<boolean> {
    const pool = this.target;
    const connectionId = ++this.connectionId;
    this.counters.connections++;
    this.setState('connecting');
    return new Promise<boolean>((resolve, reject) => {
      let reachedReady = false;
      let opened = false;
      const socket = pool.tls
        ? tlsConnect({ host: pool.host, port: pool.port, servername: isIP(pool.host) ? undefined : pool.host, rejectUnauthorized: !this.options.tlsInsecure })
        : netConnect({ host: pool.host, port: pool.port });
      this.socket = socket;
      socket.setNoDelay(true);
      socket.setKeepAlive(true, 60_000);
      const connectTimer = setTimeout(() => socket.destroy(new StratumClientError(`no connection to ${formatPoolUrl(pool)} after ${CONNECT_TIMEOUT_S} s`)), CONNECT_TIMEOUT_S * 1000);
      let buffer = '';
      let closeError: Error | null = null;
      socket.setEncoding('utf8');
      socket.once(pool.tls ? 'secureConnect' : 'connect', () => {
        opened = true;
        clearTimeout(connectTimer);
        socket.setTimeout((this.options.idleTimeoutSeconds ?? DEFAULT_IDLE_TIMEOUT_S) * 1000);
        this.log.info('connected', { pool: formatPoolUrl(pool) });
        this.handshake(connectionId, () => {
          reachedReady = true;
        });
      });
      socket.on('timeout', () => {
        socket.destroy(new StratumClientError(`no data from the pool for ${this.options.idleTimeoutSeconds ?? DEFAULT_IDLE_TIMEOUT_S} s`));
      });
      socket.on('data', (chunk: string) => {
        buffer += chunk;
        let nl: number;
        while ((nl = buffer.indexOf('\n')) >= 0) {
          const line = buffer.slice(0, nl).replace(/\r$/, '');
          buffer = buffer.slice(nl + 1);
          if (line.trim() === '') continue;
          this.handleLine(line, connectionId);
          if (socket.destroyed) return;
        }
        if (buffer.length > MAX_SERVER_LINE_BYTES) {
          socket.destroy(new StratumClientError(`pool sent a line longer than ${MAX_SERVER_LINE_BYTES} bytes`));
        }
      });
      socket.on('error', (err) => {
        closeError = err;
      });
      socket.on('close', () => {
        clearTimeout(connectTimer);
        if (this.socket === socket) this.socket = null;
        this.failPending(closeError ? `connection lost: ${closeError.message}` : 'connection closed');
        this.lastJob = null;
        if (closeError) this.lastError = closeError.message;
        if (!this.stopped && opened) this.log.warn('disconnected from pool', { pool: formatPoolUrl(pool), ...(closeError ? { error: closeError.message } : {}) });
        if (!opened && closeError && !this.stopped) reject(closeError);
        else resolve(reachedReady);
      });
    });
  }

  /** Closes the current connection with an error (the loop reconnects). */
  protected dropConnection(error?: Error): void {
    this.socket?.destroy(error);
  }

  /**
   * `mining.subscribe` [userAgent(, previous session id)], retried with fewer params when the
   * pool refuses, then `apply` (which says whether the pool resumed the previous session) and
   * `mining.authorize`.
   */
  protected subscribe<T extends SubscribedSession>(
    connectionId: number,
    onReady: () => void,
    parse: (result: unknown) => T,
    apply: (sub: T) => boolean,
    describe: (sub: T) => Record<string, unknown>,
  ): void {
    this.setState('subscribing');
    const attempts: string[][] = this.sessionId ? [[this.userAgent, this.sessionId], [this.userAgent], []] : [[this.userAgent], []];
    const attempt = (i: number) => {
      this.request('mining.subscribe', attempts[i]!, {
        onReply: (msg) => {
          if (connectionId !== this.connectionId) return;
          let sub: T | null = null;
          let why = msg.error?.message ?? 'null result';
          if (!msg.error && msg.result !== null) {
            try {
              sub = parse(msg.result);
            } catch (err) {
              why = (err as { reason?: string }).reason ?? (err as Error).message;
            }
          }
          if (!sub) {
            if (i + 1 < attempts.length) {
              this.log.warn('subscribe refused; retrying', { reason: why, params: attempts[i + 1] });
              attempt(i + 1);
            } else {
              this.socket?.destroy(new StratumClientError(`pool refused mining.subscribe: ${why}`));
            }
            return;
          }
          const resumed = apply(sub);
          this.sessionId = sub.sessionId;
          this.log.info(resumed ? 'session resumed' : 'subscribed', { ...describe(sub), session: sub.sessionId });
          this.authorize(connectionId, onReady);
        },
        onLost: () => {},
      });
    };
    attempt(0);
  }

  private authorize(connectionId: number, onReady: () => void): void {
    this.setState('authorizing');
    this.request('mining.authorize', [this.options.user, this.options.password], {
      onReply: (msg) => {
        if (connectionId !== this.connectionId) return;
        if (msg.result === true || (msg.result !== false && msg.result !== null && msg.error === null)) {
          onReady();
          this.setState('ready');
          this.log.info('authorized', { user: this.options.user });
          if (this.lastJob) this.emit('job', this.lastJob, true);
          return;
        }
        const reason = msg.error?.message ?? 'the pool answered false';
        const err = new StratumClientError(`pool refused authorization of "${this.options.user}": ${reason}`);
        this.lastError = err.reason;
        this.stopped = true;
        this.socket?.destroy();
        this.emit('fatal', err);
      },
      onLost: () => {},
    });
  }

  protected request(method: string, params: unknown[], handlers: { onReply: PendingRequest['onReply']; onLost: PendingRequest['onLost']; timeoutS?: number }): number {
    const id = this.nextId++;
    const timer = handlers.timeoutS
      ? setTimeout(() => {
          if (!this.pending.has(id)) return;
          this.dropPending(id);
          handlers.onLost(`no reply to ${method} after ${handlers.timeoutS} s`);
        }, handlers.timeoutS * 1000)
      : undefined;
    timer?.unref?.();
    this.pending.set(id, { method, onReply: handlers.onReply, onLost: handlers.onLost, ...(timer ? { timer } : {}) });
    this.send({ id, method, params });
    return id;
  }

  private dropPending(id: number): PendingRequest | undefined {
    const p = this.pending.get(id);
    if (!p) return undefined;
    this.pending.delete(id);
    if (p.timer) clearTimeout(p.timer);
    const i = this.submitOrder.indexOf(id);
    if (i >= 0) this.submitOrder.splice(i, 1);
    return p;
  }

  private failPending(reason: string): void {
    for (const id of [...this.pending.keys()]) this.dropPending(id)?.onLost(reason);
  }

  private send(msg: unknown): void {
    if (!this.socket || this.socket.destroyed) return;
    this.socket.write(JSON.stringify(msg) + '\n');
  }

  // -- incoming -------------------------------------------------------------------------------

  private handleLine(line: string, connectionId: number): void {
    if (connectionId !== this.connectionId) return;
    let msg: StratumServerMessage;
    try {
      msg = parseServerLine(line);
    } catch (err) {
      this.counters.malformedLines++;
      this.log.warn('ignored a malformed line from the pool', { reason: (err as Error).message });
      return;
    }
    if (msg.kind === 'response') this.handleResponse(msg);
    else this.handleRequest(msg, connectionId);
  }

  private handleResponse(msg: StratumResponseMessage): void {
    const numericId = typeof msg.id === 'number' ? msg.id : typeof msg.id === 'string' && /^\d+$/.test(msg.id) ? Number(msg.id) : null;
    let id = numericId !== null && this.pending.has(numericId) ? numericId : null;
    // A pool that answers in order with ids of its own: the oldest submit is the one answered.
    if (id === null && msg.id !== null && this.submitOrder.length > 0) id = this.submitOrder[0]!;
    const p = id === null ? undefined : this.dropPending(id);
    if (!p) {
      if (msg.error) this.log.warn('pool error', { code: msg.error.code, message: msg.error.message });
      else this.log.debug('reply to no request of ours', { id: msg.id });
      return;
    }
    p.onReply(msg);
  }

  protected reply(id: JsonRpcId, result: unknown, error: [number, string, null] | null = null): void {
    if (id === null) return;
    this.send({ id, result, error });
  }

  private handleRequest(msg: StratumRequestMessage, connectionId: number): void {
    try {
      if (this.handleDialectRequest(msg, connectionId)) return;
      switch (msg.method) {
        case 'client.reconnect': {
          const r = parseReconnectParams(msg.params);
          this.redirect = { pool: { tls: this.target.tls, host: r.host ?? this.target.host, port: r.port ?? this.target.port }, waitMs: r.waitSeconds * 1000 };
          this.socket?.destroy();
          return;
        }
        case 'mining.ping':
          return this.reply(msg.id, 'pong');
        case 'client.get_version':
          return this.reply(msg.id, this.userAgent);
        case 'client.show_message':
          this.log.info('message from the pool', { message: String(msg.params[0] ?? '').slice(0, 500) });
          return this.reply(msg.id, true);
        default:
          this.log.debug('ignored unknown pool request', { method: msg.method });
          return this.reply(msg.id, null, [20, `unknown method "${msg.method.slice(0, 64)}"`, null]);
      }
    } catch (err) {
      this.counters.malformedLines++;
      const reason = (err as { reason?: string }).reason ?? (err as Error).message;
      this.log.warn(`ignored a malformed ${msg.method}`, { reason });
      if (msg.method !== 'mining.notify') this.reply(msg.id, null, [20, reason, null]);
    }
  }
}
