/**
 * Per-client token buckets: each client (an HTTP API's IP address, a libp2p peer) may burst up
 * to `burst` requests (default: a minute's worth) and refills at `perMinute / 60` tokens per
 * second. Idle buckets are forgotten so a scan from many clients cannot grow memory without bound.
 */

/** Buckets kept before idle ones are swept (a sweep drops every full bucket). */
const MAX_TRACKED_CLIENTS = 10_000;

export interface RateDecision {
  readonly allowed: boolean;
  /** Whole seconds until one token is available again (0 when allowed). */
  readonly retryAfterSeconds: number;
  readonly remaining: number;
}

interface Bucket {
  tokens: number;
  updatedMs: number;
}

export class RateLimiter {
  private readonly buckets = new Map<string, Bucket>();
  private readonly perMs: number;

  private readonly burst: number;

  constructor(private readonly perMinute: number, private readonly now: () => number = Date.now, burst = perMinute) {
    if (!(perMinute > 0)) throw new RangeError(`rate limit must be positive (got ${perMinute})`);
    if (!(burst >= 1)) throw new RangeError(`rate limit burst must be at least 1 (got ${burst})`);
    this.perMs = perMinute / 60_000;
    this.burst = burst;
  }

  take(client: string): RateDecision {
    const t = this.now();
    let b = this.buckets.get(client);
    if (!b) {
      if (this.buckets.size >= MAX_TRACKED_CLIENTS) this.sweep(t);
      b = { tokens: this.burst, updatedMs: t };
      this.buckets.set(client, b);
    } else {
      b.tokens = Math.min(this.burst, b.tokens + (t - b.updatedMs) * this.perMs);
      b.updatedMs = t;
    }
    if (b.tokens >= 1) {
      b.tokens -= 1;
      return { allowed: true, retryAfterSeconds: 0, remaining: Math.floor(b.tokens) };
    }
    return { allowed: false, retryAfterSeconds: Math.max(1, Math.ceil((1 - b.tokens) / this.perMs / 1000)), remaining: 0 };
  }

  private sweep(t: number): void {
    for (const [k, b] of this.buckets) {
      if (b.tokens + (t - b.updatedMs) * this.perMs >= this.burst) this.buckets.delete(k);
    }
    // Still full of active clients: forget the oldest half rather than grow.
    if (this.buckets.size >= MAX_TRACKED_CLIENTS) {
      let n = this.buckets.size / 2;
      for (const k of this.buckets.keys()) {
        if (n-- <= 0) break;
        this.buckets.delete(k);
      }
    }
  }
}
