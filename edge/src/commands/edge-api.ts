/** Flags and response shapes shared by the commands that talk to a running edge's HTTP API. */
import type { FlagSpec } from '../cli-args.ts';
import { DEFAULT_EDGE_URL } from './edge-client.ts';
import { CliUsageError } from '../errors.ts';

export const URL_FLAG: FlagSpec = { name: 'url', type: 'string', default: DEFAULT_EDGE_URL, help: 'HTTP address of the running edge', metavar: 'URL' };
export const LIMIT_FLAG: FlagSpec = { name: 'limit', type: 'integer', default: 20, min: 1, max: 1000, help: 'rows to show', metavar: 'N' };
export const OFFSET_FLAG: FlagSpec = { name: 'offset', type: 'integer', default: 0, min: 0, help: 'rows to skip', metavar: 'N' };

export function noPositionals(positionals: readonly string[]): void {
  if (positionals.length) throw new CliUsageError(`unexpected argument "${positionals[0]}"`);
}

export interface Hashrates {
  m10: number;
  h1: number;
  h24: number;
  /** Seconds each figure is averaged over (less than the window for a pool or miner that started within it). */
  seconds?: { m10: number; h1: number; h24: number };
}

export interface BlockJson {
  hash: string;
  height: number;
  time: number;
  reward: number;
  status: string;
  finder: string;
  worker: string;
}

export interface PoolStatsJson {
  pool: { feeBp: number; minPayoutSats: number; feeAddress: string; network: string; payouts?: string };
  chain: { height: number | null };
  stratum: { connections: number };
  hashrate: Hashrates;
  activeMiners: number;
  activeWorkers: number;
  sharesTotal: number;
  sharesLast24h: number;
  blocksFound: number;
  lastBlock?: BlockJson;
  paidTotal: number;
  /** Shares in the sharechain's window. */
  windowShares?: number | null;
}

export interface MinerJson {
  address: string;
  workers: number;
  lastSeen: number;
  shares: number;
  hashrate: Hashrates;
}

export interface PayoutJson {
  blockHash: string;
  outputIndex: number;
  address: string;
  value: number;
  kind: 'pool' | 'miner';
  credit: number;
  carriedPaid: number;
  height: number;
  time: number;
  status: string;
}

export interface HealthJson {
  status: string;
  uptimeSeconds: number;
  chain?: { height?: number; network?: string; mode?: string; rpcUrl?: string };
  stratumUrl?: string;
  stratum?: { connections: number; sharesAccepted: number; sharesRejected: number; blocksFound: number };
  database?: { backend: string; schemaVersion: number; pendingShares: number };
  p2p?: { poolId: string; peerId: string | null; peers: number };
}

export interface SyncProgressJson {
  state: 'idle' | 'syncing' | 'synced' | 'failed' | 'cancelled';
  peer?: string;
  shares: number;
  expected?: number;
  percent?: number;
  etaSeconds?: number;
  batches: number;
  startedAt?: number;
  finishedAt?: number;
  message?: string;
}

/** GET /api/sharechain (edge-network.ts SharechainSummary). */
export interface SharechainJson {
  poolId: string;
  /** The pool parameters (hex) while the edge serves browser peers; null otherwise; absent from older edges. */
  params?: string | null;
  network?: string;
  templatesPublished?: number;
  peerId: string | null;
  listen: string[];
  peers: number;
  admittedPeers: number;
  bans: number;
  /** Peers the operator blocked (otedama node block, p2p.deny_peers). */
  blocked: number;
  tip: { id: string; height: number } | null;
  windowShares: number;
  /** Absent from edges before the sharechain held its shares in the database. */
  heldShares?: number;
  sync: SyncProgressJson;
  serving?: boolean;
  nextPayouts: { address: string; sats: number; kind: 'direct' | 'lottery'; probability: number; fraction: number }[] | null;
  nextBlock?: { rewardSats: number; thresholdSats: number; minPayoutSats: number } | null;
}

/** GET /api/sharechain/bans (api/sharechain-routes.ts). */
export interface BansJson {
  bans: { peer: string; offence: string; reason: string; untilMs: number }[];
  blocks: { peer: string; reason: string; untilMs: number | null; source: 'config' | 'operator' }[];
}

/** GET /api/sharechain/peers (p2p-node.ts PeerSummary). */
export interface PeerJson {
  id: string;
  addresses: string[];
  transports: string[];
  direction: 'inbound' | 'outbound';
  latencyMs?: number;
  score: number;
  admitted: boolean;
}
