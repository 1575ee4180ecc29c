/**
 * ProgPoW 0.9.4 as KawPow runs it: the keccak-f800 hash of header hash + nonce, 16 lanes of 32
 * registers seeded by KISS99, 64 rounds of the period's program (loaded by the host in the
 * encoded form core's program generator produces, see core/src/algorithms/kawpow/program.ts),
 * the lane reduction and the final keccak-f800.
 *
 * Each round reads one 2048-bit DAG item: computed here from the light cache (light evaluation,
 * `hashLight`, `verify`), or supplied by the host from a full dataset it holds
 * (`hashBegin`, then per round `roundItemIndex` / write the item at ITEM_PTR / `roundWithItem`,
 * then `hashEnd`).
 */
import { keccakF800 } from './keccak';
import { datasetItems4 } from './dataset';

// ---------------------------------------------------------------------------------------------
// Memory shared with the host

/** 32 bytes: the header hash, as ProgPoW takes it. */
export const HEADER_PTR: usize = memory.data(32, 16);
/** 32 bytes out: the mix hash of the last hash (8 u32 words, little-endian). */
export const MIX_PTR: usize = memory.data(32, 16);
/** 32 bytes out: the final hash of the last hash or check. */
export const FINAL_PTR: usize = memory.data(32, 16);
/** 32 bytes in: a submitted mix hash, for verify() and finalFromMix(). */
export const MIX_IN_PTR: usize = memory.data(32, 16);
/** 32 bytes in: the target, big-endian (the final hash must be <= it read big-endian). */
export const TARGET_PTR: usize = memory.data(32, 16);
/** Most operations a program may have (KawPow's have 33). */
export const PROGRAM_CAPACITY: u32 = 64;
/** u32 words per encoded operation. */
const OP_WORDS: u32 = 8;
/** The period program: PROGRAM_CAPACITY records of 8 u32 (see core's program.ts). */
export const PROGRAM_PTR: usize = memory.data(<i32>(PROGRAM_CAPACITY * OP_WORDS * 4), 16);
/** 16 KiB: the L1 cache (the dataset's first 64 items of 2048 bits), built by buildL1(). */
export const L1_PTR: usize = memory.data(16384, 64);
/** 256 bytes: the 2048-bit DAG item of the current round (host-written in the dataset path). */
export const ITEM_PTR: usize = memory.data(256, 64);

// ---------------------------------------------------------------------------------------------
// Parameters (ProgPoW 0.9.4; see core/src/algorithms/kawpow/params.ts)

const LANES: u32 = 16;
const REGS: u32 = 32;
const ROUNDS: u32 = 64;
const CACHE_WORDS_MASK: u32 = 4095;
const FNV_PRIME: u32 = 0x01000193;
const FNV_OFFSET_BASIS: u32 = 0x811c9dc5;

/** The Ravencoin padding words r A V E N C O I N K A W P O W (0x72 first). */
const PADDING: usize = memory.data<u32>([0x72, 0x41, 0x56, 0x45, 0x4e, 0x43, 0x4f, 0x49, 0x4e, 0x4b, 0x41, 0x57, 0x50, 0x4f, 0x57]);

/** Registers of all lanes, lane-major: lane l's register i at (l * 32 + i) * 4. */
const MIX: usize = memory.data(<i32>(LANES * REGS * 4), 64);
/** A keccak-f800 state (25 u32). */
const STATE: usize = memory.data(100, 16);
/** The first 8 words after the first keccak-f800: the seed and the final hash's first half. */
const SEED: usize = memory.data(32, 16);

let programOps: u32 = 0;
/** Dataset size in 2048-bit items: the modulus of the rounds' item indices. */
let items2048: u32 = 0;

// ---------------------------------------------------------------------------------------------
// Setup

/**
 * Validates and adopts the `count` operations the host wrote at PROGRAM_PTR. Returns 0, or
 * 1 + the index of the first malformed operation.
 */
export function setProgram(count: u32): u32 {
  programOps = 0;
  if (count == 0 || count > PROGRAM_CAPACITY) return 1;
  for (let k: u32 = 0; k < count; k++) {
    const o = PROGRAM_PTR + <usize>(k * OP_WORDS * 4);
    const kind = load<u32>(o);
    const dst = load<u32>(o, 4);
    const a = load<u32>(o, 8);
    const b = load<u32>(o, 12);
    const mathOp = load<u32>(o, 16);
    const mergeOp = load<u32>(o, 20);
    const rotate = load<u32>(o, 24);
    let ok = kind <= 2 && dst < REGS && mergeOp < 4 && rotate >= 1 && rotate <= 31;
    if (kind == 0) ok = ok && a < REGS;
    else if (kind == 1) ok = ok && a < REGS && b < REGS && a != b && mathOp < 11;
    else ok = ok && a < 4;
    if (!ok) return k + 1;
  }
  programOps = count;
  return 0;
}

/** Sets the dataset size in 1024-bit items (ethash's count); rounds read item index % (items / 2). */
export function setDatasetItems(items1024: u32): void {
  items2048 = items1024 >> 1;
}

/** Fills the L1 cache with the dataset's first 16 KiB (2048-bit items 0..63) from the light cache. */
export function buildL1(): void {
  for (let i: u32 = 0; i < 64; i++) datasetItems4(i << 2, L1_PTR + (<usize>i << 8));
}

// ---------------------------------------------------------------------------------------------
// KISS99 and the lanes' initial registers

let kz: u32 = 0, kw: u32 = 0, kjsr: u32 = 0, kjcong: u32 = 0;

@inline function kiss(): u32 {
  kz = 36969 * (kz & 0xffff) + (kz >> 16);
  kw = 18000 * (kw & 0xffff) + (kw >> 16);
  kjcong = 69069 * kjcong + 1234567;
  let j = kjsr;
  j ^= j << 17;
  j ^= j >> 13;
  j ^= j << 5;
  kjsr = j;
  return (((kz << 16) + kw) ^ kjcong) + kjsr;
}

@inline function fnv1a(u: u32, v: u32): u32 {
  return (u ^ v) * FNV_PRIME;
}

/** KISS99 from the state (z, w, jsr, jcong) at `statePtr`: `count` outputs to `out` (test hook). */
export function kissGenerate(statePtr: usize, count: u32, out: usize): void {
  kz = load<u32>(statePtr);
  kw = load<u32>(statePtr, 4);
  kjsr = load<u32>(statePtr, 8);
  kjcong = load<u32>(statePtr, 12);
  for (let i: u32 = 0; i < count; i++) store<u32>(out + (<usize>i << 2), kiss());
}

function initMix(seed0: u32, seed1: u32): void {
  const z = fnv1a(FNV_OFFSET_BASIS, seed0);
  const w = fnv1a(z, seed1);
  for (let l: u32 = 0; l < LANES; l++) {
    kz = z;
    kw = w;
    kjsr = fnv1a(w, l);
    kjcong = fnv1a(kjsr, l);
    const regs = MIX + (<usize>(l * REGS) << 2);
    for (let i: usize = 0; i < <usize>REGS; i++) store<u32>(regs + (i << 2), kiss());
  }
}

/** The lanes' initial registers for seed words (seed0, seed1): 512 u32 to `out` (test hook). */
export function initMixTo(seed0: u32, seed1: u32, out: usize): void {
  initMix(seed0, seed1);
  memory.copy(out, MIX, <usize>(LANES * REGS * 4));
}

// ---------------------------------------------------------------------------------------------
// Random math and merge

/** ProgPoW's random math; `op` = selector % 11. */
@inline function math(a: u32, b: u32, op: u32): u32 {
  switch (op) {
    case 0: return a + b;
    case 1: return a * b;
    case 2: return <u32>((<u64>a * <u64>b) >> 32);
    case 3: return min<u32>(a, b);
    case 4: return rotl<u32>(a, b);
    case 5: return rotr<u32>(a, b);
    case 6: return a & b;
    case 7: return a | b;
    case 8: return a ^ b;
    case 9: return clz<u32>(a) + clz<u32>(b);
    default: return popcnt<u32>(a) + popcnt<u32>(b);
  }
}

/** random_math(a, b, selector) (test hook for the published table). */
export function randomMath(a: u32, b: u32, selector: u32): u32 {
  return math(a, b, selector % 11);
}

/** Merges `data` into the register at `reg`. */
@inline function merge(reg: usize, data: u32, op: u32, rotate: u32): void {
  const a = load<u32>(reg);
  let r: u32;
  switch (op) {
    case 0: r = a * 33 + data; break;
    case 1: r = (a ^ data) * 33; break;
    case 2: r = rotl<u32>(a, rotate) ^ data; break;
    default: r = rotr<u32>(a, rotate) ^ data;
  }
  store<u32>(reg, r);
}

// ---------------------------------------------------------------------------------------------
// The hash

/** The first keccak-f800: header hash, nonce, padding; keeps the first 8 words at SEED. */
function seed(nonceLo: u32, nonceHi: u32): void {
  memory.copy(STATE, HEADER_PTR, 32);
  store<u32>(STATE, nonceLo, 32);
  store<u32>(STATE, nonceHi, 36);
  memory.copy(STATE + 40, PADDING, 60);
  keccakF800(STATE);
  memory.copy(SEED, STATE, 32);
}

/** The final keccak-f800 of SEED and the mix hash at `mix`; 32 bytes to FINAL_PTR. */
function finalHash(mix: usize): void {
  memory.copy(STATE, SEED, 32);
  memory.copy(STATE + 32, mix, 32);
  memory.copy(STATE + 64, PADDING, 36);
  keccakF800(STATE);
  memory.copy(FINAL_PTR, STATE, 32);
}

/** The 8 seed words of (HEADER_PTR, nonce) to `out` (test hook). */
export function seedWordsTo(nonceLo: u32, nonceHi: u32, out: usize): void {
  seed(nonceLo, nonceHi);
  memory.copy(out, SEED, 32);
}

/** keccak-f800 on 25 u32 at `ptr`, in place (test hook). */
export function keccakF800At(ptr: usize): void {
  keccakF800(ptr);
}

/** The item index round r reads: lane (r % 16)'s register 0, modulo the dataset's 2048-bit items. */
@inline function itemIndex(r: u32): u32 {
  return load<u32>(MIX + (<usize>((r & 15) * REGS) << 2)) % items2048;
}

/** One round of the program over all lanes, with the round's DAG item at `item`. */
function round(r: u32, item: usize): void {
  for (let k: u32 = 0; k < programOps; k++) {
    const o = PROGRAM_PTR + <usize>(k * OP_WORDS * 4);
    const kind = load<u32>(o);
    const dst = <usize>load<u32>(o, 4) << 2;
    const a = <usize>load<u32>(o, 8) << 2;
    const b = <usize>load<u32>(o, 12) << 2;
    const mathOp = load<u32>(o, 16);
    const mergeOp = load<u32>(o, 20);
    const rotate = load<u32>(o, 24);
    if (kind == 0) {
      for (let l: u32 = 0; l < LANES; l++) {
        const regs = MIX + (<usize>(l * REGS) << 2);
        const data = load<u32>(L1_PTR + (<usize>(load<u32>(regs + a) & CACHE_WORDS_MASK) << 2));
        merge(regs + dst, data, mergeOp, rotate);
      }
    } else if (kind == 1) {
      for (let l: u32 = 0; l < LANES; l++) {
        const regs = MIX + (<usize>(l * REGS) << 2);
        merge(regs + dst, math(load<u32>(regs + a), load<u32>(regs + b), mathOp), mergeOp, rotate);
      }
    } else {
      // Lane l reads its 4 words at ((l ^ r) % 16) * 4; `a` is the word (times 4).
      for (let l: u32 = 0; l < LANES; l++) {
        const regs = MIX + (<usize>(l * REGS) << 2);
        const data = load<u32>(item + (<usize>(((l ^ r) & 15) << 4)) + a);
        merge(regs + dst, data, mergeOp, rotate);
      }
    }
  }
}

/** Folds each lane's registers, then the lanes, into the 8-word mix hash at MIX_PTR. */
function reduce(): void {
  for (let i: usize = 0; i < 8; i++) store<u32>(MIX_PTR + (i << 2), FNV_OFFSET_BASIS);
  for (let l: u32 = 0; l < LANES; l++) {
    const regs = MIX + (<usize>(l * REGS) << 2);
    let h = FNV_OFFSET_BASIS;
    for (let i: usize = 0; i < <usize>REGS; i++) h = fnv1a(h, load<u32>(regs + (i << 2)));
    const out = MIX_PTR + (<usize>(l & 7) << 2);
    store<u32>(out, fnv1a(load<u32>(out), h));
  }
}

/** The 64 rounds by light evaluation: each round's item computed from the light cache. */
function roundsLight(): void {
  for (let r: u32 = 0; r < ROUNDS; r++) {
    datasetItems4(itemIndex(r) << 2, ITEM_PTR);
    round(r, ITEM_PTR);
  }
}

/**
 * Mix hash (MIX_PTR) and final hash (FINAL_PTR) of the header hash at HEADER_PTR with this
 * nonce, by light evaluation. Needs a light cache, the L1 cache, a program and a dataset size.
 */
export function hashLight(nonceLo: u32, nonceHi: u32): void {
  seed(nonceLo, nonceHi);
  initMix(load<u32>(SEED), load<u32>(SEED, 4));
  roundsLight();
  reduce();
  finalHash(MIX_PTR);
}

/** Starts a hash whose DAG items the host supplies (see roundItemIndex / roundWithItem / hashEnd). */
export function hashBegin(nonceLo: u32, nonceHi: u32): void {
  seed(nonceLo, nonceHi);
  initMix(load<u32>(SEED), load<u32>(SEED, 4));
}

/** The 2048-bit item round r needs: the host writes it at ITEM_PTR, then calls roundWithItem(r). */
export function roundItemIndex(r: u32): u32 {
  return itemIndex(r);
}

/** Round r with the item the host wrote at ITEM_PTR. */
export function roundWithItem(r: u32): void {
  round(r, ITEM_PTR);
}

/** Ends a host-fed hash: mix hash to MIX_PTR, final hash to FINAL_PTR. */
export function hashEnd(): void {
  reduce();
  finalHash(MIX_PTR);
}

/** Whether the final hash at FINAL_PTR, read big-endian, is <= the target at TARGET_PTR. */
export function meetsTarget(): bool {
  for (let i: usize = 0; i < 32; i++) {
    const h = load<u8>(FINAL_PTR + i);
    const t = load<u8>(TARGET_PTR + i);
    if (h != t) return h < t;
  }
  return true;
}

/** The final hash (FINAL_PTR) of HEADER_PTR, the nonce and the submitted mix hash at MIX_IN_PTR: no DAG work. */
export function finalFromMix(nonceLo: u32, nonceHi: u32): void {
  seed(nonceLo, nonceHi);
  finalHash(MIX_IN_PTR);
}

/** verify() verdicts. */
export const VERIFY_OK: u32 = 0;
export const VERIFY_ABOVE_TARGET: u32 = 1;
export const VERIFY_MIX_MISMATCH: u32 = 2;

/**
 * Checks a share by light evaluation: the final hash from the submitted mix (MIX_IN_PTR) against
 * TARGET_PTR first (VERIFY_ABOVE_TARGET, no DAG work), then the computed mix hash (MIX_PTR)
 * against the submitted one (VERIFY_MIX_MISMATCH). FINAL_PTR holds the final hash of the
 * submitted mix either way.
 */
export function verify(nonceLo: u32, nonceHi: u32): u32 {
  seed(nonceLo, nonceHi);
  finalHash(MIX_IN_PTR);
  if (!meetsTarget()) return VERIFY_ABOVE_TARGET;
  initMix(load<u32>(SEED), load<u32>(SEED, 4));
  roundsLight();
  reduce();
  for (let i: usize = 0; i < 32; i += 8) {
    if (load<u64>(MIX_PTR + i) != load<u64>(MIX_IN_PTR + i)) return VERIFY_MIX_MISMATCH;
  }
  return VERIFY_OK;
}
