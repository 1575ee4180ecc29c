/**
 * The pool's own metrics (DESIGN §5, issue 4): hashrate, shares, peers, efficiency, blocks,
 * Stratum connections, submit latency, and the share commit path. Components receive the
 * handles they update; gauges read from elsewhere are refreshed by `collect` sources.
 */
import { LATENCY_BUCKETS_S, type Counter, type Gauge, type Histogram, type MetricsRegistry } from './metrics.ts';

export interface PoolMetrics {
  /** Pool hashrate in hashes per second, estimated from accepted difficulty (10-minute window, over the time observed in it). */
  readonly hashrateTotal: Gauge;
  /** Seconds hashrateTotal is averaged over: 600, or less when the pool's first share in the window came later. */
  readonly hashrateWindowSeconds: Gauge;
  readonly sharesAccepted: Counter;
  /** Rejected shares by reason: stale, duplicate, low-difficulty, invalid, unknown-job, ... */
  readonly sharesRejected: Counter;
  readonly peersConnected: Gauge;
  /** Accepted work / submitted work (difficulty-weighted), 0..1. */
  readonly miningEfficiency: Gauge;
  readonly blocksFound: Counter;
  readonly stratumConnections: Gauge;
  /** Seconds from a mining.submit line to its answer (durable commit included). */
  readonly submitLatency: Histogram;
  /** Seconds one group-commit transaction of shares takes. */
  readonly shareCommitSeconds: Histogram;
  readonly shareCommitBatch: Histogram;
}

/** Shares per committed batch: 1 to the writer's default maximum. */
const BATCH_SIZE_BUCKETS = [1, 10, 50, 100, 250, 500, 1000, 2000];

export function createPoolMetrics(registry: MetricsRegistry): PoolMetrics {
  return {
    hashrateTotal: registry.gauge({ name: 'otedama_hashrate_total', help: 'Pool hashrate in hashes per second, estimated from accepted share difficulty in the last 10 minutes over the time observed in them.' }),
    hashrateWindowSeconds: registry.gauge({ name: 'otedama_hashrate_window_seconds', help: 'Seconds otedama_hashrate_total is averaged over: 600, or less while the pool has been mining for less than that.' }),
    sharesAccepted: registry.counter({ name: 'otedama_shares_accepted', help: 'Shares accepted (and durably stored) since start.' }),
    sharesRejected: registry.counter({ name: 'otedama_shares_rejected', help: 'Shares rejected since start, by reason.', labelNames: ['reason'] }),
    peersConnected: registry.gauge({ name: 'otedama_peers_connected', help: 'libp2p peers currently connected.' }),
    miningEfficiency: registry.gauge({ name: 'otedama_mining_efficiency', help: 'Accepted share difficulty divided by submitted share difficulty (0..1).' }),
    blocksFound: registry.counter({ name: 'otedama_blocks_found', help: 'Blocks found and accepted by the chain since start.' }),
    stratumConnections: registry.gauge({ name: 'otedama_stratum_connections', help: 'Open Stratum connections (TCP, TLS and WebSocket).' }),
    submitLatency: registry.histogram({ name: 'otedama_submit_latency_seconds', help: 'Time from a mining.submit to its answer, durable commit included.', buckets: LATENCY_BUCKETS_S }),
    shareCommitSeconds: registry.histogram({ name: 'otedama_share_commit_seconds', help: 'Duration of one group-commit transaction of shares.', buckets: LATENCY_BUCKETS_S }),
    shareCommitBatch: registry.histogram({ name: 'otedama_share_commit_batch_shares', help: 'Shares per group-commit transaction.', buckets: BATCH_SIZE_BUCKETS }),
  };
}
