/**
 * The CLI commands that talk to a running edge, run as the real binary against a real
 * `otedama pool` child (free ports, temporary data folder).
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MIGRATIONS } from '../src/storage/migrations.ts';
import { runOtedama } from './cli-run.ts';
import { startEdgeProcess, type EdgeProcess } from './edge-process.ts';

let edge: EdgeProcess;
beforeAll(async () => {
  edge = await startEdgeProcess();
}, 40_000);
afterAll(async () => {
  await edge?.stop();
}, 20_000);

const json = async (args: string[]) => {
  const r = await runOtedama([...args, '--url', edge.url, '--json'], { timeoutMs: 30_000 });
  expect(r.code, `${args.join(' ')}: ${r.stderr}`).toBe(0);
  return JSON.parse(r.stdout);
};

describe('otedama CLI against a running edge', () => {
  it('stats and pool stats print the same JSON shape', async () => {
    const [a, b] = await Promise.all([json(['stats']), json(['pool', 'stats'])]);
    for (const s of [a, b]) {
      expect(s).toMatchObject({ pool: { feePercent: 1, network: 'simnet' }, sharesTotal: 0, blocksFound: 0, paidTotal: 0 });
      expect(s.hashrate).toEqual({ m10: 0, h1: 0, h24: 0, seconds: expect.objectContaining({ h24: expect.any(Number) }) });
      expect(s.chain.height).toBeGreaterThanOrEqual(1);
    }
    const text = await runOtedama(['stats', '--url', edge.url]);
    expect(text.stdout).toMatch(/hashrate:.*H\/s/);
  }, 40_000);

  it('pool miners and pool payouts answer lists', async () => {
    expect(await json(['pool', 'miners', '--limit', '5'])).toEqual({ limit: 5, offset: 0, miners: [] });
    expect(await json(['pool', 'payouts'])).toEqual({ limit: 20, offset: 0, payouts: [] });
    const bad = await runOtedama(['pool', 'payouts', '--url', edge.url, '--address', 'nonsense']);
    expect(bad.code).toBe(1);
    expect(bad.stderr).toMatch(/answered 400: address is not a valid simnet address/);
  }, 40_000);

  it('node status reports the chain from /health', async () => {
    const s = await json(['node', 'status']);
    expect(s).toMatchObject({ status: 'ok', chain: { network: 'regtest', mode: 'simnet', rpcUrl: edge.rpcUrl }, stratumUrl: edge.stratumUrl, database: { backend: 'sqlite', schemaVersion: MIGRATIONS.length } });
  }, 40_000);

  it('monitor --once prints one frame and exits', async () => {
    const r = await runOtedama(['monitor', '--once', '--url', edge.url], { timeoutMs: 20_000 });
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/hashrate/);
    expect(r.stdout).toMatch(/recent blocks/);
    const j = await json(['monitor', '--once']);
    expect(j).toHaveProperty('stats.sharesTotal', 0);
    expect(j.miners).toEqual([]);
    expect(j.blocks).toEqual([]);
  }, 40_000);

  it('net test finds the HTTP, Stratum and RPC ports of the edge', async () => {
    const r = await runOtedama(['net', 'test', '--json', '--http-port', String(edge.httpPort), '--stratum-port', String(edge.stratumPort), '--rpc-port', String(edge.rpcPort), '--data-dir', edge.dataDir]);
    expect(r.code, r.stderr).toBe(0);
    const out = JSON.parse(r.stdout);
    expect(out.ok).toBe(true);
    expect(out.checks.map((c: { name: string }) => c.name)).toEqual(['http', 'stratum', 'rpc']);
  }, 40_000);

  it('diag --json reports environment, config, database and chain', async () => {
    const r = await runOtedama(['diag', '--json', '--data-dir', edge.dataDir, '--rpc-port', String(edge.rpcPort)], { timeoutMs: 45_000 });
    expect(r.code, r.stderr).toBe(0);
    const d = JSON.parse(r.stdout);
    expect(d.environment.node).toBe(process.versions.node);
    expect(d.environment.cores).toBeGreaterThan(0);
    expect(d.config.dataDir).toBe(edge.dataDir);
    expect(d.database).toMatchObject({ backend: 'sqlite', ok: true, schemaVersion: MIGRATIONS.length });
    expect(d.chain.ok).toBe(true);
    expect(typeof d.webgpu.available).toBe('boolean');
  }, 50_000);

  it('profile writes a .cpuprofile in the data folder (with the admin token from it)', async () => {
    const anonymous = await runOtedama(['profile', '--duration', '1s', '--url', edge.url, '--data-dir', join(tmpdir(), 'no-such-otedama-dir')]);
    expect(anonymous.code).toBe(2);
    expect(anonymous.stderr).toMatch(/no admin token in .*no-such-otedama-dir/);
    const r = await runOtedama(['profile', '--duration', '1s', '--url', edge.url, '--data-dir', edge.dataDir], { timeoutMs: 30_000 });
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toContain(`${edge.dataDir}/profiles/cpu-`);
    expect(r.stdout).toMatch(/Chrome DevTools › Performance or speedscope/);
  }, 40_000);

  it('a second pool on a port already in use says so and exits 1', async () => {
    const port = new URL(edge.url).port;
    const dir = mkdtempSync(join(tmpdir(), 'otedama-busy-'));
    try {
      const r = await runOtedama(['pool', '--http-port', port, '--stratum-port', '0', '--rpc-port', '0', '--p2p-port', '0', '--data-dir', dir]);
      expect(r.code).toBe(1);
      expect(r.stderr).toMatch(new RegExp(`HTTP cannot listen on 127\\.0\\.0\\.1:${port}: the port is in use`));
      expect(r.stderr).not.toMatch(/\n\s+at /);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('bad flags are usage errors (exit 2) and --help works', async () => {
    const bad = await runOtedama(['pool', 'miners', '--limit', 'lots']);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toMatch(/--limit expects a number/);
    const unknown = await runOtedama(['stats', '--frobnicate']);
    expect(unknown.code).toBe(2);
    const dur = await runOtedama(['profile', '--duration', 'forever']);
    expect(dur.code).toBe(2);
    for (const words of [['stats'], ['pool', 'miners'], ['pool', 'payouts'], ['monitor'], ['node', 'status'], ['net', 'test'], ['diag'], ['profile']]) {
      const h = await runOtedama([...words, '--help']);
      expect(h.code, words.join(' ')).toBe(0);
      expect(h.stdout).toContain(`Usage: otedama ${words.join(' ')}`);
    }
  }, 50_000);
});

describe('otedama CLI with no edge running', () => {
  it('says how to start one', async () => {
    const r = await runOtedama(['stats', '--url', 'http://127.0.0.1:9']);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/no Otedama edge answers at http:\/\/127\.0\.0\.1:9 .*start one with npm start or otedama pool/);
    const m = await runOtedama(['monitor', '--once', '--url', 'http://127.0.0.1:9']);
    expect(m.code).toBe(1);
  }, 30_000);
});
