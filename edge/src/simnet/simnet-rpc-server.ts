/**
 * Simnet's bitcoind-compatible JSON-RPC server (node:http, 127.0.0.1 only). It speaks the subset
 * a pool needs — getblocktemplate (with long-poll), submitblock, getblockchaininfo,
 * getbestblockhash, getblockcount, getblockhash, getblockheader, getmininginfo, scantxoutset
 * (scan-txoutset.ts) — plus
 * simnet_getbalances and simnet_getbalance. Auth: HTTP Basic with the configured user/password,
 * or the cookie bitcoind-style (`<dir>/.cookie` holds `__cookie__:<hex>`, mode 0600, removed on
 * stop). JSON-RPC 1.0 requests get bitcoind's legacy replies (HTTP 404/400/500 on errors), 2.0
 * requests get HTTP 200 replies; batches are arrays.
 */
import { randomBytes, timingSafeEqual } from 'node:crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { Socket } from 'node:net';
import { chmod, readFile, unlink, writeFile } from 'node:fs/promises';
import {
  InvalidAddressError,
  InvalidHexError,
  TxDecodeError,
  bitsToTarget,
  bytesToHex,
  hexToBytes,
  parseBlock,
  targetToDifficulty,
  targetToHex,
  u32ToHex,
  validateAddress,
  witnessCommitmentScript,
  witnessMerkleRoot,
  type ParsedBlock,
} from '@otedama/core';
import { SimnetError } from '../errors.ts';
import type { Logger } from '../logger.ts';
import type { ChainBlock, SimnetChain } from './simnet-chain.ts';
import { ScanError, scanTxOutSet } from './scan-txoutset.ts';

/** Loopback only: simnet's RPC is for this machine's edge and tools. */
export const SIMNET_RPC_HOST = '127.0.0.1';
/** How long a long-poll getblocktemplate is held without a new block (ms). */
export const DEFAULT_LONG_POLL_TIMEOUT_MS = 30_000;
/** Largest request body accepted (bytes): simnet blocks are a header and a coinbase. */
export const DEFAULT_MAX_BODY_BYTES = 4 * 1024 * 1024;
/** Most requests in one batch. */
export const MAX_BATCH = 1000;
export const COOKIE_USER = '__cookie__';

// bitcoind's error codes (src/rpc/protocol.h).
export const RPC_INVALID_REQUEST = -32600;
export const RPC_METHOD_NOT_FOUND = -32601;
export const RPC_INTERNAL_ERROR = -32603;
export const RPC_PARSE_ERROR = -32700;
export const RPC_MISC_ERROR = -1;
export const RPC_INVALID_ADDRESS_OR_KEY = -5;
export const RPC_INVALID_PARAMETER = -8;
export const RPC_DESERIALIZATION_ERROR = -22;
export const RPC_IN_WARMUP = -28;

export type SubmitOutcome = { accepted: true; block: ChainBlock } | { accepted: false; reason: string };

/** What the RPC server needs from simnet. */
export interface SimnetRpcNode {
  /** False while the chain is loading (every call answers -28). */
  isReady(): boolean;
  readonly chain: SimnetChain;
  /** Seconds since the epoch. */
  now(): number;
  submit(block: ParsedBlock, raw: Uint8Array): Promise<SubmitOutcome>;
  /** Called after each new tip; returns an unsubscribe function. */
  onTip(listener: () => void): () => void;
}

export interface SimnetRpcServerOptions {
  readonly node: SimnetRpcNode;
  /** 0 picks a free port. */
  readonly port: number;
  /** Where the cookie file is written. */
  readonly cookieFile: string;
  /** Extra Basic-auth credentials accepted besides the cookie. */
  readonly user?: string;
  readonly password?: string;
  readonly logger: Logger;
  readonly longPollTimeoutMs?: number;
  readonly maxBodyBytes?: number;
}

class RpcFailure extends Error {
  constructor(
    readonly code: number,
    message: string,
  ) {
    super(message);
  }
}

type Params = readonly unknown[];
interface MethodSpec {
  /** Names for JSON-RPC named parameters, in positional order. */
  readonly names: readonly string[];
  run(params: Params, ctx: CallContext): unknown;
}
interface CallContext {
  /** Resolves when the HTTP client goes away (ends long-polls early). */
  readonly closed: Promise<void>;
}

const hex64 = /^[0-9a-fA-F]{64}$/;

function paramError(message: string): RpcFailure {
  return new RpcFailure(RPC_INVALID_PARAMETER, message);
}

function sameSecret(a: string, b: string): boolean {
  const x = Buffer.from(a);
  const y = Buffer.from(b);
  return x.length === y.length && timingSafeEqual(x, y);
}

export class SimnetRpcServer {
  private server: Server | undefined;
  private readonly sockets = new Set<Socket>();
  private cookie = '';
  private boundPort = 0;
  private readonly log: Logger;
  private readonly longPollTimeoutMs: number;
  private readonly maxBodyBytes: number;
  private stopping = new AbortController();
  private readonly methods: Record<string, MethodSpec>;

  constructor(private readonly options: SimnetRpcServerOptions) {
    this.log = options.logger.forComponent('edge:simnet-rpc');
    this.longPollTimeoutMs = options.longPollTimeoutMs ?? DEFAULT_LONG_POLL_TIMEOUT_MS;
    this.maxBodyBytes = options.maxBodyBytes ?? DEFAULT_MAX_BODY_BYTES;
    this.methods = this.buildMethods();
  }

  get port(): number {
    return this.boundPort;
  }

  get url(): string {
    return `http://${SIMNET_RPC_HOST}:${this.boundPort}/`;
  }

  /** Writes the cookie and listens. Idempotent. */
  async start(): Promise<void> {
    if (this.server) return;
    this.stopping = new AbortController();
    this.cookie = randomBytes(32).toString('hex');
    await writeFile(this.options.cookieFile, `${COOKIE_USER}:${this.cookie}`, { mode: 0o600 });
    await chmod(this.options.cookieFile, 0o600);
    const server = createServer((req, res) => void this.handle(req, res));
    server.on('connection', (s: Socket) => {
      this.sockets.add(s);
      s.once('close', () => this.sockets.delete(s));
    });
    server.on('clientError', (_err, socket: Socket) => {
      if (socket.writable) socket.end('HTTP/1.1 400 Bad Request\r\nConnection: close\r\n\r\n');
      else socket.destroy();
    });
    await new Promise<void>((resolve, reject) => {
      server.once('error', (err: NodeJS.ErrnoException) => {
        reject(
          new SimnetError(
            err.code === 'EADDRINUSE'
              ? `simnet RPC port ${this.options.port} on ${SIMNET_RPC_HOST} is in use (another otedama or a regtest bitcoind?); set chain.simnet.rpcPort`
              : `simnet RPC cannot listen on ${SIMNET_RPC_HOST}:${this.options.port}: ${err.message}`,
            { cause: err },
          ),
        );
      });
      server.listen(this.options.port, SIMNET_RPC_HOST, () => resolve());
    }).catch(async (err: unknown) => {
      await this.removeCookie();
      throw err;
    });
    const addr = server.address();
    this.boundPort = typeof addr === 'object' && addr ? addr.port : this.options.port;
    this.server = server;
    this.log.info('simnet RPC listening', { url: this.url, cookieFile: this.options.cookieFile });
  }

  /** Ends long-polls, closes connections, removes the cookie. Idempotent. */
  async stop(): Promise<void> {
    const server = this.server;
    if (!server) return;
    this.server = undefined;
    this.stopping.abort();
    await new Promise<void>((resolve) => {
      server.close(() => resolve());
      server.closeIdleConnections();
      setImmediate(() => {
        for (const s of this.sockets) s.destroy();
      });
    });
    await this.removeCookie();
  }

  private async removeCookie(): Promise<void> {
    try {
      const text = await readFile(this.options.cookieFile, 'utf8');
      if (text === `${COOKIE_USER}:${this.cookie}`) await unlink(this.options.cookieFile);
    } catch {
      // Already gone.
    }
  }

  private authorized(req: IncomingMessage): boolean {
    const header = req.headers.authorization;
    if (!header || !/^Basic /i.test(header)) return false;
    const decoded = Buffer.from(header.slice(6).trim(), 'base64').toString('utf8');
    const colon = decoded.indexOf(':');
    if (colon < 0) return false;
    const user = decoded.slice(0, colon);
    const pass = decoded.slice(colon + 1);
    if (sameSecret(user, COOKIE_USER) && sameSecret(pass, this.cookie)) return true;
    const { user: u, password: p } = this.options;
    return u !== undefined && p !== undefined && u !== '' && sameSecret(user, u) && sameSecret(pass, p);
  }

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    try {
      if (req.method !== 'POST') {
        res.writeHead(405, { Allow: 'POST', 'Content-Type': 'text/plain' }).end('JSONRPC server handles only POST requests\n');
        return;
      }
      if (!this.authorized(req)) {
        this.log.warn('simnet RPC: rejected credentials', { remote: req.socket.remoteAddress });
        res.writeHead(401, { 'WWW-Authenticate': 'Basic realm="jsonrpc"', Connection: 'close' }).end();
        req.resume();
        return;
      }
      const body = await this.readBody(req, res);
      if (body === undefined) return;
      const closed = new Promise<void>((resolve) => {
        res.once('close', () => resolve());
        this.stopping.signal.addEventListener('abort', () => resolve(), { once: true });
      });
      await this.dispatch(body, res, { closed });
    } catch (err) {
      this.log.error('simnet RPC: request failed', { error: (err as Error).message });
      if (!res.headersSent) this.send(res, 500, { result: null, error: { code: RPC_INTERNAL_ERROR, message: 'Internal error' }, id: null });
    }
  }

  /** The body as text, or undefined when it was too large (answered 413 already). */
  private readBody(req: IncomingMessage, res: ServerResponse): Promise<string | undefined> {
    return new Promise((resolve, reject) => {
      const declared = Number(req.headers['content-length']);
      if (Number.isFinite(declared) && declared > this.maxBodyBytes) {
        this.tooLarge(req, res);
        resolve(undefined);
        return;
      }
      const chunks: Buffer[] = [];
      let size = 0;
      let done = false;
      req.on('data', (chunk: Buffer) => {
        if (done) return;
        size += chunk.length;
        if (size > this.maxBodyBytes) {
          done = true;
          this.tooLarge(req, res);
          resolve(undefined);
          return;
        }
        chunks.push(chunk);
      });
      req.on('end', () => {
        if (!done) {
          done = true;
          resolve(Buffer.concat(chunks).toString('utf8'));
        }
      });
      req.on('error', (err) => {
        if (!done) {
          done = true;
          reject(err);
        }
      });
    });
  }

  private tooLarge(req: IncomingMessage, res: ServerResponse): void {
    res.writeHead(413, { 'Content-Type': 'text/plain', Connection: 'close' }).end(`request body larger than ${this.maxBodyBytes} bytes\n`);
    req.once('end', () => undefined);
    setImmediate(() => req.socket.destroy());
  }

  private send(res: ServerResponse, status: number, payload: unknown): void {
    const text = JSON.stringify(payload);
    res.writeHead(status, { 'Content-Type': 'application/json', 'Content-Length': Buffer.byteLength(text) }).end(text);
  }

  private async dispatch(body: string, res: ServerResponse, ctx: CallContext): Promise<void> {
    let parsed: unknown;
    try {
      parsed = JSON.parse(body);
    } catch {
      this.send(res, 500, { result: null, error: { code: RPC_PARSE_ERROR, message: 'Parse error' }, id: null });
      return;
    }
    if (Array.isArray(parsed)) {
      if (parsed.length === 0 || parsed.length > MAX_BATCH) {
        this.send(res, 400, { result: null, error: { code: RPC_INVALID_REQUEST, message: `a batch holds 1..${MAX_BATCH} requests` }, id: null });
        return;
      }
      const replies = [];
      for (const item of parsed) {
        const r = await this.call(item, ctx);
        if (r.reply !== undefined) replies.push(r.reply);
      }
      this.send(res, 200, replies);
      return;
    }
    const r = await this.call(parsed, ctx);
    if (r.reply === undefined) res.writeHead(204).end();
    else this.send(res, r.status, r.reply);
  }

  /** One request object -> its reply (undefined for a 2.0 notification) and legacy HTTP status. */
  private async call(request: unknown, ctx: CallContext): Promise<{ reply: unknown; status: number }> {
    const isObject = typeof request === 'object' && request !== null && !Array.isArray(request);
    const req = (isObject ? request : {}) as Record<string, unknown>;
    const v2 = req.jsonrpc === '2.0';
    const id = req.id ?? null;
    const reply = (result: unknown, error: { code: number; message: string } | null) => {
      if (v2) return error ? { jsonrpc: '2.0', error, id } : { jsonrpc: '2.0', result, id };
      return { result, error, id };
    };
    const fail = (code: number, message: string) => {
      const status = code === RPC_INVALID_REQUEST ? 400 : code === RPC_METHOD_NOT_FOUND ? 404 : 500;
      return { reply: reply(null, { code, message }), status: v2 ? 200 : status };
    };
    if (!isObject) return fail(RPC_INVALID_REQUEST, 'Invalid Request object');
    if (typeof req.method !== 'string') return fail(RPC_INVALID_REQUEST, 'Method must be a string');
    const spec = Object.hasOwn(this.methods, req.method) ? this.methods[req.method] : undefined;
    let params: unknown[];
    if (req.params === undefined || req.params === null) params = [];
    else if (Array.isArray(req.params)) params = req.params;
    else if (typeof req.params === 'object') {
      const named = req.params as Record<string, unknown>;
      const unknownName = Object.keys(named).find((k) => !spec?.names.includes(k));
      if (spec && unknownName !== undefined) return fail(RPC_INVALID_PARAMETER, `Unknown named parameter ${unknownName}`);
      params = (spec?.names ?? []).map((n) => named[n]);
      while (params.length && params[params.length - 1] === undefined) params.pop();
    } else return fail(RPC_INVALID_REQUEST, 'Params must be an array or object');
    const notification = v2 && !('id' in req);
    try {
      if (!spec) throw new RpcFailure(RPC_METHOD_NOT_FOUND, 'Method not found');
      if (!this.options.node.isReady()) throw new RpcFailure(RPC_IN_WARMUP, 'Loading block index...');
      if (params.length > spec.names.length) throw paramError(`${req.method} takes at most ${spec.names.length} parameters (got ${params.length})`);
      const result = await spec.run(params, ctx);
      return notification ? { reply: undefined, status: 204 } : { reply: reply(result, null), status: 200 };
    } catch (err) {
      if (notification) return { reply: undefined, status: 204 };
      if (err instanceof RpcFailure) return fail(err.code, err.message);
      this.log.error('simnet RPC: method failed', { method: req.method, error: (err as Error).message });
      return fail(RPC_MISC_ERROR, (err as Error).message);
    }
  }

  // -------------------------------------------------------------------------------------------
  // Methods

  private buildMethods(): Record<string, MethodSpec> {
    const node = this.options.node;
    const chain = () => node.chain;
    return {
      getblocktemplate: { names: ['template_request'], run: (p, ctx) => this.getBlockTemplate(p[0], ctx) },
      submitblock: { names: ['hexdata', 'dummy'], run: (p) => this.submitBlock(p[0]) },
      getblockchaininfo: { names: [], run: () => this.blockchainInfo() },
      getbestblockhash: { names: [], run: () => chain().tip().hashHex },
      getblockcount: { names: [], run: () => chain().height },
      getblockhash: {
        names: ['height'],
        run: (p) => {
          const h = p[0];
          if (typeof h !== 'number' || !Number.isInteger(h)) throw paramError('height must be an integer');
          const b = chain().blockAt(h);
          if (!b || h < 0) throw paramError('Block height out of range');
          return b.hashHex;
        },
      },
      getblockheader: { names: ['blockhash', 'verbose'], run: (p) => this.blockHeader(p[0], p[1]) },
      getmininginfo: {
        names: [],
        run: () => ({ blocks: chain().height, difficulty: targetToDifficulty(chain().target), networkhashps: 0, pooledtx: 0, chain: 'regtest', warnings: [] }),
      },
      simnet_getbalances: {
        names: [],
        run: () => Object.fromEntries([...chain().balances()].map(([a, v]) => [a, Number(v)])),
      },
      simnet_getbalance: {
        names: ['address'],
        run: (p) => {
          if (typeof p[0] !== 'string') throw paramError('address must be a string');
          let address: string;
          try {
            address = validateAddress(p[0], 'regtest', { chainName: 'simnet' }).address;
          } catch (err) {
            if (err instanceof InvalidAddressError) throw new RpcFailure(RPC_INVALID_ADDRESS_OR_KEY, `Invalid address: ${err.reason}`);
            throw err;
          }
          const sats = chain().balance(address);
          return { address, sats: Number(sats), btc: Number(sats) / 1e8 };
        },
      },
      scantxoutset: {
        names: ['action', 'scanobjects'],
        run: (p) => {
          try {
            return scanTxOutSet(chain(), p[0], p[1]);
          } catch (err) {
            if (err instanceof ScanError) throw new RpcFailure(err.code, err.message);
            throw err;
          }
        },
      },
      help: { names: ['command'], run: () => Object.keys(this.methods).sort().join('\n') },
    };
  }

  private longPollId(): string {
    const tip = this.options.node.chain.tip();
    return `${tip.hashHex}${tip.height}`;
  }

  private templateResult(): Record<string, unknown> {
    const { chain } = this.options.node;
    const tip = chain.tip();
    const mintime = chain.medianTimePast() + 1;
    return {
      capabilities: ['proposal'],
      version: 0x20000000,
      rules: ['csv', '!segwit', 'taproot'],
      vbavailable: {},
      vbrequired: 0,
      previousblockhash: tip.hashHex,
      transactions: [],
      coinbaseaux: {},
      coinbasevalue: Number(chain.rewardSats),
      longpollid: this.longPollId(),
      target: targetToHex(chain.target),
      mintime,
      mutable: ['time', 'transactions', 'prevblock'],
      noncerange: '00000000ffffffff',
      sigoplimit: 80000,
      sizelimit: 4000000,
      weightlimit: 4000000,
      curtime: Math.max(this.options.node.now(), mintime),
      bits: u32ToHex(chain.bits),
      height: tip.height + 1,
      default_witness_commitment: bytesToHex(witnessCommitmentScript(witnessMerkleRoot([]))),
    };
  }

  private async getBlockTemplate(request: unknown, ctx: CallContext): Promise<unknown> {
    if (request !== undefined && (typeof request !== 'object' || request === null || Array.isArray(request))) {
      throw paramError('template_request must be an object');
    }
    const r = (request ?? {}) as Record<string, unknown>;
    if (r.mode !== undefined && r.mode !== 'template') throw paramError('Invalid mode (simnet serves mode "template" only)');
    const rules = r.rules;
    if (!Array.isArray(rules) || !rules.includes('segwit')) {
      throw paramError('getblocktemplate must be called with the segwit rule set (call with {"rules": ["segwit"]})');
    }
    const lp = r.longpollid;
    if (lp !== undefined && typeof lp !== 'string') throw paramError('longpollid must be a string');
    if (typeof lp === 'string' && lp === this.longPollId()) {
      // Hold until a new block, the timeout, the client leaving, or shutdown.
      await new Promise<void>((resolve) => {
        const timer = setTimeout(finish, this.longPollTimeoutMs);
        const off = this.options.node.onTip(finish);
        void ctx.closed.then(finish);
        function finish() {
          clearTimeout(timer);
          off();
          resolve();
        }
      });
    }
    return this.templateResult();
  }

  private async submitBlock(hex: unknown): Promise<string | null> {
    if (typeof hex !== 'string') throw paramError('hexdata must be a hex string');
    let raw: Uint8Array;
    let block: ParsedBlock;
    try {
      raw = hexToBytes(hex);
      block = parseBlock(raw);
    } catch (err) {
      if (err instanceof TxDecodeError || err instanceof InvalidHexError) {
        throw new RpcFailure(RPC_DESERIALIZATION_ERROR, 'Block decode failed');
      }
      throw err;
    }
    const outcome = await this.options.node.submit(block, raw);
    return outcome.accepted ? null : outcome.reason;
  }

  private blockchainInfo(): Record<string, unknown> {
    const { chain } = this.options.node;
    const tip = chain.tip();
    return {
      chain: 'regtest',
      simnet: true,
      blocks: tip.height,
      headers: tip.height,
      bestblockhash: tip.hashHex,
      bits: u32ToHex(tip.bits),
      target: targetToHex(bitsToTarget(tip.bits)),
      difficulty: targetToDifficulty(bitsToTarget(tip.bits)),
      time: tip.time,
      mediantime: tip.medianTime,
      verificationprogress: 1,
      initialblockdownload: false,
      chainwork: tip.chainWork.toString(16).padStart(64, '0'),
      pruned: false,
      warnings: [],
    };
  }

  private blockHeader(hash: unknown, verbose: unknown): unknown {
    if (typeof hash !== 'string') throw paramError('blockhash must be a hex string');
    if (!hex64.test(hash)) throw paramError(`blockhash must be of length 64 (not ${hash.length}, for '${hash.slice(0, 80)}')`);
    if (verbose !== undefined && typeof verbose !== 'boolean') throw paramError('verbose must be a boolean');
    const { chain } = this.options.node;
    const b = chain.blockByHash(hash);
    if (!b) throw new RpcFailure(RPC_INVALID_ADDRESS_OR_KEY, 'Block not found');
    if (verbose === false) return bytesToHex(b.header);
    const next = chain.blockAt(b.height + 1);
    return {
      hash: b.hashHex,
      confirmations: chain.height - b.height + 1,
      height: b.height,
      version: b.version,
      versionHex: u32ToHex(b.version),
      merkleroot: bytesToHex(b.merkleRoot.slice().reverse()),
      time: b.time,
      mediantime: b.medianTime,
      nonce: b.nonce,
      bits: u32ToHex(b.bits),
      target: targetToHex(bitsToTarget(b.bits)),
      difficulty: targetToDifficulty(bitsToTarget(b.bits)),
      chainwork: b.chainWork.toString(16).padStart(64, '0'),
      nTx: b.txCount,
      ...(b.height > 0 ? { previousblockhash: bytesToHex(b.prevHash.slice().reverse()) } : {}),
      ...(next ? { nextblockhash: next.hashHex } : {}),
    };
  }
}
