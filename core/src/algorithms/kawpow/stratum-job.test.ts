/** KawPow's mining.notify / mining.set_target fields: written as KawPow pools send them, read back, malformed input refused. */
import { describe, expect, it } from 'vitest';
import { kawpowVectors } from '../../../test/kawpow-vectors.ts';
import { InvalidTargetError, StratumError } from '../../errors.ts';
import { bytesToHex, hexToBytes } from '../../hex.ts';
import { kawpowNotifyParams, kawpowSetTargetParams, kawpowTargetHex, parseKawpowNotifyParams, type KawpowJobFields } from './stratum-job.ts';

const epoch1 = kawpowVectors.epoch_seeds.find((s) => s.epoch === 1)!;
const job: KawpowJobFields = {
  jobId: '1a',
  headerHash: hexToBytes('ac7b55e801511b77e11d15a5e6fa6bc4cf1c5b4a6c8bc0e5d3c3a6f30dae8a44', 32),
  height: 7_503,
  bits: 0x1b05c535,
  target: 0xffn << 216n,
  clean: true,
};

describe('mining.notify (KawPow)', () => {
  it('carries job id, header hash, seed hash of the height, 64-digit target, clean flag, height and bits', () => {
    expect(kawpowNotifyParams(job)).toEqual([
      '1a',
      'ac7b55e801511b77e11d15a5e6fa6bc4cf1c5b4a6c8bc0e5d3c3a6f30dae8a44',
      epoch1.seed_hex,
      '00000000ff' + '0'.repeat(54),
      true,
      7_503,
      '1b05c535',
    ]);
    expect(kawpowSetTargetParams(1n)).toEqual(['0'.repeat(63) + '1']);
  });

  it('reads back what it writes, with 0x prefixes accepted', () => {
    const params = kawpowNotifyParams(job);
    const back = parseKawpowNotifyParams(params);
    expect(back).toMatchObject({ jobId: '1a', height: 7_503, bits: 0x1b05c535, target: job.target, clean: true, epoch: 1 });
    expect(bytesToHex(back.headerHash)).toBe(params[1]);
    expect(bytesToHex(back.seedHash)).toBe(epoch1.seed_hex);
    const prefixed = [params[0], '0x' + params[1], '0x' + params[2], '0x' + params[3], false, params[5], '0x' + params[6]];
    expect(parseKawpowNotifyParams(prefixed)).toMatchObject({ clean: false, bits: 0x1b05c535 });
  });

  const good = kawpowNotifyParams(job) as unknown[];
  const withParam = (i: number, v: unknown) => good.map((x, k) => (k === i ? v : x));
  it.each([
    ['too few params', good.slice(0, 6), /expected 7 params/],
    ['an empty job id', withParam(0, ''), /job id must be a string/],
    ['a header hash of 31 bytes', withParam(1, 'ab'.repeat(31)), /header hash must be 64 hex digits/],
    ['a non-hex seed hash', withParam(2, 'zz'.repeat(32)), /seed hash must be 64 hex digits/],
    ['a seed hash of another epoch', withParam(2, '00'.repeat(32)), /is not the seed of epoch 1 \(height 7503\)/],
    ['a zero target', withParam(3, '0'.repeat(64)), /target is zero/],
    ['a string clean flag', withParam(4, 'true'), /clean flag must be true or false/],
    ['a fractional height', withParam(5, 1.5), /height must be an integer/],
    ['a negative height', withParam(5, -1), /is negative/],
    ['a height far beyond KawPow', withParam(5, 2 ** 40), /beyond the highest accepted height/],
    ['bits of 9 digits', withParam(6, '1b05c5351'), /bits must be up to 8 hex digits/],
  ])('refuses %s with a StratumError naming the field', (_label, params, why) => {
    expect(() => parseKawpowNotifyParams(params)).toThrow(StratumError);
    expect(() => parseKawpowNotifyParams(params)).toThrow(why);
  });

  it('refuses to write a job that is not one', () => {
    expect(() => kawpowNotifyParams({ ...job, jobId: 'x'.repeat(65) })).toThrow(StratumError);
    expect(() => kawpowNotifyParams({ ...job, headerHash: new Uint8Array(31) })).toThrow(/header hash must be 32 bytes/);
    expect(() => kawpowTargetHex(0n)).toThrow(InvalidTargetError);
    expect(() => kawpowTargetHex(1n << 256n)).toThrow(InvalidTargetError);
  });
});
