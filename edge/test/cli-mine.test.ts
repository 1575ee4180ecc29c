/**
 * `otedama mine` end to end: the real binary against a minimal in-test Stratum pool. Shares
 * must arrive and verify (rebuilt and hashed with core), clean jobs and set_difficulty must be
 * honoured, client.reconnect must resume the session, malformed pool lines must be shrugged
 * off, and the control endpoint must pause, resume and stop the miner.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { difficultyToTarget } from '@otedama/core';
import { callMinerControl } from '../src/miner/control-client.ts';
import { runOtedama, startOtedama } from './cli-run.ts';
import { MiniStratumPool } from './mini-stratum-pool.ts';
import { REGTEST_ADDRESS, startTestPool } from './stratum-harness.ts';

const cleanup: (() => Promise<unknown> | unknown)[] = [];
afterEach(async () => {
  while (cleanup.length) await cleanup.pop()!();
});

interface StatusJson {
  state: string;
  paused: boolean;
  hashrate: { total: number; devices: { name: string; hashes: number }[] };
  shares: { accepted: number; rejected: number; invalid: number };
  pool: { state: string; user: string };
}

describe('otedama mine', () => {
  it('mines valid shares on a Stratum pool and obeys the control endpoint', async () => {
    const pool = new MiniStratumPool({
      difficulty: 0.0002,
      junkAfterSubscribe: ['not json at all', '{"id":null,"method":"mining.notify","params":["x"]}', '{"id":null,"method":"mining.set_difficulty","params":[-1]}'],
    });
    await pool.start();
    cleanup.push(() => pool.stop());

    const miner = startOtedama(
      ['mine', '--wallet', 'bcrt1qtestaddress', '--worker', 'rig1', '--threads', '1', '--pool', pool.url, '--control-port', '0', '--stats-interval', '1s'],
      { OTEDAMA_LOG_LEVEL: 'info' },
    );
    cleanup.push(() => miner.child.kill('SIGKILL'));

    // The control port (0 = any free port) is in the log.
    const controlRe = /control endpoint listening url=http:\/\/127\.0\.0\.1:(\d+)/;
    await expect.poll(() => controlRe.test(miner.output().stderr), { timeout: 30_000 }).toBe(true);
    const port = Number(controlRe.exec(miner.output().stderr)![1]);

    // Shares arrive and verify.
    await expect.poll(() => pool.shares.filter((s) => s.valid).length, { timeout: 45_000, interval: 200 }).toBeGreaterThanOrEqual(2);
    const subscribe = pool.requests.find((r) => r.method === 'mining.subscribe')!;
    expect(subscribe.params).toEqual(['otedama/0.1.0']);
    expect(pool.requests.find((r) => r.method === 'mining.authorize')!.params).toEqual(['bcrt1qtestaddress.rig1', 'x']);
    const share = pool.shares[0]!;
    expect(share.params).toHaveLength(5);
    expect(share.params[0]).toBe('bcrt1qtestaddress.rig1');
    expect(share.params[2]).toMatch(/^[0-9a-f]{8}$/);
    expect(share.params[3]).toBe(pool.job.ntime);
    expect(share.params[4]).toMatch(/^[0-9a-f]{8}$/);

    // set_difficulty applies from the next notify; clean_jobs restarts on the new job.
    pool.setDifficulty(0.0003);
    const job2 = pool.newJob(true);
    await expect.poll(() => pool.shares.filter((s) => s.valid && s.jobId === job2.jobId).length, { timeout: 45_000, interval: 200 }).toBeGreaterThanOrEqual(1);
    expect(difficultyToTarget(job2.difficulty)).toBe(difficultyToTarget(0.0003));

    // client.reconnect: the miner comes back with its session id.
    pool.broadcast({ id: null, method: 'client.reconnect', params: [] });
    await expect.poll(() => pool.requests.filter((r) => r.method === 'mining.subscribe').length, { timeout: 15_000 }).toBe(2);
    expect(pool.requests.filter((r) => r.method === 'mining.subscribe')[1]!.params).toEqual(['otedama/0.1.0', 'sess0001']);
    await expect.poll(() => pool.shares.filter((s) => s.valid && s.connection === 2).length, { timeout: 45_000, interval: 200 }).toBeGreaterThanOrEqual(1);
    // Every share it sent verifies.
    expect(pool.shares.filter((s) => !s.valid && s.reason !== 'Job not found')).toEqual([]);

    // mining status (JSON) through the binary.
    const st = await runOtedama(['mining', 'status', '--control-port', String(port), '--json']);
    expect(st.code).toBe(0);
    const status = JSON.parse(st.stdout) as StatusJson;
    expect(status).toMatchObject({ state: 'mining', paused: false, pool: { state: 'ready', user: 'bcrt1qtestaddress.rig1' } });
    expect(status.shares.accepted).toBeGreaterThanOrEqual(3);
    expect(status.shares.invalid).toBe(0);

    // mining stop pauses: the hash counter stops moving, the pool connection stays.
    const stop = await runOtedama(['mining', 'stop', '--control-port', String(port)]);
    expect(stop.code).toBe(0);
    expect(stop.stdout).toMatch(/paused/);
    const hashes = async () => ((await callMinerControl(port, 'status')) as StatusJson).hashrate.devices[0]!.hashes;
    let previous = -1;
    await expect
      .poll(
        async () => {
          const h = await hashes();
          const still = h === previous;
          previous = h;
          return still;
        },
        { timeout: 20_000, interval: 300 },
      )
      .toBe(true);
    const human = await runOtedama(['mining', 'status', '--control-port', String(port)]);
    expect(human.stdout).toMatch(/state:\s+paused/);
    expect(pool.sockets.size).toBe(1);

    // mining start resumes.
    const start = await runOtedama(['mining', 'start', '--control-port', String(port)]);
    expect(start.code).toBe(0);
    const pausedAt = previous;
    await expect.poll(hashes, { timeout: 20_000, interval: 300 }).toBeGreaterThan(pausedAt);

    // mining stop --exit ends the process gracefully.
    const exit = await runOtedama(['mining', 'stop', '--exit', '--control-port', String(port)]);
    expect(exit.code).toBe(0);
    const done = await miner.exited;
    expect(done.code).toBe(0);
    expect(done.stdout).toMatch(/stopped: \d+ accepted/);
    expect(done.stderr).toMatch(/ignored a malformed line from the pool/);
  });

  it('ends on SIGTERM with a summary', async () => {
    const pool = new MiniStratumPool();
    await pool.start();
    cleanup.push(() => pool.stop());
    const miner = startOtedama(['mine', '--wallet', 'bcrt1qtestaddress', '--threads', '1', '--pool', pool.url, '--control-port', '0']);
    cleanup.push(() => miner.child.kill('SIGKILL'));
    await expect.poll(() => pool.requests.some((r) => r.method === 'mining.authorize'), { timeout: 30_000 }).toBe(true);
    miner.child.kill('SIGTERM');
    const done = await miner.exited;
    expect(done.code).toBe(0);
    expect(done.stdout).toMatch(/stopped:/);
  });

  it('exits 1 with one line when the pool refuses the worker', async () => {
    const pool = new MiniStratumPool({ refuseAuthorize: 'unknown payout address' });
    await pool.start();
    cleanup.push(() => pool.stop());
    const r = await runOtedama(['mine', '--wallet', 'nonsense', '--threads', '1', '--pool', pool.url, '--control-port', '0'], { timeoutMs: 60_000 });
    expect(r.code).toBe(1);
    expect(r.stderr.trim().split('\n').at(-1)).toBe('otedama mine: error: pool refused authorization of "nonsense.' + r.stderr.match(/"nonsense\.([^"]+)"/)![1] + '": unknown payout address');
  });

  it("mines shares the edge's own Stratum server accepts", async () => {
    const edge = await startTestPool({
      initialDifficulty: 0.0002,
      vardiff: { targetShareSeconds: 1, retargetSeconds: 600, hysteresis: 0.5, minDifficulty: 0.0001, maxDifficulty: 0.001 },
    });
    cleanup.push(() => edge.stop());
    const miner = startOtedama(['mine', '--wallet', REGTEST_ADDRESS, '--worker', 'e2e', '--threads', '1', '--pool', `stratum+tcp://127.0.0.1:${edge.port}`, '--control-port', '0']);
    cleanup.push(() => miner.child.kill('SIGKILL'));
    await expect.poll(() => edge.service.stats().sharesAccepted, { timeout: 45_000, interval: 250 }).toBeGreaterThanOrEqual(2);
    expect(edge.service.stats().sharesRejected).toBe(0);
    miner.child.kill('SIGINT');
    expect((await miner.exited).code).toBe(0);
  });
});
