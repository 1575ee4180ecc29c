/**
 * "No message before the handshake": libp2p stream middleware on every protocol but identify,
 * ping and the handshake itself. A stream the peer opens, or one we open to it, waits until
 * the peer is admitted (pool-handshake.ts); if it never is, the stream is aborted unread. So a
 * peer that has not proved the pool id has none of its gossip delivered or relayed and none of
 * its sync or DHT requests answered, and gets none of ours.
 *
 * The gate also meters gossipsub streams: gossipsub reads length-prefixed RPC frames, and a
 * stock gossipsub, sent a frame over its limit, drops the sender from the router but keeps the
 * connection (reference/machine-notes.md). Here a frame whose length prefix is over
 * MAX_GOSSIP_FRAME_BYTES bans the peer, which closes the connection, before the frame is read.
 */
import type { Connection, Libp2p, Stream, StreamMiddleware } from '@libp2p/interface';
import type { Uint8ArrayList } from 'uint8arraylist';
import type { Logger } from '../logger.ts';
import type { PeerGuard } from './peer-guard.ts';
import type { PoolHandshake } from './pool-handshake.ts';

/** Protocols that run before admission: the handshake needs identify's protocol list and ping's liveness checks. */
export const UNGATED_PROTOCOLS = ['/ipfs/id/1.0.0', '/ipfs/id/push/1.0.0', '/ipfs/ping/1.0.0'];
/** The varint length prefix of a frame is at most this many bytes (frames up to 2^35). */
const MAX_VARINT_BYTES = 5;

/**
 * Follows the length prefixes of a stream of length-prefixed frames without buffering them:
 * push each chunk as it arrives; the first prefix over the limit is reported.
 */
export class FrameMeter {
  private remaining = 0;
  private length = 0;
  private varintBytes = 0;

  constructor(private readonly maxFrameBytes: number) {}

  /** Returns the declared length of a frame over the limit (Infinity for a runaway prefix), or undefined. */
  push(chunk: Uint8Array | Uint8ArrayList): number | undefined {
    const parts = chunk instanceof Uint8Array ? [chunk] : [...chunk];
    for (const buf of parts) {
      let i = 0;
      while (i < buf.length) {
        if (this.remaining > 0) {
          const skip = Math.min(this.remaining, buf.length - i);
          this.remaining -= skip;
          i += skip;
          continue;
        }
        const b = buf[i++]!;
        this.length += (b & 0x7f) * 2 ** (7 * this.varintBytes);
        this.varintBytes++;
        if (b & 0x80) {
          if (this.varintBytes >= MAX_VARINT_BYTES) return Infinity;
          continue;
        }
        const length = this.length;
        this.length = 0;
        this.varintBytes = 0;
        if (length > this.maxFrameBytes) return length;
        this.remaining = length;
      }
    }
    return undefined;
  }
}

export interface StreamGateOptions {
  readonly handshake: PoolHandshake;
  readonly guard: PeerGuard;
  readonly logger: Logger;
  /** Protocols whose inbound data is length-prefixed frames with this limit (gossipsub's). */
  readonly meteredProtocols: ReadonlyMap<string, number>;
}

interface MiddlewareRegistrar {
  getMiddleware(protocol: string): StreamMiddleware[];
}

/**
 * libp2p 3.3's inbound path pushes the protocol handler onto the very array getMiddleware
 * returns, which is the registered one: every inbound stream adds one more handler call to all
 * later streams of that protocol, inbound and outbound (gossipsub then sees one stream twice and
 * closes it). Handing libp2p a copy each time keeps the registered chain as registered.
 */
function copyMiddlewareOnRead(node: object): void {
  const registrar = (node as { components?: { registrar?: MiddlewareRegistrar & { copiesMiddleware?: true } } }).components?.registrar;
  if (!registrar || registrar.copiesMiddleware) return;
  const read = registrar.getMiddleware.bind(registrar);
  registrar.getMiddleware = (protocol) => [...read(protocol)];
  registrar.copiesMiddleware = true;
}

/** Installs the gate on the node's protocols and `extraProtocols` (before any connection opens). */
export function installStreamGate(node: Pick<Libp2p, 'getProtocols' | 'use'>, options: StreamGateOptions, extraProtocols: readonly string[] = []): string[] {
  copyMiddlewareOnRead(node);
  const log = options.logger.forComponent('edge:p2p:gate');
  const gated = [...new Set([...node.getProtocols(), ...extraProtocols])].filter((p) => !UNGATED_PROTOCOLS.includes(p) && !p.startsWith('/otedama/handshake/'));
  for (const protocol of gated) {
    const limit = options.meteredProtocols.get(protocol);
    node.use(protocol, async (stream: Stream, conn: Connection, next: (s: Stream, c: Connection) => void) => {
      const peer = conn.remotePeer.toString();
      if (!options.handshake.isAdmitted(peer) && !(await options.handshake.whenAdmitted(peer))) {
        log.debug('stream refused before the handshake', { peer, protocol, direction: stream.direction });
        // Throwing makes libp2p abort the stream (inbound) or fail the dial (outbound).
        throw new Error(`peer ${peer} has not completed the pool handshake`);
      }
      if (limit !== undefined) meter(stream, limit, (bytes) => options.guard.ban(peer, 'oversized-frame', `${protocol} frame of ${bytes === Infinity ? 'an unbounded length' : `${bytes} bytes`} (limit ${limit})`));
      next(stream, conn);
    });
  }
  return gated;
}

/**
 * Meters what the stream delivers to its reader. libp2p 3 streams hand data to readers as
 * 'message' events; wrapping dispatchEvent (rather than adding a listener, which would take
 * buffered data before the protocol handler attaches its own) sees exactly what the reader gets.
 * A writer-only stream (our outbound gossip) has no reader: its buffer is capped instead.
 */
function meter(stream: Stream, limit: number, onOversize: (bytes: number) => void): void {
  stream.maxReadBufferLength = Math.min(stream.maxReadBufferLength, limit);
  const frames = new FrameMeter(limit);
  const dispatch = stream.dispatchEvent.bind(stream);
  let tripped = false;
  stream.dispatchEvent = (evt: Event): boolean => {
    if (!tripped && evt.type === 'message') {
      const over = frames.push((evt as Event & { data: Uint8Array | Uint8ArrayList }).data);
      if (over !== undefined) {
        tripped = true;
        onOversize(over);
        stream.abort(new Error(`frame of ${over} bytes is over the ${limit}-byte limit`));
        return false;
      }
    }
    return tripped && evt.type === 'message' ? false : dispatch(evt);
  };
}
