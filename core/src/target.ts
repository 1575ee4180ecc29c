/**
 * Targets, compact bits and difficulty. Difficulty 1 is 0xFFFF * 2^208 (Bitcoin's "bdiff");
 * difficulty D means target floor(diff1 / D). Hashes compare as little-endian uint256.
 */
import { InvalidTargetError } from './errors.ts';
import { bytesToHex, hexToBytes, reverseBytes } from './hex.ts';

/** The difficulty-1 target: 0x00000000FFFF0000...0000. */
export const DIFF1_TARGET = 0xffffn << 208n;
export const MAX_TARGET = (1n << 256n) - 1n;
/** Fixed-point scale used to divide by fractional difficulties exactly enough (2^64). */
const DIFF_SCALE_BITS = 64n;

export interface CompactDecoded {
  target: bigint;
  /** Bitcoin Core's negative flag: the mantissa has 0x00800000 set and is non-zero. */
  negative: boolean;
  /** Bitcoin Core's overflow flag: the value does not fit in 256 bits. */
  overflow: boolean;
}

/** Decodes compact "nbits" exactly as Bitcoin Core's SetCompact (magnitude plus flags). */
export function decodeCompact(bits: number): CompactDecoded {
  if (!Number.isInteger(bits) || bits < 0 || bits > 0xffffffff) {
    throw new InvalidTargetError(`compact bits must be a u32 (got ${bits})`);
  }
  const exponent = bits >>> 24;
  const mantissa = bits & 0x007fffff;
  // As SetCompact: for exponents <= 3 the mantissa is shifted down first, and the flags look
  // at what is left of it.
  const word = exponent <= 3 ? mantissa >>> (8 * (3 - exponent)) : mantissa;
  const target = exponent <= 3 ? BigInt(word) : BigInt(word) << BigInt(8 * (exponent - 3));
  const negative = word !== 0 && (bits & 0x00800000) !== 0;
  const overflow = word !== 0 && (exponent > 34 || (word > 0xff && exponent > 33) || (word > 0xffff && exponent > 32));
  return { target, negative, overflow };
}

/** The target of compact bits; throws for negative or overflowing encodings (invalid as PoW). */
export function bitsToTarget(bits: number): bigint {
  const d = decodeCompact(bits);
  if (d.negative) throw new InvalidTargetError(`compact bits ${bits.toString(16).padStart(8, '0')} encode a negative target`);
  if (d.overflow) throw new InvalidTargetError(`compact bits ${bits.toString(16).padStart(8, '0')} overflow 256 bits`);
  return d.target;
}

/** BYTE_POWERS[k] = 2^(8k), k = 0..32. */
const BYTE_POWERS: readonly bigint[] = Array.from({ length: 33 }, (_, k) => 1n << BigInt(8 * k));

/**
 * Bytes of a non-negative value below 2^256 (0 for 0): the least k with v < 2^(8k), by binary
 * search over the powers (comparisons allocate nothing; a hex string per call did, on every
 * share's ASERT step).
 */
function byteLength(v: bigint): number {
  let lo = 0;
  let hi = 32;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (v < BYTE_POWERS[mid]!) hi = mid;
    else lo = mid + 1;
  }
  return lo;
}

/** Encodes a target as compact bits (Bitcoin Core's GetCompact: lossy, rounds down). */
export function targetToBits(target: bigint): number {
  if (target < 0n || target > MAX_TARGET) throw new InvalidTargetError('target must be in 0..2^256-1');
  let size = byteLength(target);
  let compact: number;
  if (size <= 3) compact = Number(target << BigInt(8 * (3 - size)));
  else compact = Number(target >> BigInt(8 * (size - 3)));
  if (compact & 0x00800000) {
    compact >>>= 8;
    size++;
  }
  return ((size << 24) | compact) >>> 0;
}

/**
 * Target of a (possibly fractional) difficulty: floor(diff1 / difficulty), clamped to 2^256-1.
 * `diff1` is the algorithm's difficulty-1 target (Bitcoin's by default; KawPow pools use 0xff·2^216).
 */
export function difficultyToTarget(difficulty: number, diff1: bigint = DIFF1_TARGET): bigint {
  if (typeof difficulty !== 'number' || !Number.isFinite(difficulty) || difficulty <= 0) {
    throw new InvalidTargetError(`difficulty must be a positive finite number (got ${difficulty})`);
  }
  // difficulty = m * 2^e exactly (m a 53-bit integer), so diff1 / difficulty is exact in bigint.
  const [m, e] = frexpInt(difficulty);
  let t: bigint;
  if (e >= 0) t = diff1 / (m << BigInt(e));
  else t = (diff1 << BigInt(-e)) / m;
  if (t > MAX_TARGET) t = MAX_TARGET;
  if (t === 0n) throw new InvalidTargetError(`difficulty ${difficulty} is too high: its target is zero`);
  return t;
}

/** Difficulty of a target (or of a hash value): diff1 / target, as a float (`diff1` as above). */
export function targetToDifficulty(target: bigint, diff1: bigint = DIFF1_TARGET): number {
  if (target <= 0n) throw new InvalidTargetError('target is zero');
  const q = (diff1 << DIFF_SCALE_BITS) / target;
  return Number(q) / 2 ** Number(DIFF_SCALE_BITS);
}

/** A 32-byte hash in internal order read as a little-endian uint256. */
export function hashToBigInt(hash: Uint8Array): bigint {
  return BigInt('0x' + (bytesToHex(reverseBytes(hash)) || '0'));
}

/** Proof-of-work check: the hash (internal order) as LE uint256 is at or below the target. */
export function hashMeetsTarget(hash: Uint8Array, target: bigint): boolean {
  return hashToBigInt(hash) <= target;
}

/** Difficulty a hash achieved (what pools call the share difficulty). */
export function hashDifficulty(hash: Uint8Array): number {
  const v = hashToBigInt(hash);
  return v === 0n ? Infinity : targetToDifficulty(v);
}

/** A target as 64 big-endian hex digits (display orientation). */
export function targetToHex(target: bigint): string {
  return target.toString(16).padStart(64, '0');
}

export function hexToTarget(hex: string): bigint {
  const bytes = hexToBytes(hex, 32, 'target');
  return BigInt('0x' + bytesToHex(bytes));
}

/** Splits a positive finite double into an integer mantissa m and exponent e with x = m * 2^e. */
function frexpInt(x: number): [bigint, number] {
  let e = 0;
  let m = x;
  while (!Number.isInteger(m)) {
    m *= 2;
    e--;
  }
  while (m > Number.MAX_SAFE_INTEGER) {
    m /= 2;
    e++;
  }
  return [BigInt(m), e];
}
