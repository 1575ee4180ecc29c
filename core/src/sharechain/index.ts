/**
 * The sharechain: the pool's books as a chain of shares every peer keeps and checks, pure and
 * synchronous (no I/O), the same code in edges, browsers and workers. docs/sharechain.md is the
 * specification; core/test/vectors/sharechain-*.json are its vectors.
 *
 * The API (stable; the libp2p layer and the edge build on it):
 *
 *   Pool
 *     PoolParams, bitcoinPoolParams(network), simnetPoolParams(genesisHash), validatePoolParams
 *     encodePoolParams(params) -> bytes; poolId(params) -> 32 bytes; poolIdHex(params)
 *
 *   Shares
 *     Share { meta: ShareMetadata, work: ShareWork }, Payee { script, bp }
 *     encodeShare(share, headerBytes) -> bytes; decodeShare(bytes, headerBytes) -> DecodedShare
 *       (throws only ShareDecodeError { field, reason }); maxShareBytes(headerBytes)
 *     decodeShareMetadata(bytes), encodeShareMetadata(meta)
 *
 *   The chain
 *     new ShareChain({ params, coin: CoinContext, pow?, sha256d?, now? })
 *     chain.add(bytes, { history?, now? }) -> AddResult:
 *       accepted { id, entry, isBlock, tip, bestChanged, reorg? } | duplicate { id } |
 *       invalid { reason, message, id? } | missing-parent { id, missing[] } |
 *       held-back { id, reason: 'future-time' | 'unknown-coin-tip', retryAfterMs? }
 *     chain.get(id) / has(id) -> ShareEntry (id, key, share and encoded (copies), parent, height, time,
 *       work, chainWork, verified, isBlock, ...); chain.tip / height / chainWork / size
 *     chain.locator() -> ids; chain.sharesAfter(locator, max) -> encodings, oldest first
 *     chain.loadTrusted(stored shares, onProgress?) (the edge's store, no re-validation)
 *     chain.window(id?) -> WindowSummary; chain.payouts(parent, reward, coinPrevHash, payees) -> Payouts
 *     chain.prune() -> removed ids; chain.keepDepth()
 *     createChainJob(chain, { payees, coin, ... }) -> ChainJob (metadata, target, payouts,
 *       coinbase(scriptSig), coinbaseParts(extranonceBytes, tag), merkleRoot, encode(header, scriptSig))
 *
 *   Pure rules (what a second implementation must match)
 *     demandedTarget / asertStep (ASERT), computePayouts / lotteryDraw (payouts and lottery),
 *     walkWindow (the window), buildShareCoinbase / commitmentScript / shareCoinbaseParts
 *     (the coinbase), targetWork, CoinContext / CoinTips (what the coin allows)
 */
export * from './params.ts';
export * from './params-decode.ts';
export * from './share.ts';
export * from './share-codec.ts';
export * from './work.ts';
export * from './asert.ts';
export * from './coin-context.ts';
export * from './share-coinbase.ts';
export * from './payouts.ts';
export * from './share-entry.ts';
export * from './window.ts';
export * from './share-verdict.ts';
export * from './sharechain.ts';
export * from './sync-add.ts';
export * from './chain-job.ts';
