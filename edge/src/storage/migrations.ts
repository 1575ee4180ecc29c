/**
 * Versioned schema migrations: an ordered list in code, applied in order, each in its own
 * transaction together with its row in `schema_migrations`, so a crash mid-migration leaves
 * the database at the previous version. SQL is written once where both dialects agree and per
 * dialect where they do not. A migration that moves data reports progress for the CLI.
 *
 * Several edges may start at once against one PostgreSQL: each migration takes an advisory
 * transaction lock and re-checks its version, so exactly one edge applies it.
 */
import { StorageError } from '../errors.ts';
import type { Dialect, SqlDriver, SqlExecutor } from './sql-driver.ts';

/** Arbitrary constant key of the PostgreSQL advisory lock that serialises migrations. */
const PG_MIGRATION_LOCK_KEY = 0x07ed_a3a;

export interface MigrationProgress {
  readonly version: number;
  readonly name: string;
  /** 1-based position among the pending migrations, and how many are pending. */
  readonly index: number;
  readonly total: number;
  /** 'start', 'progress' (a data migration's step), or 'done'. */
  readonly phase: 'start' | 'progress' | 'done';
  /** For 'progress': work done and total work (rows, statements). */
  readonly done?: number;
  readonly of?: number;
  readonly elapsedMs: number;
}

export interface Migration {
  readonly version: number;
  readonly name: string;
  /** DDL/DML statements per dialect, or code for data migrations (report progress through `progress`). */
  readonly up: Readonly<Record<Dialect, readonly string[]>> | ((tx: SqlExecutor, progress: (done: number, of: number) => void) => Promise<void>);
}

function both(...statements: string[]): Readonly<Record<Dialect, readonly string[]>> {
  return { sqlite: statements, postgres: statements };
}

/** Integer primary key that the database assigns, monotonic. */
const ID = { sqlite: 'INTEGER PRIMARY KEY', postgres: 'BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY' } as const;

function initialSchema(d: Dialect): string[] {
  return [
    // Accepted shares: one row per share, append-only. difficulty is the share target the
    // miner met (what PPLNS credits); share_diff what its hash achieved. No secondary index on
    // purpose: one on (address, id) halves insert throughput (76k vs 138k rows/s measured with
    // node:sqlite), and every per-miner figure comes from the rollups below; a miner's recent
    // shares are found by scanning back from the newest id.
    `CREATE TABLE shares (
      id ${ID[d]},
      time_ms BIGINT NOT NULL,
      address TEXT NOT NULL,
      worker TEXT NOT NULL,
      difficulty DOUBLE PRECISION NOT NULL,
      share_diff DOUBLE PRECISION NOT NULL,
      job_id TEXT NOT NULL,
      height BIGINT NOT NULL,
      is_block BOOLEAN NOT NULL,
      hash TEXT NOT NULL
    )`,
    // Per-minute rollup of accepted difficulty: hashrate windows (10 min, 1 h, 24 h) read a few
    // rows per worker and minute instead of scanning shares.
    `CREATE TABLE share_minutes (
      minute BIGINT NOT NULL,
      address TEXT NOT NULL,
      worker TEXT NOT NULL,
      shares BIGINT NOT NULL,
      difficulty DOUBLE PRECISION NOT NULL,
      PRIMARY KEY (minute, address, worker)
    )`,
    `CREATE INDEX share_minutes_address ON share_minutes (address, minute)`,
    `CREATE TABLE workers (
      address TEXT NOT NULL,
      worker TEXT NOT NULL,
      first_seen_ms BIGINT NOT NULL,
      last_seen_ms BIGINT NOT NULL,
      shares BIGINT NOT NULL,
      difficulty DOUBLE PRECISION NOT NULL,
      PRIMARY KEY (address, worker)
    )`,
    `CREATE TABLE blocks (
      hash TEXT PRIMARY KEY,
      height BIGINT NOT NULL,
      time_ms BIGINT NOT NULL,
      reward BIGINT NOT NULL,
      status TEXT NOT NULL CHECK (status IN ('pending', 'confirmed', 'orphaned')),
      finder TEXT NOT NULL,
      worker TEXT NOT NULL
    )`,
    `CREATE INDEX blocks_height ON blocks (height)`,
    // The coinbase outputs of each found block, in coinbase order (what PPLNS computed).
    `CREATE TABLE payouts (
      block_hash TEXT NOT NULL REFERENCES blocks (hash),
      output_index INTEGER NOT NULL,
      address TEXT NOT NULL,
      value BIGINT NOT NULL,
      kind TEXT NOT NULL CHECK (kind IN ('pool', 'miner')),
      credit BIGINT NOT NULL,
      carried_paid BIGINT NOT NULL,
      PRIMARY KEY (block_hash, output_index)
    )`,
    `CREATE INDEX payouts_address ON payouts (address)`,
    // Balances below the minimum payout, carried to the next block (PPLNS input).
    `CREATE TABLE balances (
      address TEXT PRIMARY KEY,
      carried BIGINT NOT NULL,
      updated_ms BIGINT NOT NULL
    )`,
  ];
}

/**
 * One row per share hash. Before this, the same header submitted under several job ids of one
 * template was credited once per id (issue 9); those extra rows are removed (the first row of a
 * hash is kept) and taken out of the rollups, then a UNIQUE index makes the database refuse a
 * second row for a hash, whoever inserts it. It costs insert throughput (an index to maintain;
 * see edge/README's storage figures), which is the price of never crediting a share twice.
 */
async function uniqueShareHashes(tx: SqlExecutor, progress: (done: number, of: number) => void): Promise<void> {
  const rows = await tx.query(
    `SELECT id, hash, time_ms, address, worker, difficulty FROM shares
     WHERE hash IN (SELECT hash FROM shares GROUP BY hash HAVING COUNT(*) > 1) ORDER BY hash, id`,
  );
  const extra = rows.filter((r, i) => i > 0 && String(rows[i - 1]!.hash) === String(r.hash));
  for (const [k, r] of extra.entries()) {
    const minute = Math.floor(Number(r.time_ms) / 60_000);
    await tx.run('DELETE FROM shares WHERE id = ?', [Number(r.id)]);
    await tx.run('UPDATE share_minutes SET shares = shares - 1, difficulty = difficulty - ? WHERE minute = ? AND address = ? AND worker = ?',
      [Number(r.difficulty), minute, String(r.address), String(r.worker)]);
    await tx.run('UPDATE workers SET shares = shares - 1, difficulty = difficulty - ? WHERE address = ? AND worker = ?',
      [Number(r.difficulty), String(r.address), String(r.worker)]);
    if (k % 1000 === 999) progress(k + 1, extra.length);
  }
  if (extra.length) progress(extra.length, extra.length);
  await tx.exec('CREATE UNIQUE INDEX shares_hash ON shares (hash)');
}

/**
 * The found-block write-ahead log: a block the pool found is written here, with the payouts and
 * carried balances its coinbase stands for, before it is submitted to the node; recording it
 * (blocks, payouts, balances) deletes the row in the same transaction. A row left after a crash
 * is a block the node may have accepted while the edge was dying: the reconciler settles it at
 * the next start (issue 9: a SIGKILL between the chain accepting a block and the edge recording
 * it lost 49.5 BTC of payouts from the books).
 */
const BLOCK_SUBMISSIONS = both(`CREATE TABLE block_submissions (
  hash TEXT PRIMARY KEY,
  height BIGINT NOT NULL,
  time_ms BIGINT NOT NULL,
  reward BIGINT NOT NULL,
  finder TEXT NOT NULL,
  worker TEXT NOT NULL,
  plan TEXT NOT NULL
)`);

/** Every migration, in order. Append only: never edit one that has shipped. */
export const MIGRATIONS: readonly Migration[] = [
  { version: 1, name: 'initial schema: shares, share_minutes, workers, blocks, payouts, balances', up: { sqlite: initialSchema('sqlite'), postgres: initialSchema('postgres') } },
  { version: 2, name: 'one row per share hash: duplicate rows removed, UNIQUE index on shares.hash', up: uniqueShareHashes },
  { version: 3, name: 'found-block write-ahead log: block_submissions', up: BLOCK_SUBMISSIONS },
];

export interface MigrateOptions {
  readonly migrations?: readonly Migration[];
  readonly onProgress?: (p: MigrationProgress) => void;
  /** Clock for applied_ms and elapsed times (tests). */
  readonly now?: () => number;
}

export interface MigrateResult {
  readonly from: number;
  readonly to: number;
  readonly applied: readonly number[];
}

const CREATE_MIGRATIONS_TABLE = both(`CREATE TABLE IF NOT EXISTS schema_migrations (
  version INTEGER PRIMARY KEY,
  name TEXT NOT NULL,
  applied_ms BIGINT NOT NULL
)`);

/** The highest applied version (0 for an empty database). */
export async function schemaVersion(db: SqlExecutor): Promise<number> {
  const rows = await db.query<{ v: unknown }>('SELECT MAX(version) AS v FROM schema_migrations');
  return Number(rows[0]?.v ?? 0);
}

/** Applies every pending migration; refuses a database that is newer than this code. */
export async function migrate(db: SqlDriver, options: MigrateOptions = {}): Promise<MigrateResult> {
  const migrations = options.migrations ?? MIGRATIONS;
  const now = options.now ?? Date.now;
  checkOrder(migrations);
  await db.transaction(async (tx) => {
    if (db.dialect === 'postgres') await tx.query('SELECT pg_advisory_xact_lock(?)', [PG_MIGRATION_LOCK_KEY]);
    for (const s of CREATE_MIGRATIONS_TABLE[db.dialect]) await tx.exec(s);
  });
  const from = await schemaVersion(db);
  const latest = migrations.at(-1)?.version ?? 0;
  if (from > latest) {
    throw new StorageError('migrate', `the database ${db.description} has schema version ${from}, newer than this otedama knows (${latest}); upgrade otedama or use another database`);
  }
  const pending = migrations.filter((m) => m.version > from);
  const applied: number[] = [];
  for (const [i, m] of pending.entries()) {
    const started = now();
    const report = (phase: MigrationProgress['phase'], done?: number, of?: number) =>
      options.onProgress?.({ version: m.version, name: m.name, index: i + 1, total: pending.length, phase, elapsedMs: now() - started, ...(done !== undefined ? { done, of } : {}) });
    report('start');
    const didApply = await db.transaction(async (tx) => {
      if (db.dialect === 'postgres') await tx.query('SELECT pg_advisory_xact_lock(?)', [PG_MIGRATION_LOCK_KEY]);
      const already = await tx.query('SELECT version FROM schema_migrations WHERE version = ?', [m.version]);
      if (already.length) return false; // another edge applied it while we waited for the lock
      try {
        if (typeof m.up === 'function') {
          await m.up(tx, (done, of) => report('progress', done, of));
        } else {
          const statements = m.up[db.dialect];
          for (const [k, s] of statements.entries()) {
            await tx.exec(s);
            if (statements.length > 1) report('progress', k + 1, statements.length);
          }
        }
      } catch (err) {
        throw new StorageError('migrate', `migration ${m.version} (${m.name}) failed on ${db.description}: ${(err as Error).message}; the database is left at version ${m.version - 1}`, { cause: err });
      }
      await tx.run('INSERT INTO schema_migrations (version, name, applied_ms) VALUES (?, ?, ?)', [m.version, m.name, now()]);
      return true;
    });
    if (didApply) applied.push(m.version);
    report('done');
  }
  return { from, to: Math.max(from, latest), applied };
}

function checkOrder(migrations: readonly Migration[]): void {
  migrations.forEach((m, i) => {
    if (m.version !== i + 1) throw new StorageError('migrate', `migration list is out of order: entry ${i} has version ${m.version}, expected ${i + 1}`);
  });
}
