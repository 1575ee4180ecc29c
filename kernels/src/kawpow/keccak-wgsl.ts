/**
 * KawPow's Keccak WGSL: keccak.wgsl (round constants, rotations, keccak-512 of 64 bytes) and the
 * one permutation of keccak-permutation.wgsl made into both widths KawPow uses: keccak_f1600
 * (ethash's light cache and DAG items; 64-bit lanes as vec2<u32>, 24 rounds) and keccak_f800
 * (ProgPoW's initial and final hashes; u32 lanes, 22 rounds). WGSL has no generics, so the two
 * are written by naming the permutation's lane type, rounds and rotations here (conventions:
 * generate WGSL text only where `override` cannot express it).
 */
import KECCAK_COMMON_WGSL from './keccak.wgsl?raw';
import PERMUTATION_WGSL from './keccak-permutation.wgsl?raw';

interface Width {
  readonly names: Readonly<Record<'KeccakState' | 'Lane' | 'keccak_permute' | 'KECCAK_ROUNDS' | 'KECCAK_RC', string>>;
  /** The rotation of one lane left by `n` (0 < n < 64, Keccak-f[1600]'s rho offset). */
  rotl(lane: string, n: number): string;
}

const F1600: Width = {
  names: { KeccakState: 'K1600', Lane: 'vec2<u32>', keccak_permute: 'keccak_f1600', KECCAK_ROUNDS: '24u', KECCAK_RC: 'KECCAK_RC_1600' },
  rotl: (lane, n) => (n >= 32 ? `rotl64_hi(${lane}, ${n - 32}u)` : `rotl64(${lane}, ${n}u)`),
};

const F800: Width = {
  names: { KeccakState: 'K800', Lane: 'u32', keccak_permute: 'keccak_f800', KECCAK_ROUNDS: '22u', KECCAK_RC: 'KECCAK_RC_800' },
  // Keccak-f[800]'s rho offsets are f[1600]'s modulo its 32-bit lane.
  rotl: (lane, n) => `rotl32(${lane}, ${n % 32}u)`,
};

/** The permutation's WGSL for one lane width. */
export function keccakPermutationWgsl(width: Width): string {
  return PERMUTATION_WGSL.replace(/rotl_lane\(([^,()]+), (\d+)u\)/g, (_, lane: string, n: string) => width.rotl(lane, Number(n))).replace(
    /\b(KeccakState|Lane|keccak_permute|KECCAK_ROUNDS|KECCAK_RC)\b/g,
    (name: string) => width.names[name as keyof Width['names']],
  );
}

/** Everything KawPow's kernels call of Keccak: keccak_f1600, keccak_f800, keccak512_64, rotl32. */
export const KECCAK_WGSL = [KECCAK_COMMON_WGSL, keccakPermutationWgsl(F1600), keccakPermutationWgsl(F800)].join('\n');
