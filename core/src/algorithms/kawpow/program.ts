/**
 * The ProgPoW program of a period: which registers each round's random cache reads, random math
 * and DAG merges use, and which operations they apply. Every engine (the WASM interpreter, the
 * WGSL kernel generator, the TypeScript reference in progpow.ts) runs the program this module
 * generates, so they cannot disagree on it.
 *
 * ## What a period's program is
 *
 * A period is `floor(height / 3)`. Its program is drawn from one KISS99 generator seeded with the
 * period (fnv1a of its low and high u32 words), after a Fisher-Yates shuffle of two register
 * sequences (destinations and cache/DAG sources). ProgPoW runs the same program in each of its
 * 64 rounds, on each of its 16 lanes:
 *
 *   round r (0..63):
 *     item = dataset item (2048 bits) number  mix[r % 16][0] % (datasetItems1024 / 2),
 *            read before any operation of the round
 *     ops 0..28: for i in 0..17: (i < 11: one CACHE op), then one MATH op
 *     ops 29..32: four DAG ops; lane l merges words ((l ^ r) % 16) * 4 + op.word of the item
 *
 *   CACHE  mix[dst] = merge(mix[dst], l1[mix[src] % 4096], mergeOp, rotate)
 *   MATH   mix[dst] = merge(mix[dst], math(mix[src1], mix[src2], mathOp), mergeOp, rotate)
 *   DAG    mix[dst] = merge(mix[dst], item[((lane ^ r) % 16) * 4 + word], mergeOp, rotate)
 *
 * with math and merge as in `randomMath` / `randomMerge` below (selectors already reduced:
 * `mathOp = selector % 11`, `mergeOp = selector % 4`, `rotate = (selector >>> 16) % 31 + 1`).
 * The first DAG op always has dst 0 (register 0 feeds the next round's item index).
 *
 * ## The encoded form (stable: the WASM module and the WGSL generator read it)
 *
 * `encoded` is a Uint32Array of PROGPOW_PROGRAM_OPS records of PROGPOW_OP_WORDS (8) words, in
 * execution order:
 *
 *   word 0  kind      PROGPOW_OP_CACHE (0), PROGPOW_OP_MATH (1), PROGPOW_OP_DAG (2)
 *   word 1  dst       destination register, 0..31
 *   word 2  a         CACHE: source register; MATH: first operand register; DAG: word 0..3
 *   word 3  b         MATH: second operand register (never equal to a); otherwise 0
 *   word 4  mathOp    MATH: 0..10 (PROGPOW_MATH_OPS); otherwise 0
 *   word 5  mergeOp   0..3 (PROGPOW_MERGE_OPS)
 *   word 6  rotate    1..31: the rotation of merge ops 2 and 3 (set for every op)
 *   word 7  0         reserved (keeps records 32 bytes)
 *
 * Sources: ProgPoW 0.9.4 specification (ifdefelse/ProgPOW README, "progPowLoop"), and
 * cpp-kawpow lib/ethash/progpow.cpp (mix_rng_state, round), whose order of KISS99 draws this
 * follows: cache op: src, dst, selector; math op: operand pair, math selector, dst, merge
 * selector; DAG ops: dst (none for the first), selector.
 */
import { fnv1a, Kiss99, type Kiss99State } from './kiss99.ts';
import { FNV_OFFSET_BASIS, KAWPOW_PERIOD_LENGTH, PROGPOW_CNT_CACHE, PROGPOW_CNT_MATH, PROGPOW_DAG_LOADS, PROGPOW_REGS } from './params.ts';

export const PROGPOW_OP_CACHE = 0;
export const PROGPOW_OP_MATH = 1;
export const PROGPOW_OP_DAG = 2;
/** u32 words per encoded operation. */
export const PROGPOW_OP_WORDS = 8;
/** Operations per round: 11 cache reads, 18 math operations, 4 DAG merges. */
export const PROGPOW_PROGRAM_OPS = PROGPOW_CNT_CACHE + PROGPOW_CNT_MATH + PROGPOW_DAG_LOADS;

/** Random math operations by `mathOp` (selector % 11). */
export const PROGPOW_MATH_OPS = ['add', 'mul', 'mul_hi', 'min', 'rotl', 'rotr', 'and', 'or', 'xor', 'clz_sum', 'popcount_sum'] as const;
/** Merge operations by `mergeOp` (selector % 4). */
export const PROGPOW_MERGE_OPS = ['mul33_add', 'xor_mul33', 'rotl_xor', 'rotr_xor'] as const;

export type ProgpowMathOp = (typeof PROGPOW_MATH_OPS)[number];
export type ProgpowMergeOp = (typeof PROGPOW_MERGE_OPS)[number];

/** The merge of one op, decoded from its KISS99 selector. */
export interface ProgpowMerge {
  /** 0..3, see PROGPOW_MERGE_OPS. */
  readonly mergeOp: number;
  /** 1..31, the rotation of merge ops 2 and 3. */
  readonly rotate: number;
  /** The raw KISS99 selector it was decoded from. */
  readonly mergeSelector: number;
}

export interface ProgpowCacheOp extends ProgpowMerge {
  readonly kind: 'cache';
  /** Register whose value (mod 4096) picks the L1-cache word. */
  readonly src: number;
  readonly dst: number;
}

export interface ProgpowMathOpRecord extends ProgpowMerge {
  readonly kind: 'math';
  readonly src1: number;
  /** Never equal to src1. */
  readonly src2: number;
  /** 0..10, see PROGPOW_MATH_OPS. */
  readonly mathOp: number;
  /** The raw KISS99 selector mathOp was decoded from. */
  readonly mathSelector: number;
  readonly dst: number;
}

export interface ProgpowDagOp extends ProgpowMerge {
  readonly kind: 'dag';
  /** Which of the lane's 4 words of the round's DAG item, 0..3. */
  readonly word: number;
  readonly dst: number;
}

export type ProgpowOp = ProgpowCacheOp | ProgpowMathOpRecord | ProgpowDagOp;

export interface ProgpowProgram {
  readonly period: number;
  /** The operations of one round, in execution order (PROGPOW_PROGRAM_OPS of them). */
  readonly ops: readonly ProgpowOp[];
  /** The same, encoded (see the module comment); treat as read-only. */
  readonly encoded: Uint32Array;
}

/** The period of a block height: floor(height / 3). */
export function kawpowPeriod(height: number): number {
  return Math.floor(height / KAWPOW_PERIOD_LENGTH);
}

/** The seeded KISS99 generator and shuffled register sequences a period's program is drawn from. */
export interface ProgpowMixRngState {
  /** The generator after the Fisher-Yates shuffles, ready for the first op. */
  readonly rng: Kiss99;
  /** Destination registers, drawn in order (cyclically). */
  readonly dstSeq: readonly number[];
  /** Cache source registers, drawn in order (cyclically). */
  readonly srcSeq: readonly number[];
}

/**
 * ProgPoW's mix_rng_state for a period: KISS99 seeded with the period's u64 words, then
 * Fisher-Yates shuffles of 0..31 for the destination and source sequences, interleaved.
 */
export function progpowMixRngState(period: number): ProgpowMixRngState {
  if (!Number.isSafeInteger(period) || period < 0) throw new RangeError(`period must be a non-negative integer (got ${period})`);
  const lo = period >>> 0;
  const hi = Math.floor(period / 0x1_0000_0000) >>> 0;
  const z = fnv1a(FNV_OFFSET_BASIS, lo);
  const w = fnv1a(z, hi);
  const jsr = fnv1a(w, lo);
  const jcong = fnv1a(jsr, hi);
  const rng = new Kiss99({ z, w, jsr, jcong });
  const dstSeq = Array.from({ length: PROGPOW_REGS }, (_, i) => i);
  const srcSeq = Array.from({ length: PROGPOW_REGS }, (_, i) => i);
  for (let i = PROGPOW_REGS; i > 1; i--) {
    const d = rng.next() % i;
    [dstSeq[i - 1], dstSeq[d]] = [dstSeq[d]!, dstSeq[i - 1]!];
    const s = rng.next() % i;
    [srcSeq[i - 1], srcSeq[s]] = [srcSeq[s]!, srcSeq[i - 1]!];
  }
  return { rng, dstSeq, srcSeq };
}

function merge(mergeSelector: number): ProgpowMerge {
  return { mergeOp: mergeSelector % 4, rotate: ((mergeSelector >>> 16) % 31) + 1, mergeSelector };
}

/** The program of a period (see the module comment for its meaning and encoding). */
export function progpowProgram(period: number): ProgpowProgram {
  const { rng, dstSeq, srcSeq } = progpowMixRngState(period);
  let dstCounter = 0;
  let srcCounter = 0;
  const nextDst = (): number => dstSeq[dstCounter++ % PROGPOW_REGS]!;
  const nextSrc = (): number => srcSeq[srcCounter++ % PROGPOW_REGS]!;
  const ops: ProgpowOp[] = [];
  for (let i = 0; i < Math.max(PROGPOW_CNT_CACHE, PROGPOW_CNT_MATH); i++) {
    if (i < PROGPOW_CNT_CACHE) {
      const src = nextSrc();
      const dst = nextDst();
      ops.push({ kind: 'cache', src, dst, ...merge(rng.next()) });
    }
    if (i < PROGPOW_CNT_MATH) {
      // Two distinct operand registers from one draw.
      const pair = rng.next() % (PROGPOW_REGS * (PROGPOW_REGS - 1));
      const src1 = pair % PROGPOW_REGS;
      let src2 = Math.floor(pair / PROGPOW_REGS);
      if (src2 >= src1) src2++;
      const mathSelector = rng.next();
      const dst = nextDst();
      ops.push({ kind: 'math', src1, src2, mathOp: mathSelector % 11, mathSelector, dst, ...merge(rng.next()) });
    }
  }
  for (let word = 0; word < PROGPOW_DAG_LOADS; word++) {
    const dst = word === 0 ? 0 : nextDst();
    ops.push({ kind: 'dag', word, dst, ...merge(rng.next()) });
  }
  return { period, ops, encoded: encodeProgpowOps(ops) };
}

/** The encoded form of a program's ops (see the module comment). */
export function encodeProgpowOps(ops: readonly ProgpowOp[]): Uint32Array {
  const out = new Uint32Array(ops.length * PROGPOW_OP_WORDS);
  ops.forEach((op, i) => {
    const o = i * PROGPOW_OP_WORDS;
    out[o + 1] = op.dst;
    out[o + 5] = op.mergeOp;
    out[o + 6] = op.rotate;
    switch (op.kind) {
      case 'cache':
        out[o] = PROGPOW_OP_CACHE;
        out[o + 2] = op.src;
        break;
      case 'math':
        out[o] = PROGPOW_OP_MATH;
        out[o + 2] = op.src1;
        out[o + 3] = op.src2;
        out[o + 4] = op.mathOp;
        break;
      case 'dag':
        out[o] = PROGPOW_OP_DAG;
        out[o + 2] = op.word;
        break;
    }
  });
  return out;
}

function clz32(x: number): number {
  return Math.clz32(x);
}

function popcount32(x: number): number {
  x -= (x >>> 1) & 0x55555555;
  x = (x & 0x33333333) + ((x >>> 2) & 0x33333333);
  x = (x + (x >>> 4)) & 0x0f0f0f0f;
  return Math.imul(x, 0x01010101) >>> 24;
}

function rotl(x: number, n: number): number {
  n &= 31;
  return ((x << n) | (x >>> ((32 - n) & 31))) >>> 0;
}

function rotr(x: number, n: number): number {
  n &= 31;
  return ((x >>> n) | (x << ((32 - n) & 31))) >>> 0;
}

/** High 32 bits of the 64-bit product of two u32. */
function mulHi(a: number, b: number): number {
  const aLo = a & 0xffff;
  const aHi = a >>> 16;
  const bLo = b & 0xffff;
  const bHi = b >>> 16;
  const lolo = aLo * bLo;
  const mid1 = aHi * bLo;
  const mid2 = aLo * bHi;
  const carry = ((lolo >>> 16) + (mid1 & 0xffff) + (mid2 & 0xffff)) >>> 16;
  return (aHi * bHi + (mid1 >>> 16) + (mid2 >>> 16) + carry) >>> 0;
}

/**
 * ProgPoW's random math: `selector % 11` picks the operation (PROGPOW_MATH_OPS order). Rotations
 * take their count mod 32; clz of 0 is 32.
 */
export function randomMath(a: number, b: number, selector: number): number {
  a >>>= 0;
  b >>>= 0;
  switch ((selector >>> 0) % 11) {
    case 0: return (a + b) >>> 0;
    case 1: return Math.imul(a, b) >>> 0;
    case 2: return mulHi(a, b);
    case 3: return Math.min(a, b);
    case 4: return rotl(a, b);
    case 5: return rotr(a, b);
    case 6: return (a & b) >>> 0;
    case 7: return (a | b) >>> 0;
    case 8: return (a ^ b) >>> 0;
    case 9: return clz32(a) + clz32(b);
    default: return popcount32(a) + popcount32(b);
  }
}

/**
 * ProgPoW's merge of `b` into `a` (entropy-preserving even when b has little): `selector % 4`
 * picks the operation, `(selector >>> 16) % 31 + 1` the rotation.
 */
export function randomMerge(a: number, b: number, selector: number): number {
  const s = selector >>> 0;
  return applyMerge(a, b, s % 4, ((s >>> 16) % 31) + 1);
}

/** A merge by its decoded operation and rotation (what the program records hold). */
export function applyMerge(a: number, b: number, mergeOp: number, rotate: number): number {
  switch (mergeOp) {
    case 0: return (Math.imul(a, 33) + b) >>> 0;
    case 1: return Math.imul(a ^ b, 33) >>> 0;
    case 2: return (rotl(a, rotate) ^ b) >>> 0;
    default: return (rotr(a, rotate) ^ b) >>> 0;
  }
}

/** The KISS99 state of a period's generator after the shuffles (the trace vectors list it). */
export function progpowMixRngKissState(period: number): Kiss99State {
  return progpowMixRngState(period).rng.state();
}
