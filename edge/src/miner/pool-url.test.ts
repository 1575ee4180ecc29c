import { describe, expect, it } from 'vitest';
import { PoolUrlError } from '../errors.ts';
import { formatPoolUrl, parsePoolUrl } from './pool-url.ts';

describe('parsePoolUrl', () => {
  it('reads stratum+tcp, stratum+tcps (and ssl), bare host:port and IPv6', () => {
    expect(parsePoolUrl('stratum+tcp://127.0.0.1:3333')).toEqual({ tls: false, host: '127.0.0.1', port: 3333 });
    expect(parsePoolUrl('stratum+tcps://pool.example.com:4333/')).toEqual({ tls: true, host: 'pool.example.com', port: 4333 });
    expect(parsePoolUrl('stratum+ssl://pool.example.com:4333').tls).toBe(true);
    expect(parsePoolUrl('pool.example.com:3333')).toEqual({ tls: false, host: 'pool.example.com', port: 3333 });
    expect(parsePoolUrl('stratum+tcp://[::1]:3333')).toEqual({ tls: false, host: '::1', port: 3333 });
    expect(formatPoolUrl(parsePoolUrl('stratum+tcp://[::1]:3333'))).toBe('stratum+tcp://[::1]:3333');
  });

  it.each([
    ['', /empty/],
    ['http://pool:80', /scheme "http:\/\/" is not supported/],
    ['stratum+tcp://pool', /needs a host and a port/],
    ['stratum+tcp://pool:0', /outside 1..65535/],
    ['stratum+tcp://pool:99999', /outside 1..65535/],
    ['stratum+tcp://user:pw@pool:3333', /no path or credentials/],
    ['stratum+tcp://pool:3333/path', /no path or credentials/],
  ])('rejects %j', (text, why) => {
    expect(() => parsePoolUrl(text)).toThrow(PoolUrlError);
    expect(() => parsePoolUrl(text)).toThrow(why);
  });
});
