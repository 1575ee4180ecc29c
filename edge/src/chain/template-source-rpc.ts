/**
 * The TemplateSource over JSON-RPC, one implementation for both simnets and for a real bitcoind
 * or ravend: `getblocktemplate {"rules":["segwit"]}` every pollSeconds, plus a long-poll loop
 * whenever the node offers a `longpollid` (the nodes and simnet answer it the moment the tip
 * changes). Templates are emitted when their content changes (tip, bits, value, transactions,
 * longpollid), not when only curtime moves; `newBlock` is set when the previous block hash
 * changed. When the height jumped by more than one (two blocks within one long-poll round trip),
 * the blocks passed over are looked up (getblockheader, walking back from the new tip) and named
 * in the update, so that shares other nodes' templates built on them are not taken for unknown.
 *
 * Generic over the algorithm module: the source knows which algorithm its chain mines (SHA-256d
 * for Bitcoin, KawPow for Ravencoin) and which coin's addresses it pays, and refuses on start a
 * node of the other coin (ravend's getblockchaininfo has `difficulty_algorithm`, bitcoind's has
 * not). A template's job header, job input and submitted block come from the module
 * (template-work.ts); ravend takes the same BIP22 request and a block with its 120-byte header
 * through the same submitblock.
 */
import { bytesToHex, concatBytes, hexToBytes, parseBlockTemplate, reverseBytes, sha256, SHA256D, type Algorithm, type BlockTemplate, type Coin, type Network } from '@otedama/core';
import { RpcError, RpcTransportError } from '../errors.ts';
import type { Logger } from '../logger.ts';
import type { JsonRpcCaller } from './rpc-client.ts';
import type { PassedCoinBlock, SubmitBlockResult, TemplateSource, TemplateUpdate } from './template-source.ts';

/** How long one long-poll may be held before asking again (ms); bitcoind may hold for minutes. */
export const DEFAULT_LONG_POLL_TIMEOUT_MS = 5 * 60_000;
/** How long start() keeps trying while the node is unreachable or warming up (ms). */
export const DEFAULT_START_TIMEOUT_MS = 60_000;
/** Backoff bounds for the long-poll loop after a failure (ms). */
const LONG_POLL_BACKOFF_MIN_MS = 500;
const LONG_POLL_BACKOFF_MAX_MS = 30_000;
/**
 * How many coin blocks passed over between two templates are looked up: shares may build on a tip
 * and the two blocks before it (core's CoinTips), so older ones could only be refused as stale.
 */
export const MAX_PASSED_BLOCKS = 2;
/** bitcoind's "still loading" code. */
const RPC_IN_WARMUP = -28;
/** Transient node states start() waits through: loading (-28), no peers (-9), initial sync (-10). */
const WAIT_CODES = new Set([RPC_IN_WARMUP, -9, -10]);

export interface RpcTemplateSourceOptions {
  readonly client: JsonRpcCaller;
  readonly pollSeconds: number;
  readonly logger: Logger;
  /** Use long-poll when offered (default true). */
  readonly longPoll?: boolean;
  readonly longPollTimeoutMs?: number;
  readonly startTimeoutMs?: number;
  /** getblocktemplate rules (bitcoind requires "segwit"; ravend ignores it). */
  readonly rules?: readonly string[];
  /** The chain's algorithm module (default SHA-256d). */
  readonly algorithm?: Algorithm;
  /** Whose addresses the chain pays (default bitcoin); a node of the other coin is refused on start. */
  readonly coin?: Coin;
}

/** bitcoind's chain names (getblockchaininfo.chain) to address networks. */
/** The node's coin from its getblockchaininfo: ravend adds `difficulty_algorithm` (DGW-180 or BTC), bitcoind does not. */
export function coinFromChainInfo(info: Record<string, unknown>): Coin {
  return typeof info.difficulty_algorithm === 'string' ? 'ravencoin' : 'bitcoin';
}

export function networkFromChainName(chain: string): Network {
  if (chain === 'main') return 'mainnet';
  if (chain === 'regtest') return 'regtest';
  if (chain === 'test' || chain === 'testnet4' || chain === 'signet') return 'testnet';
  throw new RpcTransportError(`the node reports an unknown chain ${JSON.stringify(chain)} (expected main, test, testnet4, signet or regtest)`, false);
}

function fingerprint(t: BlockTemplate): string {
  const txids = sha256(concatBytes(...t.transactions.map((x) => x.txid)));
  return [bytesToHex(t.prevHash), t.height, t.bits, t.version, t.coinbaseValue, t.transactions.length, bytesToHex(txids), t.longpollId ?? ''].join('|');
}

function sleep(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    if (signal.aborted) return resolve();
    const t = setTimeout(done, ms);
    signal.addEventListener('abort', done, { once: true });
    function done() {
      clearTimeout(t);
      signal.removeEventListener('abort', done);
      resolve();
    }
  });
}

export class RpcTemplateSource implements TemplateSource {
  private latest: BlockTemplate | undefined;
  private emittedFingerprint = '';
  private emittedPrevHash = '';
  private emittedHeight = 0;
  /** Templates from poll and long-poll are applied one after the other, in the order they came. */
  private applying: Promise<void> = Promise.resolve();
  private readonly listeners = new Set<(u: TemplateUpdate) => void>();
  private readonly log: Logger;
  private running: AbortController | undefined;
  private pollTimer: NodeJS.Timeout | undefined;
  private polling = false;
  private longPollArrivals = 0;
  private longPollLoop: Promise<void> | undefined;
  private networkName: Network | undefined;
  private lastPollError = '';

  readonly algorithm: Algorithm;
  readonly coin: Coin;

  constructor(private readonly options: RpcTemplateSourceOptions) {
    this.log = options.logger.forComponent('edge:template-rpc');
    this.algorithm = options.algorithm ?? SHA256D;
    this.coin = options.coin ?? 'bitcoin';
  }

  /** The node's address network (from getblockchaininfo), once started. */
  get network(): Network | undefined {
    return this.networkName;
  }

  current(): BlockTemplate | undefined {
    return this.latest;
  }

  onTemplate(listener: (update: TemplateUpdate) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /**
   * Resolves with the first template. Waits (up to startTimeoutMs) while the node is unreachable,
   * loading (-28), without peers (-9) or in initial sync (-10); other errors reject at once.
   */
  async start(): Promise<void> {
    if (this.running) return;
    const running = new AbortController();
    this.running = running;
    const deadline = Date.now() + (this.options.startTimeoutMs ?? DEFAULT_START_TIMEOUT_MS);
    for (let wait = 250; ; wait = Math.min(wait * 2, 5000)) {
      try {
        const info = await this.options.client.call<Record<string, unknown>>('getblockchaininfo', [], { signal: running.signal });
        this.networkName = networkFromChainName(String(info?.chain));
        const nodeCoin = coinFromChainInfo(info ?? {});
        if (nodeCoin !== this.coin) {
          throw new RpcTransportError(
            `the node is a ${nodeCoin === 'ravencoin' ? 'Ravencoin (ravend)' : 'Bitcoin (bitcoind)'} node, but this edge mines ${this.algorithm.name} on ${this.coin}: point chain.rpc_url at a ${this.coin === 'ravencoin' ? 'ravend' : 'bitcoind'} or set chain.coin: ${nodeCoin}`,
            false,
          );
        }
        this.apply(await this.fetchTemplate(running.signal), 'start');
        break;
      } catch (err) {
        const waiting = (err instanceof RpcError && WAIT_CODES.has(err.rpcCode)) || (err instanceof RpcTransportError && err.retryable);
        if (running.signal.aborted || !waiting || Date.now() + wait > deadline) {
          this.running = undefined;
          throw err;
        }
        this.log.info('waiting for the node', { reason: (err as Error).message });
        await sleep(wait, running.signal);
      }
    }
    this.schedulePoll(running);
    if (this.options.longPoll ?? true) this.longPollLoop = this.runLongPoll(running.signal);
  }

  /** Stops polling and cancels a held long-poll. Idempotent. */
  async stop(): Promise<void> {
    const running = this.running;
    if (!running) return;
    this.running = undefined;
    running.abort();
    clearTimeout(this.pollTimer);
    await this.longPollLoop;
    this.longPollLoop = undefined;
  }

  /**
   * Submits a serialized block. Resolves accepted for null (and for "duplicate": the node has
   * it), otherwise with bitcoind's reason; node errors (e.g. -22 decode failed) are reasons too.
   * Rejects only when the node cannot be reached.
   */
  async submitBlock(blockHex: string): Promise<SubmitBlockResult> {
    let result: SubmitBlockResult;
    try {
      const r = await this.options.client.call<string | null>('submitblock', [blockHex]);
      result = r === null ? { accepted: true } : r === 'duplicate' ? { accepted: true, reason: 'duplicate' } : { accepted: false, reason: String(r) };
    } catch (err) {
      if (!(err instanceof RpcError)) throw err;
      result = { accepted: false, reason: `rpc error ${err.rpcCode}: ${err.rpcMessage}` };
    }
    this.log.info(result.accepted ? 'block accepted by the node' : 'block rejected by the node', { ...(result.reason ? { reason: result.reason } : {}) });
    // A new tip means a new template: ask now rather than at the next poll.
    if (this.running) void this.poll();
    return result;
  }

  private async fetchTemplate(signal: AbortSignal, longpollid?: string): Promise<BlockTemplate> {
    const request: Record<string, unknown> = { rules: [...(this.options.rules ?? ['segwit'])] };
    if (longpollid !== undefined) request.longpollid = longpollid;
    const raw = await this.options.client.call(
      'getblocktemplate',
      [request],
      longpollid !== undefined ? { signal, retries: 0, timeoutMs: this.options.longPollTimeoutMs ?? DEFAULT_LONG_POLL_TIMEOUT_MS } : { signal },
    );
    return parseBlockTemplate(raw);
  }

  /** Applies a template after those before it, with the coin blocks passed over since the last one looked up first. */
  private applyInTurn(template: BlockTemplate, via: string, signal: AbortSignal): Promise<void> {
    const turn = this.applying.then(async () => {
      const skipped = template.height - 1 - this.emittedHeight;
      // A template on another block is a new one (its prevHash is in the fingerprint apply compares).
      const moved = this.emittedPrevHash !== '' && bytesToHex(template.prevHash) !== this.emittedPrevHash;
      const passed = moved && skipped > 0 ? await this.passedBlocks(template, Math.min(skipped, MAX_PASSED_BLOCKS), signal) : [];
      if (!signal.aborted) this.apply(template, via, passed);
    });
    this.applying = turn.catch(() => undefined);
    return turn;
  }

  /**
   * The `count` coin blocks below the one `template` builds on, oldest first, from the node's
   * headers (each header gives its parent's hash and the bits a block on that parent needed). A
   * node that cannot answer costs only the lookup: the template goes out with what was found.
   */
  private async passedBlocks(template: BlockTemplate, count: number, signal: AbortSignal): Promise<PassedCoinBlock[]> {
    const passed: PassedCoinBlock[] = [];
    let hash = bytesToHex(reverseBytes(template.prevHash));
    try {
      while (passed.length < count) {
        const header = await this.options.client.call<unknown>('getblockheader', [hash, true], { signal });
        const { height, bits, previousblockhash } = parsePassedHeader(header, hash);
        const expected = template.height - 1 - passed.length;
        if (height !== expected) throw new RpcTransportError(`getblockheader ${hash}: height ${height}, but the template's chain has it at ${expected}`, false);
        if (previousblockhash === undefined) break;
        passed.unshift({ hash: reverseBytes(hexToBytes(previousblockhash)), nextHeight: height, nextBits: bits });
        hash = previousblockhash;
      }
    } catch (err) {
      if (!signal.aborted) this.log.warn('coin blocks passed between templates not looked up', { height: template.height, found: passed.length, of: count, error: (err as Error).message });
    }
    return passed;
  }

  private apply(template: BlockTemplate, via: string, passed: readonly PassedCoinBlock[] = []): void {
    this.latest = template;
    const fp = fingerprint(template);
    if (fp === this.emittedFingerprint) return;
    this.emittedFingerprint = fp;
    const prev = bytesToHex(template.prevHash);
    const newBlock = prev !== this.emittedPrevHash;
    this.emittedPrevHash = prev;
    this.emittedHeight = template.height;
    this.log.debug('new template', { via, height: template.height, newBlock, txs: template.transactions.length });
    if (newBlock) this.log.info('new block to mine on', { height: template.height, prev: bytesToHex(reverseBytes(template.prevHash)), ...(passed.length > 0 ? { passed: passed.length } : {}) });
    const update: TemplateUpdate = passed.length > 0 ? { template, newBlock, passed } : { template, newBlock };
    for (const l of [...this.listeners]) {
      try {
        l(update);
      } catch (err) {
        this.log.error('template listener failed', { error: (err as Error).message });
      }
    }
  }

  private schedulePoll(running: AbortController): void {
    if (this.running !== running) return;
    this.pollTimer = setTimeout(() => {
      void this.poll().finally(() => this.schedulePoll(running));
    }, this.options.pollSeconds * 1000);
  }

  private async poll(): Promise<void> {
    const running = this.running;
    if (!running || this.polling) return;
    this.polling = true;
    const arrivalsBefore = this.longPollArrivals;
    try {
      const t = await this.fetchTemplate(running.signal);
      // A long-poll answer that landed meanwhile is newer than this poll's snapshot.
      if (this.running === running && this.longPollArrivals === arrivalsBefore) await this.applyInTurn(t, 'poll', running.signal);
      if (this.lastPollError) this.log.info('node reachable again');
      this.lastPollError = '';
    } catch (err) {
      if (!running.signal.aborted) {
        const msg = (err as Error).message;
        if (msg !== this.lastPollError) this.log.warn('getblocktemplate failed', { error: msg });
        this.lastPollError = msg;
      }
    } finally {
      this.polling = false;
    }
  }

  private async runLongPoll(signal: AbortSignal): Promise<void> {
    let backoff = LONG_POLL_BACKOFF_MIN_MS;
    while (!signal.aborted) {
      const id = this.latest?.longpollId;
      if (id === undefined) {
        await sleep(this.options.pollSeconds * 1000, signal);
        continue;
      }
      try {
        const t = await this.fetchTemplate(signal, id);
        if (signal.aborted) return;
        this.longPollArrivals++;
        await this.applyInTurn(t, 'long-poll', signal);
        backoff = LONG_POLL_BACKOFF_MIN_MS;
      } catch (err) {
        if (signal.aborted) return;
        if (err instanceof RpcError && !WAIT_CODES.has(err.rpcCode)) {
          this.log.warn('the node refused long-poll; polling only', { error: err.message });
          return;
        }
        this.log.debug('long-poll failed; retrying', { error: (err as Error).message, backoffMs: backoff });
        await sleep(backoff, signal);
        backoff = Math.min(backoff * 2, LONG_POLL_BACKOFF_MAX_MS);
      }
    }
  }
}

/** A verbose getblockheader answer, checked: a node's malformed answer is an error that names it. */
function parsePassedHeader(raw: unknown, hash: string): { height: number; bits: number; previousblockhash: string | undefined } {
  const h = raw as { height?: unknown; bits?: unknown; previousblockhash?: unknown } | null;
  const bad = (what: string) => new RpcTransportError(`getblockheader ${hash}: ${what}`, false);
  if (typeof h !== 'object' || h === null) throw bad('the answer is not an object');
  if (typeof h.height !== 'number' || !Number.isSafeInteger(h.height) || h.height < 0) throw bad(`height ${JSON.stringify(h.height)} is not a block height`);
  if (typeof h.bits !== 'string' || !/^[0-9a-f]{8}$/i.test(h.bits)) throw bad(`bits ${JSON.stringify(h.bits)} is not 8 hex digits`);
  const prev = h.previousblockhash;
  if (prev !== undefined && (typeof prev !== 'string' || !/^[0-9a-f]{64}$/i.test(prev))) throw bad(`previousblockhash ${JSON.stringify(prev)} is not a block hash`);
  return { height: h.height, bits: parseInt(h.bits, 16), previousblockhash: prev?.toLowerCase() };
}
