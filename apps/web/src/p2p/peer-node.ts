/**
 * The page's libp2p node: WebSockets to edges, a circuit-relay reservation on each edge (so other
 * browsers can reach it), WebRTC to other browsers (signalled through an edge's relay, no STUN
 * needed on one network), Noise, yamux, identify, ping, gossipsub, and the pool's own protocols
 * through the edge's code (@otedama/edge/peer): the pool-id handshake before anything else, the
 * stream gate, share gossip whose validator asks the chain worker, the sync server and window
 * sync. Templates and introductions are asked of edges here; what to do with them is the
 * session's (peer-session.ts). Loaded only after Start.
 */
import { noise } from '@chainsafe/libp2p-noise';
import { yamux } from '@chainsafe/libp2p-yamux';
import { circuitRelayTransport } from '@libp2p/circuit-relay-v2';
import { generateKeyPair } from '@libp2p/crypto/keys';
import { TopicValidatorResult, type GossipSub, type GossipSubComponents, type Message } from '@libp2p/gossipsub';
import { identify } from '@libp2p/identify';
import type { Connection, Libp2p, PeerId } from '@libp2p/interface';
import { peerIdFromMultihash, peerIdFromString } from '@libp2p/peer-id';
import { ping } from '@libp2p/ping';
import { lpStream } from '@libp2p/utils';
import { webSockets } from '@libp2p/websockets';
import { multiaddr } from '@multiformats/multiaddr';
import {
  decodeIntroductionResponse,
  decodeTemplateResponse,
  encodeIntroductionRequest,
  encodeTemplateRequest,
  introductionProtocol,
  MAX_INTRODUCTION_FRAME_BYTES,
  MAX_TEMPLATE_RESPONSE_BYTES,
  templateProtocol,
  templatesTopic,
  type SignedTemplate,
} from '@otedama/core';
import {
  installStreamGate,
  PeerGuard,
  peerGateOptions,
  PoolHandshake,
  poolGossipsub,
  ShareGossip,
  SyncClient,
  SyncServer,
  transportOf,
  WindowSync,
  wirePeerProtocols,
  withCoalescedWrites,
  type ChainHost,
  type Logger,
  type SyncProgress,
} from '@otedama/edge/peer';
import * as Digest from 'multiformats/hashes/digest';
import { PeerNetworkError } from '../errors.ts';
import { importWebRTC } from './webrtc-init-channel.ts';

/** Connections a page keeps at most: its edges and a handful of browsers. */
const MAX_CONNECTIONS = 48;
/** A misbehaving peer is kept away this long (the edge's default). */
const BAN_SECONDS = 600;
/** One request to an edge (template, introductions) may take this long. */
const REQUEST_TIMEOUT_MS = 10_000;
/** How long one dial (WebSockets to an edge, or a relayed WebRTC upgrade) may take. */
export const DIAL_TIMEOUT_MS = 15_000;
/**
 * Shares per sync request: progress shows every 128 shares, and a full window of 8,640 is 68
 * requests, within the burst an edge allows one peer (peer-guard.ts: 100 requests, then 10/s),
 * where the edge's own 512 would make a page's progress jump in steps of minutes on a slow link.
 */
export const PAGE_SYNC_BATCH_SHARES = 128;

type ScoredGossipSub = GossipSub & { getScore(peer: string): number; getMeshPeers(topic: string): string[]; getSubscribers(topic: string): PeerId[] };
type Services = { identify: unknown; ping: unknown; pubsub: ScoredGossipSub };

export interface PeerNodeOptions {
  readonly poolId: Uint8Array;
  /** The chain as gossip and the sync server see it (the worker, judging shares as gossip). */
  readonly host: ChainHost;
  /** The chain as a sync run feeds it (coin checks it cannot make are left to edges). */
  readonly syncHost: ChainHost;
  readonly logger: Logger;
  /** STUN/TURN servers for WebRTC; none on one network (and in the tests' namespace). */
  readonly iceServers?: RTCIceServer[];
  /** Judges a template heard on the templates topic (signature, trust, age). */
  readonly validateTemplate: (peer: string, data: Uint8Array) => Promise<TopicValidatorResult>;
  readonly onSyncProgress?: (p: SyncProgress) => void;
  /**
   * Judges a whole sync batch as it arrives, before the sync run offers it share by share to
   * `syncHost` (which then answers from these verdicts: one worker round trip per batch).
   */
  readonly preverifySyncBatch?: (shares: readonly Uint8Array[]) => Promise<void>;
  /** A peer was admitted (completed the pool-id handshake) or left. */
  readonly onPeer?: (peer: string, admitted: boolean) => void;
}

export interface PeerView {
  readonly id: string;
  /** websockets, webrtc or relay, one per open connection. */
  readonly transports: string[];
  readonly latencyMs: number | undefined;
  readonly admitted: boolean;
  readonly score: number;
}

export class PeerNode {
  readonly guard: PeerGuard;
  private libp2p: Libp2p<Services> | undefined;
  private handshake: PoolHandshake | undefined;
  private gossip: ShareGossip | undefined;
  private syncServer: SyncServer | undefined;
  private windowSync: WindowSync | undefined;
  private readonly log: Logger;
  private stopping: Promise<void> | undefined;

  constructor(private readonly options: PeerNodeOptions) {
    this.log = options.logger.forComponent('web:p2p');
    this.guard = new PeerGuard({ banSeconds: BAN_SECONDS, logger: options.logger });
  }

  private get node(): Libp2p<Services> {
    if (!this.libp2p) throw new PeerNetworkError('the peer node is not started');
    return this.libp2p;
  }

  get peerId(): string {
    return this.node.peerId.toString();
  }

  /** The libp2p node itself (tests and diagnostics count its connections). */
  get raw(): Libp2p<Services> {
    return this.node;
  }

  async start(): Promise<void> {
    if (this.libp2p) return;
    const { options, guard } = this;
    const node = await createLibp2pNode(options, guard);
    this.libp2p = node;
    const pubsub = node.services.pubsub;
    const wiring = wirePeerProtocols(node, pubsub, {
      host: options.host,
      syncHost: options.syncHost,
      guard,
      logger: options.logger,
      syncBatchSize: PAGE_SYNC_BATCH_SHARES,
      ...(options.preverifySyncBatch ? { syncClient: new PreverifyingSyncClient(node, options.poolId, options.preverifySyncBatch) } : {}),
      ...(options.onSyncProgress ? { onSyncProgress: options.onSyncProgress } : {}),
    });
    const { handshake, syncServer } = wiring;
    this.handshake = handshake;
    this.syncServer = syncServer;
    this.windowSync = wiring.windowSync;
    this.gossip = wiring.gossip;
    handshake.onAdmit((peer) => options.onPeer?.(peer, true));
    node.addEventListener('peer:disconnect', (e) => options.onPeer?.(e.detail.toString(), false));
    const templates = templatesTopic(options.poolId);
    pubsub.topicValidators.set(templates, (peer: PeerId, msg: Message) =>
      handshake.isAdmitted(peer.toString()) ? options.validateTemplate(peer.toString(), msg.data) : Promise.resolve(TopicValidatorResult.Ignore),
    );
    try {
      await handshake.start();
      await syncServer.start();
      installStreamGate(node, peerGateOptions(pubsub, wiring, guard, options.logger), [...pubsub.protocols, syncServer.protocol]);
      await node.start();
      this.gossip.start();
      pubsub.subscribe(templates);
    } catch (err) {
      await this.stop();
      throw new PeerNetworkError(`the peer node could not start: ${(err as Error).message}`, { cause: err });
    }
    this.log.info('peer node started', { peerId: this.peerId });
  }

  stop(): Promise<void> {
    this.stopping ??= (async () => {
      await this.windowSync?.stop();
      this.gossip?.stop();
      await this.syncServer?.stop();
      await this.handshake?.stop();
      await this.libp2p?.stop();
    })();
    return this.stopping;
  }

  /** Dials a multiaddr (an edge's WebSockets address, or a browser through a relay); resolves to the peer reached. */
  async dial(addr: string): Promise<string> {
    const conn = await this.node.dial(multiaddr(addr), { signal: AbortSignal.timeout(DIAL_TIMEOUT_MS) });
    return conn.remotePeer.toString();
  }

  /** Resolves true once `peer` completed the pool-id handshake (false when it was refused or left). */
  whenAdmitted(peer: string): Promise<boolean> {
    return this.handshake?.whenAdmitted(peer) ?? Promise.resolve(false);
  }

  isAdmitted(peer: string): boolean {
    return this.handshake?.isAdmitted(peer) ?? false;
  }

  admittedPeers(): string[] {
    return this.handshake?.admittedPeers() ?? [];
  }

  isConnected(peer: string): boolean {
    return this.node.getConnections(peerIdFromString(peer)).length > 0;
  }

  /** Open connections by peer (the dashboard's network view). */
  peers(): PeerView[] {
    const byPeer = new Map<string, Connection[]>();
    for (const c of this.node.getConnections()) {
      const id = c.remotePeer.toString();
      byPeer.set(id, [...(byPeer.get(id) ?? []), c]);
    }
    return [...byPeer].map(([id, conns]) => {
      const rtts = conns.map((c) => c.rtt).filter((r): r is number => typeof r === 'number');
      return {
        id,
        transports: conns.map((c) => transportOf(c.remoteAddr.toString())),
        latencyMs: rtts.length ? Math.min(...rtts) : undefined,
        admitted: this.isAdmitted(id),
        score: Math.round(this.guard.score(id) * 10) / 10,
      };
    });
  }

  /** Peers that would receive a share published now (subscribed to the shares topic). */
  shareListeners(): number {
    const gossip = this.gossip;
    return gossip ? this.node.services.pubsub.getSubscribers(gossip.topic).length : 0;
  }

  publishShare(share: Uint8Array): Promise<number> {
    if (!this.gossip) throw new PeerNetworkError('the peer node is not started');
    return this.gossip.publish(share);
  }

  /** Starts a sync run (or joins the one under way). */
  sync(): Promise<SyncProgress> {
    if (!this.windowSync) throw new PeerNetworkError('the peer node is not started');
    return this.windowSync.run();
  }

  syncProgress(): SyncProgress {
    return this.windowSync?.progress() ?? { state: 'idle', shares: 0, batches: 0 };
  }

  /** Asks an edge for its latest signed template. */
  async requestTemplate(peer: string): Promise<SignedTemplate> {
    const res = decodeTemplateResponse(await this.request(peer, templateProtocol(this.options.poolId), encodeTemplateRequest(), MAX_TEMPLATE_RESPONSE_BYTES));
    if (res.type === 'error') throw new PeerNetworkError(`${peer} has no template: ${res.text}`);
    return res.template;
  }

  /** Asks an edge which other peers hold a relay reservation on it (peer ids). */
  async requestIntroductions(peer: string, max: number): Promise<string[]> {
    const res = decodeIntroductionResponse(await this.request(peer, introductionProtocol(this.options.poolId), encodeIntroductionRequest(max), MAX_INTRODUCTION_FRAME_BYTES));
    if (res.type === 'error') throw new PeerNetworkError(`${peer} refused introductions: ${res.text}`);
    const self = this.peerId;
    return res.peers.map((b) => peerIdFromMultihash(Digest.decode(b)).toString()).filter((p) => p !== self);
  }

  private async request(peer: string, protocol: string, frame: Uint8Array, maxResponse: number): Promise<Uint8Array> {
    const signal = AbortSignal.timeout(REQUEST_TIMEOUT_MS);
    const stream = await this.node.dialProtocol(peerIdFromString(peer), protocol, { signal });
    const lp = lpStream(stream, { maxDataLength: maxResponse });
    try {
      await lp.write(frame, { signal });
      const answer = (await lp.read({ signal })).subarray();
      await stream.close({ signal }).catch(() => undefined);
      return answer;
    } catch (err) {
      stream.abort(err as Error);
      throw err;
    }
  }
}

/**
 * The sync client whose batches are judged as a whole when they arrive (peer-session.ts keeps the
 * verdicts for the shares the run then offers one by one). A batch that cannot be judged ahead
 * (the worker failed) is still returned: its shares are then judged one by one as before.
 */
class PreverifyingSyncClient extends SyncClient {
  constructor(
    node: ConstructorParameters<typeof SyncClient>[0],
    poolId: Uint8Array,
    private readonly preverify: (shares: readonly Uint8Array[]) => Promise<void>,
  ) {
    super(node, poolId);
  }

  override async sharesAfter(peer: string, locator: readonly Uint8Array[], max: number, signal?: AbortSignal): Promise<{ shares: readonly Uint8Array[]; more: boolean }> {
    const batch = await super.sharesAfter(peer, locator, max, signal);
    await this.preverify(batch.shares).catch(() => undefined);
    return batch;
  }
}

async function createLibp2pNode(options: PeerNodeOptions, guard: PeerGuard): Promise<Libp2p<Services>> {
  const { createLibp2p } = await import('libp2p');
  // Its connections keep the dialer's 'init' channel open at our end until the dialer saw it
  // (webrtc-init-channel.ts: otherwise about one dial in four timed out after "connected", at 4 pages).
  const { webRTC } = await importWebRTC();
  return createLibp2p({
    start: false,
    privateKey: await generateKeyPair('Ed25519'),
    // '/p2p-circuit' takes a reservation on every relay (edge) it connects to; '/webrtc' accepts upgrades through them.
    addresses: { listen: ['/p2p-circuit', '/webrtc'] },
    // One WebSocket message per libp2p write (coalesced-writes.ts), not one per Noise chunk.
    transports: [withCoalescedWrites(webSockets()), webRTC({ rtcConfiguration: { iceServers: options.iceServers ?? [] } }), circuitRelayTransport()],
    connectionEncrypters: [noise()],
    streamMuxers: [yamux()],
    // The guard's gater: banned peers are neither dialed nor accepted; private addresses are dialable.
    connectionGater: guard.gater(),
    // One budget for a whole dial: libp2p's own defaults (10 s a dial, 6 s an address) cut a relayed
    // WebRTC upgrade at 6 s, its one address, whatever DIAL_TIMEOUT_MS says; on a busy machine the
    // relay hop, Noise over the relay and the SDP round trip alone took 2-3 s (bench --trace-dials).
    connectionManager: { maxConnections: MAX_CONNECTIONS, dialTimeout: DIAL_TIMEOUT_MS, addressDialTimeout: DIAL_TIMEOUT_MS },
    services: {
      identify: identify(),
      ping: ping(),
      pubsub: poolGossipsub(options.poolId) as unknown as (components: GossipSubComponents) => ScoredGossipSub,
    },
  });
}
