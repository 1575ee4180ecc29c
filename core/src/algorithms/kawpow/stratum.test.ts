/**
 * The KawPow Stratum dialect codec: every message written the way real miners and pools write it
 * (kawpowminer, MiningCore, the NOMP KawPow forks, yiimp-kawpow), read back both ways, the
 * variants they send accepted, and malformed input refused with a StratumError naming the field
 * (table cases and a fuzz of mutated valid messages: never anything but a StratumError).
 */
import { describe, expect, it } from 'vitest';
import { mutations } from '../../../test/fuzz.ts';
import { rng } from '../../../test/rng.ts';
import { StratumError } from '../../errors.ts';
import { bytesToHex, hexToBytes } from '../../hex.ts';
import { encodeNotification, encodeResult, parseStratumLine } from '../../stratum-codec.ts';
import { KAWPOW_DIFF1_TARGET } from './kawpow-algorithm.ts';
import { kawpowNotifyParams, parseKawpowNotifyParams, type KawpowJobFields } from './stratum-job.ts';
import {
  kawpowDifficultyToTarget,
  kawpowNonceHasPrefix,
  kawpowNonceRange,
  kawpowSubmitParams,
  kawpowSubscribeResult,
  kawpowTargetToDifficulty,
  parseKawpowNoncePrefix,
  parseKawpowSetTargetParams,
  parseKawpowSubmitParams,
  parseKawpowSubscribeResult,
  type KawpowSubmission,
} from './stratum.ts';

const headerHash = hexToBytes('63155f732f2bf556967f906155b510c917e48e99685ead76ea83f4eca03ab12b', 32);
const mixHash = hexToBytes('11f19805c58ab46610ff9c719dcf0a5f18fa2f1605798eef770c47219274767d', 32);
const share: KawpowSubmission = { username: 'RXexampleAddress.rig1', jobId: '4e2', nonce: 0x8001_0000_0000_1234n, headerHash, mixHash };

describe('mining.subscribe (KawPow)', () => {
  it("answers as MiningCore does: the session under set_target and notify, then the nonce prefix", () => {
    expect(kawpowSubscribeResult('5e55', '8001')).toEqual([
      [
        ['mining.set_target', '5e55'],
        ['mining.notify', '5e55'],
      ],
      '8001',
    ]);
    expect(() => kawpowSubscribeResult('5e55', '80011')).toThrow(StratumError);
  });

  it('reads every pool shape a miner meets', () => {
    expect(parseKawpowSubscribeResult(kawpowSubscribeResult('5e55', '8001'))).toEqual({ sessionId: '5e55', noncePrefix: '8001' });
    // NOMP KawPow forks and yiimp-kawpow: no subscriptions, a 2- or 3-byte prefix.
    expect(parseKawpowSubscribeResult([null, '8001'])).toEqual({ sessionId: null, noncePrefix: '8001' });
    expect(parseKawpowSubscribeResult([null, 'A1b2C3'])).toEqual({ sessionId: null, noncePrefix: 'a1b2c3' });
    // A prefix with 0x, a single [method, id] pair, extra elements after the prefix.
    expect(parseKawpowSubscribeResult([['mining.notify', 7], '0x8001', 4])).toEqual({ sessionId: '7', noncePrefix: '8001' });
    // No prefix: the whole nonce space.
    expect(parseKawpowSubscribeResult([null, null])).toEqual({ sessionId: null, noncePrefix: '' });
  });

  it.each([
    ['a non-array result', true, /result must be \[subscriptions, nonce prefix\]/],
    ['a one-element result', [null], /result must be/],
    ['a numeric prefix', [null, 8001], /must be a hex string/],
    ['a non-hex prefix', [null, '80zz'], /is not hex/],
    ['an odd prefix', [null, '801'], /odd number of hex digits/],
    ['a 5-byte prefix (kawpowminer refuses it)', [null, '0102030405'], /longer than 4 bytes/],
  ])('refuses %s', (_label, result, why) => {
    expect(() => parseKawpowSubscribeResult(result)).toThrow(StratumError);
    expect(() => parseKawpowSubscribeResult(result)).toThrow(why);
  });
});

describe('the nonce prefix', () => {
  it('is the most significant bytes of the 16 hex digits miners submit', () => {
    expect(kawpowNonceRange('8001')).toEqual({ first: 0x8001_0000_0000_0000n, last: 0x8001_ffff_ffff_ffffn });
    expect(kawpowNonceRange('a1b2c3d4')).toEqual({ first: 0xa1b2_c3d4_0000_0000n, last: 0xa1b2_c3d4_ffff_ffffn });
    expect(kawpowNonceRange('')).toEqual({ first: 0n, last: (1n << 64n) - 1n });
    expect(kawpowNonceHasPrefix(0x8001_0000_0000_1234n, '8001')).toBe(true);
    expect(kawpowNonceHasPrefix(0x8001_ffff_ffff_ffffn, '8001')).toBe(true);
    expect(kawpowNonceHasPrefix(0x8002_0000_0000_0000n, '8001')).toBe(false);
    expect(kawpowNonceHasPrefix(0x0000_8001_0000_0000n, '8001')).toBe(false);
    expect(kawpowNonceHasPrefix(5n, '')).toBe(true);
    expect(kawpowNonceHasPrefix(5n, 'zz')).toBe(false);
    expect(parseKawpowNoncePrefix('0xABCD')).toBe('abcd');
  });
});

describe('mining.set_target and difficulty (KawPow)', () => {
  it('reads the 64-digit target pools send, with 0x, and a short one as kawpowminer pads it', () => {
    expect(parseKawpowSetTargetParams(['00000000ff' + '0'.repeat(54)])).toBe(KAWPOW_DIFF1_TARGET);
    expect(parseKawpowSetTargetParams(['0x00000009f6' + '0'.repeat(52)])).toBe(0x9f6n << 208n);
    expect(parseKawpowSetTargetParams(['0xff' + '0'.repeat(54)])).toBe(KAWPOW_DIFF1_TARGET);
  });

  it.each([
    ['no params', [], /expected one param/],
    ['a number', [255], /must be a hex string/],
    ['65 digits', ['1'.repeat(65)], /1..64 hex digits/],
    ['non-hex', ['0xgg'], /1..64 hex digits/],
    ['an empty string', [''], /1..64 hex digits/],
    ['zero', ['0'.repeat(64)], /target is zero/],
  ])('refuses %s', (_label, params, why) => {
    expect(() => parseKawpowSetTargetParams(params)).toThrow(StratumError);
    expect(() => parseKawpowSetTargetParams(params)).toThrow(why);
  });

  it("counts difficulty from KawPow pools' difficulty 1 (0xff * 2^216), both ways", () => {
    expect(kawpowDifficultyToTarget(1)).toBe(KAWPOW_DIFF1_TARGET);
    expect(kawpowDifficultyToTarget(0.5)).toBe(KAWPOW_DIFF1_TARGET * 2n);
    expect(kawpowDifficultyToTarget(256)).toBe(KAWPOW_DIFF1_TARGET / 256n);
    expect(kawpowTargetToDifficulty(KAWPOW_DIFF1_TARGET / 1000n)).toBeCloseTo(1000, 6);
  });
});

describe('mining.submit (KawPow)', () => {
  it('writes what kawpowminer sends: 0x + 16-digit nonce, 0x + header hash, 0x + mix hash', () => {
    expect(kawpowSubmitParams(share)).toEqual([
      'RXexampleAddress.rig1',
      '4e2',
      '0x8001000000001234',
      '0x' + bytesToHex(headerHash),
      '0x' + bytesToHex(mixHash),
    ]);
    expect(kawpowSubmitParams({ ...share, nonce: 0n })[2]).toBe('0x0000000000000000');
  });

  it('reads it back, and the same without 0x and in upper case (yiimp accepts both)', () => {
    const back = parseKawpowSubmitParams(kawpowSubmitParams(share));
    expect(back).toEqual(share);
    const bare = kawpowSubmitParams(share).map((p, i) => (i >= 2 ? p.slice(2).toUpperCase() : p));
    expect(parseKawpowSubmitParams(bare)).toEqual(share);
    expect(parseKawpowSubmitParams(['w', 'j', '0xffffffffffffffff', '0x' + '00'.repeat(32), '0x' + '00'.repeat(32)]).nonce).toBe((1n << 64n) - 1n);
  });

  const good = kawpowSubmitParams(share) as unknown[];
  const withParam = (i: number, v: unknown) => good.map((x, k) => (k === i ? v : x));
  it.each([
    ['four params', good.slice(0, 4), /expected 5 params/],
    ['six params (a SHA-256d miner on the KawPow port)', [...good, '00000000'], /expected 5 params/],
    ['an empty worker', withParam(0, ''), /worker name/],
    ['a numeric job id', withParam(1, 12), /job id/],
    ['a job id of 65 characters', withParam(1, 'j'.repeat(65)), /job id/],
    ['a nonce of 8 digits (a SHA-256d nonce)', withParam(2, '0x00001234'), /nonce must be 16 hex digits/],
    ['a nonce of 17 digits (past u64)', withParam(2, '0x1' + '0'.repeat(16)), /nonce must be 16 hex digits/],
    ['a non-hex nonce', withParam(2, '0x800100000000123g'), /nonce must be 16 hex digits/],
    ['a negative nonce', withParam(2, '-800100000000123'), /nonce must be 16 hex digits/],
    ['a numeric nonce', withParam(2, 1234), /nonce must be a hex string/],
    ['a header hash of 31 bytes', withParam(3, '0x' + 'ab'.repeat(31)), /header hash must be 64 hex digits/],
    ['a header hash of 33 bytes', withParam(3, 'ab'.repeat(33)), /header hash must be 64 hex digits/],
    ['a non-hex mix hash', withParam(4, '0x' + 'zz'.repeat(32)), /mix hash must be 64 hex digits/],
    ['a missing mix hash', withParam(4, null), /mix hash must be a hex string/],
  ])('refuses %s with a StratumError naming the field', (_label, params, why) => {
    expect(() => parseKawpowSubmitParams(params)).toThrow(StratumError);
    expect(() => parseKawpowSubmitParams(params)).toThrow(why);
  });

  it('refuses to write a share that is not one', () => {
    expect(() => kawpowSubmitParams({ ...share, nonce: 1n << 64n })).toThrow(/outside 0..2\^64-1/);
    expect(() => kawpowSubmitParams({ ...share, mixHash: new Uint8Array(31) })).toThrow(/mix hash must be 32 bytes/);
    expect(() => kawpowSubmitParams({ ...share, jobId: '' })).toThrow(StratumError);
  });
});

describe('whole lines, both ways', () => {
  const job: KawpowJobFields = { jobId: '1', headerHash, height: 1_234_567, bits: 0x1b05c535, target: kawpowDifficultyToTarget(0.5), clean: true };

  it('a pool line read by the miner and a miner line read by the pool', () => {
    const notify = parseStratumLine(encodeNotification('mining.notify', kawpowNotifyParams(job)));
    if (notify.kind !== 'request') throw new Error('notify is not a request');
    const parsed = parseKawpowNotifyParams(notify.params);
    expect(parsed).toMatchObject({ jobId: '1', height: 1_234_567, target: job.target, epoch: 164 });
    const sub = parseStratumLine(encodeResult(1, kawpowSubscribeResult('s1', '8001')));
    if (sub.kind !== 'response') throw new Error('the subscribe result is not a response');
    expect(parseKawpowSubscribeResult(sub.result).noncePrefix).toBe('8001');
    const submit = parseStratumLine(JSON.stringify({ id: 40, method: 'mining.submit', params: kawpowSubmitParams(share), jsonrpc: '2.0' }));
    if (submit.kind !== 'request') throw new Error('submit is not a request');
    expect(parseKawpowSubmitParams(submit.params)).toEqual(share);
  });

  it('fuzz: mutated valid messages parse or fail with a StratumError, never anything else', () => {
    const encoder = new TextEncoder();
    const decoder = new TextDecoder();
    const seeds = [
      JSON.stringify(kawpowSubmitParams(share)),
      JSON.stringify(kawpowNotifyParams(job)),
      JSON.stringify(kawpowSubscribeResult('s1', '8001')),
      JSON.stringify(['0x00000000ff' + '0'.repeat(54)]),
    ].map((s) => encoder.encode(s));
    const parsers: ((v: unknown) => unknown)[] = [
      (v) => parseKawpowSubmitParams(v as unknown[]),
      (v) => parseKawpowNotifyParams(v as unknown[]),
      (v) => parseKawpowSubscribeResult(v),
      (v) => parseKawpowSetTargetParams(v as unknown[]),
    ];
    let parsedOk = 0;
    let refused = 0;
    for (const bytes of mutations(seeds, 0x6b70, 4000)) {
      let value: unknown;
      try {
        value = JSON.parse(decoder.decode(bytes));
      } catch {
        continue; // not JSON: the line codec's business (stratum-codec.test.ts)
      }
      for (const parse of parsers) {
        try {
          parse(value);
          parsedOk++;
        } catch (err) {
          expect(err).toBeInstanceOf(StratumError);
          expect((err as StratumError).reason.length).toBeGreaterThan(0);
          refused++;
        }
      }
    }
    expect(parsedOk).toBeGreaterThan(0);
    expect(refused).toBeGreaterThan(parsedOk);
  });

  it('fuzz: random values in every position of a submit are refused or read exactly', () => {
    const random = rng(0x5b);
    const pool: unknown[] = [null, true, 0, -1, 2 ** 64, '', '0x', 'zz', '0x' + 'f'.repeat(16), 'f'.repeat(64), [], {}, '0x' + '1'.repeat(63)];
    for (let i = 0; i < 2000; i++) {
      const params = (kawpowSubmitParams(share) as unknown[]).map((v) => (random() < 0.3 ? pool[Math.floor(random() * pool.length)] : v));
      try {
        const s = parseKawpowSubmitParams(params);
        expect(kawpowSubmitParams(s).map((p) => p.toLowerCase().replace(/^0x/, ''))).toEqual(params.map((p) => String(p).toLowerCase().replace(/^0x/, '')));
      } catch (err) {
        expect(err).toBeInstanceOf(StratumError);
      }
    }
  });
});
