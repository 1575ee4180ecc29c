/**
 * Shares over gossipsub, on the pool's shares topic. Every message is checked by the chain
 * (ChainHost.receiveShare) before gossipsub relays it: accepted shares are relayed, invalid ones
 * rejected (which costs the sender gossipsub score: gossip-config.ts), everything else ignored.
 * A payload over MAX_GOSSIP_DATA_BYTES bans its sender; a peer over its gossip rate has its
 * messages ignored and is charged a little. A share whose parent is unknown is handed to
 * `onOrphan` (the sync client fetches what is missing from the sender). A share this node cannot
 * judge yet (a coin block it has not heard of, a time ahead of its clock) is held (held-shares.ts)
 * and offered to the chain again every HELD_RETRY_EVERY_MS until it can be judged or its time runs out.
 *
 * Invalid shares are logged by reason, not one line each: the first of each reason from a peer
 * at once, then one line per peer and reason with a count every INVALID_LOG_EVERY_MS (a peer
 * that floods a thousand gets a few lines; the ban, if one follows, names the counts too).
 */
import type { GossipSub } from '@libp2p/gossipsub';
import { TopicValidatorResult, type Message } from '@libp2p/gossipsub';
import type { PeerId } from '@libp2p/interface';
import { bytesToHex, MAX_GOSSIP_DATA_BYTES, sharesTopic } from '@otedama/core';
import type { Logger } from '../logger.ts';
import type { P2pMetrics } from '../metrics/p2p-metrics.ts';
import type { ChainHost, ShareVerdict } from './chain-host.ts';
import type { PeerGuard } from './peer-guard.ts';
import type { PoolHandshake } from './pool-handshake.ts';
import { HeldShares, isRetryable } from './held-shares.ts';

export interface ShareGossipOptions {
  readonly host: ChainHost;
  readonly guard: PeerGuard;
  readonly handshake: PoolHandshake;
  readonly logger: Logger;
  readonly metrics?: P2pMetrics | undefined;
  readonly now?: () => number;
  /** A share whose parent or uncles are unknown, from `peer`. */
  readonly onOrphan?: (peer: string, share: Uint8Array, missing: readonly Uint8Array[]) => void;
}

/** Peer/reason pairs remembered for logging (bounded memory; past it they start over). */
const MAX_LOGGED_PAIRS = 1_000;
/** How often the invalid shares counted since the last line are logged, per peer and reason (ms). */
export const INVALID_LOG_EVERY_MS = 10_000;
/**
 * How often held shares are offered to the chain again (ms): the template or block that names a
 * new coin block reaches a node within a second or two of the first share built on it.
 */
export const HELD_RETRY_EVERY_MS = 1_000;

export class ShareGossip {
  readonly topic: string;
  private readonly log: Logger;
  private readonly now: () => number;
  private started = false;
  /** Invalid shares not yet logged: `${peer} ${reason}` -> count and an example message. */
  private readonly unlogged = new Map<string, { peer: string; reason: string; count: number; example: string }>();
  /** Peer/reason pairs already logged once (the first of each is logged at once). */
  private readonly seen = new Set<string>();
  private lastSummary = 0;
  /** Shares that could not be judged yet, and the timer that offers them again. */
  private readonly held = new HeldShares();
  private retryTimer: ReturnType<typeof setInterval> | undefined;
  private retrying = false;

  constructor(
    private readonly pubsub: GossipSub,
    private readonly options: ShareGossipOptions,
  ) {
    this.topic = sharesTopic(options.host.poolId);
    this.log = options.logger.forComponent('edge:p2p:gossip');
    this.now = options.now ?? Date.now;
    // A ban says what it was for: what was counted for that peer goes out first.
    options.guard.onBan((ban) => this.logInvalid(ban.peer));
  }

  start(): void {
    if (this.started) return;
    this.started = true;
    this.pubsub.topicValidators.set(this.topic, (peer, msg) => this.validate(peer, msg));
    this.pubsub.subscribe(this.topic);
    this.retryTimer = setInterval(() => void this.retryHeld(), HELD_RETRY_EVERY_MS);
    // Node: the retry alone does not keep a process alive (a browser's timer is a number, without unref).
    (this.retryTimer as { unref?: () => void }).unref?.();
  }

  stop(): void {
    if (!this.started) return;
    this.started = false;
    this.pubsub.unsubscribe(this.topic);
    this.pubsub.topicValidators.delete(this.topic);
    clearInterval(this.retryTimer);
    this.held.take(Infinity);
    this.logInvalid();
  }

  private noteInvalid(peer: string, message: string): void {
    // The reason code leads the verdict's text ('bad-coinbase: the coinbase ...').
    const reason = /^[a-z0-9-]+/.exec(message)?.[0] ?? 'invalid';
    this.options.guard.noteInvalid(peer, reason);
    const key = `${peer} ${reason}`;
    if (!this.seen.has(key)) {
      if (this.seen.size >= MAX_LOGGED_PAIRS) this.seen.clear();
      this.seen.add(key);
      this.log.info('invalid share from peer', { peer, reason: message });
    } else {
      const u = this.unlogged.get(key);
      if (u) u.count++;
      else if (this.unlogged.size < MAX_LOGGED_PAIRS) this.unlogged.set(key, { peer, reason, count: 1, example: message });
    }
    if (this.now() - this.lastSummary >= INVALID_LOG_EVERY_MS) this.logInvalid();
  }

  /** One line per peer and reason for the invalid shares counted since the last (of one peer, or all). */
  private logInvalid(peer?: string): void {
    if (peer === undefined) this.lastSummary = this.now();
    for (const [key, u] of this.unlogged) {
      if (peer !== undefined && u.peer !== peer) continue;
      this.log.info('invalid shares from peer', { peer: u.peer, reason: u.reason, count: u.count, example: u.example });
      this.unlogged.delete(key);
    }
  }

  /** Gossips a share this node validated (found by its miners, or resolved after an orphan); resolves to the peers it went to. */
  async publish(share: Uint8Array): Promise<number> {
    const r = await this.pubsub.publish(this.topic, share);
    return r.recipients.length;
  }

  private async validate(peerId: PeerId, msg: Message): Promise<TopicValidatorResult> {
    const peer = peerId.toString();
    const received = this.now();
    const { guard, metrics } = this.options;
    if (!this.options.handshake.isAdmitted(peer)) return TopicValidatorResult.Ignore;
    if (msg.data.length > MAX_GOSSIP_DATA_BYTES) {
      metrics?.sharesTotal.inc({ result: 'oversized' });
      guard.ban(peer, 'oversized-message', `gossip message of ${msg.data.length} bytes (limit ${MAX_GOSSIP_DATA_BYTES})`);
      return TopicValidatorResult.Reject;
    }
    if (!guard.allowGossip(peer)) {
      metrics?.sharesTotal.inc({ result: 'rate-limited' });
      return TopicValidatorResult.Ignore;
    }
    let verdict: ShareVerdict;
    try {
      verdict = await this.options.host.receiveShare(msg.data);
    } catch (err) {
      // A fault of ours, not the peer's: never charge it for one.
      this.log.error('share validation failed inside the edge', { peer, error: (err as Error).message });
      return TopicValidatorResult.Ignore;
    }
    metrics?.sharesTotal.inc({ result: verdict.result });
    switch (verdict.result) {
      case 'accepted': {
        const t = this.now();
        metrics?.relaySeconds.observe((t - received) / 1000);
        if (verdict.timestampMs !== undefined) metrics?.propagationSeconds.observe(Math.max(0, t - verdict.timestampMs) / 1000);
        return TopicValidatorResult.Accept;
      }
      case 'invalid':
        this.noteInvalid(peer, verdict.reason);
        return TopicValidatorResult.Reject;
      case 'orphan':
        this.log.debug('share with unknown ancestors', { peer, share: bytesToHex(verdict.id), missing: verdict.missing.length });
        this.options.onOrphan?.(peer, msg.data, verdict.missing);
        return TopicValidatorResult.Ignore;
      case 'deferred':
        this.log.debug('share not taken now', { peer, share: verdict.id && bytesToHex(verdict.id), reason: verdict.reason });
        if (isRetryable(verdict.reason)) this.held.hold(peer, msg.data, this.now());
        return TopicValidatorResult.Ignore;
      case 'duplicate':
        return TopicValidatorResult.Ignore;
    }
  }

  /** Offers the held shares to the chain again; a share taken now is relayed, one that still cannot be judged is held on. */
  private async retryHeld(): Promise<void> {
    if (this.retrying || this.held.size === 0) return;
    this.retrying = true;
    try {
      for (const h of this.held.take(this.now())) {
        if (!this.started) return;
        let verdict: ShareVerdict;
        try {
          verdict = await this.options.host.receiveShare(h.share);
        } catch (err) {
          this.log.error('share validation failed inside the edge', { peer: h.peer, error: (err as Error).message });
          continue;
        }
        // Counted once it is judged (its first 'deferred' was counted when it came).
        if (verdict.result !== 'deferred') this.options.metrics?.sharesTotal.inc({ result: verdict.result });
        switch (verdict.result) {
          case 'accepted':
            this.log.debug('held share taken', { peer: h.peer, share: bytesToHex(verdict.id) });
            // Peers that held it back too get it now; a peer that already has it ignores the copy.
            await this.publish(h.share).catch(() => undefined);
            break;
          case 'deferred':
            if (isRetryable(verdict.reason)) this.held.putBack(h, this.now());
            break;
          case 'invalid':
            this.noteInvalid(h.peer, verdict.reason);
            break;
          case 'orphan':
            this.options.onOrphan?.(h.peer, h.share, verdict.missing);
            break;
          case 'duplicate':
            break;
        }
      }
    } finally {
      this.retrying = false;
    }
  }
}
