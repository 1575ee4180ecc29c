/**
 * The sharechain's table on SQLite and PostgreSQL: real shares (mined for a test pool) written
 * through the group-committed writer, loaded back page by page into a fresh chain that agrees
 * on the tip, the side branch and the window; pruned shares deleted; and migration 4 retiring the
 * custodial balances into legacy_carried_balances.
 */
import { bytesToHex, ShareChain, type ShareEntry } from '@otedama/core';
import { afterAll, describe, expect, it } from 'vitest';
import { extend, testPool } from '../../../core/test/sharechain-fixtures.ts';
import { describeOnBackends, postgresBackend, sqliteBackend, type Backend } from '../../test/storage-backends.ts';
import { ChainStoreWriter, type ChainShareOrigin } from './chain-store.ts';
import { migrate, MIGRATIONS } from './migrations.ts';

const backends: Backend[] = [sqliteBackend(), await postgresBackend()];
afterAll(async () => {
  for (const b of backends) await b.close();
});

function put(entry: ShareEntry, origin: ChainShareOrigin = 'local') {
  return {
    put: {
      id: entry.id,
      parent: entry.parentId,
      height: entry.height,
      chainWork: entry.chainWork,
      receivedAt: 1_700_000_000_000 + entry.height,
      origin,
      status: entry.verified ? ('verified' as const) : ('unverified' as const),
      encoded: entry.encoded,
    },
  };
}

describeOnBackends('the sharechain store', backends, (storage) => {
  it('writes accepted shares, loads them back parents first in pages, and the reloaded chain agrees', async () => {
    const pool = testPool();
    const main = extend(pool, 12);
    // A side branch off share 8 (an uncle candidate and a fork the reload must keep).
    const side = pool.chain.add(
      (() => {
        const sibling = testPool();
        sibling.chain.loadTrusted(main.slice(0, 9).map((e) => e.encoded));
        sibling.now = main[8]!.time + 500;
        return extend(sibling, 1, { payees: [{ script: new Uint8Array([0x00, 0x14, ...new Uint8Array(20).fill(3)]), bp: 10_000 }] })[0]!.encoded;
      })(),
    );
    expect(side.kind).toBe('accepted');
    const entries = [...main, (side as { entry: ShareEntry }).entry];
    const writer = new ChainStoreWriter(storage().chain, { flushMs: 1 });
    // Appended in any order: loading sorts by height.
    await Promise.all([...entries].reverse().map((e, i) => writer.append(put(e, i % 2 ? 'peer' : 'local'))));
    // A share written twice is stored once.
    await writer.append(put(main[0]!));
    expect(await storage().chain.count()).toBe(13);
    expect(await storage().chain.countByOrigin()).toEqual({ local: 7, peer: 6 });
    expect(await storage().chain.has(main[3]!.id)).toBe(true);

    const reloaded = new ShareChain({ params: pool.chain.params, coin: pool.coin, now: () => pool.now });
    const pages: number[] = [];
    const n = await storage().chain.load((page) => {
      pages.push(page.length);
      reloaded.loadTrusted(page);
    }, 5);
    expect(n).toBe(13);
    expect(pages).toEqual([5, 5, 3]);
    expect(bytesToHex(reloaded.tip!.id)).toBe(bytesToHex(pool.chain.tip!.id));
    expect(reloaded.height).toBe(pool.chain.height);
    expect(reloaded.size).toBe(pool.chain.size);
    expect(reloaded.window().credits).toEqual(pool.chain.window().credits);
    expect(reloaded.locator().map(bytesToHex)).toEqual(pool.chain.locator().map(bytesToHex));

    // Pruned shares are deleted through the same queue, after the puts before them.
    await writer.append({ delete: main[0]!.id });
    await writer.append({ delete: main[1]!.id });
    await writer.stop();
    expect(await storage().chain.count()).toBe(11);
    expect(await storage().chain.has(main[0]!.id)).toBe(false);
  });
});

describe('migration 4 retires the carried balances', () => {
  it('renames balances to legacy_carried_balances with its rows, and the store reports what was owed', async () => {
    const backend = sqliteBackend();
    const fresh = await backend.fresh();
    const { openDriver } = await import('./open-storage.ts');
    const { PoolStore } = await import('./pool-store.ts');
    const driver = await openDriver({ dataDir: fresh.dataDir });
    try {
      await migrate(driver, { migrations: MIGRATIONS.slice(0, 3) });
      await driver.run('INSERT INTO balances (address, carried, updated_ms) VALUES (?, ?, ?), (?, ?, ?)', ['a', 1200n, 1, 'b', 34n, 1]);
      const result = await migrate(driver);
      expect(result.applied).toEqual([4]);
      expect(await new PoolStore(driver).legacyCarriedBalances()).toEqual({ addresses: 2, total: 1234n });
      await expect(driver.query('SELECT * FROM balances')).rejects.toThrow(/no such table/);
      expect(await driver.query('SELECT COUNT(*) AS n FROM sharechain_shares')).toEqual([{ n: 0 }]);
    } finally {
      await driver.close();
      await fresh.cleanup();
    }
  });
});
