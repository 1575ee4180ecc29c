/**
 * Introductions (core's introduction-codec.ts): an edge tells a browser which other admitted
 * peers hold a circuit-relay reservation on it, so the browser can reach them through the relay
 * and upgrade to a direct WebRTC connection. Only peer ids are told (no addresses: the relayed
 * address is this edge's own), at most what the browser asked for, in random order so that
 * browsers spread their connections instead of all dialing the same few.
 */
import type { CircuitRelayService } from '@libp2p/circuit-relay-v2';
import type { Connection, Libp2p, Stream } from '@libp2p/interface';
import { peerIdFromString } from '@libp2p/peer-id';
import { lpStream } from '@libp2p/utils';
import { decodeIntroductionRequest, encodeIntroductionResponse, introductionProtocol, MAX_INTRODUCTION_FRAME_BYTES, P2pCodecError } from '@otedama/core';
import type { Logger } from '../logger.ts';
import type { P2pExtension, P2pExtensionContext } from './p2p-node.ts';
import { PENALTY } from './peer-guard.ts';

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
    await context.node.handle(this.protocol, (stream, conn) => void this.serve(stream, conn), { maxInboundStreams: MAX_INBOUND_INTRODUCTION_STREAMS });
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

  private async serve(stream: Stream, conn: Connection): Promise<void> {
    const context = this.context;
    if (!context) return stream.abort(new Error('stopping'));
    const peer = conn.remotePeer.toString();
    const { guard } = context;
    const signal = AbortSignal.timeout(INTRODUCTION_TIMEOUT_MS);
    const lp = lpStream(stream, { maxDataLength: MAX_INTRODUCTION_FRAME_BYTES });
    try {
      let frame;
      try {
        frame = await lp.read({ signal });
      } catch (err) {
        const name = (err as Error).name;
        if (name === 'InvalidDataLengthError' || name === 'InvalidDataLengthLengthError') guard.ban(peer, 'oversized-frame', `introduction request over ${MAX_INTRODUCTION_FRAME_BYTES} bytes`);
        stream.abort(err as Error);
        return;
      }
      let max: number;
      try {
        max = decodeIntroductionRequest(frame.subarray());
      } catch (err) {
        if (!(err instanceof P2pCodecError)) throw err;
        await lp.write(encodeIntroductionResponse({ type: 'error', text: err.reason }), { signal }).catch(() => undefined);
        guard.penalize(peer, PENALTY.malformedRequest, `malformed introduction request: ${err.reason}`);
        stream.abort(new Error(err.reason));
        return;
      }
      const answer = guard.allowSync(peer)
        ? { type: 'peers' as const, peers: this.introduce(peer, max).map((p) => peerIdFromString(p).toMultihash().bytes) }
        : { type: 'error' as const, text: 'too many requests; slow down' };
      await lp.write(encodeIntroductionResponse(answer), { signal });
      await stream.close({ signal });
    } catch (err) {
      this.log.debug('introduction request not answered', { peer, error: (err as Error).message });
      stream.abort(err as Error);
    }
  }
}
