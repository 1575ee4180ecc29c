/**
 * Messages between `npm run bench:stratum` (stratum-load.ts) and its child processes: the edge's
 * Stratum server (stratum-load-server.ts) and the load generators (stratum-load-generator.ts).
 */

/** Share difficulty of the bench: 2^-31, so about every second nonce is a valid share. */
export const BENCH_DIFFICULTY = 2 ** -31;

/** Latency histogram: log-spaced buckets from 1 µs, BUCKETS_PER_DECADE per factor of 10. */
export const BUCKETS_PER_DECADE = 100;
export const HISTOGRAM_BUCKETS = 8 * BUCKETS_PER_DECADE; // 1 µs .. 100 s

export function latencyBucket(ms: number): number {
  const us = Math.max(1, ms * 1000);
  return Math.min(HISTOGRAM_BUCKETS - 1, Math.floor(Math.log10(us) * BUCKETS_PER_DECADE));
}

/** Upper edge of a bucket, in ms. */
export function bucketUpperMs(i: number): number {
  return 10 ** ((i + 1) / BUCKETS_PER_DECADE) / 1000;
}

export function percentileMs(hist: ArrayLike<number>, p: number): number {
  let total = 0;
  for (let i = 0; i < hist.length; i++) total += hist[i]!;
  if (total === 0) return NaN;
  const want = Math.ceil(total * p);
  let seen = 0;
  for (let i = 0; i < hist.length; i++) {
    seen += hist[i]!;
    if (seen >= want) return bucketUpperMs(i);
  }
  return bucketUpperMs(hist.length - 1);
}

export interface ServerStatsMessage {
  type: 'stats';
  connections: number;
  authorized: number;
  accepted: number;
  rejected: number;
  rejectedByReason: Record<string, number>;
  rssBytes: number;
  heapUsedBytes: number;
  cpuUserMs: number;
  cpuSystemMs: number;
}

export type ServerMessage = { type: 'ready'; port: number } | ServerStatsMessage | { type: 'error'; message: string };

export interface GeneratorStart {
  type: 'start';
  port: number;
  connections: number;
  user: string;
  /** Shares each connection precomputes. */
  sharesPerConnection: number;
  /** Parallel connects in flight. */
  connectConcurrency: number;
}

export interface GeneratorGo {
  type: 'go';
  sharesPerSecond: number;
  seconds: number;
  /** Shares written per connection per write. */
  batch: number;
}

export type GeneratorCommand = GeneratorStart | GeneratorGo | { type: 'stop' };

export type GeneratorMessage =
  | { type: 'progress'; connected: number; failed: number }
  | { type: 'connected'; connected: number; failed: number; ms: number; firstError?: string }
  | { type: 'precomputed'; shares: number; ms: number }
  | {
      type: 'done';
      sent: number;
      accepted: number;
      rejected: number;
      rejectSamples: string[];
      histogram: number[];
      sendSeconds: number;
      closedEarly: number;
      cpuUserMs: number;
      cpuSystemMs: number;
    }
  | { type: 'error'; message: string };
