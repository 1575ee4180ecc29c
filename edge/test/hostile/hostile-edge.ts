/**
 * The hostile suite's target and tools. The target is a real edge: `startEdge` in this process
 * (simnet, SQLite, Stratum and HTTP on 127.0.0.1, a temporary data folder) with test settings
 * (share difficulty ~4,300 hashes, a block difficulty no test share reaches unless a test wants
 * one, short deadlines where a test asks). The tools are what an attacker uses: raw Stratum lines
 * over TCP (from other loopback addresses too), WebSocket clients, and the edge's own accounting
 * (`stratumStats`, /health, the API) to assert on.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { WebSocket } from 'ws';
import { defaultConfig, type EdgeConfig } from '../../src/config/config.ts';
import { RpcClient } from '../../src/chain/rpc-client.ts';
import { silentLogger } from '../../src/logger.ts';
import { startEdge, type Edge } from '../../src/main.ts';
import type { StratumStats } from '../../src/stratum/stratum-server.ts';
import { LineClient, REGTEST_ADDRESS, TEST_DIFFICULTY, notifyToJob, type Msg, type NotifyJob } from '../stratum-harness.ts';

export const USER = `${REGTEST_ADDRESS}.hostile`;
/** Simnet block difficulty of the suite: ~4.3e7 hashes, never met by a test share by chance (1 in 10^4). */
export const HOSTILE_BLOCK_DIFFICULTY = 0.01;

export interface HostileEdge {
  readonly edge: Edge;
  readonly config: EdgeConfig;
  readonly dataDir: string;
  readonly stratumPort: number;
  /** http://127.0.0.1:PORT (no trailing slash) */
  readonly httpUrl: string;
  readonly wsUrl: string;
  stats(): StratumStats;
  /** GET a JSON API path (throws on an HTTP error). */
  get<T = Msg>(path: string): Promise<T>;
  /** A JSON-RPC client of simnet (cookie auth). */
  rpc(): RpcClient;
  stop(): Promise<void>;
}

/** Starts an edge with the suite's settings, then `tune` (applied before start). */
export async function startHostileEdge(tune: (c: EdgeConfig) => void = () => {}): Promise<HostileEdge> {
  const dataDir = mkdtempSync(join(tmpdir(), 'otedama-hostile-'));
  const config = defaultConfig({});
  config.dataDir = dataDir;
  config.http.port = 0;
  config.stratum.port = 0;
  config.chain.simnet.rpcPort = 0;
  config.chain.pollSeconds = 1;
  config.chain.simnet.blockDifficulty = HOSTILE_BLOCK_DIFFICULTY;
  config.stratum.initialDifficulty = TEST_DIFFICULTY;
  config.stratum.vardiff = { targetShareSeconds: 1, retargetSeconds: 60, hysteresis: 0.5, minDifficulty: 1e-7, maxDifficulty: 4e-6 };
  config.log.level = 'silent';
  tune(config);
  let edge: Edge;
  try {
    edge = await startEdge(config, silentLogger);
  } catch (err) {
    rmSync(dataDir, { recursive: true, force: true });
    throw err;
  }
  const httpUrl = edge.httpUrl.replace(/\/$/, '');
  const rpcs: RpcClient[] = [];
  let stopped: Promise<void> | undefined;
  return {
    edge,
    config,
    dataDir,
    stratumPort: Number(new URL(edge.stratumUrl.replace('stratum+tcp', 'http')).port),
    httpUrl,
    wsUrl: httpUrl.replace('http', 'ws') + '/ws/stratum',
    stats: () => edge.stratumStats(),
    async get<T>(path: string): Promise<T> {
      const res = await fetch(httpUrl + path);
      if (!res.ok) throw new Error(`${path}: HTTP ${res.status} ${await res.text()}`);
      return (await res.json()) as T;
    },
    rpc() {
      const c = new RpcClient({ url: edge.rpcUrl, cookieFile: join(dataDir, 'simnet', '.cookie'), logger: silentLogger });
      rpcs.push(c);
      return c;
    },
    stop() {
      stopped ??= (async () => {
        for (const c of rpcs) c.close();
        await edge.stop();
        rmSync(dataDir, { recursive: true, force: true });
      })();
      return stopped;
    },
  };
}

/** Edges and clients a test file opens, closed after each test (call once at the top of a file). */
export function tracked(afterEach: (fn: () => Promise<void>) => void): {
  edge: typeof startHostileEdge;
  client: (port: number, localAddress?: string) => Promise<LineClient>;
  ws: (url: string, localAddress?: string) => Promise<WsClient>;
} {
  const edges: HostileEdge[] = [];
  const clients: { close(): void }[] = [];
  afterEach(async () => {
    for (const c of clients.splice(0)) c.close();
    for (const e of edges.splice(0)) await e.stop();
  });
  return {
    async edge(tune) {
      const e = await startHostileEdge(tune);
      edges.push(e);
      return e;
    },
    async client(port, localAddress) {
      const c = await LineClient.connect(port, localAddress ? { localAddress } : {});
      clients.push(c);
      return c;
    },
    async ws(url, localAddress) {
      const c = await WsClient.connect(url, localAddress);
      clients.push(c);
      return c;
    },
  };
}

export interface Login {
  readonly en1: string;
  readonly job: NotifyJob;
  readonly difficulty: number;
  /** Every mining.notify received so far, in order. */
  readonly jobs: NotifyJob[];
}

/** subscribe (+ an optional session id to resume) and authorize; returns extranonce1 and the first job. */
export async function login(c: LineClient, opts: { user?: string; sessionId?: string } = {}): Promise<Login> {
  c.send({ id: 1, method: 'mining.subscribe', params: opts.sessionId ? ['hostile/1.0', opts.sessionId] : ['hostile/1.0'] });
  const sub = await c.reply();
  c.send({ id: 2, method: 'mining.authorize', params: [opts.user ?? USER, ''] });
  const skipped: Msg[] = [];
  const auth = await c.reply(5000, skipped);
  if (auth.result !== true) throw new Error(`authorize failed: ${JSON.stringify(auth)}`);
  let difficulty = NaN;
  const jobs: NotifyJob[] = [];
  const take = (m: Msg) => {
    if (m.method === 'mining.set_difficulty') difficulty = m.params[0];
    if (m.method === 'mining.notify') jobs.push(notifyToJob(m));
  };
  skipped.forEach(take);
  while (jobs.length === 0) take(await c.next());
  return { en1: sub.result[1] as string, job: jobs[0]!, difficulty, jobs };
}

/** A minerd-shaped submit line. */
export function submitLine(job: NotifyJob, en2: string, nonce: string, opts: { id?: number; user?: string; ntime?: string } = {}): string {
  return JSON.stringify({ id: opts.id ?? 4, method: 'mining.submit', params: [opts.user ?? USER, job.jobId, en2, opts.ntime ?? job.fields.ntime, nonce] });
}

/** A WebSocket Stratum client: messages parsed into a queue; `paused` stops reading the socket. */
export class WsClient {
  readonly received: Msg[] = [];
  closed = false;
  readonly closedPromise: Promise<void>;

  private constructor(readonly ws: WebSocket) {
    ws.on('message', (d) => this.received.push(JSON.parse(String(d))));
    ws.on('error', () => {});
    this.closedPromise = new Promise((resolve) =>
      ws.once('close', () => {
        this.closed = true;
        resolve();
      }),
    );
  }

  /** `localAddress`: the source address (another loopback address is another IP). */
  static connect(url: string, localAddress?: string): Promise<WsClient> {
    return new Promise((resolve, reject) => {
      const ws = new WebSocket(url, localAddress ? { localAddress } : {});
      ws.once('open', () => resolve(new WsClient(ws)));
      ws.once('error', reject);
    });
  }

  send(msg: Msg): void {
    this.ws.send(JSON.stringify(msg));
  }

  close(): void {
    this.ws.terminate();
  }
}

/** Polls until `fn` is true (assertions on eventual state; no timings asserted). */
export async function until(fn: () => boolean | Promise<boolean>, timeoutMs: number, what: string): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await fn())) {
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

/** Heap and RSS of this process after a GC when one is exposed (MiB). */
export function memoryMiB(): { rss: number; heap: number } {
  (globalThis as { gc?: () => void }).gc?.();
  const m = process.memoryUsage();
  return { rss: m.rss / 2 ** 20, heap: m.heapUsed / 2 ** 20 };
}
