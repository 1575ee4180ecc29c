/**
 * A share as the chain holds it: the decoded share, its place (parent, height, chain work) and
 * what it credits in any window that includes it. Memory per entry is bounded: the encoding
 * (at most maxShareBytes), at most 4 + 3 x 4 credits, and a few numbers.
 */
import { bytesToHex } from '../hex.ts';
import { BASIS_POINTS, type PoolParams } from './params.ts';
import type { WindowCredit } from './payouts.ts';
import type { DecodedShare } from './share-codec.ts';

export interface ShareEntry {
  /** The share id (the PoW hash of its header, internal order). */
  readonly id: Uint8Array;
  /** The id as lower-case hex of those bytes (map keys, logs). */
  readonly key: string;
  /** The decoded share (views into `encoded`). */
  readonly share: DecodedShare;
  /** The share's encoding (owned by the entry). */
  readonly encoded: Uint8Array;
  /** The parent entry; undefined for a chain's first share or a root whose parent is not held. */
  parent: ShareEntry | undefined;
  readonly height: number;
  /** Metadata time (ms). */
  readonly time: number;
  /** Work of the share's own target. */
  readonly work: bigint;
  /** Work the window walk counts for it: its own plus its uncles'. */
  readonly windowWork: bigint;
  /** Cumulative window work from the first share (or root) held to this one: the fork-choice score. */
  readonly chainWork: bigint;
  /** Work of the coin block target in its header (the window is windowSpread times this). */
  readonly blockWork: bigint;
  /** Keys of the uncles it names that were held when it was added (ids only: no references that keep pruned shares alive). */
  readonly uncleKeys: readonly string[];
  /** What it credits to each payout script when in a window (own work and uncle splits). */
  readonly credits: readonly WindowCredit[];
  /** Arrival order (first seen wins fork-choice ties). */
  readonly seq: number;
  /** Its hash met the coin's block target. */
  readonly isBlock: boolean;
  /** False for shares added from history whose checks needed shares not held (sync's first window). */
  readonly verified: boolean;
}

/**
 * The credits a share brings into a window: its own work split by its payees' basis points, and
 * for each uncle, uncleCreditBp of the uncle's work to the uncle's payees and the rest to this
 * share's payees. Weights are work x bp, so nothing is rounded.
 */
export function shareCredits(share: DecodedShare, work: bigint, uncles: readonly ShareEntry[], params: PoolParams): WindowCredit[] {
  const byKey = new Map<string, { script: Uint8Array; weight: bigint }>();
  const credit = (script: Uint8Array, weight: bigint) => {
    if (weight === 0n) return;
    const key = bytesToHex(script);
    const c = byKey.get(key);
    if (c) c.weight += weight;
    else byKey.set(key, { script, weight });
  };
  let ownWork = work;
  for (const u of uncles) {
    const uncleCredit = (u.work * BigInt(params.uncleCreditBp)) / BigInt(BASIS_POINTS);
    for (const p of u.share.meta.payees) credit(p.script, uncleCredit * BigInt(p.bp));
    ownWork += u.work - uncleCredit;
  }
  for (const p of share.meta.payees) credit(p.script, ownWork * BigInt(p.bp));
  return [...byKey].map(([key, c]) => ({ key, script: c.script, weight: c.weight }));
}
