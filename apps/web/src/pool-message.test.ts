import { describe, expect, it } from 'vitest';
import { encodeError, encodeNotify, encodeResult, encodeSetDifficulty, encodeSetExtranonce, encodeReconnect, rejectShare, STRATUM_ERROR } from '@otedama/core';
import { PoolMessageError } from './errors.ts';
import { isStaleRejection, MAX_POOL_LINE_CHARS, parsePoolError, parsePoolLine, parseSubscribeResult } from './pool-message.ts';

const H64 = 'ab'.repeat(32);
const fields = {
  prevhash: H64,
  coinb1: '01000000010000',
  coinb2: 'ffffffff0100',
  merkleBranch: [H64, 'cd'.repeat(32)],
  version: '20000000',
  nbits: '207fffff',
  ntime: '66a1b2c3',
};
const notify = (params: unknown[]) => JSON.stringify({ id: null, method: 'mining.notify', params });
const goodParams = () => ['j1', H64, fields.coinb1, fields.coinb2, fields.merkleBranch, fields.version, fields.nbits, fields.ntime, true];

describe('parsePoolLine: what the edge really sends', () => {
  it('reads the edge encoder\'s notify, set_difficulty, set_extranonce, reconnect and replies', () => {
    expect(parsePoolLine(encodeNotify('a7', fields, false).trim())).toEqual({ kind: 'notify', fields: { jobId: 'a7', ...fields, clean: false } });
    expect(parsePoolLine(encodeSetDifficulty(0.5).trim())).toEqual({ kind: 'set-difficulty', difficulty: 0.5 });
    expect(parsePoolLine(encodeSetExtranonce('0a0b0c0d', 4).trim())).toEqual({ kind: 'set-extranonce', extranonce1: '0a0b0c0d', extranonce2Size: 4 });
    expect(parsePoolLine(encodeReconnect('127.0.0.1', 3333).trim())).toEqual({ kind: 'reconnect' });
    expect(parsePoolLine(encodeResult(7, true).trim())).toEqual({ kind: 'response', id: 7, result: true, error: null });
    const r = rejectShare('stale');
    expect(parsePoolLine(encodeError(8, r.code, r.message).trim())).toEqual({
      kind: 'response',
      id: 8,
      result: null,
      error: { code: 21, message: 'Stale share (job is older than the current block)' },
    });
    expect(parsePoolLine('{"id":null,"method":"client.show_message","params":["hi"]}')).toEqual({ kind: 'other', method: 'client.show_message' });
  });
});

describe('parsePoolLine: malformed input is a PoolMessageError with a reason, never a crash', () => {
  const cases: [string, string, RegExp][] = [
    ['empty', '', /not JSON/],
    ['bad JSON', '{"id":1,', /not JSON/],
    ['binary noise', '\u0000\u0001garbage', /not JSON/],
    ['an array', '[1,2,3]', /not a JSON object/],
    ['a number', '42', /not a JSON object/],
    ['null', 'null', /not a JSON object/],
    ['neither notification nor reply', '{"id":1}', /neither a notification/],
    ['reply with an object id', '{"id":{},"result":true}', /reply id/],
    ['method not a string', '{"method":5,"params":[]}', /method must be a non-empty string/],
    ['params not an array', '{"method":"mining.notify","params":{"a":1}}', /params must be an array/],
    ['notify with too few params', notify(['j1', H64]), /needs 9 params/],
    ['notify with a numeric job id', notify([1, ...goodParams().slice(1)]), /job_id/],
    ['notify with an empty job id', notify(['', ...goodParams().slice(1)]), /job_id/],
    ['notify with a short prevhash', notify(['j1', 'abcd', ...goodParams().slice(2)]), /prevhash/],
    ['notify with non-hex coinb1', notify(['j1', H64, 'zz', ...goodParams().slice(3)]), /coinb1/],
    ['notify with odd-length coinb2', notify(['j1', H64, fields.coinb1, 'abc', ...goodParams().slice(4)]), /coinb2/],
    ['notify with a branch that is not a list', notify([...goodParams().slice(0, 4), 'ab', ...goodParams().slice(5)]), /merkle_branch/],
    ['notify with a bad branch hash', notify([...goodParams().slice(0, 4), ['00'], ...goodParams().slice(5)]), /merkle_branch\[0\]/],
    ['notify with a huge branch', notify([...goodParams().slice(0, 4), Array(40).fill(H64), ...goodParams().slice(5)]), /merkle_branch/],
    ['notify with a 6-digit version', notify([...goodParams().slice(0, 5), '200000', ...goodParams().slice(6)]), /version/],
    ['notify with numeric nbits', notify([...goodParams().slice(0, 6), 0x207fffff, ...goodParams().slice(7)]), /nbits/],
    ['notify with a missing ntime', notify([...goodParams().slice(0, 7), null, true]), /ntime/],
    ['notify with clean_jobs "yes"', notify([...goodParams().slice(0, 8), 'yes']), /clean_jobs/],
    ['set_difficulty without a value', '{"method":"mining.set_difficulty","params":[]}', /positive number/],
    ['set_difficulty of zero', '{"method":"mining.set_difficulty","params":[0]}', /positive number/],
    ['set_difficulty negative', '{"method":"mining.set_difficulty","params":[-4]}', /positive number/],
    ['set_difficulty as a string', '{"method":"mining.set_difficulty","params":["8"]}', /positive number/],
    ['set_difficulty of 1e999 (Infinity)', '{"method":"mining.set_difficulty","params":[1e999]}', /positive number/],
    ['set_extranonce with a bad size', '{"method":"mining.set_extranonce","params":["0a0b",0]}', /extranonce2_size/],
    ['set_extranonce with non-hex', '{"method":"mining.set_extranonce","params":["xyz",4]}', /extranonce1/],
  ];
  it.each(cases)('%s', (_name, line, reason) => {
    let caught: unknown;
    try {
      parsePoolLine(line);
    } catch (err) {
      caught = err;
    }
    expect(caught).toBeInstanceOf(PoolMessageError);
    expect((caught as PoolMessageError).name).toBe('PoolMessageError');
    expect((caught as PoolMessageError).message).toMatch(reason);
  });

  it('refuses an over-long line before parsing it', () => {
    expect(() => parsePoolLine(`{"x":"${'a'.repeat(MAX_POOL_LINE_CHARS)}"}`)).toThrow(/longer than/);
  });
});

describe('parseSubscribeResult', () => {
  it('reads the session id, extranonce1 and extranonce2 size (both subscription shapes)', () => {
    expect(parseSubscribeResult([[['mining.set_difficulty', 'ab01'], ['mining.notify', 'ab01']], 'AB01CD02', 4])).toEqual({
      sessionId: 'ab01',
      extranonce1: 'ab01cd02',
      extranonce2Size: 4,
    });
    expect(parseSubscribeResult([['mining.notify', 's1'], '00', 8])).toEqual({ sessionId: 's1', extranonce1: '00', extranonce2Size: 8 });
    expect(parseSubscribeResult([[], '00', 2])).toEqual({ extranonce1: '00', extranonce2Size: 2 });
  });

  it('refuses malformed results', () => {
    expect(() => parseSubscribeResult(null)).toThrow(PoolMessageError);
    expect(() => parseSubscribeResult(true)).toThrow(/subscriptions, extranonce1/);
    expect(() => parseSubscribeResult([[], '0a'])).toThrow(/subscriptions, extranonce1/);
    expect(() => parseSubscribeResult([[], 'xyz', 4])).toThrow(/extranonce1/);
    expect(() => parseSubscribeResult([[], '0a', 'four'])).toThrow(/extranonce2_size/);
    expect(() => parseSubscribeResult([[], '0a', 2.5])).toThrow(/extranonce2_size/);
    expect(() => parseSubscribeResult([[], 'ab'.repeat(33), 4])).toThrow(/longer than 32 bytes/);
  });
});

describe('share verdicts', () => {
  it('keeps the code and message of every error shape pools use', () => {
    expect(parsePoolError(null)).toBeNull();
    expect(parsePoolError(undefined)).toBeNull();
    expect(parsePoolError([23, 'Low difficulty share', null])).toEqual({ code: 23, message: 'Low difficulty share' });
    expect(parsePoolError(['21', 'Job not found'])).toEqual({ code: null, message: 'Job not found' });
    expect(parsePoolError({ code: 21, message: 'stale' })).toEqual({ code: 21, message: 'stale' });
    expect(parsePoolError('duplicate')).toEqual({ code: null, message: 'duplicate' });
    expect(parsePoolError([])!.message).toBe('[]');
    expect(parsePoolError(17)).toEqual({ code: null, message: '17' });
  });

  it('code 21 or a stale / job-not-found message is stale; everything else is a rejection', () => {
    expect(isStaleRejection({ code: STRATUM_ERROR.JOB_NOT_FOUND, message: 'whatever' })).toBe(true);
    expect(isStaleRejection({ code: null, message: 'Stale share' })).toBe(true);
    expect(isStaleRejection({ code: 20, message: 'job NOT found' })).toBe(true);
    expect(isStaleRejection({ code: null, message: 'stale-prevblk' })).toBe(true);
    for (const reason of ['job-not-found', 'stale'] as const) {
      const r = rejectShare(reason);
      expect(isStaleRejection(parsePoolError([r.code, r.message, null])!)).toBe(true);
    }
    for (const reason of ['duplicate', 'low-difficulty', 'unauthorized', 'bad-ntime'] as const) {
      const r = rejectShare(reason);
      expect(isStaleRejection({ code: r.code, message: r.message })).toBe(false);
    }
  });
});
