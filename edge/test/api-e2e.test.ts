/* eslint-disable @typescript-eslint/no-explicit-any -- JSON bodies of API answers */
/**
 * The dashboard's API figures from a real `otedama pool` on simnet mined by the real
 * `otedama mine`: "no shares yet" is a JSON 404 a page of another origin can read; once the
 * miner's shares are in the sharechain the address has a standing (its credit in the window, its
 * expected payout), and a block found afterwards pays it that (one miner and the operator's fee,
 * so the split cannot move between the two readings; within a satoshi of rounding).
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

interface Standing { windowShares: number; shares: number; fraction: number; blockRewardSats: number; expectedSats: number; kind: string; probability: number; thresholdSats: number }

describe('dashboard API figures end to end', () => {
  it('no shares yet -> 404 unknown_miner; chain shares -> a standing; the next block pays the expected payout', async () => {
    const edge = await startEdgeProcess(['--block-difficulty', '0.002', '--fee', '200']);
    cleanup.push(() => edge.stop());

    const none = await get(edge, `/api/miners/${REGTEST_ADDRESS}`);
    expect(none.status).toBe(404);
    expect(none.cors).toBe('*');
    expect(none.body).toEqual({ error: { code: 'unknown_miner', field: 'address', message: expect.stringContaining('no shares') } });
    const stats = await get(edge, '/api/pool/stats');
    expect(stats).toMatchObject({ status: 200, cors: '*', body: { blocksFound: 0, activeMiners: 0, pool: { feeBp: 200, payouts: 'sharechain' } } });

    const miner = startOtedama(['mine', '--wallet', REGTEST_ADDRESS, '--worker', 'dash', '--threads', '1', '--pool', edge.stratumUrl, '--control-port', '0']);
    cleanup.push(() => miner.child.kill('SIGKILL'));

    // The first standing, as soon as a share of the miner is in the chain.
    let standing: Standing | undefined;
    await expect
      .poll(async () => {
        const r = await get(edge, `/api/miners/${REGTEST_ADDRESS}`);
        if (r.status === 200) standing = r.body.sharechain ?? undefined;
        return standing?.shares ?? 0;
      }, { timeout: 30_000, interval: 200 })
      .toBeGreaterThan(0);
    // One miner: all the work, 98 % of it credited to it and 2 % to the operator.
    expect(standing).toMatchObject({ fraction: 0.98, kind: 'direct', probability: 1 });
    expect(standing!.blockRewardSats).toBeGreaterThan(0);
    expect(Math.abs(standing!.expectedSats - standing!.blockRewardSats * 0.98)).toBeLessThanOrEqual(1);

    // A block: its coinbase pays the miner its expected payout (the finder bonus is the miner's own: 98 % of it too).
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
    expect(paid!.carriedPaid).toBe(0);
    expect(paid!.credit).toBe(paid!.value); // paid directly: its credit, nothing held back
    expect(Math.abs(paid!.value - standing!.expectedSats)).toBeLessThanOrEqual(1);
    const block = (await get(edge, '/api/blocks?limit=1000')).body.blocks.find((b: { hash: string }) => b.hash === paid!.blockHash);
    expect(block.reward).toBe(standing!.blockRewardSats);
    const after = await get(edge, '/api/pool/stats');
    expect(after.body.blocksFound).toBeGreaterThanOrEqual(1);
    expect(after.body.hashrate.m10).toBeGreaterThan(0);
  }, 90_000);
});
