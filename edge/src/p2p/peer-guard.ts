/**
 * The node's defence against hostile peers: a score per peer, timed bans, and per-peer rate
 * limits on gossip and sync requests.
 *
 * A peer's score is its gossipsub score (invalid shares cost it there: see gossip-config.ts)
 * minus the penalties this guard charges for what gossipsub does not see (malformed or
 * rate-limited sync requests, gossip over its rate). At BAN_SCORE or below, the peer is
 * disconnected and banned for `banSeconds`; some offences (an oversized frame, a forged
 * handshake) ban at once. The ban list is checked by the connection gater on every dial and
 * every inbound connection, so a banned peer's redial is refused before it costs a handshake.
 *
 * The operator's word comes first: a peer it blocks (`otedama node block`, the admin API, or
 * `p2p.deny_peers` in the configuration) is cut off and kept away like a banned one, until it
 * unblocks it (or the block's time ends); unblocking also lifts a ban and forgives penalties, so
 * a peer the operator lets back in is not cut off again for what it did before.
 *
 * Memory is bounded: penalties decay and idle ones are swept, the ban list has a cap (operator
 * blocks are few and never swept).
 */
import type { ConnectionGater, PeerId } from '@libp2p/interface';
import { RateLimiter } from '../api/rate-limiter.ts';
import type { Logger } from '../logger.ts';

/**
 * Score at or below which a peer is cut off: three invalid shares in a row (gossipsub charges
 * 100 x n² for n invalid deliveries) or five malformed sync requests.
 */
export const BAN_SCORE = -500;
/** Penalty points per offence, on the same scale as gossipsub's score. */
export const PENALTY = {
  /** A sync request that does not decode: an honest peer never sends one. The fifth bans (5 x 120 > 500, 4 x 120 < 500). */
  malformedRequest: 120,
  /** A sync response that does not decode, or a share in it that is invalid. */
  badResponse: 200,
  /** A request or gossip message over the peer's rate: a little, so a flood ends in a ban. */
  overRate: 5,
} as const;
/** Penalties halve every 10 minutes: an old offence is eventually forgiven. */
const PENALTY_HALF_LIFE_MS = 10 * 60_000;
/** Peers whose penalty is tracked before the smallest are swept (bounded memory). */
const MAX_TRACKED_PEERS = 10_000;
/** Bans kept at once; past it, the ban that ends first is dropped (a flood of fresh ids cannot grow memory). */
const MAX_BANS = 10_000;

export interface RateLimits {
  /** Gossip messages per second a peer may send on average, and in a burst. */
  readonly gossipPerSecond: number;
  readonly gossipBurst: number;
  /** Sync requests per second a peer may send on average, and in a burst. */
  readonly syncPerSecond: number;
  readonly syncBurst: number;
}

/**
 * Shares come about every 10 s network-wide; a peer relaying a burst (a reorg, a fresh peer
 * catching up over gossip) stays far below 50/s. A window sync is 17 requests of 512 shares.
 */
export const DEFAULT_RATE_LIMITS: RateLimits = { gossipPerSecond: 50, gossipBurst: 500, syncPerSecond: 10, syncBurst: 100 };

/** What a peer is banned for (a bounded set: it labels the bans metric); `operator`: blocked by the operator. */
export type Offence = 'score' | 'oversized-frame' | 'oversized-message' | 'handshake' | 'other-pool' | 'operator';

export interface Ban {
  readonly peer: string;
  readonly offence: Offence;
  readonly reason: string;
  readonly untilMs: number;
}

/** A peer the operator keeps out. */
export interface PeerBlock {
  readonly peer: string;
  readonly reason: string;
  /** Until when (ms since the epoch); undefined: until unblocked. */
  readonly untilMs: number | undefined;
  /** `config`: p2p.deny_peers; `operator`: otedama node block / the admin API. */
  readonly source: 'config' | 'operator';
}

/** What unblocking a peer lifted. */
export interface Unblocked {
  readonly peer: string;
  readonly wasBlocked: boolean;
  readonly wasBanned: boolean;
}

export interface PeerGuardOptions {
  readonly banSeconds: number;
  /** Peer ids kept out from the start (p2p.deny_peers). */
  readonly denyPeers?: readonly string[];
  readonly limits?: Partial<RateLimits>;
  readonly logger: Logger;
  readonly now?: () => number;
}

interface Penalty {
  points: number;
  atMs: number;
}

export class PeerGuard {
  private readonly bansByPeer = new Map<string, Ban>();
  private readonly blocksByPeer = new Map<string, PeerBlock>();
  private readonly penalties = new Map<string, Penalty>();
  private readonly gossipRate: RateLimiter;
  private readonly syncRate: RateLimiter;
  private readonly now: () => number;
  private readonly log: Logger;
  private readonly banListeners: ((ban: Ban) => void)[] = [];
  /** The peer's gossipsub score (0 when gossipsub does not know it); set by the node. */
  gossipScore: (peer: string) => number = () => 0;
  /** Invalid shares each peer sent, by reason (what a ban 'after invalid messages' was for). */
  private readonly invalidByPeer = new Map<string, Map<string, number>>();

  constructor(private readonly options: PeerGuardOptions) {
    this.now = options.now ?? Date.now;
    this.log = options.logger.forComponent('edge:p2p:guard');
    const limits = { ...DEFAULT_RATE_LIMITS, ...options.limits };
    this.gossipRate = new RateLimiter(limits.gossipPerSecond * 60, this.now, limits.gossipBurst);
    this.syncRate = new RateLimiter(limits.syncPerSecond * 60, this.now, limits.syncBurst);
    for (const peer of options.denyPeers ?? []) this.blocksByPeer.set(peer, { peer, reason: 'p2p.deny_peers', untilMs: undefined, source: 'config' });
  }

  /** Called with every new ban (the node hangs up the peer's connections). */
  onBan(listener: (ban: Ban) => void): void {
    this.banListeners.push(listener);
  }

  /** Banned, or blocked by the operator: neither dialed nor accepted. */
  isBanned(peer: string): boolean {
    if (this.blockOf(peer)) return true;
    const ban = this.bansByPeer.get(peer);
    if (!ban) return false;
    if (ban.untilMs > this.now()) return true;
    this.bansByPeer.delete(peer);
    return false;
  }

  /** Bans in force (the operator's blocks are `blocks()`). */
  bans(): Ban[] {
    const now = this.now();
    return [...this.bansByPeer.values()].filter((b) => b.untilMs > now);
  }

  /**
   * The operator blocks a peer (for `seconds`, or until unblocked): its connections are closed
   * (the ban listeners hang it up) and it is neither dialed nor accepted. Blocking again replaces
   * the block.
   */
  block(peer: string, reason: string, seconds?: number): PeerBlock {
    const block: PeerBlock = { peer, reason, untilMs: seconds === undefined ? undefined : this.now() + seconds * 1000, source: 'operator' };
    this.blocksByPeer.set(peer, block);
    this.log.warn('peer blocked by the operator', { peer, reason, ...(seconds === undefined ? { until: 'unblocked' } : { seconds }) });
    const ban: Ban = { peer, offence: 'operator', reason, untilMs: block.untilMs ?? Number.MAX_SAFE_INTEGER };
    for (const l of this.banListeners) l(ban);
    return block;
  }

  /** Lets a peer back: lifts the operator's block (p2p.deny_peers too, until a restart), a ban, and its penalties. */
  unblock(peer: string): Unblocked {
    const wasBlocked = this.blockOf(peer) !== undefined;
    const wasBanned = this.bansByPeer.has(peer) && this.bansByPeer.get(peer)!.untilMs > this.now();
    this.blocksByPeer.delete(peer);
    this.bansByPeer.delete(peer);
    this.penalties.delete(peer);
    this.invalidByPeer.delete(peer);
    if (wasBlocked || wasBanned) this.log.warn('peer let back in by the operator', { peer, wasBlocked, wasBanned });
    return { peer, wasBlocked, wasBanned };
  }

  /** The operator's blocks in force. */
  blocks(): PeerBlock[] {
    return [...this.blocksByPeer.keys()].map((p) => this.blockOf(p)).filter((b): b is PeerBlock => b !== undefined);
  }

  private blockOf(peer: string): PeerBlock | undefined {
    const block = this.blocksByPeer.get(peer);
    if (!block) return undefined;
    if (block.untilMs === undefined || block.untilMs > this.now()) return block;
    this.blocksByPeer.delete(peer);
    return undefined;
  }

  /** Bans the peer for `seconds` (default: the configured ban) and tells the listeners. */
  ban(peer: string, offence: Offence, reason: string, seconds = this.options.banSeconds): void {
    if (this.isBanned(peer) || seconds <= 0) return;
    this.bansByPeer.delete(peer); // an expired one
    if (this.bansByPeer.size >= MAX_BANS) this.dropEarliestBan();
    const ban: Ban = { peer, offence, reason, untilMs: this.now() + seconds * 1000 };
    this.bansByPeer.set(peer, ban);
    this.log.warn('peer banned', { peer, offence, reason, seconds });
    for (const l of this.banListeners) l(ban);
  }

  /** The peer's penalty points now (decayed). */
  penalty(peer: string): number {
    const p = this.penalties.get(peer);
    if (!p) return 0;
    return p.points * 0.5 ** ((this.now() - p.atMs) / PENALTY_HALF_LIFE_MS);
  }

  /** The score `otedama node peers` shows and bans are decided on. */
  score(peer: string): number {
    return this.gossipScore(peer) - this.penalty(peer);
  }

  /** Charges the peer for an offence; bans it when its score falls to BAN_SCORE. */
  penalize(peer: string, points: number, reason: string): void {
    if (this.penalties.size >= MAX_TRACKED_PEERS && !this.penalties.has(peer)) this.sweepPenalties();
    this.penalties.set(peer, { points: this.penalty(peer) + points, atMs: this.now() });
    this.log.debug('peer penalized', { peer, points, reason, score: Math.round(this.score(peer)) });
    this.check(peer, reason);
  }

  /** Bans the peer if its score is at or below BAN_SCORE (after a penalty, and on each gossipsub heartbeat). */
  check(peer: string, reason = 'invalid messages'): void {
    const score = this.score(peer);
    if (score > BAN_SCORE) return;
    const tally = this.invalidTally(peer);
    this.ban(peer, 'score', `score ${Math.round(score)} after ${reason}${tally ? ` (invalid shares: ${tally})` : ''}`);
  }

  /**
   * Counts an invalid share a peer sent, by its reason code (gossipsub charges it; the ban that
   * may follow then says what for). Bounded: reason codes are a fixed set, peers as penalties.
   */
  noteInvalid(peer: string, reason: string): void {
    let byReason = this.invalidByPeer.get(peer);
    if (!byReason) {
      if (this.invalidByPeer.size >= MAX_TRACKED_PEERS) this.invalidByPeer.delete(this.invalidByPeer.keys().next().value as string);
      byReason = new Map();
      this.invalidByPeer.set(peer, byReason);
    }
    byReason.set(reason, (byReason.get(reason) ?? 0) + 1);
  }

  /** "20 x coin-tip-stale, 1 x bad-coinbase": the invalid shares counted for a peer, most first. */
  invalidTally(peer: string): string {
    const byReason = this.invalidByPeer.get(peer);
    if (!byReason) return '';
    return [...byReason].sort((a, b) => b[1] - a[1]).map(([r, n]) => `${n} x ${r}`).join(', ');
  }

  /** Takes one gossip token; false: over its rate (the message is ignored and the peer charged). */
  allowGossip(peer: string): boolean {
    return this.rate(this.gossipRate, peer, 'gossip over its rate');
  }

  /** Takes one sync-request token; false: over its rate (answered with an error, the peer charged). */
  allowSync(peer: string): boolean {
    return this.rate(this.syncRate, peer, 'sync requests over their rate');
  }

  private rate(limiter: RateLimiter, peer: string, reason: string): boolean {
    if (limiter.take(peer).allowed) return true;
    this.penalize(peer, PENALTY.overRate, reason);
    return false;
  }

  /** libp2p's connection gater: a banned peer is neither dialed nor accepted. */
  gater(): ConnectionGater {
    const banned = (peerId: PeerId) => this.isBanned(peerId.toString());
    return {
      denyDialPeer: banned,
      denyInboundEncryptedConnection: banned,
      denyOutboundEncryptedConnection: banned,
      // Edges run on private networks and loopback too; libp2p's Node default allows them, say so.
      denyDialMultiaddr: () => false,
    };
  }

  private dropEarliestBan(): void {
    let earliest: Ban | undefined;
    for (const b of this.bansByPeer.values()) if (!earliest || b.untilMs < earliest.untilMs) earliest = b;
    if (earliest) this.bansByPeer.delete(earliest.peer);
  }

  private sweepPenalties(): void {
    for (const peer of this.penalties.keys()) if (this.penalty(peer) < 1) this.penalties.delete(peer);
    if (this.penalties.size < MAX_TRACKED_PEERS) return;
    // Still full: forget the smallest half rather than grow.
    const sorted = [...this.penalties.keys()].sort((a, b) => this.penalty(a) - this.penalty(b));
    for (const peer of sorted.slice(0, sorted.length / 2)) this.penalties.delete(peer);
  }
}
