/**
 * The edge's KawPow light evaluation: published vectors after preparing an epoch, light caches on
 * disk (a damaged file is reported and rebuilt), typed refusals, and what it is for: injected
 * into a KawPow sharechain, it accepts a share mined by light evaluation and refuses one whose
 * mix hash was changed.
 */
import {
  CoinTips,
  EngineUnavailableError,
  InvalidHeightError,
  KAWPOW,
  ShareChain,
  createChainJob,
  hexToBytes,
  kawpowSharePow,
  shareScriptSig,
  withKawpowSolution,
} from '@otedama/core';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { kawpowVectors } from '../../../core/test/kawpow-vectors.ts';
import { COIN_REWARD, T0, coinTip, payee, testParams } from '../../../core/test/sharechain-fixtures.ts';
import { solveKawpow, testKawpowLight } from '../../test/kawpow-helpers.ts';
import { KawpowLight } from './kawpow-light.ts';
import { lightCacheFile } from './light-cache-store.ts';

const epoch0 = kawpowVectors.vectors.filter((v) => v.epoch === 0);

let light: KawpowLight;
beforeAll(async () => {
  light = await testKawpowLight();
  await light.prepare(0);
}, 120_000);
afterAll(() => light?.dispose());

describe('KawpowLight', () => {
  it('hashes every published epoch-0 vector synchronously once the epoch is prepared', () => {
    expect(light.isReady(7499)).toBe(true);
    for (const v of epoch0) {
      const r = light.hash(hexToBytes(v.header_hash_hex, 32), BigInt('0x' + v.nonce_u64_hex), v.block_number);
      expect({ mix: Buffer.from(r.mixHash).toString('hex'), final: Buffer.from(r.finalHash).toString('hex') }).toEqual({ mix: v.expected_mix_hash_hex, final: v.expected_final_hash_hex });
      expect(light.mix(hexToBytes(v.header_hash_hex, 32), BigInt('0x' + v.nonce_u64_hex), v.block_number)).toEqual(r.mixHash);
    }
  });

  it('refuses an epoch it was not asked to prepare, and heights past its cap, with typed errors', async () => {
    expect(light.isReady(7500)).toBe(false);
    expect(() => light.mix(new Uint8Array(32), 0n, 7500)).toThrow(EngineUnavailableError);
    expect(() => light.mix(new Uint8Array(32), 0n, 7500)).toThrow(/light cache of epoch 1 \(height 7500\) is not prepared/);
    await expect(light.prepare(1025 * 7500)).rejects.toThrow(InvalidHeightError);
    await expect(light.prepare(-1)).rejects.toThrow(InvalidHeightError);
  });

  it('keeps light caches on disk; a damaged file is reported and rebuilt', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'otedama-light-cache-'));
    const warnings: string[] = [];
    try {
      const first = await KawpowLight.create({ cacheDir: dir, builder: 'here' });
      await first.prepare(1);
      first.dispose();
      const file = lightCacheFile(dir, 0);
      const bytes = readFileSync(file);
      expect(bytes.length).toBeGreaterThan(16_000_000);
      bytes[100_000]! ^= 0xff;
      writeFileSync(file, bytes);
      const second = await KawpowLight.create({ cacheDir: dir, builder: 'here', onWarning: (m) => void warnings.push(m) });
      await second.prepare(1);
      const v = epoch0[0]!;
      expect(Buffer.from(second.hash(hexToBytes(v.header_hash_hex, 32), BigInt('0x' + v.nonce_u64_hex), v.block_number).mixHash).toString('hex')).toBe(v.expected_mix_hash_hex);
      second.dispose();
      expect(warnings).toEqual([expect.stringMatching(/epoch 0 again/)]);
      // Rebuilt and saved whole again.
      expect(readFileSync(file).equals(bytes)).toBe(false);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  }, 120_000);
});

describe('a KawPow sharechain with the light evaluation injected', () => {
  it('accepts a share mined by light evaluation and refuses one whose mix hash was changed', () => {
    const coin = new CoinTips();
    const tip = coinTip(1);
    coin.add(tip.prevHash, tip.info);
    const chain = new ShareChain({ params: testParams({ algorithm: 'kawpow' }), coin, now: () => T0, pow: kawpowSharePow(light.mix) });
    const job = createChainJob(chain, { payees: [payee(1)], coin: { prevHash: tip.prevHash, height: tip.info.height, bits: tip.info.bits, reward: COIN_REWARD }, time: T0 });
    const scriptSig = shareScriptSig(job.coin.height, new Uint8Array(8));
    const unsolved = KAWPOW.header.build({ version: 0x30000000, prevHash: job.coin.prevHash, merkleRoot: job.merkleRoot(job.coinbase(scriptSig)), time: Math.floor(T0 / 1000), bits: job.coin.bits, height: job.coin.height });
    const { nonce, mixHash } = solveKawpow(light, KAWPOW.header.jobInput(unsolved), job.coin.height, job.target);
    const header = withKawpowSolution(unsolved, nonce, mixHash);

    const forgedMix = mixHash.slice();
    forgedMix[31]! ^= 1;
    const forged = chain.add(job.encode(withKawpowSolution(unsolved, nonce, forgedMix), scriptSig));
    expect(forged).toMatchObject({ kind: 'invalid', reason: 'bad-pow', message: expect.stringMatching(/invalid-mix-hash/) });

    const added = chain.add(job.encode(header, scriptSig));
    expect(added.kind).toBe('accepted');
    expect(chain.height).toBe(0);
    expect(chain.tip!.id).toEqual(KAWPOW.hashHeader(header));
  });
});
