/**
 * Simnet, the embedded chain: a SimnetChain kept in `<dataDir>/simnet/` and served over
 * bitcoind-compatible JSON-RPC on 127.0.0.1, so the edge talks to it exactly as to a real node
 * (template-source-rpc.ts). On first start it creates a genesis block; on every start it reloads
 * the block file and re-validates every block.
 *
 *   <dataDir>/simnet/blocks.jsonl   append-only blocks (simnet-store.ts)
 *   <dataDir>/simnet/.cookie        RPC cookie while running (__cookie__:<hex>, mode 0600)
 */
import { bytesToHex, concatBytes, hexToBytes, parseBlock, scriptToAddress, sha256, type ParsedBlock } from '@otedama/core';
import { join } from 'node:path';
import { SimnetError, SimnetStoreError } from '../errors.ts';
import type { Logger } from '../logger.ts';
import { SimnetChain, type ChainChange } from './simnet-chain.ts';
import { SimnetRpcServer, type SimnetRpcNode, type SubmitOutcome } from './simnet-rpc-server.ts';
import { isStoredMark, SimnetStore } from './simnet-store.ts';

export const SIMNET_DIR = 'simnet';
export const COOKIE_FILE = '.cookie';
/**
 * Where simnet coinbases go when no payout address is configured: the regtest P2WSH of OP_TRUE
 * (bcrt1qft5p2uhs…), an address anyone can spend from, which suits a test chain with no wallet.
 */
export const SIMNET_DEFAULT_PAYOUT_ADDRESS: string = scriptToAddress(concatBytes(new Uint8Array([0x00, 0x20]), sha256(new Uint8Array([0x51]))), 'regtest')!;

export interface SimnetOptions {
  /** The edge's data folder; simnet keeps its files in `<dataDir>/simnet`. */
  readonly dataDir: string;
  /** Loopback RPC port (0 = any free port). */
  readonly rpcPort: number;
  readonly blockDifficulty: number;
  readonly blockRewardSats: number;
  /** Basic-auth credentials accepted besides the cookie (optional). */
  readonly rpcUser?: string;
  readonly rpcPassword?: string;
  readonly logger: Logger;
  /** Milliseconds since the epoch (tests pin the clock). */
  readonly now?: () => number;
  readonly longPollTimeoutMs?: number;
}

export class Simnet implements SimnetRpcNode {
  readonly dir: string;
  readonly cookieFile: string;
  private chainState: SimnetChain;
  private readonly store: SimnetStore;
  private readonly rpc: SimnetRpcServer;
  private readonly log: Logger;
  private readonly clock: () => number;
  private readonly tipListeners = new Set<() => void>();
  private ready = false;
  private starting: Promise<void> | undefined;
  private queue: Promise<unknown> = Promise.resolve();

  constructor(private readonly options: SimnetOptions) {
    this.dir = join(options.dataDir, SIMNET_DIR);
    this.cookieFile = join(this.dir, COOKIE_FILE);
    this.log = options.logger.forComponent('edge:simnet');
    this.clock = options.now ?? Date.now;
    this.chainState = this.newChain();
    this.store = new SimnetStore({ dir: this.dir, logger: options.logger });
    this.rpc = new SimnetRpcServer({
      node: this,
      port: options.rpcPort,
      cookieFile: this.cookieFile,
      ...(options.rpcUser !== undefined ? { user: options.rpcUser } : {}),
      ...(options.rpcPassword !== undefined ? { password: options.rpcPassword } : {}),
      logger: options.logger,
      ...(options.longPollTimeoutMs !== undefined ? { longPollTimeoutMs: options.longPollTimeoutMs } : {}),
    });
  }

  get chain(): SimnetChain {
    return this.chainState;
  }

  /** http://127.0.0.1:<port>/ once started. */
  get rpcUrl(): string {
    return this.rpc.url;
  }

  isReady(): boolean {
    return this.ready;
  }

  now(): number {
    return Math.floor(this.clock() / 1000);
  }

  /** Loads (or creates) the chain, then serves RPC. Idempotent. */
  start(): Promise<void> {
    this.starting ??= this.doStart().catch(async (err: unknown) => {
      this.starting = undefined;
      await this.store.close();
      await this.rpc.stop();
      throw err;
    });
    return this.starting;
  }

  private newChain(): SimnetChain {
    return new SimnetChain({ blockDifficulty: this.options.blockDifficulty, blockRewardSats: this.options.blockRewardSats });
  }

  private async doStart(): Promise<void> {
    this.chainState = this.newChain();
    this.ready = false;
    const stored = await this.store.open();
    // RPC listens (and answers -28 "loading") while the chain is re-validated, like bitcoind.
    await this.rpc.start();
    for (const s of stored) {
      if (isStoredMark(s)) {
        try {
          if (s.mark === 'invalidate') this.chainState.invalidate(s.hash);
          else this.chainState.reconsider(s.hash);
        } catch (err) {
          throw new SimnetStoreError(`${this.store.file}: ${s.mark} ${s.hash}: ${(err as Error).message}; move the file away to start a new simnet chain`);
        }
        continue;
      }
      let block: ParsedBlock;
      let raw: Uint8Array;
      try {
        raw = hexToBytes(s.block);
        block = parseBlock(raw);
      } catch (err) {
        throw new SimnetStoreError(`${this.store.file} height ${s.height}: not a block (${(err as Error).message}); move the file away to start a new simnet chain`);
      }
      const r = this.chainState.check(block, raw, { now: this.now(), reloading: true });
      if (!r.ok) {
        throw new SimnetStoreError(`${this.store.file} height ${s.height}: block ${s.hash} fails validation (${r.reason}); move the file away to start a new simnet chain`);
      }
      if (r.block.hashHex !== s.hash || r.block.height !== s.height) throw new SimnetStoreError(`${this.store.file} height ${s.height}: stored hash or height does not match the block`);
      this.chainState.connect(r.block);
    }
    if (this.chainState.isEmpty()) {
      const raw = this.chainState.createGenesis(this.now());
      const r = this.chainState.check(parseBlock(raw), raw, { now: this.now() });
      if (!r.ok) throw new SimnetStoreError(`simnet genesis block is invalid (${r.reason})`);
      await this.store.append({ height: 0, hash: r.block.hashHex, block: bytesToHex(raw) });
      this.chainState.connect(r.block);
      this.log.info('simnet created a new chain', { genesis: r.block.hashHex, dir: this.dir });
    }
    this.ready = true;
    const tip = this.chainState.tip();
    this.log.info('simnet ready', { height: tip.height, tip: tip.hashHex, rpc: this.rpc.url, bits: tip.bits.toString(16) });
  }

  /** Stops RPC and closes the block file. Idempotent. */
  async stop(): Promise<void> {
    const starting = this.starting;
    this.starting = undefined;
    if (starting) await starting.catch(() => undefined);
    this.ready = false;
    await this.rpc.stop();
    await this.queue.catch(() => undefined);
    await this.store.close();
    this.tipListeners.clear();
  }

  onTip(listener: () => void): () => void {
    this.tipListeners.add(listener);
    return () => this.tipListeners.delete(listener);
  }

  /**
   * Validates and, if valid, stores (fsynced) and connects a block. Submissions are serialized,
   * so two blocks for the same height cannot both win. A valid block that does not become the
   * tip is kept on its side branch and answered `inconclusive` (bitcoind's submitblock answer).
   */
  submit(block: ParsedBlock, raw: Uint8Array): Promise<SubmitOutcome> {
    return this.serialized(async (): Promise<SubmitOutcome> => {
      if (!this.ready) return { accepted: false, reason: 'inconclusive' };
      const r = this.chainState.check(block, raw, { now: this.now() });
      if (!r.ok) {
        this.log.info('simnet rejected a block', { reason: r.reason });
        return { accepted: false, reason: r.reason };
      }
      await this.store.append({ height: r.block.height, hash: r.block.hashHex, block: bytesToHex(raw) });
      const change = this.chainState.connect(r.block);
      if (!change.tipChanged) {
        this.log.info('simnet kept a block on a side branch (less work than the tip)', { height: r.block.height, hash: r.block.hashHex, tip: this.chainState.tip().hashHex });
        return { accepted: false, reason: 'inconclusive' };
      }
      this.log.info('simnet accepted a block', { height: r.block.height, hash: r.block.hashHex });
      this.changed(change);
      return { accepted: true, block: r.block };
    });
  }

  /** bitcoind's invalidateblock (persisted): the block and its descendants leave the active chain. */
  invalidate(hashHex: string): Promise<ChainChange> {
    return this.mark('invalidate', hashHex);
  }

  /** bitcoind's reconsiderblock (persisted): the block is valid again and the best branch active. */
  reconsider(hashHex: string): Promise<ChainChange> {
    return this.mark('reconsider', hashHex);
  }

  /** bitcoind's preciousblock (not persisted, as in bitcoind): the block wins ties of work. */
  precious(hashHex: string): Promise<ChainChange> {
    return this.serialized(async () => {
      const change = this.chainState.precious(hashHex);
      this.changed(change);
      return change;
    });
  }

  private mark(mark: 'invalidate' | 'reconsider', hashHex: string): Promise<ChainChange> {
    return this.serialized(async () => {
      const block = this.chainState.blockByHash(hashHex);
      if (!block) throw new SimnetError(`block ${hashHex} is not known`);
      if (mark === 'invalidate' && block.height === 0) throw new SimnetError('the genesis block cannot be invalidated');
      await this.store.append({ mark, hash: block.hashHex });
      const change = mark === 'invalidate' ? this.chainState.invalidate(block.hashHex) : this.chainState.reconsider(block.hashHex);
      this.log.warn(`simnet ${mark === 'invalidate' ? 'invalidated' : 'reconsidered'} a block`, { height: block.height, hash: block.hashHex, tip: this.chainState.tip().hashHex, disconnected: change.disconnected.length, connected: change.connected.length });
      this.changed(change);
      return change;
    });
  }

  /** Logs a reorganization and tells the tip listeners (long polls, the edge's template source). */
  private changed(change: ChainChange): void {
    if (!change.tipChanged) return;
    if (change.disconnected.length) {
      this.log.warn('simnet reorganized', { disconnected: change.disconnected.map((b) => b.hashHex), connected: change.connected.map((b) => b.hashHex), tip: this.chainState.tip().hashHex });
    }
    for (const l of [...this.tipListeners]) {
      try {
        l();
      } catch (err) {
        this.log.error('simnet tip listener failed', { error: (err as Error).message });
      }
    }
  }

  private serialized<T>(task: () => Promise<T>): Promise<T> {
    const run = this.queue.then(task);
    this.queue = run.catch(() => undefined);
    return run;
  }
}
