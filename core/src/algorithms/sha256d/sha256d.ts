/**
 * SHA-256d (Bitcoin and its family): an 80-byte header, a 32-bit nonce at bytes 76..79, the
 * difficulty-1 target 0xffff * 2^208, PoW = sha256d(header). The share form is the header itself.
 */
import { headerHash, HEADER_BYTES, NONCE_OFFSET } from '../../block-header.ts';
import { InvalidHeaderError } from '../../errors.ts';
import { readU32LE } from '../../hex.ts';
import { DIFF1_TARGET } from '../../target.ts';
import type { Algorithm, CoinHeaderFields } from '../algorithm.ts';

function readFields(header: Uint8Array): CoinHeaderFields {
  if (header.length !== HEADER_BYTES) throw new InvalidHeaderError(`header must be ${HEADER_BYTES} bytes (got ${header.length})`);
  return {
    prevHash: header.subarray(4, 36),
    merkleRoot: header.subarray(36, 68),
    time: readU32LE(header, 68),
    bits: readU32LE(header, 72),
  };
}

export const SHA256D: Algorithm = {
  name: 'sha256d',
  title: 'SHA-256d (Bitcoin family)',
  headerBytes: HEADER_BYTES,
  hashHeader: headerHash,
  engines: ['js', 'wasm', 'wasm-simd', 'webgpu'],
  share: {
    headerBytes: HEADER_BYTES,
    nonceOffset: NONCE_OFFSET,
    nonceBytes: 4,
    diff1Target: DIFF1_TARGET,
    readFields,
    pow: headerHash,
  },
};
