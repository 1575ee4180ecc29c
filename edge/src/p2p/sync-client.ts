/**
 * Asks a peer one sync question (core's sync-codec.ts) on a fresh stream and reads its one
 * bounded answer. Every failure is a SyncError that says what went wrong; `malformed` marks the
 * ones that are the peer's fault (its answer did not decode, or was over the size limit), which
 * the caller charges it for.
 */
import type { Libp2p } from '@libp2p/interface';
import { peerIdFromString } from '@libp2p/peer-id';
import { lpStream } from '@libp2p/utils';
import {
  decodeSyncResponse,
  encodeSyncRequest,
  MAX_SYNC_RESPONSE_BYTES,
  P2pCodecError,
  syncProtocol,
  type ChainTip,
  type SyncRequest,
  type SyncResponse,
} from '@otedama/core';
import { RateLimiter } from '../api/rate-limiter.ts';
import { SyncError } from '../errors.ts';
import { DEFAULT_RATE_LIMITS } from './peer-guard.ts';

/** How long one request may take, from opening the stream to the end of the answer. */
export const SYNC_CLIENT_TIMEOUT_MS = 15_000;
/**
 * Requests this client sends one peer, per second and in a burst: 80 % of what a peer allows
 * (DEFAULT_RATE_LIMITS), so a window sync, orphan fetches and catch-ups together stay within it
 * with room for timing slack (a page answers 'rateLimited' past it, and a run that met that gave
 * the peer up). A full window of 8,640 shares in the page's batches of 128 is 68 requests: within
 * the burst and a second.
 */
export const SYNC_CLIENT_PACE = { perSecond: (DEFAULT_RATE_LIMITS.syncPerSecond * 4) / 5, burst: (DEFAULT_RATE_LIMITS.syncBurst * 4) / 5 } as const;

export class PeerSyncError extends SyncError {
  constructor(
    readonly peer: string,
    reason: string,
    /** The peer's fault (malformed or oversized answer): charge it. */
    readonly malformed: boolean,
    options?: { cause?: unknown; rateLimited?: boolean },
  ) {
    super(reason, options);
    this.rateLimited = options?.rateLimited === true;
  }

  /** The peer answered 'rateLimited': not a fault, ask again later. */
  readonly rateLimited: boolean;
}

export class SyncClient {
  readonly protocol: string;
  private readonly pace: RateLimiter;

  constructor(
    private readonly node: Pick<Libp2p, 'dialProtocol'>,
    poolId: Uint8Array,
    private readonly timeoutMs = SYNC_CLIENT_TIMEOUT_MS,
    pace: { readonly perSecond: number; readonly burst: number } = SYNC_CLIENT_PACE,
  ) {
    this.protocol = syncProtocol(poolId);
    this.pace = new RateLimiter(pace.perSecond * 60, Date.now, pace.burst);
  }

  /** Waits until a request to `peer` is within SYNC_CLIENT_PACE. */
  private async paced(peer: string, signal?: AbortSignal): Promise<void> {
    for (let d = this.pace.take(peer); !d.allowed; d = this.pace.take(peer)) {
      if (signal?.aborted) throw new PeerSyncError(peer, 'cancelled', false);
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, d.retryAfterSeconds * 1000);
        signal?.addEventListener('abort', () => (clearTimeout(timer), resolve()), { once: true });
      });
    }
  }

  async request(peer: string, req: SyncRequest, signal?: AbortSignal): Promise<SyncResponse> {
    await this.paced(peer, signal);
    const timeout = AbortSignal.timeout(this.timeoutMs);
    const both = signal ? AbortSignal.any([signal, timeout]) : timeout;
    let stream;
    try {
      stream = await this.node.dialProtocol(peerIdFromString(peer), this.protocol, { signal: both });
    } catch (err) {
      throw new PeerSyncError(peer, `cannot open a sync stream to ${peer}: ${(err as Error).message}`, false, { cause: err });
    }
    const lp = lpStream(stream, { maxDataLength: MAX_SYNC_RESPONSE_BYTES });
    let bytes: Uint8Array;
    try {
      await lp.write(encodeSyncRequest(req), { signal: both });
      bytes = (await lp.read({ signal: both })).subarray();
    } catch (err) {
      stream.abort(err as Error);
      const name = (err as Error).name;
      if (name === 'InvalidDataLengthError' || name === 'InvalidDataLengthLengthError') {
        throw new PeerSyncError(peer, `${peer} answered with a frame over ${MAX_SYNC_RESPONSE_BYTES} bytes`, true, { cause: err });
      }
      const why = timeout.aborted ? `no answer within ${this.timeoutMs / 1000} s` : signal?.aborted ? 'cancelled' : (err as Error).message;
      throw new PeerSyncError(peer, `sync request to ${peer} failed: ${why}`, false, { cause: err });
    }
    await stream.close().catch(() => undefined);
    let res: SyncResponse;
    try {
      res = decodeSyncResponse(bytes);
    } catch (err) {
      if (err instanceof P2pCodecError) throw new PeerSyncError(peer, `${peer} sent a malformed answer: ${err.reason}`, true);
      throw err;
    }
    if (res.type === 'error') throw new PeerSyncError(peer, `${peer} refused the request: ${res.code}: ${res.text}`, false, { rateLimited: res.code === 'rateLimited' });
    return res;
  }

  async status(peer: string, signal?: AbortSignal): Promise<ChainTip | undefined> {
    const res = await this.request(peer, { type: 'status' }, signal);
    if (res.type !== 'status') throw new PeerSyncError(peer, `${peer} answered a status request with ${res.type}`, true);
    return res.tip;
  }

  async sharesById(peer: string, ids: readonly Uint8Array[], signal?: AbortSignal): Promise<readonly Uint8Array[]> {
    const res = await this.request(peer, { type: 'shares', ids }, signal);
    if (res.type !== 'shares') throw new PeerSyncError(peer, `${peer} answered a shares request with ${res.type}`, true);
    return res.shares;
  }

  async sharesAfter(peer: string, locator: readonly Uint8Array[], max: number, signal?: AbortSignal): Promise<{ shares: readonly Uint8Array[]; more: boolean }> {
    const res = await this.request(peer, { type: 'after', locator, max }, signal);
    if (res.type !== 'shares') throw new PeerSyncError(peer, `${peer} answered a shares-after request with ${res.type}`, true);
    if (res.shares.length > max) throw new PeerSyncError(peer, `${peer} sent ${res.shares.length} shares when ${max} were asked`, true);
    return res;
  }
}
