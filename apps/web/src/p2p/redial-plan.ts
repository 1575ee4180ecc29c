/**
 * When to dial each edge again: an edge that is not connected is dialed at once, then after
 * each failure with exponential backoff and jitter (backoff.ts), and after a connection that was
 * lost, again at once (the edge may only have restarted). Several edges are dialed side by side,
 * so losing one never waits on another: that is the failover. Pure: the clock and randomness are
 * injected.
 */
import { backoffDelayMs, type BackoffOptions } from '../backoff.ts';

/** First retry after 1 s, then 2, 4, ... capped at 30 s: a restarted edge is found within seconds, a dead one costs a dial per half minute. */
export const EDGE_REDIAL: BackoffOptions = { baseMs: 1000, capMs: 30_000 };

interface Target {
  failures: number;
  nextAt: number;
  inFlight: boolean;
  connected: boolean;
}

export class RedialPlan {
  private readonly targets = new Map<string, Target>();

  constructor(
    private readonly now: () => number,
    private readonly options: BackoffOptions = EDGE_REDIAL,
    private readonly random: () => number = Math.random,
  ) {}

  add(target: string): void {
    if (!this.targets.has(target)) this.targets.set(target, { failures: 0, nextAt: this.now(), inFlight: false, connected: false });
  }

  /** Targets to dial now (not connected, not being dialed, their time has come); marks them in flight. */
  due(): string[] {
    const now = this.now();
    const out: string[] = [];
    for (const [k, t] of this.targets) {
      if (t.connected || t.inFlight || t.nextAt > now) continue;
      t.inFlight = true;
      out.push(k);
    }
    return out;
  }

  connected(target: string): void {
    const t = this.targets.get(target);
    if (!t) return;
    t.connected = true;
    t.inFlight = false;
    t.failures = 0;
  }

  failed(target: string): number {
    const t = this.targets.get(target);
    if (!t) return 0;
    t.inFlight = false;
    t.connected = false;
    t.failures++;
    const delay = backoffDelayMs(t.failures, this.options, this.random);
    t.nextAt = this.now() + delay;
    return delay;
  }

  /** A connection that was up went away: try again at once. */
  lost(target: string): void {
    const t = this.targets.get(target);
    if (!t || !t.connected) return;
    t.connected = false;
    t.nextAt = this.now();
  }

  /** ms until the target's next dial (0: due or connected). */
  waitMs(target: string): number {
    const t = this.targets.get(target);
    return t && !t.connected ? Math.max(0, t.nextAt - this.now()) : 0;
  }

  failures(target: string): number {
    return this.targets.get(target)?.failures ?? 0;
  }
}
