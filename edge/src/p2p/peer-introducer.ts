/**
 * Introductions (core's introduction-codec.ts): an edge tells a browser which other admitted
 * peers hold a circuit-relay reservation on it, so the browser can reach them through the relay
 * and upgrade to a direct WebRTC connection. Only peer ids are told (no addresses: the relayed
 * address is this edge's own), at most what the browser asked for, in random order so that
 * browsers spread their connections instead of all dialing the same few.
 */
import type { CircuitRelayService } from '@libp2p/circuit-relay-v2';
import type { Libp2p } from '@libp2p/interface';
import { peerIdFromString } from '@libp2p/peer-id';
import { decodeIntroductionRequest, encodeIntroductionResponse, introductionProtocol, MAX_INTRODUCTION_FRAME_BYTES } from '@otedama/core';
import type { Logger } from '../logger.ts';
import type { P2pExtension, P2pExtensionContext } from './p2p-node.ts';
import { handleOneRequest } from './request-stream.ts';

/** A peer has this long to send its request, and we to answer. */
const INTRODUCTION_TIMEOUT_MS = 5_000;
const MAX_INBOUND_INTRODUCTION_STREAMS = 2;

export class PeerIntroducer implements P2pExtension {
  readonly protocol: string;
  private readonly log: Logger;
  private context: P2pExtensionContext | undefined;

  constructor(poolId: Uint8Array, logger: Logger) {
    this.protocol = introductionProtocol(poolId);
    this.log = logger.forComponent('edge:p2p:introductions');
  }

  async start(context: P2pExtensionContext): Promise<void> {
    if (this.context) return;
    this.context = context;
    await handleOneRequest(
      context.node,
      this.protocol,
      {
        guard: context.guard,
        log: this.log,
        what: 'introduction request',
        maxFrameBytes: MAX_INTRODUCTION_FRAME_BYTES,
        timeoutMs: INTRODUCTION_TIMEOUT_MS,
        decode: decodeIntroductionRequest,
        answer: (max, peer) => encodeIntroductionResponse({ type: 'peers', peers: this.introduce(peer, max).map((p) => peerIdFromString(p).toMultihash().bytes) }),
        error: (text) => encodeIntroductionResponse({ type: 'error', text }),
      },
      MAX_INBOUND_INTRODUCTION_STREAMS,
    );
  }

  async stop(): Promise<void> {
    const context = this.context;
    if (!context) return;
    this.context = undefined;
    await context.node.unhandle(this.protocol).catch(() => undefined);
  }

  /** Admitted peers other than `except` that hold a relay reservation here, in random order. */
  introduce(except: string, max: number): string[] {
    const context = this.context;
    if (!context) return [];
    const relay = (context.node as Libp2p<{ relay?: CircuitRelayService }>).services.relay;
    const reserved = relay?.reservations;
    const peers = context.handshake.admittedPeers().filter((p) => p !== except && reserved?.has(peerIdFromString(p)) === true);
    for (let i = peers.length - 1; i > 0; i--) {
      const j = Math.floor(Math.random() * (i + 1));
      [peers[i], peers[j]] = [peers[j]!, peers[i]!];
    }
    return peers.slice(0, max);
  }

}
