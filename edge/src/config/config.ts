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
    /** 'simnet': the embedded chain; 'rpc': a bitcoind or ravend node at rpcUrl. */
    mode: 'simnet' | 'rpc';
    /**
     * The coin: 'bitcoin' (SHA-256d, bitcoind's RPC, Bitcoin regtest simnet) or 'ravencoin'
     * (KawPow, ravend's RPC, Ravencoin regtest simnet). Unset in the file: the enabled mining
     * algorithm's coin (validateConfig sets it).
     */
    coin?: ChainCoin;
    rpcUrl?: string;
    rpcUser?: string;
    rpcPassword?: string;
    rpcCookieFile?: string;
    /** Template poll interval in seconds (long-poll is used where the node offers it). */
    pollSeconds: number;
    simnet: {
      /** Loopback port of the simnet JSON-RPC server (0 = any free port). */
      rpcPort: number;
      /** Block difficulty of simnet (RPC difficulty units); unset: the coin's default, low enough that a CPU finds blocks. */
      blockDifficulty?: number;
      /** Block reward in satoshis; unset: the coin's (50 BTC, 5000 RVN). */
      blockRewardSats?: number;
      /** Ravencoin simnet: ravend's -miningaddress, for getblocktemplate's pprpcheader and pprpcsb. */
      miningAddress?: string;
    };
    /** How a Ravencoin chain's KawPow shares and blocks are checked (chain/kawpow-evaluator.ts). */
    kawpow: {
      /** 'light': light evaluation from the light cache (default); 'full': lookups in the epoch's full dataset (1 GiB and up in memory). */
      verification: 'light' | 'full';
      /** 'full': worker threads building an epoch's dataset. */
      datasetThreads: number;
      /** 'full': largest dataset built, MiB (an epoch above it fails to prepare with the sizes in the reason). */
      datasetMaxMib: number;
    };
  };
  pool: {
    /** The edge operator's address: the fee payee of every share its miners find; empty = simnet's own. */
    payoutAddress?: string;
    /** Text tag in the coinbase script. */
    coinbaseTag: string;
    /**
     * The operator's fee in basis points (100 = 1 %): every share this edge's miners find names
     * the operator's address as a second payee with this many basis points of the share's credit
     * (0: the miner is the only payee). 0..9999.
     */
    feeBp: number;
    /**
     * The sharechain's minimum payout (pool parameter minPayoutSats, part of the pool id: every
     * edge of a pool must use the same): payees owed less than the lottery threshold, which is
     * never below this, are paid by the lottery (docs/sharechain.md §7).
     */
    minPayoutSats: bigint;
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
  /** What this edge mines, and the built-in miner's workers. */
  mining: {
    /** The enabled entry of `algorithms`: the algorithm of this edge's chain. */
    algorithm: string;
    /** As configured (`mining.algorithms`): every entry, exactly one enabled. */
    algorithms: { name: string; enabled: boolean }[];
    /** CPU worker threads of the built-in miner; 0 = one per core. */
    threads: number;
    /** GPUs (WebGPU adapters) the built-in miner drives; 0 = none. */
    gpuThreads: number;
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
    /** Peer ids never admitted (the operator's standing blocks; otedama node block adds blocks while the edge runs). */
    denyPeers: string[];
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
/** The coins an edge's chain can be. */
export type ChainCoin = 'bitcoin' | 'ravencoin';
export const CHAIN_COINS: readonly ChainCoin[] = ['bitcoin', 'ravencoin'];
/** Which coin each algorithm in core's registry mines: the only sensible pairing of the two settings. */
export const ALGORITHM_COIN: Readonly<Record<string, ChainCoin>> = { sha256d: 'bitcoin', kawpow: 'ravencoin' };

/** Satoshis per coin: min payouts are configured in coins. */
export const SATS_PER_COIN = 100_000_000n;
/** The operator's default fee: 1 % of every share its miners find (basis points). */
export const DEFAULT_FEE_BP = 100;
/** The largest fee: the miner keeps at least one basis point (a payee's part is 1..10,000 bp). */
export const MAX_FEE_BP = 9999;

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
      // Block difficulty and reward follow the coin unless set (simnet-coin.ts SIMNET_DEFAULTS).
      simnet: { rpcPort: 18443 },
      // Light evaluation needs 16+ MiB per epoch; the full dataset (1+ GiB) is for edges that opt in.
      // 8 GiB: the dataset of epoch ~900 (Ravencoin was near epoch 550 in 2025, 5.5 GiB).
      kawpow: { verification: 'light', datasetThreads: 2, datasetMaxMib: 8192 },
    },
    pool: { coinbaseTag: '/otedama/', feeBp: DEFAULT_FEE_BP, minPayoutSats: SATS_PER_COIN / 100n },
    storage: { batchMs: 5, maxBatch: 2000, sqliteSynchronous: 'FULL' },
    metrics: { host: '127.0.0.1' },
    log: { level: 'info', format: 'text' },
    mining: {
      algorithm: 'sha256d',
      algorithms: [
        { name: 'sha256d', enabled: true },
        { name: 'kawpow', enabled: false },
      ],
      threads: 0,
      gpuThreads: 0,
    },
    p2p: { enabled: true, host: '127.0.0.1', port: DEFAULT_P2P_PORT, listen: [], bootstrap: [], maxPeers: DEFAULT_P2P_MAX_PEERS, banSeconds: 600, denyPeers: [] },
    // A dashboard polling a few endpoints every few seconds stays far below this.
    // A probe every second and a scrape every 5 s fit easily in the probe limit.
    security: { apiRateLimitPerMinute: 600, probeRateLimitPerMinute: 600 },
    widget: {},
  };
}
