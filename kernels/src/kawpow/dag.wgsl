// KawPow DAG (ethash full dataset) generation: one invocation computes one 512-bit dataset
// item from the epoch's light cache, as ethash's calculate_dataset_item_512 with KawPow's 512
// parents. Prefixed with the Keccak WGSL (keccak-wgsl.ts) by the host (dag.ts).
//
// A dispatch covers items [first_item, first_item + item_count) and writes them into one DAG
// buffer starting at item out_offset; the host cuts chunks at buffer boundaries, so a chunk
// never straddles two buffers of a split DAG.

/** Parents mixed into every item (KawPow; ethash uses 256). */
const DAG_PARENTS = 512u;
/** FNV-1 prime (ethash's fnv1). */
const FNV_PRIME = 0x01000193u;

override WORKGROUP_SIZE: u32 = 64u;

struct DagParams {
  /** Index of the first item of this dispatch in the whole dataset. */
  first_item: u32,
  /** Items in this dispatch (the last workgroup may be partial). */
  item_count: u32,
  /** Where the first item goes in `dag` (in items). */
  out_offset: u32,
  /** 512-bit items in the light cache. */
  cache_items: u32,
}

@group(0) @binding(0) var<uniform> params: DagParams;
@group(0) @binding(1) var<storage, read> cache: array<vec4<u32>>;
@group(0) @binding(2) var<storage, read_write> dag: array<vec4<u32>>;

/** One parent round: `word` is mix word (round % 16), read before the round changes it. */
fn parent(m: ptr<function, Mix>, seed: u32, word: u32) {
  let p = (((seed * FNV_PRIME) ^ word) % params.cache_items) * 4u;
  (*m).a = ((*m).a * FNV_PRIME) ^ cache[p];
  (*m).b = ((*m).b * FNV_PRIME) ^ cache[p + 1u];
  (*m).c = ((*m).c * FNV_PRIME) ^ cache[p + 2u];
  (*m).d = ((*m).d * FNV_PRIME) ^ cache[p + 3u];
}

@compute @workgroup_size(WORKGROUP_SIZE)
fn generate(@builtin(global_invocation_id) gid: vec3<u32>) {
  let i = gid.x;
  if (i >= params.item_count) {
    return;
  }
  let item = params.first_item + i;
  let c = (item % params.cache_items) * 4u;
  var m = Mix(cache[c], cache[c + 1u], cache[c + 2u], cache[c + 3u]);
  m.a.x ^= item;
  m = keccak512_64(m);
  // 512 rounds, 16 per iteration so that the mix word each round reads has a fixed name.
  for (var r = 0u; r < DAG_PARENTS; r += 16u) {
    let s = item ^ r;
    parent(&m, s, m.a.x);
    parent(&m, s ^ 1u, m.a.y);
    parent(&m, s ^ 2u, m.a.z);
    parent(&m, s ^ 3u, m.a.w);
    parent(&m, s ^ 4u, m.b.x);
    parent(&m, s ^ 5u, m.b.y);
    parent(&m, s ^ 6u, m.b.z);
    parent(&m, s ^ 7u, m.b.w);
    parent(&m, s ^ 8u, m.c.x);
    parent(&m, s ^ 9u, m.c.y);
    parent(&m, s ^ 10u, m.c.z);
    parent(&m, s ^ 11u, m.c.w);
    parent(&m, s ^ 12u, m.d.x);
    parent(&m, s ^ 13u, m.d.y);
    parent(&m, s ^ 14u, m.d.z);
    parent(&m, s ^ 15u, m.d.w);
  }
  m = keccak512_64(m);
  let o = (params.out_offset + i) * 4u;
  dag[o] = m.a;
  dag[o + 1u] = m.b;
  dag[o + 2u] = m.c;
  dag[o + 3u] = m.d;
}
