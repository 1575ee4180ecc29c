/**
 * Hostile (to the pool's own miners): late shares after a block (issue 9, item 6). An honest
 * miner whose difficulty changed got the current job under a per-connection id; a block arrives
 * and its in-flight shares for that id and the older ones land late. Before the fix they were
 * "job not found" (2 ban points each) and the miner was banned 15 s after a block; now every job
 * the connection was sent answers "stale" (0 points) and the miner keeps mining.
 */
import { parseBlockTemplate } from '@otedama/core';
import { afterEach, describe, expect, it } from 'vitest';
import { mineTemplate } from '../chain-helpers.ts';
import { TEST_DIFFICULTY, notifyToJob, type NotifyJob } from '../stratum-harness.ts';
import { login, submitLine, tracked } from './hostile-edge.ts';

const { edge, client } = tracked(afterEach);

/** Late shares per job id: 2 jobs x 40 = 80 submits, 160 ban points at the old 2 per share. */
const LATE_PER_JOB = 40;

describe('hostile: late shares after a block', () => {
  it('shares for every job the connection was sent, its variant included, answer stale after a new block; no ban', async () => {
    // Blocks cheap enough for this test to mine one (about 1 s with the reference engine).
    const e = await edge((c) => {
      c.chain.simnet.blockDifficulty = 2e-4;
    });
    const c = await client(e.stratumPort);
    const { job: base } = await login(c);
    // A difficulty change (the start-up suggestion) sends the current job under a new id.
    c.send({ id: 3, method: 'mining.suggest_difficulty', params: [TEST_DIFFICULTY * 2] });
    await c.until((m) => m.id === 3, 5000);
    const variant = notifyToJob(await c.until((m) => m.method === 'mining.notify' && m.params[8] === true, 5000));
    expect(variant.jobId).not.toBe(base.jobId);

    // Someone finds a block: simnet moves on and the edge sends a clean job.
    const rpc = e.rpc();
    const template = parseBlockTemplate(await rpc.call('getblocktemplate', [{ rules: ['segwit'] }]));
    const block = await mineTemplate(template);
    expect(await rpc.call('submitblock', [block.hex])).toBeNull();
    await c.until((m) => m.method === 'mining.notify' && m.params[8] === true && m.params[1] !== base.fields.prevhash, 10_000);

    // The miner's in-flight work lands late, on both ids.
    const late: NotifyJob[] = [base, variant];
    const lines: string[] = [];
    let id = 100;
    for (const job of late) for (let i = 0; i < LATE_PER_JOB; i++) lines.push(submitLine(job, i.toString(16).padStart(8, '0'), '00000000', { id: id++ }));
    c.socket.write(lines.join('\n') + '\n');
    const replies = [];
    for (let i = 0; i < lines.length; i++) replies.push(await c.until((m) => m.id >= 100, 5000));
    expect(replies.every((r) => r.error?.[0] === 21 && /^Stale share/.test(r.error[1]))).toBe(true);
    expect(c.closed).toBe(false);
    expect(e.stats()).toMatchObject({ bans: 0, rejectedByReason: { stale: 2 * LATE_PER_JOB } });
    // Still served.
    c.send({ id: 9, method: 'mining.ping', params: [] });
    expect((await c.until((m) => m.id === 9, 5000)).result).toBe('pong');
  });
});
