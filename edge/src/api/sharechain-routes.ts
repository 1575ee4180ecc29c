/**
 * The network's HTTP routes, under /api with the rest of the API (api.ts mounts them):
 *
 *   GET  /api/sharechain              pool id, peer id, listen addresses (dialable as --bootstrap),
 *                                     peers, tip, window, sync progress, serving, next payouts
 *   GET  /api/sharechain/peers        each peer: id, addresses, transports, latency, score, admitted
 *   POST /api/sharechain/sync         loopback only: starts a re-sync (202 with its progress)
 *   POST /api/sharechain/sync/cancel  loopback only: stops the sync under way
 *   GET  /api/sharechain/bans         bans (misbehaving peers) and the operator's blocks in force
 *   POST /api/admin/peers/block       admin: {"peer", "seconds"?, "reason"?} cuts a peer off and keeps it out
 *   POST /api/admin/peers/unblock     admin: {"peer"} lets it back (a ban is lifted too)
 */
import type { Context, Hono } from 'hono';
import { bodyLimit } from 'hono/body-limit';
import { ApiError } from '../errors.ts';
import { peerIdReason } from '../p2p/multiaddrs.ts';
import type { EdgeNetwork } from '../p2p/edge-network.ts';

/** What the routes read from the edge (EdgeNetwork provides it). */
export type SharechainSource = Pick<EdgeNetwork, 'summary' | 'peers' | 'resync' | 'cancelSync' | 'block' | 'unblock' | 'exclusions'>;

export interface SharechainRouteHelpers {
  readonly json: (value: unknown, status?: number) => Response;
  /** Throws a 403 ApiError unless the client is on the loopback interface. */
  readonly loopbackOnly: (c: Context) => void;
  /** Throws (403, 401) unless the client is on loopback and holds the admin token. */
  readonly adminOnly: (c: Context) => void;
}

/** Largest admin request body (a peer id, a number, a short reason). */
const MAX_ADMIN_BODY_BYTES = 1024;
/** Longest block (a year): longer is "until unblocked" (no `seconds`). */
const MAX_BLOCK_SECONDS = 365 * 86_400;
const MAX_REASON_CHARS = 200;

const P2P_OFF = 'this edge runs without its libp2p node (p2p.enabled: false or --no-p2p): it has no peer to block';

/** The JSON object of an admin request body; a 400 naming what is wrong otherwise. */
async function adminBody(c: Context): Promise<Record<string, unknown>> {
  let v: unknown;
  try {
    v = JSON.parse(await c.req.text());
  } catch {
    throw new ApiError(400, 'invalid_body', 'the body must be a JSON object such as {"peer": "12D3KooW…"}');
  }
  if (!v || typeof v !== 'object' || Array.isArray(v)) throw new ApiError(400, 'invalid_body', 'the body must be a JSON object such as {"peer": "12D3KooW…"}');
  return v as Record<string, unknown>;
}

function peerOf(body: Record<string, unknown>): string {
  const peer = body.peer;
  const reason = typeof peer === 'string' ? peerIdReason(peer) : 'is missing (a libp2p peer id, as otedama node peers lists them)';
  if (reason) throw new ApiError(400, 'invalid_peer', `peer ${reason}`, { field: 'peer' });
  return peer as string;
}

const limitBody = bodyLimit({
  maxSize: MAX_ADMIN_BODY_BYTES,
  onError: () => {
    throw new ApiError(413, 'body_too_large', `an admin request body is at most ${MAX_ADMIN_BODY_BYTES} bytes`);
  },
});

export function registerSharechainRoutes(api: Hono, source: SharechainSource, h: SharechainRouteHelpers): void {
  api.get('/sharechain', () => h.json(source.summary()));

  api.get('/sharechain/peers', () => h.json({ peers: source.peers() }));

  api.post('/sharechain/sync', (c) => {
    h.loopbackOnly(c);
    const run = source.resync();
    if (!run) throw new ApiError(409, 'p2p_disabled', 'this edge runs without its libp2p node (p2p.enabled: false or --no-p2p): there is no peer to sync from');
    // The run goes on after the answer; progress is in GET /api/sharechain (sync).
    run.catch(() => undefined);
    return h.json({ sync: source.summary().sync }, 202);
  });

  api.post('/sharechain/sync/cancel', (c) => {
    h.loopbackOnly(c);
    source.cancelSync();
    return h.json({ sync: source.summary().sync });
  });

  api.get('/sharechain/bans', () => {
    const { bans, blocks } = source.exclusions();
    return h.json({
      bans: bans.map((b) => ({ peer: b.peer, offence: b.offence, reason: b.reason, untilMs: b.untilMs })),
      blocks: blocks.map((b) => ({ peer: b.peer, reason: b.reason, untilMs: b.untilMs ?? null, source: b.source })),
    });
  });

  api.post('/admin/peers/block', limitBody, async (c) => {
    h.adminOnly(c);
    const body = await adminBody(c);
    const peer = peerOf(body);
    let seconds: number | undefined;
    if (body.seconds !== undefined && body.seconds !== null) {
      seconds = body.seconds as number;
      if (!Number.isInteger(seconds) || seconds < 1 || seconds > MAX_BLOCK_SECONDS) {
        throw new ApiError(400, 'invalid_body', `seconds must be a whole number from 1 to ${MAX_BLOCK_SECONDS} (leave it out to block until unblocked)`, { field: 'seconds' });
      }
    }
    if (body.reason !== undefined && (typeof body.reason !== 'string' || body.reason.length > MAX_REASON_CHARS)) {
      throw new ApiError(400, 'invalid_body', `reason must be a string of at most ${MAX_REASON_CHARS} characters`, { field: 'reason' });
    }
    const reason = (body.reason as string | undefined) || 'blocked by the operator';
    let done: ReturnType<SharechainSource['block']>;
    try {
      done = source.block(peer, reason, seconds);
    } catch (err) {
      throw new ApiError(400, 'invalid_peer', (err as Error).message, { field: 'peer' });
    }
    if (!done) throw new ApiError(409, 'p2p_disabled', P2P_OFF);
    return h.json({ peer, reason, untilMs: done.block.untilMs ?? null, disconnected: done.wasConnected });
  });

  api.post('/admin/peers/unblock', limitBody, async (c) => {
    h.adminOnly(c);
    const peer = peerOf(await adminBody(c));
    const done = source.unblock(peer);
    if (!done) throw new ApiError(409, 'p2p_disabled', P2P_OFF);
    return h.json(done);
  });
}
