/**
 * The edge's configuration: one typed object with defaults that work out of the box
 * (loopback only, HTTP 8080, Stratum 3333, simnet and SQLite in OTEDAMA_DATA_DIR). Layers, in
 * order of precedence: defaults < YAML file (`-config`, config-file.ts) < environment < flags.
 */
import { homedir } from 'node:os';
import { join } from 'node:path';

export interface VardiffConfig {
  /** Target seconds between shares per connection. */
  targetShareSeconds: number;
  /** Seconds between retargets. */
  retargetSeconds: number;
  /** Relative band around the target rate inside which difficulty is left alone (0.3 = ±30%). */
  hysteresis: number;
  minDifficulty: number;
  maxDifficulty: number;
}

export interface EdgeConfig {
  dataDir: string;
  http: {
    host: string;
    port: number;
    /** Folder of the built web app served at / (default: the repository's dist/web). */
    webRoot?: string;
    /** Most HTTP connections at once (WebSocket feed included); 0 = from the descriptor limit (connection-budget.ts). */
    maxConnections: number;
  };
  stratum: {
    host: string;
    port: number;
    /** PEM files; when both are set a TLS port listens too. */
    tlsCertFile?: string;
    tlsKeyFile?: string;
    tlsPort: number;
    extranonce1Bytes: number;
    extranonce2Bytes: number;
    initialDifficulty: number;
    vardiff: VardiffConfig;
    /** Longest accepted line in bytes; longer lines end the connection. */
    maxLineBytes: number;
    /** Connections one IP address may hold at once (TCP, TLS and WebSocket together). */
    maxConnectionsPerIp: number;
    /** Connections in all at once; 0 = from the process's descriptor limit (connection-budget.ts). */
    maxConnections: number;
    /** Seconds a started line may take to end with a newline (a slowloris sends one byte a second). */
    lineTimeoutSeconds: number;
    /** Seconds a new connection has to subscribe and authorize. */
    loginTimeoutSeconds: number;
    /** Seconds an authorized connection may go without useful work (an accepted or stale share) before it is closed. */
    idleTimeoutSeconds: number;
    /** Workers (payoutAddress.workerName) one connection may authorize. */
    maxWorkersPerConnection: number;
    /** Bytes queued for a miner that does not read before the connection is closed (reading stops long before). */
    maxWriteBufferBytes: number;
    /** Ban score at which a connection and its IP are banned. */
    banThreshold: number;
    banSeconds: number;
    /** Seconds between job refreshes (new ntime) when the template has not changed. */
    jobRefreshSeconds: number;
  };
  chain: {
    /** 'simnet': the embedded chain; 'rpc': a bitcoind-compatible node at rpcUrl. */
    mode: 'simnet' | 'rpc';
    rpcUrl?: string;
    rpcUser?: string;
    rpcPassword?: string;
    rpcCookieFile?: string;
    /** Template poll interval in seconds (long-poll is used where the node offers it). */
    pollSeconds: number;
    simnet: {
      /** Loopback port of the simnet JSON-RPC server (0 = any free port). */
      rpcPort: number;
      /** Block difficulty of simnet (bdiff); low enough that a CPU finds blocks. */
      blockDifficulty: number;
      /** Block reward in satoshis. */
      blockRewardSats: number;
    };
  };
  pool: {
    /** The pool's address: receives the fee and holds carried balances; empty = simnet's own. */
    payoutAddress?: string;
    /** Text tag in the coinbase script. */
    coinbaseTag: string;
    /** Pool fee in percent of each block's reward (0..100). */
    feePercent: number;
    /** Balances below this many satoshis roll forward to the next block. */
    minPayoutSats: bigint;
    /** PPLNS window: the last N shares, weighted by difficulty. */
    pplnsWindow: number;
  };
  storage: {
    /** postgres://… ; unset: the embedded SQLite database in dataDir. */
    databaseUrl?: string;
    /** Group commit: longest wait in milliseconds before an idle share batch commits. */
    batchMs: number;
    /** Group commit: most shares per transaction. */
    maxBatch: number;
    /** SQLite durability: FULL survives power loss, NORMAL only process crashes. */
    sqliteSynchronous: 'FULL' | 'NORMAL';
  };
  metrics: {
    host: string;
    /** Port of a separate /metrics listener; unset: /metrics on the HTTP port. */
    port?: number;
  };
  log: {
    level: 'debug' | 'info' | 'warn' | 'error' | 'silent';
    format: 'json' | 'text';
  };
  /** The built-in miner (`otedama mine`). */
  mining: {
    algorithm: string;
    /** CPU worker threads; 0 = one per core. */
    threads: number;
  };
  /** The libp2p network of edges (and browsers) that keeps the sharechain: p2p/README.md. */
  p2p: {
    /** false: no libp2p node at all (a pool of one edge that gossips nothing). */
    enabled: boolean;
    /** Address of the default listeners (ignored when `listen` is set). */
    host: string;
    /** TCP port of the default listeners; WebSockets listens on port + 1 (0: any free ports). */
    port: number;
    /** Explicit listen multiaddrs; empty: TCP and WebSockets on host:port and host:port+1. */
    listen: string[];
    /** Peers dialed at start: multiaddrs ending in /p2p/<peer id>. */
    bootstrap: string[];
    /** Most open peer connections (libp2p's connection manager prunes beyond it). */
    maxPeers: number;
    /** How long a peer that misbehaved (invalid shares, oversized or malformed messages) stays banned. */
    banSeconds: number;
  };
  security: {
    /** HTTP API requests per minute per IP address. */
    apiRateLimitPerMinute: number;
    /** /health and /metrics requests per minute per IP address (their own buckets). */
    probeRateLimitPerMinute: number;
  };
  /** What the embeddable widget's /.well-known/otedama-widget.json says about its operator. */
  widget: {
    /** Whom filter-list maintainers and visitors can reach (mailto: or https:// URL, or text). */
    contact?: string;
    /** Where the source of the widget this edge serves is published (an https:// URL). */
    sourceUrl?: string;
  };
}

/**
 * Default libp2p ports: TCP 4733 and WebSockets 4734, apart from HTTP 8080, Stratum 3333/3334
 * and simnet RPC 18443 (and from IPFS's 4001 and Bitcoin's 8333/18444).
 */
export const DEFAULT_P2P_PORT = 4733;
/** An edge talks to other edges and, next, to the browsers mining on it: room for both. */
export const DEFAULT_P2P_MAX_PEERS = 200;

/** Satoshis per coin: min payouts are configured in coins. */
export const SATS_PER_COIN = 100_000_000n;
/** P2Pool's sharechain window (2160 shares): a default N that spans several blocks on simnet. */
export const DEFAULT_PPLNS_WINDOW = 2160;

export function defaultDataDir(env: Record<string, string | undefined> = process.env): string {
  return env.OTEDAMA_DATA_DIR ?? join(homedir(), '.otedama');
}

export function defaultConfig(env: Record<string, string | undefined> = process.env): EdgeConfig {
  return {
    dataDir: defaultDataDir(env),
    http: { host: '127.0.0.1', port: 8080, maxConnections: 0 },
    stratum: {
      host: '127.0.0.1',
      port: 3333,
      tlsPort: 3334,
      extranonce1Bytes: 4,
      extranonce2Bytes: 4,
      // A single CPU thread at ~5 MH/s finds a difficulty-0.001 share (~4.3 M hashes) in about a second.
      initialDifficulty: 0.001,
      vardiff: { targetShareSeconds: 10, retargetSeconds: 30, hysteresis: 0.5, minDifficulty: 0.0001, maxDifficulty: 1e12 },
      maxLineBytes: 16 * 1024,
      // A home or a small farm behind one NAT; a larger farm raises it (security.max_connections_per_ip).
      maxConnectionsPerIp: 64,
      maxConnections: 0,
      // Miners send whole lines at once; 10 s covers a lossy link and ends a slowloris.
      lineTimeoutSeconds: 10,
      // minerd and Bitaxe subscribe and authorize within a second; one retry round fits.
      loginTimeoutSeconds: 60,
      // vardiff aims at a share every 10 s and halves the difficulty of a silent miner every window.
      idleTimeoutSeconds: 600,
      // Stratum proxies put a few dozen workers on one connection; a flood of names is not that.
      maxWorkersPerConnection: 64,
      // 1,000 notifies' worth: a miner that reads never gets near it; one that stops reading is cut off.
      maxWriteBufferBytes: 1024 * 1024,
      banThreshold: 100,
      banSeconds: 600,
      jobRefreshSeconds: 30,
    },
    chain: {
      mode: 'simnet',
      pollSeconds: 2,
      // Simnet blocks at difficulty 0.05 take a 5 MH/s CPU about 40 s on average.
      simnet: { rpcPort: 18443, blockDifficulty: 0.05, blockRewardSats: 50 * 100_000_000 },
    },
    pool: { coinbaseTag: '/otedama/', feePercent: 1, minPayoutSats: SATS_PER_COIN / 100n, pplnsWindow: DEFAULT_PPLNS_WINDOW },
    storage: { batchMs: 5, maxBatch: 2000, sqliteSynchronous: 'FULL' },
    metrics: { host: '127.0.0.1' },
    log: { level: 'info', format: 'text' },
    mining: { algorithm: 'sha256d', threads: 0 },
    p2p: { enabled: true, host: '127.0.0.1', port: DEFAULT_P2P_PORT, listen: [], bootstrap: [], maxPeers: DEFAULT_P2P_MAX_PEERS, banSeconds: 600 },
    // A dashboard polling a few endpoints every few seconds stays far below this.
    // A probe every second and a scrape every 5 s fit easily in the probe limit.
    security: { apiRateLimitPerMinute: 600, probeRateLimitPerMinute: 600 },
    widget: {},
  };
}
