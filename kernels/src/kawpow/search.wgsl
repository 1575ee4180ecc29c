// KawPow nonce search: ProgPoW 0.9.4 with Ravencoin's keccak-f800 padding. Prefixed with the
// Keccak WGSL (keccak-wgsl.ts) and followed by the text search-program.ts generates for one
// period: the DAG bindings with `dag_load`, and `progpow_round`, the period's random cache/math/DAG merges
// written out with fixed register names.
//
// 16 invocations ("lanes") compute one hash together, as ProgPoW is designed for GPUs: each
// lane owns 32 registers, and the lanes meet in workgroup memory: once per round to broadcast
// register 0 of lane (round % 16) (it picks the round's DAG item), and at the start and the
// end, where invocation h of the workgroup runs the keccak-f800s of hash h for all its lanes
// (one SIMD pass then covers several hashes, not one). A workgroup holds GROUP_SIZE / 16 hashes.
// The L1 cache (the DAG's first 16 KiB) is copied into workgroup memory when L1_WORDS is 4096,
// and read from the first DAG binding when it is 1 (devices with less workgroup memory).
// Hashes meeting the target are appended to `hits` with an atomic counter.

/** Invocations per workgroup: a multiple of 16. */
override GROUP_SIZE: u32 = 64u;
/** 4096: L1 cache in workgroup memory; 1: read it from the DAG binding (no copy). */
override L1_WORDS: u32 = 4096u;
/** 2048-bit DAG items in each DAG binding but the last (dag-layout.ts). */
override DAG_ITEMS_PER_BINDING: u32 = 0x10000000u;

const LANES = 16u;
const REGS_ROUNDS = 64u;
const L1_CACHE_WORDS = 4096u;
const FNV_PRIME = 0x01000193u;
const FNV_OFFSET_BASIS = 0x811c9dc5u;
/** Hit slots in `hits` (search.ts's HIT_SLOTS). */
const HIT_SLOTS = 256u;
/** Words per hit: nonce low, nonce high, mix hash (8), final hash (8). */
const HIT_WORDS = 18u;

struct Params {
  /** Header hash as 8 little-endian words. */
  header: array<vec4<u32>, 2>,
  /** Share target, 8 words, most significant first. */
  share_target: array<vec4<u32>, 2>,
  /** First nonce of the dispatch (low, high). */
  start: vec2<u32>,
  /** Hashes in the dispatch. */
  count: u32,
  /** 2048-bit items ProgPoW addresses (the modulus of the item index). */
  dag_items: u32,
}

struct Hits {
  count: atomic<u32>,
  words: array<u32, HIT_SLOTS * HIT_WORDS>,
}

@group(0) @binding(0) var<uniform> params: Params;
@group(0) @binding(1) var<storage, read_write> hits: Hits;

var<workgroup> l1: array<u32, L1_WORDS>;
/** Register 0 of the round's source lane, double-buffered per hash: [hash * 2 + round % 2]. */
var<workgroup> broadcast: array<u32, GROUP_SIZE>;
/** Lane hashes at the end: [hash * 16 + lane]. */
var<workgroup> lane_hashes: array<u32, GROUP_SIZE>;
/** The first 8 words of each hash's initial keccak-f800: [hash * 8 + word] (seed, final input). */
var<workgroup> hash_state: array<u32, GROUP_SIZE>;

struct Regs {
  r0: u32, r1: u32, r2: u32, r3: u32, r4: u32, r5: u32, r6: u32, r7: u32,
  r8: u32, r9: u32, r10: u32, r11: u32, r12: u32, r13: u32, r14: u32, r15: u32,
  r16: u32, r17: u32, r18: u32, r19: u32, r20: u32, r21: u32, r22: u32, r23: u32,
  r24: u32, r25: u32, r26: u32, r27: u32, r28: u32, r29: u32, r30: u32, r31: u32,
}

fn fnv1a(u: u32, v: u32) -> u32 {
  return (u ^ v) * FNV_PRIME;
}

fn rotr32(v: u32, n: u32) -> u32 {
  return (v >> (n & 31u)) | (v << ((32u - n) & 31u));
}

/** High 32 bits of the 64-bit product of two u32. */
fn mul_hi(a: u32, b: u32) -> u32 {
  let a_lo = a & 0xffffu;
  let a_hi = a >> 16u;
  let b_lo = b & 0xffffu;
  let b_hi = b >> 16u;
  let lolo = a_lo * b_lo;
  let mid1 = a_hi * b_lo;
  let mid2 = a_lo * b_hi;
  let carry = ((lolo >> 16u) + (mid1 & 0xffffu) + (mid2 & 0xffffu)) >> 16u;
  return a_hi * b_hi + (mid1 >> 16u) + (mid2 >> 16u) + carry;
}

fn bswap(x: u32) -> u32 {
  return (x << 24u) | ((x & 0xff00u) << 8u) | ((x >> 8u) & 0xff00u) | (x >> 24u);
}

/** One L1 cache word (index < 4096). */
fn l1_word(i: u32) -> u32 {
  if (L1_WORDS == L1_CACHE_WORDS) {
    return l1[i];
  }
  return dag_l1_word(i);
}

struct Kiss {
  z: u32,
  w: u32,
  jsr: u32,
  jcong: u32,
}

fn kiss99(k: ptr<function, Kiss>) -> u32 {
  (*k).z = 36969u * ((*k).z & 0xffffu) + ((*k).z >> 16u);
  (*k).w = 18000u * ((*k).w & 0xffffu) + ((*k).w >> 16u);
  (*k).jcong = 69069u * (*k).jcong + 1234567u;
  var jsr = (*k).jsr;
  jsr ^= jsr << 17u;
  jsr ^= jsr >> 13u;
  jsr ^= jsr << 5u;
  (*k).jsr = jsr;
  return ((((*k).z << 16u) + (*k).w) ^ (*k).jcong) + jsr;
}

/** A lane's initial registers: KISS99 seeded from the hash seed and the lane number. */
fn init_regs(seed0: u32, seed1: u32, lane: u32) -> Regs {
  var k: Kiss;
  k.z = fnv1a(FNV_OFFSET_BASIS, seed0);
  k.w = fnv1a(k.z, seed1);
  k.jsr = fnv1a(k.w, lane);
  k.jcong = fnv1a(k.jsr, lane);
  var m: Regs;
  m.r0 = kiss99(&k); m.r1 = kiss99(&k); m.r2 = kiss99(&k); m.r3 = kiss99(&k);
  m.r4 = kiss99(&k); m.r5 = kiss99(&k); m.r6 = kiss99(&k); m.r7 = kiss99(&k);
  m.r8 = kiss99(&k); m.r9 = kiss99(&k); m.r10 = kiss99(&k); m.r11 = kiss99(&k);
  m.r12 = kiss99(&k); m.r13 = kiss99(&k); m.r14 = kiss99(&k); m.r15 = kiss99(&k);
  m.r16 = kiss99(&k); m.r17 = kiss99(&k); m.r18 = kiss99(&k); m.r19 = kiss99(&k);
  m.r20 = kiss99(&k); m.r21 = kiss99(&k); m.r22 = kiss99(&k); m.r23 = kiss99(&k);
  m.r24 = kiss99(&k); m.r25 = kiss99(&k); m.r26 = kiss99(&k); m.r27 = kiss99(&k);
  m.r28 = kiss99(&k); m.r29 = kiss99(&k); m.r30 = kiss99(&k); m.r31 = kiss99(&k);
  return m;
}

/** fnv1a of a lane's 32 registers, in order. */
fn lane_hash(m: Regs) -> u32 {
  var h = FNV_OFFSET_BASIS;
  h = fnv1a(h, m.r0); h = fnv1a(h, m.r1); h = fnv1a(h, m.r2); h = fnv1a(h, m.r3);
  h = fnv1a(h, m.r4); h = fnv1a(h, m.r5); h = fnv1a(h, m.r6); h = fnv1a(h, m.r7);
  h = fnv1a(h, m.r8); h = fnv1a(h, m.r9); h = fnv1a(h, m.r10); h = fnv1a(h, m.r11);
  h = fnv1a(h, m.r12); h = fnv1a(h, m.r13); h = fnv1a(h, m.r14); h = fnv1a(h, m.r15);
  h = fnv1a(h, m.r16); h = fnv1a(h, m.r17); h = fnv1a(h, m.r18); h = fnv1a(h, m.r19);
  h = fnv1a(h, m.r20); h = fnv1a(h, m.r21); h = fnv1a(h, m.r22); h = fnv1a(h, m.r23);
  h = fnv1a(h, m.r24); h = fnv1a(h, m.r25); h = fnv1a(h, m.r26); h = fnv1a(h, m.r27);
  h = fnv1a(h, m.r28); h = fnv1a(h, m.r29); h = fnv1a(h, m.r30); h = fnv1a(h, m.r31);
  return h;
}

/** hash <= target, the hash's words taken as bytes of a big-endian number (display order). */
fn meets_target(f: array<u32, 8>) -> bool {
  let t0 = params.share_target[0];
  let t1 = params.share_target[1];
  let h = array<u32, 8>(bswap(f[0]), bswap(f[1]), bswap(f[2]), bswap(f[3]), bswap(f[4]), bswap(f[5]), bswap(f[6]), bswap(f[7]));
  let t = array<u32, 8>(t0.x, t0.y, t0.z, t0.w, t1.x, t1.y, t1.z, t1.w);
  for (var i = 0u; i < 8u; i++) {
    if (h[i] != t[i]) {
      return h[i] < t[i];
    }
  }
  return true;
}

/**
 * The first keccak-f800: header hash (8 words), nonce (low, high), the 15 Ravencoin padding
 * words. Its first 8 words seed the lanes (words 0 and 1) and enter the final hash.
 */
fn kawpow_seed(h0: vec4<u32>, h1: vec4<u32>, nonce: vec2<u32>) -> array<u32, 8> {
  var k = K800(h0.x, h0.y, h0.z, h0.w, h1.x, h1.y, h1.z, h1.w, nonce.x, nonce.y,
    0x72u, 0x41u, 0x56u, 0x45u, 0x4eu, 0x43u, 0x4fu, 0x49u, 0x4eu, 0x4bu, 0x41u, 0x57u, 0x50u, 0x4fu, 0x57u);
  keccak_f800(&k);
  return array<u32, 8>(k.a00, k.a01, k.a02, k.a03, k.a04, k.a05, k.a06, k.a07);
}

/** The final keccak-f800: the seed's 8 words, the mix hash, 9 padding words; its first 8 words. */
fn kawpow_final(state2: array<u32, 8>, mix: array<u32, 8>) -> array<u32, 8> {
  var f = K800(state2[0], state2[1], state2[2], state2[3], state2[4], state2[5], state2[6], state2[7],
    mix[0], mix[1], mix[2], mix[3], mix[4], mix[5], mix[6], mix[7],
    0x72u, 0x41u, 0x56u, 0x45u, 0x4eu, 0x43u, 0x4fu, 0x49u, 0x4eu);
  keccak_f800(&f);
  return array<u32, 8>(f.a00, f.a01, f.a02, f.a03, f.a04, f.a05, f.a06, f.a07);
}

/** Nonce `index` of the dispatch as (low, high). */
fn nonce_at(index: u32) -> vec2<u32> {
  let lo = params.start.x + index;
  return vec2<u32>(lo, params.start.y + select(0u, 1u, lo < params.start.x));
}

@compute @workgroup_size(GROUP_SIZE)
fn search(@builtin(local_invocation_index) local: u32, @builtin(workgroup_id) group: vec3<u32>) {
  let hashes = GROUP_SIZE / LANES;
  let lane = local % LANES;
  let slot = local / LANES;

  // The keccak-f800 of header hash, nonce and padding: invocation h computes it for hash h of
  // the workgroup (so one SIMD pass covers several hashes) and shares the 8 words that matter.
  if (local < hashes) {
    let seed = kawpow_seed(params.header[0], params.header[1], nonce_at(group.x * hashes + local));
    for (var i = 0u; i < 8u; i++) {
      hash_state[local * 8u + i] = seed[i];
    }
  }
  if (L1_WORDS == L1_CACHE_WORDS) {
    for (var i = local; i < L1_CACHE_WORDS / 4u; i += GROUP_SIZE) {
      let v = dag_l1_vec4(i);
      l1[i * 4u] = v.x;
      l1[i * 4u + 1u] = v.y;
      l1[i * 4u + 2u] = v.z;
      l1[i * 4u + 3u] = v.w;
    }
  }
  workgroupBarrier();

  var m = init_regs(hash_state[slot * 8u], hash_state[slot * 8u + 1u], lane);
  let shared_base = slot * 2u;
  for (var r = 0u; r < REGS_ROUNDS; r++) {
    if (lane == r % LANES) {
      broadcast[shared_base + (r & 1u)] = m.r0;
    }
    workgroupBarrier();
    let item = broadcast[shared_base + (r & 1u)] % params.dag_items;
    let data = dag_load(item, (lane ^ r) % LANES);
    progpow_round(&m, data);
  }
  lane_hashes[local] = lane_hash(m);
  workgroupBarrier();

  // The mix hash and the final keccak-f800: again invocation h for hash h.
  let index = group.x * hashes + local;
  if (local >= hashes || index >= params.count) {
    return;
  }
  let b = local * LANES;
  let s = local * 8u;
  var mix: array<u32, 8>;
  for (var i = 0u; i < 8u; i++) {
    mix[i] = fnv1a(fnv1a(FNV_OFFSET_BASIS, lane_hashes[b + i]), lane_hashes[b + i + 8u]);
  }
  var state2: array<u32, 8>;
  for (var i = 0u; i < 8u; i++) {
    state2[i] = hash_state[s + i];
  }
  let fin = kawpow_final(state2, mix);
  if (!meets_target(fin)) {
    return;
  }
  let n = atomicAdd(&hits.count, 1u);
  if (n >= HIT_SLOTS) {
    return;
  }
  let nonce = nonce_at(index);
  let o = n * HIT_WORDS;
  hits.words[o] = nonce.x;
  hits.words[o + 1u] = nonce.y;
  for (var i = 0u; i < 8u; i++) {
    hits.words[o + 2u + i] = mix[i];
    hits.words[o + 10u + i] = fin[i];
  }
}
