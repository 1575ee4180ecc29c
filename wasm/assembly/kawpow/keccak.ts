/**
 * Keccak for KawPow: keccak-f[800] (ProgPoW's two hashes around the mix) and keccak-f[1600] with
 * the keccak-256 / keccak-512 sponges ethash uses (original Keccak padding 0x01 .. 0x80, not
 * SHA-3's). One permutation, generic over the lane type, runs on 25 locals, one round per loop
 * iteration, written out from the FIPS 202 step mappings: θ (column parities c, d), ρ and π (b[π(i)] = rotl(a[i] ^ d, r[i])),
 * χ (a = b ^ (~b1 & b2) along rows); ι XORs the round constant. core's keccak.ts is the
 * loop-form reference these are tested against.
 */

/** keccak-f[1600] round constants (FIPS 202 §3.2.5). keccak-f[800] uses the low halves of the first 22. */
const RC: usize = memory.data<u64>([
  0x0000000000000001, 0x0000000000008082, 0x800000000000808a, 0x8000000080008000,
  0x000000000000808b, 0x0000000080000001, 0x8000000080008081, 0x8000000000008009,
  0x000000000000008a, 0x0000000000000088, 0x0000000080008009, 0x000000008000000a,
  0x000000008000808b, 0x800000000000008b, 0x8000000000008089, 0x8000000000008003,
  0x8000000000008002, 0x8000000000000080, 0x000000000000800a, 0x800000008000000a,
  0x8000000080008081, 0x8000000000008080, 0x0000000080000001, 0x8000000080008008,
]);

/**
 * Keccak-p on 25 lanes of type T at `state` (lane x + 5y at index x + 5y), `rounds` rounds:
 * keccak-f[1600] with T = u64 and 24 rounds, keccak-f[800] with T = u32 and 22. The ρ offsets
 * are the 64-bit ones; wasm's rotl takes its count modulo the lane width, which is exactly
 * keccak-f[800]'s offsets (r mod 32). ι uses the constants' low T bits.
 */
@inline function keccakP<T>(state: usize, rounds: usize): void {
  let a0 = load<T>(state + 0 * sizeof<T>());
  let a1 = load<T>(state + 1 * sizeof<T>());
  let a2 = load<T>(state + 2 * sizeof<T>());
  let a3 = load<T>(state + 3 * sizeof<T>());
  let a4 = load<T>(state + 4 * sizeof<T>());
  let a5 = load<T>(state + 5 * sizeof<T>());
  let a6 = load<T>(state + 6 * sizeof<T>());
  let a7 = load<T>(state + 7 * sizeof<T>());
  let a8 = load<T>(state + 8 * sizeof<T>());
  let a9 = load<T>(state + 9 * sizeof<T>());
  let a10 = load<T>(state + 10 * sizeof<T>());
  let a11 = load<T>(state + 11 * sizeof<T>());
  let a12 = load<T>(state + 12 * sizeof<T>());
  let a13 = load<T>(state + 13 * sizeof<T>());
  let a14 = load<T>(state + 14 * sizeof<T>());
  let a15 = load<T>(state + 15 * sizeof<T>());
  let a16 = load<T>(state + 16 * sizeof<T>());
  let a17 = load<T>(state + 17 * sizeof<T>());
  let a18 = load<T>(state + 18 * sizeof<T>());
  let a19 = load<T>(state + 19 * sizeof<T>());
  let a20 = load<T>(state + 20 * sizeof<T>());
  let a21 = load<T>(state + 21 * sizeof<T>());
  let a22 = load<T>(state + 22 * sizeof<T>());
  let a23 = load<T>(state + 23 * sizeof<T>());
  let a24 = load<T>(state + 24 * sizeof<T>());
  for (let round: usize = 0; round < rounds; round++) {
    const c0 = a0 ^ a5 ^ a10 ^ a15 ^ a20;
    const c1 = a1 ^ a6 ^ a11 ^ a16 ^ a21;
    const c2 = a2 ^ a7 ^ a12 ^ a17 ^ a22;
    const c3 = a3 ^ a8 ^ a13 ^ a18 ^ a23;
    const c4 = a4 ^ a9 ^ a14 ^ a19 ^ a24;
    const d0 = c4 ^ rotl<T>(c1, 1);
    const d1 = c0 ^ rotl<T>(c2, 1);
    const d2 = c1 ^ rotl<T>(c3, 1);
    const d3 = c2 ^ rotl<T>(c4, 1);
    const d4 = c3 ^ rotl<T>(c0, 1);
    const b0 = a0 ^ d0;
    const b10 = rotl<T>(a1 ^ d1, 1);
    const b20 = rotl<T>(a2 ^ d2, 62);
    const b5 = rotl<T>(a3 ^ d3, 28);
    const b15 = rotl<T>(a4 ^ d4, 27);
    const b16 = rotl<T>(a5 ^ d0, 36);
    const b1 = rotl<T>(a6 ^ d1, 44);
    const b11 = rotl<T>(a7 ^ d2, 6);
    const b21 = rotl<T>(a8 ^ d3, 55);
    const b6 = rotl<T>(a9 ^ d4, 20);
    const b7 = rotl<T>(a10 ^ d0, 3);
    const b17 = rotl<T>(a11 ^ d1, 10);
    const b2 = rotl<T>(a12 ^ d2, 43);
    const b12 = rotl<T>(a13 ^ d3, 25);
    const b22 = rotl<T>(a14 ^ d4, 39);
    const b23 = rotl<T>(a15 ^ d0, 41);
    const b8 = rotl<T>(a16 ^ d1, 45);
    const b18 = rotl<T>(a17 ^ d2, 15);
    const b3 = rotl<T>(a18 ^ d3, 21);
    const b13 = rotl<T>(a19 ^ d4, 8);
    const b14 = rotl<T>(a20 ^ d0, 18);
    const b24 = rotl<T>(a21 ^ d1, 2);
    const b9 = rotl<T>(a22 ^ d2, 61);
    const b19 = rotl<T>(a23 ^ d3, 56);
    const b4 = rotl<T>(a24 ^ d4, 14);
    a0 = b0 ^ (~b1 & b2);
    a1 = b1 ^ (~b2 & b3);
    a2 = b2 ^ (~b3 & b4);
    a3 = b3 ^ (~b4 & b0);
    a4 = b4 ^ (~b0 & b1);
    a5 = b5 ^ (~b6 & b7);
    a6 = b6 ^ (~b7 & b8);
    a7 = b7 ^ (~b8 & b9);
    a8 = b8 ^ (~b9 & b5);
    a9 = b9 ^ (~b5 & b6);
    a10 = b10 ^ (~b11 & b12);
    a11 = b11 ^ (~b12 & b13);
    a12 = b12 ^ (~b13 & b14);
    a13 = b13 ^ (~b14 & b10);
    a14 = b14 ^ (~b10 & b11);
    a15 = b15 ^ (~b16 & b17);
    a16 = b16 ^ (~b17 & b18);
    a17 = b17 ^ (~b18 & b19);
    a18 = b18 ^ (~b19 & b15);
    a19 = b19 ^ (~b15 & b16);
    a20 = b20 ^ (~b21 & b22);
    a21 = b21 ^ (~b22 & b23);
    a22 = b22 ^ (~b23 & b24);
    a23 = b23 ^ (~b24 & b20);
    a24 = b24 ^ (~b20 & b21);

    a0 ^= <T>load<u64>(RC + (round << 3));
  }
  store<T>(state + 0 * sizeof<T>(), a0);
  store<T>(state + 1 * sizeof<T>(), a1);
  store<T>(state + 2 * sizeof<T>(), a2);
  store<T>(state + 3 * sizeof<T>(), a3);
  store<T>(state + 4 * sizeof<T>(), a4);
  store<T>(state + 5 * sizeof<T>(), a5);
  store<T>(state + 6 * sizeof<T>(), a6);
  store<T>(state + 7 * sizeof<T>(), a7);
  store<T>(state + 8 * sizeof<T>(), a8);
  store<T>(state + 9 * sizeof<T>(), a9);
  store<T>(state + 10 * sizeof<T>(), a10);
  store<T>(state + 11 * sizeof<T>(), a11);
  store<T>(state + 12 * sizeof<T>(), a12);
  store<T>(state + 13 * sizeof<T>(), a13);
  store<T>(state + 14 * sizeof<T>(), a14);
  store<T>(state + 15 * sizeof<T>(), a15);
  store<T>(state + 16 * sizeof<T>(), a16);
  store<T>(state + 17 * sizeof<T>(), a17);
  store<T>(state + 18 * sizeof<T>(), a18);
  store<T>(state + 19 * sizeof<T>(), a19);
  store<T>(state + 20 * sizeof<T>(), a20);
  store<T>(state + 21 * sizeof<T>(), a21);
  store<T>(state + 22 * sizeof<T>(), a22);
  store<T>(state + 23 * sizeof<T>(), a23);
  store<T>(state + 24 * sizeof<T>(), a24);
}

/** keccak-f[1600] in place on 25 u64 lanes at `state` (lane x + 5y at byte 8(x + 5y)). */
export function keccakF1600(state: usize): void {
  keccakP<u64>(state, 24);
}

/** keccak-f[800] in place on 25 u32 lanes at `state` (22 rounds). */
export function keccakF800(state: usize): void {
  keccakP<u32>(state, 22);
}

/** Sponge scratch: the 200-byte keccak-f[1600] state. */
const SPONGE: usize = memory.data(200, 16);

/**
 * Keccak sponge over `len` bytes at `input` with rate `rate` bytes; writes `outLen` (<= rate)
 * bytes to `output`. Original Keccak padding: 0x01 after the message, 0x80 in the last rate byte.
 */
export function keccakSponge(input: usize, len: usize, rate: usize, output: usize, outLen: usize): void {
  memory.fill(SPONGE, 0, 200);
  let offset: usize = 0;
  while (offset + rate <= len) {
    for (let i: usize = 0; i < rate; i += 8) store<u64>(SPONGE + i, load<u64>(SPONGE + i) ^ load<u64>(input + offset + i));
    keccakF1600(SPONGE);
    offset += rate;
  }
  const rest = len - offset;
  for (let i: usize = 0; i < rest; i++) store<u8>(SPONGE + i, load<u8>(SPONGE + i) ^ load<u8>(input + offset + i));
  store<u8>(SPONGE + rest, load<u8>(SPONGE + rest) ^ 0x01);
  store<u8>(SPONGE + rate - 1, load<u8>(SPONGE + rate - 1) ^ 0x80);
  keccakF1600(SPONGE);
  memory.copy(output, SPONGE, outLen);
}

/** Keccak-256 (rate 136 bytes) of `len` bytes: 32 bytes to `output`. */
export function keccak256(input: usize, len: usize, output: usize): void {
  keccakSponge(input, len, 136, output, 32);
}

/** Keccak-512 (rate 72 bytes) of `len` bytes: 64 bytes to `output`. */
export function keccak512(input: usize, len: usize, output: usize): void {
  keccakSponge(input, len, 72, output, 64);
}

/** One-block state for keccak512of64. */
const K512: usize = memory.data(200, 16);

/**
 * Keccak-512 of exactly 64 bytes (one light-cache or dataset item): one block, so the padding
 * is constant (0x01 at byte 64, 0x80 at byte 71: lane 8 = 0x8000000000000001). `input` and
 * `output` may be the same address.
 */
@inline export function keccak512of64(input: usize, output: usize): void {
  memory.copy(K512, input, 64);
  store<u64>(K512, 0x8000000000000001, 64);
  memory.fill(K512 + 72, 0, 128);
  keccakF1600(K512);
  memory.copy(output, K512, 64);
}
