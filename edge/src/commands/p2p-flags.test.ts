import { describe, expect, it } from 'vitest';
import { formatFlagHelp, parseArgs } from '../cli-args.ts';
import { CliUsageError, ConfigError } from '../errors.ts';
import { edgeConfigFromFlags, POOL_FLAGS } from './pool.ts';

const PEER = '12D3KooWDpJ7As7BWAwRMfu1VU2WCqNjvq387JEYKDBj4kx6nXTN';
const config = (argv: string[]) => edgeConfigFromFlags(parseArgs(argv, POOL_FLAGS).flags, {});

describe('otedama pool p2p flags', () => {
  it('defaults: a network of one on 127.0.0.1:4733 (TCP) and 4734 (WebSockets)', () => {
    expect(config([]).p2p).toEqual({ enabled: true, host: '127.0.0.1', port: 4733, listen: [], bootstrap: [], maxPeers: 200, banSeconds: 600 });
  });

  it('--p2p-port, repeated --bootstrap, --no-p2p and --host', () => {
    const a = `/ip4/127.0.0.1/tcp/4733/p2p/${PEER}`;
    const b = `/dns4/edge.example.org/tcp/4734/ws/p2p/${PEER}`;
    const c = config(['--p2p-port', '5001', '--bootstrap', a, `--bootstrap=${b}`, '--bootstrap', a, '--host', '0.0.0.0']);
    expect(c.p2p).toMatchObject({ port: 5001, bootstrap: [a, b], host: '0.0.0.0', enabled: true });
    expect(config(['--no-p2p']).p2p.enabled).toBe(false);
    expect(() => config(['--host', 'my-edge.lan'])).toThrow(/p2p\.host \(or --host\) must be an IP address/);
    expect(config(['--host', 'my-edge.lan', '--no-p2p']).p2p.enabled).toBe(false);
    expect(formatFlagHelp(POOL_FLAGS)).toMatch(/--bootstrap MULTIADDR \.\.\. +a peer to dial at start/);
  });

  it('malformed values are usage errors that name the flag', () => {
    const usage = (argv: string[]) => {
      try {
        config(argv);
      } catch (err) {
        expect(err).toBeInstanceOf(CliUsageError);
        return (err as CliUsageError).reason;
      }
      throw new Error('expected a usage error');
    };
    expect(usage(['--p2p-port', '65535'])).toBe('--p2p-port must be at most 65534 (got 65535)');
    expect(usage(['--p2p-port', 'x'])).toBe('--p2p-port expects a number (got "x")');
    expect(usage(['--bootstrap'])).toBe('--bootstrap needs a value (MULTIADDR)');
    expect(usage(['--bootstrap', '/ip4/127.0.0.1/tcp/4733'])).toMatch(/^--bootstrap must end in \/p2p\/<peer id> .*\(got "\/ip4\/127\.0\.0\.1\/tcp\/4733"\)$/);
    expect(usage(['--bootstrap', 'localhost:4733'])).toMatch(/^--bootstrap is not a multiaddr/);
  });

  it('a p2p port that collides with another listener is a config error', () => {
    expect(() => config(['--p2p-port', '3332'])).toThrow(ConfigError);
    expect(() => config(['--p2p-port', '3332'])).toThrow(/p2p\.port 3332 \(TCP 3332, WebSockets 3333\) collides with stratum\.port 3333/);
    expect(config(['--p2p-port', '0', '--http-port', '0']).p2p.port).toBe(0);
  });
});
