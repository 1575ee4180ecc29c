/**
 * The `otedama` binary as users run it (child processes): hash, bad input, the benchmark's
 * JSON shape, gpu list, and mining status with no miner. No timing assertions.
 */
import { describe, expect, it } from 'vitest';
import { sha256dVectors } from '../../core/test/vectors.ts';
import { freePort, runOtedama } from './cli-run.ts';

const genesis = sha256dVectors.vectors.find((v) => v.name === 'genesis')!;

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

describe('otedama hash --nonces (a nonce-range search)', () => {
  const nonce = genesis.fields.nonce;

  it.each(['js', 'wasm', 'wasm-simd'])('finds the genesis nonce with %s and prints it with the block hash', async (engine) => {
    const r = await runOtedama(['hash', '--engine', engine, '--nonces', `${nonce - 100}-${nonce + 100}`, genesis.header_hex]);
    expect(r.code).toBe(0);
    expect(r.stdout.trim()).toBe(`${nonce.toString(16).padStart(8, '0')} ${genesis.expected_hash_display_hex}`);
    expect(oneLine(r.stderr)).toMatch(/searched 201 nonces with .*: 1 hit/);
  });

  it('--json reports the range, the engine and every hit; the easiest --target hits every nonce', async () => {
    const r = await runOtedama(['hash', '--json', '--engine', 'js', '--target', 'f'.repeat(64), '--nonces', '0+64', genesis.header_hex]);
    expect(r.code).toBe(0);
    const out = JSON.parse(r.stdout);
    expect(out).toMatchObject({ algo: 'sha256d', engine: 'js', start: 0, count: 64, tried: 64, truncated: false });
    expect(out.hits.map((h: { nonce: number }) => h.nonce)).toEqual(Array.from({ length: 64 }, (_, i) => i));
  });

  it.each([
    ['an inverted range', ['--nonces', '10-5'], /inverted/],
    ['an empty range', ['--nonces', '5+0'], /empty/],
    ['a range crossing 2^32', ['--nonces', '0xfffffff0+100'], /crosses 2\^32/],
    ['a malformed range', ['--nonces', 'ten'], /FIRST-LAST/],
    ['a target of zero', ['--nonces', '0-9', '--target', '0'.repeat(64)], /target is zero/],
    ['a short target', ['--nonces', '0-9', '--target', 'ff'], /64 hex digits/],
    ['a zero difficulty', ['--nonces', '0-9', '--difficulty', '0'], /positive/],
    ['a target without a range', ['--target', 'ff'.repeat(32)], /add --nonces/],
    ['an unknown engine', ['--nonces', '0-9', '--engine', 'cuda'], /--engine must be one of/],
  ])('rejects %s with one line and a non-zero exit', async (_label, flags, why) => {
    const r = await runOtedama(['hash', ...flags, genesis.header_hex]);
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
