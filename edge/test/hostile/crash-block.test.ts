/**
 * Hostile (to the pool's books): a crash between the chain accepting a block and the edge
 * recording it (issue 9, item 7). Before the fix a SIGKILL in those ~6 ms left the chain with a
 * block the pool never recorded, and its payouts were missing from the API for good. The real
 * `otedama pool` runs here with the test-only fault OTEDAMA_TEST_FAULT=exit-after-submitblock
 * (it SIGKILLs itself right after simnet accepted a found block); restarted on the same data
 * folder, it must reconcile its books with the chain and show the block and its payouts.
 * With skip-block-write-ahead as well, nothing was written ahead: the block must be found in the
 * chain by its coinbase (tag and outputs).
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { bitsToTarget, targetToDifficulty } from '@otedama/core';
import { afterEach, describe, expect, it } from 'vitest';
import { RpcClient } from '../../src/chain/rpc-client.ts';
import { UNKNOWN_FINDER } from '../../src/accounting/block-reconciler.ts';
import { silentLogger } from '../../src/logger.ts';
import { startEdgeProcess, type EdgeProcess } from '../edge-process.ts';
import { LineClient, TEST_DIFFICULTY, findShare } from '../stratum-harness.ts';
import { USER, login, submitLine } from './hostile-edge.ts';

/** Simnet block difficulty here: a block is ~43,000 hashes, a fraction of a second for the reference engine. */
const BLOCK_DIFFICULTY = 1e-5;
const REWARD_SATS = 50 * 100_000_000;

const dirs: string[] = [];
const edges: EdgeProcess[] = [];
afterEach(async () => {
  for (const e of edges.splice(0)) await e.stop();
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

/** A config file with test share difficulties (the default 0.001 is a CPU's, too slow for the reference engine). */
function testConfig(dir: string): string {
  const path = join(dir, 'config.yaml');
  writeFileSync(path, `stratum:\n  initial_difficulty: ${TEST_DIFFICULTY}\n  vardiff:\n    min_difficulty: 0.0000001\n`);
  return path;
}

async function start(dataDir: string, config: string, fault?: string): Promise<EdgeProcess> {
  const e = await startEdgeProcess(['--config', config, '--block-difficulty', String(BLOCK_DIFFICULTY)], { dataDir, env: fault ? { OTEDAMA_TEST_FAULT: fault } : {} });
  edges.push(e);
  return e;
}

/** Logs in, finds a share meeting the block target and submits it. */
async function mineBlock(e: EdgeProcess): Promise<void> {
  const c = await LineClient.connect(e.stratumPort);
  try {
    const { en1, job } = await login(c);
    const blockDifficulty = targetToDifficulty(bitsToTarget(parseInt(job.fields.nbits, 16)));
    const s = await findShare(job, en1, '00000000', Math.max(blockDifficulty, TEST_DIFFICULTY) * 1.001);
    c.sendLine(submitLine(job, '00000000', s.nonce));
    await c.closedPromise; // the edge dies
  } finally {
    c.close();
  }
}

async function chainTip(e: EdgeProcess): Promise<{ height: number; hash: string }> {
  const rpc = new RpcClient({ url: e.rpcUrl, cookieFile: join(e.dataDir, 'simnet', '.cookie'), logger: silentLogger, retries: 0 });
  try {
    return { height: await rpc.call<number>('getblockcount'), hash: await rpc.call<string>('getbestblockhash') };
  } finally {
    rpc.close();
  }
}

async function get<T = any>(e: EdgeProcess, path: string): Promise<T> { // eslint-disable-line @typescript-eslint/no-explicit-any
  const res = await fetch(e.url + path);
  if (!res.ok) throw new Error(`${path}: HTTP ${res.status}`);
  return (await res.json()) as T;
}

describe('hostile: SIGKILL between block acceptance and recording', () => {
  it('after each crash the restarted edge shows the block and its payouts: from the write-ahead log, else from the chain', async () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'otedama-crash-block-'));
    dirs.push(dataDir);
    const configDir = mkdtempSync(join(tmpdir(), 'otedama-crash-config-'));
    dirs.push(configDir);
    const config = testConfig(configDir);

    // Crash 1: the block was written ahead before it was submitted.
    const first = await start(dataDir, config, 'exit-after-submitblock');
    await mineBlock(first);
    expect(await first.exited).toEqual({ code: null, signal: 'SIGKILL' });
    expect(first.output()).toMatch(/test fault: SIGKILL after the node accepted the block/);

    // Restart: the books catch up from the write-ahead log (exactly: finder, credits, balances).
    // This edge crashes the same way on the next block, which it does not write ahead.
    const second = await start(dataDir, config, 'exit-after-submitblock,skip-block-write-ahead');
    const tip1 = await chainTip(second);
    expect(tip1.height).toBe(1); // simnet kept the block (it fsyncs before answering)
    expect(second.output()).toMatch(/recorded a found block the chain accepted while the edge was down \(from the write-ahead log\)/);
    const one = (await get<{ blocks: Block[] }>(second, '/api/blocks')).blocks;
    expect(one.map((b) => [b.hash, b.height, b.status, b.finder, b.reward])).toEqual([[tip1.hash, 1, 'confirmed', USER.split('.')[0], REWARD_SATS]]);
    expect(await paidBy(second, tip1.hash)).toBe(REWARD_SATS);

    // Crash 2: no write-ahead record at all.
    await mineBlock(second);
    expect((await second.exited).signal).toBe('SIGKILL');

    // Restart: the chain scan finds the pool's block by its coinbase (tag and outputs).
    const third = await start(dataDir, config);
    const tip2 = await chainTip(third);
    expect(tip2.height).toBe(2);
    expect(third.output()).toMatch(/recorded a block of the pool found in the chain without a record/);
    const two = (await get<{ blocks: Block[] }>(third, '/api/blocks')).blocks;
    expect(two.map((b) => [b.hash, b.height, b.status])).toEqual([[tip2.hash, 2, 'confirmed'], [tip1.hash, 1, 'confirmed']]);
    expect(two[0]!.finder).toBe(UNKNOWN_FINDER);
    expect(await paidBy(third, tip2.hash)).toBe(REWARD_SATS);
    expect((await get(third, '/api/pool/stats')).blocksFound).toBe(2);
  });
});

interface Block {
  hash: string;
  height: number;
  status: string;
  finder: string;
  reward: number;
}

/** What the API says a block paid, over all its payouts. */
async function paidBy(e: EdgeProcess, blockHash: string): Promise<number> {
  const { payouts } = await get<{ payouts: { blockHash: string; value: number }[] }>(e, '/api/pool/payouts');
  return payouts.filter((p) => p.blockHash === blockHash).reduce((a, p) => a + p.value, 0);
}
