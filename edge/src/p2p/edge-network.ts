/**
 * The edge's part in the pool's network, as the composition root starts it: the sharechain (the
 * pool id comes from the coin the node mines), the node key from the data folder, and the libp2p
 * node (unless p2p.enabled is false). Its summary is what `GET /api/sharechain`, `otedama node
 * status|peers|sync` and the metrics show.
 */
import { bytesToHex, type AddedShare } from '@otedama/core';
import type { ChainConnection } from '../chain/chain.ts';
import type { EdgeConfig } from '../config/config.ts';
import type { Logger } from '../logger.ts';
import type { P2pMetrics } from '../metrics/p2p-metrics.ts';
import { p2pListenAddrs } from './multiaddrs.ts';
import { loadOrCreateNodeKey } from './node-key.ts';
import { P2pNode, type PeerSummary } from './p2p-node.ts';
import { openPoolChain, type PoolChain } from './pool-chain.ts';
import type { SyncProgress } from './window-sync.ts';

export interface SharechainSummary {
  readonly poolId: string;
  /** null when the libp2p node is off (p2p.enabled: false). */
  readonly peerId: string | null;
  /** The node's multiaddrs with /p2p/<peer id>: what other edges pass to --bootstrap. */
  readonly listen: string[];
  /** Connected peers, and those that proved the pool id. */
  readonly peers: number;
  readonly admittedPeers: number;
  readonly bans: number;
  readonly tip: { readonly id: string; readonly height: number } | null;
  readonly windowShares: number;
  readonly sync: SyncProgress;
  /** What the next block would pay: filled when payouts come from the chain (next step of issue 10). */
  readonly nextPayouts: null;
}

export interface EdgeNetwork {
  readonly sharechain: PoolChain;
  readonly p2p: P2pNode | undefined;
  summary(): SharechainSummary;
  peers(): PeerSummary[];
  /** Starts a sync run (or joins the one under way); undefined when the libp2p node is off. */
  resync(): Promise<SyncProgress> | undefined;
  cancelSync(): void;
  stop(): Promise<void>;
}

export interface StartEdgeNetworkOptions {
  readonly config: Pick<EdgeConfig, 'dataDir' | 'p2p'>;
  readonly chain: Pick<ChainConnection, 'client' | 'source'>;
  readonly logger: Logger;
  readonly metrics?: P2pMetrics;
  readonly onPeerShare?: (added: AddedShare) => void;
}

const IDLE: SyncProgress = { state: 'idle', shares: 0, batches: 0 };

export async function startEdgeNetwork(options: StartEdgeNetworkOptions): Promise<EdgeNetwork> {
  const { config, logger } = options;
  const log = logger.forComponent('edge:p2p');
  const sharechain = await openPoolChain({ client: options.chain.client, source: options.chain.source, logger, ...(options.onPeerShare ? { onAccepted: options.onPeerShare } : {}) });
  let p2p: P2pNode | undefined;
  try {
    if (config.p2p.enabled) {
      const key = await loadOrCreateNodeKey(config.dataDir, log);
      if (key.created) log.info('p2p node key created (the peer id other edges bootstrap from)', { path: key.path });
      p2p = new P2pNode({
        host: sharechain.host,
        privateKey: key.privateKey,
        listen: p2pListenAddrs(config.p2p),
        bootstrap: config.p2p.bootstrap,
        maxPeers: config.p2p.maxPeers,
        banSeconds: config.p2p.banSeconds,
        logger,
        metrics: options.metrics,
      });
      await p2p.start();
    } else {
      log.info('p2p is off (p2p.enabled: false / --no-p2p): this edge keeps its sharechain alone');
    }
  } catch (err) {
    sharechain.stop();
    throw err;
  }
  return edgeNetwork(sharechain, p2p);
}

/** The EdgeNetwork view of a sharechain and its libp2p node (undefined: p2p off). */
export function edgeNetwork(sharechain: PoolChain, p2p: P2pNode | undefined): EdgeNetwork {
  let stopped = false;
  return {
    sharechain,
    p2p,
    summary() {
      const status = p2p && !stopped ? p2p.status() : undefined;
      const tip = sharechain.chain.tip;
      return {
        poolId: bytesToHex(sharechain.chain.poolId),
        peerId: status?.peerId ?? null,
        listen: status?.listen ?? [],
        peers: status?.peers ?? 0,
        admittedPeers: status?.admittedPeers ?? 0,
        bans: status?.bans ?? 0,
        tip: tip ? { id: bytesToHex(tip.id), height: tip.height } : null,
        windowShares: tip ? sharechain.chain.window().shares : 0,
        sync: status?.sync ?? IDLE,
        nextPayouts: null,
      };
    },
    peers: () => (p2p && !stopped ? p2p.peers() : []),
    resync: () => (p2p && !stopped ? p2p.resync() : undefined),
    cancelSync: () => p2p?.cancelSync(),
    async stop() {
      if (stopped) return;
      stopped = true;
      await p2p?.stop();
      sharechain.stop();
    },
  };
}
