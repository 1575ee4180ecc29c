// Keccak permutations for KawPow, written out lane by lane (no arrays, no loops over lanes):
// llvmpipe/lavapipe turn dynamically indexed private arrays into slow scratch memory and cut
// every shader loop at 65,535 iterations, so only the round loops (24 and 22 iterations) remain.
//
// keccak-f[1600] (ethash: light cache, DAG items; keccak-512 with 0x01 .. 0x80 padding) holds each
// 64-bit lane as vec2<u32>(low, high). keccak-f[800] (ProgPoW's initial and final hashes) has
// 32-bit lanes. Lane (x, y) is a[x + 5y] in both, as in the reference code.

struct K1600 {
  a00: vec2<u32>,
  a01: vec2<u32>,
  a02: vec2<u32>,
  a03: vec2<u32>,
  a04: vec2<u32>,
  a05: vec2<u32>,
  a06: vec2<u32>,
  a07: vec2<u32>,
  a08: vec2<u32>,
  a09: vec2<u32>,
  a10: vec2<u32>,
  a11: vec2<u32>,
  a12: vec2<u32>,
  a13: vec2<u32>,
  a14: vec2<u32>,
  a15: vec2<u32>,
  a16: vec2<u32>,
  a17: vec2<u32>,
  a18: vec2<u32>,
  a19: vec2<u32>,
  a20: vec2<u32>,
  a21: vec2<u32>,
  a22: vec2<u32>,
  a23: vec2<u32>,
  a24: vec2<u32>,
}

const KECCAK_RC_1600 = array<vec2<u32>, 24>(
  vec2<u32>(0x00000001u, 0x00000000u), vec2<u32>(0x00008082u, 0x00000000u), vec2<u32>(0x0000808au, 0x80000000u),
  vec2<u32>(0x80008000u, 0x80000000u), vec2<u32>(0x0000808bu, 0x00000000u), vec2<u32>(0x80000001u, 0x00000000u),
  vec2<u32>(0x80008081u, 0x80000000u), vec2<u32>(0x00008009u, 0x80000000u), vec2<u32>(0x0000008au, 0x00000000u),
  vec2<u32>(0x00000088u, 0x00000000u), vec2<u32>(0x80008009u, 0x00000000u), vec2<u32>(0x8000000au, 0x00000000u),
  vec2<u32>(0x8000808bu, 0x00000000u), vec2<u32>(0x0000008bu, 0x80000000u), vec2<u32>(0x00008089u, 0x80000000u),
  vec2<u32>(0x00008003u, 0x80000000u), vec2<u32>(0x00008002u, 0x80000000u), vec2<u32>(0x00000080u, 0x80000000u),
  vec2<u32>(0x0000800au, 0x00000000u), vec2<u32>(0x8000000au, 0x80000000u), vec2<u32>(0x80008081u, 0x80000000u),
  vec2<u32>(0x00008080u, 0x80000000u), vec2<u32>(0x80000001u, 0x00000000u), vec2<u32>(0x80008008u, 0x80000000u),
);

// 64-bit rotations left by a constant n, as (low, high) pairs: n in 1..31, and 32 + n.
fn rotl64(v: vec2<u32>, n: u32) -> vec2<u32> {
  return vec2<u32>((v.x << n) | (v.y >> (32u - n)), (v.y << n) | (v.x >> (32u - n)));
}
fn rotl64_hi(v: vec2<u32>, n: u32) -> vec2<u32> {
  return vec2<u32>((v.y << n) | (v.x >> (32u - n)), (v.x << n) | (v.y >> (32u - n)));
}

fn keccak_f1600(s: ptr<function, K1600>) {
  var a00 = (*s).a00;
  var a01 = (*s).a01;
  var a02 = (*s).a02;
  var a03 = (*s).a03;
  var a04 = (*s).a04;
  var a05 = (*s).a05;
  var a06 = (*s).a06;
  var a07 = (*s).a07;
  var a08 = (*s).a08;
  var a09 = (*s).a09;
  var a10 = (*s).a10;
  var a11 = (*s).a11;
  var a12 = (*s).a12;
  var a13 = (*s).a13;
  var a14 = (*s).a14;
  var a15 = (*s).a15;
  var a16 = (*s).a16;
  var a17 = (*s).a17;
  var a18 = (*s).a18;
  var a19 = (*s).a19;
  var a20 = (*s).a20;
  var a21 = (*s).a21;
  var a22 = (*s).a22;
  var a23 = (*s).a23;
  var a24 = (*s).a24;
  for (var round = 0u; round < 24u; round++) {
    let c0 = a00 ^ a05 ^ a10 ^ a15 ^ a20;
    let c1 = a01 ^ a06 ^ a11 ^ a16 ^ a21;
    let c2 = a02 ^ a07 ^ a12 ^ a17 ^ a22;
    let c3 = a03 ^ a08 ^ a13 ^ a18 ^ a23;
    let c4 = a04 ^ a09 ^ a14 ^ a19 ^ a24;
    let d0 = c4 ^ rotl64(c1, 1u);
    let d1 = c0 ^ rotl64(c2, 1u);
    let d2 = c1 ^ rotl64(c3, 1u);
    let d3 = c2 ^ rotl64(c4, 1u);
    let d4 = c3 ^ rotl64(c0, 1u);
    let b00 = a00 ^ d0;
    let b01 = rotl64_hi(a06 ^ d1, 12u);
    let b02 = rotl64_hi(a12 ^ d2, 11u);
    let b03 = rotl64(a18 ^ d3, 21u);
    let b04 = rotl64(a24 ^ d4, 14u);
    let b05 = rotl64(a03 ^ d3, 28u);
    let b06 = rotl64(a09 ^ d4, 20u);
    let b07 = rotl64(a10 ^ d0, 3u);
    let b08 = rotl64_hi(a16 ^ d1, 13u);
    let b09 = rotl64_hi(a22 ^ d2, 29u);
    let b10 = rotl64(a01 ^ d1, 1u);
    let b11 = rotl64(a07 ^ d2, 6u);
    let b12 = rotl64(a13 ^ d3, 25u);
    let b13 = rotl64(a19 ^ d4, 8u);
    let b14 = rotl64(a20 ^ d0, 18u);
    let b15 = rotl64(a04 ^ d4, 27u);
    let b16 = rotl64_hi(a05 ^ d0, 4u);
    let b17 = rotl64(a11 ^ d1, 10u);
    let b18 = rotl64(a17 ^ d2, 15u);
    let b19 = rotl64_hi(a23 ^ d3, 24u);
    let b20 = rotl64_hi(a02 ^ d2, 30u);
    let b21 = rotl64_hi(a08 ^ d3, 23u);
    let b22 = rotl64_hi(a14 ^ d4, 7u);
    let b23 = rotl64_hi(a15 ^ d0, 9u);
    let b24 = rotl64(a21 ^ d1, 2u);
    a00 = b00 ^ (~b01 & b02);
    a01 = b01 ^ (~b02 & b03);
    a02 = b02 ^ (~b03 & b04);
    a03 = b03 ^ (~b04 & b00);
    a04 = b04 ^ (~b00 & b01);
    a05 = b05 ^ (~b06 & b07);
    a06 = b06 ^ (~b07 & b08);
    a07 = b07 ^ (~b08 & b09);
    a08 = b08 ^ (~b09 & b05);
    a09 = b09 ^ (~b05 & b06);
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
    a00 ^= KECCAK_RC_1600[round];
  }
  (*s).a00 = a00;
  (*s).a01 = a01;
  (*s).a02 = a02;
  (*s).a03 = a03;
  (*s).a04 = a04;
  (*s).a05 = a05;
  (*s).a06 = a06;
  (*s).a07 = a07;
  (*s).a08 = a08;
  (*s).a09 = a09;
  (*s).a10 = a10;
  (*s).a11 = a11;
  (*s).a12 = a12;
  (*s).a13 = a13;
  (*s).a14 = a14;
  (*s).a15 = a15;
  (*s).a16 = a16;
  (*s).a17 = a17;
  (*s).a18 = a18;
  (*s).a19 = a19;
  (*s).a20 = a20;
  (*s).a21 = a21;
  (*s).a22 = a22;
  (*s).a23 = a23;
  (*s).a24 = a24;
}

/** 64 bytes as 16 little-endian words: an ethash light-cache or dataset item. */
struct Mix {
  a: vec4<u32>,
  b: vec4<u32>,
  c: vec4<u32>,
  d: vec4<u32>,
}

/** keccak-512 of exactly 64 bytes (the 16 words of `m`, little-endian): one permutation. */
fn keccak512_64(m: Mix) -> Mix {
  var s: K1600;
  s.a00 = m.a.xy; s.a01 = m.a.zw; s.a02 = m.b.xy; s.a03 = m.b.zw;
  s.a04 = m.c.xy; s.a05 = m.c.zw; s.a06 = m.d.xy; s.a07 = m.d.zw;
  // Keccak padding of a 64-byte message in the 72-byte rate: 0x01 at byte 64, 0x80 at byte 71.
  s.a08 = vec2<u32>(0x00000001u, 0x80000000u);
  keccak_f1600(&s);
  return Mix(vec4<u32>(s.a00, s.a01), vec4<u32>(s.a02, s.a03), vec4<u32>(s.a04, s.a05), vec4<u32>(s.a06, s.a07));
}

struct K800 {
  a00: u32,
  a01: u32,
  a02: u32,
  a03: u32,
  a04: u32,
  a05: u32,
  a06: u32,
  a07: u32,
  a08: u32,
  a09: u32,
  a10: u32,
  a11: u32,
  a12: u32,
  a13: u32,
  a14: u32,
  a15: u32,
  a16: u32,
  a17: u32,
  a18: u32,
  a19: u32,
  a20: u32,
  a21: u32,
  a22: u32,
  a23: u32,
  a24: u32,
}

// The low halves of the first 22 keccak-f[1600] round constants.
const KECCAK_RC_800 = array<u32, 22>(
  0x00000001u, 0x00008082u, 0x0000808au, 0x80008000u, 0x0000808bu, 0x80000001u, 0x80008081u, 0x00008009u,
  0x0000008au, 0x00000088u, 0x80008009u, 0x8000000au, 0x8000808bu, 0x0000008bu, 0x00008089u, 0x00008003u,
  0x00008002u, 0x00000080u, 0x0000800au, 0x8000000au, 0x80008081u, 0x00008080u,
);

fn rotl32(v: u32, n: u32) -> u32 {
  return (v << (n & 31u)) | (v >> ((32u - n) & 31u));
}

fn keccak_f800(s: ptr<function, K800>) {
  var a00 = (*s).a00;
  var a01 = (*s).a01;
  var a02 = (*s).a02;
  var a03 = (*s).a03;
  var a04 = (*s).a04;
  var a05 = (*s).a05;
  var a06 = (*s).a06;
  var a07 = (*s).a07;
  var a08 = (*s).a08;
  var a09 = (*s).a09;
  var a10 = (*s).a10;
  var a11 = (*s).a11;
  var a12 = (*s).a12;
  var a13 = (*s).a13;
  var a14 = (*s).a14;
  var a15 = (*s).a15;
  var a16 = (*s).a16;
  var a17 = (*s).a17;
  var a18 = (*s).a18;
  var a19 = (*s).a19;
  var a20 = (*s).a20;
  var a21 = (*s).a21;
  var a22 = (*s).a22;
  var a23 = (*s).a23;
  var a24 = (*s).a24;
  for (var round = 0u; round < 22u; round++) {
    let c0 = a00 ^ a05 ^ a10 ^ a15 ^ a20;
    let c1 = a01 ^ a06 ^ a11 ^ a16 ^ a21;
    let c2 = a02 ^ a07 ^ a12 ^ a17 ^ a22;
    let c3 = a03 ^ a08 ^ a13 ^ a18 ^ a23;
    let c4 = a04 ^ a09 ^ a14 ^ a19 ^ a24;
    let d0 = c4 ^ rotl32(c1, 1u);
    let d1 = c0 ^ rotl32(c2, 1u);
    let d2 = c1 ^ rotl32(c3, 1u);
    let d3 = c2 ^ rotl32(c4, 1u);
    let d4 = c3 ^ rotl32(c0, 1u);
    let b00 = a00 ^ d0;
    let b01 = rotl32(a06 ^ d1, 12u);
    let b02 = rotl32(a12 ^ d2, 11u);
    let b03 = rotl32(a18 ^ d3, 21u);
    let b04 = rotl32(a24 ^ d4, 14u);
    let b05 = rotl32(a03 ^ d3, 28u);
    let b06 = rotl32(a09 ^ d4, 20u);
    let b07 = rotl32(a10 ^ d0, 3u);
    let b08 = rotl32(a16 ^ d1, 13u);
    let b09 = rotl32(a22 ^ d2, 29u);
    let b10 = rotl32(a01 ^ d1, 1u);
    let b11 = rotl32(a07 ^ d2, 6u);
    let b12 = rotl32(a13 ^ d3, 25u);
    let b13 = rotl32(a19 ^ d4, 8u);
    let b14 = rotl32(a20 ^ d0, 18u);
    let b15 = rotl32(a04 ^ d4, 27u);
    let b16 = rotl32(a05 ^ d0, 4u);
    let b17 = rotl32(a11 ^ d1, 10u);
    let b18 = rotl32(a17 ^ d2, 15u);
    let b19 = rotl32(a23 ^ d3, 24u);
    let b20 = rotl32(a02 ^ d2, 30u);
    let b21 = rotl32(a08 ^ d3, 23u);
    let b22 = rotl32(a14 ^ d4, 7u);
    let b23 = rotl32(a15 ^ d0, 9u);
    let b24 = rotl32(a21 ^ d1, 2u);
    a00 = b00 ^ (~b01 & b02);
    a01 = b01 ^ (~b02 & b03);
    a02 = b02 ^ (~b03 & b04);
    a03 = b03 ^ (~b04 & b00);
    a04 = b04 ^ (~b00 & b01);
    a05 = b05 ^ (~b06 & b07);
    a06 = b06 ^ (~b07 & b08);
    a07 = b07 ^ (~b08 & b09);
    a08 = b08 ^ (~b09 & b05);
    a09 = b09 ^ (~b05 & b06);
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
    a00 ^= KECCAK_RC_800[round];
  }
  (*s).a00 = a00;
  (*s).a01 = a01;
  (*s).a02 = a02;
  (*s).a03 = a03;
  (*s).a04 = a04;
  (*s).a05 = a05;
  (*s).a06 = a06;
  (*s).a07 = a07;
  (*s).a08 = a08;
  (*s).a09 = a09;
  (*s).a10 = a10;
  (*s).a11 = a11;
  (*s).a12 = a12;
  (*s).a13 = a13;
  (*s).a14 = a14;
  (*s).a15 = a15;
  (*s).a16 = a16;
  (*s).a17 = a17;
  (*s).a18 = a18;
  (*s).a19 = a19;
  (*s).a20 = a20;
  (*s).a21 = a21;
  (*s).a22 = a22;
  (*s).a23 = a23;
  (*s).a24 = a24;
}
