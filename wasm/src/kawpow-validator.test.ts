/**
 * Core's KawPow share validator on this engine's light evaluation, against every published
 * vector (issue 12: "every published vector passes on the WASM engine and the validator"): each
 * vector's (header hash, nonce, mix hash) submitted for a job of that header hash and height is
 * accepted at a share target equal to its final hash, refused one below it (without a light
 * evaluation), and refused with a mix hash of another nonce or another period.
 */
import { afterAll, describe, expect, it } from 'vitest';
import { bytesToHex, hexToBytes, kawpowHashValue, KawpowShareValidator, kawpowTargetToDifficulty } from '@otedama/core';
import { kawpowVectors } from '../../core/test/kawpow-vectors.ts';
import { createWasmKawpowHasher } from './kawpow.ts';

describe('KawpowShareValidator on the WASM light evaluation: the published vectors', async () => {
  const hasher = await createWasmKawpowHasher({ cachedEpochs: 2 });
  afterAll(() => hasher.dispose());
  let evaluations = 0;
  // One validator per vector: "hash_empty" repeats block 0's share, which one validator would
  // rightly call a duplicate.
  const newValidator = () =>
    new KawpowShareValidator({
      lightMix: async (headerHash, nonce, height) => {
        evaluations++;
        return (await hasher.hash(headerHash, nonce, height)).mixHash;
      },
    });

  for (const [i, v] of kawpowVectors.vectors.entries()) {
    it(`accepts ${v.name ?? `block ${v.block_number}`} (epoch ${v.epoch}) at target = its final hash, refuses it one below`, async () => {
      const headerHash = hexToBytes(v.header_hash_hex, 32);
      const mixHash = hexToBytes(v.expected_mix_hash_hex, 32);
      const nonce = BigInt('0x' + v.nonce_u64_hex);
      const finalValue = kawpowHashValue(hexToBytes(v.expected_final_hash_hex, 32));
      const validator = newValidator();
      const job = validator.addJob({ id: `v${i}`, headerHash, height: v.block_number, bits: 0x1d00ffff, cleanJobs: false, createdAt: 0 });
      const ctx = (target: bigint) => ({ noncePrefix: '', shareTarget: { difficulty: kawpowTargetToDifficulty(target), target } });

      const before = evaluations;
      const low = await validator.validate({ jobId: job.id, nonce, headerHash, mixHash }, ctx(finalValue - 1n));
      expect(low).toMatchObject({ ok: false, reason: 'low-difficulty' });
      expect(evaluations).toBe(before);

      const verdict = await validator.validate({ jobId: job.id, nonce, headerHash, mixHash }, ctx(finalValue));
      expect(verdict.ok).toBe(true);
      if (verdict.ok) expect(bytesToHex(verdict.finalHash)).toBe(v.expected_final_hash_hex);
      expect(evaluations).toBe(before + 1);
    });
  }

  it("refuses a published mix hash replayed with another nonce, or at another period's height", async () => {
    const v = kawpowVectors.vectors.find((x) => x.block_number === 49)!;
    const headerHash = hexToBytes(v.header_hash_hex, 32);
    const mixHash = hexToBytes(v.expected_mix_hash_hex, 32);
    const nonce = BigInt('0x' + v.nonce_u64_hex);
    const anything = { noncePrefix: '', shareTarget: { difficulty: 0, target: (1n << 256n) - 1n } };
    const validator = newValidator();
    validator.addJob({ id: 'other-nonce', headerHash, height: v.block_number, bits: 0x1d00ffff, cleanJobs: false, createdAt: 0 });
    expect(await validator.validate({ jobId: 'other-nonce', nonce: nonce + 1n, headerHash, mixHash }, anything)).toMatchObject({ ok: false, reason: 'bad-mix-hash' });
    validator.addJob({ id: 'other-period', headerHash, height: v.block_number + 3, bits: 0x1d00ffff, cleanJobs: false, createdAt: 0 });
    expect(await validator.validate({ jobId: 'other-period', nonce, headerHash, mixHash }, anything)).toMatchObject({ ok: false, reason: 'bad-mix-hash' });
  });
});
