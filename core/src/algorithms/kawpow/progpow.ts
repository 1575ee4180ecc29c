/**
 * KawPow's hash around the DAG, in plain TypeScript: the keccak-f800 states, the initial lane
 * registers, a period program run over 64 rounds with DAG items supplied by the caller, the
 * lane reduction and the final hash. No light cache, no dataset: an engine that can produce
 * 2048-bit DAG items (the WASM module from the light cache, a GPU from its DAG) plugs them in,
 * so this is the independent reference the engines' program execution is held against.
 *
 * Validators use `kawpowFinalHash` alone first: the final hash depends only on the header hash,
 * the nonce and the submitted mix hash (two keccak-f800 permutations, microseconds), so a share
 * whose claimed mix does not even meet the target is refused before any DAG work.
 *
 * Byte orders (core/test/vectors/README): the header hash is the 32 bytes ProgPoW takes, read as
 * 8 little-endian u32 words; the nonce is a u64 split into its low and high words; the mix hash
 * and the final hash are 8 u32 words written little-endian, which is the order of their
 * published hex (a block stores the mix hash byte-reversed: see byte-order.ts).
 */
import { keccakF800 } from './keccak.ts';
import { fnv1a, Kiss99 } from './kiss99.ts';
import {
  FNV_OFFSET_BASIS,
  PROGPOW_CACHE_WORDS,
  PROGPOW_CNT_DAG,
  PROGPOW_DAG_LOADS,
  PROGPOW_LANES,
  PROGPOW_REGS,
  RAVENCOIN_KAWPOW_PADDING,
} from './params.ts';
import { applyMerge, PROGPOW_OP_CACHE, PROGPOW_OP_DAG, PROGPOW_OP_WORDS, randomMath, type ProgpowProgram } from './program.ts';

/** u32 words of a 2048-bit DAG item. */
export const PROGPOW_DAG_ITEM_WORDS = 64;

function wordsLE(bytes: Uint8Array, count: number): Uint32Array {
  const out = new Uint32Array(count);
  for (let i = 0; i < count; i++) {
    out[i] = (bytes[4 * i]! | (bytes[4 * i + 1]! << 8) | (bytes[4 * i + 2]! << 16) | (bytes[4 * i + 3]! << 24)) >>> 0;
  }
  return out;
}

function bytesLE(words: ArrayLike<number>): Uint8Array {
  const out = new Uint8Array(words.length * 4);
  for (let i = 0; i < words.length; i++) {
    const w = words[i]!;
    out[4 * i] = w & 0xff;
    out[4 * i + 1] = (w >>> 8) & 0xff;
    out[4 * i + 2] = (w >>> 16) & 0xff;
    out[4 * i + 3] = (w >>> 24) & 0xff;
  }
  return out;
}

/**
 * The first keccak-f800 input: header hash (8 LE words), nonce low and high words, then the 15
 * Ravencoin padding words.
 */
export function kawpowInitialState(headerHash: Uint8Array, nonce: bigint): Uint32Array {
  const state = new Uint32Array(25);
  state.set(wordsLE(headerHash, 8), 0);
  state[8] = Number(nonce & 0xffff_ffffn);
  state[9] = Number((nonce >> 32n) & 0xffff_ffffn);
  state.set(RAVENCOIN_KAWPOW_PADDING, 10);
  return state;
}

/**
 * The first 8 words after one keccak-f800 of the initial state ("state2"): words 0 and 1 seed
 * the lanes' registers, all 8 enter the final hash.
 */
export function kawpowSeedWords(headerHash: Uint8Array, nonce: bigint): Uint32Array {
  const state = kawpowInitialState(headerHash, nonce);
  keccakF800(state);
  return state.slice(0, 8);
}

/** The final keccak-f800 input: the 8 seed words, the mix hash (8 LE words), 9 padding words. */
export function kawpowFinalState(seedWords: Uint32Array, mixHash: Uint8Array): Uint32Array {
  const state = new Uint32Array(25);
  state.set(seedWords.subarray(0, 8), 0);
  state.set(wordsLE(mixHash, 8), 8);
  state.set(RAVENCOIN_KAWPOW_PADDING.slice(0, 9), 16);
  return state;
}

/**
 * The final hash of (header hash, nonce, mix hash): two keccak-f800 permutations, no DAG. Equal
 * to the engine's final hash exactly when the mix hash is the right one; validators check it
 * against the target before spending a light evaluation on the mix.
 */
export function kawpowFinalHash(headerHash: Uint8Array, nonce: bigint, mixHash: Uint8Array): Uint8Array {
  const state = kawpowFinalState(kawpowSeedWords(headerHash, nonce), mixHash);
  keccakF800(state);
  return bytesLE(state.subarray(0, 8));
}

/**
 * The initial registers of every lane: lane l's 32 registers are the first 32 outputs of KISS99
 * seeded with z = fnv1a(basis, seed0), w = fnv1a(z, seed1), jsr = fnv1a(w, l), jcong = fnv1a(jsr, l).
 * Returns 16 × 32 words, lane-major (lane l's register i at l * 32 + i).
 */
export function progpowInitMix(seed0: number, seed1: number): Uint32Array {
  const z = fnv1a(FNV_OFFSET_BASIS, seed0);
  const w = fnv1a(z, seed1);
  const mix = new Uint32Array(PROGPOW_LANES * PROGPOW_REGS);
  for (let lane = 0; lane < PROGPOW_LANES; lane++) {
    const jsr = fnv1a(w, lane);
    const jcong = fnv1a(jsr, lane);
    const rng = new Kiss99({ z, w, jsr, jcong });
    for (let r = 0; r < PROGPOW_REGS; r++) mix[lane * PROGPOW_REGS + r] = rng.next();
  }
  return mix;
}

/** Where the 64 rounds get their data: the L1 cache and the DAG's 2048-bit items. */
export interface ProgpowDag {
  /** The first 16 KiB of the dataset as 4096 u32 words. */
  readonly l1: Uint32Array;
  /** Dataset size in 1024-bit items (ethash's count); rounds read item `index % (items / 2)`. */
  readonly datasetItems: number;
  /** 2048-bit item `index` as 64 u32 words (ethash's items 2·index and 2·index + 1). */
  item(index: number): Uint32Array;
}

/**
 * The mix hash: `program` (the period's) over 64 rounds from the seed words, then each lane's
 * registers folded by fnv1a, then the lanes folded into 8 words. Returns 32 bytes.
 */
export function progpowMixHash(program: ProgpowProgram, seed0: number, seed1: number, dag: ProgpowDag): Uint8Array {
  if (dag.l1.length !== PROGPOW_CACHE_WORDS) throw new RangeError(`the L1 cache must be ${PROGPOW_CACHE_WORDS} words (got ${dag.l1.length})`);
  const mix = progpowInitMix(seed0, seed1);
  const items2048 = Math.floor(dag.datasetItems / 2);
  if (!(items2048 >= 1)) throw new RangeError(`datasetItems must be at least 2 (got ${dag.datasetItems})`);
  const ops = program.encoded;
  const opCount = ops.length / PROGPOW_OP_WORDS;
  for (let r = 0; r < PROGPOW_CNT_DAG; r++) {
    const itemIndex = mix[(r % PROGPOW_LANES) * PROGPOW_REGS]! % items2048;
    const item = dag.item(itemIndex);
    for (let k = 0; k < opCount; k++) {
      const o = k * PROGPOW_OP_WORDS;
      const kind = ops[o]!;
      const dst = ops[o + 1]!;
      const a = ops[o + 2]!;
      const b = ops[o + 3]!;
      const mathOp = ops[o + 4]!;
      const mergeOp = ops[o + 5]!;
      const rotate = ops[o + 6]!;
      for (let lane = 0; lane < PROGPOW_LANES; lane++) {
        const regs = lane * PROGPOW_REGS;
        let data: number;
        if (kind === PROGPOW_OP_CACHE) data = dag.l1[mix[regs + a]! % PROGPOW_CACHE_WORDS]!;
        else if (kind === PROGPOW_OP_DAG) data = item[((lane ^ r) % PROGPOW_LANES) * PROGPOW_DAG_LOADS + a]!;
        else data = randomMath(mix[regs + a]!, mix[regs + b]!, mathOp);
        mix[regs + dst] = applyMerge(mix[regs + dst]!, data, mergeOp, rotate);
      }
    }
  }
  const out = new Uint32Array(8).fill(FNV_OFFSET_BASIS);
  for (let lane = 0; lane < PROGPOW_LANES; lane++) {
    let laneHash = FNV_OFFSET_BASIS;
    for (let r = 0; r < PROGPOW_REGS; r++) laneHash = fnv1a(laneHash, mix[lane * PROGPOW_REGS + r]!);
    out[lane % 8] = fnv1a(out[lane % 8]!, laneHash);
  }
  return bytesLE(out);
}

/** Mix hash and final hash of one nonce, by `progpowMixHash` and `kawpowFinalHash`. */
export function kawpowHashWithDag(
  program: ProgpowProgram,
  headerHash: Uint8Array,
  nonce: bigint,
  dag: ProgpowDag,
): { mixHash: Uint8Array; finalHash: Uint8Array } {
  const seed = kawpowSeedWords(headerHash, nonce);
  const mixHash = progpowMixHash(program, seed[0]!, seed[1]!, dag);
  return { mixHash, finalHash: kawpowFinalHash(headerHash, nonce, mixHash) };
}
