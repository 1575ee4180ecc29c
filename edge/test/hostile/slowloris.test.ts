/**
 * Hostile: connections that hold a slot without working (issue 9, item 3). Before the fix any
 * byte reset the idle timer, so a client sending one byte a second, or a bare newline every few
 * seconds, was never timed out. Now a started line must end within stratum.lineTimeoutSeconds,
 * a connection must log in within loginTimeoutSeconds, and an authorized one must do useful
 * work (an accepted or stale share) every idleTimeoutSeconds. An honest miner beside them mines
 * on. The deadlines are shortened here; the defaults are 10 s, 60 s and 600 s.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { TEST_DIFFICULTY, findShare } from '../stratum-harness.ts';
import { login, submitLine, tracked, until } from './hostile-edge.ts';

const { edge, client } = tracked(afterEach);

describe('hostile: slowloris and idle holders', () => {
  it('one byte at a time, bare newlines, and pings without shares are all closed; an honest miner is not', async () => {
    const e = await edge((c) => {
      c.stratum.lineTimeoutSeconds = 1;
      c.stratum.loginTimeoutSeconds = 2;
      c.stratum.idleTimeoutSeconds = 3;
    });
    const honest = await client(e.stratumPort, '127.0.0.1');
    const { en1, job } = await login(honest);

    const slow = await client(e.stratumPort, '127.0.0.2'); // a line that never ends
    const blank = await client(e.stratumPort, '127.0.0.3'); // bare newlines, never logs in
    const idle = await client(e.stratumPort, '127.0.0.4'); // logs in, then pings and newlines only
    await login(idle);
    const line = '{"id":1,"method":"mining.subscribe","params":["slow"]}';
    let i = 0;
    let shares = 0;
    const drip = setInterval(() => {
      if (!slow.closed) slow.socket.write(line[i++ % line.length]!);
      if (!blank.closed) blank.socket.write('\n');
      if (!idle.closed) idle.socket.write(i % 2 ? '\n' : '{"id":7,"method":"mining.ping","params":[]}\n');
    }, 100);
    try {
      // The honest miner submits a share every few hundred ms meanwhile.
      while (!(slow.closed && blank.closed && idle.closed)) {
        const en2 = (shares++).toString(16).padStart(8, '0');
        const s = await findShare(job, en1, en2, TEST_DIFFICULTY);
        honest.sendLine(submitLine(job, en2, s.nonce));
        expect(await honest.reply()).toEqual({ id: 4, result: true, error: null });
        await new Promise((r) => setTimeout(r, 300));
        if (shares > 100) throw new Error('the holders were not closed');
      }
    } finally {
      clearInterval(drip);
    }
    await until(() => e.stats().connections === 1, 5000, 'only the honest miner to be left');
    expect(e.stats().closedByReason).toMatchObject({ 'line-timeout': 1, 'login-timeout': 1, idle: 1 });
    expect(honest.closed).toBe(false);
  });
});
