/**
 * Share difficulty: ASERT (BCH's aserti3-2d) in its relative form, integers only, so every peer in
 * every language gets the same target (docs/sharechain.md §5).
 *
 * Each share carries the chain's demanded target as `maxBits`. A share S with parent P must carry
 *
 *   maxBits(S) = compact( clamp( asert(target(P.maxBits), S.time - P.time) ) )
 *
 * where asert(T, dt) = T * 2^((dt - interval) / halfLife), evaluated as aserti3-2d does: the
 * exponent in 16-bit fixed point (truncated toward zero), the fraction's power of two by the
 * cubic approximation, shifts for the integer part. Since the steps telescope, the target after
 * n shares is the first share's times 2^((t_n - t_0 - n*interval) / halfLife) up to rounding,
 * i.e. anchored ASERT, but a peer that holds only the window can check every step. The clamp
 * keeps the target between the coin's block target (a share is never harder than a block) and
 * the pool's easiest share target.
 */
import { targetToBits } from '../target.ts';
import { compactTarget } from './work.ts';
import type { PoolParams } from './params.ts';

/** Fixed-point bits of the exponent (aserti3-2d). */
const RADIX_BITS = 16n;
const RADIX = 1n << RADIX_BITS;

/** aserti3-2d's approximation of 2^(frac/65536) * 65536 for frac in 0..65535. */
function powerOfTwoFraction(frac: bigint): bigint {
  return RADIX + ((195766423245049n * frac + 971821376n * frac * frac + 5127n * frac * frac * frac + (1n << 47n)) >> 48n);
}

/**
 * One ASERT step: `target` eased (dt > interval) or hardened (dt < interval) for `dtMs` ms
 * between two shares. Unclamped except that the result is at least 1.
 */
export function asertStep(target: bigint, dtMs: number, intervalMs: number, halfLifeMs: number): bigint {
  // BigInt division truncates toward zero, as the C++ original's int64 division does.
  const exponent = ((BigInt(dtMs) - BigInt(intervalMs)) * RADIX) / BigInt(halfLifeMs);
  const shifts = exponent >> RADIX_BITS; // floor, as an arithmetic shift
  const frac = exponent & (RADIX - 1n);
  let next = target * powerOfTwoFraction(frac);
  const s = shifts - RADIX_BITS;
  next = s <= 0n ? next >> -s : next << s;
  return next === 0n ? 1n : next;
}

export interface DemandedTarget {
  /** The compact form a share must carry as maxBits. */
  readonly bits: number;
  /** Its target (the share's own target may be at most this). */
  readonly target: bigint;
}

/** Clamps to [blockTarget, easiest share target] (the block target wins if they cross) and rounds to compact. */
function clampToCompact(target: bigint, blockTarget: bigint, params: PoolParams): DemandedTarget {
  const easiest = compactTarget(params.maxShareBits).target;
  let t = target > easiest ? easiest : target;
  if (t < blockTarget) t = blockTarget;
  const bits = targetToBits(t);
  return { bits, target: compactTarget(bits).target };
}

/**
 * The target a share at `timeMs` must carry as maxBits, given its parent's maxBits and time
 * (undefined for the first share of a chain, which starts from the pool's initial target) and
 * the coin's block target in the share's header.
 */
export function demandedTarget(
  parent: { readonly maxBits: number; readonly time: number } | undefined,
  timeMs: number,
  blockTarget: bigint,
  params: PoolParams,
): DemandedTarget {
  if (!parent) return clampToCompact(compactTarget(params.initialShareBits).target, blockTarget, params);
  const next = asertStep(compactTarget(parent.maxBits).target, timeMs - parent.time, params.shareIntervalMs, params.asertHalfLifeMs);
  return clampToCompact(next, blockTarget, params);
}
