/**
 * KawPow as a registry module: the header form on real Ravencoin mainnet headers (their published
 * block hashes), job headers and their header hash, the share form's fields, and the injected
 * light verification around the share PoW.
 */
import { describe, expect, it } from 'vitest';
import { kawpowVectors } from '../../../test/kawpow-vectors.ts';
import { InvalidHeaderError, InvalidHeightError, PowVerificationError, SharechainError } from '../../errors.ts';
import { bytesToHex, hexToBytes, reverseBytes } from '../../hex.ts';
import { sha256d } from '../../sha256.ts';
import { simnetPoolParams } from '../../sharechain/params.ts';
import { CoinTips } from '../../sharechain/coin-context.ts';
import { ShareChain } from '../../sharechain/sharechain.ts';
import { algorithmNames, getAlgorithm } from '../registry.ts';
import { buildKawpowHeader, KAWPOW, KAWPOW_DIFF1_TARGET, kawpowBlockHash, kawpowSharePow } from './kawpow-algorithm.ts';
import { kawpowFinalHash } from './progpow.ts';
import { kawpowHeaderHash, parseKawpowHeader, withKawpowSolution } from './share-fields.ts';

const [checkpoint, next] = kawpowVectors.block_headers.headers;
const checkpointHeader = hexToBytes(checkpoint!.header_hex, 120);
const nextHeader = hexToBytes(next!.header_hex, 120);

describe('the registry', () => {
  it('lists kawpow beside sha256d and finds it by any case', () => {
    expect(algorithmNames()).toEqual(['sha256d', 'kawpow']);
    expect(getAlgorithm('KawPow')).toBe(KAWPOW);
    expect(KAWPOW).toMatchObject({ name: 'kawpow', title: 'KawPow (Ravencoin)', headerBytes: 120 });
    expect(KAWPOW.header).toMatchObject({ bytes: 120, nonceOffset: 80, nonceBytes: 8 });
    expect(KAWPOW.share).toMatchObject({ headerBytes: 120, nonceOffset: 80, nonceBytes: 8, diff1Target: KAWPOW_DIFF1_TARGET });
    expect(KAWPOW_DIFF1_TARGET.toString(16).padStart(64, '0')).toBe('00000000ff' + '0'.repeat(54));
  });

  it('keeps SHA-256d whole: its header form builds Bitcoin headers and its job input is the header', () => {
    const sha = getAlgorithm('sha256d');
    const h = sha.header.build({ version: 4, prevHash: new Uint8Array(32).fill(1), merkleRoot: new Uint8Array(32).fill(2), time: 5, bits: 0x207fffff, height: 99 });
    expect(h.length).toBe(80);
    expect(bytesToHex(h.subarray(76))).toBe('00000000');
    expect(sha.header.jobInput(h)).toBe(h);
    expect(sha.share.pow).toBeTypeOf('function');
  });
});

describe('the KawPow header form (Ravencoin mainnet headers)', () => {
  it('hashes a real block to its published hash from the stored mix hash', () => {
    expect(bytesToHex(reverseBytes(kawpowBlockHash(checkpointHeader)))).toBe(checkpoint!.expected_block_hash_display_hex);
    expect(bytesToHex(reverseBytes(KAWPOW.hashHeader(checkpointHeader)))).toBe(checkpoint!.expected_block_hash_display_hex);
  });

  it("reads the coin fields at Bitcoin's offsets: the next block's prevhash is the checkpoint's hash", () => {
    const fields = KAWPOW.share.readFields(nextHeader);
    expect(bytesToHex(reverseBytes(fields.prevHash))).toBe(next!.expected_prev_block_hash_display_hex);
    expect(fields.prevHash).toEqual(kawpowBlockHash(checkpointHeader));
    expect(fields.bits).toBe(0x1b05c535);
    expect(parseKawpowHeader(nextHeader).height).toBe(next!.height);
    expect(() => KAWPOW.share.readFields(nextHeader.subarray(0, 80))).toThrow(/120 bytes \(got 80\)/);
  });

  it('rebuilds a real header from its fields, and its job input is the header hash of the first 80 bytes', () => {
    const f = parseKawpowHeader(checkpointHeader);
    const c = KAWPOW.share.readFields(checkpointHeader);
    const view = new DataView(checkpointHeader.buffer, checkpointHeader.byteOffset);
    const job = KAWPOW.header.build({ version: view.getUint32(0, true), prevHash: c.prevHash, merkleRoot: c.merkleRoot, time: c.time, bits: c.bits, height: f.height });
    expect(bytesToHex(job.subarray(0, 80))).toBe(bytesToHex(checkpointHeader.subarray(0, 80)));
    expect(bytesToHex(job.subarray(80))).toBe('00'.repeat(40));
    expect(KAWPOW.header.jobInput(job)).toEqual(f.headerHash);
    expect(KAWPOW.header.jobInput(job)).toEqual(reverseBytes(sha256d(checkpointHeader.subarray(0, 80))));
    expect(withKawpowSolution(job, f.nonce, f.mixHash)).toEqual(checkpointHeader);
  });

  it('refuses bad job fields with typed errors', () => {
    const base = { version: 0x30000000, prevHash: new Uint8Array(32), merkleRoot: new Uint8Array(32), time: 1, bits: 0x207fffff, height: 1 };
    expect(() => buildKawpowHeader({ ...base, height: -1 })).toThrow(InvalidHeightError);
    expect(() => buildKawpowHeader({ ...base, height: 2 ** 32 })).toThrow(InvalidHeightError);
    expect(() => buildKawpowHeader({ ...base, prevHash: new Uint8Array(31) })).toThrow(InvalidHeaderError);
    expect(() => buildKawpowHeader({ ...base, time: 2 ** 32 })).toThrow(/time must be a u32/);
    expect(() => KAWPOW.header.jobInput(new Uint8Array(80))).toThrow(InvalidHeaderError);
  });
});

describe('the KawPow share PoW (light verification injected)', () => {
  const f = parseKawpowHeader(checkpointHeader);
  const asked: [string, bigint, number][] = [];

  it("returns the block hash when the engine's mix hash is the header's, and asks with the header's fields", () => {
    const pow = kawpowSharePow((headerHash, nonce, height) => {
      asked.push([bytesToHex(headerHash), nonce, height]);
      return f.mixHash;
    });
    expect(bytesToHex(reverseBytes(pow(checkpointHeader)))).toBe(checkpoint!.expected_block_hash_display_hex);
    expect(asked).toEqual([[bytesToHex(kawpowHeaderHash(checkpointHeader.subarray(0, 80))), f.nonce, checkpoint!.height]]);
  });

  it('throws PowVerificationError (bad-pow for the sharechain) when the mix hash differs', () => {
    const other = f.mixHash.slice();
    other[0]! ^= 1;
    const pow = kawpowSharePow(() => other);
    expect(() => pow(checkpointHeader)).toThrow(PowVerificationError);
    expect(() => pow(checkpointHeader)).toThrow(/invalid-mix-hash/);
    // The final hash from the claimed mix alone is not the proof.
    expect(kawpowFinalHash(f.headerHash, f.nonce, f.mixHash)).toEqual(reverseBytes(kawpowBlockHash(checkpointHeader)));
  });

  it("makes a KawPow sharechain refuse to start without an injected verifier, and start with one", () => {
    const params = simnetPoolParams(sha256d(new TextEncoder().encode('kawpow test coin')), { algorithm: 'kawpow' });
    expect(() => new ShareChain({ params, coin: new CoinTips() })).toThrow(SharechainError);
    expect(() => new ShareChain({ params, coin: new CoinTips() })).toThrow(/kawpow shares need an injected proof-of-work function/);
    const chain = new ShareChain({ params, coin: new CoinTips(), pow: kawpowSharePow(() => new Uint8Array(32)) });
    expect(chain.algorithm).toBe(KAWPOW);
    expect(chain.maxShareBytes).toBe(1205 + 40);
  });
});
