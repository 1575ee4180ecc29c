/**
 * The pool's network for the network tests: three real `otedama pool` processes on 127.0.0.1.
 * A runs simnet; B and C mine A's simnet through `chain.rpc_url` (as they would a bitcoind), so
 * all three derive one pool id; B bootstraps from A, C from A and B. Data folders are the test's
 * (kept across a restart or a SIGKILL, removed at the end). Helpers read each edge as a person
 * would: its HTTP API and the `otedama` CLI (in this process: a spawned CLI costs seconds here;
 * cli-edge.test.ts covers the binary).
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { RpcClient } from '../../src/chain/rpc-client.ts';
import type { SharechainJson } from '../../src/commands/edge-api.ts';
import { silentLogger } from '../../src/logger.ts';
import { SIMNET_DEFAULT_PAYOUT_ADDRESS } from '../../src/simnet/simnet.ts';
import { runCliHere } from '../cli-run.ts';
import { startEdgeProcess, type EdgeProcess } from '../edge-process.ts';

/** The edges log at info: the tests read what they did (blocks submitted, peers banned). */
const EDGE_ENV = { OTEDAMA_LOG_LEVEL: 'info' };

export interface NetworkEdge {
  readonly name: 'A' | 'B' | 'C' | string;
  process: EdgeProcess;
  readonly dataDir: string;
  /** Arguments it runs with (kept for a restart). */
  readonly args: readonly string[];
}

export interface PoolNetwork {
  readonly a: NetworkEdge;
  readonly b: NetworkEdge;
  readonly c: NetworkEdge;
  readonly edges: readonly NetworkEdge[];
  /** A's simnet RPC and its cookie (what B and C use, and what test miners read templates from). */
  readonly rpcUrl: string;
  readonly cookieFile: string;
  /** A client of A's simnet RPC (invalidateblock, getblock, …). */
  readonly rpc: RpcClient;
  /** Starts another edge on A's simnet (a fresh edge, or one restarted on its data folder). */
  startEdge(name: string, bootstrap: readonly string[], dataDir?: string): Promise<NetworkEdge>;
  /** Restarts an edge on its data folder, with its arguments (after stop or a SIGKILL). */
  restart(edge: NetworkEdge): Promise<void>;
  stop(): Promise<void>;
}

export interface PoolNetworkOptions {
  /** Simnet's block difficulty (A's --block-difficulty). */
  readonly blockDifficulty: number;
}

export async function startPoolNetwork(options: PoolNetworkOptions): Promise<PoolNetwork> {
  const dirs: string[] = [];
  const tmp = (prefix: string) => {
    const d = mkdtempSync(join(tmpdir(), prefix));
    dirs.push(d);
    return d;
  };
  const all: NetworkEdge[] = [];
  const launch = async (name: string, args: readonly string[], dataDir = tmp(`otedama-net-${name.toLowerCase()}-`)): Promise<NetworkEdge> => {
    const edge: NetworkEdge = { name, process: await startEdgeProcess(args, { dataDir, env: EDGE_ENV }), dataDir, args };
    all.push(edge);
    return edge;
  };
  try {
    const a = await launch('A', ['--block-difficulty', String(options.blockDifficulty)]);
    const cookieFile = join(a.dataDir, 'simnet', '.cookie');
    const config = join(tmp('otedama-net-config-'), 'rpc.yaml');
    writeFileSync(config, `chain:\n  mode: rpc\n  rpc_url: ${a.process.rpcUrl}\n  rpc_cookie_file: ${cookieFile}\n  poll_seconds: 1\npool:\n  payout_address: ${SIMNET_DEFAULT_PAYOUT_ADDRESS}\n`);
    const onA = (name: string, bootstrap: readonly string[], dataDir?: string) => launch(name, ['--config', config, ...bootstrap.flatMap((x) => ['--bootstrap', x])], dataDir);
    const b = await onA('B', [a.process.p2pAddr!]);
    const c = await onA('C', [a.process.p2pAddr!, b.process.p2pAddr!]);
    const network: PoolNetwork = {
      a,
      b,
      c,
      edges: [a, b, c],
      rpcUrl: a.process.rpcUrl,
      cookieFile,
      rpc: new RpcClient({ url: a.process.rpcUrl, cookieFile, logger: silentLogger, retries: 0 }),
      startEdge: onA,
      async restart(edge) {
        edge.process = await startEdgeProcess(edge.args, { dataDir: edge.dataDir, env: EDGE_ENV });
      },
      async stop() {
        network.rpc.close();
        await Promise.all(all.map((e) => e.process.stop()));
        for (const d of dirs) rmSync(d, { recursive: true, force: true });
      },
    };
    // One network: every edge admitted the others it knows.
    await until(async () => (await Promise.all([a, b, c].map(async (e) => (await sharechain(e)).admittedPeers))).every((n) => n === 2), 30_000, 'every edge admits the other two');
    return network;
  } catch (err) {
    await Promise.all(all.map((e) => e.process.stop()));
    for (const d of dirs) rmSync(d, { recursive: true, force: true });
    throw err;
  }
}

/** Polls `check` until it holds (hooks cannot use expect.poll); throws naming `what` after `timeoutMs`. */
export async function until(check: () => Promise<boolean> | boolean, timeoutMs: number, what: string): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    try {
      if (await check()) return;
    } catch {
      // not yet (an edge still starting)
    }
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs / 1000} s waiting until ${what}`);
    await new Promise((r) => setTimeout(r, 200));
  }
}

/** GET a JSON route of an edge. */
export async function get<T = any>(edge: NetworkEdge, path: string): Promise<T> { // eslint-disable-line @typescript-eslint/no-explicit-any
  const res = await fetch(edge.process.url + path);
  if (!res.ok) throw new Error(`${edge.name} ${path}: HTTP ${res.status} ${await res.text()}`);
  return (await res.json()) as T;
}

export function sharechain(edge: NetworkEdge): Promise<SharechainJson> {
  return get<SharechainJson>(edge, '/api/sharechain');
}

/** The tip id each edge holds (null before its first share). */
export async function tips(edges: readonly NetworkEdge[]): Promise<(string | null)[]> {
  return Promise.all(edges.map(async (e) => (await sharechain(e)).tip?.id ?? null));
}

/** Runs `otedama ARGS --url EDGE` in this process; the exit code and what it printed. */
export function cli(edge: NetworkEdge, args: readonly string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  return runCliHere([...args, '--url', edge.process.url]);
}
