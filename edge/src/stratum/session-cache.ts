/**
 * Sessions a miner may resume: when a connection closes, what it was sent (job ids with their
 * difficulty), its difficulty and whether its one suggestion was still open are kept under its
 * session id (the extranonce1) for a while. A miner that reconnects with that id (minerd and
 * cpuminer-opt send it in mining.subscribe) continues where it was: its late shares for the old
 * connection's jobs are judged as they would have been, and only those job ids are its to
 * submit (a resumed session never gains jobs it was not sent).
 *
 * Bounded: at most `maxEntries` sessions (oldest dropped first), each for `ttlMs`; entries keep
 * only jobs that are not stale.
 */
import type { ShareValidator } from '@otedama/core';
import type { ResumableSession } from './stratum-session.ts';

/** Closed sessions remembered at once (each holds at most MAX_SENT_JOBS job references). */
export const RESUMABLE_SESSIONS = 4096;
/** How long a closed session can be resumed (ms): minerd reconnects at once, Bitaxe within seconds. */
export const RESUME_TTL_MS = 10 * 60_000;

interface Entry {
  readonly state: ResumableSession;
  readonly until: number;
}

export class SessionCache {
  private readonly entries = new Map<string, Entry>();

  constructor(
    private readonly validator: Pick<ShareValidator, 'isStale'>,
    private readonly now: () => number,
    private readonly maxEntries = RESUMABLE_SESSIONS,
    private readonly ttlMs = RESUME_TTL_MS,
  ) {}

  get size(): number {
    return this.entries.size;
  }

  /** Keeps a closed session's state (its stale jobs dropped). */
  keep(sessionId: string, state: ResumableSession): void {
    const sentJobs = new Map([...state.sentJobs].filter(([, sent]) => !this.validator.isStale(sent.job.shareJob)));
    this.entries.delete(sessionId);
    this.entries.set(sessionId, { state: { ...state, sentJobs }, until: this.now() + this.ttlMs });
    while (this.entries.size > this.maxEntries) this.entries.delete(this.entries.keys().next().value as string);
  }

  /** Takes (and forgets) a session's state; undefined when unknown or expired. */
  take(sessionId: string): ResumableSession | undefined {
    const e = this.entries.get(sessionId);
    if (!e) return undefined;
    this.entries.delete(sessionId);
    return e.until >= this.now() ? e.state : undefined;
  }

  /** Forgets a session id (a new connection was given it fresh). */
  forget(sessionId: string): void {
    this.entries.delete(sessionId);
  }

  /** Drops expired entries. */
  sweep(): void {
    const now = this.now();
    for (const [id, e] of this.entries) if (e.until < now) this.entries.delete(id);
  }
}
