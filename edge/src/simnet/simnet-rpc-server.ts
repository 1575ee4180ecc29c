/**
 * Simnet's bitcoind-compatible JSON-RPC server (127.0.0.1 only), so pool software written for
 * bitcoind (ckpool, NOMP, public-pool, this edge) runs against simnet unchanged. It answers as
 * Bitcoin Core 28 does: the HTTP framing in rpc-http.ts (bare-LF headers, keep-alive, bounded),
 * the JSON-RPC envelopes in json-rpc.ts (1.0 and 2.0, batches, named params, Core's error codes
 * and HTTP statuses), and these methods with Core's argument forms and result shapes:
 *
 *   Blockchain   getbestblockhash, getblock, getblockchaininfo, getblockcount, getblockhash,
 *                getblockheader, getdifficulty, preciousblock, scantxoutset (scan-txoutset.ts)
 *   Mining       getblocktemplate (template and proposal modes, long-poll), getmininginfo,
 *                getnetworkhashps, submitblock
 *   Network      getconnectioncount, getnetworkinfo, getpeerinfo, ping (simnet has no peers)
 *   Raw tx       decoderawtransaction, getrawtransaction (every block is indexed, as -txindex)
 *   Util         validateaddress
 *   Control      getrpcinfo, help, uptime
 *   Simnet       simnet_getbalance, simnet_getbalances
 *
 * Auth: HTTP Basic with the configured user/password, or the cookie bitcoind-style
 * (`<dir>/.cookie` holds `__cookie__:<hex>`, mode 0600, removed on stop); a wrong credential is
 * answered after 250 ms, as bitcoind does, to slow guessing.
 */
import { randomBytes, timingSafeEqual } from 'node:crypto';
import { chmod, readFile, unlink, writeFile } from 'node:fs/promises';
import {
  InvalidAddressError,
  bitsToTarget,
  bytesToHex,
  concatBytes,
  encodeVarInt,
  findWitnessCommitment,
  hexToBytes,
  isCoinbase,
  parseBlock,
  reverseBytes,
  serializeTx,
  targetToDifficulty,
  targetToHex,
  u32ToHex,
  validateAddress,
  witnessCommitmentScript,
  witnessMerkleRoot,
  type ParsedBlock,
  type Transaction,
} from '@otedama/core';
import type { Logger } from '../logger.ts';
import { addressInfo } from './address-info.ts';
import {
  JsonRpcDispatcher,
  RPC_DESERIALIZATION_ERROR,
  RPC_INVALID_ADDRESS_OR_KEY,
  RPC_INVALID_PARAMETER,
  RPC_MISC_ERROR,
  RPC_TYPE_ERROR,
  RpcFailure,
  helpText,
  jsonTypeOf,
  signature,
  type RpcCallContext,
  type RpcMethod,
} from './json-rpc.ts';
import { RpcHttpServer, type RpcHttpContext, type RpcHttpReply, type RpcHttpRequest } from './rpc-http.ts';
import type { ChainBlock, SimnetChain } from './simnet-chain.ts';
import { ScanError, scanTxOutSet } from './scan-txoutset.ts';
import { WITNESS_SCALE_FACTOR, decodeHexTx, txToJson } from './tx-json.ts';

/** Loopback only: simnet's RPC is for this machine's edge and tools. */
export const SIMNET_RPC_HOST = '127.0.0.1';
/** How long a long-poll getblocktemplate is held without a new block (ms). Core holds it until one. */
export const DEFAULT_LONG_POLL_TIMEOUT_MS = 30_000;
/** Largest request body accepted (bytes): simnet blocks are a header and a coinbase. */
export const DEFAULT_MAX_BODY_BYTES = 4 * 1024 * 1024;
/** Delay before answering a wrong credential (ms), bitcoind's deterrent against guessing. */
export const AUTH_FAILURE_DELAY_MS = 250;
export const COOKIE_USER = '__cookie__';
/** The Core release whose RPC simnet speaks (getnetworkinfo's `version`). */
export const SPEAKS_CORE_VERSION = 280000;
/** P2P protocol version reported by getnetworkinfo (Core 28's). */
export const PROTOCOL_VERSION = 70016;
/** Blocks getnetworkhashps averages over by default, and regtest's retarget interval (-1). */
const NETWORK_HASHPS_DEFAULT_BLOCKS = 120;
const DIFFICULTY_ADJUSTMENT_INTERVAL = 2016;
/** Core's minimum relay and incremental fees on regtest, BTC/kvB. */
const RELAY_FEE_BTC_PER_KVB = 0.00001;
/** Core's warmup message. */
const WARMUP_MESSAGE = 'Loading block index…';

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
  /** HTTP bounds (see rpc-http.ts for the defaults). */
  readonly requestTimeoutMs?: number;
  readonly idleTimeoutMs?: number;
  readonly maxConnections?: number;
  /** Where getrpcinfo says the log goes ("" when it goes to the edge's log). */
  readonly logPath?: string;
}

const hex64 = /^[0-9a-fA-F]{64}$/;
const isHex = (s: string) => s.length > 0 && s.length % 2 === 0 && /^[0-9a-fA-F]*$/.test(s);

function sameSecret(a: string, b: string): boolean {
  const x = Buffer.from(a);
  const y = Buffer.from(b);
  return x.length === y.length && timingSafeEqual(x, y);
}

/** Core's ParseHashV: a 64-digit hex string, or -8 naming the parameter. */
function parseHash(v: unknown, name: string): string {
  const s = String(v);
  if (s.length !== 64) throw new RpcFailure(RPC_INVALID_PARAMETER, `${name} must be of length 64 (not ${s.length}, for '${s}')`);
  if (!hex64.test(s)) throw new RpcFailure(RPC_INVALID_PARAMETER, `${name} must be hexadecimal string (not '${s}')`);
  return s.toLowerCase();
}

/** UniValue::getInt<int>(): an integer that fits 32 bits, else -1 as Core's runtime_error becomes. */
function getInt(v: unknown): number {
  if (typeof v !== 'number' || !Number.isInteger(v) || v < -0x8000_0000 || v > 0x7fff_ffff) {
    if (typeof v !== 'number') throw new RpcFailure(RPC_MISC_ERROR, `JSON value of type ${jsonTypeOf(v)} is not of expected type number`);
    throw new RpcFailure(RPC_MISC_ERROR, 'JSON integer out of range');
  }
  return v;
}

/** An optional integer argument: its default when absent or null. */
function optionalInt(v: unknown, fallback: number): number {
  return v === undefined || v === null ? fallback : getInt(v);
}

/** Core's ParseVerbosity: an integer, or a boolean (true = 1). */
function verbosity(v: unknown, fallback: number): number {
  return typeof v === 'boolean' ? (v ? 1 : 0) : optionalInt(v, fallback);
}

const arg = {
  blockhash: { names: 'blockhash', type: 'string', help: '(string, required) The block hash' },
} as const;

export class SimnetRpcServer {
  private readonly http: RpcHttpServer;
  private readonly dispatcher: JsonRpcDispatcher;
  private cookie = '';
  private readonly log: Logger;
  private readonly longPollTimeoutMs: number;
  private readonly methods: Record<string, RpcMethod>;
  private startedAt = 0;

  constructor(private readonly options: SimnetRpcServerOptions) {
    this.log = options.logger.forComponent('edge:simnet-rpc');
    this.longPollTimeoutMs = options.longPollTimeoutMs ?? DEFAULT_LONG_POLL_TIMEOUT_MS;
    this.methods = this.buildMethods();
    this.dispatcher = new JsonRpcDispatcher({
      methods: this.methods,
      warmup: () => (options.node.isReady() ? undefined : WARMUP_MESSAGE),
    });
    this.http = new RpcHttpServer({
      name: 'simnet RPC',
      host: SIMNET_RPC_HOST,
      port: options.port,
      handler: (req, ctx) => this.handle(req, ctx),
      logger: this.log,
      maxBodyBytes: options.maxBodyBytes ?? DEFAULT_MAX_BODY_BYTES,
      ...(options.requestTimeoutMs !== undefined ? { requestTimeoutMs: options.requestTimeoutMs } : {}),
      ...(options.idleTimeoutMs !== undefined ? { idleTimeoutMs: options.idleTimeoutMs } : {}),
      ...(options.maxConnections !== undefined ? { maxConnections: options.maxConnections } : {}),
    });
  }

  get port(): number {
    return this.http.port;
  }

  get url(): string {
    return `http://${SIMNET_RPC_HOST}:${this.http.port}/`;
  }

  /** Writes the cookie and listens. Idempotent. */
  async start(): Promise<void> {
    if (this.startedAt) return;
    this.cookie = randomBytes(32).toString('hex');
    await writeFile(this.options.cookieFile, `${COOKIE_USER}:${this.cookie}`, { mode: 0o600 });
    await chmod(this.options.cookieFile, 0o600);
    try {
      await this.http.start();
    } catch (err) {
      await this.removeCookie();
      throw err;
    }
    this.startedAt = Date.now();
    this.log.info('simnet RPC listening', { url: this.url, cookieFile: this.options.cookieFile });
  }

  /** Ends long-polls, closes connections, removes the cookie. Idempotent. */
  async stop(): Promise<void> {
    if (!this.startedAt) return;
    this.startedAt = 0;
    await this.http.stop();
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

  private authorized(header: string | undefined): boolean {
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

  private async handle(req: RpcHttpRequest, ctx: RpcHttpContext): Promise<RpcHttpReply> {
    const text = (status: number, body: string, headers: Record<string, string> = {}): RpcHttpReply => ({
      status,
      headers: { 'Content-Type': 'text/plain', ...headers },
      body,
    });
    // bitcoind serves JSON-RPC at "/" (and wallets at /wallet/<name>; simnet has no wallet).
    if (req.target !== '/') return text(404, 'Not Found\n');
    if (req.method !== 'POST') return text(405, 'JSONRPC server handles only POST requests');
    const auth = req.headers.get('authorization');
    if (!this.authorized(auth)) {
      if (auth !== undefined) {
        this.log.warn('simnet RPC: rejected credentials', { remote: req.remoteAddress });
        await Promise.race([new Promise((r) => setTimeout(r, AUTH_FAILURE_DELAY_MS)), ctx.closed]);
      }
      return { status: 401, headers: { 'WWW-Authenticate': 'Basic realm="jsonrpc"' }, body: '' };
    }
    const reply = await this.dispatcher.handle(req.body.toString('utf8'), { closed: ctx.closed });
    return { status: reply.status, headers: reply.body === undefined ? {} : { 'Content-Type': 'application/json' }, ...(reply.body !== undefined ? { body: reply.body } : {}) };
  }

  // -------------------------------------------------------------------------------------------
  // Methods

  private buildMethods(): Record<string, RpcMethod> {
    const node = this.options.node;
    const chain = () => node.chain;
    const m: Record<string, RpcMethod> = {
      getbestblockhash: {
        category: 'Blockchain',
        description: 'Returns the hash of the best (tip) block in the most-work fully-validated chain.',
        args: [],
        run: () => chain().tip().hashHex,
      },
      getblock: {
        category: 'Blockchain',
        description:
          "If verbosity is 0, returns a string that is serialized, hex-encoded data for block 'hash'.\nIf verbosity is 1, returns an Object with information about block <hash>.\nIf verbosity is 2, returns an Object with information about block <hash> and information about each transaction.\nIf verbosity is 3, returns an Object with information about block <hash> and information about each transaction, including prevout information for inputs.",
        args: [arg.blockhash, { names: 'verbosity|verbose', type: 'any', optional: true, help: '(numeric, optional, default=1) 0 for hex-encoded data, 1 for a JSON object, 2 for JSON object with transaction data, and 3 for JSON object with transaction data including prevout information for inputs' }],
        run: (p) => this.getBlock(parseHash(p[0], 'blockhash'), verbosity(p[1], 1)),
      },
      getblockchaininfo: {
        category: 'Blockchain',
        description: 'Returns an object containing various state info regarding blockchain processing.',
        args: [],
        run: () => this.blockchainInfo(),
      },
      getblockcount: {
        category: 'Blockchain',
        description: 'Returns the height of the most-work fully-validated chain.\nThe genesis block has height 0.',
        args: [],
        run: () => chain().height,
      },
      getblockhash: {
        category: 'Blockchain',
        description: 'Returns hash of block in best-block-chain at height provided.',
        args: [{ names: 'height', type: 'number', help: '(numeric, required) The height index' }],
        run: (p) => {
          const h = getInt(p[0]);
          const b = h >= 0 ? chain().blockAt(h) : undefined;
          if (!b) throw new RpcFailure(RPC_INVALID_PARAMETER, 'Block height out of range');
          return b.hashHex;
        },
      },
      getblockheader: {
        category: 'Blockchain',
        description: "If verbose is false, returns a string that is serialized, hex-encoded data for blockheader 'hash'.\nIf verbose is true, returns an Object with information about blockheader <hash>.",
        args: [arg.blockhash, { names: 'verbose', type: 'bool', optional: true, help: '(boolean, optional, default=true) true for a json object, false for the hex-encoded data' }],
        run: (p) => {
          const b = this.block(parseHash(p[0], 'hash'));
          return p[1] === false ? bytesToHex(b.header) : this.headerJson(b);
        },
      },
      getdifficulty: {
        category: 'Blockchain',
        description: 'Returns the proof-of-work difficulty as a multiple of the minimum difficulty.',
        args: [],
        run: () => targetToDifficulty(bitsToTarget(chain().tip().bits)),
      },
      preciousblock: {
        category: 'Blockchain',
        description: 'Treats a block as if it were received before others with the same work.\nSimnet keeps one chain, so this only checks the block is known.',
        args: [{ names: 'blockhash', type: 'string', help: '(string, required) the hash of the block to mark as precious' }],
        run: (p) => {
          this.block(parseHash(p[0], 'blockhash'));
          return null;
        },
      },
      getblocktemplate: {
        category: 'Mining',
        description:
          "If the request parameters include a 'mode' key, that is used to explicitly select between the default 'template' request or a 'proposal'.\nIt returns data needed to construct a block to work on.\nFor full specification, see BIPs 22, 23, 9, and 145.",
        args: [{ names: 'template_request', type: 'object', optional: true, help: '(json object, optional, default={}) Format of the template: {"mode", "capabilities", "rules", "longpollid", "data"}' }],
        run: (p, ctx) => this.getBlockTemplate(p[0], ctx),
      },
      getmininginfo: {
        category: 'Mining',
        description: 'Returns a json object containing mining-related information.',
        args: [],
        run: () => ({
          blocks: chain().height,
          difficulty: targetToDifficulty(bitsToTarget(chain().tip().bits)),
          networkhashps: this.networkHashPs(NETWORK_HASHPS_DEFAULT_BLOCKS, -1),
          pooledtx: 0,
          chain: 'regtest',
          warnings: [],
        }),
      },
      getnetworkhashps: {
        category: 'Mining',
        description:
          'Returns the estimated network hashes per second based on the last n blocks.\nPass in [blocks] to override # of blocks, -1 specifies since last difficulty change.\nPass in [height] to estimate the network speed at the time when a certain block was found.',
        args: [
          { names: 'nblocks', type: 'number', optional: true, help: '(numeric, optional, default=120) The number of previous blocks to calculate estimate from, or -1 for blocks since last difficulty change.' },
          { names: 'height', type: 'number', optional: true, help: '(numeric, optional, default=-1) To estimate at the time of the given height.' },
        ],
        run: (p) => this.networkHashPs(optionalInt(p[0], NETWORK_HASHPS_DEFAULT_BLOCKS), optionalInt(p[1], -1)),
      },
      submitblock: {
        category: 'Mining',
        description: 'Attempts to submit new block to network.\nSee https://en.bitcoin.it/wiki/BIP_0022 for full specification.',
        args: [
          { names: 'hexdata', type: 'string', help: '(string, required) the hex-encoded block data to submit' },
          { names: 'dummy', type: 'string', optional: true, help: '(string, optional, default=ignored) dummy value, for compatibility with BIP22. This value is ignored.' },
        ],
        run: (p) => this.submitBlock(p[0] as string),
      },
      getconnectioncount: {
        category: 'Network',
        description: 'Returns the number of connections to other nodes.',
        args: [],
        run: () => 0,
      },
      getnetworkinfo: {
        category: 'Network',
        description: 'Returns an object containing various state info regarding P2P networking.',
        args: [],
        run: () => this.networkInfo(),
      },
      getpeerinfo: {
        category: 'Network',
        description: 'Returns data about each connected network peer as a json array of objects.',
        args: [],
        run: () => [],
      },
      ping: {
        category: 'Network',
        description: 'Requests that a ping be sent to all other nodes, to measure ping time.',
        args: [],
        run: () => null,
      },
      decoderawtransaction: {
        category: 'Rawtransactions',
        description: 'Return a JSON object representing the serialized, hex-encoded transaction.',
        args: [
          { names: 'hexstring', type: 'string', help: '(string, required) The transaction hex string' },
          { names: 'iswitness', type: 'bool', optional: true, help: '(boolean, optional, default=depends on heuristic tests) Whether the transaction hex is a serialized witness transaction.' },
        ],
        run: (p) => {
          const tx = decodeHexTx(p[0] as string, typeof p[1] === 'boolean' ? p[1] : undefined);
          if (!tx) throw new RpcFailure(RPC_DESERIALIZATION_ERROR, 'TX decode failed');
          return txToJson(tx, 'regtest');
        },
      },
      getrawtransaction: {
        category: 'Rawtransactions',
        description: 'Return the raw transaction data.\nSimnet indexes every block (as -txindex) and has no mempool.',
        args: [
          { names: 'txid', type: 'string', help: '(string, required) The transaction id' },
          { names: 'verbosity|verbose', type: 'any', optional: true, help: '(numeric, optional, default=0) 0 for hex-encoded data, 1 for a JSON object, and 2 for JSON object with fee and prevout' },
          { names: 'blockhash', type: 'string', optional: true, help: '(string, optional) The block in which to look for the transaction' },
        ],
        run: (p) => this.getRawTransaction(p[0], p[1], p[2]),
      },
      validateaddress: {
        category: 'Util',
        description: 'Return information about the given bitcoin address.',
        args: [{ names: 'address', type: 'string', help: '(string, required) The bitcoin address to validate' }],
        run: (p) => addressInfo(p[0] as string, 'regtest'),
      },
      getrpcinfo: {
        category: 'Control',
        description: 'Returns details of the RPC server.',
        args: [],
        run: () => ({ active_commands: this.dispatcher.activeCommands(), logpath: this.options.logPath ?? '' }),
      },
      help: {
        category: 'Control',
        description: 'List all commands, or get help for a specified command.',
        args: [{ names: 'command', type: 'string', optional: true, help: '(string, optional, default=all commands) The command to get help on' }],
        run: (p) => this.help(p[0] as string | undefined),
      },
      uptime: {
        category: 'Control',
        description: 'Returns the total uptime of the server.',
        args: [],
        run: () => Math.floor((Date.now() - this.startedAt) / 1000),
      },
      simnet_getbalances: {
        category: 'Simnet',
        description: 'Satoshis paid to every address by simnet coinbases so far: {"<address>": sats, ...}.',
        args: [],
        run: () => Object.fromEntries([...chain().balances()].map(([a, v]) => [a, Number(v)])),
      },
      simnet_getbalance: {
        category: 'Simnet',
        description: 'Satoshis paid to one address by simnet coinbases: {"address", "sats", "btc"}.',
        args: [{ names: 'address', type: 'string', help: '(string, required) A regtest address' }],
        run: (p) => {
          let address: string;
          try {
            address = validateAddress(p[0] as string, 'regtest', { chainName: 'simnet' }).address;
          } catch (err) {
            if (err instanceof InvalidAddressError) throw new RpcFailure(RPC_INVALID_ADDRESS_OR_KEY, `Invalid address: ${err.reason}`);
            throw err;
          }
          const sats = chain().balance(address);
          return { address, sats: Number(sats), btc: Number(sats) / 1e8 };
        },
      },
      scantxoutset: {
        category: 'Blockchain',
        description:
          'Scans the unspent transaction output set for entries that match certain output descriptors.\n' +
          "Simnet's UTXO set is every coinbase output of its chain (nothing spends them); it scans addr() and raw() descriptors.",
        args: [
          { names: 'action', type: 'string', help: '(string, required) "start" for starting a scan, "abort" or "status" (simnet scans finish at once)' },
          { names: 'scanobjects', type: 'array', optional: true, help: '(json array, optional) Array of scan objects ("addr(ADDRESS)", "raw(HEX)" or {"desc": …}). Required for "start" action' },
        ],
        run: (p) => {
          try {
            return scanTxOutSet(chain(), p[0], p[1]);
          } catch (err) {
            if (err instanceof ScanError) throw new RpcFailure(err.code, err.message);
            throw err;
          }
        },
      },
    };
    return m;
  }

  private help(command: string | undefined): string {
    if (command !== undefined && command !== null) {
      const method = Object.hasOwn(this.methods, command) ? this.methods[command] : undefined;
      if (!method) return `help: unknown command: ${command}`;
      return helpText(command, method);
    }
    const byCategory = new Map<string, string[]>();
    for (const name of Object.keys(this.methods).sort()) {
      const method = this.methods[name]!;
      const list = byCategory.get(method.category) ?? [];
      list.push(signature(name, method));
      byCategory.set(method.category, list);
    }
    return [...byCategory].map(([category, lines]) => `== ${category} ==\n${lines.join('\n')}`).join('\n\n');
  }

  private block(hashHex: string): ChainBlock {
    const b = this.options.node.chain.blockByHash(hashHex);
    if (!b) throw new RpcFailure(RPC_INVALID_ADDRESS_OR_KEY, 'Block not found');
    return b;
  }

  /** Core's blockheaderToJSON (with v29's "target"). */
  private headerJson(b: ChainBlock): Record<string, unknown> {
    const { chain } = this.options.node;
    const next = chain.blockAt(b.height + 1);
    return {
      hash: b.hashHex,
      confirmations: chain.height - b.height + 1,
      height: b.height,
      version: b.version,
      versionHex: u32ToHex(b.version),
      merkleroot: bytesToHex(reverseBytes(b.merkleRoot)),
      time: b.time,
      mediantime: b.medianTime,
      nonce: b.nonce,
      bits: u32ToHex(b.bits),
      target: targetToHex(bitsToTarget(b.bits)),
      difficulty: targetToDifficulty(bitsToTarget(b.bits)),
      chainwork: b.chainWork.toString(16).padStart(64, '0'),
      nTx: b.txCount,
      ...(b.height > 0 ? { previousblockhash: bytesToHex(reverseBytes(b.prevHash)) } : {}),
      ...(next ? { nextblockhash: next.hashHex } : {}),
    };
  }

  /** getblock: hex (0), txids (1), decoded transactions (2 and 3: simnet blocks hold only a coinbase). */
  private getBlock(hashHex: string, v: number): unknown {
    const b = this.block(hashHex);
    if (v <= 0) return bytesToHex(b.raw);
    const parsed = parseBlock(b.raw);
    const stripped = 80 + encodeVarInt(parsed.txs.length).length + parsed.txs.reduce((n, t) => n + serializeTx(t.tx, { witness: false }).length, 0);
    return {
      ...this.headerJson(b),
      strippedsize: stripped,
      size: b.raw.length,
      weight: stripped * (WITNESS_SCALE_FACTOR - 1) + b.raw.length,
      tx: v === 1 ? b.txids : parsed.txs.map((t) => txToJson(t.tx, 'regtest', { includeHex: true })),
    };
  }

  private getRawTransaction(txidArg: unknown, verbosityArg: unknown, blockArg: unknown): unknown {
    const { chain } = this.options.node;
    const txidHex = parseHash(txidArg, 'parameter 1');
    const genesis = chain.blockAt(0);
    if (genesis && bytesToHex(reverseBytes(genesis.merkleRoot)) === txidHex) {
      throw new RpcFailure(RPC_INVALID_ADDRESS_OR_KEY, 'The genesis block coinbase is not considered an ordinary transaction and cannot be retrieved');
    }
    const v = verbosity(verbosityArg, 0);
    let given: ChainBlock | undefined;
    if (blockArg !== undefined && blockArg !== null) {
      given = chain.blockByHash(parseHash(blockArg, 'parameter 3'));
      if (!given) throw new RpcFailure(RPC_INVALID_ADDRESS_OR_KEY, 'Block hash not found');
    }
    const holder = given ?? chain.blockOfTx(txidHex);
    const index = holder ? holder.txids.indexOf(txidHex) : -1;
    if (!holder || index < 0) {
      throw new RpcFailure(RPC_INVALID_ADDRESS_OR_KEY, `${given ? 'No such transaction found in the provided block' : 'No such mempool or blockchain transaction'}. Use gettransaction for wallet transactions.`);
    }
    const tx: Transaction = parseBlock(holder.raw).txs[index]!.tx;
    if (v <= 0) return bytesToHex(serializeTx(tx));
    return {
      ...(given ? { in_active_chain: true } : {}),
      ...txToJson(tx, 'regtest', { includeHex: true }),
      blockhash: holder.hashHex,
      confirmations: chain.height - holder.height + 1,
      time: holder.time,
      blocktime: holder.time,
    };
  }

  private blockchainInfo(): Record<string, unknown> {
    const { chain } = this.options.node;
    const tip = chain.tip();
    let size = 0;
    for (let h = 0; h <= chain.height; h++) size += chain.blockAt(h)!.raw.length;
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
      size_on_disk: size,
      pruned: false,
      warnings: [],
    };
  }

  private networkInfo(): Record<string, unknown> {
    return {
      version: SPEAKS_CORE_VERSION,
      subversion: '/otedama-simnet/',
      protocolversion: PROTOCOL_VERSION,
      localservices: '0000000000000000',
      localservicesnames: [],
      localrelay: false,
      timeoffset: 0,
      networkactive: true,
      connections: 0,
      connections_in: 0,
      connections_out: 0,
      networks: [],
      relayfee: RELAY_FEE_BTC_PER_KVB,
      incrementalfee: RELAY_FEE_BTC_PER_KVB,
      localaddresses: [],
      warnings: [],
    };
  }

  /** Core's GetNetworkHashPS: chain work over the time spanned by the last `lookup` blocks. */
  private networkHashPs(lookup: number, height: number): number {
    const { chain } = this.options.node;
    if (lookup < -1 || lookup === 0) throw new RpcFailure(RPC_INVALID_PARAMETER, 'Invalid nblocks. Must be a positive number or -1.');
    if (height < -1 || height > chain.height) throw new RpcFailure(RPC_INVALID_PARAMETER, 'Block does not exist at specified height');
    const pb = height >= 0 ? chain.blockAt(height)! : chain.tip();
    if (pb.height === 0) return 0;
    if (lookup === -1) lookup = (pb.height % DIFFICULTY_ADJUSTMENT_INTERVAL) + 1;
    if (lookup > pb.height) lookup = pb.height;
    let minTime = pb.time;
    let maxTime = pb.time;
    for (let i = 1; i <= lookup; i++) {
      const t = chain.blockAt(pb.height - i)!.time;
      minTime = Math.min(minTime, t);
      maxTime = Math.max(maxTime, t);
    }
    if (minTime === maxTime) return 0;
    const work = pb.chainWork - chain.blockAt(pb.height - lookup)!.chainWork;
    return Number(work) / (maxTime - minTime);
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

  /** Core's getblocktemplate: proposal mode, long-poll, then the segwit rule check. */
  private async getBlockTemplate(request: unknown, ctx: RpcCallContext): Promise<unknown> {
    const r = (request ?? {}) as Record<string, unknown>;
    let mode = 'template';
    if (typeof r.mode === 'string') mode = r.mode;
    else if (r.mode !== undefined && r.mode !== null) throw new RpcFailure(RPC_INVALID_PARAMETER, 'Invalid mode');
    if (mode === 'proposal') return this.proposal(r.data);
    const rules = new Set<string>();
    if (Array.isArray(r.rules)) {
      for (const rule of r.rules) {
        if (typeof rule !== 'string') throw new RpcFailure(RPC_MISC_ERROR, `JSON value of type ${jsonTypeOf(rule)} is not of expected type string`);
        rules.add(rule);
      }
    }
    if (mode !== 'template') throw new RpcFailure(RPC_INVALID_PARAMETER, 'Invalid mode');
    const lp = r.longpollid;
    if (lp !== undefined && lp !== null) {
      // A string names the tip it was made on (its first 64 characters); anything else waits on
      // the current tip. Held until a new block, the timeout, the client leaving, or shutdown.
      const watched = typeof lp === 'string' ? parseHash(lp.slice(0, 64), 'longpollid') : this.options.node.chain.tip().hashHex;
      if (watched === this.options.node.chain.tip().hashHex) {
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
    }
    if (!rules.has('segwit')) {
      throw new RpcFailure(RPC_INVALID_PARAMETER, 'getblocktemplate must be called with the segwit rule set (call with {"rules": ["segwit"]})');
    }
    return this.templateResult();
  }

  /** BIP23 block proposal: would this block be valid on the tip (proof of work not checked)? */
  private proposal(data: unknown): string | null {
    if (typeof data !== 'string') throw new RpcFailure(RPC_TYPE_ERROR, 'Missing data String key for proposal');
    const block = this.decodeBlock(data);
    const { chain } = this.options.node;
    const raw = hexToBytes(data);
    const r = chain.check(block, raw, { now: this.options.node.now(), checkPow: false });
    if (r.ok) return null;
    if (r.reason === 'duplicate') return 'duplicate';
    if (r.reason === 'inconclusive' || r.reason === 'prev-blk-not-found') return 'inconclusive-not-best-prevblk';
    return r.reason;
  }

  private decodeBlock(hex: string): ParsedBlock {
    if (!isHex(hex)) throw new RpcFailure(RPC_DESERIALIZATION_ERROR, 'Block decode failed');
    try {
      return parseBlock(hexToBytes(hex));
    } catch {
      throw new RpcFailure(RPC_DESERIALIZATION_ERROR, 'Block decode failed');
    }
  }

  private async submitBlock(hex: string): Promise<string | null> {
    // A header followed by an empty transaction list decodes in Core; it is refused after.
    if (isHex(hex) && hex.length === 162 && hex.endsWith('00')) throw new RpcFailure(RPC_DESERIALIZATION_ERROR, 'Block does not start with a coinbase');
    let block = this.decodeBlock(hex);
    if (!isCoinbase(block.txs[0]!.tx)) throw new RpcFailure(RPC_DESERIALIZATION_ERROR, 'Block does not start with a coinbase');
    let raw = hexToBytes(hex);
    // Core's UpdateUncommittedBlockStructures: a coinbase that commits to witnesses but carries no
    // witness gets the default reserved value (32 zero bytes), as miners and ckpool expect.
    const cb = block.txs[0]!.tx;
    if (findWitnessCommitment(cb.outputs) >= 0 && cb.inputs[0]!.witness.length === 0) {
      const withNonce: Transaction = { ...cb, inputs: [{ ...cb.inputs[0]!, witness: [new Uint8Array(32)] }] };
      raw = concatBytes(block.header, encodeVarInt(block.txs.length), serializeTx(withNonce), ...block.txs.slice(1).map((t) => t.raw));
      block = parseBlock(raw);
    }
    const outcome = await this.options.node.submit(block, raw);
    return outcome.accepted ? null : outcome.reason;
  }
}
