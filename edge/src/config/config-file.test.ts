import { readFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { isMap, isScalar, parseDocument, type YAMLMap } from 'yaml';
import { describe, expect, it } from 'vitest';
import { defaultConfig, type EdgeConfig } from './config.ts';
import { applyConfigText, applyEnvironment, coinsToSats, loadConfig, schemaKeys, validateConfig } from './config-file.ts';
import { ConfigError } from '../errors.ts';

const EXAMPLE = fileURLToPath(new URL('../../../config.example.yaml', import.meta.url));

function apply(text: string): EdgeConfig {
  return applyConfigText(defaultConfig({}), text, 'config.yaml');
}

function issues(text: string): string[] {
  try {
    apply(text);
  } catch (err) {
    expect(err).toBeInstanceOf(ConfigError);
    return [...(err as ConfigError).issues];
  }
  throw new Error('expected a ConfigError');
}

describe('config.example.yaml', () => {
  it('documents the defaults: loading it changes nothing', () => {
    const fromExample = loadConfig({ configPath: EXAMPLE, env: {} });
    expect(fromExample).toEqual(defaultConfig({}));
  });

  it('documents every key of the schema', () => {
    const doc = parseDocument(readFileSync(EXAMPLE, 'utf8'));
    const keys: string[] = [];
    const walk = (m: YAMLMap, prefix: string) => {
      for (const p of m.items) {
        const k = `${prefix}${String((p.key as { value: unknown }).value)}`;
        if (isMap(p.value)) walk(p.value, `${k}.`);
        else keys.push(k);
      }
    };
    walk(doc.contents as YAMLMap, '');
    expect(keys.sort()).toEqual(schemaKeys().sort());
  });
});

describe('config file values', () => {
  it('applies every kind of value', () => {
    const c = apply(`
mining:
  algorithm: sha256d
  threads: 4
p2p:
  enabled: false
  host: 0.0.0.0
  port: 5000
  listen: ["/ip4/127.0.0.1/tcp/4001", "/ip6/::1/tcp/4002/ws"]
  bootstrap_nodes:
    - /dns4/a.example/tcp/4001/p2p/12D3KooWDpJ7As7BWAwRMfu1VU2WCqNjvq387JEYKDBj4kx6nXTN
  max_peers: 12
  ban_seconds: 30
security:
  ban_threshold: 50
  ban_seconds: 60
  max_connections_per_ip: 10
  rate_limit: 120
pool:
  fee: 1.5
  min_payout: 0.1
  payout_address: bcrt1qexample
  pplns_window: 1000
chain:
  mode: rpc
  rpc_url: http://127.0.0.1:18443
  rpc_cookie_file: ~/.bitcoin/.cookie
  simnet:
    block_reward: 3.125
stratum:
  port: 0
  tls_cert: /etc/otedama/cert.pem
  tls_key: /etc/otedama/key.pem
  extranonce2_size: 8
  vardiff:
    target_share_seconds: 5
storage:
  database_url: postgres://u:p@db:5432/otedama
  data_dir: /var/lib/otedama
  batch_ms: 2
http:
  port: 9000
metrics:
  port: 9100
log:
  level: debug
  format: json
`);
    expect(c.mining).toEqual({ algorithm: 'sha256d', threads: 4 });
    expect(c.p2p).toEqual({
      enabled: false,
      host: '0.0.0.0',
      port: 5000,
      listen: ['/ip4/127.0.0.1/tcp/4001', '/ip6/::1/tcp/4002/ws'],
      bootstrap: ['/dns4/a.example/tcp/4001/p2p/12D3KooWDpJ7As7BWAwRMfu1VU2WCqNjvq387JEYKDBj4kx6nXTN'],
      maxPeers: 12,
      banSeconds: 30,
    });
    expect(c.stratum).toMatchObject({ banThreshold: 50, banSeconds: 60, maxConnectionsPerIp: 10, port: 0, extranonce2Bytes: 8, tlsCertFile: '/etc/otedama/cert.pem' });
    expect(c.stratum.vardiff.targetShareSeconds).toBe(5);
    expect(c.security.apiRateLimitPerMinute).toBe(120);
    expect(c.pool).toMatchObject({ feePercent: 1.5, minPayoutSats: 10_000_000n, payoutAddress: 'bcrt1qexample', pplnsWindow: 1000 });
    expect(c.chain).toMatchObject({ mode: 'rpc', rpcUrl: 'http://127.0.0.1:18443', rpcCookieFile: join(homedir(), '.bitcoin/.cookie') });
    expect(c.chain.simnet.blockRewardSats).toBe(312_500_000);
    expect(c.storage).toMatchObject({ databaseUrl: 'postgres://u:p@db:5432/otedama', batchMs: 2 });
    expect(c.dataDir).toBe('/var/lib/otedama');
    expect(c.http.port).toBe(9000);
    expect(c.metrics.port).toBe(9100);
    expect(c.log).toEqual({ level: 'debug', format: 'json' });
  });

  it('an empty file, a comment-only file and empty sections change nothing', () => {
    expect(apply('')).toEqual(defaultConfig({}));
    expect(apply('# nothing here\n')).toEqual(defaultConfig({}));
    expect(apply('stratum:\npool:\n')).toEqual(defaultConfig({}));
  });

  it('an empty optional key unsets it', () => {
    const c = defaultConfig({});
    c.pool.payoutAddress = 'x';
    applyConfigText(c, 'pool:\n  payout_address:\n', 'config.yaml');
    expect(c.pool.payoutAddress).toBeUndefined();
    expect('payoutAddress' in c.pool).toBe(false);
  });

  it('http.web_root: a folder (~ expanded), unset by an empty key; the folder itself is checked at startup', () => {
    expect(apply('http:\n  web_root: /srv/otedama/web\n').http.webRoot).toBe('/srv/otedama/web');
    expect(apply('http:\n  web_root: dist/web\n').http.webRoot).toBe('dist/web');
    expect(apply('http:\n  web_root: ~/otedama-web\n').http.webRoot).toBe(join(homedir(), 'otedama-web'));
    // Existence is not the parser's business: a folder missing now may be built before the edge starts.
    expect(apply('http:\n  web_root: /nonexistent/web\n').http.webRoot).toBe('/nonexistent/web');
    const c = apply('http:\n  web_root: /srv/web\n');
    applyConfigText(c, 'http:\n  web_root:\n', 'config.yaml');
    expect('webRoot' in c.http).toBe(false);
    expect(defaultConfig({}).http.webRoot).toBeUndefined();
  });

  it('min_payout converts coins to exact satoshis', () => {
    expect(coinsToSats('0.1')).toBe(10_000_000n);
    expect(coinsToSats('0.00000001')).toBe(1n);
    expect(coinsToSats('21000000')).toBe(2_100_000_000_000_000n);
    expect(coinsToSats('1e-8')).toBe(1n);
    expect(coinsToSats('0.123456789')).toBeUndefined();
    expect(coinsToSats('-1')).toBeUndefined();
    expect(coinsToSats('abc')).toBeUndefined();
    expect(apply('pool:\n  min_payout: 0.30\n').pool.minPayoutSats).toBe(30_000_000n);
    expect(apply('pool:\n  min_payout: 0\n').pool.minPayoutSats).toBe(0n);
  });
});

describe('config file errors name the key and the line', () => {
  it('unknown key, with a suggestion', () => {
    expect(issues('stratum:\n  host: 0.0.0.0\n  prot: 3333\n')).toEqual(['config.yaml:3: unknown key stratum.prot (did you mean port?)']);
  });

  it('unknown key without a close match lists nothing it cannot suggest', () => {
    expect(issues('pool:\n  zzzzzzzz: 1\n')).toEqual([expect.stringMatching(/^config\.yaml:2: unknown key pool\.zzzzzzzz \(known: fee, min_payout, .*\)$/)]);
  });

  it('unknown section', () => {
    expect(issues('\n\nstratums:\n  port: 1\n')).toEqual(['config.yaml:3: unknown section stratums (did you mean stratum?)']);
  });

  it('nested unknown key', () => {
    expect(issues('stratum:\n  vardiff:\n    target_share_second: 5\n')).toEqual(['config.yaml:3: unknown key stratum.vardiff.target_share_second (did you mean target_share_seconds?)']);
  });

  it('p2p multiaddrs: each bad entry is named with its line and what to write instead', () => {
    const peer = '12D3KooWDpJ7As7BWAwRMfu1VU2WCqNjvq387JEYKDBj4kx6nXTN';
    const boot = (addr: string) => issues(`p2p:\n  bootstrap_nodes:\n    - /ip4/10.0.0.1/tcp/4733/p2p/${peer}\n    - ${JSON.stringify(addr)}\n`);
    expect(boot('/ip4/10.0.0.2/tcp/4733')).toEqual([expect.stringMatching(/^config\.yaml:4: p2p\.bootstrap_nodes\[1\] must end in \/p2p\/<peer id> .*\(got "\/ip4\/10\.0\.0\.2\/tcp\/4733"\)$/)]);
    expect(boot('edge.example.org:4733')).toEqual([expect.stringMatching(/^config\.yaml:4: p2p\.bootstrap_nodes\[1\] is not a multiaddr/)]);
    expect(boot('/ip4/999.1.1.1/tcp/1/p2p/' + peer)).toEqual([expect.stringMatching(/:4: p2p\.bootstrap_nodes\[1\] is not a valid multiaddr/)]);
    expect(boot('/ip4/10.0.0.2/tcp/4733/p2p/QmNotAPeerId')).toEqual([expect.stringMatching(/:4: .*ends in \/p2p\/QmNotAPeerId, which is not a libp2p peer id/)]);
    expect(boot(`/ip4/10.0.0.2/udp/4733/quic-v1/p2p/${peer}`)).toEqual([expect.stringMatching(/:4: .*must name a TCP port/)]);
    expect(boot(`/ip4/10.0.0.2/tcp/1/p2p/${peer}/p2p-circuit/p2p/${peer}`)).toEqual([expect.stringMatching(/:4: .*no relay hops/)]);
    expect(apply(`p2p:\n  bootstrap_nodes: ["/dns4/edge.example.org/tcp/443/wss/p2p/${peer}"]\n`).p2p.bootstrap).toHaveLength(1);
    const listen = (addr: string) => issues(`p2p:\n  listen: [${JSON.stringify(addr)}]\n`);
    expect(apply('p2p:\n  listen: [/ip4/0.0.0.0/tcp/4733, /ip4/0.0.0.0/tcp/4734/ws]\n').p2p.listen).toHaveLength(2);
    expect(listen(`/ip4/0.0.0.0/tcp/4733/p2p/${peer}`)).toEqual([expect.stringMatching(/^config\.yaml:2: p2p\.listen\[0\] must not name a peer id/)]);
    expect(listen('/dns4/a.example/tcp/1')).toEqual([expect.stringMatching(/:2: p2p\.listen\[0\] must listen on an IP address/)]);
    expect(listen('/ip4/0.0.0.0/udp/1')).toEqual([expect.stringMatching(/:2: .*must name a TCP port/)]);
    expect(listen('/ip4/0.0.0.0/tcp/1/wss')).toEqual([expect.stringMatching(/:2: .*must be \/ip4\/ADDR\/tcp\/PORT or \/ip4\/ADDR\/tcp\/PORT\/ws/)]);
    expect(issues('p2p:\n  host: edge.example.org\n')).toEqual([expect.stringMatching(/^config\.yaml:2: p2p\.host must be an IP address such as 127\.0\.0\.1/)]);
    expect(issues('p2p:\n  port: 65535\n')).toEqual(['config.yaml:2: p2p.port must be a whole number from 0 to 65534 (got 65535)']);
    expect(issues('p2p:\n  max_peers: 0\n')).toEqual(['config.yaml:2: p2p.max_peers must be a whole number from 1 to 100000 (got 0)']);
    expect(issues('p2p:\n  bootstrap: []\n')).toEqual(['config.yaml:2: unknown key p2p.bootstrap (did you mean bootstrap_nodes?)']);
  });

  it('wrong types', () => {
    expect(issues('stratum:\n  port: "3333"\n')).toEqual(['config.yaml:2: stratum.port must be a number (got string "3333")']);
    expect(issues('pool:\n  fee: one\n')).toEqual(['config.yaml:2: pool.fee must be a number (got string "one")']);
    expect(issues('mining:\n  threads: 1.5\n')).toEqual(['config.yaml:2: mining.threads must be a whole number (got 1.5)']);
    expect(issues('p2p:\n  listen: /ip4/0.0.0.0/tcp/1\n')).toEqual(['config.yaml:2: p2p.listen must be a list of strings (got string "/ip4/0.0.0.0/tcp/1")']);
    expect(issues('p2p:\n  bootstrap_nodes:\n    - /ip4/1.2.3.4/tcp/1/p2p/12D3KooWDpJ7As7BWAwRMfu1VU2WCqNjvq387JEYKDBj4kx6nXTN\n    - 5\n')).toEqual(['config.yaml:4: p2p.bootstrap_nodes[1] must be a string (got number 5)']);
    expect(issues('p2p:\n  enabled: "no"\n')).toEqual(['config.yaml:2: p2p.enabled must be true or false (got string "no")']);
    expect(issues('stratum: 3333\n')).toEqual(['config.yaml:1: stratum must be a section of keys (host, port, tls_port, tls_cert, tls_key, extranonce1_size, extranonce2_size, initial_difficulty, vardiff, max_line_bytes, max_connections, line_timeout_seconds, login_timeout_seconds, idle_timeout_seconds, max_workers_per_connection, max_write_buffer_bytes, job_refresh_seconds), got number 3333']);
    expect(issues('pool:\n  coinbase_tag: 123\n')).toEqual(['config.yaml:2: pool.coinbase_tag must be a string (got number 123; quote it if it is meant as text)']);
    expect(issues('pool:\n  min_payout: [1]\n')).toEqual(['config.yaml:2: pool.min_payout must be an amount in coins such as 0.1 (got a list)']);
    expect(issues('- a\n- b\n')).toEqual([expect.stringMatching(/^config\.yaml:1: the file must be a mapping of sections .*got a list$/)]);
  });

  it('bad enum values', () => {
    expect(issues('chain:\n  mode: regtest\n')).toEqual(['config.yaml:2: chain.mode must be one of simnet, rpc (got "regtest")']);
    expect(issues('log:\n  format: jsn\n')).toEqual(['config.yaml:2: log.format must be one of json, text (got "jsn"; did you mean json?)']);
    expect(issues('storage:\n  sqlite_synchronous: OFF\n')).toEqual(['config.yaml:2: storage.sqlite_synchronous must be one of FULL, NORMAL (got "OFF")']);
  });

  it('out-of-range values', () => {
    expect(issues('stratum:\n  port: 70000\n')).toEqual(['config.yaml:2: stratum.port must be a port number from 0 to 65535 (got 70000)']);
    expect(issues('http:\n  port: -1\n')).toEqual(['config.yaml:2: http.port must be a port number from 0 to 65535 (got -1)']);
    expect(issues('pool:\n  fee: 101\n')).toEqual(['config.yaml:2: pool.fee must be a number from 0 to 100 (got 101)']);
    expect(issues('stratum:\n  initial_difficulty: 0\n')).toEqual(['config.yaml:2: stratum.initial_difficulty must be a number above 0 up to 1000000000000000 (got 0)']);
    expect(issues('pool:\n  min_payout: 0.123456789\n')).toEqual(['config.yaml:2: pool.min_payout must be a non-negative amount in coins with at most 8 decimals, such as 0.1 (got 0.123456789)']);
    expect(issues('storage:\n  database_url: mysql://x\n')).toEqual(['config.yaml:2: storage.database_url must be a postgres:// or postgresql:// URL (got "mysql://x")']);
    expect(issues('pool:\n  coinbase_tag: ' + 'x'.repeat(41) + '\n')).toEqual([expect.stringMatching(/^config\.yaml:2: pool\.coinbase_tag must be at most 40 bytes/)]);
  });

  it('an empty or non-string http.web_root', () => {
    expect(issues('http:\n  web_root: ""\n')).toEqual(['config.yaml:2: http.web_root must not be empty (got "")']);
    expect(issues('http:\n  web_root: "   "\n')).toEqual(['config.yaml:2: http.web_root must not be empty (got "   ")']);
    expect(issues('http:\n  web_root: 5\n')).toEqual(['config.yaml:2: http.web_root must be a string (got number 5; quote it if it is meant as text)']);
    expect(issues('http:\n  web_root: [a, b]\n')).toEqual(['config.yaml:2: http.web_root must be a string (got a list; quote it if it is meant as text)']);
  });

  it('a required key without a value', () => {
    expect(issues('stratum:\n  port:\n')).toEqual(['config.yaml:2: stratum.port needs a value']);
  });

  it('malformed YAML gives line and column', () => {
    const found = issues('stratum:\n  port: [3333\nhttp:\n  port: 1\n');
    expect(found.length).toBeGreaterThan(0);
    expect(found[0]).toMatch(/^config\.yaml:\d+:\d+: YAML syntax error: /);
    expect(issues('pool:\n  fee: 1\n  fee: 2\n')).toEqual(['config.yaml:3:3: YAML syntax error: a key appears twice in the same section']);
    expect(issues('pool: {fee: 1\n')[0]).toMatch(/^config\.yaml:\d+:\d+: YAML syntax error/);
  });

  it('reports every problem at once', () => {
    const text = 'stratum:\n  prot: 1\n  port: x\nlog:\n  level: loud\n';
    let err: ConfigError | undefined;
    try {
      apply(text);
    } catch (e) {
      err = e as ConfigError;
    }
    expect(err?.issues).toEqual([
      'config.yaml:2: unknown key stratum.prot (did you mean port?)',
      'config.yaml:3: stratum.port must be a number (got string "x")',
      'config.yaml:5: log.level must be one of debug, info, warn, error, silent (got "loud")',
    ]);
    expect(err?.reason).toMatch(/^3 problems in the configuration:\n {2}config\.yaml:2:/);
  });

  it('a missing file is a ConfigError naming it', () => {
    expect(() => loadConfig({ configPath: '/nonexistent/otedama.yaml', env: {} })).toThrow(/cannot read the config file \/nonexistent\/otedama\.yaml: no such file/);
  });
});

describe('layers: defaults < file < environment < flags', () => {
  const files: Record<string, string> = { 'c.yaml': 'storage:\n  data_dir: /from/file\nmetrics:\n  port: 9100\nlog:\n  level: warn\n' };
  const readFile = (p: string) => files[p]!;

  it('the environment overrides the file', () => {
    const c = loadConfig({ configPath: 'c.yaml', readFile, env: { OTEDAMA_DATA_DIR: '/from/env', OTEDAMA_METRICS_PORT: '9200', OTEDAMA_LOG_FORMAT: 'json' } });
    expect(c.dataDir).toBe('/from/env');
    expect(c.metrics.port).toBe(9200);
    expect(c.log).toEqual({ level: 'warn', format: 'json' });
    // Flags come last: the command applies them to the loaded config.
    c.metrics.port = 9300;
    expect(validateConfig(c).metrics.port).toBe(9300);
  });

  it('the file overrides the defaults; without env the file wins', () => {
    const c = loadConfig({ configPath: 'c.yaml', readFile, env: {} });
    expect(c.dataDir).toBe('/from/file');
    expect(c.log.level).toBe('warn');
  });

  it('bad environment values are errors that name the variable', () => {
    expect(() => applyEnvironment(defaultConfig({}), { OTEDAMA_METRICS_PORT: 'abc' })).toThrow(/OTEDAMA_METRICS_PORT must be a port number from 1 to 65535 \(got "abc"\)/);
    expect(() => applyEnvironment(defaultConfig({}), { OTEDAMA_METRICS_PORT: '70000' })).toThrow(ConfigError);
    expect(() => applyEnvironment(defaultConfig({}), { OTEDAMA_LOG_LEVEL: 'loud' })).toThrow(/OTEDAMA_LOG_LEVEL must be one of/);
    expect(() => applyEnvironment(defaultConfig({}), { OTEDAMA_LOG_FORMAT: 'xml' })).toThrow(/OTEDAMA_LOG_FORMAT must be json or text/);
    expect(() => applyEnvironment(defaultConfig({}), { OTEDAMA_DATABASE_URL: 'sqlite:x' })).toThrow(/OTEDAMA_DATABASE_URL must be a postgres/);
    expect(applyEnvironment(defaultConfig({}), { OTEDAMA_LOG_LEVEL: 'DEBUG', OTEDAMA_DATA_DIR: '' }).log.level).toBe('debug');
  });

  it('cross-key checks run after every layer', () => {
    const c = defaultConfig({});
    c.stratum.vardiff.minDifficulty = 10;
    c.stratum.vardiff.maxDifficulty = 1;
    c.stratum.tlsCertFile = 'cert.pem';
    c.chain.mode = 'rpc';
    c.p2p.port = 8079;
    let err: ConfigError | undefined;
    try {
      validateConfig(c);
    } catch (e) {
      err = e as ConfigError;
    }
    expect(err?.issues).toEqual([
      'stratum.vardiff.min_difficulty (10) is above stratum.vardiff.max_difficulty (1)',
      'stratum.tls_cert and stratum.tls_key must be set together (TLS needs both)',
      'chain.rpc_url is required when chain.mode is rpc',
      'p2p.port 8079 (TCP 8079, WebSockets 8080) collides with http.port 8080; choose another p2p.port or --p2p-port',
    ]);
    // Explicit listen addresses, or no libp2p node at all, take p2p.port out of the question.
    c.p2p.listen = ['/ip4/127.0.0.1/tcp/8080'];
    expect(() => validateConfig(c)).toThrow(/chain\.rpc_url/);
    expect(() => validateConfig(c)).not.toThrow(/p2p/);
  });
});

it('isScalar guard used by the loader treats YAML nulls as absent', () => {
  const doc = parseDocument('a:\n');
  const pair = (doc.contents as YAMLMap).items[0]!;
  expect(isScalar(pair.value) ? pair.value.value : pair.value).toBeNull();
});
