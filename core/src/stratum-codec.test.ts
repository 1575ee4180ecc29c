import { describe, expect, it } from 'vitest';
import { STRATUM_ERROR, StratumError } from './errors.ts';
import {
  StratumLineFramer,
  checkNotifyFields,
  encodeError,
  encodeNotify,
  encodeReconnect,
  encodeResult,
  encodeSetDifficulty,
  parseAuthorizeParams,
  parseConfigureParams,
  parseDifficultyValue,
  parseStratumLine,
  parseSubmitParams,
  parseSubscribeParams,
  parseVersionMask,
  splitWorkerName,
} from './stratum-codec.ts';

function framed(chunks: string[], max = 1024): string[] {
  const f = new StratumLineFramer(max);
  const out: string[] = [];
  for (const c of chunks) f.push(c, (l) => out.push(l));
  return out;
}

function stratumError(fn: () => unknown): StratumError {
  try {
    fn();
  } catch (err) {
    expect(err).toBeInstanceOf(StratumError);
    return err as StratumError;
  }
  throw new Error('expected a StratumError');
}

describe('StratumLineFramer', () => {
  it('splits lines across chunks, strips \\r and skips blank lines', () => {
    expect(framed(['{"a":1}\n{"b"', ':2}\r\n\n  \n{"c":3}', '\n'])).toEqual(['{"a":1}', '{"b":2}', '{"c":3}']);
  });

  it('keeps an unterminated tail until its newline arrives', () => {
    const f = new StratumLineFramer(1024);
    const out: string[] = [];
    f.push('{"id":1', (l) => out.push(l));
    expect(out).toEqual([]);
    expect(f.pending).toBe(7);
    f.push('}\n', (l) => out.push(l));
    expect(out).toEqual(['{"id":1}']);
  });

  it('rejects a line over the limit, terminated or not', () => {
    expect(stratumError(() => framed(['x'.repeat(200) + '\n'], 100)).reason).toMatch(/line too long/);
    expect(stratumError(() => framed(['x'.repeat(60), 'y'.repeat(60)], 100)).reason).toMatch(/line too long/);
    // exactly at the limit is fine
    expect(framed(['x'.repeat(100) + '\n'], 100)).toHaveLength(1);
  });
});

describe('parseStratumLine', () => {
  it('parses minerd (spaced) and Bitaxe (compact) requests', () => {
    const a = parseStratumLine('{"id": 1, "method": "mining.subscribe", "params": ["cpuminer/2.5.1"]}');
    expect(a).toEqual({ kind: 'request', id: 1, method: 'mining.subscribe', params: ['cpuminer/2.5.1'] });
    const b = parseStratumLine('{"id":3,"method":"mining.authorize","params":["addr.w","x"]}');
    expect(b.kind === 'request' && b.method).toBe('mining.authorize');
  });

  it('treats missing params as [] and missing id as null', () => {
    expect(parseStratumLine('{"method":"mining.extranonce.subscribe"}')).toEqual({ kind: 'request', id: null, method: 'mining.extranonce.subscribe', params: [] });
  });

  it('recognises responses to server requests', () => {
    expect(parseStratumLine('{"id":9,"result":"cpuminer/2.5.1","error":null}')).toEqual({ kind: 'response', id: 9, result: 'cpuminer/2.5.1', error: null });
  });

  it('rejects garbage with code 20 and a reason', () => {
    for (const [line, why] of [
      ['not json', /invalid JSON/],
      ['[1,2]', /JSON object/],
      ['42', /JSON object/],
      ['{"id":{},"method":"x","params":[]}', /id must be/],
      ['{"id":1}', /no method/],
      ['{"id":1,"method":7,"params":[]}', /method must be/],
      ['{"id":1,"method":"","params":[]}', /method must be/],
      ['{"id":1,"method":"mining.submit","params":{"a":1}}', /params of mining.submit must be an array/],
    ] as const) {
      const e = stratumError(() => parseStratumLine(line));
      expect(e.stratumCode).toBe(STRATUM_ERROR.OTHER);
      expect(e.reason).toMatch(why);
    }
  });

  it('survives random bytes with StratumErrors only', () => {
    let seed = 12345;
    const rnd = () => ((seed = (seed * 1103515245 + 12345) & 0x7fffffff) / 0x7fffffff);
    const alphabet = '{}[]":,0123456789abcdefnulltrue \\u00e9x-.eE+';
    for (let i = 0; i < 3000; i++) {
      let s = '';
      const n = Math.floor(rnd() * 60);
      for (let j = 0; j < n; j++) s += alphabet[Math.floor(rnd() * alphabet.length)];
      try {
        parseStratumLine(s);
      } catch (err) {
        expect(err).toBeInstanceOf(StratumError);
      }
    }
  });
});

describe('method params', () => {
  it('subscribe: user agent and session id, leniently', () => {
    expect(parseSubscribeParams([])).toEqual({});
    expect(parseSubscribeParams(['cpuminer/2.5.1', '5E550001'])).toEqual({ userAgent: 'cpuminer/2.5.1', sessionId: '5e550001' });
    expect(parseSubscribeParams([null, null])).toEqual({});
    expect(stratumError(() => parseSubscribeParams([42])).reason).toMatch(/user agent/);
  });

  it('authorize: payoutAddress.workerName, empty password allowed', () => {
    expect(parseAuthorizeParams(['bcrt1qabc.rig1', ''])).toEqual({ username: 'bcrt1qabc.rig1', password: '' });
    expect(parseAuthorizeParams(['bcrt1qabc'])).toEqual({ username: 'bcrt1qabc', password: '' });
    expect(stratumError(() => parseAuthorizeParams([])).stratumCode).toBe(STRATUM_ERROR.UNAUTHORIZED);
    expect(splitWorkerName('bcrt1qabc.rig.1')).toEqual({ address: 'bcrt1qabc', worker: 'rig.1' });
    expect(splitWorkerName('bcrt1qabc')).toEqual({ address: 'bcrt1qabc', worker: '' });
  });

  it('configure: extensions and options; version mask as hex', () => {
    const c = parseConfigureParams([['version-rolling'], { 'version-rolling.mask': 'ffffffff' }]);
    expect(c.extensions).toEqual(['version-rolling']);
    expect(parseVersionMask(c.options['version-rolling.mask'])).toBe(0xffffffff);
    expect(parseVersionMask('1fffe000')).toBe(0x1fffe000);
    expect(parseVersionMask(undefined)).toBe(0xffffffff);
    expect(() => parseVersionMask('xyz')).toThrow(StratumError);
    expect(() => parseConfigureParams(['version-rolling', {}])).toThrow(StratumError);
  });

  it('difficulty: number or numeric string (cpuminer-opt sends "%f"), positive and finite', () => {
    expect(parseDifficultyValue(1000)).toBe(1000);
    expect(parseDifficultyValue(0.0005)).toBe(0.0005);
    expect(parseDifficultyValue('0.000500')).toBe(0.0005);
    expect(parseDifficultyValue('1e-3')).toBe(0.001);
    for (const bad of [0, -1, 'abc', '', null, Infinity, '1/2', [1]]) expect(() => parseDifficultyValue(bad)).toThrow(StratumError);
  });

  it('submit: 5 or 6 params, hex shapes, lower-cased', () => {
    expect(parseSubmitParams(['u.w', '1a', '0000ABCD', '6B04A1E9', '32ED2600'])).toEqual({
      username: 'u.w', jobId: '1a', extranonce2: '0000abcd', ntime: '6b04a1e9', nonce: '32ed2600',
    });
    expect(parseSubmitParams(['u.w', '1a', '00000000', '6b04a1e9', '32ed2600', '2000']).versionBits).toBe('00002000');
    for (const [params, why] of [
      [['u.w', '1a', '00', '6b04a1e9'], /5 or 6 parameters/],
      [['u.w', '1a', '0g', '6b04a1e9', '32ed2600'], /extranonce2/],
      [['u.w', '1a', '000', '6b04a1e9', '32ed2600'], /extranonce2/],
      [['u.w', '1a', '00', '6b04a1e', '32ed2600'], /ntime/],
      [['u.w', '1a', '00', '6b04a1e9', 32], /nonce/],
      [['u.w', '', '00', '6b04a1e9', '32ed2600'], /job_id/],
      [['u.w', '1a', '00', '6b04a1e9', '32ed2600', 'zz'], /version_bits/],
    ] as const) {
      expect(stratumError(() => parseSubmitParams(params as unknown as unknown[])).reason).toMatch(why);
    }
  });
});

describe('encoders', () => {
  it('writes results, errors as [code, "msg", null], and notifications', () => {
    expect(encodeResult(4, true)).toBe('{"id":4,"result":true,"error":null}\n');
    expect(encodeResult('a', 'pong')).toBe('{"id":"a","result":"pong","error":null}\n');
    expect(JSON.parse(encodeError(4, 23, 'Low difficulty share'))).toEqual({ id: 4, result: null, error: [23, 'Low difficulty share', null] });
    expect(JSON.parse(encodeSetDifficulty(0.001))).toEqual({ id: null, method: 'mining.set_difficulty', params: [0.001] });
    expect(JSON.parse(encodeReconnect('127.0.0.1', 3333, 0)).params).toEqual(['127.0.0.1', 3333, 0]);
  });

  it('notify has 9 params and rejects unpadded fields (minerd would)', () => {
    const fields = { prevhash: 'ab'.repeat(32), coinb1: '01', coinb2: '02', merkleBranch: ['cd'.repeat(32)], version: '20000000', nbits: '1d00ffff', ntime: '0000abcd' };
    const msg = JSON.parse(encodeNotify('1f', fields, true));
    expect(msg.params).toHaveLength(9);
    expect(msg.params[8]).toBe(true);
    expect(() => checkNotifyFields(fields)).not.toThrow();
    expect(() => checkNotifyFields({ ...fields, ntime: 'abcd' })).toThrow(StratumError);
  });
});
