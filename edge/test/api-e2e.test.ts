/* eslint-disable @typescript-eslint/no-explicit-any -- JSON bodies of API answers */
/**
 * The dashboard's API figures from a real `otedama pool` on simnet mined by the real
 * `otedama mine`: "no shares yet" is a JSON 404 a page of another origin can read; once shares
 * are committed the address has an estimate, and the payout of a block found afterwards equals
 * it to the satoshi (one miner, so the window's split cannot move between the two readings).
 */
import { afterAll, describe, expect, it } from 'vitest';
import { startOtedama } from './cli-run.ts';
import { startEdgeProcess, type EdgeProcess } from './edge-process.ts';
import { REGTEST_ADDRESS } from './stratum-harness.ts';

const cleanup: (() => Promise<unknown> | unknown)[] = [];
afterAll(async () => {
  while (cleanup.length) await cleanup.pop()!();
}, 20_000);

/** A page served by another edge of the failover list reads this one's API. */
const ORIGIN = 'http://127.0.0.1:1';

async function get(edge: EdgeProcess, path: string): Promise<{ status: number; cors: string | null; body: any }> {
  const res = await fetch(edge.url + path, { headers: { origin: ORIGIN } });
  return { status: res.status, cors: res.headers.get('access-control-allow-origin'), body: await res.json() };
}

interface Estimate { windowShares: number; shares: number; fraction: number; blockRewardSats: number; nextBlockSats: number; nextPayoutSats: number }

describe('dashboard API figures end to end', () => {
  it('no shares yet -> 404 unknown_miner; shares -> estimate; the next block pays the estimate', async () => {
    const edge = await startEdgeProcess(['--block-difficulty', '0.002', '--fee', '2', '--min-payout', '0']);
    cleanup.push(() => edge.stop());

    const none = await get(edge, `/api/miners/${REGTEST_ADDRESS}`);
    expect(none.status).toBe(404);
    expect(none.cors).toBe('*');
    expect(none.body).toEqual({ error: { code: 'unknown_miner', field: 'address', message: expect.stringContaining('no shares') } });
    const stats = await get(edge, '/api/pool/stats');
    expect(stats).toMatchObject({ status: 200, cors: '*', body: { blocksFound: 0, activeMiners: 0, pool: { feePercent: 2 } } });

    const miner = startOtedama(['mine', '--wallet', REGTEST_ADDRESS, '--worker', 'dash', '--threads', '1', '--pool', edge.stratumUrl, '--control-port', '0']);
    cleanup.push(() => miner.child.kill('SIGKILL'));

    // The first estimate, as soon as a share is committed.
    let estimate: Estimate | undefined;
    await expect
      .poll(async () => {
        const r = await get(edge, `/api/miners/${REGTEST_ADDRESS}`);
        if (r.status === 200) estimate = r.body.estimate;
        return estimate?.shares ?? 0;
      }, { timeout: 30_000, interval: 200 })
      .toBeGreaterThan(0);
    // One miner: all the work, the whole reward after the 2 % fee.
    expect(estimate).toMatchObject({ fraction: 1, nextBlockSats: (estimate!.blockRewardSats * 98) / 100, nextPayoutSats: (estimate!.blockRewardSats * 98) / 100 });
    expect(estimate!.blockRewardSats).toBeGreaterThan(0);

    // A block whose coinbase pays the miner (the first jobs were built on an empty window and pay the pool).
    type Payout = { value: number; credit: number; carriedPaid: number; blockHash: string };
    let paid: Payout | undefined;
    await expect
      .poll(async () => {
        const r = await get(edge, `/api/miners/${REGTEST_ADDRESS}`);
        paid = (r.body.payouts as Payout[] | undefined)?.at(-1);
        return paid !== undefined;
      }, { timeout: 45_000, interval: 300, message: `no block paid the miner within 45 s\n${edge.output()}` })
      .toBe(true);
    miner.child.kill('SIGTERM');
    await miner.exited;
    expect(paid).toMatchObject({ credit: estimate!.nextBlockSats, value: estimate!.nextPayoutSats, carriedPaid: 0 });
    const block = (await get(edge, '/api/blocks?limit=1000')).body.blocks.find((b: { hash: string }) => b.hash === paid!.blockHash);
    expect(block.reward).toBe(estimate!.blockRewardSats);
    const after = await get(edge, '/api/pool/stats');
    expect(after.body.blocksFound).toBeGreaterThanOrEqual(1);
    expect(after.body.hashrate.m10).toBeGreaterThan(0);
  }, 90_000);
});
