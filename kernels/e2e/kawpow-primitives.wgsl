// Test entry points over the KawPow kernel's own functions (keccak-wgsl.ts, search.wgsl and the
// generated random_math), so that core's shared compliance suite can check them one step at a
// time against the published traces. Appended to a whole search module (kawpow-primitives.ts);
// binding 15 is free in every search layout. `io` holds inputs and outputs as described per
// entry point.

@group(0) @binding(15) var<storage, read_write> io: array<u32>;

// io[0..25]: a keccak-f800 state, permuted in place.
@compute @workgroup_size(1)
fn t_keccak_f800() {
  var s = K800(io[0], io[1], io[2], io[3], io[4], io[5], io[6], io[7], io[8], io[9], io[10], io[11], io[12],
    io[13], io[14], io[15], io[16], io[17], io[18], io[19], io[20], io[21], io[22], io[23], io[24]);
  keccak_f800(&s);
  io[0] = s.a00; io[1] = s.a01; io[2] = s.a02; io[3] = s.a03; io[4] = s.a04;
  io[5] = s.a05; io[6] = s.a06; io[7] = s.a07; io[8] = s.a08; io[9] = s.a09;
  io[10] = s.a10; io[11] = s.a11; io[12] = s.a12; io[13] = s.a13; io[14] = s.a14;
  io[15] = s.a15; io[16] = s.a16; io[17] = s.a17; io[18] = s.a18; io[19] = s.a19;
  io[20] = s.a20; io[21] = s.a21; io[22] = s.a22; io[23] = s.a23; io[24] = s.a24;
}

fn io_lane(o: u32) -> vec2<u32> {
  return vec2<u32>(io[o], io[o + 1u]);
}

// io[16 * i ..]: 64-byte messages (16 words each), replaced by their keccak-512; one per invocation.
@compute @workgroup_size(1)
fn t_keccak512(@builtin(workgroup_id) group: vec3<u32>) {
  let o = group.x * 16u;
  let m = keccak512_64(Mix(
    vec4<u32>(io[o], io[o + 1u], io[o + 2u], io[o + 3u]),
    vec4<u32>(io[o + 4u], io[o + 5u], io[o + 6u], io[o + 7u]),
    vec4<u32>(io[o + 8u], io[o + 9u], io[o + 10u], io[o + 11u]),
    vec4<u32>(io[o + 12u], io[o + 13u], io[o + 14u], io[o + 15u])));
  let w = array<vec4<u32>, 4>(m.a, m.b, m.c, m.d);
  for (var i = 0u; i < 4u; i++) {
    io[o + 4u * i] = w[i].x;
    io[o + 4u * i + 1u] = w[i].y;
    io[o + 4u * i + 2u] = w[i].z;
    io[o + 4u * i + 3u] = w[i].w;
  }
}

// io[0..8] header hash words, io[8..10] nonce (low, high) -> io[16..24] the seed words.
@compute @workgroup_size(1)
fn t_seed() {
  let s = kawpow_seed(vec4<u32>(io[0], io[1], io[2], io[3]), vec4<u32>(io[4], io[5], io[6], io[7]), vec2<u32>(io[8], io[9]));
  for (var i = 0u; i < 8u; i++) {
    io[16u + i] = s[i];
  }
}

// io[0..8] seed words, io[8..16] mix hash words -> io[16..24] the final hash words.
@compute @workgroup_size(1)
fn t_final() {
  var state2: array<u32, 8>;
  var mix: array<u32, 8>;
  for (var i = 0u; i < 8u; i++) {
    state2[i] = io[i];
    mix[i] = io[8u + i];
  }
  let f = kawpow_final(state2, mix);
  for (var i = 0u; i < 8u; i++) {
    io[16u + i] = f[i];
  }
}

// io[0], io[1] seed words -> io[16 + 32 * lane + r] the initial registers, one lane per invocation.
@compute @workgroup_size(16)
fn t_init_mix(@builtin(local_invocation_index) lane: u32) {
  let m = init_regs(io[0], io[1], lane);
  let o = 16u + 32u * lane;
  io[o] = m.r0; io[o + 1u] = m.r1; io[o + 2u] = m.r2; io[o + 3u] = m.r3;
  io[o + 4u] = m.r4; io[o + 5u] = m.r5; io[o + 6u] = m.r6; io[o + 7u] = m.r7;
  io[o + 8u] = m.r8; io[o + 9u] = m.r9; io[o + 10u] = m.r10; io[o + 11u] = m.r11;
  io[o + 12u] = m.r12; io[o + 13u] = m.r13; io[o + 14u] = m.r14; io[o + 15u] = m.r15;
  io[o + 16u] = m.r16; io[o + 17u] = m.r17; io[o + 18u] = m.r18; io[o + 19u] = m.r19;
  io[o + 20u] = m.r20; io[o + 21u] = m.r21; io[o + 22u] = m.r22; io[o + 23u] = m.r23;
  io[o + 24u] = m.r24; io[o + 25u] = m.r25; io[o + 26u] = m.r26; io[o + 27u] = m.r27;
  io[o + 28u] = m.r28; io[o + 29u] = m.r29; io[o + 30u] = m.r30; io[o + 31u] = m.r31;
}

// io[0..4] KISS99 state (z, w, jsr, jcong), carried between dispatches; io[4] outputs to draw
// (kept far below the 65,535-iteration loop limit of software adapters), io[5] where they go:
// io[8 + io[5] + i].
@compute @workgroup_size(1)
fn t_kiss99() {
  var k = Kiss(io[0], io[1], io[2], io[3]);
  let n = io[4];
  let o = 8u + io[5];
  for (var i = 0u; i < n; i++) {
    io[o + i] = kiss99(&k);
  }
  io[0] = k.z;
  io[1] = k.w;
  io[2] = k.jsr;
  io[3] = k.jcong;
}

// io[0] count; triples (a, b, selector) at io[8 + 3i ..] -> io[8 + 3 * count + i].
@compute @workgroup_size(1)
fn t_random_math() {
  let n = io[0];
  for (var i = 0u; i < n; i++) {
    let o = 8u + 3u * i;
    io[8u + 3u * n + i] = random_math(io[o], io[o + 1u], io[o + 2u]);
  }
}
