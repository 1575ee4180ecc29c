import { HASHES_PER_DIFFICULTY_1 } from '@otedama/core';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeEach, describe, expect, it } from 'vitest';
import { postgresBackend, sqliteBackend, type Backend } from '../../test/storage-backends.ts';
import { StorageError } from '../errors.ts';
import { migrate, MIGRATIONS, schemaVersion, type Migration, type MigrationProgress } from './migrations.ts';
import { openDriver, openStorage, type Storage } from './open-storage.ts';
import { MINUTE_MS, type ShareRecord } from './pool-store.ts';

const backends: Backend[] = [sqliteBackend(), await postgresBackend()];
afterAll(async () => {
  for (const b of backends) await b.close();
});

const T0 = Date.UTC(2025, 0, 1, 12, 0, 0);

function share(over: Partial<ShareRecord> = {}, i = 0): ShareRecord {
  return {
    time: T0,
    address: 'bcrt1qminer',
    worker: 'rig1',
    difficulty: 1,
    shareDiff: 1.5,
    jobId: `job${i}`,
    height: 101,
    isBlock: false,
    hash: i.toString(16).padStart(64, '0'),
    ...over,
  };
}

for (const backend of backends) {
  const title = backend.skip ? `storage on ${backend.dialect} (skipped: ${backend.skip})` : `storage on ${backend.dialect}`;
  describe.skipIf(Boolean(backend.skip))(title, () => {
    let fresh: Awaited<ReturnType<Backend['fresh']>>;
    let storage: Storage;

    beforeEach(async () => {
      fresh = await backend.fresh();
      storage = await openStorage({ ...(fresh.databaseUrl ? { databaseUrl: fresh.databaseUrl } : {}), dataDir: fresh.dataDir });
    });
    afterEach(async () => {
      await storage.close();
      await fresh.cleanup();
    });

    describe('migrations', () => {
      it('brings an empty database to the latest version, then does nothing', async () => {
        expect(storage.migration).toEqual({ from: 0, to: MIGRATIONS.length, applied: MIGRATIONS.map((m) => m.version) });
        expect(await schemaVersion(storage.driver)).toBe(MIGRATIONS.length);
        const again = await migrate(storage.driver);
        expect(again.applied).toEqual([]);
      });

      it('reports progress for each pending migration', async () => {
        const events: MigrationProgress[] = [];
        const extra: Migration[] = [
          ...MIGRATIONS,
          {
            version: MIGRATIONS.length + 1,
            name: 'backfill',
            up: async (tx, progress) => {
              await tx.exec('CREATE TABLE t_backfill (n INTEGER)');
              for (let i = 1; i <= 3; i++) {
                await tx.run('INSERT INTO t_backfill (n) VALUES (?)', [i]);
                progress(i, 3);
              }
            },
          },
        ];
        await migrate(storage.driver, { migrations: extra, onProgress: (p) => events.push(p) });
        expect(events.map((e) => [e.phase, e.done ?? null])).toEqual([['start', null], ['progress', 1], ['progress', 2], ['progress', 3], ['done', null]]);
        expect(events[0]).toMatchObject({ version: MIGRATIONS.length + 1, index: 1, total: 1 });
      });

      it('rolls a failing migration back and keeps the previous version', async () => {
        const bad: Migration[] = [
          ...MIGRATIONS,
          { version: MIGRATIONS.length + 1, name: 'broken', up: { sqlite: ['CREATE TABLE t_half (x INTEGER)', 'NOT SQL'], postgres: ['CREATE TABLE t_half (x INTEGER)', 'NOT SQL'] } },
        ];
        const err = await migrate(storage.driver, { migrations: bad }).catch((e: unknown) => e);
        expect(err).toBeInstanceOf(StorageError);
        expect((err as StorageError).reason).toMatch(new RegExp(`migration ${MIGRATIONS.length + 1} \\(broken\\) failed.*left at version ${MIGRATIONS.length}`));
        expect(await schemaVersion(storage.driver)).toBe(MIGRATIONS.length);
        // The half-applied table is gone with the rollback.
        const probe = await storage.driver.query('SELECT 1 AS x FROM t_half').catch((e: unknown) => e);
        expect(probe).toBeInstanceOf(StorageError);
      });

      it('v2 removes the extra rows of a share hash (keeping the first) and their rollup counts, then refuses a second row', async () => {
        const f = await backend.fresh();
        const driver = await openDriver({ ...(f.databaseUrl ? { databaseUrl: f.databaseUrl } : {}), dataDir: f.dataDir });
        try {
          await migrate(driver, { migrations: MIGRATIONS.slice(0, 1) });
          // What the old edge wrote for 3 shares replayed under 3 job ids each: 9 rows, 3 hashes.
          for (let i = 0; i < 9; i++) {
            await driver.run('INSERT INTO shares (time_ms, address, worker, difficulty, share_diff, job_id, height, is_block, hash) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)',
              [T0, 'a', 'w', 2, 3, `job${i % 3}`, 101, false, `h${Math.floor(i / 3)}`]);
          }
          await driver.run('INSERT INTO share_minutes (minute, address, worker, shares, difficulty) VALUES (?, ?, ?, ?, ?)', [Math.floor(T0 / MINUTE_MS), 'a', 'w', 9, 18]);
          await driver.run('INSERT INTO workers (address, worker, first_seen_ms, last_seen_ms, shares, difficulty) VALUES (?, ?, ?, ?, ?, ?)', ['a', 'w', T0, T0, 9, 18]);
          const r = await migrate(driver);
          expect(r.applied).toEqual(MIGRATIONS.slice(1).map((m) => m.version));
          const rows = await driver.query('SELECT hash, job_id FROM shares ORDER BY id');
          expect(rows.map((x) => [x.hash, x.job_id])).toEqual([['h0', 'job0'], ['h1', 'job0'], ['h2', 'job0']]);
          expect(Number((await driver.query('SELECT shares FROM share_minutes'))[0]!.shares)).toBe(3);
          expect(Number((await driver.query('SELECT difficulty FROM workers'))[0]!.difficulty)).toBe(6);
          const err = await driver.run('INSERT INTO shares (time_ms, address, worker, difficulty, share_diff, job_id, height, is_block, hash) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)',
            [T0, 'b', 'w', 1, 1, 'other', 101, false, 'h0']).catch((e: unknown) => e);
          expect(err).toBeInstanceOf(StorageError);
          expect((err as StorageError).reason).toMatch(/UNIQUE|unique/);
        } finally {
          await driver.close();
          await f.cleanup();
        }
      });

      it('refuses a database newer than the code', async () => {
        await storage.driver.run('INSERT INTO schema_migrations (version, name, applied_ms) VALUES (?, ?, ?)', [99, 'future', 0]);
        const err = await migrate(storage.driver).catch((e: unknown) => e);
        expect(err).toBeInstanceOf(StorageError);
        expect((err as StorageError).reason).toMatch(/schema version 99, newer than this otedama knows/);
      });
    });

    describe('shares', () => {
      it('stores shares, lists them newest first and gives the PPLNS window oldest first', async () => {
        const shares = Array.from({ length: 10 }, (_, i) => share({ time: T0 + i, difficulty: i + 1, address: i % 2 ? 'a' : 'b', isBlock: i === 9 }, i));
        await storage.store.insertShares(shares);
        expect(await storage.store.shareCount()).toBe(10);
        const listed = await storage.store.listShares({ limit: 3 });
        expect(listed.map((s) => s.jobId)).toEqual(['job9', 'job8', 'job7']);
        expect(listed[0]).toMatchObject({ address: 'a', worker: 'rig1', difficulty: 10, shareDiff: 1.5, height: 101, isBlock: true, time: T0 + 9 });
        expect(listed[1]!.isBlock).toBe(false);
        expect(await storage.store.recentShares(3)).toEqual([
          { address: 'a', difficulty: 8 },
          { address: 'b', difficulty: 9 },
          { address: 'a', difficulty: 10 },
        ]);
        expect((await storage.store.listShares({ address: 'b' })).length).toBe(5);
        expect(await storage.store.hasShareHash(shares[4]!.hash)).toBe(true);
        expect(await storage.store.hasShareHash('f'.repeat(64))).toBe(false);
      });

      it('refuses a second row for a share hash, in one batch or later, and counts it once in the rollups', async () => {
        const a = share({ time: T0, difficulty: 4, jobId: 'j1' }, 1);
        expect(await storage.store.insertShares([a, share({ time: T0, difficulty: 4 }, 2), { ...a, jobId: 'j2' }])).toEqual({ refused: [2] });
        expect(await storage.store.insertShares([{ ...a, jobId: 'j3', address: 'other' }, share({ time: T0 }, 3)])).toEqual({ refused: [0] });
        expect(await storage.store.shareCount()).toBe(3);
        expect((await storage.store.listShares({ address: 'other' })).length).toBe(0);
        const detail = await storage.store.minerDetail('bcrt1qminer', T0 + 1000);
        expect(detail!.shares).toBe(3);
        expect(detail!.workerStats[0]!.difficulty).toBe(9);
        expect(await storage.store.minerDetail('other', T0)).toBeUndefined();
      });

      it('a failed transaction stores nothing', async () => {
        const err = await storage.driver
          .transaction(async (tx) => {
            await tx.run('INSERT INTO balances (address, carried, updated_ms) VALUES (?, ?, ?)', ['x', 5n, 0]);
            throw new Error('boom');
          })
          .catch((e: unknown) => e);
        expect(err).toBeInstanceOf(Error);
        expect(await storage.store.balances()).toEqual(new Map());
      });

      it('concurrent batches all land', async () => {
        await Promise.all(Array.from({ length: 8 }, (_, b) => storage.store.insertShares(Array.from({ length: 50 }, (_, i) => share({}, b * 50 + i)))));
        expect(await storage.store.shareCount()).toBe(400);
      });
    });

    describe('hashrate and miners', () => {
      it('estimates hashrate from accepted difficulty per minute', async () => {
        const now = T0 + 30 * MINUTE_MS + 30_000; // half-way into a minute
        const shares: ShareRecord[] = [];
        // 'a': difficulty 2 every minute for the last 30 minutes (incl. the current one), two workers.
        for (let m = 0; m <= 30; m++) shares.push(share({ address: 'a', worker: m % 2 ? 'w1' : 'w2', difficulty: 2, time: T0 + m * MINUTE_MS }, m));
        // 'b': one share 5 hours ago.
        shares.push(share({ address: 'b', worker: 'x', difficulty: 100, time: now - 5 * 3600_000 }, 99));
        await storage.store.insertShares(shares);
        const H = HASHES_PER_DIFFICULTY_1;
        const stats = await storage.store.poolStats(now);
        // 10-minute window: the current minute and 9 before it: 10 shares of difficulty 2 over 9.5 minutes.
        expect(stats.hashrate.m10).toBeCloseTo((20 * H) / 570, 3);
        // The hour: the pool's first share ever came at T0, 30.5 minutes ago: that is the time observed.
        expect(stats.hashrate.h1).toBeCloseTo((62 * H) / (30.5 * 60), 3);
        // The day: from b's share 5 hours ago.
        expect(stats.hashrate.h24).toBeCloseTo(((62 + 100) * H) / (5 * 3600), 3);
        expect(stats.hashrate.seconds).toEqual({ m10: 570, h1: 30.5 * 60, h24: 5 * 3600 });
        expect(stats.activeMiners).toBe(1);
        expect(stats.activeWorkers).toBe(2);
        expect(stats.sharesTotal).toBe(32);
        expect(stats.sharesLast24h).toBe(32);

        const miners = await storage.store.listMiners({}, now);
        expect(miners.map((m) => m.address)).toEqual(['a', 'b']);
        expect(miners[0]).toMatchObject({ workers: 2, shares: 31, balance: 0n, lastSeen: T0 + 30 * MINUTE_MS });
        expect(miners[1]!.hashrate.m10).toBe(0);

        const detail = await storage.store.minerDetail('a', now);
        expect(detail).toBeDefined();
        expect(detail!.workerStats.map((w) => [w.worker, w.shares])).toEqual([['w1', 15], ['w2', 16]]);
        expect(detail!.hashrate.m10).toBeCloseTo(stats.hashrate.m10, 3);
        expect(detail!.firstSeen).toBe(T0);
        expect(await storage.store.minerDetail('nobody', now)).toBeUndefined();
      });
    });

    describe('blocks, payouts and balances', () => {
      const block = { hash: 'ab'.repeat(32), height: 120, time: T0, reward: 21_000_000n * 100_000_000n, status: 'pending' as const, finder: 'a', worker: 'rig1' };
      const payouts = [
        { outputIndex: 0, address: 'pool', value: 1_000_000n, kind: 'pool' as const, credit: 900_000n, carriedPaid: 0n },
        { outputIndex: 1, address: 'a', value: 2_099_999_999_000_000n, kind: 'miner' as const, credit: 2_099_999_999_000_000n, carriedPaid: 0n },
      ];

      it('records a block with its payouts and replaces carried balances, exactly once', async () => {
        await storage.driver.run('INSERT INTO balances (address, carried, updated_ms) VALUES (?, ?, ?)', ['old', 7n, 0]);
        expect(await storage.store.recordBlock(block, payouts, new Map([['b', 100_000n], ['zero', 0n]]), T0)).toBe(true);
        expect(await storage.store.recordBlock(block, payouts, new Map(), T0)).toBe(false);
        expect(await storage.store.balances()).toEqual(new Map([['b', 100_000n]]));
        expect(await storage.store.balance('b')).toBe(100_000n);
        expect(await storage.store.balance('old')).toBe(0n);
        expect(await storage.store.getBlock(block.hash)).toEqual(block);
        const listed = await storage.store.listPayouts();
        expect(listed.map((p) => [p.outputIndex, p.address, p.value])).toEqual([[0, 'pool', 1_000_000n], [1, 'a', 2_099_999_999_000_000n]]);
        expect(listed[1]).toMatchObject({ height: 120, time: T0, status: 'pending', blockHash: block.hash, credit: 2_099_999_999_000_000n });
        expect((await storage.store.listPayouts({ address: 'a' })).length).toBe(1);
        const stats = await storage.store.poolStats(T0);
        expect(stats.blocksFound).toBe(1);
        expect(stats.lastBlock).toEqual(block);
        expect(stats.paidTotal).toBe(2_099_999_999_000_000n);
        expect(stats.carriedTotal).toBe(100_000n);
        await storage.store.setBlockStatus(block.hash, 'orphaned');
        expect((await storage.store.poolStats(T0)).blocksFound).toBe(0);
        expect((await storage.store.listBlocks())[0]!.status).toBe('orphaned');
        await expect(storage.store.setBlockStatus('00'.repeat(32), 'confirmed')).rejects.toBeInstanceOf(StorageError);
      });
    });
  });
}

describe('storage errors', () => {
  it('an unreachable PostgreSQL URL fails at open with a reason that hides the password', async () => {
    const err = await openDriver({ databaseUrl: 'postgres://u:secret@127.0.0.1:1/db', dataDir: '/nonexistent' }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(StorageError);
    const reason = (err as StorageError).reason;
    // Either pg is missing (a clear install hint) or the connection is refused.
    expect(reason).toMatch(/cannot connect to PostgreSQL at postgres:\/\/u:\*\*\*@127\.0\.0\.1:1\/db|"pg" could not be loaded/);
    expect(reason).not.toContain('secret');
  });

  it('an unusable SQLite folder fails at open with the path', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'otedama-notadir-'));
    const file = join(dir, 'file');
    writeFileSync(file, 'not a folder');
    try {
      const err = await openDriver({ dataDir: join(file, 'data') }).catch((e: unknown) => e);
      expect(err).toBeInstanceOf(StorageError);
      expect((err as StorageError).reason).toContain(`cannot open the SQLite database ${join(file, 'data', 'otedama.db')}`);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
