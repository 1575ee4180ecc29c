/**
 * The network's HTTP routes, under /api with the rest of the API (api.ts mounts them):
 *
 *   GET  /api/sharechain              pool id, peer id, listen addresses (dialable as --bootstrap),
 *                                     peers, tip, window, sync progress, next payouts (to come)
 *   GET  /api/sharechain/peers        each peer: id, addresses, transports, latency, score, admitted
 *   POST /api/sharechain/sync         loopback only: starts a re-sync (202 with its progress)
 *   POST /api/sharechain/sync/cancel  loopback only: stops the sync under way
 */
import type { Context, Hono } from 'hono';
import { ApiError } from '../errors.ts';
import type { PeerSummary } from '../p2p/p2p-node.ts';
import type { SharechainSummary } from '../p2p/edge-network.ts';
import type { SyncProgress } from '../p2p/window-sync.ts';

/** What the routes read from the edge (EdgeNetwork provides it). */
export interface SharechainSource {
  summary(): SharechainSummary;
  peers(): PeerSummary[];
  resync(): Promise<SyncProgress> | undefined;
  cancelSync(): void;
}

export interface SharechainRouteHelpers {
  readonly json: (value: unknown, status?: number) => Response;
  /** Throws a 403 ApiError unless the client is on the loopback interface. */
  readonly loopbackOnly: (c: Context) => void;
}

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
}
