/**
 * What every peer of the pool's network wires the same way on its libp2p node, whatever runs it
 * (an edge, p2p-node.ts; a page, apps/web/src/p2p/peer-node.ts): the peer guard fed with
 * gossipsub's scores, a ban hanging the peer up, every gossipsub heartbeat checking the peers;
 * the pool-id handshake; the sync server, and the window sync over admitted peers; share gossip
 * whose orphans the window sync resolves; and the stream gate that meters gossip frames.
 * Transports, services and when to sync are the node's own.
 *
 * Platform-free (exported to pages by peer-protocols.ts).
 */
import type { GossipSub } from '@libp2p/gossipsub';
import type { Libp2p } from '@libp2p/interface';
import { peerIdFromString } from '@libp2p/peer-id';
import { MAX_GOSSIP_FRAME_BYTES } from '@otedama/core';
import type { Logger } from '../logger.ts';
import type { P2pMetrics } from '../metrics/p2p-metrics.ts';
import type { ChainHost } from './chain-host.ts';
import type { Ban, PeerGuard } from './peer-guard.ts';
import { PoolHandshake } from './pool-handshake.ts';
import { ShareGossip } from './share-gossip.ts';
import { SyncClient } from './sync-client.ts';
import { SyncServer } from './sync-server.ts';
import { WindowSync, type SyncProgress } from './window-sync.ts';

/** Gossipsub as the guard reads it: with peer scores. */
export type ScoredGossipSub = GossipSub & { getScore(peer: string): number };

export interface PeerWiringOptions {
  /** The chain shares are checked against and served from. */
  readonly host: ChainHost;
  /** Where synced shares go (default: host). */
  readonly syncHost?: ChainHost;
  readonly guard: PeerGuard;
  readonly logger: Logger;
  readonly metrics?: P2pMetrics | undefined;
  readonly handshakeTimeoutMs?: number;
  /** Shares per sync request (default the window sync's). */
  readonly syncBatchSize?: number;
  /** The sync protocol's client (default a plain SyncClient on `node`; a page's judges each batch as it arrives). */
  readonly syncClient?: SyncClient;
  readonly onSyncProgress?: (p: SyncProgress) => void;
  /** Besides hanging up: what the node does with a ban (count it). */
  readonly onBan?: (ban: Ban) => void;
}

/** The protocol parts of one peer, wired. */
export interface PeerWiring {
  readonly handshake: PoolHandshake;
  readonly syncServer: SyncServer;
  readonly syncClient: SyncClient;
  readonly windowSync: WindowSync;
  readonly gossip: ShareGossip;
}

/** Wires the guard to gossipsub and makes the handshake, sync and gossip of a peer on `node` (nothing started yet). */
export function wirePeerProtocols(node: Libp2p, pubsub: ScoredGossipSub, options: PeerWiringOptions): PeerWiring {
  const { guard, host, logger } = options;
  guard.gossipScore = (peer) => pubsub.getScore(peer);
  guard.onBan((ban) => {
    options.onBan?.(ban);
    void node.hangUp(peerIdFromString(ban.peer)).catch(() => undefined);
  });
  pubsub.addEventListener('gossipsub:heartbeat', () => {
    for (const p of pubsub.getPeers()) guard.check(p.toString());
  });
  const handshake = new PoolHandshake(node, { poolId: host.poolId, guard, logger, ...(options.handshakeTimeoutMs ? { timeoutMs: options.handshakeTimeoutMs } : {}) });
  const syncServer = new SyncServer(node, { host, guard, logger });
  const syncClient = options.syncClient ?? new SyncClient(node, host.poolId);
  const windowSync = new WindowSync({
    client: syncClient,
    host: options.syncHost ?? host,
    gossipHost: host,
    guard,
    peers: () => handshake.admittedPeers(),
    logger,
    ...(options.syncBatchSize ? { batchSize: options.syncBatchSize } : {}),
    ...(options.onSyncProgress ? { onProgress: options.onSyncProgress } : {}),
  });
  const gossip = new ShareGossip(pubsub, {
    host,
    guard,
    handshake,
    logger,
    metrics: options.metrics,
    onOrphan: (peer, share, missing) => windowSync.resolveOrphan(peer, share, missing),
  });
  return { handshake, syncServer, syncClient, windowSync, gossip };
}

/** The stream gate's options for a peer wired by wirePeerProtocols: gossip frames metered at MAX_GOSSIP_FRAME_BYTES. */
export function peerGateOptions(pubsub: GossipSub, wiring: PeerWiring, guard: PeerGuard, logger: Logger) {
  return { handshake: wiring.handshake, guard, logger, meteredProtocols: new Map(pubsub.protocols.map((p) => [p, MAX_GOSSIP_FRAME_BYTES])) };
}
