/**
 * Making a share: what a miner's job needs from the chain (the metadata, the targets, the
 * payouts and the coinbase), and the share's encoding once a header meets the target. The edge
 * turns a ChainJob into Stratum work (coinbaseParts splits the coinbase around the extranonce);
 * a browser builds the coinbase whole with its own extranonce.
 */
import { SharechainError } from '../errors.ts';
import { merkleRootFromBranch } from '../merkle.ts';
import { sha256d } from '../sha256.ts';
import { bitsToTarget, targetToBits } from '../target.ts';
import { demandedTarget } from './asert.ts';
import { medianTimePast, type ShareChain } from './sharechain.ts';
import type { Payouts } from './payouts.ts';
import { buildShareCoinbase, shareCoinbaseParts, type ShareCoinbaseParts } from './share-coinbase.ts';
import { encodeShare, encodeShareMetadata } from './share-codec.ts';
import type { ShareEntry } from './share-entry.ts';
import { MINER_NONCE_BYTES, NULL_SHARE_ID, type Payee, type ShareMetadata } from './share.ts';
import { SHARE_FORMAT_VERSION } from './params.ts';

export interface ChainJobCoin {
  /** The coin block the header builds on (internal order). */
  readonly prevHash: Uint8Array;
  /** Height of the block being mined (BIP34). */
  readonly height: number;
  /** The coin's compact target for it. */
  readonly bits: number;
  /** The coinbase value of the template (subsidy + fees). */
  readonly reward: bigint;
  /** Scripts the template mandates (the segwit witness commitment), paid 0. */
  readonly mandatedOutputs?: readonly Uint8Array[];
  /** The template's merkle branch for the coinbase (leaf 0). */
  readonly merkleBranch?: readonly Uint8Array[];
}

export interface ChainJobRequest {
  /** 1..4 payees whose basis points sum to 10,000 (the miner, an edge's fee). */
  readonly payees: readonly Payee[];
  readonly coin: ChainJobCoin;
  /** The parent share: default the best tip; null starts a new chain (a first share). */
  readonly parent?: ShareEntry | null;
  /** Metadata time (ms); default the chain's clock, raised above the ancestors' median if needed. */
  readonly time?: number;
  /** The metadata's free bytes (default zeros): a browser varies them for fresh coinbases. */
  readonly minerNonce?: Uint8Array;
  /** Mine a target this many times harder than the chain demands (1..maxTargetMultiple; default 1). */
  readonly difficultyMultiple?: number;
  /** Uncles to name (default the chain's candidates). */
  readonly uncles?: readonly ShareEntry[];
}

export interface ChainJob {
  readonly metadata: ShareMetadata;
  readonly metadataBytes: Uint8Array;
  readonly metadataHash: Uint8Array;
  /** The share's own target: a header hash at or below it makes the share. */
  readonly target: bigint;
  /** The coin's block target: a hash at or below it is also a block. */
  readonly blockTarget: bigint;
  /** What the coinbase pays (payouts(parent, reward, coin prevhash)). */
  readonly payouts: Payouts;
  readonly coin: ChainJobCoin;
  /** The full coinbase for a scriptSig (the miner's extranonce inside it). */
  coinbase(scriptSig: Uint8Array): Uint8Array;
  /** The coinbase split around an extranonce slot of `extranonceBytes` (Stratum's coinb1/coinb2). */
  coinbaseParts(extranonceBytes: number, tag?: Uint8Array): ShareCoinbaseParts;
  /** The header's merkle root for a coinbase. */
  merkleRoot(coinbase: Uint8Array): Uint8Array;
  /** The share's encoding, for a header that meets `target` and the scriptSig its coinbase used. */
  encode(header: Uint8Array, scriptSig: Uint8Array): Uint8Array;
}

/** The smallest canonical compact target at or above `t` (targetToBits rounds down). */
function compactAtLeast(t: bigint): number {
  const bits = targetToBits(t);
  const v = bitsToTarget(bits);
  if (v >= t) return bits;
  const size = bits >>> 24;
  return targetToBits(v + (size > 3 ? 1n << BigInt(8 * (size - 3)) : 1n));
}

/** A job for a share on `request.parent` (default the tip) of `chain`. Throws SharechainError for requests no valid share can satisfy. */
export function createChainJob(chain: ShareChain, request: ChainJobRequest): ChainJob {
  const params = chain.params;
  const parent = request.parent === null ? undefined : (request.parent ?? chain.tip);
  const coin = request.coin;
  let time = request.time ?? Date.now();
  if (parent && time <= medianTimePast(parent)) time = medianTimePast(parent) + 1;
  const blockTarget = bitsToTarget(coin.bits);
  const demand = demandedTarget(parent, time, blockTarget, params);
  const multiple = request.difficultyMultiple ?? 1;
  if (!Number.isInteger(multiple) || multiple < 1 || multiple > params.maxTargetMultiple) {
    throw new SharechainError(`difficultyMultiple must be an integer in 1..${params.maxTargetMultiple} (got ${multiple})`);
  }
  let bits = demand.bits;
  if (multiple > 1) {
    // The hardest the rules allow is demand/maxTargetMultiple and the block target: round up to them.
    const floor = demand.target / BigInt(params.maxTargetMultiple);
    let t = demand.target / BigInt(multiple);
    if (t < floor) t = floor;
    if (t < blockTarget) t = blockTarget;
    bits = compactAtLeast(t);
  }
  const uncles = parent ? (request.uncles ?? chain.uncleCandidates(parent)) : [];
  const metadata: ShareMetadata = {
    version: SHARE_FORMAT_VERSION,
    parent: parent?.id ?? NULL_SHARE_ID,
    height: parent ? parent.height + 1 : 0,
    time,
    maxBits: demand.bits,
    bits,
    uncles: uncles.map((u) => u.id),
    payees: request.payees,
    minerNonce: request.minerNonce ?? new Uint8Array(MINER_NONCE_BYTES),
    references: [],
  };
  const metadataBytes = encodeShareMetadata(metadata);
  const metadataHash = sha256d(metadataBytes);
  const payouts = chain.payouts(parent?.id, coin.reward, coin.prevHash, request.payees);
  const mandatedOutputs = coin.mandatedOutputs ?? [];
  const merkleBranch = coin.merkleBranch ?? [];
  const base = { payouts: payouts.outputs, poolId: chain.poolId, metadataHash, mandatedOutputs };
  return {
    metadata,
    metadataBytes,
    metadataHash,
    target: bitsToTarget(bits),
    blockTarget,
    payouts,
    coin,
    coinbase: (scriptSig) => buildShareCoinbase({ ...base, scriptSig }),
    coinbaseParts: (extranonceBytes, tag) => shareCoinbaseParts({ ...base, coinHeight: coin.height, extranonceBytes, ...(tag ? { tag } : {}) }),
    merkleRoot: (coinbase) => merkleRootFromBranch(sha256d(coinbase), merkleBranch),
    encode: (header, scriptSig) =>
      encodeShare({ meta: metadata, work: { header, scriptSig, reward: coin.reward, mandatedOutputs, merkleBranch } }, chain.algorithm.share.headerBytes),
  };
}
