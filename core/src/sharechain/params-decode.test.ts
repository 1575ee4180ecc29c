import { describe, expect, it } from 'vitest';
import { PoolParamsError } from '../errors.ts';
import { bytesEqual } from '../hex.ts';
import { fuzzBytes, mutations } from '../../test/fuzz.ts';
import { bitcoinPoolParams, encodePoolParams, poolId } from './params.ts';
import { decodePoolParams } from './params-decode.ts';

describe('decodePoolParams', () => {
  const pools = [bitcoinPoolParams('mainnet'), bitcoinPoolParams('regtest'), bitcoinPoolParams('testnet4', { maxPayoutOutputs: 200, minPayoutSats: 10_000n })];

  it('is the inverse of encodePoolParams, pool id included', () => {
    for (const p of pools) {
      const back = decodePoolParams(encodePoolParams(p));
      expect(back).toEqual(p);
      expect(bytesEqual(poolId(back), poolId(p))).toBe(true);
    }
  });

  it('names what is wrong: magic, version, truncation, trailing bytes, a rule the values break', () => {
    const good = encodePoolParams(pools[0]!);
    const bad = (mutate: (b: Uint8Array) => Uint8Array) => () => decodePoolParams(mutate(good.slice()));
    expect(bad((b) => ((b[0] = 0), b))).toThrow(/wrong magic/);
    expect(bad((b) => ((b[12] = 9), b))).toThrow(/encoding version 9/);
    expect(bad((b) => b.subarray(0, 60))).toThrow(PoolParamsError);
    expect(bad((b) => Uint8Array.from([...b, 0]))).toThrow(/1 unexpected bytes/);
    // shareIntervalMs (after magic 12, versions 2, name 1+6, genesis 32) set to 0.
    expect(bad((b) => (b.fill(0, 53, 57), b))).toThrow(/shareIntervalMs/);
    expect(() => decodePoolParams(new Uint8Array(500))).toThrow(/at most 160 bytes/);
  });

  it('throws only PoolParamsError for random and mutated input', () => {
    for (const b of [...fuzzBytes(11, 300, 200), ...mutations(pools.map(encodePoolParams), 12, 600)]) {
      try {
        decodePoolParams(b);
      } catch (err) {
        expect(err).toBeInstanceOf(PoolParamsError);
      }
    }
  });
});
