/**
 * KawPow (Ravencoin's ProgPoW 0.9.4 on the ethash DAG), the platform-free part: parameters,
 * KISS99, the per-period program generator shared by every engine, the keccak permutations,
 * epoch sizes and seeds, the hash around the DAG, and the share fields' checks and byte orders.
 * Engines with a light cache or a DAG live in wasm/ and kernels/.
 */
export * from './params.ts';
export * from './kiss99.ts';
export * from './keccak.ts';
export * from './program.ts';
export * from './epoch.ts';
export * from './progpow.ts';
export * from './share-fields.ts';
export * from './hasher.ts';
