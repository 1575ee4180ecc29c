/**
 * The edge's part in the pool's network, as the composition root starts it: the sharechain (the
 * pool id comes from the coin the node mines; the chain lives in the edge's database), the node
 * key from the data folder, and the libp2p node (unless p2p.enabled is false). Its summary is
 * what `GET /api/sharechain`, `otedama node status|peers|sync` and the metrics show.
 *
 * Shares this edge's miners find enter through `addLocalShare` (chain, database, gossip).
 * `initialSync` is the rule "sync before serving work": an edge with bootstrap peers serves no
 * Stratum job until it has synced the window from them (or, when none of them answers for
 * SERVE_WITHOUT_PEERS_MS, it serves on the chain it holds and says so); a network of one (no
 * bootstrap peer, or p2p off) serves at once.
 *
 * Browsers are peers too (apps/web/src/p2p): with the libp2p node on, the edge also runs the two
 * parts pages need from an edge, as extensions of its node: the template publisher (signed coin
 * templates, gossiped and on request: template-publisher.ts) and the peer introducer (other pages
 * holding a relay reservation here, for WebRTC: peer-introducer.ts); the node's circuit-relay
 * server takes the pages' reservations. The summary then describes the network as a page reads it
 * (`params`, `network`, the WebSockets `listen` addresses: apps/web/src/p2p/pool-directory.ts). With
 * p2p off, or on a chain whose shares the page cannot check (KawPow: the edge verifies them with
 * its own light evaluation), `params` is null and pages mine through Stratum over WebSocket.
 */
import { bytesToHex, encodePoolParams, type AddedShare, type Network, type PowFunction } from '@otedama/core';
import { NextPayouts, type NextPayout, type WindowStanding } from '../accounting/next-payouts.ts';
import type { ChainConnection } from '../chain/chain.ts';
import type { EdgeConfig } from '../config/config.ts';
import type { Logger } from '../logger.ts';
import type { P2pMetrics } from '../metrics/p2p-metrics.ts';
import type { ChainStore } from '../storage/chain-store.ts';
import { p2pListenAddrs } from './multiaddrs.ts';
import { loadOrCreateNodeKey } from './node-key.ts';
import { P2pNode, type P2pExtension, type PeerSummary } from './p2p-node.ts';
import { PeerIntroducer } from './peer-introducer.ts';
import type { Ban, PeerBlock, Unblocked } from './peer-guard.ts';
import { openPoolChain, type LocalShare, type PoolChain } from './pool-chain.ts';
import { TemplateArchive } from './template-archive.ts';
import { TemplatePublisher } from './template-publisher.ts';
import type { SyncProgress } from './window-sync.ts';

/** How long a starting edge with bootstrap peers waits for one of them before it serves work on its own chain (ms). */
export const SERVE_WITHOUT_PEERS_MS = 60_000;
/** Between two tries of the first sync while no peer answers (ms). */
const INITIAL_SYNC_RETRY_MS = 1_000;
/** Sync progress lines on the terminal and in the log: at most one per this many ms. */
const SYNC_PROGRESS_EVERY_MS = 2_000;

export interface SharechainSummary {
  readonly poolId: string;
  /**
   * The pool parameters (core's encodePoolParams, hex; their SHA-256d is poolId) when this edge
   * serves browser peers: a page joins the network only when they are given. null with p2p off
   * or on a chain pages cannot check shares of.
   */
  readonly params: string | null;
  /** The coin's address network (payout addresses are written for it). */
  readonly network: Network;
  /** Signed templates this edge gossiped to the pages (0 when it serves none). */
  readonly templatesPublished: number;
  /** null when the libp2p node is off (p2p.enabled: false). */
  readonly peerId: string | null;
  /** The node's multiaddrs with /p2p/<peer id>: what other edges pass to --bootstrap. */
  readonly listen: string[];
  /** Connected peers, and those that proved the pool id. */
  readonly peers: number;
  readonly admittedPeers: number;
  readonly bans: number;
  /** Peers the operator keeps out (otedama node block, p2p.deny_peers). */
  readonly blocked: number;
  readonly tip: { readonly id: string; readonly height: number } | null;
  readonly windowShares: number;
  /** Shares the chain holds (every branch, up to twice the window). */
  readonly heldShares: number;
  readonly sync: SyncProgress;
  /** Whether Stratum serves work (false while the first sync runs). */
  readonly serving: boolean;
  /**
   * What the next block would pay (accounting/next-payouts.ts): every address credited in the
   * tip's window with its expected payout; null before the first share or template.
   */
  readonly nextPayouts: readonly NextPayout[] | null;
  /** The block those payouts are for: reward, lottery threshold, the window's size. */
  readonly nextBlock: { readonly rewardSats: bigint; readonly thresholdSats: bigint; readonly minPayoutSats: bigint } | null;
}

export interface EdgeNetwork {
  readonly sharechain: PoolChain;
  readonly p2p: P2pNode | undefined;
  /**
   * Every coin template this edge published or mined on, with its transactions: the block relay
   * (startBlockRelay's `archive`) rebuilds blocks from it.
   */
  readonly archive: TemplateArchive;
  /** The template publisher when this edge serves browser peers (see the module comment). */
  readonly templates: TemplatePublisher | undefined;
  summary(): SharechainSummary;
  /** An address's credit in the window and its expected payout; undefined when it has none. */
  standing(address: string): WindowStanding | undefined;
  peers(): PeerSummary[];
  /** The operator cuts a peer off / lets it back (undefined when the libp2p node is off). */
  block(peer: string, reason: string, seconds?: number): { block: PeerBlock; wasConnected: boolean } | undefined;
  unblock(peer: string): Unblocked | undefined;
  /** Bans and operator blocks in force. */
  exclusions(): { bans: Ban[]; blocks: PeerBlock[] };
  /** A share this edge's miners found: into the chain and the database, then gossiped when the chain took it. */
  addLocalShare(bytes: Uint8Array): LocalShare;
  /** Resolves when the edge may serve work (see the module comment); `serving` is true from then on. */
  initialSync(): Promise<void>;
  /** Starts a sync run (or joins the one under way); undefined when the libp2p node is off. */
  resync(): Promise<SyncProgress> | undefined;
  cancelSync(): void;
  stop(): Promise<void>;
}

export interface StartEdgeNetworkOptions {
  readonly config: Pick<EdgeConfig, 'dataDir' | 'p2p'> & { readonly pool?: Pick<EdgeConfig['pool'], 'minPayoutSats'>; readonly storage?: Pick<EdgeConfig['storage'], 'batchMs' | 'maxBatch'> };
  readonly chain: Pick<ChainConnection, 'client' | 'source' | 'network'>;
  readonly logger: Logger;
  readonly metrics?: P2pMetrics;
  /** Where the sharechain's shares live (storage's ChainStore); absent: in memory only. */
  readonly store?: ChainStore;
  /** Progress of loading and syncing the chain, for the terminal. */
  readonly onProgress?: (line: string) => void;
  readonly onPeerShare?: (added: AddedShare) => void;
  /** The algorithm the coin mines (its shares' form; part of the pool id). Default sha256d. */
  readonly algorithm?: string;
  /** The shares' proof of work where core has none of its own (KawPow: kawpowSharePow with the light evaluation). */
  readonly pow?: PowFunction;
  /** How long a published template may be mined on (ms); default REAL_COIN_TEMPLATE_VALID_MS. */
  readonly templateValidForMs?: number;
}

const IDLE: SyncProgress = { state: 'idle', shares: 0, batches: 0 };

export async function startEdgeNetwork(options: StartEdgeNetworkOptions): Promise<EdgeNetwork> {
  const { config, logger } = options;
  const log = logger.forComponent('edge:p2p');
  const sharechain = await openPoolChain({
    client: options.chain.client,
    source: options.chain.source,
    logger,
    ...(config.pool ? { minPayoutSats: config.pool.minPayoutSats } : {}),
    ...(options.store ? { store: options.store } : {}),
    ...(config.storage ? { batchMs: config.storage.batchMs, maxBatch: config.storage.maxBatch } : {}),
    ...(options.onProgress ? { onProgress: options.onProgress } : {}),
    ...(options.onPeerShare ? { onAccepted: options.onPeerShare } : {}),
    ...(options.algorithm ? { algorithm: options.algorithm } : {}),
    ...(options.pow ? { pow: options.pow } : {}),
  });
  let p2p: P2pNode | undefined;
  const archive = new TemplateArchive();
  let templates: TemplatePublisher | undefined;
  try {
    if (config.p2p.enabled) {
      const key = await loadOrCreateNodeKey(config.dataDir, log);
      if (key.created) log.info('p2p node key created (the peer id other edges bootstrap from)', { path: key.path });
      const extensions: P2pExtension[] = [];
      if (options.pow) {
        log.info('browser peers are not served on this chain (a page cannot check its shares): pages mine through Stratum over WebSocket');
      } else {
        const poolId = sharechain.chain.poolId;
        templates = new TemplatePublisher({
          poolId,
          privateKey: key.privateKey,
          source: options.chain.source,
          archive,
          logger,
          ...(options.templateValidForMs ? { validForMs: options.templateValidForMs } : {}),
        });
        extensions.push(templates, new PeerIntroducer(poolId, logger));
      }
      p2p = new P2pNode({
        host: sharechain.host,
        syncHost: sharechain.syncHost,
        privateKey: key.privateKey,
        listen: p2pListenAddrs(config.p2p),
        bootstrap: config.p2p.bootstrap,
        maxPeers: config.p2p.maxPeers,
        banSeconds: config.p2p.banSeconds,
        denyPeers: config.p2p.denyPeers,
        logger,
        metrics: options.metrics,
        onSyncProgress: syncReporter(log, options.onProgress),
        extensions,
      });
      // Said before the node starts: a bootstrap peer is admitted within milliseconds and its sync
      // runs at once, so its progress lines must not come before the reason work waits for them.
      if (config.p2p.bootstrap.length > 0) {
        logger.forComponent('edge:sharechain').info('syncing the sharechain from the bootstrap peers before serving work', { height: sharechain.chain.height });
      }
      await p2p.start();
    } else {
      log.info('p2p is off (p2p.enabled: false / --no-p2p): this edge keeps its sharechain alone');
    }
  } catch (err) {
    await sharechain.stop();
    throw err;
  }
  return edgeNetwork(sharechain, p2p, {
    network: options.chain.network,
    template: () => options.chain.source.current(),
    bootstrap: config.p2p.enabled ? config.p2p.bootstrap.length : 0,
    logger,
    archive,
    ...(templates ? { templates } : {}),
  });
}

/** Throttled progress lines of sync runs (log and terminal). */
function syncReporter(log: Logger, onProgress?: (line: string) => void): (p: SyncProgress) => void {
  let last = 0;
  return (p) => {
    if (p.state !== 'syncing' || p.shares === 0) return;
    const now = Date.now();
    if (now - last < SYNC_PROGRESS_EVERY_MS) return;
    last = now;
    const line = `sharechain: syncing ${p.shares}${p.expected ? `/${p.expected}` : ''} shares${p.percent !== undefined ? ` (${p.percent} %)` : ''}${p.etaSeconds !== undefined ? `, ETA ${p.etaSeconds} s` : ''}${p.peer ? ` from ${p.peer}` : ''}`;
    log.info(line);
    onProgress?.(line);
  };
}

export interface EdgeNetworkOptions {
  /** The coin network payout addresses are written for. */
  readonly network: Network;
  /** The current coin template (the next block's reward and coin block). */
  readonly template: () => ReturnType<ChainConnection['source']['current']>;
  /** Bootstrap peers configured: none makes a network of one (serves at once). */
  readonly bootstrap: number;
  readonly logger: Logger;
  /** See SERVE_WITHOUT_PEERS_MS (tests shorten it). */
  readonly serveWithoutPeersMs?: number;
  /** The template archive (a new one by default). */
  readonly archive?: TemplateArchive;
  /** The template publisher, when the node serves browser peers (it runs as the node's extension). */
  readonly templates?: TemplatePublisher;
}

/** The EdgeNetwork view of a sharechain and its libp2p node (undefined: p2p off). */
export function edgeNetwork(sharechain: PoolChain, p2p: P2pNode | undefined, options: EdgeNetworkOptions): EdgeNetwork {
  const log = options.logger.forComponent('edge:sharechain');
  const next = new NextPayouts(sharechain.chain, options.network, options.template);
  let stopped = false;
  let serving = false;
  let initial: Promise<void> | undefined;
  const templates = p2p ? options.templates : undefined;
  // What a page needs to join: the pool's parameters, given only while this edge serves pages.
  const params = templates ? bytesToHex(encodePoolParams(sharechain.params)) : null;

  const firstSync = async (): Promise<void> => {
    if (!p2p || options.bootstrap === 0) {
      log.info('serving work: a network of one (no bootstrap peer), the chain is what this edge holds', { height: sharechain.chain.height });
      return;
    }
    const deadline = Date.now() + (options.serveWithoutPeersMs ?? SERVE_WITHOUT_PEERS_MS);
    for (;;) {
      if (stopped) return;
      // The run a bootstrap peer's admission starts may have ended before this loop begins (a
      // window of a few hundred shares syncs in well under a second): its result stands. A second
      // run would find nothing more to fetch and report the sync as 0 shares.
      const last = p2p.syncProgress();
      const run = last.state === 'synced' ? last : await p2p.resync();
      if (run.state === 'synced') {
        log.info('sharechain synced: serving work', { height: sharechain.chain.height, shares: run.shares, message: run.message });
        return;
      }
      if (Date.now() >= deadline) {
        log.warn('no bootstrap peer answered; serving work on the chain this edge holds (it joins the best chain when a peer comes)', {
          waitedSeconds: Math.round((options.serveWithoutPeersMs ?? SERVE_WITHOUT_PEERS_MS) / 1000),
          height: sharechain.chain.height,
          last: run.message,
        });
        return;
      }
      await new Promise((r) => setTimeout(r, INITIAL_SYNC_RETRY_MS));
    }
  };

  return {
    sharechain,
    p2p,
    archive: options.archive ?? new TemplateArchive(),
    templates,
    summary() {
      const status = p2p && !stopped ? p2p.status() : undefined;
      const tip = sharechain.chain.tip;
      const payouts = next.current();
      return {
        poolId: bytesToHex(sharechain.chain.poolId),
        params: status ? params : null,
        network: options.network,
        templatesPublished: templates?.publishedCount ?? 0,
        peerId: status?.peerId ?? null,
        listen: status?.listen ?? [],
        peers: status?.peers ?? 0,
        admittedPeers: status?.admittedPeers ?? 0,
        bans: status?.bans ?? 0,
        blocked: status?.blocked ?? 0,
        tip: tip ? { id: bytesToHex(tip.id), height: tip.height } : null,
        windowShares: tip ? sharechain.chain.window().shares : 0,
        heldShares: sharechain.chain.size,
        sync: status?.sync ?? IDLE,
        serving,
        nextPayouts: payouts?.payouts ?? null,
        nextBlock: payouts ? { rewardSats: payouts.rewardSats, thresholdSats: payouts.thresholdSats, minPayoutSats: sharechain.params.minPayoutSats } : null,
      };
    },
    standing: (address) => next.standing(address),
    peers: () => (p2p && !stopped ? p2p.peers() : []),
    block: (peer, reason, seconds) => (p2p && !stopped ? p2p.blockPeer(peer, reason, seconds) : undefined),
    unblock: (peer) => (p2p && !stopped ? p2p.unblockPeer(peer) : undefined),
    exclusions: () => (p2p && !stopped ? p2p.exclusions() : { bans: [], blocks: [] }),
    addLocalShare(bytes) {
      const local = sharechain.addLocal(bytes);
      if (local.result.kind === 'accepted' && p2p && !stopped) {
        p2p.publishShare(bytes).catch((err: Error) => log.warn('share not gossiped', { error: err.message }));
      }
      return local;
    },
    initialSync() {
      initial ??= firstSync().then(() => {
        serving = true;
      });
      return initial;
    },
    resync: () => (p2p && !stopped ? p2p.resync() : undefined),
    cancelSync: () => p2p?.cancelSync(),
    async stop() {
      if (stopped) return;
      stopped = true;
      await p2p?.stop();
      await sharechain.stop();
    },
  };
}
