/** Text formatting shared by the commands that print pool data. */
import { formatHashrate, formatSpan } from '@otedama/core';

export { formatHashrate };

const SATS_PER_COIN = 100_000_000;

/** 123456789 sats → "1.23456789"; trailing zeros kept to 8 decimals so columns line up. */
export function formatCoins(sats: number): string {
  const neg = sats < 0;
  const abs = Math.abs(Math.trunc(sats));
  const whole = Math.floor(abs / SATS_PER_COIN);
  const frac = String(abs % SATS_PER_COIN).padStart(8, '0');
  return `${neg ? '-' : ''}${whole}.${frac}`;
}

/** "3 s ago", "5 min ago", "2 h ago", or the date. */
export function formatAgo(timeMs: number, now = Date.now()): string {
  if (!timeMs) return '-';
  const s = Math.max(0, Math.round((now - timeMs) / 1000));
  if (s < 60) return `${s} s ago`;
  if (s < 3600) return `${Math.round(s / 60)} min ago`;
  if (s < 86_400) return `${Math.round(s / 3600)} h ago`;
  return new Date(timeMs).toISOString().slice(0, 10);
}

/** Left-aligned columns; the header row is the first. */
export function table(rows: readonly (readonly string[])[]): string {
  const widths: number[] = [];
  for (const r of rows) r.forEach((cell, i) => (widths[i] = Math.max(widths[i] ?? 0, cell.length)));
  return rows.map((r) => r.map((cell, i) => (i === r.length - 1 ? cell : cell.padEnd(widths[i]!))).join('  ')).join('\n');
}

const WINDOW_LABELS = { m10: ['10 min', 600], h1: ['1 h', 3600], h24: ['24 h', 86_400] } as const;

/**
 * One hashrate window for people: "5.25 MH/s (10 min)", or "5.25 MH/s (over 40 s)" when the edge
 * averaged it over less than the window (the pool or miner started within it).
 */
export function formatWindowRate(h: { m10: number; h1: number; h24: number; seconds?: { m10: number; h1: number; h24: number } }, key: 'm10' | 'h1' | 'h24'): string {
  const [label, windowSeconds] = WINDOW_LABELS[key];
  const seconds = h.seconds?.[key];
  const over = seconds !== undefined && seconds < windowSeconds - 60 ? `over ${formatSpan(seconds)}` : label;
  return `${formatHashrate(h[key])} (${over})`;
}
