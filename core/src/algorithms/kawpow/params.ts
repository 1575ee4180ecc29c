/**
 * KawPow's parameters: ProgPoW 0.9.4 as Ravencoin runs it on the ethash DAG with 512 parents
 * per dataset item. Every value here is a consensus constant: changing one forks the chain.
 *
 * Sources (facts, not code): RavenCommunity/cpp-kawpow 061d3410 include/ethash/progpow.hpp,
 * lib/ethash/ethash.cpp, lib/ethash/progpow.cpp; Ravencoin 6d48ae01 src/crypto/ethash (the same
 * library); the ProgPoW spec (ifdefelse/ProgPOW, revision 0.9.4). core/test/vectors/kawpow.json
 * repeats them under "parameters" and the tests check the two agree.
 */

/** Blocks per epoch: the light cache, the dataset and the seed hash change every 7,500 blocks. */
export const KAWPOW_EPOCH_LENGTH = 7500;
/** Blocks per ProgPoW period: the random program changes every 3 blocks (ProgPoW's PROGPOW_PERIOD). */
export const KAWPOW_PERIOD_LENGTH = 3;

/** ProgPoW revision these constants implement. */
export const PROGPOW_REVISION = '0.9.4';
/** Registers per lane (PROGPOW_REGS). */
export const PROGPOW_REGS = 32;
/** Lanes that compute one hash together (PROGPOW_LANES). */
export const PROGPOW_LANES = 16;
/** Random L1-cache reads per round (PROGPOW_CNT_CACHE). */
export const PROGPOW_CNT_CACHE = 11;
/** Random math operations per round (PROGPOW_CNT_MATH). */
export const PROGPOW_CNT_MATH = 18;
/** Rounds per hash, one DAG item read per round (PROGPOW_CNT_DAG). */
export const PROGPOW_CNT_DAG = 64;
/** Bytes of the L1 cache: the first 16 KiB of the epoch's dataset (PROGPOW_CACHE_BYTES). */
export const PROGPOW_CACHE_BYTES = 16 * 1024;
/** u32 words in the L1 cache; a cache read indexes it by `register % PROGPOW_CACHE_WORDS`. */
export const PROGPOW_CACHE_WORDS = PROGPOW_CACHE_BYTES / 4;
/** Bytes of the DAG item one round reads: 2048 bits, 4 words per lane (PROGPOW_DAG_LOADS). */
export const PROGPOW_DAG_ITEM_BYTES = 256;
/** u32 words each lane merges from a round's DAG item (PROGPOW_DAG_LOADS). */
export const PROGPOW_DAG_LOADS = PROGPOW_DAG_ITEM_BYTES / 4 / PROGPOW_LANES;

/** FNV-1 / FNV-1a 32-bit prime. */
export const FNV_PRIME = 0x01000193;
/** FNV 32-bit offset basis. */
export const FNV_OFFSET_BASIS = 0x811c9dc5;

/** Bytes of a light-cache item (one keccak-512 output). */
export const ETHASH_LIGHT_ITEM_BYTES = 64;
/** Bytes of a dataset item as ethash counts them (1024 bits: two 512-bit halves). */
export const ETHASH_DATASET_ITEM_BYTES = 128;
/** Bytes of the light cache at epoch 0, before rounding down to a prime item count (2^24). */
export const ETHASH_LIGHT_CACHE_INIT_BYTES = 1 << 24;
/** Light-cache growth per epoch (2^17 bytes). */
export const ETHASH_LIGHT_CACHE_GROWTH_BYTES = 1 << 17;
/** Dataset bytes at epoch 0, before rounding down to a prime item count (2^30). */
export const ETHASH_DATASET_INIT_BYTES = 2 ** 30;
/** Dataset growth per epoch (2^23 bytes). */
export const ETHASH_DATASET_GROWTH_BYTES = 2 ** 23;
/** RandMemoHash rounds over the light cache after its sequential fill. */
export const ETHASH_LIGHT_CACHE_ROUNDS = 3;
/**
 * Light-cache parents folded into each 512-bit dataset item. KawPow uses 512 (ethash uses 256):
 * cpp-kawpow commit 058f5457, `full_dataset_item_parents = 512`.
 */
export const KAWPOW_DATASET_PARENTS = 512;

/**
 * The 15 words that fill the rest of both keccak-f800 states (the "Ravencoin input
 * constraints"): r, A, V, E, N, C, O, I, N, K, A, W, P, O, W. The first is 0x72, a lowercase
 * 'r', although the reference's comment says R: the value is what counts.
 */
export const RAVENCOIN_KAWPOW_PADDING: readonly number[] = Object.freeze([
  0x72, 0x41, 0x56, 0x45, 0x4e, 0x43, 0x4f, 0x49, 0x4e, 0x4b, 0x41, 0x57, 0x50, 0x4f, 0x57,
]);

/**
 * Highest epoch KawPow is defined for: ethash counts dataset items in a C `int`
 * (2^30 / 128 + epoch · 2^23 / 128 < 2^31), which holds up to epoch 32639 (a 275 GB dataset).
 */
export const KAWPOW_MAX_EPOCH = 32639;
/** Highest block height KawPow is defined for: the last block of KAWPOW_MAX_EPOCH. */
export const KAWPOW_MAX_HEIGHT = (KAWPOW_MAX_EPOCH + 1) * KAWPOW_EPOCH_LENGTH - 1;
