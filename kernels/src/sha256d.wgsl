// SHA-256d nonce search for 80-byte block headers (Bitcoin family).
//
// The host (sha256d.ts) does everything that is the same for every nonce of a job once:
//   - the midstate: the SHA-256 state after the first 64 header bytes;
//   - rounds 0..2 of the second block, whose message words W0..W2 (the end of the merkle root,
//     the time, nbits) do not depend on the nonce;
//   - the parts of round 3 that do not involve W3 (the nonce word).
// Each invocation then hashes NONCES_PER_INVOCATION consecutive nonces, compares the hash with
// the target here on the GPU and appends hits to `found` through an atomic counter, so the host
// reads back a counter and a handful of hits instead of hashes.
//
// Rounds are written out in full rather than looped over arrays: software adapters (llvmpipe,
// lavapipe) run an unrolled compression with every word in a register about 20x faster than a
// loop indexing `array<u32, 64>`, and they silently cut every shader loop at 65,535 iterations,
// so the only loop here is the short per-invocation nonce loop.

// Invocations per workgroup (x only). The host checks it against the device's limits.
override WORKGROUP_SIZE: u32 = 64u;
// Consecutive nonces one invocation hashes; keep it far below 65,535 (see above).
override NONCES_PER_INVOCATION: u32 = 32u;

struct Params {
  // SHA-256 state after block 1 (header bytes 0..63), H0..H7.
  midstate: array<vec4<u32>, 2>,
  // Working variables a..h after rounds 0..2 of block 2.
  state3: array<vec4<u32>, 2>,
  // x, y, z: block-2 message words W0..W2 (header bytes 64..75, big-endian words).
  block2: vec4<u32>,
  // x: round 3's T1 without W3 (h + S1(e) + Ch(e,f,g) + K3); y: round 3's T2 (S0(a) + Maj(a,b,c)).
  round3: vec4<u32>,
  // The target as 8 words, most significant first (core's targetToWords).
  target_words: array<vec4<u32>, 2>,
  // x: first nonce of this dispatch; y: nonces in this dispatch.
  dispatch: vec4<u32>,
}

struct Hit {
  nonce: u32,
  // Final SHA-256d state H0..H7: the hash in internal byte order as big-endian words.
  hash: array<u32, 8>,
}

struct Found {
  // Hits seen in this dispatch, including those that did not fit in `hits`.
  count: atomic<u32>,
  hits: array<Hit>,
}

@group(0) @binding(0) var<uniform> params: Params;
@group(0) @binding(1) var<storage, read_write> found: Found;

// SHA-256 working variables.
struct State {
  a: u32, b: u32, c: u32, d: u32, e: u32, f: u32, g: u32, h: u32,
}

fn rotr(x: u32, n: u32) -> u32 { return (x >> n) | (x << (32u - n)); }
fn big_sigma0(x: u32) -> u32 { return rotr(x, 2u) ^ rotr(x, 13u) ^ rotr(x, 22u); }
fn big_sigma1(x: u32) -> u32 { return rotr(x, 6u) ^ rotr(x, 11u) ^ rotr(x, 25u); }
fn small_sigma0(x: u32) -> u32 { return rotr(x, 7u) ^ rotr(x, 18u) ^ (x >> 3u); }
fn small_sigma1(x: u32) -> u32 { return rotr(x, 17u) ^ rotr(x, 19u) ^ (x >> 10u); }
// Ch and Maj in their 3-operation forms.
fn ch(e: u32, f: u32, g: u32) -> u32 { return g ^ (e & (f ^ g)); }
fn maj(a: u32, b: u32, c: u32) -> u32 { return (a & b) | (c & (a | b)); }

// One SHA-256 round; `kw` is K[i] + W[i]. The moves cost nothing once compiled to registers.
fn rnd(s: ptr<function, State>, kw: u32) {
  let t1 = (*s).h + big_sigma1((*s).e) + ch((*s).e, (*s).f, (*s).g) + kw;
  let t2 = big_sigma0((*s).a) + maj((*s).a, (*s).b, (*s).c);
  (*s).h = (*s).g;
  (*s).g = (*s).f;
  (*s).f = (*s).e;
  (*s).e = (*s).d + t1;
  (*s).d = (*s).c;
  (*s).c = (*s).b;
  (*s).b = (*s).a;
  (*s).a = t1 + t2;
}

fn bswap(x: u32) -> u32 {
  return (x << 24u) | ((x & 0xff00u) << 8u) | ((x >> 8u) & 0xff00u) | (x >> 24u);
}

// -1, 0 or 1 as x is below, equal to or above t.
fn cmp_word(x: u32, t: u32) -> i32 { return select(select(0, 1, x > t), -1, x < t); }

// The hash, read as a little-endian uint256, is <= the target. Its most significant 32 bits
// are bswap(H7), the next bswap(H6), and so on down to bswap(H0).
fn meets_target(h: State) -> bool {
  let t0 = params.target_words[0];
  let t1 = params.target_words[1];
  var c = cmp_word(bswap(h.h), t0.x);
  c = select(c, cmp_word(bswap(h.g), t0.y), c == 0);
  c = select(c, cmp_word(bswap(h.f), t0.z), c == 0);
  c = select(c, cmp_word(bswap(h.e), t0.w), c == 0);
  c = select(c, cmp_word(bswap(h.d), t1.x), c == 0);
  c = select(c, cmp_word(bswap(h.c), t1.y), c == 0);
  c = select(c, cmp_word(bswap(h.b), t1.z), c == 0);
  c = select(c, cmp_word(bswap(h.a), t1.w), c == 0);
  return c <= 0;
}

fn record_hit(nonce: u32, h: State) {
  let slot = atomicAdd(&found.count, 1u);
  if (slot < arrayLength(&found.hits)) {
    found.hits[slot].nonce = nonce;
    found.hits[slot].hash = array<u32, 8>(h.a, h.b, h.c, h.d, h.e, h.f, h.g, h.h);
  }
}

fn try_nonce(nonce: u32) {
  // ---- SHA-256 block 2 of the header, from the state after round 2 --------------------------
  // Message: W0..W2 from the host, W3 = the nonce (stored little-endian, read big-endian),
  // then padding for an 80-byte message: 0x80000000, zeros, length 640 bits.
  var w0 = params.block2.x;
  var w1 = params.block2.y;
  var w2 = params.block2.z;
  var w3 = bswap(nonce);
  var w4 = 0x80000000u;
  var w5 = 0u; var w6 = 0u; var w7 = 0u; var w8 = 0u; var w9 = 0u;
  var w10 = 0u; var w11 = 0u; var w12 = 0u; var w13 = 0u; var w14 = 0u;
  var w15 = 640u;

  let m0 = params.midstate[0];
  let m1 = params.midstate[1];
  let s3a = params.state3[0];
  let s3b = params.state3[1];
  var s = State(s3a.x, s3a.y, s3a.z, s3a.w, s3b.x, s3b.y, s3b.z, s3b.w);
  // Round 3 with its nonce-independent parts precomputed.
  let r3t1 = params.round3.x + w3;
  s = State(r3t1 + params.round3.y, s.a, s.b, s.c, s.d + r3t1, s.e, s.f, s.g);
  rnd(&s, 0x3956c25bu + w4);
  rnd(&s, 0x59f111f1u + w5);
  rnd(&s, 0x923f82a4u + w6);
  rnd(&s, 0xab1c5ed5u + w7);
  rnd(&s, 0xd807aa98u + w8);
  rnd(&s, 0x12835b01u + w9);
  rnd(&s, 0x243185beu + w10);
  rnd(&s, 0x550c7dc3u + w11);
  rnd(&s, 0x72be5d74u + w12);
  rnd(&s, 0x80deb1feu + w13);
  rnd(&s, 0x9bdc06a7u + w14);
  rnd(&s, 0xc19bf174u + w15);
  // Rounds 16..63: wN holds W[i] for i = N (mod 16) and is expanded in place.
  w0 += small_sigma0(w1) + w9 + small_sigma1(w14); rnd(&s, 0xe49b69c1u + w0);
  w1 += small_sigma0(w2) + w10 + small_sigma1(w15); rnd(&s, 0xefbe4786u + w1);
  w2 += small_sigma0(w3) + w11 + small_sigma1(w0); rnd(&s, 0x0fc19dc6u + w2);
  w3 += small_sigma0(w4) + w12 + small_sigma1(w1); rnd(&s, 0x240ca1ccu + w3);
  w4 += small_sigma0(w5) + w13 + small_sigma1(w2); rnd(&s, 0x2de92c6fu + w4);
  w5 += small_sigma0(w6) + w14 + small_sigma1(w3); rnd(&s, 0x4a7484aau + w5);
  w6 += small_sigma0(w7) + w15 + small_sigma1(w4); rnd(&s, 0x5cb0a9dcu + w6);
  w7 += small_sigma0(w8) + w0 + small_sigma1(w5); rnd(&s, 0x76f988dau + w7);
  w8 += small_sigma0(w9) + w1 + small_sigma1(w6); rnd(&s, 0x983e5152u + w8);
  w9 += small_sigma0(w10) + w2 + small_sigma1(w7); rnd(&s, 0xa831c66du + w9);
  w10 += small_sigma0(w11) + w3 + small_sigma1(w8); rnd(&s, 0xb00327c8u + w10);
  w11 += small_sigma0(w12) + w4 + small_sigma1(w9); rnd(&s, 0xbf597fc7u + w11);
  w12 += small_sigma0(w13) + w5 + small_sigma1(w10); rnd(&s, 0xc6e00bf3u + w12);
  w13 += small_sigma0(w14) + w6 + small_sigma1(w11); rnd(&s, 0xd5a79147u + w13);
  w14 += small_sigma0(w15) + w7 + small_sigma1(w12); rnd(&s, 0x06ca6351u + w14);
  w15 += small_sigma0(w0) + w8 + small_sigma1(w13); rnd(&s, 0x14292967u + w15);
  w0 += small_sigma0(w1) + w9 + small_sigma1(w14); rnd(&s, 0x27b70a85u + w0);
  w1 += small_sigma0(w2) + w10 + small_sigma1(w15); rnd(&s, 0x2e1b2138u + w1);
  w2 += small_sigma0(w3) + w11 + small_sigma1(w0); rnd(&s, 0x4d2c6dfcu + w2);
  w3 += small_sigma0(w4) + w12 + small_sigma1(w1); rnd(&s, 0x53380d13u + w3);
  w4 += small_sigma0(w5) + w13 + small_sigma1(w2); rnd(&s, 0x650a7354u + w4);
  w5 += small_sigma0(w6) + w14 + small_sigma1(w3); rnd(&s, 0x766a0abbu + w5);
  w6 += small_sigma0(w7) + w15 + small_sigma1(w4); rnd(&s, 0x81c2c92eu + w6);
  w7 += small_sigma0(w8) + w0 + small_sigma1(w5); rnd(&s, 0x92722c85u + w7);
  w8 += small_sigma0(w9) + w1 + small_sigma1(w6); rnd(&s, 0xa2bfe8a1u + w8);
  w9 += small_sigma0(w10) + w2 + small_sigma1(w7); rnd(&s, 0xa81a664bu + w9);
  w10 += small_sigma0(w11) + w3 + small_sigma1(w8); rnd(&s, 0xc24b8b70u + w10);
  w11 += small_sigma0(w12) + w4 + small_sigma1(w9); rnd(&s, 0xc76c51a3u + w11);
  w12 += small_sigma0(w13) + w5 + small_sigma1(w10); rnd(&s, 0xd192e819u + w12);
  w13 += small_sigma0(w14) + w6 + small_sigma1(w11); rnd(&s, 0xd6990624u + w13);
  w14 += small_sigma0(w15) + w7 + small_sigma1(w12); rnd(&s, 0xf40e3585u + w14);
  w15 += small_sigma0(w0) + w8 + small_sigma1(w13); rnd(&s, 0x106aa070u + w15);
  w0 += small_sigma0(w1) + w9 + small_sigma1(w14); rnd(&s, 0x19a4c116u + w0);
  w1 += small_sigma0(w2) + w10 + small_sigma1(w15); rnd(&s, 0x1e376c08u + w1);
  w2 += small_sigma0(w3) + w11 + small_sigma1(w0); rnd(&s, 0x2748774cu + w2);
  w3 += small_sigma0(w4) + w12 + small_sigma1(w1); rnd(&s, 0x34b0bcb5u + w3);
  w4 += small_sigma0(w5) + w13 + small_sigma1(w2); rnd(&s, 0x391c0cb3u + w4);
  w5 += small_sigma0(w6) + w14 + small_sigma1(w3); rnd(&s, 0x4ed8aa4au + w5);
  w6 += small_sigma0(w7) + w15 + small_sigma1(w4); rnd(&s, 0x5b9cca4fu + w6);
  w7 += small_sigma0(w8) + w0 + small_sigma1(w5); rnd(&s, 0x682e6ff3u + w7);
  w8 += small_sigma0(w9) + w1 + small_sigma1(w6); rnd(&s, 0x748f82eeu + w8);
  w9 += small_sigma0(w10) + w2 + small_sigma1(w7); rnd(&s, 0x78a5636fu + w9);
  w10 += small_sigma0(w11) + w3 + small_sigma1(w8); rnd(&s, 0x84c87814u + w10);
  w11 += small_sigma0(w12) + w4 + small_sigma1(w9); rnd(&s, 0x8cc70208u + w11);
  w12 += small_sigma0(w13) + w5 + small_sigma1(w10); rnd(&s, 0x90befffau + w12);
  w13 += small_sigma0(w14) + w6 + small_sigma1(w11); rnd(&s, 0xa4506cebu + w13);
  w14 += small_sigma0(w15) + w7 + small_sigma1(w12); rnd(&s, 0xbef9a3f7u + w14);
  w15 += small_sigma0(w0) + w8 + small_sigma1(w13); rnd(&s, 0xc67178f2u + w15);

  // ---- SHA-256 of the 32-byte first hash: one block from the initial value -------------------
  // Message: H = midstate + state, then padding for a 32-byte message: 0x80000000, zeros, 256.
  w0 = m0.x + s.a;
  w1 = m0.y + s.b;
  w2 = m0.z + s.c;
  w3 = m0.w + s.d;
  w4 = m1.x + s.e;
  w5 = m1.y + s.f;
  w6 = m1.z + s.g;
  w7 = m1.w + s.h;
  w8 = 0x80000000u;
  w9 = 0u; w10 = 0u; w11 = 0u; w12 = 0u; w13 = 0u; w14 = 0u;
  w15 = 256u;
  s = State(0x6a09e667u, 0xbb67ae85u, 0x3c6ef372u, 0xa54ff53au, 0x510e527fu, 0x9b05688cu, 0x1f83d9abu, 0x5be0cd19u);
  rnd(&s, 0x428a2f98u + w0);
  rnd(&s, 0x71374491u + w1);
  rnd(&s, 0xb5c0fbcfu + w2);
  rnd(&s, 0xe9b5dba5u + w3);
  rnd(&s, 0x3956c25bu + w4);
  rnd(&s, 0x59f111f1u + w5);
  rnd(&s, 0x923f82a4u + w6);
  rnd(&s, 0xab1c5ed5u + w7);
  rnd(&s, 0xd807aa98u + w8);
  rnd(&s, 0x12835b01u + w9);
  rnd(&s, 0x243185beu + w10);
  rnd(&s, 0x550c7dc3u + w11);
  rnd(&s, 0x72be5d74u + w12);
  rnd(&s, 0x80deb1feu + w13);
  rnd(&s, 0x9bdc06a7u + w14);
  rnd(&s, 0xc19bf174u + w15);
  w0 += small_sigma0(w1) + w9 + small_sigma1(w14); rnd(&s, 0xe49b69c1u + w0);
  w1 += small_sigma0(w2) + w10 + small_sigma1(w15); rnd(&s, 0xefbe4786u + w1);
  w2 += small_sigma0(w3) + w11 + small_sigma1(w0); rnd(&s, 0x0fc19dc6u + w2);
  w3 += small_sigma0(w4) + w12 + small_sigma1(w1); rnd(&s, 0x240ca1ccu + w3);
  w4 += small_sigma0(w5) + w13 + small_sigma1(w2); rnd(&s, 0x2de92c6fu + w4);
  w5 += small_sigma0(w6) + w14 + small_sigma1(w3); rnd(&s, 0x4a7484aau + w5);
  w6 += small_sigma0(w7) + w15 + small_sigma1(w4); rnd(&s, 0x5cb0a9dcu + w6);
  w7 += small_sigma0(w8) + w0 + small_sigma1(w5); rnd(&s, 0x76f988dau + w7);
  w8 += small_sigma0(w9) + w1 + small_sigma1(w6); rnd(&s, 0x983e5152u + w8);
  w9 += small_sigma0(w10) + w2 + small_sigma1(w7); rnd(&s, 0xa831c66du + w9);
  w10 += small_sigma0(w11) + w3 + small_sigma1(w8); rnd(&s, 0xb00327c8u + w10);
  w11 += small_sigma0(w12) + w4 + small_sigma1(w9); rnd(&s, 0xbf597fc7u + w11);
  w12 += small_sigma0(w13) + w5 + small_sigma1(w10); rnd(&s, 0xc6e00bf3u + w12);
  w13 += small_sigma0(w14) + w6 + small_sigma1(w11); rnd(&s, 0xd5a79147u + w13);
  w14 += small_sigma0(w15) + w7 + small_sigma1(w12); rnd(&s, 0x06ca6351u + w14);
  w15 += small_sigma0(w0) + w8 + small_sigma1(w13); rnd(&s, 0x14292967u + w15);
  w0 += small_sigma0(w1) + w9 + small_sigma1(w14); rnd(&s, 0x27b70a85u + w0);
  w1 += small_sigma0(w2) + w10 + small_sigma1(w15); rnd(&s, 0x2e1b2138u + w1);
  w2 += small_sigma0(w3) + w11 + small_sigma1(w0); rnd(&s, 0x4d2c6dfcu + w2);
  w3 += small_sigma0(w4) + w12 + small_sigma1(w1); rnd(&s, 0x53380d13u + w3);
  w4 += small_sigma0(w5) + w13 + small_sigma1(w2); rnd(&s, 0x650a7354u + w4);
  w5 += small_sigma0(w6) + w14 + small_sigma1(w3); rnd(&s, 0x766a0abbu + w5);
  w6 += small_sigma0(w7) + w15 + small_sigma1(w4); rnd(&s, 0x81c2c92eu + w6);
  w7 += small_sigma0(w8) + w0 + small_sigma1(w5); rnd(&s, 0x92722c85u + w7);
  w8 += small_sigma0(w9) + w1 + small_sigma1(w6); rnd(&s, 0xa2bfe8a1u + w8);
  w9 += small_sigma0(w10) + w2 + small_sigma1(w7); rnd(&s, 0xa81a664bu + w9);
  w10 += small_sigma0(w11) + w3 + small_sigma1(w8); rnd(&s, 0xc24b8b70u + w10);
  w11 += small_sigma0(w12) + w4 + small_sigma1(w9); rnd(&s, 0xc76c51a3u + w11);
  w12 += small_sigma0(w13) + w5 + small_sigma1(w10); rnd(&s, 0xd192e819u + w12);
  w13 += small_sigma0(w14) + w6 + small_sigma1(w11); rnd(&s, 0xd6990624u + w13);
  w14 += small_sigma0(w15) + w7 + small_sigma1(w12); rnd(&s, 0xf40e3585u + w14);
  w15 += small_sigma0(w0) + w8 + small_sigma1(w13); rnd(&s, 0x106aa070u + w15);
  w0 += small_sigma0(w1) + w9 + small_sigma1(w14); rnd(&s, 0x19a4c116u + w0);
  w1 += small_sigma0(w2) + w10 + small_sigma1(w15); rnd(&s, 0x1e376c08u + w1);
  w2 += small_sigma0(w3) + w11 + small_sigma1(w0); rnd(&s, 0x2748774cu + w2);
  w3 += small_sigma0(w4) + w12 + small_sigma1(w1); rnd(&s, 0x34b0bcb5u + w3);
  w4 += small_sigma0(w5) + w13 + small_sigma1(w2); rnd(&s, 0x391c0cb3u + w4);
  w5 += small_sigma0(w6) + w14 + small_sigma1(w3); rnd(&s, 0x4ed8aa4au + w5);
  w6 += small_sigma0(w7) + w15 + small_sigma1(w4); rnd(&s, 0x5b9cca4fu + w6);
  w7 += small_sigma0(w8) + w0 + small_sigma1(w5); rnd(&s, 0x682e6ff3u + w7);
  w8 += small_sigma0(w9) + w1 + small_sigma1(w6); rnd(&s, 0x748f82eeu + w8);
  w9 += small_sigma0(w10) + w2 + small_sigma1(w7); rnd(&s, 0x78a5636fu + w9);
  w10 += small_sigma0(w11) + w3 + small_sigma1(w8); rnd(&s, 0x84c87814u + w10);
  w11 += small_sigma0(w12) + w4 + small_sigma1(w9); rnd(&s, 0x8cc70208u + w11);
  w12 += small_sigma0(w13) + w5 + small_sigma1(w10); rnd(&s, 0x90befffau + w12);

  // Early out. After round 60, e becomes h three rounds later, so the final H7 is already
  // known: H7 = IV7 + e. Its byte swap is the hash's top 32 bits; if those exceed the target's
  // top word the nonce cannot hit, and rounds 61..63 are skipped (nearly every nonce).
  if (bswap(0x5be0cd19u + s.e) > params.target_words[0].x) {
    return;
  }
  w13 += small_sigma0(w14) + w6 + small_sigma1(w11); rnd(&s, 0xa4506cebu + w13);
  w14 += small_sigma0(w15) + w7 + small_sigma1(w12); rnd(&s, 0xbef9a3f7u + w14);
  w15 += small_sigma0(w0) + w8 + small_sigma1(w13); rnd(&s, 0xc67178f2u + w15);
  let h = State(
    0x6a09e667u + s.a, 0xbb67ae85u + s.b, 0x3c6ef372u + s.c, 0xa54ff53au + s.d,
    0x510e527fu + s.e, 0x9b05688cu + s.f, 0x1f83d9abu + s.g, 0x5be0cd19u + s.h,
  );
  if (meets_target(h)) {
    record_hit(nonce, h);
  }
}

@compute @workgroup_size(WORKGROUP_SIZE)
fn search(@builtin(global_invocation_id) id: vec3<u32>) {
  // Invocation i takes nonces [first + i * N, first + (i + 1) * N) of the dispatch; the host
  // keeps dispatches small enough that these offsets fit in a u32.
  let base = id.x * NONCES_PER_INVOCATION;
  let count = params.dispatch.y;
  for (var i = 0u; i < NONCES_PER_INVOCATION; i++) {
    let offset = base + i;
    if (offset >= count) {
      break;
    }
    try_nonce(params.dispatch.x + offset);
  }
}
