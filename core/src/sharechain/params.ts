/**
 * The pool's consensus parameters and the pool id, the hash of their canonical encoding. Peers
 * whose pool ids differ never exchange shares: changing any parameter makes a new pool.
 * docs/sharechain.md §2 states the encoding byte by byte.
 */
import { utf8 } from '@scure/base';
import { getAlgorithm } from '../algorithms/registry.ts';
import { PoolParamsError } from '../errors.ts';
import { bytesToHex, hexToBytes, reverseBytes } from '../hex.ts';
import { sha256d } from '../sha256.ts';
import { MAX_MONEY_SATS } from '../tx.ts';
import { decodeCompact, targetToBits } from '../target.ts';
import { ShareWriter } from './bytes.ts';

/** The share format version this code encodes and validates. */
export const SHARE_FORMAT_VERSION = 1;
/** Encoding version of the pool parameters themselves (the pool-id preimage). */
export const POOL_PARAMS_ENCODING_VERSION = 1;
/** The first bytes of the pool-id preimage: ASCII "otedama/pool". */
export const POOL_PARAMS_MAGIC: Uint8Array = utf8.decode('otedama/pool');
/** Uncles a share may name at most (format limit; a pool may allow fewer). */
export const MAX_UNCLES = 3;
/** The most shares sharesAfter sends for one best-chain share: it, its uncles, and theirs. */
export const MAX_SHARE_GROUP = 1 + MAX_UNCLES + MAX_UNCLES * MAX_UNCLES;
/** Deepest uncle a pool may allow: the validator keeps this many ancestors' uncle lists in reach. */
export const MAX_UNCLE_DEPTH_LIMIT = 8;
/** Most shares a window may hold: bounds the memory and the sync of every peer. */
export const MAX_WINDOW_SHARES_LIMIT = 100_000;
/** Most payout outputs a pool may allow (a coinbase of ~1,000 outputs is ~32 KB). */
export const MAX_PAYOUT_OUTPUTS_LIMIT = 1000;
/** Basis points in one whole: payee shares, uncle credit and the finder bonus are in these. */
export const BASIS_POINTS = 10_000;

export interface PoolParams {
  /** Share format version (SHARE_FORMAT_VERSION). */
  readonly shareFormatVersion: number;
  /** Algorithm name in core's registry ('sha256d'). */
  readonly algorithm: string;
  /** The coin network: its genesis block hash, internal byte order (32 bytes). */
  readonly genesisHash: Uint8Array;
  /** Target time between shares (ms). */
  readonly shareIntervalMs: number;
  /** ASERT half-life (ms): a share interval's worth of lateness eases the target by 2^(interval/halfLife). */
  readonly asertHalfLifeMs: number;
  /** Compact target of the chain's first share (the ASERT state a genesis share starts from). */
  readonly initialShareBits: number;
  /** Compact target of the easiest share allowed (the minimum share difficulty). */
  readonly maxShareBits: number;
  /** A miner may choose a target up to this many times harder than the chain demands. */
  readonly maxTargetMultiple: number;
  /** The window holds this many coin blocks' worth of work (p2pool's SPREAD). */
  readonly windowSpread: number;
  /** ...or at most this many shares... */
  readonly maxWindowShares: number;
  /** ...none older than this (ms before the window's newest share). */
  readonly windowMaxAgeMs: number;
  /** Uncles one share may name. */
  readonly maxUncles: number;
  /** How far back an uncle may lie (1 = a sibling of the parent). */
  readonly maxUncleDepth: number;
  /** Part of an uncle's work credited to the uncle's payees (bp); the rest goes to the including share's payees. */
  readonly uncleCreditBp: number;
  /** Part of the reward paid to the block finder's payees before the split (bp). */
  readonly finderBonusBp: number;
  /** Payout outputs a coinbase may carry (the commitment and the coin's mandated outputs come on top). */
  readonly maxPayoutOutputs: number;
  /** Payees below this are paid by lottery; the lottery threshold is never below it (sats). */
  readonly minPayoutSats: bigint;
  /** No payout output is ever below this (sats). */
  readonly dustLimitSats: bigint;
  /** A share this far (ms) past the validator's clock is held back, not judged yet. */
  readonly maxFutureMs: number;
}

/** Coin networks whose genesis hashes core knows (display order, as explorers print them). */
export const BITCOIN_GENESIS_HASHES = {
  mainnet: '000000000019d6689c085ae165831e934ff763ae46a2a6c172b3f1b60a8ce26f',
  testnet: '000000000933ea01ad0ee984209779baaec3ced90fa3f408719526f8d77f4943',
  testnet4: '00000000da84f2bafbbc53dee25a72ae507ff4914b867c565be350b0da8bf043',
  signet: '00000008819873e925422c1ff0f99f7cc9bbb232af63a077a480a3633bee1ef6',
  regtest: '0f9188f13cb7b2c71f2a335e3a4fc328bf5beb436012afca590b1a11466e2206',
} as const;
export type BitcoinNetworkName = keyof typeof BITCOIN_GENESIS_HASHES;

/** One coin's worth of satoshis. */
const COIN_SATS = 100_000_000n;

/**
 * Defaults for real coins. Each number, and why:
 * - 10 s shares, ASERT half-life 60 intervals (SHARECHAIN.md §3; p2poolv2's 600 s).
 * - initial difficulty 65,536 (0x1b00ffff, ~28 TH/s at 10 s): only the first share of a new
 *   chain uses it; ASERT halves or doubles it every 10 minutes of error.
 * - minimum share difficulty 1 (0x1d00ffff): nothing easier is worth a peer's bandwidth on a
 *   real coin; browsers earn through micro-shares later (SHARECHAIN.md §8).
 * - up to 30x harder by choice (p2pool), SPREAD 3 (p2pool), 8,640 shares (one day at 10 s,
 *   p2pool's window), age cap 72 h (a stalled pool stops paying week-old work).
 * - uncles: 3 per share, 3 deep, 90/10 (p2poolv2); finder bonus 0.5 % (p2pool).
 * - 60 payout outputs (stock ASIC firmware rejects larger coinbases), minimum payout 0.01 coin
 *   (the edge's former --min-payout default), dust 546 sats (Bitcoin Core's P2PKH dust at its
 *   default relay fee, the largest of the standard output types).
 * - shares more than 60 s ahead of a peer's clock wait (SHARECHAIN.md §3).
 */
export const REAL_COIN_DEFAULTS: Omit<PoolParams, 'genesisHash'> = Object.freeze({
  shareFormatVersion: SHARE_FORMAT_VERSION,
  algorithm: 'sha256d',
  shareIntervalMs: 10_000,
  asertHalfLifeMs: 600_000,
  initialShareBits: 0x1b00ffff,
  maxShareBits: 0x1d00ffff,
  maxTargetMultiple: 30,
  windowSpread: 3,
  maxWindowShares: 8640,
  windowMaxAgeMs: 72 * 3600_000,
  maxUncles: 3,
  maxUncleDepth: 3,
  uncleCreditBp: 9000,
  finderBonusBp: 50,
  maxPayoutOutputs: 60,
  minPayoutSats: COIN_SATS / 100n,
  dustLimitSats: 546n,
  maxFutureMs: 60_000,
});

/**
 * Defaults for simnet (and regtest), where a pool is a few CPU miners and blocks come every
 * tens of seconds (simnet's block difficulty 0.05 is ~215 M hashes: ~40 s at 5 MH/s):
 * - 2 s shares (half-life 60 intervals = 120 s): a block's window then holds tens of shares,
 *   so payouts visibly split in a short demo or test; at 10 s a block would span ~4 shares and
 *   tests would wait tens of seconds per share.
 * - initial difficulty 2^-12 (0x1e0ffff0, ~1 M hashes: 2 s of one JS CPU miner), minimum
 *   difficulty regtest's proof-of-work limit (0x207fffff, about every second hash): the
 *   slowest test harness still finds shares and ASERT raises the target from there.
 * - the window may hold 8,640 shares over 24 h; everything else as on real coins.
 */
export const SIMNET_DEFAULTS: Omit<PoolParams, 'genesisHash'> = Object.freeze({
  ...REAL_COIN_DEFAULTS,
  shareIntervalMs: 2_000,
  asertHalfLifeMs: 120_000,
  initialShareBits: 0x1e0ffff0,
  maxShareBits: 0x207fffff,
  windowMaxAgeMs: 24 * 3600_000,
});

/** Parameters of a pool on a Bitcoin network; regtest gets the simnet defaults. */
export function bitcoinPoolParams(network: BitcoinNetworkName, overrides: Partial<PoolParams> = {}): PoolParams {
  const genesisHash = reverseBytes(hexToBytes(BITCOIN_GENESIS_HASHES[network], 32, 'genesis hash'));
  const base = network === 'regtest' ? SIMNET_DEFAULTS : REAL_COIN_DEFAULTS;
  return validatePoolParams({ ...base, genesisHash, ...overrides });
}

/** Parameters of a pool on a simnet whose genesis block hash (internal order) is given. */
export function simnetPoolParams(genesisHash: Uint8Array, overrides: Partial<PoolParams> = {}): PoolParams {
  return validatePoolParams({ ...SIMNET_DEFAULTS, genesisHash, ...overrides });
}

function intIn(p: PoolParams, field: keyof PoolParams, min: number, max: number, unit = ''): void {
  const v = p[field];
  if (typeof v !== 'number' || !Number.isSafeInteger(v) || v < min || v > max) {
    throw new PoolParamsError(field, `must be an integer in ${min}..${max}${unit} (got ${String(v)})`);
  }
}

function compactIn(p: PoolParams, field: 'initialShareBits' | 'maxShareBits'): bigint {
  intIn(p, field, 0, 0xffffffff);
  const bits = p[field];
  const d = decodeCompact(bits);
  if (d.negative || d.overflow || d.target === 0n) throw new PoolParamsError(field, `compact bits ${bits.toString(16)} are not a valid target`);
  if (targetToBits(d.target) !== bits) throw new PoolParamsError(field, `compact bits ${bits.toString(16)} are not canonical (use ${targetToBits(d.target).toString(16)})`);
  return d.target;
}

/** Checks every parameter (a PoolParamsError names the first bad one) and returns the params. */
export function validatePoolParams(p: PoolParams): PoolParams {
  if (!p || typeof p !== 'object') throw new PoolParamsError('(params)', 'pool parameters are missing');
  if (p.shareFormatVersion !== SHARE_FORMAT_VERSION) {
    throw new PoolParamsError('shareFormatVersion', `this build speaks share format ${SHARE_FORMAT_VERSION} (got ${String(p.shareFormatVersion)})`);
  }
  if (typeof p.algorithm !== 'string' || p.algorithm !== p.algorithm.toLowerCase()) {
    throw new PoolParamsError('algorithm', `must be a lower-case algorithm name (got ${String(p.algorithm)})`);
  }
  try {
    getAlgorithm(p.algorithm);
  } catch (err) {
    throw new PoolParamsError('algorithm', (err as Error).message);
  }
  if (!(p.genesisHash instanceof Uint8Array) || p.genesisHash.length !== 32) {
    throw new PoolParamsError('genesisHash', 'must be the coin genesis block hash, 32 bytes');
  }
  intIn(p, 'shareIntervalMs', 100, 3_600_000, ' ms');
  intIn(p, 'asertHalfLifeMs', p.shareIntervalMs, 0xffffffff, ' ms (at least one share interval)');
  const initial = compactIn(p, 'initialShareBits');
  const easiest = compactIn(p, 'maxShareBits');
  if (initial > easiest) throw new PoolParamsError('initialShareBits', 'the initial share target is easier than maxShareBits allows');
  intIn(p, 'maxTargetMultiple', 1, 1000);
  intIn(p, 'windowSpread', 1, 1000);
  intIn(p, 'maxWindowShares', 1, MAX_WINDOW_SHARES_LIMIT);
  intIn(p, 'windowMaxAgeMs', p.shareIntervalMs, 0xffffffff, ' ms (at least one share interval)');
  intIn(p, 'maxUncles', 0, MAX_UNCLES);
  intIn(p, 'maxUncleDepth', 1, MAX_UNCLE_DEPTH_LIMIT);
  intIn(p, 'uncleCreditBp', 0, BASIS_POINTS, ' bp');
  intIn(p, 'finderBonusBp', 0, BASIS_POINTS, ' bp');
  intIn(p, 'maxPayoutOutputs', 1, MAX_PAYOUT_OUTPUTS_LIMIT);
  for (const f of ['minPayoutSats', 'dustLimitSats'] as const) {
    const v = p[f];
    if (typeof v !== 'bigint' || v < 0n || v > MAX_MONEY_SATS) throw new PoolParamsError(f, `must be a bigint in 0..${MAX_MONEY_SATS} sats (got ${String(v)})`);
  }
  if (p.minPayoutSats < 1n) throw new PoolParamsError('minPayoutSats', 'must be at least 1 sat');
  if (p.minPayoutSats < p.dustLimitSats) {
    throw new PoolParamsError('minPayoutSats', `must be at least the dust limit (${p.dustLimitSats} sats; got ${p.minPayoutSats})`);
  }
  intIn(p, 'maxFutureMs', 0, 3_600_000, ' ms');
  return p;
}

/** Bytes of the longest algorithm name the encoding carries. */
const MAX_ALGORITHM_NAME = 32;

/** The canonical encoding of the parameters: the pool-id preimage (docs/sharechain.md §2). */
export function encodePoolParams(params: PoolParams): Uint8Array {
  const p = validatePoolParams(params);
  const name = utf8.decode(p.algorithm);
  if (name.length > MAX_ALGORITHM_NAME) throw new PoolParamsError('algorithm', `name is longer than ${MAX_ALGORITHM_NAME} bytes`);
  return new ShareWriter(160)
    .bytes(POOL_PARAMS_MAGIC)
    .u8(POOL_PARAMS_ENCODING_VERSION)
    .u8(p.shareFormatVersion)
    .u8(name.length)
    .bytes(name)
    .bytes(p.genesisHash)
    .u32(p.shareIntervalMs)
    .u32(p.asertHalfLifeMs)
    .u32(p.initialShareBits)
    .u32(p.maxShareBits)
    .u16(p.maxTargetMultiple)
    .u16(p.windowSpread)
    .u32(p.maxWindowShares)
    .u32(p.windowMaxAgeMs)
    .u8(p.maxUncles)
    .u8(p.maxUncleDepth)
    .u16(p.uncleCreditBp)
    .u16(p.finderBonusBp)
    .u16(p.maxPayoutOutputs)
    .u64(p.minPayoutSats)
    .u64(p.dustLimitSats)
    .u32(p.maxFutureMs)
    .finish();
}

/** The pool id: sha256d of the canonical parameter encoding (32 bytes). */
export function poolId(params: PoolParams): Uint8Array {
  return sha256d(encodePoolParams(params));
}

/** The pool id as 64 hex digits (bytes in order, not reversed): what topics, logs and the API show. */
export function poolIdHex(params: PoolParams): string {
  return bytesToHex(poolId(params));
}
