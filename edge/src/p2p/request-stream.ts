/**
 * One request, one answer on a stream: the shape of the small protocols edges answer for
 * browsers (templates: template-publisher.ts, introductions: peer-introducer.ts). A frame over
 * the limit bans the sender before it is read; a peer over its request rate gets an error frame
 * and is charged a little (PeerGuard.allowSync); a request that does not decode is answered with
 * the reason, charged, and the stream aborted. Only admitted peers get here (stream-gate.ts).
 */
import type { Connection, Libp2p, Stream } from '@libp2p/interface';
import { lpStream } from '@libp2p/utils';
import { P2pCodecError } from '@otedama/core';
import type { Logger } from '../logger.ts';
import { PENALTY, type PeerGuard } from './peer-guard.ts';

export interface OneRequestOptions<T> {
  readonly guard: PeerGuard;
  readonly log: Logger;
  /** Names the protocol in bans and logs ("template request"). */
  readonly what: string;
  /** Largest frame either way. */
  readonly maxFrameBytes: number;
  readonly timeoutMs: number;
  /** Reads the request (throws P2pCodecError for malformed input). */
  decode(frame: Uint8Array): T;
  /** The answer frame for a request of `peer`. */
  answer(request: T, peer: string): Uint8Array;
  /** An error frame with this text. */
  error(text: string): Uint8Array;
}

export async function answerOneRequest<T>(stream: Stream, conn: Connection, o: OneRequestOptions<T>): Promise<void> {
  const peer = conn.remotePeer.toString();
  const signal = AbortSignal.timeout(o.timeoutMs);
  const lp = lpStream(stream, { maxDataLength: o.maxFrameBytes });
  try {
    let frame;
    try {
      frame = await lp.read({ signal });
    } catch (err) {
      const name = (err as Error).name;
      if (name === 'InvalidDataLengthError' || name === 'InvalidDataLengthLengthError') o.guard.ban(peer, 'oversized-frame', `${o.what} over ${o.maxFrameBytes} bytes`);
      stream.abort(err as Error);
      return;
    }
    let request: T;
    try {
      request = o.decode(frame.subarray());
    } catch (err) {
      if (!(err instanceof P2pCodecError)) throw err;
      // The answer goes out first: a peer charged into a ban still learns why.
      await lp.write(o.error(err.reason), { signal }).catch(() => undefined);
      o.guard.penalize(peer, PENALTY.malformedRequest, `malformed ${o.what}: ${err.reason}`);
      stream.abort(new Error(err.reason));
      return;
    }
    await lp.write(o.guard.allowSync(peer) ? o.answer(request, peer) : o.error('too many requests; slow down'), { signal });
    await stream.close({ signal });
  } catch (err) {
    o.log.debug(`${o.what} not answered`, { peer, error: (err as Error).message });
    stream.abort(err as Error);
  }
}

/** Registers `protocol` on `node`, answering each stream with answerOneRequest. */
export function handleOneRequest<T>(node: Pick<Libp2p, 'handle'>, protocol: string, options: OneRequestOptions<T>, maxInboundStreams: number): Promise<void> {
  return node.handle(protocol, (stream, conn) => void answerOneRequest(stream, conn, options), { maxInboundStreams });
}
