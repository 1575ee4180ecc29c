/**
 * SHA-256d nonce search shared by the scalar (index.ts) and SIMD (index.simd.ts) builds.
 *
 * The hot kernel is written once, generic over its lane type T: `u32` (one nonce per
 * iteration) or `v128` (four nonces, one per i32x4 lane). Every lane helper branches on
 * `isVector<T>()`, which the compiler resolves per instantiation, so each build contains only
 * i32 code or only SIMD code.
 *
 * Per job, setJob() computes everything that does not depend on the nonce:
 *   - the midstate: the SHA-256 state after the header's first 64 bytes;
 *   - rounds 0..2 of the header's second block (they read only header words 16..18) and the
 *     nonce-free part of round 3, after which the nonce word enters a and e by one addition;
 *   - message words W16 and W17 of that block and the nonce-free terms of W18, W19, W31, W32.
 * Per nonce, search() runs rounds 4..63 of the header's second block and rounds 1..60 of the
 * final hash (its round 0 is constant but for one addition), and stops there: the top 32 bits
 * of the hash read as a little-endian uint256 are bswap(H7), and H7 = IV7 + e after round 60, so
 * rounds 61..63 and the "a" half of rounds 57..60 are never needed to reject a nonce. A nonce
 * whose top word is below the target's is a hit; one whose top word equals it is re-hashed by
 * the plain reference code below and compared on all eight words.
 *
 * Memory layout (static data placed by the compiler; addresses exported as immutable globals):
 *   HEADER_PTR  80 bytes               the header, raw bytes (bytes 76..79, the nonce, ignored)
 *   TARGET_PTR  32 bytes               the target: 8 u32 words, most significant word first
 *   HITS_PTR    HITS_CAPACITY u32s     the hit nonces of the last search, ascending
 * The host writes the header and the target, calls setJob(), then search() as often as it likes.
 */

// ---------------------------------------------------------------------------------------------
// Memory layout

/** The 80-byte block header, raw bytes. */
export const HEADER_PTR: usize = memory.data(80, 16);
/** The target: 8 u32 words, most significant first (what core's targetToWords returns). */
export const TARGET_PTR: usize = memory.data(32, 16);
/** Most hit nonces one search call writes (4 KiB); lastFound() also counts the others. */
export const HITS_CAPACITY: u32 = 1024;
/** Output of search(): the hit nonces, ascending. */
export const HITS_PTR: usize = memory.data(HITS_CAPACITY << 2, 16);

/** Reference compression: the 64-word message schedule. */
const REF_W: usize = memory.data(64 << 2, 16);
/** Reference compression: the working variables a..h. */
const REF_VARS: usize = memory.data(8 << 2, 16);
/** The job's midstate (8 words). */
const MIDSTATE: usize = memory.data(8 << 2, 16);
/** The state of a full re-check (8 words). */
const CHECK_STATE: usize = memory.data(8 << 2, 16);

// ---------------------------------------------------------------------------------------------
// SHA-256 constants (FIPS 180-4 §4.2.2 and §5.3.3)

const K0: u32 = 0x428a2f98;
const K1: u32 = 0x71374491;
const K2: u32 = 0xb5c0fbcf;
const K3: u32 = 0xe9b5dba5;
const K4: u32 = 0x3956c25b;
const K5: u32 = 0x59f111f1;
const K6: u32 = 0x923f82a4;
const K7: u32 = 0xab1c5ed5;
const K8: u32 = 0xd807aa98;
const K9: u32 = 0x12835b01;
const K10: u32 = 0x243185be;
const K11: u32 = 0x550c7dc3;
const K12: u32 = 0x72be5d74;
const K13: u32 = 0x80deb1fe;
const K14: u32 = 0x9bdc06a7;
const K15: u32 = 0xc19bf174;
const K16: u32 = 0xe49b69c1;
const K17: u32 = 0xefbe4786;
const K18: u32 = 0x0fc19dc6;
const K19: u32 = 0x240ca1cc;
const K20: u32 = 0x2de92c6f;
const K21: u32 = 0x4a7484aa;
const K22: u32 = 0x5cb0a9dc;
const K23: u32 = 0x76f988da;
const K24: u32 = 0x983e5152;
const K25: u32 = 0xa831c66d;
const K26: u32 = 0xb00327c8;
const K27: u32 = 0xbf597fc7;
const K28: u32 = 0xc6e00bf3;
const K29: u32 = 0xd5a79147;
const K30: u32 = 0x06ca6351;
const K31: u32 = 0x14292967;
const K32: u32 = 0x27b70a85;
const K33: u32 = 0x2e1b2138;
const K34: u32 = 0x4d2c6dfc;
const K35: u32 = 0x53380d13;
const K36: u32 = 0x650a7354;
const K37: u32 = 0x766a0abb;
const K38: u32 = 0x81c2c92e;
const K39: u32 = 0x92722c85;
const K40: u32 = 0xa2bfe8a1;
const K41: u32 = 0xa81a664b;
const K42: u32 = 0xc24b8b70;
const K43: u32 = 0xc76c51a3;
const K44: u32 = 0xd192e819;
const K45: u32 = 0xd6990624;
const K46: u32 = 0xf40e3585;
const K47: u32 = 0x106aa070;
const K48: u32 = 0x19a4c116;
const K49: u32 = 0x1e376c08;
const K50: u32 = 0x2748774c;
const K51: u32 = 0x34b0bcb5;
const K52: u32 = 0x391c0cb3;
const K53: u32 = 0x4ed8aa4a;
const K54: u32 = 0x5b9cca4f;
const K55: u32 = 0x682e6ff3;
const K56: u32 = 0x748f82ee;
const K57: u32 = 0x78a5636f;
const K58: u32 = 0x84c87814;
const K59: u32 = 0x8cc70208;
const K60: u32 = 0x90befffa;
const K61: u32 = 0xa4506ceb;
const K62: u32 = 0xbef9a3f7;
const K63: u32 = 0xc67178f2;

/** K as a table, for the reference compression. */
const K_TABLE: usize = memory.data<u32>([
  K0, K1, K2, K3, K4, K5, K6, K7, K8, K9, K10, K11, K12, K13, K14, K15,
  K16, K17, K18, K19, K20, K21, K22, K23, K24, K25, K26, K27, K28, K29, K30, K31,
  K32, K33, K34, K35, K36, K37, K38, K39, K40, K41, K42, K43, K44, K45, K46, K47,
  K48, K49, K50, K51, K52, K53, K54, K55, K56, K57, K58, K59, K60, K61, K62, K63,
]);

const IV0: u32 = 0x6a09e667;
const IV1: u32 = 0xbb67ae85;
const IV2: u32 = 0x3c6ef372;
const IV3: u32 = 0xa54ff53a;
const IV4: u32 = 0x510e527f;
const IV5: u32 = 0x9b05688c;
const IV6: u32 = 0x1f83d9ab;
const IV7: u32 = 0x5be0cd19;

/** The padding word: the 0x80 byte that follows a message. */
const PAD: u32 = 0x80000000;
/** Bit length of an 80-byte header: the last word of its second block. */
const HEADER_BITS: u32 = 640;
/** Bit length of a 32-byte digest: the last word of the final hash's only block. */
const DIGEST_BITS: u32 = 256;

// ---------------------------------------------------------------------------------------------
// Scalar SHA-256 functions: per job, per re-check, and folded into constants of the kernel.

@inline function bsig0(x: u32): u32 { return rotr(x, 2) ^ rotr(x, 13) ^ rotr(x, 22); }
@inline function bsig1(x: u32): u32 { return rotr(x, 6) ^ rotr(x, 11) ^ rotr(x, 25); }
@inline function ssig0(x: u32): u32 { return rotr(x, 7) ^ rotr(x, 18) ^ (x >>> 3); }
@inline function ssig1(x: u32): u32 { return rotr(x, 17) ^ rotr(x, 19) ^ (x >>> 10); }
@inline function chScalar(e: u32, f: u32, g: u32): u32 { return g ^ (e & (f ^ g)); }
@inline function majScalar(a: u32, b: u32, c: u32): u32 { return b ^ ((a ^ b) & (b ^ c)); }

// Constant terms the kernel adds as one number. They are inlined functions of constants so that
// the optimizer folds each into a literal at its use: a global initialised by a call would
// become a mutable global, read in the hot loop.
@inline function S0_HEADER_BITS(): u32 { return ssig0(HEADER_BITS); }
@inline function S1_DIGEST_BITS(): u32 { return ssig1(DIGEST_BITS); }
@inline function S0_DIGEST_BITS(): u32 { return ssig0(DIGEST_BITS); }
@inline function S0_PAD(): u32 { return ssig0(PAD); }
/** Round 0 of the final hash without W0: T1 = IV7 + Σ1(IV4) + Ch(IV4, IV5, IV6) + K0. */
@inline function R0_T1(): u32 { return IV7 + bsig1(IV4) + chScalar(IV4, IV5, IV6) + K0; }
/** Round 0 of the final hash: T2 = Σ0(IV0) + Maj(IV0, IV1, IV2). */
@inline function R0_T2(): u32 { return bsig0(IV0) + majScalar(IV0, IV1, IV2); }

/**
 * Rounds [from, to) of SHA-256 on the working variables at `vars`, reading W from `w`. Plain
 * loop code, deliberately unlike the kernel: it is the reference the kernel's hits are checked
 * against.
 */
function rounds(vars: usize, w: usize, from: u32, to: u32): void {
  let a = load<u32>(vars, 0), b = load<u32>(vars, 4), c = load<u32>(vars, 8), d = load<u32>(vars, 12);
  let e = load<u32>(vars, 16), f = load<u32>(vars, 20), g = load<u32>(vars, 24), h = load<u32>(vars, 28);
  for (let i = from; i < to; i++) {
    const t1 = h + bsig1(e) + chScalar(e, f, g) + load<u32>(K_TABLE + (<usize>i << 2)) + load<u32>(w + (<usize>i << 2));
    const t2 = bsig0(a) + majScalar(a, b, c);
    h = g; g = f; f = e; e = d + t1;
    d = c; c = b; b = a; a = t1 + t2;
  }
  store<u32>(vars, a, 0); store<u32>(vars, b, 4); store<u32>(vars, c, 8); store<u32>(vars, d, 12);
  store<u32>(vars, e, 16); store<u32>(vars, f, 20); store<u32>(vars, g, 24); store<u32>(vars, h, 28);
}

/** Compresses the 16 message words at REF_W into the 8-word state at `state`. */
function compress(state: usize): void {
  for (let p = REF_W + 64; p < REF_W + 256; p += 4) {
    store<u32>(p, ssig1(load<u32>(p - 8)) + load<u32>(p - 28) + ssig0(load<u32>(p - 60)) + load<u32>(p - 64));
  }
  memory.copy(REF_VARS, state, 32);
  rounds(REF_VARS, REF_W, 0, 64);
  for (let i: usize = 0; i < 32; i += 4) store<u32>(state + i, load<u32>(state + i) + load<u32>(REF_VARS + i));
}

function setIV(state: usize): void {
  store<u32>(state, IV0, 0); store<u32>(state, IV1, 4); store<u32>(state, IV2, 8); store<u32>(state, IV3, 12);
  store<u32>(state, IV4, 16); store<u32>(state, IV5, 20); store<u32>(state, IV6, 24); store<u32>(state, IV7, 28);
}

/** Header word i as SHA-256 reads it (big-endian). */
@inline function headerWord(i: usize): u32 {
  return bswap<u32>(load<u32>(HEADER_PTR + (i << 2)));
}

// ---------------------------------------------------------------------------------------------
// The job: every nonce-free value the kernel reads, computed once by setJob().

// The midstate, added to the working variables at the end of the header's second block.
let jobM0: u32 = 0, jobM1: u32 = 0, jobM2: u32 = 0, jobM3: u32 = 0;
let jobM4: u32 = 0, jobM5: u32 = 0, jobM6: u32 = 0, jobM7: u32 = 0;
// Working variables after round 3 of the header's second block. The nonce word W3 enters two
// of them: a4 = jobA4 + W3 and e4 = jobE4 + W3.
let jobA4: u32 = 0, jobB4: u32 = 0, jobC4: u32 = 0, jobD4: u32 = 0;
let jobE4: u32 = 0, jobF4: u32 = 0, jobG4: u32 = 0;
/** b4 ^ c4, the first Maj operand pair (see t2). */
let jobBC4: u32 = 0;
// h + K + W of rounds 4, 5 and 6, whose h (g3, f3, e3) is still nonce-free.
let jobHK4: u32 = 0, jobHK5: u32 = 0, jobHK6: u32 = 0;
// Message words of the header's second block: W16, W17, and the nonce-free terms of W18
// (W18 - σ0(W3)), W19 (W19 - W3), W31 (σ0(W16) + W15) and W32 (σ0(W17) + W16).
let jobW16: u32 = 0, jobW17: u32 = 0, jobW18: u32 = 0, jobW19: u32 = 0, jobW31: u32 = 0, jobW32: u32 = 0;
// K + W of rounds 16 and 17.
let jobKW16: u32 = 0, jobKW17: u32 = 0;
/** The target's most significant word: the quick filter. */
let jobTargetTop: u32 = 0;

/**
 * Reads the header and the target from memory and precomputes the job (see the module
 * comment). Call it again whenever either changes.
 */
export function setJob(): void {
  // The midstate: the IV compressed with the header's first 64 bytes.
  for (let i: usize = 0; i < 16; i++) store<u32>(REF_W + (i << 2), headerWord(i));
  setIV(MIDSTATE);
  compress(MIDSTATE);
  jobM0 = load<u32>(MIDSTATE, 0); jobM1 = load<u32>(MIDSTATE, 4); jobM2 = load<u32>(MIDSTATE, 8); jobM3 = load<u32>(MIDSTATE, 12);
  jobM4 = load<u32>(MIDSTATE, 16); jobM5 = load<u32>(MIDSTATE, 20); jobM6 = load<u32>(MIDSTATE, 24); jobM7 = load<u32>(MIDSTATE, 28);

  // Rounds 0..2 of the second block read only W0..W2 (header words 16..18).
  const w0 = headerWord(16), w1 = headerWord(17), w2 = headerWord(18);
  store<u32>(REF_W, w0, 0);
  store<u32>(REF_W, w1, 4);
  store<u32>(REF_W, w2, 8);
  memory.copy(REF_VARS, MIDSTATE, 32);
  rounds(REF_VARS, REF_W, 0, 3);
  const a3 = load<u32>(REF_VARS, 0), b3 = load<u32>(REF_VARS, 4), c3 = load<u32>(REF_VARS, 8), d3 = load<u32>(REF_VARS, 12);
  const e3 = load<u32>(REF_VARS, 16), f3 = load<u32>(REF_VARS, 20), g3 = load<u32>(REF_VARS, 24), h3 = load<u32>(REF_VARS, 28);

  // Round 3 without W3: T1 = h3 + Σ1(e3) + Ch(e3, f3, g3) + K3 (+ W3), T2 = Σ0(a3) + Maj(a3, b3, c3);
  // then e4 = d3 + T1 and a4 = T1 + T2.
  const t1 = h3 + bsig1(e3) + chScalar(e3, f3, g3) + K3;
  const t2 = bsig0(a3) + majScalar(a3, b3, c3);
  jobA4 = t1 + t2;
  jobE4 = d3 + t1;
  jobB4 = a3; jobC4 = b3; jobD4 = c3;
  jobF4 = e3; jobG4 = f3;
  jobBC4 = a3 ^ b3;
  jobHK4 = g3 + K4 + PAD; // h4 = g3; W4 is the padding word
  jobHK5 = f3 + K5; // h5 = g4 = f3; W5 = 0
  jobHK6 = e3 + K6; // h6 = f4 = e3; W6 = 0

  // The second block's schedule: W3 = nonce, W4 = PAD, W5..W14 = 0, W15 = 640.
  jobW16 = ssig0(w1) + w0;
  jobW17 = ssig1(HEADER_BITS) + ssig0(w2) + w1;
  jobW18 = ssig1(jobW16) + w2;
  jobW19 = ssig1(jobW17) + S0_PAD();
  jobW31 = ssig0(jobW16) + HEADER_BITS;
  jobW32 = ssig0(jobW17) + jobW16;
  jobKW16 = K16 + jobW16;
  jobKW17 = K17 + jobW17;

  jobTargetTop = load<u32>(TARGET_PTR);
}

/**
 * Full sha256d of the header with `nonce` compared with the whole target, by the reference
 * compression (independent of the unrolled kernel).
 */
function meetsTarget(nonce: u32): bool {
  // The header's second block: W0..W2 from the header, W3 the nonce, padding, bit length.
  store<u32>(REF_W, headerWord(16), 0);
  store<u32>(REF_W, headerWord(17), 4);
  store<u32>(REF_W, headerWord(18), 8);
  store<u32>(REF_W, bswap<u32>(nonce), 12);
  store<u32>(REF_W, PAD, 16);
  memory.fill(REF_W + 20, 0, 40);
  store<u32>(REF_W, HEADER_BITS, 60);
  memory.copy(CHECK_STATE, MIDSTATE, 32);
  compress(CHECK_STATE);
  // The final hash: one block of the 32-byte digest, padding, bit length.
  memory.copy(REF_W, CHECK_STATE, 32);
  store<u32>(REF_W, PAD, 32);
  memory.fill(REF_W + 36, 0, 24);
  store<u32>(REF_W, DIGEST_BITS, 60);
  setIV(CHECK_STATE);
  compress(CHECK_STATE);
  // The hash as a little-endian uint256: its word k from the top is bswap(H[7 - k]).
  for (let k: usize = 0; k < 8; k++) {
    const hashWord = bswap<u32>(load<u32>(CHECK_STATE + ((7 - k) << 2)));
    const targetWord = load<u32>(TARGET_PTR + (k << 2));
    if (hashWord != targetWord) return hashWord < targetWord;
  }
  return true;
}

/** Whether sha256d(header with `nonce`) <= target, by the reference path (for tests). */
export function checkNonce(nonce: u32): bool {
  return meetsTarget(nonce);
}

// ---------------------------------------------------------------------------------------------
// Search results

let written: u32 = 0;
let writeLimit: u32 = 0;
let found: u32 = 0;
let tried: u32 = 0;

/** Hits found by the last search, those past its write limit included. */
export function lastFound(): u32 {
  return found;
}

/** Nonces tried by the last search (a search always covers its whole range). */
export function lastTried(): u32 {
  return tried;
}

/** Counts a hit and writes its nonce while there is room. */
function record(nonce: u32): void {
  found++;
  if (written < writeLimit) {
    store<u32>(HITS_PTR + (<usize>written << 2), nonce);
    written++;
  }
}

/**
 * A nonce whose hash has top word `top` (as a little-endian uint256): a hit if that word is
 * below the target's, decided on all eight words if it is equal.
 */
@inline function candidate(top: u32, nonce: u32): void {
  if (top < jobTargetTop || (top == jobTargetTop && meetsTarget(nonce))) record(nonce);
}

// ---------------------------------------------------------------------------------------------
// Lane-generic operations: T is u32 (scalar build) or v128 (four i32x4 lanes, SIMD build).

@inline function splat<T>(x: u32): T {
  if (isVector<T>()) return i32x4.splat(x) as T;
  else return x as T;
}
@inline function add<T>(a: T, b: T): T {
  if (isVector<T>()) return i32x4.add(a, b) as T;
  else return ((a as u32) + (b as u32)) as T;
}
@inline function xor<T>(a: T, b: T): T {
  if (isVector<T>()) return v128.xor(a, b) as T;
  else return ((a as u32) ^ (b as u32)) as T;
}
@inline function and<T>(a: T, b: T): T {
  if (isVector<T>()) return v128.and(a, b) as T;
  else return ((a as u32) & (b as u32)) as T;
}
@inline function shr<T>(x: T, n: i32): T {
  if (isVector<T>()) return i32x4.shr_u(x, n) as T;
  else return ((x as u32) >>> n) as T;
}
@inline function shl<T>(x: T, n: i32): T {
  if (isVector<T>()) return i32x4.shl(x, n) as T;
  else return ((x as u32) << n) as T;
}
/** Byte swap of every lane (SHA-256 reads big-endian words; the nonce is stored little-endian). */
@inline function byteswap<T>(x: T): T {
  if (isVector<T>()) return i8x16.shuffle(x, x, 3, 2, 1, 0, 7, 6, 5, 4, 11, 10, 9, 8, 15, 14, 13, 12) as T;
  else return bswap<u32>(x as u32) as T;
}

// The four Σ/σ functions. Scalar code uses i32.rotr. SIMD has no rotate, so the right-shifted
// and the left-shifted halves of the three rotations are each built as one nested chain:
// x>>>2 ^ x>>>13 ^ x>>>22 = ((x>>>9 ^ x)>>>11 ^ x)>>>2, and likewise for the left shifts. That
// is the same count of operations as three shift-shift-or rotations but needs two temporaries
// instead of six, which spared V8 about half of its register spills (measured: +12 % MH/s).

/** Σ0(a) = rotr(a, 2) ^ rotr(a, 13) ^ rotr(a, 22) */
@inline function S0<T>(a: T): T {
  if (isVector<T>()) return xor(shr(xor(shr(xor(shr(a, 9), a), 11), a), 2), shl(xor(shl(xor(shl(a, 11), a), 9), a), 10));
  else return (rotr<u32>(a as u32, 2) ^ rotr<u32>(a as u32, 13) ^ rotr<u32>(a as u32, 22)) as T;
}
/** Σ1(e) = rotr(e, 6) ^ rotr(e, 11) ^ rotr(e, 25) */
@inline function S1<T>(e: T): T {
  if (isVector<T>()) return xor(shr(xor(shr(xor(shr(e, 14), e), 5), e), 6), shl(xor(shl(xor(shl(e, 5), e), 14), e), 7));
  else return (rotr<u32>(e as u32, 6) ^ rotr<u32>(e as u32, 11) ^ rotr<u32>(e as u32, 25)) as T;
}
/** σ0(x) = rotr(x, 7) ^ rotr(x, 18) ^ x >>> 3 */
@inline function s0<T>(x: T): T {
  if (isVector<T>()) return xor(shr(xor(shr(xor(shr(x, 11), x), 4), x), 3), shl(xor(shl(x, 11), x), 14));
  else return (rotr<u32>(x as u32, 7) ^ rotr<u32>(x as u32, 18) ^ ((x as u32) >>> 3)) as T;
}
/** σ1(x) = rotr(x, 17) ^ rotr(x, 19) ^ x >>> 10 */
@inline function s1<T>(x: T): T {
  if (isVector<T>()) return xor(shr(xor(shr(xor(shr(x, 2), x), 7), x), 10), shl(xor(shl(x, 2), x), 13));
  else return (rotr<u32>(x as u32, 17) ^ rotr<u32>(x as u32, 19) ^ ((x as u32) >>> 10)) as T;
}
/** Ch(e, f, g): f where e is set, g elsewhere (one bitselect on v128). */
@inline function ch<T>(e: T, f: T, g: T): T {
  if (isVector<T>()) return v128.bitselect(f, g, e) as T;
  else return chScalar(e as u32, f as u32, g as u32) as T;
}
/** T1 of a round, given hk = h + K[i] + W[i]. */
@inline function t1<T>(e: T, f: T, g: T, hk: T): T { return add(hk, add(S1(e), ch(e, f, g))); }
/**
 * T2 of a round: Σ0(a) + Maj(a, b, c), with Maj(a, b, c) = b ^ ((a ^ b) & (b ^ c)). The caller
 * passes ab = a ^ b and bc = b ^ c, which is the previous round's ab: Maj costs two operations.
 */
@inline function t2<T>(a: T, b: T, ab: T, bc: T): T { return add(S0(a), xor(b, and(ab, bc))); }

// ---------------------------------------------------------------------------------------------
// The search kernel

/**
 * Searches nonces [start, start + count) (the host keeps the range below 2^32) and writes the
 * hit nonces, ascending, at HITS_PTR: at most min(maxHits, HITS_CAPACITY) of them. Returns how
 * many it wrote; lastFound() counts every hit.
 *
 * T = u32 hashes one nonce per iteration, T = v128 four (lanes base .. base + 3); the nonces
 * left over when count is not a multiple of four go through the reference path.
 */
@inline export function searchRange<T>(start: u32, count: u32, maxHits: u32): u32 {
  const lanes: u32 = isVector<T>() ? 4 : 1;
  written = 0;
  found = 0;
  writeLimit = min(maxHits, HITS_CAPACITY);

  // The job as lane values, splatted once per call.
  const jA4 = splat<T>(jobA4), jB4 = splat<T>(jobB4), jC4 = splat<T>(jobC4), jD4 = splat<T>(jobD4);
  const jE4 = splat<T>(jobE4), jF4 = splat<T>(jobF4), jG4 = splat<T>(jobG4), jBC4 = splat<T>(jobBC4);
  const jHK4 = splat<T>(jobHK4), jHK5 = splat<T>(jobHK5), jHK6 = splat<T>(jobHK6);
  const jW16 = splat<T>(jobW16), jW17 = splat<T>(jobW17), jW18 = splat<T>(jobW18), jW19 = splat<T>(jobW19);
  const jW31 = splat<T>(jobW31), jW32 = splat<T>(jobW32), jKW16 = splat<T>(jobKW16), jKW17 = splat<T>(jobKW17);
  const jM0 = splat<T>(jobM0), jM1 = splat<T>(jobM1), jM2 = splat<T>(jobM2), jM3 = splat<T>(jobM3);
  const jM4 = splat<T>(jobM4), jM5 = splat<T>(jobM5), jM6 = splat<T>(jobM6), jM7 = splat<T>(jobM7);
  const jTargetTop = splat<T>(jobTargetTop);
  // Lane i of a group holds nonce base + i.
  let laneOffsets: T;
  if (isVector<T>()) laneOffsets = i32x4(0, 1, 2, 3) as T;
  else laneOffsets = 0 as T;

  const groups = count / lanes;
  let base = start;
  for (let group: u32 = 0; group < groups; group++, base += lanes) {
    // W3 of the header's second block: the nonce as SHA-256 reads it.
    const n = byteswap<T>(add(splat<T>(base), laneOffsets));

    // ---- First hash, the header's second block: rounds 4..63 ---------------------------------
    // r0..r7 hold the working variables, renamed instead of shifted: at round i, variable k of
    // a..h (k = 0..7) lives in r[(k - i) mod 8]. A round writes only the new e (into d's
    // register) and the new a (into h's). m0/m1 alternate holding a ^ b, which is the next
    // round's b ^ c. At round 4: a = r4, b = r5, c = r6, d = r7, e = r0, f = r1, g = r2, and h4
    // is folded into jHK4.
    let r4 = add(jA4, n), r5 = jB4, r6 = jC4, r7 = jD4;
    let r0 = add(jE4, n), r1 = jF4, r2 = jG4, r3 = splat<T>(0);
    let m0 = splat<T>(0), m1 = jBC4;
    // The schedule: W18..W33 have nonce-free terms (W4 = PAD, W5..W14 = 0, W15 = 640); each
    // W is computed just before its round.
    r3 = t1(r0, r1, r2, jHK4); r7 = add(r7, r3); m0 = xor(r4, r5); r3 = add(r3, t2(r4, r5, m0, m1)); // 4
    r2 = t1(r7, r0, r1, jHK5); r6 = add(r6, r2); m1 = xor(r3, r4); r2 = add(r2, t2(r3, r4, m1, m0)); // 5
    r1 = t1(r6, r7, r0, jHK6); r5 = add(r5, r1); m0 = xor(r2, r3); r1 = add(r1, t2(r2, r3, m0, m1)); // 6
    r0 = t1(r5, r6, r7, add(r0, splat<T>(K7))); r4 = add(r4, r0); m1 = xor(r1, r2); r0 = add(r0, t2(r1, r2, m1, m0)); // 7
    r7 = t1(r4, r5, r6, add(r7, splat<T>(K8))); r3 = add(r3, r7); m0 = xor(r0, r1); r7 = add(r7, t2(r0, r1, m0, m1)); // 8
    r6 = t1(r3, r4, r5, add(r6, splat<T>(K9))); r2 = add(r2, r6); m1 = xor(r7, r0); r6 = add(r6, t2(r7, r0, m1, m0)); // 9
    r5 = t1(r2, r3, r4, add(r5, splat<T>(K10))); r1 = add(r1, r5); m0 = xor(r6, r7); r5 = add(r5, t2(r6, r7, m0, m1)); // 10
    r4 = t1(r1, r2, r3, add(r4, splat<T>(K11))); r0 = add(r0, r4); m1 = xor(r5, r6); r4 = add(r4, t2(r5, r6, m1, m0)); // 11
    r3 = t1(r0, r1, r2, add(r3, splat<T>(K12))); r7 = add(r7, r3); m0 = xor(r4, r5); r3 = add(r3, t2(r4, r5, m0, m1)); // 12
    r2 = t1(r7, r0, r1, add(r2, splat<T>(K13))); r6 = add(r6, r2); m1 = xor(r3, r4); r2 = add(r2, t2(r3, r4, m1, m0)); // 13
    r1 = t1(r6, r7, r0, add(r1, splat<T>(K14))); r5 = add(r5, r1); m0 = xor(r2, r3); r1 = add(r1, t2(r2, r3, m0, m1)); // 14
    r0 = t1(r5, r6, r7, add(r0, splat<T>(K15 + HEADER_BITS))); r4 = add(r4, r0); m1 = xor(r1, r2); r0 = add(r0, t2(r1, r2, m1, m0)); // 15
    r7 = t1(r4, r5, r6, add(r7, jKW16)); r3 = add(r3, r7); m0 = xor(r0, r1); r7 = add(r7, t2(r0, r1, m0, m1)); // 16
    r6 = t1(r3, r4, r5, add(r6, jKW17)); r2 = add(r2, r6); m1 = xor(r7, r0); r6 = add(r6, t2(r7, r0, m1, m0)); // 17
    const w18 = add(jW18, s0(n));
    r5 = t1(r2, r3, r4, add(r5, add(w18, splat<T>(K18)))); r1 = add(r1, r5); m0 = xor(r6, r7); r5 = add(r5, t2(r6, r7, m0, m1)); // 18
    const w19 = add(jW19, n);
    r4 = t1(r1, r2, r3, add(r4, add(w19, splat<T>(K19)))); r0 = add(r0, r4); m1 = xor(r5, r6); r4 = add(r4, t2(r5, r6, m1, m0)); // 19
    const w20 = add(s1(w18), splat<T>(PAD));
    r3 = t1(r0, r1, r2, add(r3, add(w20, splat<T>(K20)))); r7 = add(r7, r3); m0 = xor(r4, r5); r3 = add(r3, t2(r4, r5, m0, m1)); // 20
    const w21 = s1(w19);
    r2 = t1(r7, r0, r1, add(r2, add(w21, splat<T>(K21)))); r6 = add(r6, r2); m1 = xor(r3, r4); r2 = add(r2, t2(r3, r4, m1, m0)); // 21
    const w22 = add(s1(w20), splat<T>(HEADER_BITS));
    r1 = t1(r6, r7, r0, add(r1, add(w22, splat<T>(K22)))); r5 = add(r5, r1); m0 = xor(r2, r3); r1 = add(r1, t2(r2, r3, m0, m1)); // 22
    const w23 = add(s1(w21), jW16);
    r0 = t1(r5, r6, r7, add(r0, add(w23, splat<T>(K23)))); r4 = add(r4, r0); m1 = xor(r1, r2); r0 = add(r0, t2(r1, r2, m1, m0)); // 23
    const w24 = add(s1(w22), jW17);
    r7 = t1(r4, r5, r6, add(r7, add(w24, splat<T>(K24)))); r3 = add(r3, r7); m0 = xor(r0, r1); r7 = add(r7, t2(r0, r1, m0, m1)); // 24
    const w25 = add(s1(w23), w18);
    r6 = t1(r3, r4, r5, add(r6, add(w25, splat<T>(K25)))); r2 = add(r2, r6); m1 = xor(r7, r0); r6 = add(r6, t2(r7, r0, m1, m0)); // 25
    const w26 = add(s1(w24), w19);
    r5 = t1(r2, r3, r4, add(r5, add(w26, splat<T>(K26)))); r1 = add(r1, r5); m0 = xor(r6, r7); r5 = add(r5, t2(r6, r7, m0, m1)); // 26
    const w27 = add(s1(w25), w20);
    r4 = t1(r1, r2, r3, add(r4, add(w27, splat<T>(K27)))); r0 = add(r0, r4); m1 = xor(r5, r6); r4 = add(r4, t2(r5, r6, m1, m0)); // 27
    const w28 = add(s1(w26), w21);
    r3 = t1(r0, r1, r2, add(r3, add(w28, splat<T>(K28)))); r7 = add(r7, r3); m0 = xor(r4, r5); r3 = add(r3, t2(r4, r5, m0, m1)); // 28
    const w29 = add(s1(w27), w22);
    r2 = t1(r7, r0, r1, add(r2, add(w29, splat<T>(K29)))); r6 = add(r6, r2); m1 = xor(r3, r4); r2 = add(r2, t2(r3, r4, m1, m0)); // 29
    const w30 = add(add(s1(w28), w23), splat<T>(S0_HEADER_BITS()));
    r1 = t1(r6, r7, r0, add(r1, add(w30, splat<T>(K30)))); r5 = add(r5, r1); m0 = xor(r2, r3); r1 = add(r1, t2(r2, r3, m0, m1)); // 30
    const w31 = add(add(s1(w29), w24), jW31);
    r0 = t1(r5, r6, r7, add(r0, add(w31, splat<T>(K31)))); r4 = add(r4, r0); m1 = xor(r1, r2); r0 = add(r0, t2(r1, r2, m1, m0)); // 31
    const w32 = add(add(s1(w30), w25), jW32);
    r7 = t1(r4, r5, r6, add(r7, add(w32, splat<T>(K32)))); r3 = add(r3, r7); m0 = xor(r0, r1); r7 = add(r7, t2(r0, r1, m0, m1)); // 32
    const w33 = add(add(s1(w31), w26), add(s0(w18), jW17));
    r6 = t1(r3, r4, r5, add(r6, add(w33, splat<T>(K33)))); r2 = add(r2, r6); m1 = xor(r7, r0); r6 = add(r6, t2(r7, r0, m1, m0)); // 33
    const w34 = add(add(s1(w32), w27), add(s0(w19), w18));
    r5 = t1(r2, r3, r4, add(r5, add(w34, splat<T>(K34)))); r1 = add(r1, r5); m0 = xor(r6, r7); r5 = add(r5, t2(r6, r7, m0, m1)); // 34
    const w35 = add(add(s1(w33), w28), add(s0(w20), w19));
    r4 = t1(r1, r2, r3, add(r4, add(w35, splat<T>(K35)))); r0 = add(r0, r4); m1 = xor(r5, r6); r4 = add(r4, t2(r5, r6, m1, m0)); // 35
    const w36 = add(add(s1(w34), w29), add(s0(w21), w20));
    r3 = t1(r0, r1, r2, add(r3, add(w36, splat<T>(K36)))); r7 = add(r7, r3); m0 = xor(r4, r5); r3 = add(r3, t2(r4, r5, m0, m1)); // 36
    const w37 = add(add(s1(w35), w30), add(s0(w22), w21));
    r2 = t1(r7, r0, r1, add(r2, add(w37, splat<T>(K37)))); r6 = add(r6, r2); m1 = xor(r3, r4); r2 = add(r2, t2(r3, r4, m1, m0)); // 37
    const w38 = add(add(s1(w36), w31), add(s0(w23), w22));
    r1 = t1(r6, r7, r0, add(r1, add(w38, splat<T>(K38)))); r5 = add(r5, r1); m0 = xor(r2, r3); r1 = add(r1, t2(r2, r3, m0, m1)); // 38
    const w39 = add(add(s1(w37), w32), add(s0(w24), w23));
    r0 = t1(r5, r6, r7, add(r0, add(w39, splat<T>(K39)))); r4 = add(r4, r0); m1 = xor(r1, r2); r0 = add(r0, t2(r1, r2, m1, m0)); // 39
    const w40 = add(add(s1(w38), w33), add(s0(w25), w24));
    r7 = t1(r4, r5, r6, add(r7, add(w40, splat<T>(K40)))); r3 = add(r3, r7); m0 = xor(r0, r1); r7 = add(r7, t2(r0, r1, m0, m1)); // 40
    const w41 = add(add(s1(w39), w34), add(s0(w26), w25));
    r6 = t1(r3, r4, r5, add(r6, add(w41, splat<T>(K41)))); r2 = add(r2, r6); m1 = xor(r7, r0); r6 = add(r6, t2(r7, r0, m1, m0)); // 41
    const w42 = add(add(s1(w40), w35), add(s0(w27), w26));
    r5 = t1(r2, r3, r4, add(r5, add(w42, splat<T>(K42)))); r1 = add(r1, r5); m0 = xor(r6, r7); r5 = add(r5, t2(r6, r7, m0, m1)); // 42
    const w43 = add(add(s1(w41), w36), add(s0(w28), w27));
    r4 = t1(r1, r2, r3, add(r4, add(w43, splat<T>(K43)))); r0 = add(r0, r4); m1 = xor(r5, r6); r4 = add(r4, t2(r5, r6, m1, m0)); // 43
    const w44 = add(add(s1(w42), w37), add(s0(w29), w28));
    r3 = t1(r0, r1, r2, add(r3, add(w44, splat<T>(K44)))); r7 = add(r7, r3); m0 = xor(r4, r5); r3 = add(r3, t2(r4, r5, m0, m1)); // 44
    const w45 = add(add(s1(w43), w38), add(s0(w30), w29));
    r2 = t1(r7, r0, r1, add(r2, add(w45, splat<T>(K45)))); r6 = add(r6, r2); m1 = xor(r3, r4); r2 = add(r2, t2(r3, r4, m1, m0)); // 45
    const w46 = add(add(s1(w44), w39), add(s0(w31), w30));
    r1 = t1(r6, r7, r0, add(r1, add(w46, splat<T>(K46)))); r5 = add(r5, r1); m0 = xor(r2, r3); r1 = add(r1, t2(r2, r3, m0, m1)); // 46
    const w47 = add(add(s1(w45), w40), add(s0(w32), w31));
    r0 = t1(r5, r6, r7, add(r0, add(w47, splat<T>(K47)))); r4 = add(r4, r0); m1 = xor(r1, r2); r0 = add(r0, t2(r1, r2, m1, m0)); // 47
    const w48 = add(add(s1(w46), w41), add(s0(w33), w32));
    r7 = t1(r4, r5, r6, add(r7, add(w48, splat<T>(K48)))); r3 = add(r3, r7); m0 = xor(r0, r1); r7 = add(r7, t2(r0, r1, m0, m1)); // 48
    const w49 = add(add(s1(w47), w42), add(s0(w34), w33));
    r6 = t1(r3, r4, r5, add(r6, add(w49, splat<T>(K49)))); r2 = add(r2, r6); m1 = xor(r7, r0); r6 = add(r6, t2(r7, r0, m1, m0)); // 49
    const w50 = add(add(s1(w48), w43), add(s0(w35), w34));
    r5 = t1(r2, r3, r4, add(r5, add(w50, splat<T>(K50)))); r1 = add(r1, r5); m0 = xor(r6, r7); r5 = add(r5, t2(r6, r7, m0, m1)); // 50
    const w51 = add(add(s1(w49), w44), add(s0(w36), w35));
    r4 = t1(r1, r2, r3, add(r4, add(w51, splat<T>(K51)))); r0 = add(r0, r4); m1 = xor(r5, r6); r4 = add(r4, t2(r5, r6, m1, m0)); // 51
    const w52 = add(add(s1(w50), w45), add(s0(w37), w36));
    r3 = t1(r0, r1, r2, add(r3, add(w52, splat<T>(K52)))); r7 = add(r7, r3); m0 = xor(r4, r5); r3 = add(r3, t2(r4, r5, m0, m1)); // 52
    const w53 = add(add(s1(w51), w46), add(s0(w38), w37));
    r2 = t1(r7, r0, r1, add(r2, add(w53, splat<T>(K53)))); r6 = add(r6, r2); m1 = xor(r3, r4); r2 = add(r2, t2(r3, r4, m1, m0)); // 53
    const w54 = add(add(s1(w52), w47), add(s0(w39), w38));
    r1 = t1(r6, r7, r0, add(r1, add(w54, splat<T>(K54)))); r5 = add(r5, r1); m0 = xor(r2, r3); r1 = add(r1, t2(r2, r3, m0, m1)); // 54
    const w55 = add(add(s1(w53), w48), add(s0(w40), w39));
    r0 = t1(r5, r6, r7, add(r0, add(w55, splat<T>(K55)))); r4 = add(r4, r0); m1 = xor(r1, r2); r0 = add(r0, t2(r1, r2, m1, m0)); // 55
    const w56 = add(add(s1(w54), w49), add(s0(w41), w40));
    r7 = t1(r4, r5, r6, add(r7, add(w56, splat<T>(K56)))); r3 = add(r3, r7); m0 = xor(r0, r1); r7 = add(r7, t2(r0, r1, m0, m1)); // 56
    const w57 = add(add(s1(w55), w50), add(s0(w42), w41));
    r6 = t1(r3, r4, r5, add(r6, add(w57, splat<T>(K57)))); r2 = add(r2, r6); m1 = xor(r7, r0); r6 = add(r6, t2(r7, r0, m1, m0)); // 57
    const w58 = add(add(s1(w56), w51), add(s0(w43), w42));
    r5 = t1(r2, r3, r4, add(r5, add(w58, splat<T>(K58)))); r1 = add(r1, r5); m0 = xor(r6, r7); r5 = add(r5, t2(r6, r7, m0, m1)); // 58
    const w59 = add(add(s1(w57), w52), add(s0(w44), w43));
    r4 = t1(r1, r2, r3, add(r4, add(w59, splat<T>(K59)))); r0 = add(r0, r4); m1 = xor(r5, r6); r4 = add(r4, t2(r5, r6, m1, m0)); // 59
    const w60 = add(add(s1(w58), w53), add(s0(w45), w44));
    r3 = t1(r0, r1, r2, add(r3, add(w60, splat<T>(K60)))); r7 = add(r7, r3); m0 = xor(r4, r5); r3 = add(r3, t2(r4, r5, m0, m1)); // 60
    const w61 = add(add(s1(w59), w54), add(s0(w46), w45));
    r2 = t1(r7, r0, r1, add(r2, add(w61, splat<T>(K61)))); r6 = add(r6, r2); m1 = xor(r3, r4); r2 = add(r2, t2(r3, r4, m1, m0)); // 61
    const w62 = add(add(s1(w60), w55), add(s0(w47), w46));
    r1 = t1(r6, r7, r0, add(r1, add(w62, splat<T>(K62)))); r5 = add(r5, r1); m0 = xor(r2, r3); r1 = add(r1, t2(r2, r3, m0, m1)); // 62
    const w63 = add(add(s1(w61), w56), add(s0(w48), w47));
    r0 = t1(r5, r6, r7, add(r0, add(w63, splat<T>(K63)))); r4 = add(r4, r0); m1 = xor(r1, r2); r0 = add(r0, t2(r1, r2, m1, m0)); // 63

    // The header's digest: midstate + working variables (after round 63, a..h = r0..r7).
    const x0 = add(jM0, r0), x1 = add(jM1, r1), x2 = add(jM2, r2), x3 = add(jM3, r3);
    const x4 = add(jM4, r4), x5 = add(jM5, r5), x6 = add(jM6, r6), x7 = add(jM7, r7);

    // ---- Final hash: one block x0..x7 | PAD | 0 ... 0 | 256, from the IV ----------------------
    // Round 0 only adds W0 = x0 to constants. At round 1: a = r7, b = r0, c = r1, d = r2, e = r3,
    // f = r4, g = r5, h = r6; h1..h3 (IV6, IV5, IV4) are folded into the constants of rounds 1..3.
    r7 = add(splat<T>(R0_T1() + R0_T2()), x0);
    r0 = splat<T>(IV0); r1 = splat<T>(IV1); r2 = splat<T>(IV2);
    r3 = add(splat<T>(IV3 + R0_T1()), x0);
    r4 = splat<T>(IV4); r5 = splat<T>(IV5);
    m0 = splat<T>(IV0 ^ IV1);
    // The schedule: W8 = PAD, W9..W14 = 0, W15 = 256; W61..W63 are never needed. Rounds 57..60
    // compute e only.
    r6 = t1(r3, r4, r5, add(x1, splat<T>(IV6 + K1))); r2 = add(r2, r6); m1 = xor(r7, r0); r6 = add(r6, t2(r7, r0, m1, m0)); // 1
    r5 = t1(r2, r3, r4, add(x2, splat<T>(IV5 + K2))); r1 = add(r1, r5); m0 = xor(r6, r7); r5 = add(r5, t2(r6, r7, m0, m1)); // 2
    r4 = t1(r1, r2, r3, add(x3, splat<T>(IV4 + K3))); r0 = add(r0, r4); m1 = xor(r5, r6); r4 = add(r4, t2(r5, r6, m1, m0)); // 3
    r3 = t1(r0, r1, r2, add(r3, add(x4, splat<T>(K4)))); r7 = add(r7, r3); m0 = xor(r4, r5); r3 = add(r3, t2(r4, r5, m0, m1)); // 4
    r2 = t1(r7, r0, r1, add(r2, add(x5, splat<T>(K5)))); r6 = add(r6, r2); m1 = xor(r3, r4); r2 = add(r2, t2(r3, r4, m1, m0)); // 5
    r1 = t1(r6, r7, r0, add(r1, add(x6, splat<T>(K6)))); r5 = add(r5, r1); m0 = xor(r2, r3); r1 = add(r1, t2(r2, r3, m0, m1)); // 6
    r0 = t1(r5, r6, r7, add(r0, add(x7, splat<T>(K7)))); r4 = add(r4, r0); m1 = xor(r1, r2); r0 = add(r0, t2(r1, r2, m1, m0)); // 7
    r7 = t1(r4, r5, r6, add(r7, splat<T>(K8 + PAD))); r3 = add(r3, r7); m0 = xor(r0, r1); r7 = add(r7, t2(r0, r1, m0, m1)); // 8
    r6 = t1(r3, r4, r5, add(r6, splat<T>(K9))); r2 = add(r2, r6); m1 = xor(r7, r0); r6 = add(r6, t2(r7, r0, m1, m0)); // 9
    r5 = t1(r2, r3, r4, add(r5, splat<T>(K10))); r1 = add(r1, r5); m0 = xor(r6, r7); r5 = add(r5, t2(r6, r7, m0, m1)); // 10
    r4 = t1(r1, r2, r3, add(r4, splat<T>(K11))); r0 = add(r0, r4); m1 = xor(r5, r6); r4 = add(r4, t2(r5, r6, m1, m0)); // 11
    r3 = t1(r0, r1, r2, add(r3, splat<T>(K12))); r7 = add(r7, r3); m0 = xor(r4, r5); r3 = add(r3, t2(r4, r5, m0, m1)); // 12
    r2 = t1(r7, r0, r1, add(r2, splat<T>(K13))); r6 = add(r6, r2); m1 = xor(r3, r4); r2 = add(r2, t2(r3, r4, m1, m0)); // 13
    r1 = t1(r6, r7, r0, add(r1, splat<T>(K14))); r5 = add(r5, r1); m0 = xor(r2, r3); r1 = add(r1, t2(r2, r3, m0, m1)); // 14
    r0 = t1(r5, r6, r7, add(r0, splat<T>(K15 + DIGEST_BITS))); r4 = add(r4, r0); m1 = xor(r1, r2); r0 = add(r0, t2(r1, r2, m1, m0)); // 15
    const y16 = add(s0(x1), x0);
    r7 = t1(r4, r5, r6, add(r7, add(y16, splat<T>(K16)))); r3 = add(r3, r7); m0 = xor(r0, r1); r7 = add(r7, t2(r0, r1, m0, m1)); // 16
    const y17 = add(add(s0(x2), x1), splat<T>(S1_DIGEST_BITS()));
    r6 = t1(r3, r4, r5, add(r6, add(y17, splat<T>(K17)))); r2 = add(r2, r6); m1 = xor(r7, r0); r6 = add(r6, t2(r7, r0, m1, m0)); // 17
    const y18 = add(add(s1(y16), s0(x3)), x2);
    r5 = t1(r2, r3, r4, add(r5, add(y18, splat<T>(K18)))); r1 = add(r1, r5); m0 = xor(r6, r7); r5 = add(r5, t2(r6, r7, m0, m1)); // 18
    const y19 = add(add(s1(y17), s0(x4)), x3);
    r4 = t1(r1, r2, r3, add(r4, add(y19, splat<T>(K19)))); r0 = add(r0, r4); m1 = xor(r5, r6); r4 = add(r4, t2(r5, r6, m1, m0)); // 19
    const y20 = add(add(s1(y18), s0(x5)), x4);
    r3 = t1(r0, r1, r2, add(r3, add(y20, splat<T>(K20)))); r7 = add(r7, r3); m0 = xor(r4, r5); r3 = add(r3, t2(r4, r5, m0, m1)); // 20
    const y21 = add(add(s1(y19), s0(x6)), x5);
    r2 = t1(r7, r0, r1, add(r2, add(y21, splat<T>(K21)))); r6 = add(r6, r2); m1 = xor(r3, r4); r2 = add(r2, t2(r3, r4, m1, m0)); // 21
    const y22 = add(add(s1(y20), s0(x7)), add(x6, splat<T>(DIGEST_BITS)));
    r1 = t1(r6, r7, r0, add(r1, add(y22, splat<T>(K22)))); r5 = add(r5, r1); m0 = xor(r2, r3); r1 = add(r1, t2(r2, r3, m0, m1)); // 22
    const y23 = add(add(s1(y21), y16), add(x7, splat<T>(S0_PAD())));
    r0 = t1(r5, r6, r7, add(r0, add(y23, splat<T>(K23)))); r4 = add(r4, r0); m1 = xor(r1, r2); r0 = add(r0, t2(r1, r2, m1, m0)); // 23
    const y24 = add(add(s1(y22), y17), splat<T>(PAD));
    r7 = t1(r4, r5, r6, add(r7, add(y24, splat<T>(K24)))); r3 = add(r3, r7); m0 = xor(r0, r1); r7 = add(r7, t2(r0, r1, m0, m1)); // 24
    const y25 = add(s1(y23), y18);
    r6 = t1(r3, r4, r5, add(r6, add(y25, splat<T>(K25)))); r2 = add(r2, r6); m1 = xor(r7, r0); r6 = add(r6, t2(r7, r0, m1, m0)); // 25
    const y26 = add(s1(y24), y19);
    r5 = t1(r2, r3, r4, add(r5, add(y26, splat<T>(K26)))); r1 = add(r1, r5); m0 = xor(r6, r7); r5 = add(r5, t2(r6, r7, m0, m1)); // 26
    const y27 = add(s1(y25), y20);
    r4 = t1(r1, r2, r3, add(r4, add(y27, splat<T>(K27)))); r0 = add(r0, r4); m1 = xor(r5, r6); r4 = add(r4, t2(r5, r6, m1, m0)); // 27
    const y28 = add(s1(y26), y21);
    r3 = t1(r0, r1, r2, add(r3, add(y28, splat<T>(K28)))); r7 = add(r7, r3); m0 = xor(r4, r5); r3 = add(r3, t2(r4, r5, m0, m1)); // 28
    const y29 = add(s1(y27), y22);
    r2 = t1(r7, r0, r1, add(r2, add(y29, splat<T>(K29)))); r6 = add(r6, r2); m1 = xor(r3, r4); r2 = add(r2, t2(r3, r4, m1, m0)); // 29
    const y30 = add(add(s1(y28), y23), splat<T>(S0_DIGEST_BITS()));
    r1 = t1(r6, r7, r0, add(r1, add(y30, splat<T>(K30)))); r5 = add(r5, r1); m0 = xor(r2, r3); r1 = add(r1, t2(r2, r3, m0, m1)); // 30
    const y31 = add(add(s1(y29), y24), add(s0(y16), splat<T>(DIGEST_BITS)));
    r0 = t1(r5, r6, r7, add(r0, add(y31, splat<T>(K31)))); r4 = add(r4, r0); m1 = xor(r1, r2); r0 = add(r0, t2(r1, r2, m1, m0)); // 31
    const y32 = add(add(s1(y30), y25), add(s0(y17), y16));
    r7 = t1(r4, r5, r6, add(r7, add(y32, splat<T>(K32)))); r3 = add(r3, r7); m0 = xor(r0, r1); r7 = add(r7, t2(r0, r1, m0, m1)); // 32
    const y33 = add(add(s1(y31), y26), add(s0(y18), y17));
    r6 = t1(r3, r4, r5, add(r6, add(y33, splat<T>(K33)))); r2 = add(r2, r6); m1 = xor(r7, r0); r6 = add(r6, t2(r7, r0, m1, m0)); // 33
    const y34 = add(add(s1(y32), y27), add(s0(y19), y18));
    r5 = t1(r2, r3, r4, add(r5, add(y34, splat<T>(K34)))); r1 = add(r1, r5); m0 = xor(r6, r7); r5 = add(r5, t2(r6, r7, m0, m1)); // 34
    const y35 = add(add(s1(y33), y28), add(s0(y20), y19));
    r4 = t1(r1, r2, r3, add(r4, add(y35, splat<T>(K35)))); r0 = add(r0, r4); m1 = xor(r5, r6); r4 = add(r4, t2(r5, r6, m1, m0)); // 35
    const y36 = add(add(s1(y34), y29), add(s0(y21), y20));
    r3 = t1(r0, r1, r2, add(r3, add(y36, splat<T>(K36)))); r7 = add(r7, r3); m0 = xor(r4, r5); r3 = add(r3, t2(r4, r5, m0, m1)); // 36
    const y37 = add(add(s1(y35), y30), add(s0(y22), y21));
    r2 = t1(r7, r0, r1, add(r2, add(y37, splat<T>(K37)))); r6 = add(r6, r2); m1 = xor(r3, r4); r2 = add(r2, t2(r3, r4, m1, m0)); // 37
    const y38 = add(add(s1(y36), y31), add(s0(y23), y22));
    r1 = t1(r6, r7, r0, add(r1, add(y38, splat<T>(K38)))); r5 = add(r5, r1); m0 = xor(r2, r3); r1 = add(r1, t2(r2, r3, m0, m1)); // 38
    const y39 = add(add(s1(y37), y32), add(s0(y24), y23));
    r0 = t1(r5, r6, r7, add(r0, add(y39, splat<T>(K39)))); r4 = add(r4, r0); m1 = xor(r1, r2); r0 = add(r0, t2(r1, r2, m1, m0)); // 39
    const y40 = add(add(s1(y38), y33), add(s0(y25), y24));
    r7 = t1(r4, r5, r6, add(r7, add(y40, splat<T>(K40)))); r3 = add(r3, r7); m0 = xor(r0, r1); r7 = add(r7, t2(r0, r1, m0, m1)); // 40
    const y41 = add(add(s1(y39), y34), add(s0(y26), y25));
    r6 = t1(r3, r4, r5, add(r6, add(y41, splat<T>(K41)))); r2 = add(r2, r6); m1 = xor(r7, r0); r6 = add(r6, t2(r7, r0, m1, m0)); // 41
    const y42 = add(add(s1(y40), y35), add(s0(y27), y26));
    r5 = t1(r2, r3, r4, add(r5, add(y42, splat<T>(K42)))); r1 = add(r1, r5); m0 = xor(r6, r7); r5 = add(r5, t2(r6, r7, m0, m1)); // 42
    const y43 = add(add(s1(y41), y36), add(s0(y28), y27));
    r4 = t1(r1, r2, r3, add(r4, add(y43, splat<T>(K43)))); r0 = add(r0, r4); m1 = xor(r5, r6); r4 = add(r4, t2(r5, r6, m1, m0)); // 43
    const y44 = add(add(s1(y42), y37), add(s0(y29), y28));
    r3 = t1(r0, r1, r2, add(r3, add(y44, splat<T>(K44)))); r7 = add(r7, r3); m0 = xor(r4, r5); r3 = add(r3, t2(r4, r5, m0, m1)); // 44
    const y45 = add(add(s1(y43), y38), add(s0(y30), y29));
    r2 = t1(r7, r0, r1, add(r2, add(y45, splat<T>(K45)))); r6 = add(r6, r2); m1 = xor(r3, r4); r2 = add(r2, t2(r3, r4, m1, m0)); // 45
    const y46 = add(add(s1(y44), y39), add(s0(y31), y30));
    r1 = t1(r6, r7, r0, add(r1, add(y46, splat<T>(K46)))); r5 = add(r5, r1); m0 = xor(r2, r3); r1 = add(r1, t2(r2, r3, m0, m1)); // 46
    const y47 = add(add(s1(y45), y40), add(s0(y32), y31));
    r0 = t1(r5, r6, r7, add(r0, add(y47, splat<T>(K47)))); r4 = add(r4, r0); m1 = xor(r1, r2); r0 = add(r0, t2(r1, r2, m1, m0)); // 47
    const y48 = add(add(s1(y46), y41), add(s0(y33), y32));
    r7 = t1(r4, r5, r6, add(r7, add(y48, splat<T>(K48)))); r3 = add(r3, r7); m0 = xor(r0, r1); r7 = add(r7, t2(r0, r1, m0, m1)); // 48
    const y49 = add(add(s1(y47), y42), add(s0(y34), y33));
    r6 = t1(r3, r4, r5, add(r6, add(y49, splat<T>(K49)))); r2 = add(r2, r6); m1 = xor(r7, r0); r6 = add(r6, t2(r7, r0, m1, m0)); // 49
    const y50 = add(add(s1(y48), y43), add(s0(y35), y34));
    r5 = t1(r2, r3, r4, add(r5, add(y50, splat<T>(K50)))); r1 = add(r1, r5); m0 = xor(r6, r7); r5 = add(r5, t2(r6, r7, m0, m1)); // 50
    const y51 = add(add(s1(y49), y44), add(s0(y36), y35));
    r4 = t1(r1, r2, r3, add(r4, add(y51, splat<T>(K51)))); r0 = add(r0, r4); m1 = xor(r5, r6); r4 = add(r4, t2(r5, r6, m1, m0)); // 51
    const y52 = add(add(s1(y50), y45), add(s0(y37), y36));
    r3 = t1(r0, r1, r2, add(r3, add(y52, splat<T>(K52)))); r7 = add(r7, r3); m0 = xor(r4, r5); r3 = add(r3, t2(r4, r5, m0, m1)); // 52
    const y53 = add(add(s1(y51), y46), add(s0(y38), y37));
    r2 = t1(r7, r0, r1, add(r2, add(y53, splat<T>(K53)))); r6 = add(r6, r2); m1 = xor(r3, r4); r2 = add(r2, t2(r3, r4, m1, m0)); // 53
    const y54 = add(add(s1(y52), y47), add(s0(y39), y38));
    r1 = t1(r6, r7, r0, add(r1, add(y54, splat<T>(K54)))); r5 = add(r5, r1); m0 = xor(r2, r3); r1 = add(r1, t2(r2, r3, m0, m1)); // 54
    const y55 = add(add(s1(y53), y48), add(s0(y40), y39));
    r0 = t1(r5, r6, r7, add(r0, add(y55, splat<T>(K55)))); r4 = add(r4, r0); m1 = xor(r1, r2); r0 = add(r0, t2(r1, r2, m1, m0)); // 55
    const y56 = add(add(s1(y54), y49), add(s0(y41), y40));
    r7 = t1(r4, r5, r6, add(r7, add(y56, splat<T>(K56)))); r3 = add(r3, r7); m0 = xor(r0, r1); r7 = add(r7, t2(r0, r1, m0, m1)); // 56
    const y57 = add(add(s1(y55), y50), add(s0(y42), y41));
    r6 = t1(r3, r4, r5, add(r6, add(y57, splat<T>(K57)))); r2 = add(r2, r6); // 57
    const y58 = add(add(s1(y56), y51), add(s0(y43), y42));
    r5 = t1(r2, r3, r4, add(r5, add(y58, splat<T>(K58)))); r1 = add(r1, r5); // 58
    const y59 = add(add(s1(y57), y52), add(s0(y44), y43));
    r4 = t1(r1, r2, r3, add(r4, add(y59, splat<T>(K59)))); r0 = add(r0, r4); // 59
    const y60 = add(add(s1(y58), y53), add(s0(y45), y44));
    r3 = t1(r0, r1, r2, add(r3, add(y60, splat<T>(K60)))); r7 = add(r7, r3); // 60

    // e61 is in r7; the hash's top word as a little-endian uint256 is bswap(H7 = IV7 + e61).
    const top = byteswap<T>(add(r7, splat<T>(IV7)));
    if (isVector<T>()) {
      if (v128.any_true(i32x4.le_u(top, jTargetTop))) {
        candidate(i32x4.extract_lane(top, 0), base);
        candidate(i32x4.extract_lane(top, 1), base + 1);
        candidate(i32x4.extract_lane(top, 2), base + 2);
        candidate(i32x4.extract_lane(top, 3), base + 3);
      }
    } else {
      if ((top as u32) <= jobTargetTop) candidate(top as u32, base);
    }
  }

  // Nonces left over after the last full group of lanes.
  for (let i = groups * lanes; i < count; i++) {
    const nonce = start + i;
    if (meetsTarget(nonce)) record(nonce);
  }
  tried = count;
  return written;
}
