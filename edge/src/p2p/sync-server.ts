/**
 * Answers the sync protocol (core's sync-codec.ts): one request per stream, one bounded
 * response. A request frame over MAX_SYNC_REQUEST_BYTES bans the peer; a request that does not
 * decode is answered with an error and costs the peer score; a peer over its request rate gets
 * a rate-limited error. Only admitted peers get here (stream-gate.ts holds the others).
 */
import type { Connection, Libp2p, Stream } from '@libp2p/interface';
import { lpStream } from '@libp2p/utils';
import {
  decodeSyncRequest,
  encodeSyncResponse,
  MAX_SYNC_BATCH_SHARES,
  MAX_SYNC_REQUEST_BYTES,
  MAX_SHARE_GROUP,
  P2pCodecError,
  sharesThatFit,
  syncProtocol,
  type SyncRequest,
  type SyncResponse,
} from '@otedama/core';
import type { Logger } from '../logger.ts';
import type { ChainHost } from './chain-host.ts';
import { PENALTY, type PeerGuard } from './peer-guard.ts';

/** A peer has this long to send its request, and we to write the answer. */
export const SYNC_REQUEST_TIMEOUT_MS = 10_000;
/** Sync streams one peer may hold open at once (a client asks one batch at a time). */
const MAX_INBOUND_SYNC_STREAMS = 4;

export interface SyncServerOptions {
  readonly host: ChainHost;
  readonly guard: PeerGuard;
  readonly logger: Logger;
  readonly timeoutMs?: number;
}

export class SyncServer {
  readonly protocol: string;
  private readonly log: Logger;
  private started = false;

  constructor(
    private readonly node: Pick<Libp2p, 'handle' | 'unhandle'>,
    private readonly options: SyncServerOptions,
  ) {
    this.protocol = syncProtocol(options.host.poolId);
    this.log = options.logger.forComponent('edge:p2p:sync');
  }

  async start(): Promise<void> {
    if (this.started) return;
    this.started = true;
    await this.node.handle(this.protocol, (stream, conn) => void this.serve(stream, conn), { maxInboundStreams: MAX_INBOUND_SYNC_STREAMS });
  }

  async stop(): Promise<void> {
    if (!this.started) return;
    this.started = false;
    await this.node.unhandle(this.protocol).catch(() => undefined);
  }

  private async serve(stream: Stream, conn: Connection): Promise<void> {
    const peer = conn.remotePeer.toString();
    const { guard } = this.options;
    const signal = AbortSignal.timeout(this.options.timeoutMs ?? SYNC_REQUEST_TIMEOUT_MS);
    const lp = lpStream(stream, { maxDataLength: MAX_SYNC_REQUEST_BYTES });
    const answer = async (res: SyncResponse) => {
      await lp.write(encodeSyncResponse(res), { signal });
      await stream.close({ signal });
    };
    try {
      let frame;
      try {
        frame = await lp.read({ signal });
      } catch (err) {
        const name = (err as Error).name;
        if (name === 'InvalidDataLengthError' || name === 'InvalidDataLengthLengthError') {
          guard.ban(peer, 'oversized-frame', `sync request over ${MAX_SYNC_REQUEST_BYTES} bytes`);
        }
        stream.abort(err as Error);
        return;
      }
      if (!guard.allowSync(peer)) {
        await answer({ type: 'error', code: 'rateLimited', text: 'too many sync requests; slow down' });
        return;
      }
      let req: SyncRequest;
      try {
        req = decodeSyncRequest(frame.subarray());
      } catch (err) {
        if (!(err instanceof P2pCodecError)) throw err;
        this.log.info('malformed sync request', { peer, reason: err.reason });
        // The answer goes out first: a peer charged into a ban still learns why.
        await answer({ type: 'error', code: 'malformed', text: err.reason }).catch(() => undefined);
        guard.penalize(peer, PENALTY.malformedRequest, `malformed sync request: ${err.reason}`);
        return;
      }
      await answer(await this.respond(req));
    } catch (err) {
      this.log.debug('sync request not answered', { peer, error: (err as Error).message });
      stream.abort(err as Error);
    }
  }

  private async respond(req: SyncRequest): Promise<SyncResponse> {
    const { host } = this.options;
    switch (req.type) {
      case 'status':
        return { type: 'status', tip: await host.tip() };
      case 'shares': {
        const found = await host.sharesById(req.ids);
        return { type: 'shares', shares: found.slice(0, sharesThatFit(found)), more: false };
      }
      case 'after': {
        const max = Math.min(req.max, MAX_SYNC_BATCH_SHARES);
        const batch = await host.sharesAfter(req.locator, max);
        const n = sharesThatFit(batch);
        // Whether more follow: a share travels with its uncles (and theirs), so a batch may end a
        // few short of `max` (the next share's group did not fit); asking for that much more tells.
        const more = n < batch.length || (batch.length > 0 && (await host.sharesAfter(req.locator, batch.length + MAX_SHARE_GROUP)).length > batch.length);
        return { type: 'shares', shares: batch.slice(0, n), more };
      }
    }
  }
}
