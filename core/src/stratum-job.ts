/**
 * Stratum V1 job fields and the header a submission describes. Byte orders, as proven on the
 * wire with minerd, cpuminer-opt and Bitaxe firmware (see shared/reference/stratum-clients.md):
 *   - prevhash: internal bytes with each 4-byte word byte-reversed;
 *   - version, nbits, ntime, nonce: 8 big-endian hex digits of the u32, written LE in the header;
 *   - version rolling: header version = job version XOR version_bits (6th submit param).
 */
import { assembleCoinbase, coinbaseHash } from './coinbase.ts';
import { InvalidHeaderError } from './errors.ts';
import { bytesToHex, hexToBytes, parseU32Hex } from './hex.ts';
import { serializeHeader } from './block-header.ts';
import { merkleRootFromBranch } from './merkle.ts';

/** The version bits ASIC firmware expects a pool to grant (BIP310 mask). */
export const DEFAULT_VERSION_ROLLING_MASK = 0x1fffe000;

/** Byte-reverses each 4-byte word (Stratum prevhash <-> internal order; the map is its own inverse). */
export function swapWords32(bytes: Uint8Array): Uint8Array {
  if (bytes.length % 4 !== 0) throw new InvalidHeaderError('word swap needs a multiple of 4 bytes');
  const out = new Uint8Array(bytes.length);
  for (let i = 0; i < bytes.length; i += 4) {
    out[i] = bytes[i + 3]!;
    out[i + 1] = bytes[i + 2]!;
    out[i + 2] = bytes[i + 1]!;
    out[i + 3] = bytes[i]!;
  }
  return out;
}

/** Internal-order prevhash -> the hex a `mining.notify` carries. */
export function prevHashToStratum(prevHashInternal: Uint8Array): string {
  return bytesToHex(swapWords32(prevHashInternal));
}

/** `mining.notify` prevhash hex -> internal-order bytes. */
export function prevHashFromStratum(hex: string): Uint8Array {
  return swapWords32(hexToBytes(hex, 32, 'prevhash'));
}

/**
 * The header version after rolling: job version XOR the submitted bits, which must lie inside
 * the granted mask. (XOR equals BIP310's (v & ~m) | (vb & m) when the job version has no bits in
 * the mask, which edges keep true; XOR is what the firmware's shares verify with otherwise.)
 */
export function rollVersion(jobVersion: number, versionBits: number, mask: number): number {
  if ((versionBits & ~mask) >>> 0 !== 0) {
    throw new InvalidHeaderError(
      `version bits ${(versionBits >>> 0).toString(16).padStart(8, '0')} fall outside the granted mask ${(mask >>> 0).toString(16).padStart(8, '0')}`,
    );
  }
  return (jobVersion ^ versionBits) >>> 0;
}

/** The fields of a `mining.notify` as sent (hex strings). */
export interface StratumJobFields {
  prevhash: string;
  coinb1: string;
  coinb2: string;
  merkleBranch: readonly string[];
  version: string;
  nbits: string;
  ntime: string;
}

/** What a miner submits for a job. */
export interface StratumSubmission {
  extranonce1: string;
  extranonce2: string;
  ntime: string;
  nonce: string;
  /** The 6th submit parameter (hex), when version rolling is on. */
  versionBits?: string;
}

export interface BuiltHeader {
  header: Uint8Array;
  coinbase: Uint8Array;
  merkleRoot: Uint8Array;
}

/** Rebuilds the coinbase, merkle root and 80-byte header a submission describes. */
export function buildStratumHeader(
  job: StratumJobFields,
  sub: StratumSubmission,
  options: { extranonce2Size?: number; versionMask?: number } = {},
): BuiltHeader {
  const coinbase = assembleCoinbase(
    hexToBytes(job.coinb1, undefined, 'coinb1'),
    hexToBytes(sub.extranonce1, undefined, 'extranonce1'),
    hexToBytes(sub.extranonce2, undefined, 'extranonce2'),
    hexToBytes(job.coinb2, undefined, 'coinb2'),
    options.extranonce2Size,
  );
  const branch = job.merkleBranch.map((b, i) => hexToBytes(b, 32, `merkle_branch[${i}]`));
  const merkleRoot = merkleRootFromBranch(coinbaseHash(coinbase), branch);
  let version = parseU32Hex(job.version, 'version');
  if (sub.versionBits !== undefined) {
    version = rollVersion(version, parseU32Hex(sub.versionBits, 'version bits'), options.versionMask ?? DEFAULT_VERSION_ROLLING_MASK);
  }
  const header = serializeHeader({
    version,
    prevHash: prevHashFromStratum(job.prevhash),
    merkleRoot,
    time: parseU32Hex(sub.ntime, 'ntime'),
    bits: parseU32Hex(job.nbits, 'nbits'),
    nonce: parseU32Hex(sub.nonce, 'nonce'),
  });
  return { header, coinbase, merkleRoot };
}
