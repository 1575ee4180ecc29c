/**
 * `otedama pool` on a Ravencoin simnet (chain.coin: ravencoin) with `otedama mine --algo kawpow`
 * on its Stratum port, both real binaries: the edge speaks the KawPow dialect, the miner's shares
 * are accepted (light evaluation in the edge), a share at the block target becomes a simnet block
 * recorded by the edge (/api/blocks), and its sharechain is KawPow's (its own pool id).
 */
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { cpSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { LIGHT_CACHE_DIR } from '../src/chain/light-cache-store.ts';
import { callMinerControl } from '../src/miner/control-client.ts';
import { startOtedama } from './cli-run.ts';
import { startEdgeProcess } from './edge-process.ts';
import { ravencoinPoolConfig } from './ravencoin-pool-config.ts';
import { RVN_PAYOUT_ADDRESS, testKawpowLight, TEST_KAWPOW_DATA_DIR, TEST_LIGHT_CACHE_DIR } from './kawpow-helpers.ts';

/** Shares: about one light hash in 32 (KawPow pool difficulty 2^-27). */
const SHARE_DIFFICULTY = 2 ** -27;
/** Blocks: about one light hash in 256 (a few a minute on one busy thread). */
const BLOCK_DIFFICULTY = 2 ** -24;

beforeAll(async () => {
  // Epoch 0's light cache on disk, so the edge loads it instead of building it.
  const light = await testKawpowLight();
  await light.prepare(1);
  light.dispose();
}, 120_000);

const cleanup: (() => Promise<unknown> | unknown)[] = [];
afterEach(async () => {
  while (cleanup.length) await cleanup.pop()!();
});

interface StatusJson {
  state: string;
  shares: { accepted: number; rejected: number; invalid: number; blocks: number };
  pool: { state: string; extranonce1: string };
}

describe('otedama pool on a Ravencoin simnet', () => {
  it('serves otedama mine --algo kawpow: shares accepted, a block found and recorded, a KawPow sharechain', async () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'otedama-rvn-pool-'));
    cleanup.push(() => rmSync(dataDir, { recursive: true, force: true }));
    cpSync(TEST_LIGHT_CACHE_DIR, join(dataDir, LIGHT_CACHE_DIR), { recursive: true });
    const configFile = join(dataDir, 'otedama.yaml');
    writeFileSync(configFile, ravencoinPoolConfig({ blockDifficulty: BLOCK_DIFFICULTY, shareDifficulty: SHARE_DIFFICULTY }));
    const edge = await startEdgeProcess(['--config', configFile], { dataDir });
    cleanup.push(() => edge.stop());

    const miner = startOtedama(
      ['mine', '--algo', 'kawpow', '--wallet', RVN_PAYOUT_ADDRESS, '--worker', 'rig1', '--threads', '1', '--pool', edge.stratumUrl, '--control-port', '0', '--stats-interval', '1s', '--data-dir', TEST_KAWPOW_DATA_DIR],
      { OTEDAMA_LOG_LEVEL: 'info' },
    );
    cleanup.push(() => miner.child.kill('SIGKILL'));
    const controlRe = /control endpoint listening url=http:\/\/127\.0\.0\.1:(\d+)/;
    await expect.poll(() => controlRe.test(miner.output().stderr), { timeout: 60_000 }).toBe(true);
    const port = Number(controlRe.exec(miner.output().stderr)![1]);
    const status = async () => (await callMinerControl(port, 'status')) as StatusJson;

    await expect.poll(async () => (await status()).shares.accepted, { timeout: 120_000, interval: 500 }).toBeGreaterThanOrEqual(2);
    await expect.poll(async () => (await status()).shares.blocks, { timeout: 180_000, interval: 500 }).toBeGreaterThanOrEqual(1);
    const s = await status();
    expect(s.pool.extranonce1).toMatch(/^[0-9a-f]{4}$/); // the edge's 2-byte nonce prefix
    expect(s.shares.invalid).toBe(0);

    // The edge recorded the block the simnet took, and its sharechain is a KawPow pool's.
    await expect
      .poll(async () => ((await (await fetch(`${edge.url}/api/blocks`)).json()) as { blocks?: unknown[] }).blocks?.length ?? 0, { timeout: 30_000, interval: 500 })
      .toBeGreaterThanOrEqual(1);
    // The block was a share of the sharechain too: a chain of 120-byte KawPow headers, each verified by light evaluation.
    const chain = (await (await fetch(`${edge.url}/api/sharechain`)).json()) as { tip: { height: number } | null; serving: boolean };
    expect(chain.tip).not.toBeNull();
    expect(chain.serving).toBe(true);
  }, 300_000);
});
