// One Keccak permutation, written once for both lane widths KawPow uses; keccak-wgsl.ts makes
// keccak_f1600 (Lane vec2<u32>, 24 rounds) and keccak_f800 (Lane u32, 22 rounds) from it by
// naming KeccakState, Lane, keccak_permute, KECCAK_ROUNDS and KECCAK_RC, and turning each
// rotl_lane(x, n) (n is the rho offset of 64-bit Keccak) into that width's rotation.
//
// Written out lane by lane (no arrays, no loops over lanes): llvmpipe/lavapipe turn dynamically
// indexed private arrays into slow scratch memory and cut every shader loop at 65,535
// iterations, so only the round loop remains.

struct KeccakState {
  a00: Lane,
  a01: Lane,
  a02: Lane,
  a03: Lane,
  a04: Lane,
  a05: Lane,
  a06: Lane,
  a07: Lane,
  a08: Lane,
  a09: Lane,
  a10: Lane,
  a11: Lane,
  a12: Lane,
  a13: Lane,
  a14: Lane,
  a15: Lane,
  a16: Lane,
  a17: Lane,
  a18: Lane,
  a19: Lane,
  a20: Lane,
  a21: Lane,
  a22: Lane,
  a23: Lane,
  a24: Lane,
}

fn keccak_permute(s: ptr<function, KeccakState>) {
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
  for (var round = 0u; round < KECCAK_ROUNDS; round++) {
    let c0 = a00 ^ a05 ^ a10 ^ a15 ^ a20;
    let c1 = a01 ^ a06 ^ a11 ^ a16 ^ a21;
    let c2 = a02 ^ a07 ^ a12 ^ a17 ^ a22;
    let c3 = a03 ^ a08 ^ a13 ^ a18 ^ a23;
    let c4 = a04 ^ a09 ^ a14 ^ a19 ^ a24;
    let d0 = c4 ^ rotl_lane(c1, 1u);
    let d1 = c0 ^ rotl_lane(c2, 1u);
    let d2 = c1 ^ rotl_lane(c3, 1u);
    let d3 = c2 ^ rotl_lane(c4, 1u);
    let d4 = c3 ^ rotl_lane(c0, 1u);
    let b00 = a00 ^ d0;
    let b01 = rotl_lane(a06 ^ d1, 44u);
    let b02 = rotl_lane(a12 ^ d2, 43u);
    let b03 = rotl_lane(a18 ^ d3, 21u);
    let b04 = rotl_lane(a24 ^ d4, 14u);
    let b05 = rotl_lane(a03 ^ d3, 28u);
    let b06 = rotl_lane(a09 ^ d4, 20u);
    let b07 = rotl_lane(a10 ^ d0, 3u);
    let b08 = rotl_lane(a16 ^ d1, 45u);
    let b09 = rotl_lane(a22 ^ d2, 61u);
    let b10 = rotl_lane(a01 ^ d1, 1u);
    let b11 = rotl_lane(a07 ^ d2, 6u);
    let b12 = rotl_lane(a13 ^ d3, 25u);
    let b13 = rotl_lane(a19 ^ d4, 8u);
    let b14 = rotl_lane(a20 ^ d0, 18u);
    let b15 = rotl_lane(a04 ^ d4, 27u);
    let b16 = rotl_lane(a05 ^ d0, 36u);
    let b17 = rotl_lane(a11 ^ d1, 10u);
    let b18 = rotl_lane(a17 ^ d2, 15u);
    let b19 = rotl_lane(a23 ^ d3, 56u);
    let b20 = rotl_lane(a02 ^ d2, 62u);
    let b21 = rotl_lane(a08 ^ d3, 55u);
    let b22 = rotl_lane(a14 ^ d4, 39u);
    let b23 = rotl_lane(a15 ^ d0, 41u);
    let b24 = rotl_lane(a21 ^ d1, 2u);
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
    a00 ^= KECCAK_RC[round];
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
