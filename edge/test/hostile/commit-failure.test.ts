/**
 * Hostile (the database lets the pool down): bookkeeping after the commit (issue 9, item 8).
 * Before the fix a share entered the duplicate set, the counters and vardiff before its commit,
 * so a failed commit left a share that was neither recorded nor resubmittable ("Duplicate").
 * Here real databases fail real commits: SQLite locked by another writer past the edge's busy
 * timeout, and a PostgreSQL connection killed in the middle of the edge's transaction. The share
 * must be answered "not recorded", counted nowhere, and accepted once when submitted again.
 */
import { join } from 'node:path';
import { DatabaseSync } from 'node:sqlite';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { loadPg, type PgModule } from '../../src/storage/postgres-driver.ts';
import { postgresBackend, type Backend } from '../storage-backends.ts';
import { TEST_DIFFICULTY, findShare } from '../stratum-harness.ts';
import { login, submitLine, tracked, until } from './hostile-edge.ts';

const { edge, client } = tracked(afterEach);
const cleanup: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  for (const f of cleanup.splice(0).reverse()) await f();
});
const pg: Backend = await postgresBackend();
afterAll(() => pg.close());

const NOT_RECORDED = [20, 'share could not be recorded; submit it again', null];

describe('hostile: commits that fail', () => {
  it('SQLite locked by another writer: the share is not counted, and is accepted when submitted again', async () => {
    const e = await edge();
    const c = await client(e.stratumPort);
    const { en1, job } = await login(c);
    const share = await findShare(job, en1, '00000000', TEST_DIFFICULTY);

    // Another connection takes the database's write lock and holds it past the edge's busy
    // timeout (SQLite locks connections out of each other in one process as across processes).
    const other = new DatabaseSync(join(e.dataDir, 'otedama.db'));
    other.exec('BEGIN EXCLUSIVE');
    try {
      c.sendLine(submitLine(job, '00000000', share.nonce));
      expect((await c.reply(30_000)).error).toEqual(NOT_RECORDED);
    } finally {
      other.exec('ROLLBACK');
      other.close();
    }
    expect(e.stats()).toMatchObject({ sharesAccepted: 0, rejectedByReason: { 'not-recorded': 1 } });
    // The database is back: the same share is accepted, once.
    c.sendLine(submitLine(job, '00000000', share.nonce));
    expect(await c.reply()).toEqual({ id: 4, result: true, error: null });
    c.sendLine(submitLine(job, '00000000', share.nonce));
    expect((await c.reply()).error[1]).toBe('Duplicate share');
    expect(e.stats().sharesAccepted).toBe(1);
    expect((await e.get('/api/pool/stats')).sharesTotal).toBe(1);
  });

  it.skipIf(Boolean(pg.skip))(`PostgreSQL connection killed mid-commit: the same${pg.skip ? ` (skipped: ${pg.skip})` : ''}`, async () => {
    const fresh = await pg.fresh();
    cleanup.push(() => fresh.cleanup());
    const e = await edge((c) => {
      c.storage.databaseUrl = fresh.databaseUrl!;
    });
    const pgm: PgModule = await loadPg();
    const admin = new pgm.Pool({ connectionString: fresh.databaseUrl!, max: 2 }); // one holds the lock, one watches
    cleanup.push(() => admin.end());
    const lock = await admin.connect();
    cleanup.push(() => lock.release());

    const c = await client(e.stratumPort);
    const { en1, job } = await login(c);
    const share = await findShare(job, en1, '00000000', TEST_DIFFICULTY);
    // Hold the table so the edge's insert waits inside its transaction, then kill its connection.
    await lock.query('BEGIN');
    await lock.query('LOCK TABLE shares IN ACCESS EXCLUSIVE MODE');
    c.sendLine(submitLine(job, '00000000', share.nonce));
    let victims: number[] = [];
    await until(async () => {
      const r = await admin.query("SELECT pid FROM pg_stat_activity WHERE application_name = 'otedama-edge' AND wait_event_type = 'Lock'");
      victims = r.rows.map((x) => Number(x.pid));
      return victims.length > 0;
    }, 10_000, "the edge's insert to wait on the lock");
    for (const pid of victims) await admin.query('SELECT pg_terminate_backend($1)', [pid]);
    await lock.query('ROLLBACK');
    expect((await c.reply(10_000)).error).toEqual(NOT_RECORDED);
    expect(e.stats()).toMatchObject({ sharesAccepted: 0, rejectedByReason: { 'not-recorded': 1 } });
    c.sendLine(submitLine(job, '00000000', share.nonce));
    expect(await c.reply(10_000)).toEqual({ id: 4, result: true, error: null });
    expect(e.stats().sharesAccepted).toBe(1);
    expect((await e.get('/api/pool/stats')).sharesTotal).toBe(1);
  });
});
