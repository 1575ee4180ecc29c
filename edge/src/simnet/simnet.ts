/**
 * Simnet, the embedded chain: a SimnetChain kept in `<dataDir>/simnet/` (the Bitcoin simnet) or
 * `<dataDir>/simnet-ravencoin/` (the Ravencoin one) and served over JSON-RPC on 127.0.0.1 as the
 * coin's node answers (bitcoind or ravend), so the edge talks to it exactly as to a real node
 * (template-source-rpc.ts). On first start it creates a genesis block; on every start it reloads
 * the block file and re-validates every block.
 *
 *   <dataDir>/simnet/blocks.jsonl   append-only blocks (simnet-store.ts)
 *   <dataDir>/simnet/.cookie        RPC cookie while running (__cookie__:<hex>, mode 0600)
 *
 * A Ravencoin simnet checks each block's KawPow proof by light evaluation: it prepares the light
 * cache of the next block's epoch on start and after each block (in a worker thread, or from
 * `<dataDir>/kawpow/` where the edge keeps them), so a submission never waits for a build
 * unless the chain crosses into an epoch no one asked for yet.
 */
import { bytesToHex, concatBytes, hexToBytes, scriptToAddress, sha256, type ParsedBlock } from '@otedama/core';
import { createHash } from 'node:crypto';
import { join } from 'node:path';
import { SimnetError, SimnetStoreError } from '../errors.ts';
import type { Logger } from '../logger.ts';
import { SimnetChain, type ChainChange } from './simnet-chain.ts';
import { BITCOIN_SIMNET, type SimnetCoin, type SimnetCoinName } from './simnet-coin.ts';
import { SimnetRpcServer, type SimnetRpcNode, type SubmitOutcome } from './simnet-rpc-server.ts';
import { isStoredMark, SimnetStore } from './simnet-store.ts';

export const SIMNET_DIR = 'simnet';
/** The Ravencoin simnet's folder: a chain of another coin never shares a block file with the Bitcoin one. */
export const RAVENCOIN_SIMNET_DIR = 'simnet-ravencoin';
export const COOKIE_FILE = '.cookie';
/**
 * Where simnet coinbases go when no payout address is configured: the regtest P2WSH of OP_TRUE
 * (bcrt1qft5p2uhs…), an address anyone can spend from, which suits a test chain with no wallet.
 */
export const SIMNET_DEFAULT_PAYOUT_ADDRESS: string = scriptToAddress(concatBytes(new Uint8Array([0x00, 0x20]), sha256(new Uint8Array([0x51]))), 'regtest')!;
/**
 * The same for the Ravencoin simnet, which has no segwit: the regtest P2SH of OP_TRUE, hash160 =
 * ripemd160(sha256(OP_TRUE)), spendable by anyone with the redeem script 0x51.
 */
export const RAVENCOIN_SIMNET_DEFAULT_PAYOUT_ADDRESS: string = scriptToAddress(
  concatBytes(new Uint8Array([0xa9, 0x14]), new Uint8Array(createHash('ripemd160').update(sha256(new Uint8Array([0x51]))).digest()), new Uint8Array([0x87])),
  'regtest',
  'ravencoin',
)!;

/** The default payout address of each simnet coin. */
export const SIMNET_DEFAULT_PAYOUT_ADDRESSES: Readonly<Record<SimnetCoinName, string>> = {
  bitcoin: SIMNET_DEFAULT_PAYOUT_ADDRESS,
  ravencoin: RAVENCOIN_SIMNET_DEFAULT_PAYOUT_ADDRESS,
};

export interface SimnetOptions {
  /** The edge's data folder; simnet keeps its files in `<dataDir>/simnet`. */
  readonly dataDir: string;
  /** Loopback RPC port (0 = any free port). */
  readonly rpcPort: number;
  readonly blockDifficulty: number;
  readonly blockRewardSats: number;
  /** The chain's coin (default the Bitcoin simnet). */
  readonly coin?: SimnetCoin;
  /** Ravencoin: where ravend's -miningaddress would pay, for getblocktemplate's pprpcheader and pprpcsb. */
  readonly miningAddress?: string;
  /** Basic-auth credentials accepted besides the cookie (optional). */
  readonly rpcUser?: string;
  readonly rpcPassword?: string;
  readonly logger: Logger;
  /** Milliseconds since the epoch (tests pin the clock). */
  readonly now?: () => number;
  readonly longPollTimeoutMs?: number;
}

/** Simnet's folder in the data folder for a coin. */
export function simnetDir(coin: SimnetCoinName): string {
  return coin === 'ravencoin' ? RAVENCOIN_SIMNET_DIR : SIMNET_DIR;
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

  readonly coin: SimnetCoin;

  constructor(private readonly options: SimnetOptions) {
    this.coin = options.coin ?? BITCOIN_SIMNET;
    this.dir = join(options.dataDir, simnetDir(this.coin.name));
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
      ...(options.miningAddress !== undefined ? { miningAddress: options.miningAddress } : {}),
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
    return new SimnetChain({ blockDifficulty: this.options.blockDifficulty, blockRewardSats: this.options.blockRewardSats, coin: this.coin });
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
        block = this.chainState.parseBlock(raw);
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
      const r = this.chainState.check(this.chainState.parseBlock(raw), raw, { now: this.now() });
      if (!r.ok) throw new SimnetStoreError(`simnet genesis block is invalid (${r.reason})`);
      await this.store.append({ height: 0, hash: r.block.hashHex, block: bytesToHex(raw) });
      this.chainState.connect(r.block);
      this.log.info('simnet created a new chain', { genesis: r.block.hashHex, dir: this.dir });
    }
    // Before answering submissions: the proof of work of the next block must be checkable.
    await this.coin.pow.prepare(this.chainState.height + 1);
    this.ready = true;
    const tip = this.chainState.tip();
    this.log.info('simnet ready', { coin: this.coin.name, height: tip.height, tip: tip.hashHex, rpc: this.rpc.url, bits: tip.bits.toString(16) });
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
      await this.coin.pow.prepare(this.chainState.height + 1);
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
      // The next block's epoch, ahead of its first submission (a no-op within an epoch).
      this.coin.pow.prepare(r.block.height + 1).catch((err: Error) => this.log.warn('simnet could not prepare the next epoch', { error: err.message }));
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
