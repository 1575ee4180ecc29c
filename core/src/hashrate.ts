/**
 * Hashrate estimated from accepted work, as pools do: a share of difficulty D stands for
 * D * 2^256 / (DIFF1_TARGET + 1) hashes on average (about D * 2^32), so the hashrate over a
 * period is the accepted difficulty in it times that, divided by the period's seconds.
 */
import { DIFF1_TARGET } from './target.ts';

/** Expected hashes per difficulty-1 share: 2^256 / (diff1 target + 1) ≈ 4,295,032,833. */
export const HASHES_PER_DIFFICULTY_1 = Number((1n << 256n) / (DIFF1_TARGET + 1n));

/** Hashes per second that accepted difficulty `difficultySum` over `seconds` stands for. */
export function estimateHashrate(difficultySum: number, seconds: number): number {
  if (!(seconds > 0) || !(difficultySum > 0)) return 0;
  return (difficultySum * HASHES_PER_DIFFICULTY_1) / seconds;
}

/** Hashes per second for people: 12345678 -> "12.35 MH/s" (whole H/s below 1000). */
export function formatHashrate(hps: number): string {
  const units = ['H/s', 'kH/s', 'MH/s', 'GH/s', 'TH/s', 'PH/s'];
  let v = hps;
  let u = 0;
  while (v >= 1000 && u < units.length - 1) {
    v /= 1000;
    u++;
  }
  return `${v.toFixed(u === 0 ? 0 : 2)} ${units[u]}`;
}

/** A duration for people: 40 -> "40 s", 570 -> "10 min", 86400 -> "24 h" (how long a figure covers). */
export function formatSpan(seconds: number): string {
  if (seconds < 90) return `${Math.round(seconds)} s`;
  if (seconds < 5400) return `${Math.round(seconds / 60)} min`;
  return `${(seconds / 3600).toFixed(1).replace(/\.0$/, '')} h`;
}
