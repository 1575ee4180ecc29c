/**
 * Storage throughput: how many accepted shares per second become durable.
 *
 *   node --import ./edge/bin/register.mjs edge/bench/storage-bench.ts [--seconds 3] [--no-postgres]
 *
 * For each backend (SQLite with synchronous=FULL and NORMAL; PostgreSQL at
 * OTEDAMA_TEST_DATABASE_URL or a throwaway cluster from scripts/postgres.mjs) it measures:
 *   - baseline: one transaction per share (what group commit replaces);
 *   - bulk: PoolStore.insertShares in 2,000-row transactions (the ceiling);
 *   - group commit: ShareWriter with 2,000 concurrent appenders, each waiting for its
 *     acknowledgement before the next share, as Stratum connections do.
 * Prints a table and writes bench/results/storage-<time>.json.
 */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { providePostgres } from '../../scripts/postgres.mjs';
import { openStorage, type OpenStorageOptions } from '../src/storage/open-storage.ts';
import type { ShareRecord } from '../src/storage/pool-store.ts';
import { ShareWriter } from '../src/storage/share-writer.ts';

const argv = process.argv.slice(2);
const SECONDS = Number(argv[argv.indexOf('--seconds') + 1] || 0) || 3;
const WITH_PG = !argv.includes('--no-postgres');
const BULK_BATCH = 2000;
/** Concurrent appenders, each waiting for its acknowledgement (like Stratum connections). */
const APPENDERS = 2000;
/** Distinct payout addresses and workers in the generated shares (rollup upserts per batch). */
const ADDRESSES = 50;
const WORKERS_PER_ADDRESS = 4;

/** Shares are generated up front (a ring reused with fresh times) so the figures measure storage, not string building. */
const RING = Array.from({ length: 65_536 }, (_, n) => ({
  address: `bcrt1qbenchaddress${n % ADDRESSES}`,
  worker: `rig${(n >> 6) % WORKERS_PER_ADDRESS}`,
  jobId: (n >> 10).toString(16),
  hash: n.toString(16).padStart(64, '0'),
}));
let seq = 0;
/** Hashes past the ring's get this run's prefix (unique within and across runs on one database). */
const RUN_PREFIX = Date.now().toString(16).slice(-8);
function share(): ShareRecord {
  const r = RING[seq++ & 0xffff]!;
  // Every share hash is unique (the database refuses a second row for a hash).
  const n = seq - 1;
  return { time: Date.now(), address: r.address, worker: r.worker, difficulty: 1024, shareDiff: 2048.5, jobId: r.jobId, height: 840_000, isBlock: false, hash: n < 65_536 ? r.hash : RUN_PREFIX + n.toString(16).padStart(56, '0') };
}

interface Row {
  backend: string;
  mode: string;
  rowsPerSecond: number;
  rows: number;
  seconds: number;
  note: string;
}

async function timed(seconds: number, step: () => Promise<number>): Promise<{ rows: number; elapsed: number }> {
  const start = performance.now();
  let rows = 0;
  while (performance.now() - start < seconds * 1000) rows += await step();
  return { rows, elapsed: (performance.now() - start) / 1000 };
}

async function benchBackend(name: string, options: OpenStorageOptions): Promise<Row[]> {
  const rows: Row[] = [];
  const push = (mode: string, r: { rows: number; elapsed: number }, note: string) => {
    rows.push({ backend: name, mode, rowsPerSecond: Math.round(r.rows / r.elapsed), rows: r.rows, seconds: +r.elapsed.toFixed(2), note });
    process.stderr.write(`  ${name} ${mode}: ${Math.round(r.rows / r.elapsed).toLocaleString('en-US')} rows/s\n`);
  };
  const storage = await openStorage(options);
  try {
    // Baseline: one transaction (one fsync) per share.
    push('1 share per transaction', await timed(Math.min(SECONDS, 2), async () => {
      await storage.store.insertShares([share()]);
      return 1;
    }), 'baseline');
    push(`bulk ${BULK_BATCH} per transaction`, await timed(SECONDS, async () => {
      const batch = Array.from({ length: BULK_BATCH }, share);
      await storage.store.insertShares(batch);
      return batch.length;
    }), 'ceiling');
    const writer = new ShareWriter(storage.store, { flushMs: 5 });
    let acked = 0;
    let stop = false;
    const start = performance.now();
    const appender = async () => {
      while (!stop) {
        await writer.append(share());
        acked++;
      }
    };
    const running = Array.from({ length: APPENDERS }, appender);
    await new Promise((r) => setTimeout(r, SECONDS * 1000));
    stop = true;
    await Promise.all(running);
    await writer.stop();
    const s = writer.stats;
    push(`group commit, ${APPENDERS} appenders`, { rows: acked, elapsed: (performance.now() - start) / 1000 },
      `acknowledged after commit; ${s.committedBatches} batches, avg ${Math.round(s.committedShares / Math.max(1, s.committedBatches))} shares/batch`);
  } finally {
    await storage.close();
  }
  return rows;
}

async function main(): Promise<void> {
  const results: Row[] = [];
  for (const sync of ['FULL', 'NORMAL'] as const) {
    const dir = mkdtempSync(join(tmpdir(), 'otedama-bench-'));
    try {
      results.push(...(await benchBackend(`sqlite (synchronous=${sync})`, { dataDir: dir, synchronous: sync })));
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  }
  if (WITH_PG) {
    let pg: Awaited<ReturnType<typeof providePostgres>> | undefined;
    try {
      pg = await providePostgres({ log: (m) => process.stderr.write(`${m}\n`) });
      const dir = mkdtempSync(join(tmpdir(), 'otedama-bench-'));
      const schema = `otedama_bench_${Date.now().toString(36)}`;
      const { loadPg } = await import('../src/storage/postgres-driver.ts');
      const admin = new (await loadPg()).Pool({ connectionString: pg.url, max: 1 });
      await admin.query(`CREATE SCHEMA ${schema}`);
      const u = new URL(pg.url);
      u.searchParams.set('options', `-c search_path=${schema}`);
      try {
        results.push(...(await benchBackend('postgresql', { databaseUrl: u.toString(), dataDir: dir })));
      } finally {
        await admin.query(`DROP SCHEMA ${schema} CASCADE`);
        await admin.end();
        rmSync(dir, { recursive: true, force: true });
      }
    } catch (err) {
      process.stderr.write(`postgresql skipped: ${(err as Error).message}\n`);
    } finally {
      pg?.stop();
    }
  }
  const w = [28, 34, 12];
  const line = (a: string, b: string, c: string, d: string) => `${a.padEnd(w[0]!)} ${b.padEnd(w[1]!)} ${c.padStart(w[2]!)}  ${d}`;
  process.stdout.write(line('backend', 'mode', 'rows/s', 'note') + '\n');
  for (const r of results) process.stdout.write(line(r.backend, r.mode, r.rowsPerSecond.toLocaleString('en-US'), r.note) + '\n');
  const outDir = fileURLToPath(new URL('../../bench/results/', import.meta.url));
  mkdirSync(outDir, { recursive: true });
  const file = join(outDir, `storage-${new Date().toISOString().replace(/[:.]/g, '-')}.json`);
  writeFileSync(file, JSON.stringify({ bench: 'storage', seconds: SECONDS, node: process.versions.node, results }, null, 2));
  process.stdout.write(`\nwrote ${file}\n`);
}

await main();
