/**
 * KawPow as a module of core's algorithm registry: Ravencoin's 120-byte block header (the 80-byte
 * KAWPOW input with the height where Bitcoin has its nonce, then a u64 nonce and the mix hash),
 * a 64-bit nonce, the difficulty-1 target of KawPow pools, and a proof of work that needs the
 * epoch's light cache, so core takes it from the engine that holds one (`kawpowSharePow`).
 *
 * Layout and hashes: Ravencoin 6d48ae01 src/primitives/block.h (CBlockHeader serialization once
 * nTime >= nKAWPOWActivationTime), src/primitives/block.cpp (GetHash = KAWPOWHash_OnlyMix: the
 * final hash from the stored mix hash; GetKAWPOWHeaderHash = sha256d of CKAWPOWInput), and
 * src/validation.cpp CheckBlockHeader (a full check recomputes the mix hash: "invalid-mix-hash").
 */
import { PowVerificationError } from '../../errors.ts';
import { bytesEqual, reverseBytes, writeU32LE } from '../../hex.ts';
import type { Algorithm, HeaderFields, PowFunction } from '../algorithm.ts';
import { checkHeaderLength, readCoinFields, writeCommonFields } from '../header-fields.ts';
import { kawpowFinalHash } from './progpow.ts';
import {
  checkKawpowHeight,
  KAWPOW_HEADER_BYTES,
  KAWPOW_HEIGHT_OFFSET,
  KAWPOW_INPUT_BYTES,
  KAWPOW_NONCE_OFFSET,
  kawpowBlockHashInternal,
  kawpowHeaderHash,
  parseKawpowHeader,
} from './share-fields.ts';

/**
 * Difficulty 1 of KawPow pools: 0x00000000ff000000...0 = 0xff * 2^216, what KawPow Stratum
 * difficulties (mining.set_target's targets) and pool share difficulties are relative to
 * (MiningCore src/Miningcore/Blockchain/Ravencoin/RavencoinConstants.cs `Diff1`, the NOMP KawPow
 * forks' `diff1`). Ravencoin's own RPC `getdifficulty` keeps Bitcoin's 0xffff * 2^208
 * (src/rpc/blockchain.cpp GetDifficulty); the two differ by 0.4 %.
 */
export const KAWPOW_DIFF1_TARGET = 0xffn << 216n;

/** Bytes of a KawPow nonce (nNonce64). */
export const KAWPOW_NONCE_BYTES = 8;

/**
 * The mix hash ProgPoW gives for (header hash, nonce, height) by light evaluation, in ProgPoW's
 * output order. Synchronous: the engine has the epoch's light cache ready (edge: KawpowLight over
 * the WASM module). It throws a typed error when it cannot evaluate (the epoch is not prepared).
 */
export type KawpowLightMix = (headerHash: Uint8Array, nonce: bigint, height: number) => Uint8Array;

/** A job's 120-byte header: the common fields, the height at 76, nonce and mix hash zero. */
export function buildKawpowHeader(fields: HeaderFields): Uint8Array {
  checkKawpowHeight(fields.height, 0xffff_ffff);
  const header = writeCommonFields(fields, KAWPOW_HEADER_BYTES);
  writeU32LE(header, KAWPOW_HEIGHT_OFFSET, fields.height);
  return header;
}

/**
 * Ravencoin's block hash of a 120-byte header (internal order): the final hash computed from the
 * header hash, the nonce and the stored mix hash, reversed. No DAG work: the mix hash is trusted,
 * as `CBlockHeader::GetHash` trusts it; `kawpowSharePow` checks it.
 */
export function kawpowBlockHash(header: Uint8Array): Uint8Array {
  const f = parseKawpowHeader(header);
  return kawpowBlockHashInternal(kawpowFinalHash(f.headerHash, f.nonce, f.mixHash));
}

/**
 * The PoW function of KawPow shares with the engine's light evaluation injected: the block hash
 * (internal order) when the header's mix hash is the one ProgPoW gives for its header hash, nonce
 * and height; PowVerificationError otherwise. Every call pays one light evaluation (about
 * 5-20 ms here): the function sees no target, so it cannot skip hopeless headers first.
 */
export function kawpowSharePow(lightMix: KawpowLightMix): PowFunction {
  return (header) => {
    const f = parseKawpowHeader(header);
    const computed = lightMix(f.headerHash, f.nonce, f.height);
    if (!bytesEqual(computed, f.mixHash)) {
      throw new PowVerificationError('kawpow', `the mix hash is not the one header hash, nonce and height ${f.height} give (invalid-mix-hash)`);
    }
    return reverseBytes(kawpowFinalHash(f.headerHash, f.nonce, f.mixHash));
  };
}

export const KAWPOW: Algorithm = {
  name: 'kawpow',
  title: 'KawPow (Ravencoin)',
  headerBytes: KAWPOW_HEADER_BYTES,
  hashHeader: kawpowBlockHash,
  engines: ['wasm', 'wasm-simd'],
  header: {
    bytes: KAWPOW_HEADER_BYTES,
    nonceOffset: KAWPOW_NONCE_OFFSET,
    nonceBytes: KAWPOW_NONCE_BYTES,
    build: buildKawpowHeader,
    jobInput(header) {
      checkHeaderLength(header, KAWPOW_HEADER_BYTES);
      return kawpowHeaderHash(header.subarray(0, KAWPOW_INPUT_BYTES));
    },
  },
  share: {
    headerBytes: KAWPOW_HEADER_BYTES,
    nonceOffset: KAWPOW_NONCE_OFFSET,
    nonceBytes: KAWPOW_NONCE_BYTES,
    diff1Target: KAWPOW_DIFF1_TARGET,
    readFields: (header) => readCoinFields(header, KAWPOW_HEADER_BYTES),
  },
};
