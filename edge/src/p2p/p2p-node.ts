/**
 * The edge's libp2p node: TCP and WebSockets listeners, Noise, yamux, gossipsub, identify,
 * ping, an Otedama kad-dht in server mode, a circuit-relay-v2 server (browsers reserve slots on
 * it), the pool-id handshake before anything else, share gossip, the sync protocol and its
 * client, and the defences (peer-guard.ts). Bootstrap peers are dialed at start and redialed
 * while they are away, so a restart or a healed partition reconnects by itself.
 *
 * start() builds and starts everything; stop() is idempotent and releases listeners, streams,
 * timers and connections.
 */
import { noise } from '@chainsafe/libp2p-noise';
import { yamux } from '@chainsafe/libp2p-yamux';
import { circuitRelayServer, RELAY_V2_HOP_CODEC } from '@libp2p/circuit-relay-v2';
import type { GossipSub, GossipSubComponents } from '@libp2p/gossipsub';
import { identify } from '@libp2p/identify';
import type { Libp2p, PrivateKey } from '@libp2p/interface';
import { kadDHT, passthroughMapper } from '@libp2p/kad-dht';
import { peerIdFromString } from '@libp2p/peer-id';
import { ping } from '@libp2p/ping';
import { tcp } from '@libp2p/tcp';
import { webSockets } from '@libp2p/websockets';
import { multiaddr } from '@multiformats/multiaddr';
import { bytesToHex, KAD_DHT_PROTOCOL } from '@otedama/core';
import { createLibp2p } from 'libp2p';
import { P2pError } from '../errors.ts';
import type { Logger } from '../logger.ts';
import type { P2pMetrics } from '../metrics/p2p-metrics.ts';
import type { ChainHost } from './chain-host.ts';
import { withCoalescedWrites } from './coalesced-writes.ts';
import { poolGossipsub } from './gossip-config.ts';
import { PeerGuard, type Ban, type PeerBlock, type RateLimits, type Unblocked } from './peer-guard.ts';
import { peerGateOptions, wirePeerProtocols, type ScoredGossipSub as WiredGossipSub } from './peer-wiring.ts';
import type { PoolHandshake } from './pool-handshake.ts';
import type { ShareGossip } from './share-gossip.ts';
import { installStreamGate, UNGATED_PROTOCOLS } from './stream-gate.ts';
import { transportOf } from './transports.ts';
import type { SyncClient } from './sync-client.ts';
import type { SyncServer } from './sync-server.ts';
import { SYNC_PEER_WAIT_MS, type SyncProgress, type WindowSync } from './window-sync.ts';

/** How often bootstrap peers that are not connected are dialed again. */
export const BOOTSTRAP_REDIAL_MS = 5_000;
/** How long one bootstrap dial may take. */
const BOOTSTRAP_DIAL_TIMEOUT_MS = 10_000;
/** A newly admitted peer triggers a sync run unless one ran this recently (edges meet many browsers). */
const AUTO_SYNC_MIN_INTERVAL_MS = 30_000;
/**
 * How often the node asks its peers for their tips and catches up when behind: gossip reaches
 * only mesh peers, so a share published while a mesh was forming, or while a node was cut off,
 * would otherwise arrive only with the next share that names it as parent.
 */
export const CATCH_UP_INTERVAL_MS = 30_000;

export interface P2pNodeOptions {
  readonly host: ChainHost;
  /**
   * The chain as window sync feeds it (SyncShareChainHost: a share on a coin block this node cannot
   * judge now is checked for everything but the coin); default `host`. Gossip always uses `host`.
   */
  readonly syncHost?: ChainHost;
  readonly privateKey: PrivateKey;
  /** Multiaddrs to listen on (multiaddrs.ts checked them). */
  readonly listen: readonly string[];
  /** Multiaddrs ending in /p2p/<peer id>, dialed at start and redialed while away. */
  readonly bootstrap: readonly string[];
  readonly maxPeers: number;
  readonly banSeconds: number;
  /** Peer ids never admitted (p2p.deny_peers; multiaddrs.ts checked them). */
  readonly denyPeers?: readonly string[];
  readonly logger: Logger;
  readonly metrics?: P2pMetrics | undefined;
  /** Tests and benchmarks: shorter deadlines, other limits. */
  readonly handshakeTimeoutMs?: number;
  readonly rateLimits?: Partial<RateLimits>;
  readonly syncBatchSize?: number;
  readonly bootstrapRedialMs?: number;
  /** false: no automatic sync when a peer is admitted (tests that drive sync themselves). */
  readonly autoSync?: boolean;
  readonly onSyncProgress?: (p: SyncProgress) => void;
  /** Protocols other modules add (templates: template-publisher.ts), started with the node and behind the same gate. */
  readonly extensions?: readonly P2pExtension[];
}

/** What an extension (below) gets to register its protocols and topics with. */
export interface P2pExtensionContext {
  readonly node: Libp2p;
  readonly pubsub: GossipSub;
  readonly guard: PeerGuard;
  readonly handshake: PoolHandshake;
}

/**
 * A protocol or topic that lives beside the node's own: start() runs after the node's protocols
 * are registered and before the stream gate and the listeners, so whatever it handles is held
 * until a peer is admitted, like everything else; stop() runs before the node stops.
 */
export interface P2pExtension {
  start(context: P2pExtensionContext): Promise<void> | void;
  stop(): Promise<void> | void;
}

export interface PeerSummary {
  readonly id: string;
  /** Remote addresses of its open connections. */
  readonly addresses: string[];
  /** tcp, websockets, relay or webrtc, one per connection. */
  readonly transports: string[];
  readonly direction: 'inbound' | 'outbound';
  /** Round-trip time measured by libp2p's connection monitor; undefined until its first ping. */
  readonly latencyMs: number | undefined;
  /** gossipsub score minus the guard's penalties (peer-guard.ts); banned at BAN_SCORE. */
  readonly score: number;
  /** Completed the pool-id handshake. */
  readonly admitted: boolean;
}

export interface P2pStatus {
  readonly poolId: string;
  readonly peerId: string;
  readonly listen: string[];
  readonly peers: number;
  readonly admittedPeers: number;
  readonly bans: number;
  /** Peers the operator blocked (otedama node block, p2p.deny_peers). */
  readonly blocked: number;
  readonly sync: SyncProgress;
}

/** gossipsub's implementation has getScore and getMeshPeers; its exported interface does not declare them. */
type ScoredGossipSub = WiredGossipSub & { getMeshPeers(topic: string): string[] };
type Services = { identify: unknown; ping: unknown; pubsub: ScoredGossipSub; dht: unknown; relay: unknown };

/** libp2p's listen error (several lines, a stack each) as one reason. */
function listenFailure(err: Error): string {
  const m = err.message;
  if (m.includes('EADDRINUSE')) return 'the port is in use (another otedama?)';
  if (m.includes('EACCES')) return 'permission denied (ports below 1024 need privileges)';
  if (m.includes('EADDRNOTAVAIL')) return 'the address is not one of this machine';
  return m.split('\n')[0]!;
}

export { transportOf };

export class P2pNode {
  readonly guard: PeerGuard;
  private libp2p: Libp2p<Services> | undefined;
  private handshake: PoolHandshake | undefined;
  private gossip: ShareGossip | undefined;
  private syncServer: SyncServer | undefined;
  private windowSync: WindowSync | undefined;
  private bootstrapTimer: ReturnType<typeof setInterval> | undefined;
  private catchUpTimer: ReturnType<typeof setInterval> | undefined;
  private lastAutoSync = 0;
  private stopping: Promise<void> | undefined;
  private readonly log: Logger;

  constructor(private readonly options: P2pNodeOptions) {
    this.log = options.logger.forComponent('edge:p2p');
    this.guard = new PeerGuard({ banSeconds: options.banSeconds, logger: options.logger, ...(options.denyPeers ? { denyPeers: options.denyPeers } : {}), ...(options.rateLimits ? { limits: options.rateLimits } : {}) });
  }

  private get node(): Libp2p<Services> {
    if (!this.libp2p) throw new P2pError('the p2p node is not started');
    return this.libp2p;
  }

  /** The libp2p node underneath, for tests and benchmarks that drive it directly (hostile peers, pings). */
  get raw(): Libp2p<Services> {
    return this.node;
  }

  get peerId(): string {
    return this.node.peerId.toString();
  }

  get poolId(): string {
    return bytesToHex(this.options.host.poolId);
  }

  get poolIdBytes(): Uint8Array {
    return this.options.host.poolId;
  }

  async start(): Promise<void> {
    if (this.libp2p) return;
    const { options, guard } = this;
    const node = await createLibp2p({
      start: false,
      privateKey: options.privateKey,
      addresses: { listen: [...options.listen] },
      // One socket write per libp2p write (coalesced-writes.ts): Noise's two chunks a frame were two.
      transports: [withCoalescedWrites(tcp()), withCoalescedWrites(webSockets())],
      connectionEncrypters: [noise()],
      streamMuxers: [yamux()],
      connectionGater: guard.gater(),
      connectionManager: { maxConnections: options.maxPeers },
      services: {
        identify: identify(),
        ping: ping(),
        pubsub: poolGossipsub(options.host.poolId) as unknown as (components: GossipSubComponents) => ScoredGossipSub,
        dht: kadDHT({ protocol: KAD_DHT_PROTOCOL, clientMode: false, peerInfoMapper: passthroughMapper }),
        relay: circuitRelayServer({ reservations: { maxReservations: options.maxPeers } }),
      },
    });
    this.libp2p = node;
    const pubsub = node.services.pubsub;
    const wiring = wirePeerProtocols(node, pubsub, {
      host: options.host,
      ...(options.syncHost ? { syncHost: options.syncHost } : {}),
      guard,
      logger: options.logger,
      metrics: options.metrics,
      ...(options.handshakeTimeoutMs ? { handshakeTimeoutMs: options.handshakeTimeoutMs } : {}),
      ...(options.syncBatchSize ? { syncBatchSize: options.syncBatchSize } : {}),
      ...(options.onSyncProgress ? { onSyncProgress: options.onSyncProgress } : {}),
      onBan: (ban) => options.metrics?.bansTotal.inc({ offence: ban.offence }),
    });
    const { handshake, syncServer, syncClient, windowSync } = wiring;
    this.handshake = handshake;
    this.syncServer = syncServer;
    this.windowSync = windowSync;
    this.gossip = wiring.gossip;
    if (options.autoSync !== false) {
      handshake.onAdmit((peer) => {
        if (Date.now() - this.lastAutoSync >= AUTO_SYNC_MIN_INTERVAL_MS) {
          this.lastAutoSync = Date.now();
          void windowSync.run();
          return;
        }
        // A sync ran a moment ago, but this peer may come back from the other side of a
        // partition with more work: one status request decides (a browser that just joined has less).
        void this.syncIfAhead(syncClient, windowSync, peer);
      });
    }

    try {
      await handshake.start();
      await syncServer.start();
      for (const e of options.extensions ?? []) await e.start({ node, pubsub, guard, handshake });
      // Gated before the listeners open: no stream of an unadmitted peer ever reaches a handler.
      const gateOptions = peerGateOptions(pubsub, wiring, guard, options.logger);
      const known = [...pubsub.protocols, KAD_DHT_PROTOCOL, RELAY_V2_HOP_CODEC, syncServer.protocol];
      const gated = new Set(installStreamGate(node, gateOptions, known));
      try {
        await node.start();
      } catch (err) {
        throw new P2pError(`cannot listen on ${options.listen.join(', ')}: ${listenFailure(err as Error)}; choose another port with --p2p-port or p2p.listen`, { cause: err });
      }
      const late = node.getProtocols().filter((p) => !gated.has(p) && !UNGATED_PROTOCOLS.includes(p) && !p.startsWith('/otedama/handshake/'));
      if (late.length) installStreamGate(node, gateOptions, late);
      this.gossip.start();
    } catch (err) {
      await this.stop();
      throw err;
    }
    this.log.info('p2p node started', { peerId: this.peerId, poolId: this.poolId, listen: this.listenAddresses() });
    this.startBootstrap();
    if (options.autoSync !== false) {
      this.catchUpTimer = setInterval(() => {
        if (this.admittedPeers().length && Date.now() - this.lastAutoSync >= CATCH_UP_INTERVAL_MS) {
          this.lastAutoSync = Date.now();
          void windowSync.run();
        }
      }, CATCH_UP_INTERVAL_MS);
      this.catchUpTimer.unref();
    }
  }

  /** Runs a sync when `peer`'s tip has more work than this node's. */
  private async syncIfAhead(client: SyncClient, windowSync: WindowSync, peer: string): Promise<void> {
    try {
      const theirs = await client.status(peer, AbortSignal.timeout(BOOTSTRAP_DIAL_TIMEOUT_MS));
      const ours = await this.options.host.tip();
      if (!theirs || (ours && ours.work >= theirs.work)) return;
      this.log.info('an admitted peer holds a chain with more work: syncing', { peer, height: theirs.height });
      this.lastAutoSync = Date.now();
      await windowSync.run();
    } catch (err) {
      this.log.debug('status of an admitted peer not read', { peer, error: (err as Error).message });
    }
  }

  private startBootstrap(): void {
    const peers = this.options.bootstrap.map((addr) => ({ addr, ma: multiaddr(addr), id: peerIdFromString(multiaddr(addr).getComponents().findLast((c) => c.name === 'p2p')!.value!) }));
    const self = this.peerId;
    const targets = peers.filter((p) => p.id.toString() !== self);
    if (!targets.length) return;
    const dialAll = () => {
      const node = this.libp2p;
      if (!node) return;
      for (const t of targets) {
        if (node.getConnections(t.id).length || this.guard.isBanned(t.id.toString())) continue;
        node.dial(t.ma, { signal: AbortSignal.timeout(BOOTSTRAP_DIAL_TIMEOUT_MS) }).catch((err: Error) => this.log.debug('bootstrap peer not reached', { addr: t.addr, error: err.message }));
      }
    };
    dialAll();
    this.bootstrapTimer = setInterval(dialAll, this.options.bootstrapRedialMs ?? BOOTSTRAP_REDIAL_MS);
    this.bootstrapTimer.unref();
  }

  stop(): Promise<void> {
    this.stopping ??= (async () => {
      clearInterval(this.bootstrapTimer);
      clearInterval(this.catchUpTimer);
      await this.windowSync?.stop();
      this.gossip?.stop();
      await this.syncServer?.stop();
      for (const e of this.options.extensions ?? []) await Promise.resolve(e.stop()).catch(() => undefined);
      await this.handshake?.stop();
      await this.libp2p?.stop();
      this.log.info('p2p node stopped');
    })();
    return this.stopping;
  }

  /** The node's own addresses, each ending in /p2p/<peer id>: what other edges pass to --bootstrap. */
  listenAddresses(): string[] {
    return this.node.getMultiaddrs().map(String);
  }

  admittedPeers(): string[] {
    return this.handshake?.admittedPeers() ?? [];
  }

  isAdmitted(peer: string): boolean {
    return this.handshake?.isAdmitted(peer) ?? false;
  }

  peers(): PeerSummary[] {
    const byPeer = new Map<string, ReturnType<Libp2p['getConnections']>>();
    for (const c of this.node.getConnections()) {
      const id = c.remotePeer.toString();
      byPeer.set(id, [...(byPeer.get(id) ?? []), c]);
    }
    return [...byPeer].map(([id, conns]) => {
      const rtts = conns.map((c) => c.rtt).filter((r): r is number => typeof r === 'number');
      return {
        id,
        addresses: conns.map((c) => c.remoteAddr.toString()),
        transports: conns.map((c) => transportOf(c.remoteAddr.toString())),
        direction: conns[0]!.direction,
        latencyMs: rtts.length ? Math.min(...rtts) : undefined,
        score: Math.round(this.guard.score(id) * 100) / 100,
        admitted: this.isAdmitted(id),
      };
    });
  }

  /** Gossips a share the chain accepted from this edge's own miners; resolves to the peers it went to. */
  publishShare(share: Uint8Array): Promise<number> {
    if (!this.gossip) throw new P2pError('the p2p node is not started');
    return this.gossip.publish(share);
  }

  /**
   * The operator cuts a peer off (for `seconds`, or until unblocked): its connections close now
   * and it is neither dialed nor accepted (a partition, in tests). Resolves to the block and
   * whether the peer was connected.
   */
  blockPeer(peer: string, reason: string, seconds?: number): { block: PeerBlock; wasConnected: boolean } {
    if (peer === this.peerId) throw new P2pError('a node cannot block itself');
    const wasConnected = this.node.getConnections(peerIdFromString(peer)).length > 0;
    return { block: this.guard.block(peer, reason, seconds), wasConnected };
  }

  /** Lets a blocked or banned peer back in; a bootstrap peer is redialed at once. */
  unblockPeer(peer: string): Unblocked {
    const r = this.guard.unblock(peer);
    const boot = this.options.bootstrap.find((a) => a.endsWith(`/p2p/${peer}`));
    if (boot && (r.wasBlocked || r.wasBanned)) void this.node.dial(multiaddr(boot), { signal: AbortSignal.timeout(BOOTSTRAP_DIAL_TIMEOUT_MS) }).catch((err: Error) => this.log.debug('bootstrap peer not reached', { addr: boot, error: err.message }));
    return r;
  }

  /** Bans and operator blocks in force. */
  exclusions(): { bans: Ban[]; blocks: PeerBlock[] } {
    return { bans: this.guard.bans(), blocks: this.guard.blocks() };
  }

  /** Starts a sync run (or joins the one under way); with no peer connected at all it ends at once. */
  resync(): Promise<SyncProgress> {
    if (!this.windowSync) throw new P2pError('the p2p node is not started');
    this.lastAutoSync = Date.now();
    return this.windowSync.run(undefined, this.node.getConnections().length ? SYNC_PEER_WAIT_MS : 0);
  }

  /** Stops the sync run under way (it ends as 'cancelled'). */
  cancelSync(): void {
    this.windowSync?.cancel();
  }

  syncProgress(): SyncProgress {
    return this.windowSync?.progress() ?? { state: 'idle', shares: 0, batches: 0 };
  }

  status(): P2pStatus {
    return {
      poolId: this.poolId,
      peerId: this.peerId,
      listen: this.listenAddresses(),
      peers: new Set(this.node.getConnections().map((c) => c.remotePeer.toString())).size,
      admittedPeers: this.admittedPeers().length,
      bans: this.guard.bans().length,
      blocked: this.guard.blocks().length,
      sync: this.syncProgress(),
    };
  }
}
