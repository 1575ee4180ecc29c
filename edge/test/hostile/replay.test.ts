/**
 * Hostile: one share, one credit (issue 9, item 1). A miner replays each share under every job
 * id of one template (the base job and its refreshes), and submits under job ids its connection
 * was never sent, fresh and after resuming a session. Before the fix 3 shares were credited 9
 * times and foreign job ids were accepted; the edge must credit each header once, store it once,
 * and take only job ids the session was sent.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { TEST_DIFFICULTY, findShare, notifyToJob, type NotifyJob } from '../stratum-harness.ts';
import { USER, login, submitLine, tracked, until } from './hostile-edge.ts';

const { edge, client } = tracked(afterEach);

describe('hostile: replayed shares', () => {
  it('3 shares replayed under the 3 job ids of one template are credited 3 times, not 9', async () => {
    const e = await edge((c) => {
      c.stratum.jobRefreshSeconds = 1; // a refresh (same template, new id, later ntime) every second
    });
    const c = await client(e.stratumPort);
    const { en1, job: first } = await login(c);
    // Two refreshes of the same template: new ids, later ntimes, same everything else.
    const jobs: NotifyJob[] = [first];
    while (jobs.length < 3) {
      const next = notifyToJob(await c.until((m) => m.method === 'mining.notify', 5000));
      expect(next.fields.prevhash).toBe(first.fields.prevhash);
      expect(next.fields.coinb2).toBe(first.fields.coinb2);
      jobs.push(next);
    }
    expect(new Set(jobs.map((j) => j.jobId)).size).toBe(3);
    const last = jobs[2]!;
    // An ntime valid for every id (>= each job's ntime) makes one header per share, whatever the id.
    const verdicts: string[] = [];
    for (let i = 0; i < 3; i++) {
      const en2 = `0${i}000000`;
      const share = await findShare(last, en1, en2, TEST_DIFFICULTY);
      for (const job of jobs) {
        c.sendLine(submitLine(job, en2, share.nonce, { ntime: last.fields.ntime }));
        const r = await c.reply();
        verdicts.push(r.result === true ? 'accepted' : r.error[1]);
      }
    }
    expect(verdicts).toEqual(['accepted', 'Duplicate share', 'Duplicate share', 'accepted', 'Duplicate share', 'Duplicate share', 'accepted', 'Duplicate share', 'Duplicate share']);
    expect(e.stats().sharesAccepted).toBe(3);
    const miner = await e.get(`/api/miners/${USER.split('.')[0]}`);
    expect(miner.shares).toBe(3);
    expect((await e.get('/api/pool/stats')).sharesTotal).toBe(3);
  });

  it('a connection submits only job ids it was sent; a resumed session only those its old connection was sent', async () => {
    const e = await edge((c) => {
      c.stratum.jobRefreshSeconds = 1;
    });
    // c1 gets the base job A (and later refreshes).
    const c1 = await client(e.stratumPort);
    const one = await login(c1);
    const a = one.job;
    // A refresh later, c2 connects: it was sent only the newer job, never A.
    await c1.until((m) => m.method === 'mining.notify', 5000);
    const c2 = await client(e.stratumPort);
    c2.send({ id: 1, method: 'mining.subscribe', params: ['hostile/1.0'] });
    const en2c2 = (await c2.reply()).result[1] as string;
    c2.send({ id: 2, method: 'mining.authorize', params: [USER, ''] });
    expect((await c2.reply()).result).toBe(true);
    // c2's own per-connection variant: a suggestion right after authorize changes its difficulty.
    c2.send({ id: 3, method: 'mining.suggest_difficulty', params: [2e-6] });
    await c2.until((m) => m.id === 3, 5000);
    // Answered, then set_difficulty and the current job under a new id with clean_jobs.
    const variant = notifyToJob(await c2.until((m) => m.method === 'mining.notify' && m.params[8] === true, 5000));
    expect(variant.jobId).not.toBe(a.jobId);

    // c2 replays work on A, a job it was never sent (the ids are not secret: every miner saw A).
    const onA = await findShare(a, en2c2, '00000000', TEST_DIFFICULTY);
    c2.sendLine(submitLine(a, '00000000', onA.nonce, { id: 10 }));
    expect((await c2.until((m) => m.id === 10, 5000)).error).toEqual([21, 'Job not found', null]);

    // c1 goes away and c3 resumes its session: A (c1's) is valid, c2's variant is not.
    c1.close();
    await until(() => e.stats().connections === 1, 5000, 'c1 to be gone');
    const c3 = await client(e.stratumPort);
    const three = await login(c3, { sessionId: one.en1 });
    expect(three.en1).toBe(one.en1);
    const resumed = await findShare(a, one.en1, '01000000', TEST_DIFFICULTY);
    c3.sendLine(submitLine(a, '01000000', resumed.nonce, { id: 11 }));
    expect(await c3.until((m) => m.id === 11, 5000)).toEqual({ id: 11, result: true, error: null });
    const foreign = await findShare(variant, one.en1, '02000000', TEST_DIFFICULTY);
    c3.sendLine(submitLine(variant, '02000000', foreign.nonce, { id: 12 }));
    expect((await c3.until((m) => m.id === 12, 5000)).error).toEqual([21, 'Job not found', null]);
    expect(e.stats().sharesAccepted).toBe(1);
  });
});
