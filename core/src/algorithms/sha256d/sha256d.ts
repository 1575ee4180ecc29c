/**
 * SHA-256d (Bitcoin and its family): an 80-byte header, a 32-bit nonce at bytes 76..79, the
 * difficulty-1 target 0xffff * 2^208, PoW = sha256d(header). The share form is the header itself,
 * and so is what a job's nonce search hashes.
 */
import { headerHash, HEADER_BYTES, NONCE_OFFSET } from '../../block-header.ts';
import { DIFF1_TARGET } from '../../target.ts';
import type { Algorithm, HeaderFields } from '../algorithm.ts';
import { checkHeaderLength, readCoinFields, writeCommonFields } from '../header-fields.ts';

/** A job's 80-byte header, nonce zero (the height is not part of a SHA-256d header). */
function buildHeader(fields: HeaderFields): Uint8Array {
  return writeCommonFields(fields, HEADER_BYTES);
}

export const SHA256D: Algorithm = {
  name: 'sha256d',
  title: 'SHA-256d (Bitcoin family)',
  headerBytes: HEADER_BYTES,
  hashHeader: headerHash,
  engines: ['js', 'wasm', 'wasm-simd', 'webgpu'],
  header: {
    bytes: HEADER_BYTES,
    nonceOffset: NONCE_OFFSET,
    nonceBytes: 4,
    build: buildHeader,
    jobInput(header) {
      checkHeaderLength(header, HEADER_BYTES);
      return header;
    },
  },
  share: {
    headerBytes: HEADER_BYTES,
    nonceOffset: NONCE_OFFSET,
    nonceBytes: 4,
    diff1Target: DIFF1_TARGET,
    readFields: (header) => readCoinFields(header, HEADER_BYTES),
    pow: headerHash,
  },
};
