/**
 * Real `otedama pool` processes on 127.0.0.1 as peers of one pool: B mines A's simnet over RPC
 * (so both derive the same pool id from the same genesis block) and bootstraps from A's printed
 * multiaddr; C runs its own simnet (another pool) and is refused; D runs with --no-p2p. Checked
 * through the CLI's commands (`otedama node status|peers|sync`), `GET /api/sharechain` and /metrics.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { SharechainJson } from '../src/commands/edge-api.ts';
import { SIMNET_DEFAULT_PAYOUT_ADDRESS } from '../src/simnet/simnet.ts';
import { runCliHere } from './cli-run.ts';
import { startEdgeProcess, type EdgeProcess } from './edge-process.ts';

let a: EdgeProcess;
let b: EdgeProcess;
let c: EdgeProcess;
let d: EdgeProcess;
let configDir: string;

beforeAll(async () => {
  a = await startEdgeProcess();
  configDir = mkdtempSync(join(tmpdir(), 'otedama-p2p-config-'));
  const config = join(configDir, 'b.yaml');
  writeFileSync(config, `chain:\n  mode: rpc\n  rpc_url: ${a.rpcUrl}\n  rpc_cookie_file: ${join(a.dataDir, 'simnet', '.cookie')}\n  poll_seconds: 1\npool:\n  payout_address: ${SIMNET_DEFAULT_PAYOUT_ADDRESS}\n`);
  [b, c, d] = await Promise.all([
    startEdgeProcess(['--config', config, '--bootstrap', a.p2pAddr!]),
    startEdgeProcess(['--bootstrap', a.p2pAddr!]),
    startEdgeProcess(['--no-p2p']),
  ]);
}, 90_000);
afterAll(async () => {
  await Promise.all([a, b, c, d].map((e) => e?.stop()));
  rmSync(configDir, { recursive: true, force: true });
}, 30_000);

/** `otedama ARGS --url EDGE` in this process. */
function cli(edge: EdgeProcess, args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  return runCliHere([...args, '--url', edge.url]);
}
async function json(edge: EdgeProcess, args: string[]) {
  const r = await cli(edge, [...args, '--json']);
  expect(r.code, `${args.join(' ')}: ${r.stderr}`).toBe(0);
  return JSON.parse(r.stdout);
}
async function sharechain(edge: EdgeProcess): Promise<SharechainJson> {
  return (await (await fetch(`${edge.url}/api/sharechain`)).json()) as SharechainJson;
}

describe('edges as peers of one pool', () => {
  it('edges on one coin share a pool id, find each other from --bootstrap and prove it', async () => {
    const [sa, sb] = [await sharechain(a), await sharechain(b)];
    expect(sb.poolId).toBe(sa.poolId);
    expect(sa.listen).toContain(a.p2pAddr);
    expect(sa.listen.every((x: string) => x.endsWith(`/p2p/${sa.peerId}`))).toBe(true);
    await expect.poll(async () => (await sharechain(a)).admittedPeers, { timeout: 20_000 }).toBeGreaterThanOrEqual(1);
    const { peers } = await json(a, ['node', 'peers']);
    expect(peers).toContainEqual(expect.objectContaining({ id: sb.peerId, admitted: true, transports: ['tcp'], direction: 'inbound', score: expect.any(Number) }));
    const text = await cli(a, ['node', 'peers']);
    expect(text.stdout).toMatch(new RegExp(`^PEER +TRANSPORT +DIR +LATENCY +SCORE +ADMITTED +ADDRESS\\n(.*\\n)*${sb.peerId} +tcp +in +`, 'm'));
    const metrics = await (await fetch(`${a.url}/metrics`)).text();
    expect(metrics).toMatch(/^otedama_peers_connected [1-9]/m);
  }, 60_000);

  it('an edge of another pool is refused, with its pool id in the log', async () => {
    const sc = await sharechain(c);
    expect(sc.poolId).not.toBe((await sharechain(a)).poolId);
    await expect.poll(() => a.output(), { timeout: 20_000 }).toMatch(new RegExp(`peer refused .*poolId=${sc.poolId}`));
    expect((await json(a, ['node', 'peers'])).peers.map((p: { id: string }) => p.id)).not.toContain(sc.peerId);
  }, 40_000);

  it('node status shows the pool id, peer id, listen addresses, peers, tip, window and sync', async () => {
    // B serves work once its first sync from A ends (retried until A admits it).
    await expect.poll(async () => (await sharechain(b)).serving, { timeout: 30_000 }).toBe(true);
    const s = await json(b, ['node', 'status']);
    expect(s.sharechain).toMatchObject({ poolId: (await sharechain(a)).poolId, tip: null, windowShares: 0, nextPayouts: null });
    expect(s.chain).toMatchObject({ mode: 'rpc', rpcUrl: a.rpcUrl });
    const text = (await cli(b, ['node', 'status'])).stdout;
    for (const label of ['pool id:', 'peer id:', 'listen:', 'peers:', 'tip:', 'window:', 'sync:']) expect(text).toContain(label);
    expect(text).toMatch(/peers: +\d+ connected, [1-9]\d* admitted/);
    expect(text).toMatch(/^window: +0 shares \(0 held\)$/m);
    expect(text).toMatch(/^work: +serving Stratum jobs$/m);
    expect(text).toMatch(/^next block: no payout yet/m);
  }, 40_000);

  it('node sync re-syncs from the peers and reports how it ended; refused without p2p', async () => {
    const r = await cli(b, ['node', 'sync', '--json']);
    expect(r.code, r.stderr).toBe(0);
    expect(JSON.parse(r.stdout)).toMatchObject({ sync: { state: 'synced', shares: 0 }, tip: null, heldShares: 0 });
    const text = await cli(b, ['node', 'sync']);
    expect(text.stdout).toMatch(/^sync synced, 0 shares fetched in 0 batches.*; tip none, 0 shares held and stored$/m);
    const off = await cli(d, ['node', 'sync']);
    expect(off.code).toBe(1);
    expect(off.stderr).toMatch(/answered 409: this edge runs without its libp2p node/);
    expect(await sharechain(d)).toMatchObject({ peerId: null, listen: [], peers: 0, sync: { state: 'idle' } });
    expect(d.p2pAddr).toBeUndefined();
  }, 60_000);
});
