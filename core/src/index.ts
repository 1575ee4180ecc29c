/**
 * @otedama/core — the pure mining domain shared by browsers, workers, the edge and peers:
 * targets and difficulty, block headers, coinbase and merkle, Stratum job fields, the
 * nonce-search engine contract and its JS reference engine, and the algorithm registry.
 * No I/O and no platform APIs live here.
 */
export * from './errors.ts';
export * from './hex.ts';
export * from './sha256.ts';
export * from './target.ts';
export * from './block-header.ts';
export * from './merkle.ts';
export * from './coinbase.ts';
export * from './stratum-job.ts';
export * from './engine.ts';
export * from './sha256d-reference.ts';
export * from './algorithms/index.ts';
export * from './schedule.ts';
export * from './block-template.ts';
export * from './address.ts';
export * from './tx.ts';
export * from './coinbase-builder.ts';
export * from './block.ts';
export * from './hashrate.ts';
export * from './stratum-codec.ts';
export * from './algorithms/sha256d/share-validator.ts';
export * from './share-validation.ts';
export * from './share-job-book.ts';
export * from './sha256d-hasher.ts';
export * from './share-hash-set.ts';
export * from './sharechain/index.ts';
export * from './wallet/index.ts';
export * from './algorithms/kawpow/index.ts';
export * from './p2p/index.ts';
