/**
 * KawPow (Ravencoin's ProgPoW 0.9.4 on the ethash DAG), scalar build. The same sources build
 * index.simd.ts with --enable simd, where dataset items merge their parents with i32x4 FNV.
 * See dataset.ts (light cache, dataset items), progpow.ts (the hash) and keccak.ts.
 */
export {
  lightCachePtr,
  setLightCache,
  lightCacheItems,
  lightCacheFill,
  lightCacheMix,
  LIGHT_CACHE_ROUNDS,
  datasetItems512,
} from './dataset';
export {
  HEADER_PTR,
  MIX_PTR,
  FINAL_PTR,
  MIX_IN_PTR,
  TARGET_PTR,
  PROGRAM_PTR,
  PROGRAM_CAPACITY,
  L1_PTR,
  ITEM_PTR,
  setProgram,
  setDatasetItems,
  buildL1,
  kissGenerate,
  initMixTo,
  randomMath,
  seedWordsTo,
  keccakF800At,
  hashLight,
  hashBegin,
  roundItemIndex,
  roundWithItem,
  hashEnd,
  meetsTarget,
  finalFromMix,
  verify,
  VERIFY_OK,
  VERIFY_ABOVE_TARGET,
  VERIFY_MIX_MISMATCH,
} from './progpow';
export { keccak256, keccak512 } from './keccak';

/** 1 in the scalar build, 4 in the SIMD build (the FNV width of dataset items). */
export const FNV_LANES: u32 = ASC_FEATURE_SIMD ? 4 : 1;
