/**
 * The libp2p network's metrics (issue 10): shares heard from peers by verdict, how long a share
 * took to reach this edge (from its own timestamp) and to be relayed on (from receipt), bans.
 * `otedama_peers_connected` is in pool-metrics.ts (the seed's name).
 */
import type { Counter, Histogram, MetricsRegistry } from './metrics.ts';

/**
 * Propagation: 1 ms (loopback) to 30 s (a share whose timestamp has whole-second resolution,
 * or a peer catching up). Relay: validation time, 0.1 ms to 1 s.
 */
const PROPAGATION_BUCKETS_S = [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30];
const RELAY_BUCKETS_S = [0.0001, 0.00025, 0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 1];

export interface P2pMetrics {
  /** Shares from peers (gossip and sync) by verdict: accepted, duplicate, orphan, deferred, invalid, rate-limited, oversized. */
  readonly sharesTotal: Counter;
  /** Seconds from a share's own timestamp to its validation here. */
  readonly propagationSeconds: Histogram;
  /** Seconds from a gossiped share's receipt to its relay (the validation in between). */
  readonly relaySeconds: Histogram;
  /** Peers banned, by offence. */
  readonly bansTotal: Counter;
}

export function createP2pMetrics(registry: MetricsRegistry): P2pMetrics {
  return {
    sharesTotal: registry.counter({ name: 'otedama_sharechain_shares_total', help: 'Sharechain shares heard from peers (gossip and sync), by verdict.', labelNames: ['result'] }),
    propagationSeconds: registry.histogram({ name: 'otedama_share_propagation_seconds', help: "Time from a share's own timestamp to its validation on this edge.", buckets: PROPAGATION_BUCKETS_S }),
    relaySeconds: registry.histogram({ name: 'otedama_share_relay_seconds', help: 'Time from receiving a gossiped share to relaying it (its validation).', buckets: RELAY_BUCKETS_S }),
    bansTotal: registry.counter({ name: 'otedama_peer_bans_total', help: 'Peers banned, by offence.', labelNames: ['offence'] }),
  };
}
