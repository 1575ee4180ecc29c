import { describe, expect, it } from 'vitest';
import { KAWPOW_DIFF1_TARGET, parseKawpowSetTargetParams, StratumError } from '@otedama/core';
import { ConfigError } from '../../errors.ts';
import { stratumDialect } from './index.ts';

const light = { mix: () => new Uint8Array(32) };

describe('Stratum dialects by algorithm', () => {
  it('gives each registered algorithm its dialect and refuses the others with the known names', () => {
    expect(stratumDialect('sha256d', { maxJobs: 8 }).algorithm.name).toBe('sha256d');
    expect(stratumDialect('kawpow', { maxJobs: 8, kawpowLight: light }).algorithm.name).toBe('kawpow');
    expect(() => stratumDialect('kawpow', { maxJobs: 8 })).toThrow(ConfigError);
    expect(() => stratumDialect('kawpow', { maxJobs: 8 })).toThrow(/light evaluation/);
    expect(() => stratumDialect('equihash', { maxJobs: 8 })).toThrow(/does not speak equihash \(known: sha256d, kawpow\)/);
  });

  it("speaks each algorithm's messages: subscribe result, difficulty, nonce prefix width", () => {
    const sha = stratumDialect('sha256d', { maxJobs: 8 });
    const kaw = stratumDialect('kawpow', { maxJobs: 8, kawpowLight: light });
    expect(sha.subscribeResult('0a0b0c0d', '0a0b0c0d', 4)).toEqual([[['mining.set_difficulty', '0a0b0c0d'], ['mining.notify', '0a0b0c0d']], '0a0b0c0d', 4]);
    expect(kaw.subscribeResult('8001', '8001', 4)).toEqual([[['mining.set_target', '8001'], ['mining.notify', '8001']], '8001']);
    expect(JSON.parse(sha.difficultyLine(sha.shareTarget(2)))).toMatchObject({ method: 'mining.set_difficulty', params: [2] });
    const line = JSON.parse(kaw.difficultyLine(kaw.shareTarget(1)));
    expect(line.method).toBe('mining.set_target');
    expect(parseKawpowSetTargetParams(line.params)).toBe(KAWPOW_DIFF1_TARGET);
    expect(kaw.targetToDifficulty(KAWPOW_DIFF1_TARGET)).toBe(1);
    expect(sha.extranonce1Bytes(4)).toBe(4);
    expect(kaw.extranonce1Bytes(4)).toBe(2);
  });

  it('refuses malformed submits with a StratumError naming the field', () => {
    const kaw = stratumDialect('kawpow', { maxJobs: 8, kawpowLight: light });
    const h = '0x' + '11'.repeat(32);
    expect(() => kaw.parseSubmit(['w', '1', '0x1', h])).toThrow(StratumError);
    expect(() => kaw.parseSubmit(['w', '1', '0xnothex', h, h])).toThrow(/nonce/);
    expect(() => kaw.parseSubmit(['w', '1', '0x' + '0'.repeat(16), '0x1234', h])).toThrow(/header hash/);
    expect(kaw.parseSubmit(['w.rig', 'a1', '0x' + '0'.repeat(15) + '7', h, h])).toMatchObject({ username: 'w.rig', jobId: 'a1', nonce: 7n });
    expect(() => stratumDialect('sha256d', { maxJobs: 8 }).parseSubmit(['w', '1', 'zz', '00000000', '00000000'])).toThrow(StratumError);
  });
});
