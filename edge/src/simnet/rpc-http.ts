/**
 * The HTTP/1.1 server under simnet's JSON-RPC: as lenient as bitcoind's (libevent's evhttp) about
 * what it reads, strict about how much and how long. Pool software talks to bitcoind with
 * hand-written requests (ckpool ends its header lines with a bare LF), which node:http refuses,
 * so simnet frames requests itself:
 *
 *  - header lines end in CRLF or a bare LF; obsolete line folding is joined; leading empty lines
 *    before a request line are skipped (RFC 9112 section 2.2);
 *  - bodies by Content-Length or chunked transfer coding (both at once is refused: that is how
 *    requests are smuggled); `Expect: 100-continue` is answered;
 *  - keep-alive for HTTP/1.1 (unless `Connection: close`), requests on one connection answered in
 *    order, HTTP/1.0 closes unless it asks for keep-alive;
 *  - bounded: the request head (MAX_HEADER_BYTES), the body (maxBodyBytes), the time a request may
 *    take to arrive from its first byte (a slow client cannot hold a connection by trickling
 *    bytes: the deadline is not moved by data), the idle time between requests, the number of
 *    connections, and unread replies (a client that does not read is not sent more);
 *  - garbage gets 400, an oversized head or body 413, a timed-out request 408, an unsupported
 *    HTTP version 505, each with `Connection: close`; nothing a client sends throws.
 *
 * The handler gets the parsed request and a promise that settles when the client goes away
 * (long-polls end early on it) and returns the reply.
 */
import { createServer, type Server, type Socket } from 'node:net';
import { SimnetError } from '../errors.ts';
import type { Logger } from '../logger.ts';

/** Largest request head (request line and headers), bytes; libevent's limit in bitcoind is 8 KiB. */
export const MAX_HEADER_BYTES = 8 * 1024;
/** Time a request may take from its first byte to its last (ms); bitcoind's -rpcservertimeout is 30 s. */
export const DEFAULT_REQUEST_TIMEOUT_MS = 30_000;
/** Time a kept-alive connection may sit idle between requests (ms). */
export const DEFAULT_IDLE_TIMEOUT_MS = 30_000;
/**
 * Connections served at once; more are refused at accept. Pool software needs a handful (ckpool
 * and NOMP open one per call, an edge keeps a few alive plus a long-poll), and with at most a head
 * and a body buffered each this bounds what the RPC can be made to hold (64 x 4 MiB).
 */
export const DEFAULT_MAX_CONNECTIONS = 64;
/** Reply bytes a client may leave unread before the next request on its connection waits. */
export const MAX_UNREAD_REPLY_BYTES = 1024 * 1024;

export interface RpcHttpRequest {
  /** Request method as sent (e.g. "POST"). */
  readonly method: string;
  /** Request target as sent (e.g. "/"). */
  readonly target: string;
  readonly version: '1.0' | '1.1';
  /** Lower-case names; repeated headers joined with ", ". */
  readonly headers: ReadonlyMap<string, string>;
  readonly body: Buffer;
  readonly remoteAddress: string;
}

export interface RpcHttpReply {
  readonly status: number;
  readonly headers?: Readonly<Record<string, string>>;
  readonly body?: string;
}

export interface RpcHttpContext {
  /** Settles when the client closes its side or the server stops. */
  readonly closed: Promise<void>;
}

export type RpcHttpHandler = (request: RpcHttpRequest, context: RpcHttpContext) => Promise<RpcHttpReply>;

export interface RpcHttpServerOptions {
  readonly host: string;
  /** 0 picks a free port. */
  readonly port: number;
  readonly handler: RpcHttpHandler;
  readonly logger: Logger;
  /** Largest body, bytes. */
  readonly maxBodyBytes: number;
  readonly maxHeaderBytes?: number;
  readonly requestTimeoutMs?: number;
  readonly idleTimeoutMs?: number;
  readonly maxConnections?: number;
  /** Names the server in errors ("simnet RPC"). */
  readonly name: string;
}

const REASONS: Record<number, string> = {
  100: 'Continue',
  200: 'OK',
  204: 'No Content',
  400: 'Bad Request',
  401: 'Unauthorized',
  403: 'Forbidden',
  404: 'Not Found',
  405: 'Method Not Allowed',
  408: 'Request Timeout',
  413: 'Request Entity Too Large',
  500: 'Internal Server Error',
  501: 'Not Implemented',
  503: 'Service Unavailable',
  505: 'HTTP Version Not Supported',
};

const TOKEN = /^[!#$%&'*+\-.^_`|~0-9A-Za-z]+$/;
const LF = 0x0a;
const CR = 0x0d;

/** A request that cannot be served: answered with `status` and the connection closed. */
class HttpReject extends Error {
  constructor(
    readonly status: number,
    message: string,
  ) {
    super(message);
  }
}

interface Head {
  readonly method: string;
  readonly target: string;
  readonly version: '1.0' | '1.1';
  readonly headers: Map<string, string>;
}

/** Splits the head into lines (CRLF or LF), drops the final empty line, parses it. */
export function parseHead(head: Buffer): Head {
  const text = head.toString('latin1');
  const lines = text.split('\n').map((l) => (l.endsWith('\r') ? l.slice(0, -1) : l));
  while (lines.length && lines[lines.length - 1] === '') lines.pop();
  const requestLine = lines.shift() ?? '';
  const parts = requestLine.split(/[ \t]+/);
  if (parts.length !== 3) throw new HttpReject(400, 'malformed request line');
  const [method, target, proto] = parts as [string, string, string];
  if (!TOKEN.test(method)) throw new HttpReject(400, 'malformed request method');
  if (target === '' || /[\x00-\x20\x7f]/.test(target)) throw new HttpReject(400, 'malformed request target');
  const v = /^HTTP\/(\d)\.(\d)$/.exec(proto);
  if (!v) throw new HttpReject(400, 'malformed HTTP version');
  if (v[1] !== '1') throw new HttpReject(505, `HTTP/${v[1]}.${v[2]} is not supported`);
  const version = v[2] === '0' ? '1.0' : '1.1';
  const headers = new Map<string, string>();
  let last: string | undefined;
  for (const line of lines) {
    if (/[\x00\r]/.test(line)) throw new HttpReject(400, 'control character in a header line');
    if (line.startsWith(' ') || line.startsWith('\t')) {
      // Obsolete line folding (RFC 9112 section 5.2): part of the previous header's value.
      if (last === undefined) throw new HttpReject(400, 'continuation line before any header');
      headers.set(last, `${headers.get(last)!} ${line.trim()}`.trim());
      continue;
    }
    const colon = line.indexOf(':');
    if (colon <= 0) throw new HttpReject(400, 'header line without a name');
    const name = line.slice(0, colon).toLowerCase();
    if (!TOKEN.test(name)) throw new HttpReject(400, 'malformed header name');
    const value = line.slice(colon + 1).trim();
    const prev = headers.get(name);
    headers.set(name, prev === undefined ? value : `${prev}, ${value}`);
    last = name;
  }
  return { method, target, version, headers };
}

/** Body framing from the head: a byte count, chunked, or none. */
function bodyFraming(head: Head, maxBodyBytes: number): { kind: 'length'; length: number } | { kind: 'chunked' } {
  const te = head.headers.get('transfer-encoding');
  const cl = head.headers.get('content-length');
  if (te !== undefined) {
    if (cl !== undefined) throw new HttpReject(400, 'both Transfer-Encoding and Content-Length');
    if (te.toLowerCase() !== 'chunked') throw new HttpReject(501, `Transfer-Encoding ${te} is not supported`);
    return { kind: 'chunked' };
  }
  if (cl === undefined) return { kind: 'length', length: 0 };
  const values = new Set(cl.split(',').map((s) => s.trim()));
  if (values.size !== 1) throw new HttpReject(400, 'conflicting Content-Length values');
  const [only] = values as unknown as [string];
  if (!/^\d{1,15}$/.test(only)) throw new HttpReject(400, 'malformed Content-Length');
  const length = Number(only);
  if (length > maxBodyBytes) throw new HttpReject(413, `request body larger than ${maxBodyBytes} bytes`);
  return { kind: 'length', length };
}

/** Decodes a complete chunked body at the start of `buf`: the body and bytes used, or undefined if incomplete. */
export function readChunked(buf: Buffer, maxBodyBytes: number, maxLineBytes: number): { body: Buffer; used: number } | undefined {
  const parts: Buffer[] = [];
  let size = 0;
  let pos = 0;
  const line = (): string | undefined => {
    const nl = buf.indexOf(LF, pos);
    if (nl < 0) {
      if (buf.length - pos > maxLineBytes) throw new HttpReject(400, 'chunk line too long');
      return undefined;
    }
    if (nl - pos > maxLineBytes) throw new HttpReject(400, 'chunk line too long');
    const end = nl > pos && buf[nl - 1] === CR ? nl - 1 : nl;
    const text = buf.toString('latin1', pos, end);
    pos = nl + 1;
    return text;
  };
  for (;;) {
    const sizeLine = line();
    if (sizeLine === undefined) return undefined;
    const m = /^([0-9a-fA-F]{1,8})[ \t]*(;.*)?$/.exec(sizeLine);
    if (!m) throw new HttpReject(400, 'malformed chunk size');
    const n = parseInt(m[1]!, 16);
    if (n === 0) break;
    size += n;
    if (size > maxBodyBytes) throw new HttpReject(413, `request body larger than ${maxBodyBytes} bytes`);
    if (buf.length - pos < n + 1) return undefined;
    parts.push(buf.subarray(pos, pos + n));
    pos += n;
    // The chunk's CRLF (or bare LF).
    if (buf[pos] === CR) {
      if (buf.length - pos < 2) return undefined;
      pos++;
    }
    if (buf[pos] !== LF) throw new HttpReject(400, 'chunk data not followed by a line end');
    pos++;
  }
  // Trailer fields, then the empty line.
  for (;;) {
    const t = line();
    if (t === undefined) return undefined;
    if (t === '') break;
  }
  return { body: Buffer.concat(parts), used: pos };
}

/** Index just past the empty line that ends a head starting at 0, or -1 if not there yet. */
function headEnd(buf: Buffer, from: number): { end: number; scanned: number } {
  let pos = from;
  for (;;) {
    const nl = buf.indexOf(LF, pos);
    if (nl < 0) return { end: -1, scanned: pos };
    const lineLen = nl - pos - (nl > pos && buf[nl - 1] === CR ? 1 : 0);
    if (lineLen === 0 && pos > 0) return { end: nl + 1, scanned: nl + 1 };
    pos = nl + 1;
  }
}

function httpDate(): string {
  return new Date().toUTCString();
}

class Connection {
  private buf: Buffer = Buffer.alloc(0);
  private scanned = 0;
  private busy = false;
  private ended = false;
  private closing = false;
  private requestTimer: NodeJS.Timeout | undefined;
  private idleTimer: NodeJS.Timeout | undefined;
  private continueSent = false;
  private readonly closedPromise: Promise<void>;
  private settleClosed!: () => void;

  constructor(
    private readonly socket: Socket,
    private readonly server: RpcHttpServer,
    private readonly opts: Required<Pick<RpcHttpServerOptions, 'maxBodyBytes' | 'maxHeaderBytes' | 'requestTimeoutMs' | 'idleTimeoutMs'>>,
  ) {
    this.closedPromise = new Promise((resolve) => (this.settleClosed = resolve));
    socket.setNoDelay(true);
    socket.on('data', (chunk: Buffer) => this.onData(chunk));
    socket.on('end', () => {
      this.ended = true;
      this.settleClosed();
      if (!this.busy) {
        // Anything still buffered is an incomplete request: nobody is left to answer it.
        this.closing = true;
        this.clearTimers();
        this.socket.end();
      }
    });
    socket.on('error', () => undefined);
    socket.on('close', () => {
      this.clearTimers();
      this.settleClosed();
    });
    this.armIdle();
  }

  get closed(): Promise<void> {
    return this.closedPromise;
  }

  destroy(): void {
    this.settleClosed();
    this.clearTimers();
    this.socket.destroy();
  }

  private clearTimers(): void {
    clearTimeout(this.requestTimer);
    clearTimeout(this.idleTimer);
    this.requestTimer = undefined;
    this.idleTimer = undefined;
  }

  private armIdle(): void {
    clearTimeout(this.idleTimer);
    this.idleTimer = setTimeout(() => this.socket.end(), this.opts.idleTimeoutMs);
  }

  private onData(chunk: Buffer): void {
    if (this.closing) return;
    this.buf = this.buf.length === 0 ? chunk : Buffer.concat([this.buf, chunk]);
    if (this.busy) {
      // The next request waits for this one's reply; do not buffer without bound meanwhile.
      if (this.buf.length > this.opts.maxHeaderBytes + this.opts.maxBodyBytes) this.socket.pause();
      return;
    }
    this.pump();
  }

  /** Parses and serves as many complete requests as are buffered, one at a time. */
  private pump(): void {
    while (!this.busy && !this.closing) {
      // Empty lines between requests (some clients send CRLF after a body) are not a request.
      let skip = 0;
      while (skip < this.buf.length && (this.buf[skip] === CR || this.buf[skip] === LF)) skip++;
      if (skip > 0) {
        this.buf = this.buf.subarray(skip);
        this.scanned = 0;
      }
      if (this.buf.length === 0) return;
      clearTimeout(this.idleTimer);
      this.idleTimer = undefined;
      if (!this.requestTimer) {
        this.requestTimer = setTimeout(() => this.reject(new HttpReject(408, 'request not received in time')), this.opts.requestTimeoutMs);
      }
      let request: RpcHttpRequest | undefined;
      try {
        request = this.take();
      } catch (err) {
        if (err instanceof HttpReject) this.reject(err);
        else this.reject(new HttpReject(400, (err as Error).message));
        return;
      }
      if (!request) return;
      clearTimeout(this.requestTimer);
      this.requestTimer = undefined;
      void this.serve(request);
    }
  }

  /** One complete request off the front of the buffer, or undefined if more bytes are needed. */
  private take(): RpcHttpRequest | undefined {
    const { end, scanned } = headEnd(this.buf, this.scanned);
    if (end < 0) {
      this.scanned = scanned;
      if (this.buf.length > this.opts.maxHeaderBytes) throw new HttpReject(413, `request head larger than ${this.opts.maxHeaderBytes} bytes`);
      return undefined;
    }
    if (end > this.opts.maxHeaderBytes) throw new HttpReject(413, `request head larger than ${this.opts.maxHeaderBytes} bytes`);
    const head = parseHead(this.buf.subarray(0, end));
    const framing = bodyFraming(head, this.opts.maxBodyBytes);
    const rest = this.buf.subarray(end);
    let body: Buffer;
    let used: number;
    if (framing.kind === 'length') {
      if (rest.length < framing.length) {
        this.maybeContinue(head);
        return undefined;
      }
      body = Buffer.from(rest.subarray(0, framing.length));
      used = framing.length;
    } else {
      const chunked = readChunked(rest, this.opts.maxBodyBytes, this.opts.maxHeaderBytes);
      if (!chunked) {
        this.maybeContinue(head);
        return undefined;
      }
      ({ body, used } = chunked);
    }
    this.buf = this.buf.subarray(end + used);
    this.scanned = 0;
    this.continueSent = false;
    return { ...head, body, remoteAddress: this.socket.remoteAddress ?? '' };
  }

  private maybeContinue(head: Head): void {
    if (this.continueSent || head.version !== '1.1') return;
    if ((head.headers.get('expect') ?? '').toLowerCase() !== '100-continue') return;
    this.continueSent = true;
    this.socket.write('HTTP/1.1 100 Continue\r\n\r\n');
  }

  private keepAlive(request: RpcHttpRequest): boolean {
    const conn = (request.headers.get('connection') ?? '').toLowerCase().split(',').map((s) => s.trim());
    if (request.version === '1.1') return !conn.includes('close');
    return conn.includes('keep-alive');
  }

  private async serve(request: RpcHttpRequest): Promise<void> {
    this.busy = true;
    let reply: RpcHttpReply;
    try {
      reply = await this.server.handle(request, { closed: this.closedPromise });
    } catch (err) {
      this.server.log.error(`${this.server.name}: handler failed`, { error: (err as Error).message });
      reply = { status: 500, headers: { 'Content-Type': 'text/plain' }, body: 'internal error\n' };
    }
    const keep = this.keepAlive(request) && !this.ended && !this.server.stopping;
    this.write(request.version, reply, !keep);
    this.busy = false;
    if (!keep) {
      this.closing = true;
      this.socket.end();
      return;
    }
    const next = () => {
      if (this.socket.destroyed) return;
      this.socket.resume();
      if (this.buf.length === 0) this.armIdle();
      this.pump();
    };
    // A client that does not read its replies gets no further ones until it does.
    if (this.socket.writableLength > MAX_UNREAD_REPLY_BYTES) {
      this.socket.pause();
      this.socket.once('drain', next);
    } else next();
  }

  private write(version: string, reply: RpcHttpReply, close: boolean): void {
    if (this.socket.destroyed) return;
    const body = reply.body ?? '';
    const lines = [`HTTP/${version} ${reply.status} ${REASONS[reply.status] ?? 'Status'}`];
    for (const [k, v] of Object.entries(reply.headers ?? {})) lines.push(`${k}: ${v}`);
    lines.push(`Date: ${httpDate()}`);
    if (reply.status !== 204) lines.push(`Content-Length: ${Buffer.byteLength(body)}`);
    lines.push(close ? 'Connection: close' : 'Connection: keep-alive');
    this.socket.write(`${lines.join('\r\n')}\r\n\r\n${reply.status === 204 ? '' : body}`);
  }

  /** Answers a request that cannot be served, then closes. */
  private reject(err: HttpReject): void {
    if (this.closing) return;
    this.closing = true;
    this.clearTimers();
    this.server.log.debug(`${this.server.name}: refused a request`, { status: err.status, reason: err.message, remote: this.socket.remoteAddress });
    this.write('1.1', { status: err.status, headers: { 'Content-Type': 'text/plain' }, body: `${err.message}\n` }, true);
    this.socket.end();
    // A client that never reads or closes cannot keep the socket: it goes after a short grace.
    setTimeout(() => this.socket.destroy(), 1000).unref();
  }
}

export class RpcHttpServer {
  private server: Server | undefined;
  private readonly connections = new Set<Connection>();
  private boundPort = 0;
  private stopFlag = false;
  readonly log: Logger;

  constructor(private readonly options: RpcHttpServerOptions) {
    this.log = options.logger;
  }

  get name(): string {
    return this.options.name;
  }

  get port(): number {
    return this.boundPort;
  }

  get stopping(): boolean {
    return this.stopFlag;
  }

  handle(request: RpcHttpRequest, context: RpcHttpContext): Promise<RpcHttpReply> {
    return this.options.handler(request, context);
  }

  /** Listens. Idempotent. */
  async start(): Promise<void> {
    if (this.server) return;
    this.stopFlag = false;
    const opts = {
      maxBodyBytes: this.options.maxBodyBytes,
      maxHeaderBytes: this.options.maxHeaderBytes ?? MAX_HEADER_BYTES,
      requestTimeoutMs: this.options.requestTimeoutMs ?? DEFAULT_REQUEST_TIMEOUT_MS,
      idleTimeoutMs: this.options.idleTimeoutMs ?? DEFAULT_IDLE_TIMEOUT_MS,
    };
    const server = createServer({ allowHalfOpen: true }, (socket) => {
      const c = new Connection(socket, this, opts);
      this.connections.add(c);
      socket.once('close', () => this.connections.delete(c));
    });
    server.maxConnections = this.options.maxConnections ?? DEFAULT_MAX_CONNECTIONS;
    server.on('drop', () => this.log.warn(`${this.options.name}: connection refused, ${server.maxConnections} already open`));
    await new Promise<void>((resolve, reject) => {
      server.once('error', (err: NodeJS.ErrnoException) => {
        reject(
          new SimnetError(
            err.code === 'EADDRINUSE'
              ? `${this.options.name} port ${this.options.port} on ${this.options.host} is in use (another otedama or a regtest bitcoind?); set chain.simnet.rpcPort`
              : `${this.options.name} cannot listen on ${this.options.host}:${this.options.port}: ${err.message}`,
            { cause: err },
          ),
        );
      });
      server.listen(this.options.port, this.options.host, () => resolve());
    });
    const addr = server.address();
    this.boundPort = typeof addr === 'object' && addr ? addr.port : this.options.port;
    this.server = server;
  }

  /** Stops listening and closes every connection (in-flight handlers see `closed` settle). Idempotent. */
  async stop(): Promise<void> {
    const server = this.server;
    if (!server) return;
    this.server = undefined;
    this.stopFlag = true;
    const closed = new Promise<void>((resolve) => server.close(() => resolve()));
    for (const c of this.connections) c.destroy();
    this.connections.clear();
    await closed;
  }
}
