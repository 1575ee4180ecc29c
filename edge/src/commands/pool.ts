/** `otedama pool` (also plain `otedama`): runs the edge until interrupted. */
import type { FlagSpec, FlagValues } from '../cli-args.ts';
import type { Command } from '../command.ts';
import { MAX_FEE_BP, type EdgeConfig } from '../config/config.ts';
import { coinsToSats, loadConfig, validateConfig } from '../config/config-file.ts';
import { CliUsageError } from '../errors.ts';
import { createLogger } from '../logger.ts';
import { applyP2pFlags, P2P_FLAGS } from './p2p-flags.ts';

/** Where the edge listens and keeps its data: also read by net test and diag. */
export const LOCATION_FLAGS: readonly FlagSpec[] = [
  { name: 'config', type: 'string', help: 'YAML configuration file (also -config)', metavar: 'FILE' },
  { name: 'host', type: 'string', help: 'address to listen on (default 127.0.0.1)', metavar: 'ADDR' },
  { name: 'http-port', type: 'integer', min: 0, max: 65535, help: 'HTTP port: web app, API, /metrics (default 8080)', metavar: 'PORT' },
  { name: 'stratum-port', type: 'integer', min: 0, max: 65535, help: 'Stratum V1 TCP port (default 3333)', metavar: 'PORT' },
  { name: 'rpc-port', type: 'integer', min: 0, max: 65535, help: "simnet's JSON-RPC port (default 18443)", metavar: 'PORT' },
  { name: 'database-url', type: 'string', help: 'postgres://… (default: SQLite otedama.db in the data folder)', metavar: 'URL' },
  { name: 'data-dir', type: 'string', help: 'data folder (default $OTEDAMA_DATA_DIR or ~/.otedama)', metavar: 'DIR' },
];

export const POOL_FLAGS: readonly FlagSpec[] = [
  ...LOCATION_FLAGS,
  { name: 'metrics-port', type: 'integer', min: 0, max: 65535, help: 'serve /metrics on its own port (default: on the HTTP port)', metavar: 'PORT' },
  { name: 'payout-address', type: 'string', help: "the operator's address, paid the fee of every share (default: simnet's own)", metavar: 'ADDR' },
  { name: 'fee', type: 'integer', min: 0, max: MAX_FEE_BP, help: "operator fee in basis points of every share its miners find: 100 = 1 % (default 100)", metavar: 'BP' },
  { name: 'min-payout', type: 'string', help: "the pool's minimum lottery threshold in coins, a pool rule every edge shares (default 0.01)", metavar: 'COINS' },
  { name: 'web-root', type: 'string', help: 'folder of the built web app served at / (default: dist/web of this checkout)', metavar: 'DIR' },
  { name: 'block-difficulty', type: 'number', help: 'simnet block difficulty (default 0.05)', metavar: 'D' },
  { name: 'max-connections', type: 'integer', min: 0, max: 10_000_000, help: 'Stratum connections in all (default 0: from the descriptor limit, ulimit -n)', metavar: 'N' },
  { name: 'max-connections-per-ip', type: 'integer', min: 1, max: 10_000_000, help: 'Stratum connections per IP address (default 64)', metavar: 'N' },
  ...P2P_FLAGS,
];

/** The edge's configuration from defaults, the --config file, the environment and these flags (flags win); validated. */
export function edgeConfigFromFlags(f: FlagValues, env: Record<string, string | undefined>): EdgeConfig {
  const config = loadConfig({ env, ...(f.config ? { configPath: String(f.config) } : {}) });
  if (f.host !== undefined) {
    config.http.host = String(f.host);
    config.stratum.host = String(f.host);
    config.p2p.host = String(f.host);
  }
  if (f['http-port'] !== undefined) config.http.port = Number(f['http-port']);
  if (f['stratum-port'] !== undefined) config.stratum.port = Number(f['stratum-port']);
  if (f['rpc-port'] !== undefined) config.chain.simnet.rpcPort = Number(f['rpc-port']);
  if (f['metrics-port'] !== undefined) config.metrics.port = Number(f['metrics-port']);
  if (f['payout-address']) config.pool.payoutAddress = String(f['payout-address']);
  if (f.fee !== undefined) config.pool.feeBp = Number(f.fee);
  if (f['min-payout'] !== undefined) {
    const sats = coinsToSats(String(f['min-payout']));
    if (sats === undefined) throw new CliUsageError(`--min-payout expects an amount in coins with at most 8 decimals, such as 0.1 (got "${f['min-payout']}")`);
    config.pool.minPayoutSats = sats;
  }
  if (f['database-url'] !== undefined) {
    const url = String(f['database-url']);
    if (!/^postgres(ql)?:\/\//.test(url)) throw new CliUsageError(`--database-url must be a postgres:// or postgresql:// URL (got "${url.replace(/\/\/[^@/]*@/, '//…@')}")`);
    config.storage.databaseUrl = url;
  }
  if (f['block-difficulty'] !== undefined) {
    const d = Number(f['block-difficulty']);
    if (!(d > 0)) throw new CliUsageError(`--block-difficulty must be positive (got ${d})`);
    config.chain.simnet.blockDifficulty = d;
  }
  if (f['web-root'] !== undefined) {
    const dir = String(f['web-root']);
    if (!dir.trim()) throw new CliUsageError('--web-root needs a folder, such as dist/web');
    config.http.webRoot = dir;
  }
  if (f['max-connections'] !== undefined) config.stratum.maxConnections = Number(f['max-connections']);
  if (f['max-connections-per-ip'] !== undefined) config.stratum.maxConnectionsPerIp = Number(f['max-connections-per-ip']);
  if (f['data-dir']) config.dataDir = String(f['data-dir']);
  applyP2pFlags(config, f);
  return validateConfig(config);
}

export const poolCommand: Command = {
  words: ['pool'],
  summary: 'run the pool edge: web miner, Stratum port, simnet (the default command)',
  usage: '[flags]',
  details: [
    'Everything listens on 127.0.0.1 unless --host says otherwise.',
    'Configuration: defaults < --config file (see edge/config.example.yaml) < environment',
    '(OTEDAMA_DATA_DIR, OTEDAMA_LOG_LEVEL, OTEDAMA_LOG_FORMAT, OTEDAMA_METRICS_PORT, OTEDAMA_DATABASE_URL) < flags.',
    '',
    'Examples:',
    '  otedama pool --fee 100 --min-payout 0.1        (a 1 % fee; every edge of a pool uses one min payout)',
    '  otedama pool -config config.yaml --http-port 8081',
    '  otedama pool --p2p-port 4735 --bootstrap /ip4/127.0.0.1/tcp/4733/p2p/12D3KooW...',
  ].join('\n'),
  flags: POOL_FLAGS,
  async run(args, io) {
    const f = args.flags;
    const config = edgeConfigFromFlags(f, io.env);
    // With a file, its log section counts too (the environment is already folded into config.log).
    const logger = f.config ? createLogger({ level: config.log.level, format: config.log.format }) : io.logger;
    // The edge (libp2p, Hono, storage: about 900 modules) loads only when a pool starts, so that
    // `otedama --help` and the commands that share this file's flags start in a fraction of the time.
    const { startEdge } = await import('../main.ts');
    const edge = await startEdge(config, logger, { onProgress: (line) => io.err(line) });
    io.out(`Otedama is running. Open ${edge.httpUrl} to mine in your browser.`);
    io.out(`Stratum: ${edge.stratumUrl}   simnet RPC: ${edge.rpcUrl}   data: ${config.dataDir}`);
    io.out(`API: ${edge.httpUrl}api/pool/stats   metrics: ${edge.metricsUrl}   fee ${config.pool.feeBp} bp (${config.pool.feeBp / 100} %)`);
    if (edge.p2p) io.out(`P2P: ${edge.p2p.listen.join('  ')}   (other edges join with --bootstrap ${edge.p2p.listen[0] ?? '-'})`);
    io.out('Press Ctrl+C to stop.');
    await new Promise<void>((resolve) => {
      if (io.stopSignal.aborted) resolve();
      io.stopSignal.addEventListener('abort', () => resolve(), { once: true });
    });
    await edge.stop();
    return 0;
  },
};
