/**
 * `otedama mine --algo kawpow` end to end: the real binary mining on a real KawPow Stratum pool
 * (core's codec and validator with the WASM light evaluation) whose jobs come from a Ravencoin
 * simnet: shares are accepted, a share that meets the simnet's block target becomes a block the
 * simnet accepts (so the header hash, nonce and mix hash are right all the way to a node), the
 * miner follows the new block's clean job, and `otedama mining status` shows the KawPow job.
 * Bad flags are one line and exit 2. The pool is a test helper; the real `otedama pool` serving
 * the real miner is pool-kawpow.test.ts.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { callMinerControl } from '../src/miner/control-client.ts';
import { runOtedama, startOtedama } from './cli-run.ts';
import { RVN_PAYOUT_ADDRESS, RVN_PAYOUT_SCRIPT, startRavencoinTestChain, TEST_KAWPOW_DATA_DIR, useTestKawpowLight } from './kawpow-helpers.ts';
import { KawpowStratumPool } from './kawpow-stratum-pool.ts';

/** Shares: about one light hash in 32. Blocks: about one in 256 (a few per minute on one busy thread). */
const SHARE_DIFFICULTY = 2 ** -27;
const BLOCK_DIFFICULTY = 2 ** -24;

const light = useTestKawpowLight(1);

const cleanup: (() => Promise<unknown> | unknown)[] = [];
afterEach(async () => {
  while (cleanup.length) await cleanup.pop()!();
});

interface StatusJson {
  state: string;
  job: { id: string; height: number; epoch: number; difficulty: number } | null;
  hashrate: { devices: { name: string; kind: string; hashes: number }[] };
  shares: { accepted: number; rejected: number; invalid: number; blocks: number };
  pool: { state: string; extranonce1: string };
}

describe('otedama mine --algo kawpow', () => {
  it('mines shares and Ravencoin simnet blocks through a KawPow Stratum pool, and follows the new blocks', async () => {
    const { source } = await startRavencoinTestChain(light(), BLOCK_DIFFICULTY, cleanup);
    const pool = new KawpowStratumPool({ lightMix: light().mix, difficulty: SHARE_DIFFICULTY, chain: { source, payoutScript: RVN_PAYOUT_SCRIPT } });
    await pool.start();
    cleanup.push(() => pool.stop());
    const startHeight = source.current()!.height;

    const miner = startOtedama(
      ['mine', '--algo', 'kawpow', '--wallet', RVN_PAYOUT_ADDRESS, '--worker', 'rig1', '--threads', '1', '--pool', pool.url, '--control-port', '0', '--stats-interval', '1s', '--data-dir', TEST_KAWPOW_DATA_DIR],
      { OTEDAMA_LOG_LEVEL: 'info' },
    );
    cleanup.push(() => miner.child.kill('SIGKILL'));
    const controlRe = /control endpoint listening url=http:\/\/127\.0\.0\.1:(\d+)/;
    await expect.poll(() => controlRe.test(miner.output().stderr), { timeout: 60_000 }).toBe(true);
    const port = Number(controlRe.exec(miner.output().stderr)![1]);

    // Shares, then a block the simnet takes, then shares on the next block's job.
    await expect.poll(() => pool.shares.filter((s) => s.verdict.ok).length, { timeout: 90_000, interval: 250 }).toBeGreaterThanOrEqual(2);
    await expect.poll(() => pool.blocks.filter((b) => b.accepted).length, { timeout: 120_000, interval: 250 }).toBeGreaterThanOrEqual(1);
    await expect.poll(() => source.current()!.height, { timeout: 30_000 }).toBeGreaterThan(startHeight);
    const next = pool.job;
    await expect
      .poll(() => pool.shares.filter((s) => s.verdict.ok && s.verdict.job.height === next.height).length, { timeout: 120_000, interval: 250 })
      .toBeGreaterThanOrEqual(1);
    expect(pool.shares.filter((s) => !s.verdict.ok && s.verdict.reason !== 'stale' && s.verdict.reason !== 'job-not-found')).toEqual([]);
    expect(pool.requests.find((r) => r.method === 'mining.subscribe')!.params).toEqual(['otedama/0.1.0']);
    expect(pool.requests.find((r) => r.method === 'mining.authorize')!.params).toEqual([`${RVN_PAYOUT_ADDRESS}.rig1`, 'x']);
    expect(pool.shares[0]!.params[2]).toMatch(/^0x8001[0-9a-f]{12}$/);

    const status = (await callMinerControl(port, 'status')) as StatusJson;
    expect(status).toMatchObject({ state: 'mining', pool: { state: 'ready', extranonce1: '8001' }, job: { epoch: 0 } });
    expect(status.shares.accepted).toBeGreaterThanOrEqual(2);
    expect(status.shares.invalid).toBe(0);
    expect(status.shares.blocks).toBeGreaterThanOrEqual(1);
    const human = await runOtedama(['mining', 'status', '--control-port', String(port)]);
    expect(human.stdout).toMatch(/job:\s+\S+ at difficulty .*, height \d+ \(epoch 0\)/);
    expect(human.stdout).toMatch(/cpu .* wasm(-simd)? light evaluation, 1 thread/);

    const exit = await runOtedama(['mining', 'stop', '--exit', '--control-port', String(port)]);
    expect(exit.code).toBe(0);
    const done = await miner.exited;
    expect(done.code).toBe(0);
    expect(done.stdout).toMatch(/stopped: \d+ accepted/);
    expect(done.stderr).toMatch(/KawPow on the CPU hashes by light evaluation/);
    expect(done.stderr).toMatch(/found a block candidate/);
  }, 300_000);

  it.each([
    [['--version-rolling'], /--version-rolling is SHA-256d's \(BIP310\)/],
    [['--cpu-engine', 'js'], /--cpu-engine js: KawPow has no JS engine/],
    [['--threads', '0'], /--threads 0 needs --gpu/],
  ])('refuses %j with one line and exit 2', async (extra, why) => {
    const r = await runOtedama(['mine', '--algo', 'kawpow', '--wallet', RVN_PAYOUT_ADDRESS, '--pool', 'stratum+tcp://127.0.0.1:1', '--control-port', '0', ...extra]);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(why);
  });

  it('names the algorithms it mines for one it does not know', async () => {
    const r = await runOtedama(['mine', '--algo', 'equihash', '--wallet', RVN_PAYOUT_ADDRESS, '--control-port', '0']);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/equihash/);
  });
});
