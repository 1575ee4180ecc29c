/**
 * What the rig prints: the live table (one row per browser and a total), the summary at the end,
 * and the machine-readable JSON lines of --json. Pure.
 */
import { formatHashrate } from '@otedama/core';
import type { RigEvent, RigSnapshot } from './rig.ts';

const HEADER = ['browser', 'state', 'pid', 'hashrate', 'accepted', 'rejected', 'stale', 'restarts', 'peers', 'note'];

function duration(ms: number): string {
  const s = Math.max(0, Math.round(ms / 1000));
  const h = Math.floor(s / 3600);
  const m = Math.floor((s % 3600) / 60);
  return h > 0 ? `${h}h${String(m).padStart(2, '0')}m` : m > 0 ? `${m}m${String(s % 60).padStart(2, '0')}s` : `${s}s`;
}

function grid(rows: string[][]): string[] {
  const widths = rows[0]!.map((_, c) => Math.max(...rows.map((r) => (r[c] ?? '').length)));
  // The note (last column) is left-aligned and not padded.
  return rows.map((r) => r.map((cell, c) => (c === r.length - 1 ? cell : c === 0 || c === 1 ? cell.padEnd(widths[c]!) : cell.padStart(widths[c]!))).join('  ').trimEnd());
}

/** The live table: a line per browser, then the total. */
export function formatTable(s: RigSnapshot): string[] {
  const rows = [HEADER];
  for (const r of s.rows) {
    rows.push([String(r.browser), r.state, r.pid === undefined ? '-' : String(r.pid), formatHashrate(r.hashrate), String(r.accepted), String(r.rejected), String(r.stale), String(r.restarts), String(r.peers), r.note]);
  }
  const t = s.total;
  rows.push(['total', '', '', formatHashrate(t.hashrate), String(t.accepted), String(t.rejected), String(t.stale), String(t.restarts), String(t.peers), `up ${duration(s.elapsedMs)}`]);
  return grid(rows);
}

/** The summary printed when the rig stops: what each browser and the whole rig did. */
export function formatSummary(s: RigSnapshot): string[] {
  const seconds = Math.max(1, s.elapsedMs / 1000);
  const rows = [['browser', 'accepted', 'rejected', 'stale', 'restarts', 'average hashrate']];
  for (const r of s.rows) rows.push([String(r.browser), String(r.accepted), String(r.rejected), String(r.stale), String(r.restarts), formatHashrate(r.hashes / seconds)]);
  const t = s.total;
  rows.push(['total', String(t.accepted), String(t.rejected), String(t.stale), String(t.restarts), formatHashrate(t.hashes / seconds)]);
  return [`rig stopped after ${duration(s.elapsedMs)}:`, ...grid(rows.map((r) => [...r, '']))];
}

/** One --json line (no trailing newline). */
export function jsonLine(type: 'consent' | 'stats' | 'event' | 'summary', body: Record<string, unknown>): string {
  return JSON.stringify({ type, t: new Date().toISOString(), ...body });
}

export function statsJson(s: RigSnapshot): Record<string, unknown> {
  return { elapsedMs: s.elapsedMs, browsers: s.rows, total: s.total };
}

export function summaryJson(s: RigSnapshot): Record<string, unknown> {
  const seconds = Math.max(1, s.elapsedMs / 1000);
  return {
    elapsedMs: s.elapsedMs,
    browsers: s.rows.map((r) => ({ browser: r.browser, hashes: r.hashes, accepted: r.accepted, rejected: r.rejected, stale: r.stale, restarts: r.restarts, averageHashrate: r.hashes / seconds })),
    total: { ...s.total, hashrate: undefined, averageHashrate: s.total.hashes / seconds },
  };
}

export function eventText(e: RigEvent): string {
  return `browser ${e.browser}: ${e.text}`;
}
