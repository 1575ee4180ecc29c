/**
 * Ethash epochs as KawPow uses them: the epoch of a height, the light-cache and dataset sizes
 * of an epoch (largest prime item counts below a linear bound: chfast/ethash's sizing, which
 * cpp-kawpow and Ravencoin keep), and the seed hash (keccak-256 applied `epoch` times to 32 zero
 * bytes), which KawPow Stratum sends in mining.notify and from which miners find the epoch.
 */
import { InvalidDatasetSizeError, InvalidHeightError } from '../../errors.ts';
import { keccak256 } from './keccak.ts';
import {
  ETHASH_DATASET_GROWTH_BYTES,
  ETHASH_DATASET_INIT_BYTES,
  ETHASH_DATASET_ITEM_BYTES,
  ETHASH_LIGHT_CACHE_GROWTH_BYTES,
  ETHASH_LIGHT_CACHE_INIT_BYTES,
  ETHASH_LIGHT_ITEM_BYTES,
  KAWPOW_EPOCH_LENGTH,
  KAWPOW_MAX_EPOCH,
} from './params.ts';

function checkEpoch(epoch: number): void {
  if (!Number.isSafeInteger(epoch) || epoch < 0 || epoch > KAWPOW_MAX_EPOCH) {
    throw new InvalidHeightError(`epoch must be an integer in 0..${KAWPOW_MAX_EPOCH} (got ${epoch})`);
  }
}

/** The epoch of a block height: floor(height / 7500). */
export function kawpowEpoch(height: number): number {
  return Math.floor(height / KAWPOW_EPOCH_LENGTH);
}

function isOddPrime(n: number): boolean {
  for (let d = 3; d * d <= n; d += 2) if (n % d === 0) return false;
  return true;
}

/** The largest prime <= upperBound (0 below 2), as ethash_find_largest_prime. */
export function largestPrimeAtMost(upperBound: number): number {
  let n = Math.floor(upperBound);
  if (n < 2) return 0;
  if (n === 2) return 2;
  if (n % 2 === 0) n--;
  while (!isOddPrime(n)) n -= 2;
  return n;
}

/** Ethash's sizing: the largest prime number of items within the epoch's linear byte bound. */
function primeItemCount(epoch: number, initBytes: number, growthBytes: number, itemBytes: number): number {
  checkEpoch(epoch);
  return largestPrimeAtMost((initBytes + epoch * growthBytes) / itemBytes);
}

/** 512-bit items in the light cache of an epoch. */
export function lightCacheItemCount(epoch: number): number {
  return primeItemCount(epoch, ETHASH_LIGHT_CACHE_INIT_BYTES, ETHASH_LIGHT_CACHE_GROWTH_BYTES, ETHASH_LIGHT_ITEM_BYTES);
}

/** Bytes of the light cache of an epoch. */
export function lightCacheBytes(epoch: number): number {
  return lightCacheItemCount(epoch) * ETHASH_LIGHT_ITEM_BYTES;
}

/** 1024-bit items in the full dataset (DAG) of an epoch: ethash's count (KawPow reads pairs of them). */
export function datasetItemCount(epoch: number): number {
  return primeItemCount(epoch, ETHASH_DATASET_INIT_BYTES, ETHASH_DATASET_GROWTH_BYTES, ETHASH_DATASET_ITEM_BYTES);
}

/** Bytes of the full dataset (DAG) of an epoch. */
export function datasetBytes(epoch: number): number {
  return datasetItemCount(epoch) * ETHASH_DATASET_ITEM_BYTES;
}

/**
 * Throws InvalidDatasetSizeError unless `items` (1024-bit items) is an integer from 2 (one
 * 2048-bit item) to `realItems`, the epoch's size: a reduced dataset for tests, never a larger one.
 */
export function checkKawpowDatasetItems(items: number, realItems: number): void {
  if (typeof items !== 'number' || !Number.isSafeInteger(items)) throw new InvalidDatasetSizeError(`dataset size must be an integer number of 1024-bit items (got ${String(items)})`);
  if (items < 2) throw new InvalidDatasetSizeError(`dataset size ${items} is below 2 items (one 2048-bit item)`);
  if (items > realItems) throw new InvalidDatasetSizeError(`dataset size ${items} is above the epoch's ${realItems} items`);
}

/** The last seed computed: consecutive epochs (the usual case) cost one keccak-256 each. */
let lastSeed: { epoch: number; seed: Uint8Array } = { epoch: 0, seed: new Uint8Array(32) };

/** The seed hash of an epoch: keccak-256 applied `epoch` times to 32 zero bytes. */
export function epochSeedHash(epoch: number): Uint8Array {
  checkEpoch(epoch);
  let seed: Uint8Array;
  let from: number;
  if (epoch >= lastSeed.epoch) {
    seed = lastSeed.seed;
    from = lastSeed.epoch;
  } else {
    seed = new Uint8Array(32);
    from = 0;
  }
  for (let e = from; e < epoch; e++) seed = keccak256(seed);
  lastSeed = { epoch, seed };
  return seed.slice();
}

/**
 * The epoch whose seed hash is `seed`, searching epochs 0..maxEpoch (KawPow Stratum sends the
 * seed, not the epoch); undefined when none matches.
 */
export function epochOfSeedHash(seed: Uint8Array, maxEpoch: number): number | undefined {
  if (!(seed instanceof Uint8Array) || seed.length !== 32) return undefined;
  checkEpoch(maxEpoch);
  let s: Uint8Array = new Uint8Array(32);
  for (let e = 0; e <= maxEpoch; e++) {
    if (s.every((b, i) => b === seed[i])) return e;
    s = keccak256(s);
  }
  return undefined;
}
