// What KawPow's two Keccak permutations need besides their round (keccak-permutation.wgsl,
// written once and made into keccak_f1600 and keccak_f800 by keccak-wgsl.ts): the round
// constants, the rotations of each lane width, and keccak-512 of a 64-byte message.
//
// keccak-f[1600] (ethash: light cache, DAG items; keccak-512 with 0x01 .. 0x80 padding) holds each
// 64-bit lane as vec2<u32>(low, high). keccak-f[800] (ProgPoW's initial and final hashes) has
// 32-bit lanes. Lane (x, y) is a[x + 5y] in both, as in the reference code.

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

// The low halves of the first 22 keccak-f[1600] round constants.
const KECCAK_RC_800 = array<u32, 22>(
  0x00000001u, 0x00008082u, 0x0000808au, 0x80008000u, 0x0000808bu, 0x80000001u, 0x80008081u, 0x00008009u,
  0x0000008au, 0x00000088u, 0x80008009u, 0x8000000au, 0x8000808bu, 0x0000008bu, 0x00008089u, 0x00008003u,
  0x00008002u, 0x00000080u, 0x0000800au, 0x8000000au, 0x80008081u, 0x00008080u,
);

fn rotl32(v: u32, n: u32) -> u32 {
  return (v << (n & 31u)) | (v >> ((32u - n) & 31u));
}

