/**
 * Typed access to the published KawPow vectors, copied from the shared reference folder with
 * their `sources` (core/test/vectors/kawpow.json, keccak_f800_progpow_intermediate.json).
 * Hex is lowercase; byte orders are those of core/src/algorithms/kawpow/share-fields.ts.
 */
import kawpowFile from './vectors/kawpow.json' with { type: 'json' };
import traceFile from './vectors/keccak_f800_progpow_intermediate.json' with { type: 'json' };

export interface KawpowHashVector {
  name?: string;
  block_number: number;
  epoch: number;
  period: number;
  header_hash_hex: string;
  nonce_u64_hex: string;
  expected_mix_hash_hex: string;
  expected_final_hash_hex: string;
  source: string;
}

export interface KawpowVectors {
  parameters: Record<string, unknown> & { ravencoin_kawpow_padding_u32: string[] };
  dataset_sizes: { epoch: number; light_cache_bytes: number; full_dataset_bytes: number }[];
  epoch_seeds: { epoch: number; seed_hex: string }[];
  light_cache_keccak256: { epoch: number; keccak256_of_light_cache: string; verified_locally: boolean }[];
  l1_cache_epoch0_first20_u32: { values: number[] };
  vectors: KawpowHashVector[];
}

export const kawpowVectors = kawpowFile as unknown as KawpowVectors;

export interface KeccakF800Vector {
  name: 'keccakf800_all_zero_state';
  input_state_u32: string[];
  output_state_u32: string[];
}

export interface KawpowTraceVector {
  name: string;
  block_number: number;
  header_hash_hex: string;
  nonce_u64_hex: string;
  step1_initial_keccak_state_u32: string[];
  step2_state_after_one_keccakf800_u32: string[];
  'step3_hash_seed_u32 (state[0], state[1])': string[];
  step4_period: number;
  'step4_mix_rng_state_kiss_after_fisher_yates (z,w,jsr,jcong)': string;
  step4_dst_seq: number[];
  step4_src_seq: number[];
  step5_init_mix_lane0_32regs_u32: string[];
  step5_init_mix_lane15_first4_u32: string[];
  'step6_expected_mix_hash_hex (upstream)': string;
  step7_final_keccak_input_state_u32: string[];
  step8_final_output_words0_7_u32: string[];
  'expected_final_hash_hex (upstream; = step8 words serialized little-endian)': string;
}

export interface Kiss99Vector {
  name: 'kiss99_reference';
  init: { z: number; w: number; jsr: number; jcong: number };
  first4: number[];
  output_100000th: number;
}

export interface RandomMathVector {
  name: 'progpow_random_math';
  inputs: [number, number][];
  expected: number[];
}

const traceVectors = (traceFile as unknown as { vectors: { name: string }[] }).vectors;

function named<T>(name: string): T {
  const v = traceVectors.find((x) => x.name === name);
  if (!v) throw new Error(`keccak_f800_progpow_intermediate.json has no vector "${name}"`);
  return v as T;
}

export const keccakF800Vector = named<KeccakF800Vector>('keccakf800_all_zero_state');
export const kawpowTraces = traceVectors.filter((v) => v.name.startsWith('kawpow_trace_')) as KawpowTraceVector[];
export const kiss99Vector = named<Kiss99Vector>('kiss99_reference');
export const randomMathVector = named<RandomMathVector>('progpow_random_math');

/** A list of u32 hex words ("a290760e") as numbers. */
export function hexWords(words: readonly string[]): number[] {
  return words.map((w) => parseInt(w, 16) >>> 0);
}

/** The "z=... w=... jsr=... jcong=..." line of a trace as a KISS99 state. */
export function parseKissLine(line: string): { z: number; w: number; jsr: number; jcong: number } {
  const get = (k: string): number => {
    const m = new RegExp(`\\b${k}=(\\d+)`).exec(line);
    if (!m) throw new Error(`no ${k} in "${line}"`);
    return Number(m[1]);
  };
  return { z: get('z'), w: get('w'), jsr: get('jsr'), jcong: get('jcong') };
}
