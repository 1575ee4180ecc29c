/**
 * Hostile: floods of control messages and a pinned difficulty (issue 9, items 4 and 5). Before
 * the fix 500,000 distinct mining.authorize lines on one connection were all accepted (+170 MB),
 * a 2,000/s mining.suggest_difficulty flood was never banned, and re-sending
 * suggest_difficulty 0.0001 after every vardiff raise gave 56x the target share rate. Now a
 * connection holds at most stratum.maxWorkersPerConnection workers, control messages are rate
 * limited and a flood ends in a ban, and only the first suggestion (at the start) is honoured.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { findShare, notifyToJob, type Msg } from '../stratum-harness.ts';
import { USER, login, memoryMiB, submitLine, tracked } from './hostile-edge.ts';

const { edge, client } = tracked(afterEach);

describe('hostile: control-message floods', () => {
  it('an authorize flood of distinct workers is capped, answered with errors and banned; memory stays flat', async () => {
    const e = await edge();
    const honest = await client(e.stratumPort, '127.0.0.1');
    await login(honest);
    const attacker = await client(e.stratumPort, '127.0.0.2');
    attacker.send({ id: 1, method: 'mining.subscribe', params: ['flood'] });
    await attacker.reply();
    const before = memoryMiB();
    const n = 20_000;
    const lines: string[] = [];
    for (let i = 0; i < n; i++) lines.push(JSON.stringify({ id: 10 + i, method: 'mining.authorize', params: [`${USER.split('.')[0]}.w${i}`, ''] }));
    attacker.socket.write(lines.join('\n') + '\n');
    await attacker.closedPromise;
    const answers = attacker.received.filter((m) => m.id >= 10);
    const granted = answers.filter((m) => m.result === true).length;
    expect(granted).toBe(e.config.stratum.maxWorkersPerConnection);
    expect(answers.length).toBeLessThan(n); // cut off long before the end of the flood
    expect(answers.some((m) => /too many workers on one connection/.test(m.error?.[1] ?? ''))).toBe(true);
    expect(e.stats()).toMatchObject({ bans: 1, closedByReason: { banned: 1 } });
    expect(memoryMiB().heap - before.heap).toBeLessThan(50);
    // A banned IP is refused at once; the honest miner (another IP) is served.
    const again = await client(e.stratumPort, '127.0.0.2');
    await again.closedPromise;
    honest.send({ id: 5, method: 'mining.ping', params: [] });
    expect((await honest.until((m) => m.id === 5, 5000)).result).toBe('pong');
  });

  it('a suggest_difficulty flood is banned', async () => {
    const e = await edge();
    const attacker = await client(e.stratumPort, '127.0.0.2');
    await login(attacker);
    const lines = Array.from({ length: 2000 }, () => '{"id":3,"method":"mining.suggest_difficulty","params":[0.0001]}');
    attacker.socket.write(lines.join('\n') + '\n');
    await attacker.closedPromise;
    expect(e.stats().bans).toBe(1);
    expect(e.stats().rateLimited).toBeGreaterThan(0);
    const errors = attacker.received.filter((m) => m.id === 3 && m.error);
    expect(errors[0].error[1]).toMatch(/too many requests/);
  });
});

describe('hostile: pinning the difficulty low', () => {
  it('a suggestion after vardiff raised the difficulty is answered and ignored; shares at the old difficulty are low', async () => {
    const e = await edge((c) => {
      // A fast vardiff: retarget after a second of shares far above one per second.
      c.stratum.vardiff = { targetShareSeconds: 1, retargetSeconds: 1, hysteresis: 0.5, minDifficulty: 1e-7, maxDifficulty: 4e-6 };
    });
    const c = await client(e.stratumPort);
    const { en1 } = await login(c);
    // The start-up suggestion is honoured (as Bitaxe sends it right after authorize).
    c.send({ id: 3, method: 'mining.suggest_difficulty', params: [1e-7] });
    await c.until((m) => m.id === 3, 5000);
    expect(await c.next()).toEqual({ id: null, method: 'mining.set_difficulty', params: [1e-7] });
    let job = notifyToJob(await c.until((m) => m.method === 'mining.notify', 5000));
    // Shares far faster than the target: vardiff raises the difficulty.
    const raised: Msg[] = [];
    for (let i = 0; raised.length === 0; i++) {
      const en2 = i.toString(16).padStart(8, '0');
      const s = await findShare(job, en1, en2, 1e-7);
      c.sendLine(submitLine(job, en2, s.nonce, { id: 100 + i }));
      const seen: Msg[] = [];
      expect((await c.until((m) => m.id === 100 + i, 5000, seen)).result).toBe(true);
      raised.push(...[...seen, ...c.received].filter((m) => m.method === 'mining.set_difficulty'));
      if (i > 200) throw new Error('vardiff never raised the difficulty');
    }
    const high = raised.at(-1).params[0] as number;
    expect(high).toBeGreaterThan(1e-7);
    // set_difficulty is followed by the current job under a new id, at the new difficulty.
    job = notifyToJob(await c.until((m) => m.method === 'mining.notify' && m.params[8] === true, 5000));
    // Pin it back down: answered, ignored.
    c.send({ id: 4, method: 'mining.suggest_difficulty', params: [1e-7] });
    c.send({ id: 5, method: 'mining.ping', params: [] });
    const between: Msg[] = [];
    expect((await c.until((m) => m.id === 4, 5000)).result).toBe(true);
    await c.until((m) => m.id === 5, 5000, between);
    expect(between.filter((m) => m.method === 'mining.set_difficulty')).toEqual([]);
    // A share that meets only the pinned difficulty is low for the job in force.
    const low = await findShare(job, en1, 'ffff0000', 1e-7, { below: high });
    c.sendLine(submitLine(job, 'ffff0000', low.nonce, { id: 6 }));
    expect((await c.until((m) => m.id === 6, 5000)).error[0]).toBe(23);
  });
});
