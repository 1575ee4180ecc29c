/**
 * Which edge the job connection uses next, and when. The person lists job feed URLs in failover
 * order; a failed connect or a lost session moves to the next one (wrapping around), and the
 * delay grows exponentially (with jitter, capped at 30 s) with each full round of edges that all
 * failed, so a lost edge costs a quick hop to the next one, while an outage of every edge does
 * not turn into a reconnect storm. A session that stayed up for a while resets the backoff.
 * Pure: the clock and randomness come from the caller.
 */
import { backoffDelayMs } from './backoff.ts';
import { MinerOptionError } from './errors.ts';

/** First reconnect delay (ms): long enough not to spin, short enough to feel immediate. */
export const RECONNECT_BASE_MS = 500;
/** Longest reconnect delay (ms), jitter included. */
export const RECONNECT_CAP_MS = 30_000;
/** A session authorized at least this long (ms) counts as healthy: the next failure starts afresh. */
export const HEALTHY_SESSION_MS = 10_000;
/** Path of the edge's WebSocket job feed. */
export const JOB_FEED_PATH = '/ws/stratum';

/** Checks one job feed URL: ws:// or wss://, a host, no credentials or fragment. Returns it normalised. */
export function checkEdgeUrl(text: string): string {
  const raw = String(text).trim();
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    throw new MinerOptionError(`"${raw}" is not a URL; a job feed URL looks like ws://host:port${JOB_FEED_PATH}`);
  }
  if (url.protocol !== 'ws:' && url.protocol !== 'wss:') {
    throw new MinerOptionError(`"${raw}" must start with ws:// or wss:// (a job feed is a WebSocket, such as ws://host:port${JOB_FEED_PATH})`);
  }
  if (!url.hostname) throw new MinerOptionError(`"${raw}" has no host`);
  if (url.username || url.password) throw new MinerOptionError(`"${raw}" must not carry a user name or password`);
  if (url.hash) throw new MinerOptionError(`"${raw}" must not have a #fragment`);
  return url.href;
}

export interface EdgeFailoverOptions {
  readonly baseMs?: number;
  readonly capMs?: number;
  readonly healthySessionMs?: number;
  /** Uniform in [0, 1) (default Math.random). */
  readonly random?: () => number;
}

export interface NextAttempt {
  /** The edge to connect to next. */
  readonly url: string;
  /** How long to wait before connecting (ms). */
  readonly delayMs: number;
  /** True when `url` differs from the edge that just failed. */
  readonly failover: boolean;
  /** Consecutive failures so far (1 after the first). */
  readonly failures: number;
}

export class EdgeFailover {
  readonly edges: readonly string[];
  private index = 0;
  private failures = 0;
  private upSince: number | undefined;
  private readonly baseMs: number;
  private readonly capMs: number;
  private readonly healthySessionMs: number;
  private readonly random: () => number;

  constructor(edges: readonly string[], options: EdgeFailoverOptions = {}) {
    if (!Array.isArray(edges) || edges.length === 0) throw new MinerOptionError('give at least one job feed URL (edges)');
    this.edges = edges.map(checkEdgeUrl);
    this.baseMs = options.baseMs ?? RECONNECT_BASE_MS;
    this.capMs = options.capMs ?? RECONNECT_CAP_MS;
    this.healthySessionMs = options.healthySessionMs ?? HEALTHY_SESSION_MS;
    this.random = options.random ?? Math.random;
    // Fail early on bad timing options rather than at the first reconnect.
    backoffDelayMs(1, { baseMs: this.baseMs, capMs: this.capMs }, () => 0);
  }

  /** The edge to use now. */
  get current(): string {
    return this.edges[this.index]!;
  }

  /** The session on the current edge is usable (subscribed and authorized) since `nowMs`. */
  sessionUp(nowMs: number): void {
    this.upSince = nowMs;
  }

  /** The connect attempt or the session on the current edge ended at `nowMs`: where and when next. */
  sessionDown(nowMs: number): NextAttempt {
    if (this.upSince !== undefined && nowMs - this.upSince >= this.healthySessionMs) this.failures = 0;
    this.upSince = undefined;
    this.failures++;
    const from = this.index;
    this.index = (this.index + 1) % this.edges.length;
    // Every edge gets one try per round; the delay doubles per round that failed entirely.
    const round = Math.floor((this.failures - 1) / this.edges.length) + 1;
    const delayMs = backoffDelayMs(round, { baseMs: this.baseMs, capMs: this.capMs }, this.random);
    return { url: this.current, delayMs, failover: this.index !== from, failures: this.failures };
  }
}
