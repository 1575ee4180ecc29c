/**
 * The two Keccak permutations KawPow uses, in plain TypeScript:
 *   - keccak-f[800] (25 u32 lanes, 22 rounds): ProgPoW's hash of header hash + nonce and its
 *     final hash; no sponge, no padding: the caller fills all 25 lanes.
 *   - keccak-f[1600] (25 u64 lanes, 24 rounds) and the sponges on it that ethash calls
 *     keccak-256 and keccak-512: the original Keccak padding (0x01 ... 0x80), not SHA-3's 0x06.
 *     Ethash builds the epoch seeds with keccak-256 and the light cache with keccak-512.
 *
 * These are the readable reference forms (loops over the Keccak tables, FIPS 202 §3.2). The
 * WASM engine has its own unrolled forms; tests hold the two against each other and against
 * the published vectors. Speed here matters only for epoch seeds (one keccak-256 per epoch).
 */

/** Keccak round constants (FIPS 202 §3.2.5), as [low 32 bits, high 32 bits] pairs. */
const RC_LO = new Uint32Array([
  0x00000001, 0x00008082, 0x0000808a, 0x80008000, 0x0000808b, 0x80000001, 0x80008081, 0x00008009,
  0x0000008a, 0x00000088, 0x80008009, 0x8000000a, 0x8000808b, 0x0000008b, 0x00008089, 0x00008003,
  0x00008002, 0x00000080, 0x0000800a, 0x8000000a, 0x80008081, 0x00008080, 0x80000001, 0x80008008,
]);
const RC_HI = new Uint32Array([
  0x00000000, 0x00000000, 0x80000000, 0x80000000, 0x00000000, 0x00000000, 0x80000000, 0x80000000,
  0x00000000, 0x00000000, 0x00000000, 0x00000000, 0x00000000, 0x80000000, 0x80000000, 0x80000000,
  0x80000000, 0x80000000, 0x00000000, 0x80000000, 0x80000000, 0x80000000, 0x00000000, 0x80000000,
]);

/** Rotation offsets r[x + 5y] of ρ (FIPS 202 Table 2), for 64-bit lanes. */
const RHO = [0, 1, 62, 28, 27, 36, 44, 6, 55, 20, 3, 10, 43, 25, 39, 41, 45, 15, 21, 8, 18, 2, 61, 56, 14];
/** π: the lane at x + 5y moves to y + 5((2x + 3y) mod 5). */
const PI_DEST = Array.from({ length: 25 }, (_, i) => {
  const x = i % 5;
  const y = Math.floor(i / 5);
  return y + 5 * ((2 * x + 3 * y) % 5);
});

/** Rounds of keccak-f[800]: 12 + 2·log2(32). */
export const KECCAK_F800_ROUNDS = 22;
/** Rounds of keccak-f[1600]: 12 + 2·log2(64). */
export const KECCAK_F1600_ROUNDS = 24;

function rotl32(x: number, n: number): number {
  n &= 31;
  return n === 0 ? x >>> 0 : ((x << n) | (x >>> (32 - n))) >>> 0;
}

const b800 = new Uint32Array(25);
const c800 = new Uint32Array(5);

/** keccak-f[800] in place on 25 u32 lanes (lane x + 5y at index x + 5y). */
export function keccakF800(state: Uint32Array): void {
  if (state.length !== 25) throw new RangeError(`keccak-f[800] state must be 25 u32 lanes (got ${state.length})`);
  for (let round = 0; round < KECCAK_F800_ROUNDS; round++) {
    // θ
    for (let x = 0; x < 5; x++) c800[x] = state[x]! ^ state[x + 5]! ^ state[x + 10]! ^ state[x + 15]! ^ state[x + 20]!;
    for (let x = 0; x < 5; x++) {
      const d = c800[(x + 4) % 5]! ^ rotl32(c800[(x + 1) % 5]!, 1);
      for (let y = 0; y < 25; y += 5) state[x + y] = state[x + y]! ^ d;
    }
    // ρ and π
    for (let i = 0; i < 25; i++) b800[PI_DEST[i]!] = rotl32(state[i]!, RHO[i]! % 32);
    // χ
    for (let y = 0; y < 25; y += 5) {
      for (let x = 0; x < 5; x++) state[x + y] = b800[x + y]! ^ (~b800[((x + 1) % 5) + y]! & b800[((x + 2) % 5) + y]!);
    }
    // ι: keccak-f[800]'s constants are the low halves of keccak-f[1600]'s.
    state[0] = state[0]! ^ RC_LO[round]!;
  }
}

const blo = new Uint32Array(25);
const bhi = new Uint32Array(25);
const clo = new Uint32Array(5);
const chi = new Uint32Array(5);

/**
 * keccak-f[1600] in place on 50 u32 words: lane i (x + 5y) is words 2i (low half) and 2i + 1
 * (high half), i.e. the little-endian byte layout of the 200-byte state.
 */
export function keccakF1600(state: Uint32Array): void {
  if (state.length !== 50) throw new RangeError(`keccak-f[1600] state must be 50 u32 words (got ${state.length})`);
  for (let round = 0; round < KECCAK_F1600_ROUNDS; round++) {
    for (let x = 0; x < 5; x++) {
      let lo = 0;
      let hi = 0;
      for (let y = 0; y < 25; y += 5) {
        lo ^= state[2 * (x + y)]!;
        hi ^= state[2 * (x + y) + 1]!;
      }
      clo[x] = lo;
      chi[x] = hi;
    }
    for (let x = 0; x < 5; x++) {
      const l1 = clo[(x + 1) % 5]!;
      const h1 = chi[(x + 1) % 5]!;
      const dlo = clo[(x + 4) % 5]! ^ ((l1 << 1) | (h1 >>> 31));
      const dhi = chi[(x + 4) % 5]! ^ ((h1 << 1) | (l1 >>> 31));
      for (let y = 0; y < 25; y += 5) {
        state[2 * (x + y)] = state[2 * (x + y)]! ^ dlo;
        state[2 * (x + y) + 1] = state[2 * (x + y) + 1]! ^ dhi;
      }
    }
    for (let i = 0; i < 25; i++) {
      const lo = state[2 * i]!;
      const hi = state[2 * i + 1]!;
      const r = RHO[i]!;
      const dest = PI_DEST[i]!;
      if (r === 0) {
        blo[dest] = lo;
        bhi[dest] = hi;
      } else if (r < 32) {
        blo[dest] = (lo << r) | (hi >>> (32 - r));
        bhi[dest] = (hi << r) | (lo >>> (32 - r));
      } else if (r === 32) {
        blo[dest] = hi;
        bhi[dest] = lo;
      } else {
        const s = r - 32;
        blo[dest] = (hi << s) | (lo >>> (32 - s));
        bhi[dest] = (lo << s) | (hi >>> (32 - s));
      }
    }
    for (let y = 0; y < 25; y += 5) {
      for (let x = 0; x < 5; x++) {
        const a = x + y;
        const b = ((x + 1) % 5) + y;
        const c = ((x + 2) % 5) + y;
        state[2 * a] = blo[a]! ^ (~blo[b]! & blo[c]!);
        state[2 * a + 1] = bhi[a]! ^ (~bhi[b]! & bhi[c]!);
      }
    }
    state[0] = state[0]! ^ RC_LO[round]!;
    state[1] = state[1]! ^ RC_HI[round]!;
  }
}

/** XORs `byte` into byte `i` of the state (its lanes' little-endian bytes). */
function xorByte(state: Uint32Array, i: number, byte: number): void {
  state[i >>> 2] = state[i >>> 2]! ^ (byte << ((i & 3) * 8));
}

/** The Keccak sponge with the original padding (0x01 ... 0x80), as ethash uses it. */
function keccakSponge(data: Uint8Array, rateBytes: number, outBytes: number): Uint8Array {
  const state = new Uint32Array(50);
  let offset = 0;
  // Absorb every full block.
  for (; offset + rateBytes <= data.length; offset += rateBytes) {
    for (let i = 0; i < rateBytes; i++) xorByte(state, i, data[offset + i]!);
    keccakF1600(state);
  }
  // The last, padded block.
  const rest = data.length - offset;
  for (let i = 0; i < rest; i++) xorByte(state, i, data[offset + i]!);
  xorByte(state, rest, 0x01);
  xorByte(state, rateBytes - 1, 0x80);
  keccakF1600(state);
  const out = new Uint8Array(outBytes);
  for (let i = 0; i < outBytes; i++) out[i] = (state[i >>> 2]! >>> ((i & 3) * 8)) & 0xff;
  return out;
}

/** Keccak-256 (rate 136 bytes), ethash's seed-hash function. Not SHA3-256. */
export function keccak256(data: Uint8Array): Uint8Array {
  return keccakSponge(data, 136, 32);
}

/** Keccak-512 (rate 72 bytes), ethash's light-cache and dataset-item function. Not SHA3-512. */
export function keccak512(data: Uint8Array): Uint8Array {
  return keccakSponge(data, 72, 64);
}
