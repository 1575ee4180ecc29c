/**
 * The Stratum server over real TCP on 127.0.0.1, replaying what minerd 2.5.1, cpuminer-opt 26.1
 * and Bitaxe firmware send (shared/reference/stratum-clients.md). Every accepted share here was
 * found by core's reference SHA-256d engine.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { bytesToHex, parseBlock, reverseBytes, headerHash } from '@otedama/core';
import {
  LineClient,
  MAINNET_ADDRESS,
  REGTEST_ADDRESS,
  TEST_DIFFICULTY,
  findMiss,
  findShare,
  makeTemplate,
  minerdLine,
  notifyToJob,
  startTestPool,
  waitFor,
  type Msg,
  type NotifyJob,
  type TestPool,
  trackedPools,
} from '../../test/stratum-harness.ts';
import type { FoundBlock } from './job-manager.ts';
import type { ShareEvent } from './stratum-session.ts';

const USER = `${REGTEST_ADDRESS}.w1`;
const { pool, client } = trackedPools(afterEach);

/** subscribe + authorize the minerd way; returns extranonce1 and the first job. */
async function minerdLogin(c: LineClient, ua = 'cpuminer/2.5.1', sessionId?: string): Promise<{ en1: string; job: NotifyJob; difficulty: number }> {
  c.sendLine(minerdLine({ id: 1, method: 'mining.subscribe', params: sessionId ? [ua, sessionId] : [ua] }));
  const sub = await c.next();
  expect(sub.id).toBe(1);
  c.sendLine(minerdLine({ id: 2, method: 'mining.authorize', params: [USER, ''] }));
  expect(await c.next()).toEqual({ id: 2, result: true, error: null });
  const sd = await c.next();
  expect(sd.method).toBe('mining.set_difficulty');
  const nt = await c.next();
  expect(nt.method).toBe('mining.notify');
  return { en1: sub.result[1], job: notifyToJob(nt), difficulty: sd.params[0] };
}

function submitLine(job: NotifyJob, en2: string, nonce: string, extra: { versionBits?: string; ntime?: string; user?: string; id?: number } = {}): string {
  const params = [extra.user ?? USER, job.jobId, en2, extra.ntime ?? job.fields.ntime, nonce];
  if (extra.versionBits !== undefined) params.push(extra.versionBits);
  // minerd's exact shape: method first, id last, always 4.
  return `{"method": "mining.submit", "params": ${JSON.stringify(params).replace(/,/g, ', ')}, "id":${extra.id ?? 4}}`;
}

describe('minerd 2.5.1', () => {
  it('subscribe reply first; authorize, set_difficulty, notify; shares with id 4 answered in order', async () => {
    const p = await pool();
    const c = await client(p.port);
    c.sendLine(minerdLine({ id: 1, method: 'mining.subscribe', params: ['cpuminer/2.5.1'] }));
    // minerd treats the very next line as the subscribe reply.
    const sub = await c.next();
    expect(sub.id).toBe(1);
    expect(sub.error).toBeNull();
    const [subscriptions, en1, en2Size] = sub.result;
    expect(en1).toMatch(/^[0-9a-f]{8}$/);
    expect(subscriptions).toContainEqual(['mining.notify', en1]);
    expect(en2Size).toBe(4);

    c.sendLine(minerdLine({ id: 2, method: 'mining.authorize', params: [USER, ''] }));
    expect(await c.next()).toEqual({ id: 2, result: true, error: null });
    const sd = await c.next();
    expect(sd).toEqual({ id: null, method: 'mining.set_difficulty', params: [TEST_DIFFICULTY] });
    const nt = await c.next();
    expect(nt.method).toBe('mining.notify');
    expect(nt.params).toHaveLength(9);
    const [, prevhash, coinb1, coinb2, branch, version, nbits, ntime, clean] = nt.params;
    expect(prevhash).toMatch(/^[0-9a-f]{64}$/);
    expect(version).toMatch(/^[0-9a-f]{8}$/);
    expect(nbits).toMatch(/^[0-9a-f]{8}$/);
    expect(ntime).toMatch(/^[0-9a-f]{8}$/);
    expect(coinb1).toMatch(/^[0-9a-f]+$/);
    expect(coinb2).toMatch(/^[0-9a-f]+$/);
    expect(branch).toHaveLength(2); // two template transactions
    expect(clean).toBe(true);
    expect(parseInt(version, 16) & 0x1fffe000).toBe(0);

    const job = notifyToJob(nt);
    const s1 = await findShare(job, en1, '00000000', TEST_DIFFICULTY);
    const s2 = await findShare(job, en1, '01000000', TEST_DIFFICULTY);
    // Pipelined in one write, all with id 4: replies in request order, the third a duplicate.
    c.socket.write([submitLine(job, '00000000', s1.nonce), submitLine(job, '01000000', s2.nonce), submitLine(job, '00000000', s1.nonce)].join('\n') + '\n');
    expect(await c.next()).toEqual({ id: 4, result: true, error: null });
    expect(await c.next()).toEqual({ id: 4, result: true, error: null });
    expect(await c.next()).toEqual({ id: 4, result: null, error: [22, 'Duplicate share', null] });
    expect(p.service.stats()).toMatchObject({ sharesAccepted: 2, sharesRejected: 1, connections: 1, subscribed: 1, authorized: 1 });
  });

  it('set_difficulty applies from the next notify; shares for older jobs are judged at their difficulty', async () => {
    // Fast vardiff: 8 shares in over a second at 1 share/s target triggers an early retarget.
    const p = await pool({ vardiff: { targetShareSeconds: 1, retargetSeconds: 2, hysteresis: 0.5, minDifficulty: 1e-7, maxDifficulty: 4e-6 } });
    const c = await client(p.port);
    const { en1, job } = await minerdLogin(c);
    const lines: string[] = [];
    for (let i = 0; i < 8; i++) {
      const en2 = `0${i}000000`;
      lines.push(submitLine(job, en2, (await findShare(job, en1, en2, TEST_DIFFICULTY)).nonce));
    }
    c.socket.write(lines.join('\n') + '\n');
    for (let i = 0; i < 8; i++) expect((await c.reply()).result).toBe(true);
    await new Promise((r) => setTimeout(r, 1100));
    const ninth = await findShare(job, en1, '09000000', TEST_DIFFICULTY);
    c.sendLine(submitLine(job, '09000000', ninth.nonce));
    expect(await c.next()).toEqual({ id: 4, result: true, error: null });
    const sd = await c.next();
    expect(sd.method).toBe('mining.set_difficulty');
    const newDiff = sd.params[0];
    expect(newDiff).toBe(4e-6); // 9x the target rate, clamped to the maximum
    const nt = await c.next();
    expect(nt.method).toBe('mining.notify');
    expect(nt.params[8]).toBe(true); // clean_jobs so the miner switches now
    const newJob = notifyToJob(nt);
    expect(newJob.jobId).not.toBe(job.jobId);
    expect(parseInt(newJob.fields.ntime, 16)).toBeGreaterThan(parseInt(job.fields.ntime, 16));

    // minerd keeps submitting the old job at the old difficulty for a while: still accepted.
    const old = await findShare(job, en1, '0a000000', TEST_DIFFICULTY, { below: newDiff });
    c.sendLine(submitLine(job, '0a000000', old.nonce));
    expect(await c.next()).toEqual({ id: 4, result: true, error: null });
    // The same quality of share on the new job is too low now.
    const low = await findShare(newJob, en1, '00000000', TEST_DIFFICULTY, { below: newDiff });
    c.sendLine(submitLine(newJob, '00000000', low.nonce));
    const r = await c.next();
    expect(r.error[0]).toBe(23);
    expect(r.error[1]).toMatch(/^Low difficulty share/);
    const good = await findShare(newJob, en1, '01000000', newDiff);
    c.sendLine(submitLine(newJob, '01000000', good.nonce));
    expect(await c.next()).toEqual({ id: 4, result: true, error: null });
  });

  it('reconnects with the session id and keeps its extranonce1; old job ids stay valid', async () => {
    const p = await pool();
    const c = await client(p.port);
    const { en1, job } = await minerdLogin(c);
    c.close();
    await waitFor(() => p.service.server.connectionCount === 0, 5000, 'the first connection to close');
    const c2 = await client(p.port);
    const again = await minerdLogin(c2, 'cpuminer/2.5.1', en1);
    expect(again.en1).toBe(en1);
    // While c2 holds it, another connection presenting the same session id gets a fresh one.
    const c3 = await client(p.port);
    c3.sendLine(minerdLine({ id: 1, method: 'mining.subscribe', params: ['cpuminer/2.5.1', en1] }));
    const sub3 = await c3.next();
    expect(sub3.result[1]).not.toBe(en1);
    // A share found for the job of the first connection, submitted after the reconnect.
    const s = await findShare(job, en1, '00000000', TEST_DIFFICULTY);
    c2.sendLine(submitLine(job, '00000000', s.nonce));
    expect(await c2.reply()).toEqual({ id: 4, result: true, error: null });
  });

  it('receives client.reconnect [host, port, 0] when the pool shuts down', async () => {
    const p = await startTestPool();
    const c = await client(p.port);
    await minerdLogin(c);
    const stopping = p.service.stop();
    const msg = await c.until((m) => m.method === 'client.reconnect');
    expect(msg).toEqual({ id: null, method: 'client.reconnect', params: ['127.0.0.1', p.port, 0] });
    await c.closedPromise;
    await stopping;
    expect(p.service.server.connectionCount).toBe(0);
  });
});

describe('cpuminer-opt 26.1', () => {
  it('extranonce.subscribe after authorize, string suggest_difficulty, ping, unknown methods', async () => {
    const p = await pool();
    const c = await client(p.port);
    const { en1 } = await minerdLogin(c, 'cpuminer-opt-26.1-x64L');
    c.sendLine(minerdLine({ id: 3, method: 'mining.extranonce.subscribe', params: [] }));
    expect(await c.next()).toEqual({ id: 3, result: true, error: null });

    // The keepalive suggestion: a "%f" string, with id 1.
    c.sendLine(minerdLine({ id: 1, method: 'mining.suggest_difficulty', params: ['0.000002'] }));
    expect(await c.next()).toEqual({ id: 1, result: true, error: null });
    expect(await c.next()).toEqual({ id: null, method: 'mining.set_difficulty', params: [0.000002] });
    const nt = await c.next();
    expect(nt.method).toBe('mining.notify');
    expect(nt.params[8]).toBe(true);
    const job = notifyToJob(nt);
    const s = await findShare(job, en1, '00000000', 0.000002);
    c.sendLine(submitLine(job, '00000000', s.nonce));
    expect(await c.next()).toEqual({ id: 4, result: true, error: null });

    c.sendLine(minerdLine({ id: 7, method: 'client.get_version', params: [] }));
    expect(await c.next()).toEqual({ id: 7, result: null, error: [20, 'unknown method client.get_version', null] });
    c.sendLine(minerdLine({ id: 8, method: 'mining.ping', params: [] }));
    expect(await c.next()).toEqual({ id: 8, result: 'pong', error: null });
    expect(c.closed).toBe(false);
  });

  it('a suggestion before authorize sets the first difficulty (clamped to the vardiff range)', async () => {
    const p = await pool();
    const c = await client(p.port);
    c.sendLine(minerdLine({ id: 1, method: 'mining.subscribe', params: ['cpuminer-opt-26.1-x64L'] }));
    await c.next();
    c.sendLine(minerdLine({ id: 5, method: 'mining.suggest_difficulty', params: ['0.000000001'] }));
    expect(await c.next()).toEqual({ id: 5, result: true, error: null });
    c.sendLine(minerdLine({ id: 2, method: 'mining.authorize', params: [USER, 'x'] }));
    expect((await c.next()).result).toBe(true);
    expect(await c.next()).toEqual({ id: null, method: 'mining.set_difficulty', params: [1e-7] });
    expect((await c.next()).method).toBe('mining.notify');
  });
});

describe('Bitaxe (ESP-Miner)', () => {
  async function bitaxeLogin(c: LineClient): Promise<{ en1: string; job: NotifyJob }> {
    // Three lines back to back, compact JSON, without waiting for replies.
    c.socket.write(
      '{"id":1,"method":"mining.configure","params":[["version-rolling"],{"version-rolling.mask":"ffffffff"}]}\n' +
        '{"id":2,"method":"mining.subscribe","params":["bitaxe/BM1370/v2.15.0"]}\n' +
        `{"id":3,"method":"mining.authorize","params":["${USER}","x"]}\n`,
    );
    expect(await c.next()).toEqual({ id: 1, result: { 'version-rolling': true, 'version-rolling.mask': '1fffe000' }, error: null });
    const sub = await c.next();
    expect(sub.id).toBe(2);
    expect(await c.next()).toEqual({ id: 3, result: true, error: null });
    expect((await c.next()).method).toBe('mining.set_difficulty');
    const nt = await c.next();
    expect(nt.method).toBe('mining.notify');
    // suggest_difficulty 1000 (an integer) with id 4 after the authorize result.
    c.sendLine('{"id":4,"method":"mining.suggest_difficulty","params":[1000]}');
    expect(await c.next()).toEqual({ id: 4, result: true, error: null });
    expect(await c.next()).toEqual({ id: null, method: 'mining.set_difficulty', params: [4e-6] }); // clamped to max
    const nt2 = await c.next();
    expect(nt2.params[8]).toBe(true);
    return { en1: sub.result[1], job: notifyToJob(nt2) };
  }

  it('configure + subscribe + authorize pipelined, suggest 1000, 6-parameter submits with XOR version bits', async () => {
    const events: ShareEvent[] = [];
    const p = await pool({}, { hooks: { onShare: (e) => void events.push(e) } });
    const c = await client(p.port);
    const { en1, job } = await bitaxeLogin(c);
    const rolled = await findShare(job, en1, '00000000', 4e-6, { versionBits: '00002000' });
    const plain = await findShare(job, en1, '01000000', 4e-6, { versionBits: '00000000' });
    c.sendLine(`{"id":5,"method":"mining.submit","params":["${USER}","${job.jobId}","00000000","${job.fields.ntime}","${rolled.nonce}","00002000"]}`);
    c.sendLine(`{"id":6,"method":"mining.submit","params":["${USER}","${job.jobId}","01000000","${job.fields.ntime}","${plain.nonce}","00000000"]}`);
    expect(await c.next()).toEqual({ id: 5, result: true, error: null });
    expect(await c.next()).toEqual({ id: 6, result: true, error: null });
    expect(events.map((e) => e.share.versionRolling)).toEqual(['xor', 'xor']);
    expect(events[0]!.userAgent).toBe('bitaxe/BM1370/v2.15.0');
    expect(events[0]!.difficulty).toBe(4e-6);
    // Bits outside the granted mask are refused.
    c.sendLine(`{"id":7,"method":"mining.submit","params":["${USER}","${job.jobId}","02000000","${job.fields.ntime}","00000000","00001000"]}`);
    expect(await c.next()).toEqual({ id: 7, result: null, error: [20, 'version bits outside the granted mask', null] });
  });

  it('a job version with bits inside the mask verifies with XOR (as the firmware rolls)', async () => {
    const events: ShareEvent[] = [];
    const p = await pool({}, { template: makeTemplate({ version: 0x20006000 }), clearRollingBits: false, hooks: { onShare: (e) => void events.push(e) } });
    const c = await client(p.port);
    const { en1, job } = await bitaxeLogin(c);
    expect(job.fields.version).toBe('20006000');
    // The chip rolled to 0x20002000: version_bits = rolled ^ job = 0x00004000.
    const s = await findShare(job, en1, '00000000', 4e-6, { versionBits: '00004000' });
    c.sendLine(`{"id":5,"method":"mining.submit","params":["${USER}","${job.jobId}","00000000","${job.fields.ntime}","${s.nonce}","00004000"]}`);
    expect(await c.next()).toEqual({ id: 5, result: true, error: null });
    expect(events[0]!.share.versionRolling).toBe('xor');
    expect(bytesToHex(events[0]!.share.header.subarray(0, 4))).toBe('00200020'); // LE 0x20002000
  });

  it('answers unknown configure extensions with false and honours min-bit-count', async () => {
    const p = await pool();
    const c = await client(p.port);
    c.sendLine('{"id":1,"method":"mining.configure","params":[["version-rolling","minimum-difficulty","subscribe-extranonce"],{"version-rolling.mask":"00ffe000","version-rolling.min-bit-count":2,"minimum-difficulty.value":2048}]}');
    expect(await c.next()).toEqual({
      id: 1,
      result: { 'version-rolling': true, 'version-rolling.mask': '00ffe000', 'version-rolling.min-bit-count': 2, 'minimum-difficulty': false, 'subscribe-extranonce': false },
      error: null,
    });
    c.sendLine('{"id":2,"method":"mining.configure","params":[["version-rolling"],{"version-rolling.mask":"00006000","version-rolling.min-bit-count":16}]}');
    expect((await c.next()).result).toEqual({ 'version-rolling': false, 'version-rolling.mask': '00006000', 'version-rolling.min-bit-count': 16 });
  });
});

describe('rejections', () => {
  it('not subscribed (25), unauthorized (24), bad address (24 with the reason)', async () => {
    const p = await pool();
    const c = await client(p.port);
    c.sendLine(submitLine({ jobId: '1', fields: { ntime: '00000000' } } as NotifyJob, '00000000', '00000000'));
    expect(await c.next()).toEqual({ id: 4, result: null, error: [25, 'Not subscribed', null] });
    c.sendLine(minerdLine({ id: 1, method: 'mining.subscribe', params: ['test'] }));
    await c.next();
    c.sendLine(minerdLine({ id: 2, method: 'mining.authorize', params: [`${MAINNET_ADDRESS}.w1`, ''] }));
    const bad = await c.next();
    expect(bad.error[0]).toBe(24);
    expect(bad.error[1]).toMatch(/invalid payout address .*mainnet.*simnet uses regtest/);
    c.sendLine(minerdLine({ id: 3, method: 'mining.authorize', params: ['notanaddress', ''] }));
    expect((await c.next()).error[0]).toBe(24);
    c.sendLine(minerdLine({ id: 4, method: 'mining.authorize', params: [] }));
    expect((await c.next()).error[0]).toBe(24);
    c.sendLine(submitLine({ jobId: '1', fields: { ntime: '00000000' } } as NotifyJob, '00000000', '00000000'));
    const unauth = await c.next();
    expect(unauth.error[0]).toBe(24);
    expect(unauth.error[1]).toMatch(/^Unauthorized worker/);
  });

  it('unknown job (21), bad hex / ntime / extranonce2 size (20), low difficulty (23), stale after a new block (21)', async () => {
    const p = await pool();
    const c = await client(p.port);
    const { en1, job } = await minerdLogin(c);
    const expectError = async (line: string, code: number, msg: RegExp) => {
      c.sendLine(line);
      const r = await c.next();
      expect(r.result).toBeNull();
      expect(r.error[0]).toBe(code);
      expect(r.error[1]).toMatch(msg);
    };
    await expectError(submitLine({ ...job, jobId: 'nope' }, '00000000', '00000000'), 21, /^Job not found$/);
    await expectError(submitLine(job, '0000000z', '00000000'), 20, /extranonce2 must be even-length hex/);
    await expectError(submitLine(job, '000000', '00000000'), 20, /Incorrect size of extranonce2/);
    await expectError(submitLine(job, '00000000', '00000000', { ntime: 'xyz' }), 20, /ntime must be 8 hex digits/);
    await expectError(submitLine(job, '00000000', '00000000', { ntime: (parseInt(job.fields.ntime, 16) - 1).toString(16) }), 20, /ntime out of range/);
    await expectError(submitLine(job, '00000000', 'nonce!!!'), 20, /nonce must be 8 hex digits/);
    await expectError(submitLine(job, '00000000', findMiss(job, en1, '00000000', TEST_DIFFICULTY)), 23, /^Low difficulty share/);
    await expectError(`{"id":9,"method":"mining.submit","params":["${USER}","${job.jobId}"]}`, 20, /5 or 6 parameters/);

    const s = await findShare(job, en1, '00000000', TEST_DIFFICULTY);
    p.source.push(makeTemplate({ seed: 2 }), true);
    const nt = await c.next();
    expect(nt.method).toBe('mining.notify');
    expect(nt.params[8]).toBe(true);
    await expectError(submitLine(job, '00000000', s.nonce), 21, /^Stale share/);
    expect(p.service.stats().rejectedByReason).toMatchObject({ 'job-not-found': 1, stale: 1, 'low-difficulty': 1, 'bad-extranonce2': 1, 'bad-ntime': 1, malformed: 4 });
  });
});

describe('jobs and blocks', () => {
  it('a template on the same block gives clean_jobs=false and old jobs stay valid; refreshes keep coming', async () => {
    const p = await pool({ jobRefreshSeconds: 1 });
    const c = await client(p.port);
    const { en1, job } = await minerdLogin(c);
    const t = p.source.current()!;
    p.source.push({ ...t, transactions: t.transactions.slice(0, 1) }, false);
    const nt = notifyToJob(await c.next());
    expect(nt.clean).toBe(false);
    expect(nt.fields.merkleBranch).toHaveLength(1);
    const s = await findShare(job, en1, '00000000', TEST_DIFFICULTY);
    c.sendLine(submitLine(job, '00000000', s.nonce));
    expect(await c.reply()).toEqual({ id: 4, result: true, error: null });
    // A refresh (new job id, not clean) within about a second.
    const refreshed = notifyToJob(await c.until((m) => m.method === 'mining.notify', 3000));
    expect(refreshed.clean).toBe(false);
    expect(refreshed.jobId).not.toBe(nt.jobId);
  });

  it('a share meeting the block target is submitted as a full block at once and reported', async () => {
    const blocks: FoundBlock[] = [];
    // Block difficulty = share difficulty: every share is a block.
    const p = await pool({}, { template: makeTemplate({ blockDifficulty: TEST_DIFFICULTY }), onBlock: (b) => void blocks.push(b) });
    const c = await client(p.port);
    const { en1, job } = await minerdLogin(c);
    const s = await findShare(job, en1, '00000000', TEST_DIFFICULTY);
    c.sendLine(submitLine(job, '00000000', s.nonce));
    expect(await c.next()).toEqual({ id: 4, result: true, error: null });
    await waitFor(() => blocks.length === 1, 5000, 'the block report');
    const b = blocks[0]!;
    expect(b).toMatchObject({ accepted: true, worker: USER, jobId: job.jobId, height: p.source.current()!.height });
    expect(p.source.submitted).toHaveLength(1);
    const block = parseBlock(Uint8Array.from(Buffer.from(p.source.submitted[0]!, 'hex')));
    expect(block.txs).toHaveLength(3);
    expect(bytesToHex(reverseBytes(headerHash(block.header)))).toBe(b.hash);
    expect(bytesToHex(reverseBytes(s.hash))).toBe(b.hash);
    expect(p.service.stats().blocksFound).toBe(1);
  });

  it('a rejected block is reported with the node reason', async () => {
    const blocks: FoundBlock[] = [];
    const p = await pool({}, { template: makeTemplate({ blockDifficulty: TEST_DIFFICULTY }), onBlock: (b) => void blocks.push(b) });
    p.source.submitResult = { accepted: false, reason: 'high-hash' };
    const c = await client(p.port);
    const { en1, job } = await minerdLogin(c);
    const s = await findShare(job, en1, '00000000', TEST_DIFFICULTY);
    c.sendLine(submitLine(job, '00000000', s.nonce));
    await c.reply();
    await waitFor(() => blocks.length === 1);
    expect(blocks[0]).toMatchObject({ accepted: false, reason: 'high-hash' });
  });
});

describe('accounting hooks', () => {
  it('an async onShare holds the reply and later replies stay in order', async () => {
    const seen: string[] = [];
    const p = await pool({}, {
      hooks: {
        onShare: (e) => new Promise<void>((resolve) => setTimeout(() => {
          seen.push(e.jobId);
          resolve();
        }, 50)),
      },
    });
    const c = await client(p.port);
    const { en1, job } = await minerdLogin(c);
    const s1 = await findShare(job, en1, '00000000', TEST_DIFFICULTY);
    const s2 = await findShare(job, en1, '01000000', TEST_DIFFICULTY);
    c.socket.write([submitLine(job, '00000000', s1.nonce), submitLine(job, '01000000', s2.nonce, { id: 5 }), '{"id":6,"method":"mining.ping","params":[]}'].join('\n') + '\n');
    const replies: Msg[] = [await c.next(), await c.next(), await c.next()];
    expect(replies.map((r) => r.id)).toEqual([4, 5, 6]);
    expect(replies.map((r) => r.result)).toEqual([true, true, 'pong']);
    expect(seen).toHaveLength(2);
  });

  it('a failing onShare answers "share could not be recorded", keeps the connection, and the share can be submitted again', async () => {
    let fail = true;
    const p = await pool({}, { hooks: { onShare: () => (fail ? Promise.reject(new Error('disk full')) : Promise.resolve()) } });
    const c = await client(p.port);
    const { en1, job } = await minerdLogin(c);
    const s = await findShare(job, en1, '00000000', TEST_DIFFICULTY);
    c.sendLine(submitLine(job, '00000000', s.nonce));
    expect(await c.next()).toEqual({ id: 4, result: null, error: [20, 'share could not be recorded; submit it again', null] });
    expect(p.service.stats()).toMatchObject({ sharesAccepted: 0, rejectedByReason: { 'not-recorded': 1 } });
    c.sendLine('{"id":6,"method":"mining.ping","params":[]}');
    expect((await c.next()).result).toBe('pong');
    fail = false;
    c.sendLine(submitLine(job, '00000000', s.nonce));
    expect(await c.next()).toEqual({ id: 4, result: true, error: null });
    c.sendLine(submitLine(job, '00000000', s.nonce));
    expect((await c.next()).error[0]).toBe(22);
    expect(p.service.stats().sharesAccepted).toBe(1);
  });
});

describe('other transports', () => {
  it('serves a connection handed over as a socket-like Duplex (the WebSocket bridge uses this)', async () => {
    const { duplexPair } = await import('node:stream');
    const p = await pool();
    const [serverSide, clientSide] = duplexPair();
    Object.assign(serverSide, { remoteAddress: '192.0.2.7', localAddress: '127.0.0.1', localPort: p.port });
    p.service.server.acceptConnection(serverSide as unknown as import('node:net').Socket);
    expect(p.service.server.connectionCount).toBe(1);
    clientSide.setEncoding('utf8');
    const lines: Msg[] = [];
    let buf = '';
    clientSide.on('data', (chunk: string) => {
      buf += chunk;
      let nl;
      while ((nl = buf.indexOf('\n')) >= 0) {
        lines.push(JSON.parse(buf.slice(0, nl)));
        buf = buf.slice(nl + 1);
      }
    });
    clientSide.write(`{"id":1,"method":"mining.subscribe","params":["browser"]}\n{"id":2,"method":"mining.authorize","params":["${USER}",""]}\n`);
    await waitFor(() => lines.length >= 4);
    expect(lines[0].id).toBe(1);
    expect(lines[1]).toEqual({ id: 2, result: true, error: null });
    expect(lines[3].method).toBe('mining.notify');
    const job = notifyToJob(lines[3]);
    const s = await findShare(job, lines[0].result[1], '00000000', TEST_DIFFICULTY);
    clientSide.write(submitLine(job, '00000000', s.nonce) + '\n');
    await waitFor(() => lines.length >= 5);
    expect(lines[4]).toEqual({ id: 4, result: true, error: null });
    // The bridge ends its side when the WebSocket closes.
    clientSide.end();
    await waitFor(() => p.service.server.connectionCount === 0);
  });
});
