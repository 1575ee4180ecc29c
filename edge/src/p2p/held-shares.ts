/**
 * Shares a node cannot judge yet, held to be offered to its chain again: a share built on a coin
 * block this node has not heard of (its node, or the template that names the block, is a second
 * behind the sender's) or stamped a little ahead of this clock. Dropping them lost honest shares
 * for good (gossip offers a message once); holding them is bounded in count, per peer and in time.
 */

/** Shares held at most; beyond it the oldest goes (a share's bytes are at most MAX_GOSSIP_DATA_BYTES). */
export const MAX_HELD_SHARES = 64;
/** Of those, from one peer: one peer cannot push out everyone else's. */
export const MAX_HELD_PER_PEER = 16;
/** How long a share is held at most (ms); past it, sync brings it if the chain still needs it. */
export const HELD_FOR_MS = 30_000;

/** The verdict reasons that may change with time (core's held-back reasons). */
const RETRYABLE = /^(unknown-coin-tip|future-time)\b/;

/** Whether a 'deferred' verdict's reason is one that time can change (not a stale coin block). */
export function isRetryable(reason: string): boolean {
  return RETRYABLE.test(reason);
}

export interface HeldShare {
  readonly peer: string;
  readonly share: Uint8Array;
  /** When it is dropped (ms). */
  readonly until: number;
}

export class HeldShares {
  private items: HeldShare[] = [];

  constructor(
    private readonly max = MAX_HELD_SHARES,
    private readonly maxPerPeer = MAX_HELD_PER_PEER,
    private readonly heldForMs = HELD_FOR_MS,
  ) {}

  get size(): number {
    return this.items.length;
  }

  /** Holds a copy of `share` from `peer`; the peer's oldest goes first past its limit, then the oldest of all. */
  hold(peer: string, share: Uint8Array, now: number): void {
    const mine = this.items.filter((h) => h.peer === peer);
    if (mine.length >= this.maxPerPeer) this.items.splice(this.items.indexOf(mine[0]!), 1);
    else if (this.items.length >= this.max) this.items.shift();
    this.items.push({ peer, share: share.slice(), until: now + this.heldForMs });
  }

  /** Takes every held share out (those past their time are dropped); the caller holds again what it still cannot judge. */
  take(now: number): HeldShare[] {
    const out = this.items.filter((h) => h.until > now);
    this.items = [];
    return out;
  }

  /** Puts back one taken share that still cannot be judged, keeping its deadline. */
  putBack(h: HeldShare, now: number): void {
    if (h.until <= now) return;
    const mine = this.items.filter((x) => x.peer === h.peer).length;
    if (mine >= this.maxPerPeer || this.items.length >= this.max) return;
    this.items.push(h);
  }
}
