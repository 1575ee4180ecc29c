/**
 * The browser-peer tests' world, inside the network namespace scripts/p2p-netns.mjs creates:
 * edges (peer-edge.ts processes) on the namespace's private addresses, each serving the web app
 * on a fixed port, and pages, each in a browser context of its own (its own IndexedDB, its own
 * peer) opened on one of the edges.
 */
import type { Browser, BrowserContext, Page } from '@playwright/test';
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { scriptToAddress } from '@otedama/core';
import type { TrafficSnapshot } from './edge-traffic.ts';
import { NETNS_ADDRESSES, P2P_EDGE_HTTP_PORT } from './netns.ts';

const ROOT = fileURLToPath(new URL('../../../', import.meta.url));
const TSX = join(ROOT, 'node_modules', 'tsx', 'dist', 'cli.mjs');

if (NETNS_ADDRESSES.length < 2) {
  throw new Error('the p2p tests run inside the network namespace: `node scripts/p2p-netns.mjs` (as root) creates it and runs them');
}
/** libp2p TCP port of an edge (its WebSockets listener is the next port). */
export const EDGE_P2P_PORT = 4733;
/**
 * Simnet block difficulty for the tests: a block every ~8.6 M hashes, so blocks are found while a
 * test watches (a page at full intensity hashes 1.5-2 MH/s here: a block every 4-6 s) and stay
 * well apart from shares. At 0.0005 that page found a coin block every 0.3-1 s, one per few
 * shares: each node learns a new coin block at its own moment, and shares may build on only the
 * newest 3, so a share one node took was already on a stale coin block for another, and the
 * proof's "reach pages 2 and 3" flaked. No real coin moves at the pace of shares.
 */
export const TEST_BLOCK_DIFFICULTY = 0.002;

/** What GET /api/sharechain answers. */
export interface SharechainApi {
  poolId: string;
  params: string;
  network: string;
  peerId: string;
  listen: string[];
  tip: { id: string; height: number } | null;
  windowShares: number;
  peers: number;
  admittedPeers: number;
  sync: string;
  nextPayouts: { address: string; sats: string }[];
  connectionsTotal: number;
  templatesPublished: number;
  /** Height of the coin block the edge's template mines (simnet's height + 1). */
  coinHeight: number;
  /** Blocks this edge's block relay submitted and the node accepted (duplicates not counted). */
  blocksSubmitted: number;
  /** Peers banned here. */
  bans: string[];
}

export interface PeerEdgeInfo {
  http: string;
  peerId: string;
  listen: string[];
  rpcUrl: string;
  cookieFile: string;
}

export interface PeerEdge {
  readonly info: PeerEdgeInfo;
  readonly dataDir: string;
  /** Its HTTP origin (where pages are opened). */
  readonly url: string;
  /** Its TCP multiaddr (for other edges' --bootstrap). */
  readonly tcpAddr: string;
  api(): Promise<SharechainApi>;
  /** Whether the edge's chain holds share `id` (hex). */
  holds(id: string): Promise<boolean>;
  /** When each share a peer brought was accepted here (id -> ms). */
  arrivals(): Promise<Record<string, number>>;
  /** Its traffic counters (edge-traffic.ts); only for an edge started with `profileDir`. */
  traffic(): Promise<TrafficSnapshot>;
  output(): string;
  /** SIGTERM and wait; the data folder is kept for a restart. */
  stop(): Promise<void>;
}

export interface PeerEdgeOptions {
  /** Which namespace address (0 or 1); two edges on one address need another http/p2p port. */
  readonly index: number;
  readonly dataDir?: string;
  /** Run simnet here (the first edge); otherwise use `rpcOf`'s simnet over RPC. */
  readonly rpcOf?: PeerEdgeInfo;
  readonly bootstrap?: readonly string[];
  readonly pool?: Record<string, unknown>;
  readonly templateValidMs?: number;
  readonly portOffset?: number;
  /** Shares the edge mines on its own chain before it starts (a window to sync; easy pools only). */
  readonly preloadShares?: number;
  /**
   * Benchmarks: a folder for the edge's CPU profile (Node's --cpu-prof into edge-<index>/, written
   * when it stops; tsx's launcher process writes a small one of its own beside it); the edge also
   * counts its traffic (peer-edge.ts --count-traffic, read with `traffic()`).
   */
  readonly profileDir?: string;
}

export async function startPeerEdge(options: PeerEdgeOptions): Promise<PeerEdge> {
  const host = NETNS_ADDRESSES[options.index % NETNS_ADDRESSES.length]!;
  const dataDir = options.dataDir ?? mkdtempSync(join(tmpdir(), 'otedama-peer-edge-'));
  const webRoot = process.env.OTEDAMA_E2E_WEB_ROOT ?? join(ROOT, 'dist', 'web');
  const offset = options.portOffset ?? 0;
  const args = [
    TSX,
    join(ROOT, 'apps', 'web', 'e2e-p2p', 'peer-edge.ts'),
    '--host', host,
    '--http-port', String(P2P_EDGE_HTTP_PORT + offset),
    '--p2p-port', String(EDGE_P2P_PORT + 2 * offset),
    '--data-dir', dataDir,
    '--web-root', webRoot,
    '--pool', JSON.stringify(options.pool ?? {}),
    '--template-valid-ms', String(options.templateValidMs ?? 120_000),
    '--preload-shares', String(options.preloadShares ?? 0),
    ...(options.rpcOf ? ['--rpc-url', options.rpcOf.rpcUrl, '--rpc-cookie', options.rpcOf.cookieFile] : ['--simnet-difficulty', String(TEST_BLOCK_DIFFICULTY)]),
    ...(options.bootstrap ?? []).flatMap((b) => ['--bootstrap', b]),
    ...(options.profileDir ? ['--count-traffic'] : []),
  ];
  const profiling = options.profileDir ? { NODE_OPTIONS: `${process.env.NODE_OPTIONS ?? ''} --cpu-prof --cpu-prof-dir=${join(options.profileDir, `edge-${options.index}`)}`.trim() } : {};
  const child: ChildProcess = spawn(process.execPath, args, { cwd: ROOT, env: { ...process.env, OTEDAMA_LOG_LEVEL: process.env.OTEDAMA_P2P_DIAG ? 'debug' : 'info', ...profiling }, stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  child.stdout!.on('data', (d) => (out += d));
  child.stderr!.on('data', (d) => (out += d));
  const info = await new Promise<PeerEdgeInfo>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`peer edge did not start within 180 s:\n${out}`)), 180_000);
    child.stdout!.on('data', () => {
      const line = out.split('\n').find((l) => l.startsWith('{"ready":true'));
      if (line) {
        clearTimeout(timer);
        resolve(JSON.parse(line) as PeerEdgeInfo);
      }
    });
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`peer edge exited with ${code}:\n${out}`));
    });
  });
  return {
    info,
    dataDir,
    url: info.http,
    tcpAddr: info.listen.find((a) => !a.includes('/ws'))!,
    api: async () => (await getJson(new URL('/api/sharechain', info.http))) as SharechainApi,
    arrivals: async () => (await getJson(new URL('/api/sharechain/arrivals', info.http))) as Record<string, number>,
    traffic: async () => (await getJson(new URL('/api/debug/traffic', info.http))) as TrafficSnapshot,
    holds: async (id) => ((await getJson(new URL(`/api/sharechain/held/${id}`, info.http))) as { held: boolean }).held,
    output: () => out,
    async stop() {
      if (child.exitCode === null && child.signalCode === null) {
        const exited = new Promise((r) => child.once('exit', r));
        child.kill('SIGTERM');
        await exited;
      }
    },
  };
}

/**
 * GETs JSON from an edge. A request that meets a keep-alive connection the edge closed meanwhile
 * fails at once ("fetch failed", ECONNRESET: on a busy machine the poll interval outlasts the
 * edge's keep-alive): it is sent once more, on a new connection, before it counts as a failure.
 */
async function getJson(url: URL): Promise<unknown> {
  try {
    return await (await fetch(url)).json();
  } catch (err) {
    if (!(err instanceof TypeError)) throw err;
    return await (await fetch(url, { headers: { connection: 'close' } })).json();
  }
}

/** Removes an edge's data folder (after its last stop). */
export function removeDataDir(edge: PeerEdge): void {
  rmSync(edge.dataDir, { recursive: true, force: true });
}

/** Two edges: A runs simnet, B uses A's simnet over RPC and bootstraps from A. */
export async function startEdgePair(pool: Record<string, unknown> = {}): Promise<[PeerEdge, PeerEdge]> {
  const a = await startPeerEdge({ index: 0, pool });
  const b = await startPeerEdge({ index: 1, rpcOf: a.info, bootstrap: [a.tcpAddr], pool });
  return [a, b];
}

export interface PeerPage {
  readonly context: BrowserContext;
  readonly page: Page;
  close(): Promise<void>;
}

/** A page in a fresh browser context (its own storage and peer), opened on `edge`. */
export async function openPeerPage(browser: Browser, edge: PeerEdge): Promise<PeerPage> {
  const context = await browser.newContext();
  const page = await context.newPage();
  await page.goto(edge.url);
  return { context, page, close: () => context.close() };
}

/** Distinct regtest payout addresses for the test pages (P2WPKH programs 0x11.., 0x22.., ...). */
export function pageAddress(n: number): string {
  const script = new Uint8Array(22);
  script[1] = 0x14;
  script.fill(0x11 * (n + 1), 2);
  return scriptToAddress(script, 'regtest')!;
}

/** What the page made before and after Start: sockets, peer connections, workers (counted in the page). */
export interface PageCounters {
  webSockets: number;
  peerConnections: number;
  workers: number;
}

/** Counts WebSocket, RTCPeerConnection and Worker constructions in every page of `context`. */
export async function countConnections(context: BrowserContext): Promise<void> {
  await context.addInitScript(() => {
    const counters = { webSockets: 0, peerConnections: 0, workers: 0 };
    (window as unknown as { otedamaCounters: typeof counters }).otedamaCounters = counters;
    const wrap = <T extends abstract new (...a: never[]) => object>(Base: T | undefined, key: keyof typeof counters): T | undefined => {
      if (!Base) return Base;
      const Wrapped = class extends (Base as unknown as new (...a: unknown[]) => object) {
        constructor(...args: unknown[]) {
          counters[key]++;
          super(...args);
        }
      };
      return Wrapped as unknown as T;
    };
    window.WebSocket = wrap(window.WebSocket, 'webSockets')!;
    window.RTCPeerConnection = wrap(window.RTCPeerConnection, 'peerConnections')!;
    window.Worker = wrap(window.Worker, 'workers')!;
  });
}

export function counters(page: Page): Promise<PageCounters> {
  return page.evaluate(() => (window as unknown as { otedamaCounters: PageCounters }).otedamaCounters);
}

/** Fills the setup form (one CPU thread, `intensity` %, the other edges in the failover list) and presses Start. */
export async function startMining(page: Page, address: string, options: { intensity?: number; edges?: readonly PeerEdge[] } = {}): Promise<void> {
  const intensity = options.intensity ?? 100;
  if (options.edges?.length) {
    await page.locator('details summary', { hasText: 'More settings' }).click();
    await page.fill('#edges', options.edges.map((e) => e.url).join('\n'));
  }
  await page.fill('#address', address);
  await page.fill('#threads', '1');
  await page.locator('#intensity').fill(String(intensity));
  await page.click('#start');
}

/** What the page's peer session says (PeerSession.state(), read through globalThis.otedamaPeer). */
export function peerState(page: Page) {
  return page.evaluate(() => {
    const peer = (globalThis as unknown as { otedamaPeer?: { state(): unknown } }).otedamaPeer;
    return peer ? (JSON.parse(JSON.stringify(peer.state(), (_k, v) => (typeof v === 'bigint' ? String(v) : v))) as PeerStateJson) : undefined;
  });
}

export interface PeerStateJson {
  peerId: string;
  poolId: string;
  edges: { origin: string; peerId: string; state: string }[];
  peers: { id: string; kind: 'edge' | 'browser'; transports: string[]; admitted: boolean; latencyMs?: number }[];
  restore?: { done: number; of: number };
  sync: { state: string; shares: number; percent?: number };
  tip?: { height: number; id: string };
  template?: { height: number; signer: string; stale?: string };
  outbox: number;
  storedShares: number;
  ownBlocks: string[];
  ownShares: number;
  lastOwnShare?: string;
}
