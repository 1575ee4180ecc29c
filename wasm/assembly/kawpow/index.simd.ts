/**
 * KawPow, SIMD build: the same sources as index.ts compiled with --enable simd, so that
 * ASC_FEATURE_SIMD selects the i32x4 FNV merge of dataset items (dataset.ts).
 */
export * from './index';
