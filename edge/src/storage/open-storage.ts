/**
 * Opens the pool's database from the configuration: PostgreSQL when a database URL is set,
 * otherwise the embedded SQLite file `otedama.db` in the data folder; then brings the schema
 * up to date (with progress) and returns the typed stores (the pool's books, the sharechain).
 */
import { join } from 'node:path';
import { ChainStore } from './chain-store.ts';
import { migrate, type MigrateResult, type MigrationProgress } from './migrations.ts';
import { PoolStore } from './pool-store.ts';
import { PostgresDriver, type PgModule } from './postgres-driver.ts';
import type { SqlDriver } from './sql-driver.ts';
import { SqliteDriver } from './sqlite-driver.ts';

/** File name of the embedded database inside the data folder. */
export const SQLITE_FILE_NAME = 'otedama.db';

export interface OpenStorageOptions {
  /** postgres://… ; empty or absent: SQLite in `dataDir`. */
  readonly databaseUrl?: string;
  readonly dataDir: string;
  /** SQLite only: 'FULL' (default) or 'NORMAL'. */
  readonly synchronous?: 'FULL' | 'NORMAL';
  readonly onMigrationProgress?: (p: MigrationProgress) => void;
  /** Idle PostgreSQL connection errors (server restarts). */
  readonly onIdleError?: (err: Error) => void;
  /** Inject the `pg` module (tests). */
  readonly pg?: PgModule;
}

export interface Storage {
  readonly driver: SqlDriver;
  readonly store: PoolStore;
  /** The sharechain's shares (sharechain_shares). */
  readonly chain: ChainStore;
  readonly migration: MigrateResult;
  close(): Promise<void>;
}

export async function openDriver(options: OpenStorageOptions): Promise<SqlDriver> {
  if (options.databaseUrl) {
    return PostgresDriver.connect({
      url: options.databaseUrl,
      ...(options.pg ? { pg: options.pg } : {}),
      ...(options.onIdleError ? { onIdleError: options.onIdleError } : {}),
    });
  }
  return new SqliteDriver({ path: join(options.dataDir, SQLITE_FILE_NAME), ...(options.synchronous ? { synchronous: options.synchronous } : {}) });
}

export async function openStorage(options: OpenStorageOptions): Promise<Storage> {
  const driver = await openDriver(options);
  let migration: MigrateResult;
  try {
    migration = await migrate(driver, options.onMigrationProgress ? { onProgress: options.onMigrationProgress } : {});
  } catch (err) {
    await driver.close().catch(() => undefined);
    throw err;
  }
  const store = new PoolStore(driver);
  let closed = false;
  return {
    driver,
    store,
    chain: new ChainStore(driver),
    migration,
    async close() {
      if (closed) return;
      closed = true;
      await driver.close();
    },
  };
}
