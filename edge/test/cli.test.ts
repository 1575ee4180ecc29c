/**
 * The `otedama` binary as users run it (child processes): hash, bad input, the benchmark's
 * JSON shape, gpu list, and mining status with no miner. No timing assertions.
 */
import { createServer, type AddressInfo } from 'node:net';
import { describe, expect, it } from 'vitest';
import { sha256dVectors } from '../../core/test/vectors.ts';
import { runOtedama } from './cli-run.ts';

const genesis = sha256dVectors.vectors.find((v) => v.name === 'genesis')!;

/** A loopback port with nothing listening on it (bound, then released). */
async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
  const port = (server.address() as AddressInfo).port;
  await new Promise<void>((r) => server.close(() => r()));
  return port;
}

function oneLine(text: string): string {
  const lines = text.trim().split('\n');
  expect(lines).toHaveLength(1);
  return lines[0]!;
}

describe('otedama hash', () => {
  it('prints the genesis block hash in display order', async () => {
    const r = await runOtedama(['hash', genesis.header_hex]);
    expect(r.code).toBe(0);
    expect(r.stdout.trim()).toBe(genesis.expected_hash_display_hex);
  });

  it.each([
    ['79 bytes', ['hash', '00'.repeat(79)], /80 bytes/],
    ['non-hex', ['hash', 'zz'.repeat(80)], /not hex/],
    ['an unknown algorithm', ['hash', '--algo', 'scrypt', genesis.header_hex], /unknown algorithm "scrypt"/],
    ['no header', ['hash'], /missing HEADER_HEX/],
  ])('rejects %s with one line naming the problem', async (_label, args, why) => {
    const r = await runOtedama(args);
    expect(r.code).not.toBe(0);
    expect(r.stdout).toBe('');
    expect(oneLine(r.stderr)).toMatch(why);
  });
});

describe('otedama mining benchmark', () => {
  it('--json --seconds 1 --engine js prints one JSON object of the documented shape', async () => {
    const r = await runOtedama(['mining', 'benchmark', '--json', '--seconds', '1', '--engine', 'js', '--threads', '1']);
    expect(r.code).toBe(0);
    const report = JSON.parse(r.stdout) as Record<string, unknown>;
    expect(Object.keys(report)).toEqual(expect.arrayContaining(['results', 'baselines', 'machine', 'date']));
    const entry = { algo: 'sha256d', engine: expect.any(String), threads: 1, hashesPerSecond: expect.any(Number) };
    expect(report.results).toEqual([{ ...entry, engine: 'js' }]);
    expect(report.baselines).toEqual([
      { ...entry, engine: 'node-crypto' },
      { ...entry, engine: 'hash-wasm' },
    ]);
    for (const e of [...(report.results as { hashesPerSecond: number }[]), ...(report.baselines as { hashesPerSecond: number }[])]) {
      expect(e.hashesPerSecond).toBeGreaterThan(0);
    }
    expect(report.machine).toEqual({ cpus: expect.any(Number), model: expect.any(String), node: process.version });
    expect(Number.isNaN(Date.parse(report.date as string))).toBe(false);
  });

  it.each([
    [['--engine', 'cuda'], /--engine must be one of js, wasm, wasm-simd, webgpu, all/],
    [['--algo', 'scrypt'], /unknown algorithm "scrypt"/],
    [['--threads', '0'], /--threads must be at least 1/],
    [['--seconds', '0'], /--seconds must be more than 0/],
    [['--seconds', 'soon'], /--seconds expects a number/],
    [['--frobnicate'], /unknown flag --frobnicate/],
  ])('bad flags %j: one-line usage error, exit 2', async (args, why) => {
    const r = await runOtedama(['mining', 'benchmark', ...args]);
    expect(r.code).toBe(2);
    expect(oneLine(r.stderr)).toMatch(why);
  });

  it('--engine webgpu with no such adapter: one-line reason, exit 1, before any measuring', async () => {
    const r = await runOtedama(['mining', 'benchmark', '--engine', 'webgpu', '--gpu', '999', '--seconds', '1']);
    expect(r.code).toBe(1);
    expect(r.stdout).toBe('');
    const last = r.stderr.trim().split('\n').filter((l) => l.startsWith('otedama '));
    expect(last).toHaveLength(1);
    expect(last[0]).toMatch(/^otedama mining benchmark: error: webgpu: (there is no GPU 999|no WebGPU adapter)/);
    expect(r.stderr).not.toMatch(/measuring/);
  });
});

describe('otedama gpu list', () => {
  it('--json lists adapters, or none with a reason', async () => {
    const r = await runOtedama(['gpu', 'list', '--json']);
    expect(r.code).toBe(0);
    const listing = JSON.parse(r.stdout) as { adapters: Record<string, unknown>[]; reason?: string };
    expect(Array.isArray(listing.adapters)).toBe(true);
    if (listing.adapters.length === 0) expect(listing.reason).toMatch(/\w/);
    listing.adapters.forEach((a, i) => {
      expect(a).toMatchObject({ index: i, backend: expect.any(String), featureLevel: expect.stringMatching(/^(core|compatibility)$/), maxComputeWorkgroupSizeX: expect.any(Number) });
    });
  });
});

describe('otedama mining status|start|stop without a miner', () => {
  it.each([['status'], ['start'], ['stop']])('mining %s says no miner is listening', async (verb) => {
    const port = await freePort();
    const r = await runOtedama(['mining', verb, '--control-port', String(port)]);
    expect(r.code).toBe(1);
    expect(oneLine(r.stderr)).toBe(
      `otedama mining ${verb}: error: no otedama miner is listening on 127.0.0.1:${port} — start one with otedama mine --wallet ADDR`,
    );
  });
});
