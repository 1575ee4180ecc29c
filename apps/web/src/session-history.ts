/**
 * One mining session's history as the dashboard keeps it: hashrate samples over time (for the
 * chart), share counters and the event log. Bounded: samples are thinned (every other one is
 * dropped, oldest half first) and events trimmed, so a session that runs for days stays small
 * enough to store on every update. Pure: the store (store.ts) persists these records.
 */

export interface RateSample {
  /** Unix ms. */
  t: number;
  /** Hashes per second: total, CPU, GPU. */
  total: number;
  cpu: number;
  gpu: number;
}

export interface LoggedEvent {
  t: number;
  level: 'info' | 'warn' | 'error';
  text: string;
}

export interface SessionRecord {
  /** Unix ms of Start; also the record's key. */
  id: number;
  address: string;
  algorithm: string;
  /** Unix ms of the last update; the session ended then if `ended` is true. */
  updatedAt: number;
  ended: boolean;
  hashes: number;
  accepted: number;
  rejected: number;
  stale: number;
  rejectReasons: Record<string, number>;
  samples: RateSample[];
  events: LoggedEvent[];
}

export const MAX_SAMPLES = 600;
export const MAX_EVENTS = 200;

export function newSession(id: number, address: string, algorithm: string): SessionRecord {
  return { id, address, algorithm, updatedAt: id, ended: false, hashes: 0, accepted: 0, rejected: 0, stale: 0, rejectReasons: {}, samples: [], events: [] };
}

/**
 * Adds a sample. When the list is full, the older half is thinned to every other sample, so the
 * chart keeps the whole session at a coarser grain and the recent part at full grain.
 */
export function addSample(session: SessionRecord, sample: RateSample, max = MAX_SAMPLES): void {
  if (![sample.t, sample.total, sample.cpu, sample.gpu].every((v) => Number.isFinite(v) && v >= 0)) return;
  const last = session.samples[session.samples.length - 1];
  if (last && sample.t < last.t) return;
  session.samples.push(sample);
  if (session.samples.length > max) {
    const half = Math.floor(session.samples.length / 2);
    const older = session.samples.slice(0, half).filter((_, i) => i % 2 === 0);
    session.samples = [...older, ...session.samples.slice(half)];
  }
  session.updatedAt = Math.max(session.updatedAt, sample.t);
}

/** Adds an event, newest last, keeping at most `max`. */
export function addEvent(session: SessionRecord, event: LoggedEvent, max = MAX_EVENTS): void {
  session.events.push(event);
  if (session.events.length > max) session.events.splice(0, session.events.length - max);
}

/** Average hashrate over the session's samples (0 with none). */
export function averageRate(session: SessionRecord): number {
  const s = session.samples;
  if (s.length < 2) return s[0]?.total ?? 0;
  let area = 0;
  for (let i = 1; i < s.length; i++) area += ((s[i]!.total + s[i - 1]!.total) / 2) * (s[i]!.t - s[i - 1]!.t);
  const span = s[s.length - 1]!.t - s[0]!.t;
  return span > 0 ? area / span : s[0]!.total;
}

/**
 * Checks a record read back from storage; returns undefined for anything that is not a session
 * (a damaged record is skipped, never shown half-broken).
 */
export function checkSessionRecord(raw: unknown): SessionRecord | undefined {
  if (!raw || typeof raw !== 'object') return undefined;
  const r = raw as Partial<SessionRecord>;
  const num = (v: unknown) => typeof v === 'number' && Number.isFinite(v) && v >= 0;
  if (!num(r.id) || !num(r.updatedAt) || typeof r.address !== 'string' || typeof r.algorithm !== 'string') return undefined;
  if (!num(r.hashes) || !num(r.accepted) || !num(r.rejected) || !num(r.stale) || typeof r.ended !== 'boolean') return undefined;
  if (!Array.isArray(r.samples) || !Array.isArray(r.events) || !r.rejectReasons || typeof r.rejectReasons !== 'object') return undefined;
  const samples = r.samples.filter((s: RateSample) => s && [s.t, s.total, s.cpu, s.gpu].every(num));
  const events = r.events.filter((e: LoggedEvent) => e && num(e.t) && typeof e.text === 'string' && ['info', 'warn', 'error'].includes(e.level));
  return { ...(r as SessionRecord), samples, events };
}
