/**
 * The edge's sharechain: the pool's parameters from the coin it mines (the genesis block the
 * node reports: Bitcoin's networks get their pool parameters, anything else, such as a simnet,
 * the simnet ones; so edges on one simnet, or on one coin, share a pool id; the operator's
 * minimum payout is a pool parameter too), a ShareChain whose coin context follows the node's
 * block templates (shares may build on the newest blocks the node has offered), and its place in
 * the database:
 *
 *   - at open, the stored shares are loaded back (ShareChain.loadTrusted, parents first, with
 *     progress) and what lies beyond the chain's keep depth is pruned;
 *   - every share the chain accepts is written (group commit); a share of this edge's own miners
 *     (`addLocal`) hands back the promise of its durable write, which the Stratum reply waits for;
 *   - every PRUNE_EVERY_SHARES accepted shares, the chain prunes (twice the window and a margin
 *     below the tip) and the store forgets the same shares.
 *
 * The network (ChainHost) reaches it through ShareChainHost (gossip: strict) and
 * SyncShareChainHost (what window sync fetches: a share on a coin block this edge never saw is
 * checked for everything but the coin, core's addSynced); Stratum jobs follow its tip (`onTip`).
 */
import {
  BITCOIN_GENESIS_HASHES,
  bitcoinPoolParams,
  bytesToHex,
  CoinTips,
  hexToBytes,
  PoolParamsError,
  reverseBytes,
  ShareChain,
  simnetPoolParams,
  type AddedShare,
  type AddResult,
  type BitcoinNetworkName,
  type BlockTemplate,
  type PoolParams,
  type PowFunction,
  type ShareEntry,
} from '@otedama/core';
import type { JsonRpcCaller } from '../chain/rpc-client.ts';
import type { PassedCoinBlock, TemplateSource } from '../chain/template-source.ts';
import { ConfigError } from '../errors.ts';
import type { Logger } from '../logger.ts';
import { ChainStoreWriter, type ChainShareOrigin, type ChainStore } from '../storage/chain-store.ts';
import { ShareChainHost } from './chain-host-sharechain.ts';
import { SyncShareChainHost } from './chain-host-sync.ts';

/** Accepted shares between two prunes (a prune walks the chain's heights once). */
export const PRUNE_EVERY_SHARES = 64;
/** Progress lines while loading a stored chain: one per this many shares. */
const LOAD_PROGRESS_EVERY = 5000;

/**
 * The edge's ShareChain. It keeps core's own hashers: for the short messages a share hashes, core's
 * TypeScript SHA-256d measured faster than a node:crypto call per hash (README, bench:p2p).
 */
export function edgeShareChain(params: PoolParams, coin: CoinTips, pow?: PowFunction): ShareChain {
  return new ShareChain({ params, coin, ...(pow ? { pow } : {}) });
}

/** What a share of this edge's miners became: the chain's verdict and, when it is in the chain, its durable write. */
export interface LocalShare {
  readonly result: AddResult;
  /** Resolves once the share is in the database; undefined when the chain did not take it. */
  readonly durable: Promise<void> | undefined;
}

export interface PoolChain {
  readonly params: PoolParams;
  readonly chain: ShareChain;
  /** The chain as gossip feeds it: a share on a coin block this edge does not know is held back. */
  readonly host: ShareChainHost;
  /**
   * The chain as window sync feeds it (P2pNodeOptions.syncHost): a window spans several coin
   * blocks, older than those this edge follows when it joins or restarts; such shares are checked
   * for everything but the coin (core's addSynced). Same chain, same store and tip listeners.
   */
  readonly syncHost: SyncShareChainHost;
  /** The coin blocks shares may build on (fed from the node's templates). */
  readonly coin: CoinTips;
  /** Adds a share this edge's miners found (validated like any other); see LocalShare. */
  addLocal(bytes: Uint8Array): LocalShare;
  /** Calls `listener` whenever the best tip moves (a share of ours or a peer's); returns an unsubscribe. */
  onTip(listener: (tip: ShareEntry) => void): () => void;
  /** Shares written so far, and those waiting for their commit. */
  storeStats(): { committed: number; pending: number } | undefined;
  /** Stops following templates and commits what is queued. */
  stop(): Promise<void>;
}

/** Pool parameters for the coin whose genesis block hash (display order) the node reports. */
export function poolParamsForGenesis(genesisHex: string, overrides: Partial<PoolParams> = {}): PoolParams {
  const known = (Object.keys(BITCOIN_GENESIS_HASHES) as BitcoinNetworkName[]).find((n) => BITCOIN_GENESIS_HASHES[n] === genesisHex.toLowerCase());
  return known ? bitcoinPoolParams(known, overrides) : simnetPoolParams(reverseBytes(hexToBytes(genesisHex, 32, 'genesis hash')), overrides);
}

export interface PoolChainOptions {
  readonly params: PoolParams;
  readonly source: Pick<TemplateSource, 'current' | 'onTemplate'>;
  readonly logger: Logger;
  /** Where shares live; absent: the chain is kept in memory only (tests). */
  readonly store?: ChainStore;
  /** Group commit of the store (config storage.batch_ms / max_batch). */
  readonly batchMs?: number;
  readonly maxBatch?: number;
  /** Progress of loading the stored chain, for the terminal. */
  readonly onProgress?: (line: string) => void;
  /** Every share a peer brought that the chain accepted. */
  readonly onAccepted?: (added: AddedShare) => void;
  /**
   * The shares' proof of work where core has none of its own (KawPow: kawpowSharePow over the
   * edge's light evaluation); default the algorithm's.
   */
  readonly pow?: PowFunction;
}

export interface OpenPoolChainOptions extends Omit<PoolChainOptions, 'params'> {
  readonly client: JsonRpcCaller;
  /** The pool's minimum payout (config pool.min_payout): a pool parameter. Default the coin's. */
  readonly minPayoutSats?: bigint;
  /** The algorithm the coin mines (default the pool parameters' own, sha256d): part of the pool id. */
  readonly algorithm?: string;
}

/** The sharechain of the coin the node mines (its genesis block gives the pool parameters). */
export async function openPoolChain(options: OpenPoolChainOptions): Promise<PoolChain> {
  const genesisHex = await options.client.call<string>('getblockhash', [0]);
  let params: PoolParams;
  try {
    params = poolParamsForGenesis(genesisHex, {
      ...(options.minPayoutSats === undefined ? {} : { minPayoutSats: options.minPayoutSats }),
      ...(options.algorithm === undefined ? {} : { algorithm: options.algorithm }),
    });
  } catch (err) {
    if (err instanceof PoolParamsError && err.field === 'minPayoutSats') throw new ConfigError(`pool.min_payout (or --min-payout): ${err.reason}`);
    throw err;
  }
  options.logger.forComponent('edge:sharechain').info('pool of the coin', { genesis: genesisHex });
  return createPoolChain({ ...options, params });
}

/** A sharechain of the given pool over a template source (and its store): see the module comment. */
export async function createPoolChain(options: PoolChainOptions): Promise<PoolChain> {
  const log = options.logger.forComponent('edge:sharechain');
  const params = options.params;
  const coin = new CoinTips();
  let lastReward = 0n;
  const follow = (t: BlockTemplate, passed: readonly PassedCoinBlock[] = []) => {
    // What a template on a block passed over offered is not known: the richer of the templates
    // before and after it stands in for it (the subsidy is the same unless a halving lies between).
    const passedReward = t.coinbaseValue > lastReward ? t.coinbaseValue : lastReward;
    for (const p of passed) coin.add(p.hash, { height: p.nextHeight, bits: p.nextBits, maxReward: passedReward });
    coin.add(t.prevHash, { height: t.height, bits: t.bits, maxReward: t.coinbaseValue });
    lastReward = t.coinbaseValue;
  };
  const current = options.source.current();
  if (current) follow(current);
  const unsubscribe = options.source.onTemplate((u) => follow(u.template, u.passed));
  const chain = edgeShareChain(params, coin, options.pow);
  const tipListeners = new Set<(tip: ShareEntry) => void>();
  const tipMoved = (tip: ShareEntry) => {
    for (const l of tipListeners) {
      try {
        l(tip);
      } catch (err) {
        log.error('tip listener failed', { error: (err as Error).message });
      }
    }
  };

  const store = options.store;
  const writer = store
    ? new ChainStoreWriter(store, {
        ...(options.batchMs !== undefined ? { flushMs: options.batchMs } : {}),
        ...(options.maxBatch !== undefined ? { maxBatch: options.maxBatch } : {}),
        onError: (err, n) => log.error('sharechain shares not written', { shares: n, reason: err.reason }),
      })
    : undefined;
  if (store) await loadStored(chain, store, log, options.onProgress);
  let sincePrune = 0;
  const pruneNow = () => {
    sincePrune = 0;
    const removed = chain.prune();
    if (removed.length === 0) return;
    log.debug('sharechain pruned', { shares: removed.length, keepDepth: chain.keepDepth(), held: chain.size });
    for (const id of removed) writer?.append({ delete: id }).catch(() => undefined);
  };
  if (store) pruneNow();

  const record = (entry: ShareEntry, origin: ChainShareOrigin): Promise<void> | undefined =>
    writer?.append({
      put: {
        id: entry.id,
        parent: entry.parentId,
        height: entry.height,
        chainWork: entry.chainWork,
        receivedAt: Date.now(),
        origin,
        status: entry.verified ? 'verified' : 'unverified',
        encoded: entry.encoded,
      },
    });
  const afterAccept = (added: AddedShare) => {
    if (added.bestChanged) tipMoved(added.tip);
    if (++sincePrune >= PRUNE_EVERY_SHARES) pruneNow();
  };

  const peerShare = (added: AddedShare) => {
    // A peer's share: written without anyone waiting on it (a failed write is logged by the writer).
    record(added.entry, 'peer')?.catch(() => undefined);
    afterAccept(added);
    options.onAccepted?.(added);
  };
  const host = new ShareChainHost(chain, peerShare);
  const syncHost = new SyncShareChainHost(chain, peerShare);
  log.info('sharechain open', {
    poolId: bytesToHex(chain.poolId),
    algorithm: params.algorithm,
    shareIntervalMs: params.shareIntervalMs,
    minPayoutSats: String(params.minPayoutSats),
    held: chain.size,
    height: chain.height,
  });
  return {
    params,
    chain,
    host,
    syncHost,
    coin,
    addLocal(bytes) {
      const result = chain.add(bytes);
      if (result.kind === 'accepted') {
        const durable = record(result.entry, 'local') ?? Promise.resolve();
        afterAccept(result);
        return { result, durable };
      }
      if (result.kind === 'duplicate') {
        // Ours again: a miner resubmitting a share whose write failed. Make sure it is stored.
        const entry = chain.get(result.id);
        return { result, durable: entry ? (record(entry, 'local') ?? Promise.resolve()) : undefined };
      }
      return { result, durable: undefined };
    },
    onTip(listener) {
      tipListeners.add(listener);
      return () => tipListeners.delete(listener);
    },
    storeStats: () => (writer ? { committed: writer.counters.committed, pending: writer.counters.pending } : undefined),
    async stop() {
      unsubscribe();
      await writer?.stop();
    },
  };
}

/** Loads the stored chain (parents first, page by page) with progress lines for a large one. */
async function loadStored(chain: ShareChain, store: ChainStore, log: Logger, onProgress?: (line: string) => void): Promise<void> {
  const started = performance.now();
  const total = await store.count();
  if (total === 0) return;
  let loaded = 0;
  let nextReport = LOAD_PROGRESS_EVERY;
  const report = total >= LOAD_PROGRESS_EVERY;
  if (report) onProgress?.(`sharechain: loading ${total} stored shares`);
  await store.load((page) => {
    chain.loadTrusted(page);
    loaded += page.length;
    if (report && loaded >= nextReport) {
      nextReport += LOAD_PROGRESS_EVERY;
      onProgress?.(`sharechain: loaded ${loaded}/${total} shares (${Math.floor((loaded / total) * 100)} %)`);
    }
  });
  const ms = Math.round(performance.now() - started);
  if (report) onProgress?.(`sharechain: ${loaded} shares loaded in ${ms} ms, tip at height ${chain.height}`);
  log.info('sharechain loaded from the database', { shares: loaded, ms, height: chain.height, tip: chain.tip ? bytesToHex(chain.tip.id) : null });
}
