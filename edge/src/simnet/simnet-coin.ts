/**
 * What makes simnet a Bitcoin-regtest-format chain or a Ravencoin-regtest-format one: the
 * algorithm module (header form, block hash), the address formats, the block version rules, the
 * future-time limit, the defaults and the proof of work. SimnetChain, Simnet and the RPC server
 * are written once and take one of these.
 *
 * Ravencoin (RavenProject/Ravencoin 6d48ae01, cited as facts):
 *   - header: the 120-byte KawPow header (src/primitives/block.h); Otedama's Ravencoin simnet
 *     runs KawPow from its genesis (regtest's nKAWPOWActivationTime is 3582830167, year 2083, so
 *     a real regtest mines X16R; mainnet switched on 2020-05-06);
 *   - addresses: regtest base58 prefixes 111 / 196 (src/chainparams.cpp CRegTestParams);
 *   - block version: at least VERSIONBITS_TOP_BITS_ASSETS = 0x30000000 once assets are deployed
 *     (src/versionbits.h, src/validation.cpp ContextualCheckBlockHeader: "bad-version(0x...)");
 *     mainnet's templates carry it, and so do simnet's;
 *   - future time: MAX_FUTURE_BLOCK_TIME_DGW = 2 h / 10 = 720 s (src/chain.h; DGW is active on
 *     mainnet and, from block 200, on regtest);
 *   - subsidy: 5000 RVN (src/validation.cpp GetBlockSubsidy); regtest halves it every 150 blocks,
 *     simnet keeps the configured reward for every block, as the Bitcoin simnet does;
 *   - proof of work: the full KawPow hash recomputed by light evaluation: "high-hash" when the
 *     final hash misses the target, "invalid-mix-hash" when the header's mix hash is not the
 *     computed one (src/validation.cpp CheckBlockHeader).
 *   - the header's height must be the block's height ("bad-header-height", simnet's name for the
 *     rule Ravencoin enforces from block 4,487,776: ALENOC/electrumx-ravencoin 3f7446b9
 *     KAWPOW_HEIGHT_ENFORCEMENT_HEIGHT).
 */
import {
  bytesEqual,
  hashMeetsTarget,
  headerHash,
  KAWPOW,
  kawpowBlockHash,
  kawpowFinalHash,
  parseKawpowHeader,
  readU32LE,
  reverseBytes,
  SHA256D,
  type Algorithm,
  type Coin,
} from '@otedama/core';
import type { KawpowEvaluator } from '../chain/kawpow-evaluator.ts';

export type SimnetCoinName = 'bitcoin' | 'ravencoin';
export const SIMNET_COINS: readonly SimnetCoinName[] = ['bitcoin', 'ravencoin'];

/** How simnet judges a header's proof of work. */
export interface SimnetPow {
  /** The block hash from the header alone (internal order); KawPow trusts the stored mix hash. */
  blockHash(header: Uint8Array): Uint8Array;
  /** Makes `check` able to run synchronously for a block at `height` (KawPow: the epoch's light cache). */
  prepare(height: number): Promise<void>;
  /**
   * undefined when the header's work meets `target`, else the node's reject reason. `full` false
   * trusts what the header claims (re-validation of simnet's own block file on start).
   */
  check(header: Uint8Array, target: bigint, full: boolean): string | undefined;
}

export interface SimnetCoin {
  readonly name: SimnetCoinName;
  /** Shown in logs and errors: "Bitcoin", "Ravencoin". */
  readonly title: string;
  readonly algorithm: Algorithm;
  /** Address formats of the chain (always its regtest network). */
  readonly addressCoin: Coin;
  /** Version of simnet's templates. */
  readonly blockVersion: number;
  /** Oldest block version accepted ("bad-version(0x...)" below). */
  readonly minBlockVersion: number;
  /** How far in the future a block's time may be (seconds). */
  readonly maxFutureBlockTimeS: number;
  /** Block difficulty when none is configured (RPC difficulty: 0xffff * 2^208 / target). */
  readonly defaultBlockDifficulty: number;
  /** Coinbase value of every block when none is configured (satoshis; 8 decimals on both coins). */
  readonly defaultBlockRewardSats: number;
  /** Ticker of the coin, for balances. */
  readonly ticker: string;
  readonly pow: SimnetPow;
  /** The light evaluation behind a KawPow chain's PoW (ravend's getkawpowhash answers with it). */
  readonly kawpow?: KawpowEvaluator;
  /** A rule on the header beyond Bitcoin's, for the block at `height`; undefined when it holds. */
  checkHeader(header: Uint8Array, height: number): string | undefined;
  /** The header's nonce as RPC prints it in `nonce` (KawPow blocks: 0, their nNonce; the u64 is nonce64). */
  nonce(header: Uint8Array): number;
}

/** Bitcoin Core's MAX_FUTURE_BLOCK_TIME (2 hours). */
const BITCOIN_MAX_FUTURE_S = 2 * 60 * 60;
/** Ravencoin's MAX_FUTURE_BLOCK_TIME_DGW (2 hours / 10). */
const RAVENCOIN_MAX_FUTURE_S = BITCOIN_MAX_FUTURE_S / 10;
const SATS_PER_COIN = 100_000_000;

/**
 * Ravencoin simnet's default difficulty: 2^-24 in RPC units, a target of about 2^248, so a block
 * takes about 256 light evaluations: seconds for one CPU thread at 5-20 ms per hash.
 */
export const RAVENCOIN_SIMNET_DIFFICULTY = 2 ** -24;

/** Block difficulty and reward of each simnet when the configuration leaves them unset. */
export const SIMNET_DEFAULTS: Readonly<Record<SimnetCoinName, { readonly blockDifficulty: number; readonly blockRewardSats: number }>> = {
  // Simnet blocks at difficulty 0.05 take a 5 MH/s CPU about 40 s on average.
  bitcoin: { blockDifficulty: 0.05, blockRewardSats: 50 * SATS_PER_COIN },
  // Ravencoin's subsidy (src/validation.cpp GetBlockSubsidy: 5000 * COIN).
  ravencoin: { blockDifficulty: RAVENCOIN_SIMNET_DIFFICULTY, blockRewardSats: 5000 * SATS_PER_COIN },
};

const SHA256D_POW: SimnetPow = {
  blockHash: headerHash,
  prepare: async () => undefined,
  check: (header, target) => (hashMeetsTarget(headerHash(header), target) ? undefined : 'high-hash'),
};

export const BITCOIN_SIMNET: SimnetCoin = {
  name: 'bitcoin',
  title: 'Bitcoin',
  algorithm: SHA256D,
  addressCoin: 'bitcoin',
  // BIP9 top bits, no signalling; Core rejects < 4 once BIP65 is active.
  blockVersion: 0x20000000,
  minBlockVersion: 4,
  maxFutureBlockTimeS: BITCOIN_MAX_FUTURE_S,
  defaultBlockDifficulty: SIMNET_DEFAULTS.bitcoin.blockDifficulty,
  defaultBlockRewardSats: SIMNET_DEFAULTS.bitcoin.blockRewardSats,
  ticker: 'BTC',
  pow: SHA256D_POW,
  checkHeader: () => undefined,
  nonce: (header) => readU32LE(header, 76),
};

/**
 * KawPow proof of work over the edge's KawPow evaluation (light, or the full dataset). `check` with `full` recomputes the mix
 * hash (the epoch must have been prepared); without, it judges the final hash of the stored mix.
 */
export function kawpowSimnetPow(light: KawpowEvaluator): SimnetPow {
  return {
    blockHash: kawpowBlockHash,
    prepare: (height) => light.prepare(height),
    check(header, target, full) {
      const f = parseKawpowHeader(header);
      if (!full) return hashMeetsTarget(reverseBytes(kawpowFinalHash(f.headerHash, f.nonce, f.mixHash)), target) ? undefined : 'high-hash';
      const computed = light.hash(f.headerHash, f.nonce, f.height);
      if (!hashMeetsTarget(reverseBytes(computed.finalHash), target)) return 'high-hash';
      return bytesEqual(computed.mixHash, f.mixHash) ? undefined : 'invalid-mix-hash';
    },
  };
}

/** The Ravencoin simnet with its PoW on `light` (the edge's KawPow evaluation, light or full dataset). */
export function ravencoinSimnet(light: KawpowEvaluator): SimnetCoin {
  return {
    name: 'ravencoin',
    title: 'Ravencoin',
    algorithm: KAWPOW,
    addressCoin: 'ravencoin',
    blockVersion: 0x30000000,
    minBlockVersion: 0x30000000,
    maxFutureBlockTimeS: RAVENCOIN_MAX_FUTURE_S,
    defaultBlockDifficulty: SIMNET_DEFAULTS.ravencoin.blockDifficulty,
    defaultBlockRewardSats: SIMNET_DEFAULTS.ravencoin.blockRewardSats,
    ticker: 'RVN',
    pow: kawpowSimnetPow(light),
    kawpow: light,
    checkHeader(header, height) {
      return parseKawpowHeader(header).height === height ? undefined : 'bad-header-height';
    },
    nonce: () => 0,
  };
}
