/**
 * Accounting end to end: a real `otedama pool` on simnet with a low block difficulty, mined by
 * the real `otedama mine`, until blocks are found; then the payouts the API reports must equal
 * simnet's ledger (simnet_getbalances) to the satoshi, address by address.
 */
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { silentLogger } from '../src/logger.ts';
import { RpcClient } from '../src/chain/rpc-client.ts';
import { startOtedama } from './cli-run.ts';
import { startEdgeProcess, type EdgeProcess } from './edge-process.ts';
import { REGTEST_ADDRESS } from './stratum-harness.ts';

const cleanup: (() => Promise<unknown> | unknown)[] = [];
afterAll(async () => {
  while (cleanup.length) await cleanup.pop()!();
}, 20_000);

async function get<T>(edge: EdgeProcess, path: string): Promise<T> {
  const res = await fetch(edge.url + path);
  if (!res.ok) throw new Error(`${path}: HTTP ${res.status} ${await res.text()}`);
  return (await res.json()) as T;
}

interface Payout { address: string; value: number; height: number; kind: string; blockHash: string }

describe('accounting end to end', () => {
  it('records payouts of found blocks that match simnet to the unit', async () => {
    const edge = await startEdgeProcess(['--block-difficulty', '0.002', '--fee', '200']);
    cleanup.push(() => edge.stop());
    const miner = startOtedama(['mine', '--wallet', REGTEST_ADDRESS, '--worker', 'e2e', '--threads', '1', '--pool', edge.stratumUrl, '--control-port', '0']);
    cleanup.push(() => miner.child.kill('SIGKILL'));

    // Mine until a block pays the miner (bounded). Every block's coinbase pays the sharechain's
    // distribution: the miner's shares name it and the operator's 2 % fee, so every block pays both.
    const deadline = Date.now() + 45_000;
    let blocks: { hash: string; height: number; status: string }[] = [];
    while (Date.now() < deadline) {
      blocks = (await get<{ blocks: typeof blocks }>(edge, '/api/blocks?limit=1000')).blocks;
      const paid = (await get<{ payouts: Payout[] }>(edge, '/api/pool/payouts?limit=1000')).payouts;
      if (paid.some((p) => p.address === REGTEST_ADDRESS)) break;
      await new Promise((r) => setTimeout(r, 500));
    }
    miner.child.kill('SIGTERM');
    await miner.exited;
    expect(blocks.length, `no block within 45 s\n${edge.output()}`).toBeGreaterThanOrEqual(1);
    // Let a block submitted just before the miner stopped be recorded.
    await new Promise((r) => setTimeout(r, 1000));
    blocks = (await get<{ blocks: typeof blocks }>(edge, '/api/blocks?limit=1000')).blocks;
    expect(blocks.every((b) => b.status === 'confirmed')).toBe(true);

    const payouts = (await get<{ payouts: Payout[] }>(edge, '/api/pool/payouts?limit=1000')).payouts;
    const byAddress = new Map<string, number>();
    for (const p of payouts) byAddress.set(p.address, (byAddress.get(p.address) ?? 0) + p.value);
    expect(byAddress.get(REGTEST_ADDRESS) ?? 0, JSON.stringify({ payouts, blocks })).toBeGreaterThan(0);

    const rpc = new RpcClient({ url: edge.rpcUrl, cookieFile: join(edge.dataDir, 'simnet', '.cookie'), logger: silentLogger });
    const ledger = await rpc.call<Record<string, number>>('simnet_getbalances');
    const info = await rpc.call<{ blocks: number }>('getblockchaininfo');
    expect(info.blocks).toBe(blocks.length);
    expect(Object.fromEntries([...byAddress].sort())).toEqual(Object.fromEntries(Object.entries(ledger).filter(([, v]) => v > 0).sort()));

    // The miner's own view: paid equals its ledger balance; the pool's totals add up.
    const me = await get<{ paid: number; shares: number; workers: { worker: string }[] }>(edge, `/api/miners/${REGTEST_ADDRESS}`);
    expect(me.paid).toBe(ledger[REGTEST_ADDRESS]);
    expect(me).not.toHaveProperty('balance'); // nobody holds funds
    expect(me.workers.map((w) => w.worker)).toEqual(['e2e']);
    const stats = await get<{ blocksFound: number; paidTotal: number; sharesTotal: number }>(edge, '/api/pool/stats');
    expect(stats.blocksFound).toBe(blocks.length);
    expect(stats.sharesTotal).toBe(me.shares);
    const minersPaid = payouts.filter((p) => p.kind === 'miner').reduce((a, p) => a + p.value, 0);
    expect(stats.paidTotal).toBe(minersPaid);
  }, 60_000);
});
