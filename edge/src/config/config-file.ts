/**
 * The configuration layers above the defaults: a YAML file (`-config config.yaml`), then the
 * environment. Flags are applied last by the command that parsed them.
 *
 * The file's shape is declared once (SCHEMA below, documented key by key in
 * config.example.yaml). Every problem is reported with its file and line — unknown keys (with a
 * "did you mean" when a sibling key is close), wrong types, values out of range, bad enum
 * values, YAML syntax errors — and all problems of a file are reported at once, in one
 * ConfigError whose `issues` lists them.
 */
import { readFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { join } from 'node:path';
import { isMap, isScalar, isSeq, LineCounter, parseDocument, type Node, type Pair, type YAMLMap } from 'yaml';
import { defaultConfig, SATS_PER_COIN, type EdgeConfig } from './config.ts';
import { ConfigError } from '../errors.ts';
import { bootstrapAddrReason, listenAddrReason, p2pHostReason } from '../p2p/multiaddrs.ts';

type Value = string | number | boolean | bigint | string[] | undefined;

interface Field {
  readonly kind: 'string' | 'integer' | 'number' | 'port' | 'enum' | 'strings' | 'coins' | 'boolean';
  readonly min?: number;
  readonly max?: number;
  /** The lower bound itself is not allowed (e.g. difficulties must be > 0). */
  readonly exclusiveMin?: boolean;
  readonly choices?: readonly string[];
  /** `key:` with no value (null) unsets the field. */
  readonly optional?: boolean;
  /** For 'strings': a check of each item, reported at the item's line; returns a reason or undefined. */
  readonly itemCheck?: (item: string) => string | undefined;
  /** Extra check of a well-typed value; returns a reason or undefined. */
  readonly check?: (v: Value) => string | undefined;
  readonly apply: (c: EdgeConfig, v: Value) => void;
}

interface Section {
  readonly [key: string]: Field | Section;
}

function isField(x: Field | Section): x is Field {
  return typeof (x as Field).kind === 'string' && typeof (x as Field).apply === 'function';
}

const MAX_PORT = 65535;

/** `~/x` → the home folder's x (paths in a config file, as a shell would). */
export function expandHome(path: string): string {
  return path === '~' ? homedir() : path.startsWith('~/') ? join(homedir(), path.slice(2)) : path;
}
const str = (apply: Field['apply'], more: Partial<Field> = {}): Field => ({ kind: 'string', apply, ...more });
const int = (min: number, max: number, apply: Field['apply']): Field => ({ kind: 'integer', min, max, apply });
const num = (min: number, max: number, apply: Field['apply'], exclusiveMin = false): Field => ({ kind: 'number', min, max, exclusiveMin, apply });
const port = (apply: Field['apply'], optional = false): Field => ({ kind: 'port', min: 0, max: MAX_PORT, optional, apply });
const oneOf = (choices: readonly string[], apply: Field['apply']): Field => ({ kind: 'enum', choices, apply });

const urlCheck = (protocols: readonly string[]) => (v: Value): string | undefined => {
  try {
    const u = new URL(String(v));
    return protocols.includes(u.protocol) ? undefined : `must be a ${protocols.map((p) => p.replace(':', '://')).join(' or ')} URL`;
  } catch {
    return `must be a URL such as ${protocols[0]!.replace(':', '://')}host:port/…`;
  }
};

/** Every key the file may hold; YAML names are snake_case, grouped by section. */
export const SCHEMA: Section = {
  mining: {
    algorithm: str((c, v) => (c.mining.algorithm = v as string), { check: (v) => (String(v).trim() ? undefined : 'must not be empty') }),
    threads: int(0, 1024, (c, v) => (c.mining.threads = v as number)),
  },
  p2p: {
    enabled: { kind: 'boolean', apply: (c, v) => (c.p2p.enabled = v as boolean) },
    host: str((c, v) => (c.p2p.host = v as string), { check: (v) => p2pHostReason(String(v)) }),
    // 65534 at most: WebSockets listens on port + 1.
    port: int(0, 65534, (c, v) => (c.p2p.port = v as number)),
    listen: { kind: 'strings', itemCheck: listenAddrReason, apply: (c, v) => (c.p2p.listen = v as string[]) },
    bootstrap_nodes: { kind: 'strings', itemCheck: bootstrapAddrReason, apply: (c, v) => (c.p2p.bootstrap = v as string[]) },
    max_peers: int(1, 100_000, (c, v) => (c.p2p.maxPeers = v as number)),
    ban_seconds: int(0, 365 * 86_400, (c, v) => (c.p2p.banSeconds = v as number)),
  },
  security: {
    ban_threshold: int(1, 1_000_000, (c, v) => (c.stratum.banThreshold = v as number)),
    ban_seconds: int(0, 365 * 86_400, (c, v) => (c.stratum.banSeconds = v as number)),
    max_connections_per_ip: int(1, 10_000_000, (c, v) => (c.stratum.maxConnectionsPerIp = v as number)),
    rate_limit: int(1, 1_000_000, (c, v) => (c.security.apiRateLimitPerMinute = v as number)),
    probe_rate_limit: int(1, 1_000_000, (c, v) => (c.security.probeRateLimitPerMinute = v as number)),
  },
  pool: {
    fee: num(0, 100, (c, v) => (c.pool.feePercent = v as number)),
    min_payout: { kind: 'coins', min: 0, apply: (c, v) => (c.pool.minPayoutSats = v as bigint) },
    payout_address: str((c, v) => (v === undefined ? delete c.pool.payoutAddress : (c.pool.payoutAddress = v as string)), { optional: true }),
    coinbase_tag: str((c, v) => (c.pool.coinbaseTag = v as string), { check: (v) => (new TextEncoder().encode(String(v)).length <= 40 ? undefined : 'must be at most 40 bytes') }),
    pplns_window: int(1, 10_000_000, (c, v) => (c.pool.pplnsWindow = v as number)),
  },
  chain: {
    mode: oneOf(['simnet', 'rpc'], (c, v) => (c.chain.mode = v as 'simnet' | 'rpc')),
    rpc_url: str((c, v) => (v === undefined ? delete c.chain.rpcUrl : (c.chain.rpcUrl = v as string)), { optional: true, check: urlCheck(['http:', 'https:']) }),
    rpc_user: str((c, v) => (v === undefined ? delete c.chain.rpcUser : (c.chain.rpcUser = v as string)), { optional: true }),
    rpc_password: str((c, v) => (v === undefined ? delete c.chain.rpcPassword : (c.chain.rpcPassword = v as string)), { optional: true }),
    rpc_cookie_file: str((c, v) => (v === undefined ? delete c.chain.rpcCookieFile : (c.chain.rpcCookieFile = expandHome(v as string))), { optional: true }),
    poll_seconds: num(0, 3600, (c, v) => (c.chain.pollSeconds = v as number), true),
    simnet: {
      rpc_port: port((c, v) => (c.chain.simnet.rpcPort = v as number)),
      block_difficulty: num(0, 1e15, (c, v) => (c.chain.simnet.blockDifficulty = v as number), true),
      block_reward: { kind: 'coins', min: 0, apply: (c, v) => (c.chain.simnet.blockRewardSats = Number(v as bigint)) },
    },
  },
  stratum: {
    host: str((c, v) => (c.stratum.host = v as string)),
    port: port((c, v) => (c.stratum.port = v as number)),
    tls_port: port((c, v) => (c.stratum.tlsPort = v as number)),
    tls_cert: str((c, v) => (v === undefined ? delete c.stratum.tlsCertFile : (c.stratum.tlsCertFile = expandHome(v as string))), { optional: true }),
    tls_key: str((c, v) => (v === undefined ? delete c.stratum.tlsKeyFile : (c.stratum.tlsKeyFile = expandHome(v as string))), { optional: true }),
    extranonce1_size: int(2, 8, (c, v) => (c.stratum.extranonce1Bytes = v as number)),
    extranonce2_size: int(2, 16, (c, v) => (c.stratum.extranonce2Bytes = v as number)),
    initial_difficulty: num(0, 1e15, (c, v) => (c.stratum.initialDifficulty = v as number), true),
    vardiff: {
      target_share_seconds: num(0, 3600, (c, v) => (c.stratum.vardiff.targetShareSeconds = v as number), true),
      retarget_seconds: num(0, 86_400, (c, v) => (c.stratum.vardiff.retargetSeconds = v as number), true),
      hysteresis: num(0, 10, (c, v) => (c.stratum.vardiff.hysteresis = v as number)),
      min_difficulty: num(0, 1e15, (c, v) => (c.stratum.vardiff.minDifficulty = v as number), true),
      max_difficulty: num(0, 1e15, (c, v) => (c.stratum.vardiff.maxDifficulty = v as number), true),
    },
    max_line_bytes: int(256, 1 << 20, (c, v) => (c.stratum.maxLineBytes = v as number)),
    max_connections: int(0, 10_000_000, (c, v) => (c.stratum.maxConnections = v as number)),
    line_timeout_seconds: num(0, 3600, (c, v) => (c.stratum.lineTimeoutSeconds = v as number), true),
    login_timeout_seconds: num(0, 3600, (c, v) => (c.stratum.loginTimeoutSeconds = v as number), true),
    idle_timeout_seconds: int(1, 86_400, (c, v) => (c.stratum.idleTimeoutSeconds = v as number)),
    max_workers_per_connection: int(1, 100_000, (c, v) => (c.stratum.maxWorkersPerConnection = v as number)),
    max_write_buffer_bytes: int(16 * 1024, 1 << 30, (c, v) => (c.stratum.maxWriteBufferBytes = v as number)),
    job_refresh_seconds: num(0, 3600, (c, v) => (c.stratum.jobRefreshSeconds = v as number), true),
  },
  storage: {
    database_url: str((c, v) => (v === undefined ? delete c.storage.databaseUrl : (c.storage.databaseUrl = v as string)), { optional: true, check: urlCheck(['postgres:', 'postgresql:']) }),
    data_dir: str((c, v) => (c.dataDir = expandHome(v as string)), { check: (v) => (String(v).trim() ? undefined : 'must not be empty') }),
    batch_ms: num(0, 1000, (c, v) => (c.storage.batchMs = v as number)),
    max_batch: int(1, 100_000, (c, v) => (c.storage.maxBatch = v as number)),
    sqlite_synchronous: oneOf(['FULL', 'NORMAL'], (c, v) => (c.storage.sqliteSynchronous = v as 'FULL' | 'NORMAL')),
  },
  http: {
    host: str((c, v) => (c.http.host = v as string)),
    port: port((c, v) => (c.http.port = v as number)),
    web_root: str((c, v) => (v === undefined ? delete c.http.webRoot : (c.http.webRoot = expandHome(v as string))), { optional: true, check: (v) => (String(v).trim() ? undefined : 'must not be empty') }),
    max_connections: int(0, 10_000_000, (c, v) => (c.http.maxConnections = v as number)),
  },
  metrics: {
    host: str((c, v) => (c.metrics.host = v as string)),
    port: port((c, v) => (v === undefined ? delete c.metrics.port : (c.metrics.port = v as number)), true),
  },
  widget: {
    contact: str((c, v) => (v === undefined ? delete c.widget.contact : (c.widget.contact = v as string)), { optional: true, check: (v) => (String(v).trim() ? undefined : 'must not be empty') }),
    source_url: str((c, v) => (v === undefined ? delete c.widget.sourceUrl : (c.widget.sourceUrl = v as string)), { optional: true, check: urlCheck(['https:', 'http:']) }),
  },
  log: {
    level: oneOf(['debug', 'info', 'warn', 'error', 'silent'], (c, v) => (c.log.level = v as EdgeConfig['log']['level'])),
    format: oneOf(['json', 'text'], (c, v) => (c.log.format = v as 'json' | 'text')),
  },
};

/** Every dotted key of the schema (docs and tests). */
export function schemaKeys(section: Section = SCHEMA, prefix = ''): string[] {
  return Object.entries(section).flatMap(([k, v]) => (isField(v) ? [`${prefix}${k}`] : schemaKeys(v, `${prefix}${k}.`)));
}

/** Edit distance, for "did you mean" suggestions. */
function distance(a: string, b: string): number {
  const d = Array.from({ length: a.length + 1 }, (_, i) => [i, ...new Array<number>(b.length).fill(0)]);
  for (let j = 1; j <= b.length; j++) d[0]![j] = j;
  for (let i = 1; i <= a.length; i++) {
    for (let j = 1; j <= b.length; j++) {
      d[i]![j] = Math.min(d[i - 1]![j]! + 1, d[i]![j - 1]! + 1, d[i - 1]![j - 1]! + (a[i - 1] === b[j - 1] ? 0 : 1));
    }
  }
  return d[a.length]![b.length]!;
}

function suggest(key: string, known: readonly string[]): string | undefined {
  let best: string | undefined;
  let bestD = Infinity;
  for (const k of known) {
    const dist = distance(key.toLowerCase(), k);
    if (dist < bestD) {
      bestD = dist;
      best = k;
    }
  }
  const prefix = known.find((k) => k.startsWith(key.toLowerCase()) || key.toLowerCase().startsWith(k));
  if (best && bestD <= Math.max(2, Math.floor(key.length / 3))) return best;
  return prefix;
}

function describeNode(node: unknown): string {
  if (node === null || node === undefined) return 'nothing';
  if (isSeq(node)) return 'a list';
  if (isMap(node)) return 'a section';
  if (isScalar(node)) {
    const v = node.value;
    if (v === null) return 'nothing';
    if (typeof v === 'string') return `string ${JSON.stringify(v)}`;
    return `${typeof v} ${String(v)}`;
  }
  return 'an unsupported value';
}

/** Parses "0.1", "1e-3" or 5 as coins and returns exact satoshis; undefined if not a non-negative amount with at most 8 decimals. */
export function coinsToSats(text: string): bigint | undefined {
  const t = text.trim();
  let m = /^(\d+)(?:\.(\d+))?$/.exec(t);
  if (!m) {
    const n = Number(t);
    if (!Number.isFinite(n) || n < 0 || !/^[\d.eE+-]+$/.test(t)) return undefined;
    const fixed = n.toFixed(8);
    if (Math.abs(Number(fixed) - n) > Number.EPSILON * Math.max(1, n)) return undefined;
    m = /^(\d+)(?:\.(\d+))?$/.exec(fixed);
    if (!m) return undefined;
  }
  const frac = (m[2] ?? '').replace(/0+$/, '');
  if (frac.length > 8) return undefined;
  return BigInt(m[1]!) * SATS_PER_COIN + BigInt(frac.padEnd(8, '0') || '0');
}

class Collector {
  readonly issues: string[] = [];
  constructor(private readonly file: string, private readonly lines: LineCounter) {}

  at(node: { range?: [number, number, number] | null } | null | undefined, message: string): void {
    const offset = node?.range?.[0];
    const line = offset !== undefined ? this.lines.linePos(offset).line : undefined;
    this.issues.push(`${this.file}${line !== undefined ? `:${line}` : ''}: ${message}`);
  }
}

function convert(field: Field, key: string, node: unknown, out: Collector): { ok: true; value: Value } | { ok: false } {
  const scalar = isScalar(node) ? node : undefined;
  const raw = scalar ? scalar.value : node;
  const bad = (msg: string) => {
    out.at(node as Node, `${key} ${msg}`);
    return { ok: false as const };
  };
  if (raw === null || raw === undefined) {
    if (field.optional) return { ok: true, value: undefined };
    return bad('needs a value');
  }
  let value: Value;
  switch (field.kind) {
    case 'string':
      if (!scalar || typeof raw !== 'string') return bad(`must be a string (got ${describeNode(node)}; quote it if it is meant as text)`);
      value = raw;
      break;
    case 'enum':
      if (!scalar || typeof raw !== 'string') return bad(`must be one of ${field.choices!.join(', ')} (got ${describeNode(node)})`);
      if (!field.choices!.includes(raw)) {
        const hint = suggest(raw, field.choices!);
        return bad(`must be one of ${field.choices!.join(', ')} (got ${JSON.stringify(raw)}${hint ? `; did you mean ${hint}?` : ''})`);
      }
      value = raw;
      break;
    case 'strings': {
      if (!isSeq(node)) return bad(`must be a list of strings (got ${describeNode(node)})`);
      const items: string[] = [];
      for (const [i, item] of node.items.entries()) {
        if (!isScalar(item) || typeof item.value !== 'string') {
          out.at(item as Node, `${key}[${i}] must be a string (got ${describeNode(item)})`);
          return { ok: false };
        }
        const reason = field.itemCheck?.(item.value);
        if (reason) {
          out.at(item as Node, `${key}[${i}] ${reason} (got ${JSON.stringify(item.value)})`);
          return { ok: false };
        }
        items.push(item.value);
      }
      value = items;
      break;
    }
    case 'boolean':
      if (!scalar || typeof raw !== 'boolean') return bad(`must be true or false (got ${describeNode(node)})`);
      value = raw;
      break;
    case 'coins': {
      if (!scalar || (typeof raw !== 'number' && typeof raw !== 'string')) return bad(`must be an amount in coins such as 0.1 (got ${describeNode(node)})`);
      const sats = coinsToSats(scalar.source ?? String(raw));
      if (sats === undefined) return bad(`must be a non-negative amount in coins with at most 8 decimals, such as 0.1 (got ${scalar.source ?? String(raw)})`);
      value = sats;
      break;
    }
    case 'integer':
    case 'number':
    case 'port': {
      if (!scalar || typeof raw !== 'number' || !Number.isFinite(raw)) return bad(`must be a number (got ${describeNode(node)})`);
      const whole = field.kind !== 'number';
      if (whole && !Number.isInteger(raw)) return bad(`must be a whole number (got ${raw})`);
      const range = field.kind === 'port'
        ? `a port number from 0 to ${MAX_PORT}`
        : `${whole ? 'a whole number' : 'a number'} ${field.exclusiveMin ? `above ${field.min}` : `from ${field.min}`} ${field.exclusiveMin ? 'up to' : 'to'} ${field.max}`;
      if (raw < field.min! || (field.exclusiveMin && raw === field.min) || raw > field.max!) return bad(`must be ${range} (got ${raw})`);
      value = raw;
      break;
    }
  }
  const reason = field.check?.(value);
  if (reason) return bad(`${reason} (got ${JSON.stringify(value)})`);
  return { ok: true, value };
}

function walk(map: YAMLMap, section: Section, prefix: string, config: EdgeConfig, out: Collector): void {
  const known = Object.keys(section);
  for (const pair of map.items as Pair[]) {
    const keyNode = pair.key;
    const key = isScalar(keyNode) ? String(keyNode.value) : undefined;
    if (key === undefined) {
      out.at(keyNode as Node, `keys must be plain names${prefix ? ` (in ${prefix.slice(0, -1)})` : ''}`);
      continue;
    }
    const dotted = `${prefix}${key}`;
    const spec = Object.hasOwn(section, key) ? section[key] : undefined;
    if (!spec) {
      const hint = suggest(key, known);
      const what = prefix ? 'key' : 'section';
      out.at(keyNode as Node, `unknown ${what} ${dotted} (${hint ? `did you mean ${hint}?` : `known: ${known.join(', ')}`})`);
      continue;
    }
    if (isField(spec)) {
      const r = convert(spec, dotted, pair.value, out);
      if (r.ok) spec.apply(config, r.value);
    } else if (isMap(pair.value)) {
      walk(pair.value, spec, `${dotted}.`, config, out);
    } else if (pair.value === null || (isScalar(pair.value) && pair.value.value === null)) {
      // An empty section ("stratum:" with nothing under it) changes nothing.
    } else {
      out.at((pair.value ?? keyNode) as Node, `${dotted} must be a section of keys (${Object.keys(spec).join(', ')}), got ${describeNode(pair.value)}`);
    }
  }
}

/**
 * Applies a YAML config text to `config` (in place). `file` names the file in messages.
 * Throws one ConfigError listing every problem found.
 */
export function applyConfigText(config: EdgeConfig, text: string, file: string): EdgeConfig {
  const lines = new LineCounter();
  const doc = parseDocument(text, { lineCounter: lines, uniqueKeys: true, prettyErrors: false });
  const out = new Collector(file, lines);
  for (const e of doc.errors) {
    const pos = e.linePos?.[0] ?? (e.pos ? lines.linePos(e.pos[0]) : undefined);
    const message = e.code === 'DUPLICATE_KEY' ? 'a key appears twice in the same section' : e.message.split('\n')[0]!.replace(/ at line \d+, column \d+:?$/, '');
    out.issues.push(`${file}${pos ? `:${pos.line}:${pos.col}` : ''}: YAML syntax error: ${message}`);
  }
  if (out.issues.length === 0) {
    const root = doc.contents;
    if (root === null || (isScalar(root) && root.value === null)) {
      // An empty file (or only comments) changes nothing.
    } else if (!isMap(root)) {
      out.at(root as Node, `the file must be a mapping of sections (${Object.keys(SCHEMA).join(', ')}), got ${describeNode(root)}`);
    } else {
      walk(root, SCHEMA, '', config, out);
    }
  }
  if (out.issues.length) throw configError(out.issues);
  return config;
}

function configError(issues: readonly string[]): ConfigError {
  const reason = issues.length === 1 ? issues[0]! : `${issues.length} problems in the configuration:\n  ${issues.join('\n  ')}`;
  return new ConfigError(reason, issues);
}

/** Reads and applies a config file; a missing or unreadable file is a ConfigError. */
export function applyConfigFile(config: EdgeConfig, path: string, readFile: (p: string) => string = (p) => readFileSync(p, 'utf8')): EdgeConfig {
  let text: string;
  try {
    text = readFile(path);
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    const why = code === 'ENOENT' ? 'no such file' : code === 'EACCES' ? 'permission denied' : code === 'EISDIR' ? 'it is a folder' : (err as Error).message;
    throw new ConfigError(`cannot read the config file ${path}: ${why}`);
  }
  return applyConfigText(config, text, path);
}

/** The environment layer: OTEDAMA_LOG_LEVEL, OTEDAMA_LOG_FORMAT, OTEDAMA_DATA_DIR, OTEDAMA_METRICS_PORT, OTEDAMA_DATABASE_URL. */
export function applyEnvironment(config: EdgeConfig, env: Record<string, string | undefined>): EdgeConfig {
  const issues: string[] = [];
  const get = (name: string) => {
    const v = env[name];
    return v === undefined || v.trim() === '' ? undefined : v.trim();
  };
  const level = get('OTEDAMA_LOG_LEVEL')?.toLowerCase();
  if (level !== undefined) {
    const levels = ['debug', 'info', 'warn', 'error', 'silent'] as const;
    if ((levels as readonly string[]).includes(level)) config.log.level = level as (typeof levels)[number];
    else issues.push(`OTEDAMA_LOG_LEVEL must be one of ${levels.join(', ')} (got ${JSON.stringify(env.OTEDAMA_LOG_LEVEL)})`);
  }
  const format = get('OTEDAMA_LOG_FORMAT')?.toLowerCase();
  if (format !== undefined) {
    if (format === 'json' || format === 'text') config.log.format = format;
    else issues.push(`OTEDAMA_LOG_FORMAT must be json or text (got ${JSON.stringify(env.OTEDAMA_LOG_FORMAT)})`);
  }
  const dataDir = get('OTEDAMA_DATA_DIR');
  if (dataDir !== undefined) config.dataDir = dataDir;
  const metricsPort = get('OTEDAMA_METRICS_PORT');
  if (metricsPort !== undefined) {
    const n = Number(metricsPort);
    if (/^\d+$/.test(metricsPort) && n >= 1 && n <= MAX_PORT) config.metrics.port = n;
    else issues.push(`OTEDAMA_METRICS_PORT must be a port number from 1 to ${MAX_PORT} (got ${JSON.stringify(env.OTEDAMA_METRICS_PORT)})`);
  }
  const dbUrl = get('OTEDAMA_DATABASE_URL');
  if (dbUrl !== undefined) {
    const reason = urlCheck(['postgres:', 'postgresql:'])(dbUrl);
    if (reason) issues.push(`OTEDAMA_DATABASE_URL ${reason}`);
    else config.storage.databaseUrl = dbUrl;
  }
  if (issues.length) throw configError(issues);
  return config;
}

/** Checks that hold across keys, after every layer (flags included) is applied. */
export function validateConfig(config: EdgeConfig): EdgeConfig {
  const issues: string[] = [];
  const v = config.stratum.vardiff;
  if (v.minDifficulty > v.maxDifficulty) issues.push(`stratum.vardiff.min_difficulty (${v.minDifficulty}) is above stratum.vardiff.max_difficulty (${v.maxDifficulty})`);
  if (Boolean(config.stratum.tlsCertFile) !== Boolean(config.stratum.tlsKeyFile)) issues.push('stratum.tls_cert and stratum.tls_key must be set together (TLS needs both)');
  if (config.chain.mode === 'rpc' && !config.chain.rpcUrl) issues.push('chain.rpc_url is required when chain.mode is rpc');
  const hostReason = config.p2p.enabled && config.p2p.listen.length === 0 ? p2pHostReason(config.p2p.host) : undefined;
  if (hostReason) issues.push(`p2p.host (or --host) ${hostReason} (got ${JSON.stringify(config.p2p.host)})`);
  if (config.p2p.enabled && config.p2p.listen.length === 0 && config.p2p.port !== 0) {
    const p = config.p2p.port;
    const taken: [string, number][] = [['http.port', config.http.port], ['stratum.port', config.stratum.port], ['chain.simnet.rpc_port', config.chain.simnet.rpcPort]];
    for (const [key, other] of taken) {
      if (other === p || other === p + 1) issues.push(`p2p.port ${p} (TCP ${p}, WebSockets ${p + 1}) collides with ${key} ${other}; choose another p2p.port or --p2p-port`);
    }
  }
  if (issues.length) throw configError(issues);
  return config;
}

export interface LoadConfigOptions {
  readonly env?: Record<string, string | undefined>;
  /** Path of the YAML file (`-config`); none: defaults and environment only. */
  readonly configPath?: string;
  readonly readFile?: (path: string) => string;
}

/**
 * Defaults < file < environment. The caller applies its flags to the result, then calls
 * validateConfig.
 */
export function loadConfig(options: LoadConfigOptions = {}): EdgeConfig {
  const config = defaultConfig({});
  if (options.configPath) applyConfigFile(config, options.configPath, options.readFile);
  applyEnvironment(config, options.env ?? process.env);
  return config;
}
