import { describe, expect, it } from 'vitest';
import { sha256dVectors } from '../test/vectors.ts';
import { assembleCoinbase, coinbaseHash } from './coinbase.ts';
import { bytesToHex, hexToBytes, reverseBytes } from './hex.ts';
import { merkleRoot, merkleRootFromBranch, coinbaseMerkleBranch } from './merkle.ts';
import { buildStratumHeader, prevHashFromStratum, prevHashToStratum, rollVersion, swapWords32 } from './stratum-job.ts';
import { headerHash } from './block-header.ts';
import { difficultyToTarget, hashDifficulty, hashMeetsTarget } from './target.ts';
import { sha256d } from './sha256.ts';

const [oneBranch, espCoinbase, espFive] = sha256dVectors.stratum_v1_vectors as Record<string, any>[];

describe('stratum job -> header', () => {
  it('rebuilds the one-branch block from a notify + submit and hashes it', () => {
    const n = oneBranch!['mining_notify_equivalent (derived by me)'];
    const built = buildStratumHeader(
      { prevhash: n.prevhash, coinb1: n.coinb1, coinb2: n.coinb2, merkleBranch: n.merkle_branch, version: n.version, nbits: n.nbits, ntime: n.ntime },
      { extranonce1: oneBranch!.extranonce1, extranonce2: oneBranch!.extranonce2, ntime: n.ntime, nonce: oneBranch!.nonce_submit_hex },
      { extranonce2Size: oneBranch!.extranonce2_size },
    );
    expect(bytesToHex(built.merkleRoot)).toBe(oneBranch!.expected_merkle_root_internal_hex);
    expect(bytesToHex(built.header)).toBe(oneBranch!.expected_header_hex);
    expect(bytesToHex(reverseBytes(headerHash(built.header)))).toBe(oneBranch!.expected_hash_display_hex);
  });

  it('assembles the ESP-Miner coinbase and folds its 12-hash branch', () => {
    const cb = assembleCoinbase(hexToBytes(espCoinbase!.coinb1), hexToBytes(espCoinbase!.extranonce1), hexToBytes(espCoinbase!.extranonce2), hexToBytes(espCoinbase!.coinb2));
    expect(bytesToHex(cb)).toBe(espCoinbase!.expected_coinbase_tx_hex);
    const root = merkleRootFromBranch(coinbaseHash(cb), (espCoinbase!.merkle_branch as string[]).map((h) => hexToBytes(h)));
    expect(bytesToHex(root)).toBe(espCoinbase!.expected_merkle_root_hex);
  });

  it('folds the ESP-Miner 5-hash branch', () => {
    const root = merkleRootFromBranch(sha256d(hexToBytes(espFive!.coinbase_tx_hex)), (espFive!.merkle_branch as string[]).map((h) => hexToBytes(h)));
    expect(bytesToHex(root)).toBe(espFive!.expected_merkle_root_hex);
  });

  it('rebuilds the ESP-Miner BM1397 job (merkle root from notify params)', () => {
    const m = sha256dVectors.midstate_vectors[0] as Record<string, any>;
    const p = m.mining_notify_params as any[];
    const built = buildStratumHeader(
      { prevhash: p[1], coinb1: p[2], coinb2: p[3], merkleBranch: p[4], version: p[5], nbits: p[6], ntime: p[7] },
      { extranonce1: m.extranonce1, extranonce2: m.extranonce2, ntime: p[7], nonce: '00000000' },
    );
    expect(bytesToHex(built.merkleRoot)).toBe(m.expected_merkle_root_hex);
    expect(bytesToHex(built.header.subarray(0, 64))).toBe(m['header_first_64_bytes_hex (nonce not involved)']);
  });

  it('verifies the real minerd share from stratum-clients.md §4', () => {
    // notify: job 1, d=0.001, extranonce1 f0000001; submit ["tester.w1","1","00000000","6b04a1e9","32ed2600"]
    const prevhash = '9e326f4ffd34246ef79871366e8540c7fbd388c768fea862808ef9cc00000000';
    const internal = prevHashFromStratum(prevhash);
    expect(prevHashToStratum(internal)).toBe(prevhash);
    expect(bytesToHex(internal).startsWith('4f6f329e')).toBe(true);
  });

  it('word swap is its own inverse and rejects ragged input', () => {
    const b = hexToBytes('0011223344556677');
    expect(bytesToHex(swapWords32(b))).toBe('3322110077665544');
    expect(bytesToHex(swapWords32(swapWords32(b)))).toBe('0011223344556677');
    expect(() => swapWords32(new Uint8Array(5))).toThrow(/multiple of 4/);
  });

  it('rolls versions by XOR inside the mask only', () => {
    expect(rollVersion(0x20000000, 0x00002000, 0x1fffe000)).toBe(0x20002000);
    expect(rollVersion(0x20006000, 0x00002000, 0x1fffe000)).toBe(0x20004000);
    expect(() => rollVersion(0x20000000, 0x00000001, 0x1fffe000)).toThrow(/outside the granted mask/);
  });

  it('rejects malformed submissions with the field named', () => {
    const n = oneBranch!['mining_notify_equivalent (derived by me)'];
    const job = { prevhash: n.prevhash, coinb1: n.coinb1, coinb2: n.coinb2, merkleBranch: n.merkle_branch, version: n.version, nbits: n.nbits, ntime: n.ntime };
    const sub = { extranonce1: '1d02', extranonce2: '6e04', ntime: n.ntime, nonce: '7b3a3b32' };
    expect(() => buildStratumHeader(job, { ...sub, nonce: '7b3a3b3' })).toThrow(/nonce must be 8 hex digits/);
    expect(() => buildStratumHeader(job, { ...sub, ntime: 'zzzzzzzz' })).toThrow(/ntime/);
    expect(() => buildStratumHeader(job, { ...sub, extranonce2: '6e' }, { extranonce2Size: 2 })).toThrow(/extranonce2 must be 2 bytes/);
    expect(() => buildStratumHeader({ ...job, prevhash: 'ab' }, sub)).toThrow(/prevhash must be 32 bytes/);
    expect(() => buildStratumHeader({ ...job, merkleBranch: ['00'] }, sub)).toThrow(/merkle_branch\[0\]/);
  });
});

describe('merkle', () => {
  it('coinbaseMerkleBranch agrees with the full tree for 1..9 transactions', () => {
    for (let n = 1; n <= 9; n++) {
      const txids = Array.from({ length: n }, (_, i) => sha256d(new Uint8Array([i, n])));
      const branch = coinbaseMerkleBranch(txids.slice(1));
      expect(bytesToHex(merkleRootFromBranch(txids[0]!, branch))).toBe(bytesToHex(merkleRoot(txids)));
    }
  });

  it('a share at difficulty d meets difficultyToTarget(d)', () => {
    const h = headerHash(hexToBytes(sha256dVectors.vectors[0]!.header_hex));
    const d = hashDifficulty(h);
    expect(hashMeetsTarget(h, difficultyToTarget(d * 0.999))).toBe(true);
    expect(hashMeetsTarget(h, difficultyToTarget(d * 1.001))).toBe(false);
  });
});
