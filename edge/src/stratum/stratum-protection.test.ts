/**
 * The Stratum server's defences over real TCP/TLS on 127.0.0.1: line limit, per-IP limit, bans
 * for floods of invalid input (without slowing honest miners), idle timeout, garbage handling,
 * and the TLS port.
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { StratumServerError } from '../errors.ts';
import {
  LineClient,
  REGTEST_ADDRESS,
  TEST_DIFFICULTY,
  findShare,
  notifyToJob,
  startTestPool,
  waitFor,
  type TestPool,
  trackedPools,
} from '../../test/stratum-harness.ts';
import { MAX_GARBAGE_LINES } from './stratum-session.ts';

const USER = `${REGTEST_ADDRESS}.w1`;
const { pool, client } = trackedPools(afterEach);

async function login(c: LineClient) {
  c.send({ id: 1, method: 'mining.subscribe', params: ['test/1.0'] });
  const sub = await c.next();
  c.send({ id: 2, method: 'mining.authorize', params: [USER, ''] });
  expect((await c.next()).result).toBe(true);
  await c.next(); // set_difficulty
  const job = notifyToJob(await c.next());
  return { en1: sub.result[1] as string, job };
}

describe('protection', () => {
  it('an oversize line gets an error and the connection is closed', async () => {
    const p = await pool({ maxLineBytes: 1024 });
    const c = await client(p.port);
    c.socket.write('{"id":1,"method":"mining.subscribe","params":["' + 'x'.repeat(2000));
    const r = await c.next();
    expect(r.error[0]).toBe(20);
    expect(r.error[1]).toMatch(/line too long/);
    await c.closedPromise;
    await waitFor(() => p.service.server.connectionCount === 0);
  });

  it('garbage gets error replies, then a disconnect after repeated garbage', async () => {
    const p = await pool();
    const c = await client(p.port);
    c.sendLine('hello');
    expect(await c.next()).toEqual({ id: null, result: null, error: [20, 'invalid JSON: "hello"', null] });
    c.sendLine('{"id":1,"method":"mining.subscribe","params":[]}');
    expect((await c.next()).id).toBe(1); // still served
    for (let i = 1; i < MAX_GARBAGE_LINES; i++) c.sendLine('{"broken"');
    for (let i = 1; i < MAX_GARBAGE_LINES; i++) expect((await c.next()).error[0]).toBe(20);
    await c.closedPromise;
  });

  it('refuses connections over the per-IP limit', async () => {
    const p = await pool({ maxConnectionsPerIp: 2 });
    const a = await client(p.port);
    const b = await client(p.port);
    await waitFor(() => p.service.server.connectionCount === 2);
    const c = await client(p.port);
    await c.closedPromise;
    expect(p.service.stats().connectionsRefused).toBe(1);
    a.send({ id: 1, method: 'mining.ping', params: [] });
    expect((await a.next()).result).toBe('pong');
    b.close();
    await waitFor(() => p.service.server.connectionCount === 1);
    const d = await client(p.port);
    d.send({ id: 1, method: 'mining.ping', params: [] });
    expect((await d.next()).result).toBe('pong');
  });

  it('bans a connection and its IP after a flood of invalid shares; an honest miner keeps mining at full speed', async () => {
    const p = await pool({ banThreshold: 100, banSeconds: 60 });
    const honest = await client(p.port);
    const { en1, job } = await login(honest);
    const attacker = await client(p.port);
    const a = await login(attacker);
    // A flood of duplicate-free garbage shares: bad nonces, wrong extranonce2 size, unknown jobs.
    const flood: string[] = [];
    for (let i = 0; i < 200; i++) {
      flood.push(JSON.stringify({ id: 4, method: 'mining.submit', params: [USER, a.job.jobId, '00', a.job.fields.ntime, '00000000'] }));
    }
    attacker.socket.write(flood.join('\n') + '\n');
    await attacker.closedPromise;
    const replies = attacker.received.filter((m) => m.id === 4);
    expect(replies.length).toBeGreaterThan(0);
    expect(replies.length).toBeLessThan(200); // cut off at the threshold, not after the whole flood
    expect(p.service.stats().bans).toBe(1);
    expect(p.service.server.isBanned('127.0.0.1')).toBe(true);
    // New connections from the banned IP are dropped at once.
    const again = await client(p.port);
    again.send({ id: 1, method: 'mining.subscribe', params: [] });
    await again.closedPromise;
    expect(again.received).toEqual([]);
    // The honest connection is untouched and fast.
    const started = Date.now();
    for (let i = 0; i < 5; i++) {
      const en2 = `0${i}000000`;
      const s = await findShare(job, en1, en2, TEST_DIFFICULTY);
      const t0 = Date.now();
      honest.send({ id: 4, method: 'mining.submit', params: [USER, job.jobId, en2, job.fields.ntime, s.nonce] });
      expect(await honest.next()).toEqual({ id: 4, result: true, error: null });
      expect(Date.now() - t0).toBeLessThan(500); // generous for loaded CI machines; typically < 1 ms
    }
    expect(Date.now() - started).toBeLessThan(5000);
    p.service.server.unban('127.0.0.1');
    expect(p.service.server.isBanned('127.0.0.1')).toBe(false);
  });

  it('closes connections that do not log in, and authorized ones that do no useful work', async () => {
    const p = await pool({ loginTimeoutSeconds: 0.5, idleTimeoutSeconds: 1 });
    const c = await client(p.port);
    c.send({ id: 1, method: 'mining.subscribe', params: [] });
    await c.next();
    const t0 = Date.now();
    await c.closedPromise;
    expect(Date.now() - t0).toBeGreaterThanOrEqual(400);
    await waitFor(() => p.service.server.connectionCount === 0);
    expect(p.service.stats().closedByReason['login-timeout']).toBe(1);
    const d = await client(p.port);
    await login(d);
    // Pings are not work.
    d.send({ id: 9, method: 'mining.ping', params: [] });
    await d.closedPromise;
    expect(p.service.stats().closedByReason.idle).toBe(1);
  });

  it('fails to start with a clear error when the port is taken', async () => {
    const p = await pool();
    await expect(startTestPool({ port: p.port })).rejects.toThrow(StratumServerError);
    await expect(startTestPool({ port: p.port })).rejects.toThrow(/port is in use/);
  });
});

function haveOpenssl(): boolean {
  try {
    execFileSync('openssl', ['version'], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
}

describe.skipIf(!haveOpenssl())('TLS', () => {
  it('serves Stratum over TLS with the configured certificate', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'otedama-tls-'));
    try {
      const cert = join(dir, 'cert.pem');
      const key = join(dir, 'key.pem');
      execFileSync('openssl', ['req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes', '-keyout', key, '-out', cert, '-days', '1', '-subj', '/CN=127.0.0.1'], { stdio: 'ignore' });
      const p = await pool({ tlsCertFile: cert, tlsKeyFile: key });
      expect(p.service.address.tlsPort).toBeGreaterThan(0);
      const c = await client(p.service.address.tlsPort!, true);
      const { en1, job } = await login(c);
      const s = await findShare(job, en1, '00000000', TEST_DIFFICULTY);
      c.send({ id: 4, method: 'mining.submit', params: [USER, job.jobId, '00000000', job.fields.ntime, s.nonce] });
      expect(await c.next()).toEqual({ id: 4, result: true, error: null });
      // The plain port keeps working beside it.
      const plain = await client(p.port);
      plain.send({ id: 1, method: 'mining.ping', params: [] });
      expect((await plain.next()).result).toBe('pong');
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('refuses to start with unreadable TLS files', async () => {
    await expect(startTestPool({ tlsCertFile: '/nonexistent/cert.pem', tlsKeyFile: '/nonexistent/key.pem' })).rejects.toThrow(/cannot read the Stratum TLS certificate/);
    await expect(startTestPool({ tlsCertFile: '/nonexistent/cert.pem' })).rejects.toThrow(/needs both/);
  });
});
