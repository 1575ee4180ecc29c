/**
 * What every page miner reports the same way, whichever algorithm it mines: a share's verdict
 * counted (accepted, stale apart from other rejections, reasons tallied) and logged, a job
 * connection's state on the dashboard and in the log, and the courtesy throttle's changes.
 */
import type { MinerEvent, MinerStats } from './miner.ts';
import { isStaleRejection } from './pool-message.ts';
import type { ConnectionState, SubmitOutcome } from './stratum-ws-client.ts';

type Log = (event: MinerEvent) => void;

/** A miner's figures before anything ran: nothing hashed or submitted, not connected. */
export function initialStats(edge: string, duty: number): MinerStats {
  return { hashrate: 0, cpuHashrate: 0, gpuHashrate: 0, hashes: 0, accepted: 0, rejected: 0, stale: 0, rejectReasons: {}, difficulty: 0, connection: 'idle', edge, duty };
}

/** Counts a submitted share's outcome in `stats` and logs what is not an acceptance. */
export function recordShareOutcome(stats: MinerStats, r: SubmitOutcome, log: Log): void {
  if (r.outcome === 'accepted') {
    stats.accepted++;
  } else if (r.outcome === 'rejected') {
    const stale = isStaleRejection(r.error);
    if (stale) stats.stale++;
    else stats.rejected++;
    stats.rejectReasons[r.error.message] = (stats.rejectReasons[r.error.message] ?? 0) + 1;
    const code = r.error.code === null ? '' : ` (code ${r.error.code})`;
    log({ level: 'warn', text: `share ${stale ? 'stale' : 'rejected'}: ${r.error.message}${code}` });
  } else {
    log({ level: 'warn', text: `share not delivered: ${r.reason}` });
  }
}

/** Shows a job connection's state in `stats` and logs its steps. */
export function recordConnectionState(stats: MinerStats, state: ConnectionState, url: string, detail: string | undefined, log: Log): void {
  stats.edge = url;
  if (state === 'reconnecting') {
    stats.connection = `disconnected: ${detail ?? 'reconnecting'}`;
  } else if (state === 'stopped') {
    stats.connection = 'stopped';
  } else {
    stats.connection = state;
    log({ level: 'info', text: state === 'connecting' ? `connecting to ${url}` : state === 'connected' ? `connected to ${url}` : `authorized on ${url}` });
  }
}

/**
 * Records a new courtesy throttle (`factor` 0..1, already checked) and logs the change; returns
 * false when nothing changed.
 */
export function recordThrottle(stats: MinerStats, before: number, factor: number, reason: string | undefined, log: Log): boolean {
  const why = factor < 1 ? reason?.trim() || 'throttled' : undefined;
  if (factor === before && why === stats.throttleReason) return false;
  if (why) stats.throttleReason = why;
  else delete stats.throttleReason;
  if (factor === 0) log({ level: 'info', text: `paused: ${why}` });
  else if (factor < 1) log({ level: 'info', text: `throttled to ${Math.round(factor * 100)} %: ${why}` });
  else if (before < 1) log({ level: 'info', text: 'resumed at full intensity' });
  return true;
}
