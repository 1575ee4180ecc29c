/** Typed access to the published vectors in core/test/vectors/ (see its README for their sources). */
import sha256dFile from './vectors/sha256d.json' with { type: 'json' };

export interface HeaderVector {
  name: string;
  height: number;
  header_hex: string;
  fields: { version: string; prev_hash_display: string; merkle_root_display: string; time: number; nbits: string; nonce: number };
  expected_hash_internal_hex: string;
  expected_hash_display_hex: string;
  target_from_nbits_hex: string;
  hash_meets_target: boolean;
}

export interface CompactVector {
  nbits: string;
  target_hex_be: string;
  negative_flag?: boolean;
  overflow_flag?: boolean;
  core_negative_flag?: boolean;
}

export const sha256dVectors = sha256dFile as unknown as {
  vectors: HeaderVector[];
  compact_target_vectors: CompactVector[];
  stratum_v1_vectors: Record<string, unknown>[];
  midstate_vectors: Record<string, unknown>[];
};
