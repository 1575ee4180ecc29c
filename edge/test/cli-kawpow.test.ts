/**
 * The `otedama` binary with KawPow: `hash --algo kawpow` on published vectors (the light cache
 * built with progress, then read back from the data folder; a damaged one rebuilt with a
 * warning), bad input as one line and exit 2, a 120-byte Ravencoin header's block hash, the
 * KawPow benchmark on a reduced dataset (JSON and table; bad flags), and the commands that do not serve KawPow yet saying so.
 * No timing assertions.
 */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { kawpowVectors } from '../../core/test/kawpow-vectors.ts';
import { formatKawpowBenchmarkTable, type KawpowBenchmarkReport } from '../src/miner/kawpow-benchmark.ts';
import { runOtedama } from './cli-run.ts';
import { TEST_KAWPOW_DATA_DIR } from './kawpow-helpers.ts';

const v49 = kawpowVectors.vectors.find((v) => v.block_number === 49)!;
const [checkpoint] = kawpowVectors.block_headers.headers;
const ZERO_HASH = '0'.repeat(64);
const shared = ['--data-dir', TEST_KAWPOW_DATA_DIR];

function oneLine(text: string): string {
  const lines = text.trim().split('\n');
  expect(lines).toHaveLength(1);
  return lines[0]!;
}

describe('otedama hash --algo kawpow', () => {
  const own = mkdtempSync(join(tmpdir(), 'otedama-cli-kawpow-'));
  afterAll(() => rmSync(own, { recursive: true, force: true }));

  it('builds the light cache with progress, prints the published mix and final hash, then reads the cache back', async () => {
    const args = ['hash', '--algo', 'kawpow', '--height', '49', '--nonce', `0x${v49.nonce_u64_hex}`, '--header-hash', v49.header_hash_hex, '--data-dir', own];
    const first = await runOtedama(args, { timeoutMs: 120_000 });
    expect(first.code).toBe(0);
    expect(first.stdout).toBe(`mix_hash   ${v49.expected_mix_hash_hex}\nfinal_hash ${v49.expected_final_hash_hex}\n`);
    expect(first.stderr).toMatch(/building the KawPow light cache of epoch 0 \(16 MiB\): 0 %\n(.*\n)*.*: 100 %\n.*light cache of epoch 0 kept in .*epoch-0\.lightcache/);

    // Decimal nonce, 0x-prefixed header hash, JSON; the cache comes from disk.
    const again = await runOtedama(['hash', '--algo', 'kawpow', '--json', '--height', '49', '--nonce', String(BigInt('0x' + v49.nonce_u64_hex)), '--header-hash', `0x${v49.header_hash_hex}`, '--data-dir', own]);
    expect(again.code).toBe(0);
    expect(JSON.parse(again.stdout)).toMatchObject({ algo: 'kawpow', height: 49, epoch: 0, nonce: `0x${v49.nonce_u64_hex}`, mixHash: v49.expected_mix_hash_hex, finalHash: v49.expected_final_hash_hex });
    expect(oneLine(again.stderr)).toMatch(/light cache of epoch 0 read from .*epoch-0\.lightcache$/);

    // A damaged cache file: a warning, a rebuild, the same answer.
    const file = join(own, 'kawpow', 'epoch-0.lightcache');
    const bytes = readFileSync(file);
    bytes[1234]! ^= 0x40;
    writeFileSync(file, bytes);
    const repaired = await runOtedama(args, { timeoutMs: 120_000 });
    expect(repaired.code).toBe(0);
    expect(repaired.stdout).toBe(first.stdout);
    expect(repaired.stderr).toMatch(/warning: .*epoch 0 again/);
  }, 240_000);

  // Every malformed flag is unit-tested in src/algorithms/kawpow/hash.test.ts; here the binary's
  // one line and exit 2 for one of each kind.
  it.each([
    ['a header hash of 31 bytes', ['--height', '1', '--nonce', '1', '--header-hash', 'ab'.repeat(31)], /header hash must be 32 bytes/],
    ['a nonce beyond 64 bits', ['--height', '1', '--nonce', '18446744073709551616', '--header-hash', ZERO_HASH], /outside 0\.\.2\^64-1/],
    ['a height in an epoch no chain has reached', ['--height', '100000000', '--nonce', '1', '--header-hash', ZERO_HASH], /epoch 13333, beyond this hasher's limit of epoch 1024/],
  ])('refuses %s with one line and exit 2, before any light cache work', async (_label, flags, why) => {
    const r = await runOtedama(['hash', '--algo', 'kawpow', ...flags, ...shared]);
    expect(r.code).toBe(2);
    expect(r.stdout).toBe('');
    expect(oneLine(r.stderr)).toMatch(why);
  });

  it('prints the block hash of a 120-byte Ravencoin header (its published hash)', async () => {
    const r = await runOtedama(['hash', '--algo', 'kawpow', checkpoint!.header_hex]);
    expect(r.code).toBe(0);
    expect(r.stdout.trim()).toBe(checkpoint!.expected_block_hash_display_hex);
    const short = await runOtedama(['hash', '--algo', 'kawpow', checkpoint!.header_hex.slice(0, 160)]);
    expect(short.code).toBe(2);
    expect(oneLine(short.stderr)).toMatch(/a kawpow header must be 120 bytes \(240 hex digits\), got 160 hex digits/);
  });
});

describe('otedama mining benchmark --algo kawpow', () => {
  it('on a reduced dataset: both builds beside the keccak baseline, verification by lookups beside light evaluation, the GPU\'s DAG and search beside the WASM figures with the adapter\'s name', async () => {
    const r = await runOtedama(['mining', 'benchmark', '--algo', 'kawpow', '--seconds', '0.2', '--dataset-mib', '0.5', '--json'], { timeoutMs: 240_000 });
    expect(r.code).toBe(0);
    const report = JSON.parse(r.stdout) as KawpowBenchmarkReport;
    expect(report).toMatchObject({ algo: 'kawpow', height: 1, epoch: 0, lightCacheBytes: 16_776_896, seconds: 0.2, skipped: [] });
    expect(report.dataset).toEqual({ items: 4096, bytes: 512 * 1024, reduced: true });
    expect(report.engines.map((e) => e.engine).sort()).toEqual(['wasm', 'wasm-simd']);
    for (const e of report.engines) {
      expect(e.lightCacheBuildMs).toBeGreaterThan(0);
      expect(e.verify.shares).toBeGreaterThan(0);
      expect(e.datasetItemsPerSecond).toBeGreaterThan(0);
    }
    expect(report.baselines.keccak512PerSecond!.hashWasm).toBeGreaterThan(0);
    expect(report.lookups).toMatchObject({ engine: 'wasm-simd', threads: 2 });
    expect(report.lookups!.lookups.shares).toBeGreaterThan(0);
    expect(report.lookups!.light.shares).toBeGreaterThan(0);
    // The GPU (the software adapter here): the DAG at the reduced size, the search counted.
    const gpu = report.webgpu!;
    expect(gpu.adapter).toMatch(/\((opengles|vulkan)\)$/);
    expect(gpu.dag).toMatchObject({ items: 8192, bytes: 512 * 1024, bindings: 1 });
    expect(gpu.search.hashes).toBeGreaterThan(0);
    expect(gpu.search.hashesPerSecond).toBeGreaterThan(0);
    expect(r.stderr).toMatch(/wasm-simd: the full dataset of epoch 0 \(0\.5 MiB\) in 2 worker threads/);
    expect(r.stderr).toMatch(/full dataset: 100 %/);
    expect(r.stderr).toMatch(/webgpu DAG: 100 % \(0\.5 of 0\.5 MiB/);
    // The table says the dataset is reduced and names the adapter beside each GPU figure.
    const table = formatKawpowBenchmarkTable(report);
    expect(table).toMatch(/^dataset: REDUCED to 0\.5 MiB .* not Ravencoin's$/m);
    expect(table).toMatch(/^share verification by lookups \(wasm-simd\): .* light evaluation of the same shares .* lookups [\d.]+x faster$/m);
    expect(table).toContain(`webgpu DAG generation on ${gpu.adapter}: 8192 items`);
    expect(table).toMatch(/MB\/s; [\d.]+x wasm(-simd)?'s dataset items on one thread/);
    expect(table).toContain(`webgpu search on ${gpu.adapter}: `);
    expect(table).toMatch(/[\d.]+x wasm(-simd)?'s light evaluation on one thread/);
  }, 260_000);

  it('refuses bad flags with one clear line and exit 2, before measuring anything', async () => {
    const cases: [string[], RegExp][] = [
      [['--engine', 'js'], /KawPow has no js engine/],
      [['--dataset-mib', '0'], /--dataset-mib must be from 0\.015625 \(16 KiB\) to 1024\.0 \(epoch 0's dataset\) \(got 0\)/],
      [['--dataset-mib', '4096'], /--dataset-mib must be from .* to 1024\.0 \(epoch 0's dataset\) \(got 4096\)/],
    ];
    for (const [flags, message] of cases) {
      const r = await runOtedama(['mining', 'benchmark', '--algo', 'kawpow', ...flags]);
      expect({ flags, code: r.code }).toEqual({ flags, code: 2 });
      expect(oneLine(r.stderr)).toMatch(message);
      expect(r.stdout).toBe('');
    }
    const sha = await runOtedama(['mining', 'benchmark', '--dataset-mib', '1']);
    expect(sha.code).toBe(2);
    expect(oneLine(sha.stderr)).toMatch(/--dataset-mib sizes the KawPow dataset \(--algo kawpow\)/);
  }, 120_000);
});
