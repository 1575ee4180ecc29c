/**
 * Stratum V1 over WebSocket: the browser's connection to an edge's job feed. Same messages as
 * the TCP port (subscribe, authorize, set_difficulty, notify, submit), so shares from a browser
 * go through exactly the validation path an ASIC's shares do.
 *
 * Self-healing: a failed connect, a handshake that gets no answer, a lost session or a
 * `client.reconnect` moves to the next edge of the failover list (EdgeFailover decides where
 * and when: exponential backoff with jitter, capped at 30 s, reset after a healthy session).
 * Each edge remembers its own session id, so reconnecting to the same edge resumes the session.
 * A malformed line from the pool is reported as an event and skipped; a flood of them ends the
 * session like any other failure. Every state change and failover is reported.
 *
 * What the pool's jobs look like is the dialect's (stratum-dialect.ts): SHA-256d's by default,
 * KawPow's (kawpow/kawpow-dialect.ts) on a KawPow pool.
 */
import { EdgeFailover } from './edge-failover.ts';
import type { MinerEvent } from './miner.ts';
import { parsePoolFrame, type PoolError, type PoolFrame } from './pool-message.ts';
import { asPoolMessageError, sha256dDialect, type DialectNotice, type Sha256dJob, type StratumDialect } from './stratum-dialect.ts';

/** A SHA-256d job (the default dialect's). */
export type StratumJob = Sha256dJob;

export type ConnectionState = 'connecting' | 'connected' | 'authorized' | 'reconnecting' | 'stopped';

export type SubmitOutcome =
  | { outcome: 'accepted' }
  /** The pool judged the share and refused it; `error` keeps its code and message. */
  | { outcome: 'rejected'; error: PoolError }
  /** The share never reached a verdict: not connected, the connection dropped, or no reply came. */
  | { outcome: 'unsent'; reason: string };

export interface StratumWsEvents<J = StratumJob> {
  onJob(job: J): void;
  /** New extranonce1 / size (a new session, or mining.set_extranonce). */
  onExtranonce(extranonce1: string, extranonce2Size: number): void;
  /** `detail` is short text for the dashboard, such as "reconnecting in 2.1 s". */
  onState(state: ConnectionState, url: string, detail?: string): void;
  /** Failovers, malformed pool messages and other things the event log shows. */
  onEvent(event: MinerEvent): void;
}

export interface StratumWsDeps<J = StratumJob> {
  /** The pool's dialect (default SHA-256d's; a J other than StratumJob must name its own). */
  readonly dialect?: StratumDialect<J>;
  /** WebSocket constructor (default: the global one). */
  readonly WebSocket?: typeof WebSocket;
  /** Clock in ms (default performance.now). */
  readonly now?: () => number;
  /** Client name sent in mining.subscribe. */
  readonly userAgent?: string;
}

/** A connect that has not opened after this long (ms) counts as failed. */
export const CONNECT_TIMEOUT_MS = 10_000;
/** subscribe / authorize without a reply after this long (ms) fail the session. */
export const HANDSHAKE_TIMEOUT_MS = 10_000;
/** A submitted share without a verdict after this long (ms) is given up as unsent. */
export const SUBMIT_TIMEOUT_MS = 30_000;
/** Malformed lines tolerated per session before it is dropped and the next edge tried. */
export const MAX_MALFORMED_PER_SESSION = 20;

interface Pending {
  resolve(reply: { result: unknown; error: PoolError | null }): void;
  reject(err: Error): void;
  timer: ReturnType<typeof setTimeout>;
}

export class StratumWsClient<J = StratumJob> {
  private ws: WebSocket | undefined;
  private nextId = 1;
  private readonly pending = new Map<number, Pending>();
  /** Session id per edge URL, for mining.subscribe's resume parameter. */
  private readonly sessionIds = new Map<string, string>();
  private stopped = true;
  private authorized = false;
  private malformed = 0;
  private reconnectTimer: ReturnType<typeof setTimeout> | undefined;
  private connectTimer: ReturnType<typeof setTimeout> | undefined;
  private readonly WS: typeof WebSocket;
  private readonly now: () => number;
  private readonly userAgent: string;
  private readonly dialect: StratumDialect<J>;
  extranonce1 = '';
  extranonce2Size = 4;

  constructor(
    private readonly failover: EdgeFailover,
    private readonly user: string,
    private readonly events: StratumWsEvents<J>,
    deps: StratumWsDeps<J> = {},
  ) {
    // Without a dialect J is StratumJob (the default type argument): SHA-256d's reads it.
    this.dialect = deps.dialect ?? (sha256dDialect() as unknown as StratumDialect<J>);
    this.WS = deps.WebSocket ?? globalThis.WebSocket;
    this.now = deps.now ?? (() => performance.now());
    this.userAgent = deps.userAgent ?? 'otedama-web/0.1.0';
  }

  /** The edge in use (or being connected to). */
  get url(): string {
    return this.failover.current;
  }

  /**
   * Identifies the session that jobs come from (edge + extranonce1): work built for one session
   * cannot be submitted in another. A resumed session on the same edge keeps its key.
   */
  get sessionKey(): string {
    return `${this.url} ${this.extranonce1}`;
  }

  start(): void {
    if (!this.stopped) return;
    this.stopped = false;
    this.connect();
  }

  stop(): void {
    if (this.stopped) return;
    this.stopped = true;
    clearTimeout(this.reconnectTimer);
    clearTimeout(this.connectTimer);
    const ws = this.ws;
    this.ws = undefined;
    this.authorized = false;
    if (ws) {
      this.detach(ws);
      if (ws.readyState === ws.CONNECTING || ws.readyState === ws.OPEN) ws.close(1000, 'stopped');
    }
    this.rejectPending('stopped');
    this.events.onState('stopped', this.url);
  }

  /** Submits a share: accepted, rejected with the pool's code and reason, or unsent. */
  submit(jobId: string, extranonce2: string, ntime: string, nonce: string): Promise<SubmitOutcome> {
    return this.submitShare([jobId, extranonce2, ntime, nonce]);
  }

  /** Submits a share as the dialect writes it: mining.submit's params after the worker name. */
  async submitShare(params: readonly unknown[]): Promise<SubmitOutcome> {
    if (!this.authorized) return { outcome: 'unsent', reason: 'not connected' };
    let reply: { result: unknown; error: PoolError | null };
    try {
      reply = await this.request('mining.submit', [this.user, ...params], SUBMIT_TIMEOUT_MS);
    } catch (err) {
      return { outcome: 'unsent', reason: (err as Error).message };
    }
    if (reply.error) return { outcome: 'rejected', error: reply.error };
    if (reply.result === true) return { outcome: 'accepted' };
    return { outcome: 'rejected', error: { code: null, message: `refused without a reason (result ${JSON.stringify(reply.result)})` } };
  }

  private connect(): void {
    if (this.stopped) return;
    const url = this.url;
    this.events.onState('connecting', url);
    let ws: WebSocket;
    try {
      ws = new this.WS(url);
    } catch (err) {
      // A URL the browser refuses outright (blocked port...): same path as a failed connect.
      this.ws = undefined;
      this.scheduleNext(url, `cannot open: ${(err as Error).message}`, false);
      return;
    }
    this.ws = ws;
    this.authorized = false;
    this.malformed = 0;
    ws.binaryType = 'arraybuffer';
    this.connectTimer = setTimeout(() => this.fail(ws, `no answer within ${CONNECT_TIMEOUT_MS / 1000} s`), CONNECT_TIMEOUT_MS);
    ws.onopen = () => {
      clearTimeout(this.connectTimer);
      if (this.ws !== ws) return;
      this.events.onState('connected', url);
      this.handshake(ws, url).then(
        () => {
          if (this.ws !== ws) return;
          this.authorized = true;
          this.failover.sessionUp(this.now());
          this.events.onState('authorized', url);
        },
        (err: Error) => this.fail(ws, err.message),
      );
    };
    ws.onmessage = (ev: MessageEvent) => {
      if (this.ws !== ws) return;
      const text = typeof ev.data === 'string' ? ev.data : new TextDecoder().decode(ev.data as ArrayBuffer);
      for (const line of text.split('\n')) if (line.trim()) this.onLine(ws, line);
    };
    ws.onclose = (ev: CloseEvent) => this.fail(ws, `closed${ev.code ? ` (${ev.code}${ev.reason ? ` ${ev.reason}` : ''})` : ''}`);
    // An error is always followed by close, which carries the story.
    ws.onerror = () => undefined;
  }

  private async handshake(ws: WebSocket, url: string): Promise<void> {
    const resume = this.sessionIds.get(url);
    const sub = await this.request('mining.subscribe', resume ? [this.userAgent, resume] : [this.userAgent], HANDSHAKE_TIMEOUT_MS);
    if (sub.error) throw new Error(`subscribe refused: ${sub.error.message}`);
    let reply: ReturnType<StratumDialect<J>['subscribeReply']>;
    try {
      reply = this.dialect.subscribeReply(sub.result);
    } catch (err) {
      throw asPoolMessageError(err);
    }
    if (this.ws !== ws) return;
    if (reply.sessionId) this.sessionIds.set(url, reply.sessionId);
    this.extranonce1 = reply.extranonce1;
    this.extranonce2Size = reply.extranonce2Size;
    this.events.onExtranonce(this.extranonce1, this.extranonce2Size);
    const auth = await this.request('mining.authorize', [this.user, ''], HANDSHAKE_TIMEOUT_MS);
    if (auth.error || auth.result !== true) throw new Error(`authorization refused: ${auth.error?.message ?? 'no reason given'}`);
  }

  /** The session on `ws` is over (or never started): report it and plan the next attempt. */
  private fail(ws: WebSocket, reason: string): void {
    if (this.ws !== ws) return;
    clearTimeout(this.connectTimer);
    this.detach(ws);
    if (ws.readyState === ws.CONNECTING || ws.readyState === ws.OPEN) ws.close(4000, 'reconnecting');
    const wasUp = this.authorized;
    this.ws = undefined;
    this.authorized = false;
    this.rejectPending('connection lost');
    if (this.stopped) return;
    this.scheduleNext(this.url, reason, wasUp);
  }

  private scheduleNext(from: string, reason: string, wasUp: boolean): void {
    const next = this.failover.sessionDown(this.now());
    const wait = `${(next.delayMs / 1000).toFixed(1)} s`;
    const what = wasUp ? `lost the job connection to ${from}` : `could not connect to ${from}`;
    const plan = next.failover ? `failing over to ${next.url} in ${wait}` : `reconnecting in ${wait}`;
    this.events.onEvent({ level: 'warn', text: `${what} (${reason}); ${plan}` });
    this.events.onState('reconnecting', next.url, `${next.failover ? `failing over to ${next.url}` : 'reconnecting'} in ${wait}: ${reason}`);
    this.reconnectTimer = setTimeout(() => this.connect(), next.delayMs);
  }

  private detach(ws: WebSocket): void {
    ws.onopen = ws.onmessage = ws.onclose = ws.onerror = null;
  }

  private rejectPending(reason: string): void {
    for (const p of this.pending.values()) {
      clearTimeout(p.timer);
      p.reject(new Error(reason));
    }
    this.pending.clear();
  }

  private request(method: string, params: unknown[], timeoutMs: number): Promise<{ result: unknown; error: PoolError | null }> {
    const ws = this.ws;
    if (!ws || ws.readyState !== ws.OPEN) return Promise.reject(new Error('not connected'));
    const id = this.nextId++;
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        this.pending.delete(id);
        reject(new Error(`no reply to ${method} within ${timeoutMs / 1000} s`));
      }, timeoutMs);
      this.pending.set(id, { resolve, reject, timer });
      ws.send(JSON.stringify({ id, method, params }));
    });
  }

  private onLine(ws: WebSocket, line: string): void {
    let msg: PoolFrame;
    let notice: DialectNotice<J> | undefined;
    try {
      msg = parsePoolFrame(line);
      if (msg.kind === 'notification' && msg.method !== 'client.reconnect') notice = this.dialect.notification(msg.method, msg.params);
    } catch (err) {
      this.malformed++;
      this.events.onEvent({ level: 'warn', text: `ignored a malformed message from ${this.url}: ${asPoolMessageError(err).message}` });
      if (this.malformed > MAX_MALFORMED_PER_SESSION) this.fail(ws, `more than ${MAX_MALFORMED_PER_SESSION} malformed messages`);
      return;
    }
    if (msg.kind === 'response') {
      if (typeof msg.id !== 'number') return;
      const p = this.pending.get(msg.id);
      if (!p) return;
      this.pending.delete(msg.id);
      clearTimeout(p.timer);
      p.resolve({ result: msg.result, error: msg.error });
      return;
    }
    if (msg.method === 'client.reconnect') {
      this.fail(ws, 'the pool asked to reconnect');
      return;
    }
    switch (notice?.kind) {
      case 'job':
        this.events.onJob(notice.job);
        return;
      case 'extranonce':
        this.extranonce1 = notice.extranonce1;
        this.extranonce2Size = notice.extranonce2Size;
        this.events.onExtranonce(this.extranonce1, this.extranonce2Size);
        return;
      default:
        return;
    }
  }
}
