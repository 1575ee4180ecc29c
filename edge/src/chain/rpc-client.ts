/**
 * A JSON-RPC client for bitcoind-compatible nodes (bitcoind, ravend, simnet) over HTTP:
 * Basic auth from user/password or a cookie file (re-read when the node answers 401, since
 * bitcoind writes a new cookie on every start), per-call timeouts, and retries with exponential
 * backoff on connection-level failures only. Node errors become RpcError (code, message);
 * anything that is not a JSON-RPC reply becomes RpcTransportError; 401/403 become RpcAuthError.
 */
import { readFile } from 'node:fs/promises';
import { Agent, request as httpRequest, type IncomingMessage } from 'node:http';
import { Agent as HttpsAgent, request as httpsRequest } from 'node:https';
import { RpcAuthError, RpcError, RpcTransportError } from '../errors.ts';
import type { Logger } from '../logger.ts';

/** Default per-call timeout (ms); long-polls pass their own. */
export const DEFAULT_RPC_TIMEOUT_MS = 30_000;
/** Retries after the first attempt on connection errors. */
export const DEFAULT_RPC_RETRIES = 3;
/** First backoff delay (ms); doubles per retry, with jitter. */
export const DEFAULT_RPC_BACKOFF_MS = 250;
/** Largest reply accepted (bytes): a full mainnet template is a few MB of hex. */
export const DEFAULT_MAX_RESPONSE_BYTES = 64 * 1024 * 1024;

export interface RpcClientOptions {
  /** e.g. http://127.0.0.1:8332/ */
  readonly url: string;
  readonly user?: string;
  readonly password?: string;
  /** bitcoind's .cookie file; used when user/password are not given. */
  readonly cookieFile?: string;
  readonly timeoutMs?: number;
  readonly retries?: number;
  readonly backoffMs?: number;
  readonly maxResponseBytes?: number;
  readonly logger: Logger;
}

export interface CallOptions {
  readonly timeoutMs?: number;
  /** Retries on connection errors (default from the client). */
  readonly retries?: number;
  readonly signal?: AbortSignal;
}

/** What template sources need from a client (tests substitute fakes). */
export interface JsonRpcCaller {
  call<T = unknown>(method: string, params?: readonly unknown[], options?: CallOptions): Promise<T>;
}

const RETRYABLE_CODES = new Set(['ECONNREFUSED', 'ECONNRESET', 'EPIPE', 'ETIMEDOUT', 'EHOSTUNREACH', 'ENETUNREACH', 'EAI_AGAIN', 'ECONNABORTED']);

function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal?.aborted) return reject(signal.reason);
    const t = setTimeout(() => {
      signal?.removeEventListener('abort', onAbort);
      resolve();
    }, ms);
    const onAbort = () => {
      clearTimeout(t);
      reject(signal!.reason);
    };
    signal?.addEventListener('abort', onAbort, { once: true });
  });
}

function snippet(text: string): string {
  const s = text.replace(/\s+/g, ' ').trim();
  return JSON.stringify(s.length > 80 ? `${s.slice(0, 80)}…` : s);
}

export class RpcClient implements JsonRpcCaller {
  private readonly url: URL;
  private readonly agent: Agent;
  private readonly log: Logger;
  private cookie: string | undefined;
  private nextId = 1;

  constructor(private readonly options: RpcClientOptions) {
    let url: URL;
    try {
      url = new URL(options.url);
    } catch {
      throw new RpcTransportError(`RPC URL ${JSON.stringify(options.url)} is not a URL (expected http://host:port/)`, false);
    }
    if (url.protocol !== 'http:' && url.protocol !== 'https:') {
      throw new RpcTransportError(`RPC URL ${options.url} must be http:// or https://`, false);
    }
    this.url = url;
    this.agent = url.protocol === 'https:' ? new HttpsAgent({ keepAlive: true }) : new Agent({ keepAlive: true });
    this.log = options.logger.forComponent('edge:rpc');
  }

  /** Where calls go, without credentials (for logs). */
  get endpoint(): string {
    return `${this.url.protocol}//${this.url.host}${this.url.pathname}`;
  }

  /** Calls `method`; retries connection failures with backoff; throws typed errors. */
  async call<T = unknown>(method: string, params: readonly unknown[] = [], options: CallOptions = {}): Promise<T> {
    const retries = options.retries ?? this.options.retries ?? DEFAULT_RPC_RETRIES;
    const base = this.options.backoffMs ?? DEFAULT_RPC_BACKOFF_MS;
    let reauthed = false;
    for (let attempt = 0; ; attempt++) {
      try {
        return (await this.once(method, params, options)) as T;
      } catch (err) {
        if (err instanceof RpcAuthError && !reauthed && this.usesCookie()) {
          // bitcoind writes a fresh cookie on every start: read it again once.
          reauthed = true;
          this.cookie = undefined;
          attempt--;
          continue;
        }
        const retryable = err instanceof RpcTransportError && err.retryable && !options.signal?.aborted;
        if (!retryable || attempt >= retries) throw err;
        const delay = base * 2 ** attempt * (0.75 + Math.random() * 0.5);
        this.log.debug('rpc retry', { method, attempt: attempt + 1, delayMs: Math.round(delay), error: (err as Error).message });
        await sleep(delay, options.signal);
      }
    }
  }

  /** Releases pooled connections. Idempotent. */
  close(): void {
    this.agent.destroy();
  }

  private usesCookie(): boolean {
    return !(this.options.user && this.options.password !== undefined) && this.options.cookieFile !== undefined;
  }

  private async authHeader(): Promise<string | undefined> {
    const { user, password, cookieFile } = this.options;
    if (user && password !== undefined) return 'Basic ' + Buffer.from(`${user}:${password}`).toString('base64');
    if (this.url.username) return 'Basic ' + Buffer.from(`${decodeURIComponent(this.url.username)}:${decodeURIComponent(this.url.password)}`).toString('base64');
    if (!cookieFile) return undefined;
    if (this.cookie === undefined) {
      try {
        this.cookie = (await readFile(cookieFile, 'utf8')).trim();
      } catch (err) {
        throw new RpcTransportError(`cannot read the RPC cookie file ${cookieFile}: ${(err as Error).message} (is the node running?)`, true, { cause: err });
      }
      if (!this.cookie.includes(':')) throw new RpcAuthError(`the RPC cookie file ${cookieFile} does not hold user:password`);
    }
    return 'Basic ' + Buffer.from(this.cookie).toString('base64');
  }

  private async once(method: string, params: readonly unknown[], options: CallOptions): Promise<unknown> {
    const id = this.nextId++;
    const body = JSON.stringify({ jsonrpc: '1.0', id, method, params });
    const auth = await this.authHeader();
    const timeoutMs = options.timeoutMs ?? this.options.timeoutMs ?? DEFAULT_RPC_TIMEOUT_MS;
    const maxBytes = this.options.maxResponseBytes ?? DEFAULT_MAX_RESPONSE_BYTES;
    const { status, text } = await new Promise<{ status: number; text: string }>((resolve, reject) => {
      const send = this.url.protocol === 'https:' ? httpsRequest : httpRequest;
      // Settle first, then tear the socket down, so the typed reason wins over socket errors.
      const fail = (err: RpcTransportError) => {
        reject(err);
        req.destroy();
      };
      const req = send(
        {
          protocol: this.url.protocol,
          hostname: this.url.hostname,
          port: this.url.port,
          path: this.url.pathname + this.url.search,
          method: 'POST',
          agent: this.agent,
          headers: {
            'Content-Type': 'application/json',
            'Content-Length': Buffer.byteLength(body),
            ...(auth ? { Authorization: auth } : {}),
          },
        },
        (res: IncomingMessage) => {
          const chunks: Buffer[] = [];
          let size = 0;
          res.on('data', (c: Buffer) => {
            size += c.length;
            if (size > maxBytes) {
              fail(new RpcTransportError(`${method}: reply from ${this.endpoint} is larger than ${maxBytes} bytes`, false));
              return;
            }
            chunks.push(c);
          });
          const cut = () => new RpcTransportError(`${method}: ${this.endpoint} closed the connection mid-reply`, true);
          res.on('end', () => resolve({ status: res.statusCode ?? 0, text: Buffer.concat(chunks).toString('utf8') }));
          res.on('error', () => reject(cut()));
          res.on('close', () => {
            if (!res.complete) reject(cut());
          });
        },
      );
      const timer = setTimeout(() => fail(new RpcTransportError(`${method}: no reply from ${this.endpoint} within ${timeoutMs} ms`, true)), timeoutMs);
      const onAbort = () => fail(new RpcTransportError(`${method}: cancelled`, false));
      options.signal?.addEventListener('abort', onAbort, { once: true });
      req.on('close', () => {
        clearTimeout(timer);
        options.signal?.removeEventListener('abort', onAbort);
      });
      req.on('error', (err: NodeJS.ErrnoException) => {
        const retryable = RETRYABLE_CODES.has(err.code ?? '') || /socket hang up/i.test(err.message);
        reject(new RpcTransportError(`${method}: cannot reach ${this.endpoint}: ${err.code ?? err.message}`, retryable, { cause: err }));
      });
      if (options.signal?.aborted) onAbort();
      req.end(body);
    });
    if (status === 401 || status === 403) {
      throw new RpcAuthError(`${this.endpoint} refused the credentials (HTTP ${status}): check chain.rpcUser/rpcPassword or the cookie file`);
    }
    let reply: unknown;
    try {
      reply = JSON.parse(text);
    } catch {
      throw new RpcTransportError(`${method}: ${this.endpoint} answered HTTP ${status} with a body that is not JSON: ${snippet(text)}`, status >= 500 && status !== 500);
    }
    if (typeof reply !== 'object' || reply === null || Array.isArray(reply) || !('result' in reply || 'error' in reply)) {
      throw new RpcTransportError(`${method}: ${this.endpoint} answered HTTP ${status} with JSON that is not a JSON-RPC reply: ${snippet(text)}`, false);
    }
    const r = reply as { result?: unknown; error?: unknown; id?: unknown };
    if (r.error !== undefined && r.error !== null) {
      const e = r.error as { code?: unknown; message?: unknown };
      const code = typeof e.code === 'number' ? e.code : -1;
      const message = typeof e.message === 'string' ? e.message : JSON.stringify(r.error);
      throw new RpcError(code, message, method);
    }
    if (r.id !== undefined && r.id !== null && r.id !== id) {
      throw new RpcTransportError(`${method}: reply id ${JSON.stringify(r.id)} does not match request id ${id}`, false);
    }
    if (status < 200 || status >= 300) {
      throw new RpcTransportError(`${method}: ${this.endpoint} answered HTTP ${status} without an error object`, false);
    }
    return r.result === undefined ? null : r.result;
  }
}
