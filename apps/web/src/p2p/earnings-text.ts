/**
 * The money in words a person new to mining understands: what the window is, what the next
 * block would pay this address and why (paid directly, or a lottery ticket with its odds), how
 * long until its next share, and for each block found why it did or did not pay this address.
 * Pure: the figures come from the page's chain (page-chain.ts summary()).
 */
import { formatSats } from '../pool-figures.ts';
import type { FoundBlockView, PayoutLine } from './page-chain.ts';

const sats = (v: bigint) => formatSats(v.toString());

/** Percent with sensible precision: 0.37 %, 12 %, <0.01 %. */
export function percent(num: bigint, den: bigint): string {
  if (den === 0n || num === 0n) return '0 %';
  const bp = Number((num * 1_000_000n) / den) / 10_000;
  if (bp < 0.01) return '<0.01 %';
  return `${bp < 1 ? bp.toFixed(2) : bp < 10 ? bp.toFixed(1) : Math.round(bp)} %`;
}

/** A duration in the largest sensible unit: "40 s", "3 min", "2.5 h", "4 days". */
export function duration(seconds: number): string {
  if (!Number.isFinite(seconds)) return 'a very long time';
  if (seconds < 90) return `${Math.max(1, Math.round(seconds))} s`;
  if (seconds < 90 * 60) return `${Math.round(seconds / 60)} min`;
  if (seconds < 36 * 3600) return `${(seconds / 3600).toFixed(1)} h`;
  return `${Math.round(seconds / 86_400)} days`;
}

/** One sentence on what the next block pays this address, and why. */
export function nextPayoutText(line: PayoutLine | undefined, threshold: bigint | undefined, whoFinds: 'another miner' | 'this page'): string {
  const lead = `If ${whoFinds} finds the next block: `;
  if (!line || line.kind === 'none' || line.amount === 0n) return `${lead}nothing yet — this address has no shares in the window. Shares you find count for about the next day of the pool's work.`;
  if (line.kind === 'direct') return `${lead}${sats(line.paid)}, paid straight to your address (your part of the window's work is above the ${threshold === undefined ? 'lottery' : sats(threshold)} threshold).`;
  return `${lead}your part is ${sats(line.amount)}, below the ${threshold === undefined ? '' : `${sats(threshold)} `}minimum a coinbase pays. So you hold a lottery ticket: a ${percent(line.odds.num, line.odds.den)} chance to be paid ${threshold === undefined ? 'the threshold' : sats(threshold)}. On average that is exactly your part, and nobody holds your balance in between.`;
}

/** Expected time to this page's next share at its hashrate. */
export function nextShareText(hashesPerShare: number | undefined, hashrate: number): string {
  if (!hashesPerShare) return 'Time to your next share: waiting for a template.';
  if (!(hashrate > 0)) return `A share takes about ${compact(hashesPerShare)} hashes now; start mining to see how long that is for this device.`;
  return `Expected time to your next share: about ${duration(hashesPerShare / hashrate)} at this device's speed (a share takes about ${compact(hashesPerShare)} hashes now; luck makes it shorter or longer).`;
}

function compact(n: number): string {
  if (n >= 1e12) return `${(n / 1e12).toFixed(1)} T`;
  if (n >= 1e9) return `${(n / 1e9).toFixed(1)} G`;
  if (n >= 1e6) return `${(n / 1e6).toFixed(1)} M`;
  if (n >= 1e3) return `${(n / 1e3).toFixed(1)} k`;
  return String(Math.round(n));
}

/** Why a found block did or did not pay this address. */
export function blockText(b: FoundBlockView, now: number): string {
  const when = `${duration(Math.max(0, (now - b.time) / 1000))} ago`;
  const head = `Block at share ${b.height} (${when})${b.foundByMe ? ', found by this page' : ''}: `;
  const me = b.me;
  if (me.kind === 'none' || me.amount === 0n) return `${head}did not pay you — this address had no shares in the window it paid.`;
  const bonus = me.bonus > 0n ? ` (including the ${sats(me.bonus)} finder's bonus)` : '';
  if (me.kind === 'direct') return `${head}paid you ${sats(me.paid)}${bonus}, your part of the window's work.`;
  if (me.paid > 0n) return `${head}your part was ${sats(me.amount)}, below the ${sats(b.threshold)} minimum, and your lottery ticket (${percent(me.odds.num, me.odds.den)} chance) won: paid ${sats(me.paid)}.`;
  return `${head}your part was ${sats(me.amount)}, below the ${sats(b.threshold)} minimum; your lottery ticket (${percent(me.odds.num, me.odds.den)} chance) did not win this time. Your shares stay in the window for the next blocks.`;
}

/** The window in one sentence. */
export function windowText(myShares: number, windowShares: number, creditPpm: number): string {
  if (windowShares === 0) return 'The window is empty: the next share starts the pool’s books.';
  if (myShares === 0) return `The window holds ${windowShares} share(s), none of them yours yet.`;
  return `The window holds ${windowShares} share(s); ${myShares} are yours, ${(creditPpm / 10_000).toFixed(creditPpm < 10_000 ? 2 : 1)} % of its work. Every block pays the window by work.`;
}
