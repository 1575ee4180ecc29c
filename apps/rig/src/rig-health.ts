/**
 * When a rig browser needs a restart, decided from what it reported (pure: the clock is the
 * caller's). A browser whose process died or whose page crashed is restarted at once by the rig;
 * these rules catch the quiet failures.
 */

/** From launch to the first hash (ms): Chromium's start, the page, WASM compile, on a busy machine. */
export const START_DEADLINE_MS = 120_000;
/** No stats from the page at all for this long (ms): the page is hung (it reports every second). */
export const SILENT_MS = 30_000;
/** No new hashes for this long (ms) while the page says it is connected and not paused: stalled. */
export const STALL_MS = 45_000;

export interface HealthInput {
  now: number;
  launchedAt: number;
  /** When the page last reported stats. */
  lastStatsAt?: number | undefined;
  /** When the hash count last grew. */
  lastProgressAt?: number | undefined;
  /** The page's connection state ("authorized", "disconnected: …"). */
  connection?: string | undefined;
  /** Effective duty 0..1 (0: paused by courtesy). */
  duty?: number | undefined;
}

/** Why this browser should be restarted, or undefined while it is healthy. */
export function stallReason(h: HealthInput): string | undefined {
  if (h.lastProgressAt === undefined) {
    return h.now - h.launchedAt > START_DEADLINE_MS ? `no hashes ${Math.round(START_DEADLINE_MS / 1000)} s after launch` : undefined;
  }
  if (h.lastStatsAt !== undefined && h.now - h.lastStatsAt > SILENT_MS) return `the page has said nothing for ${Math.round((h.now - h.lastStatsAt) / 1000)} s`;
  // A lost pool connection is the page's to repair (it reconnects with backoff), a pause is courtesy.
  const working = h.connection === 'authorized' && (h.duty ?? 1) > 0;
  if (working && h.now - h.lastProgressAt > STALL_MS) return `no new hashes for ${Math.round((h.now - h.lastProgressAt) / 1000)} s while connected`;
  return undefined;
}
