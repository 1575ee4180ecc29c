/**
 * The two storage backends for tests: SQLite in a temporary folder, and PostgreSQL on a real
 * server — OTEDAMA_TEST_DATABASE_URL when it answers, else a throwaway cluster that
 * scripts/postgres.mjs starts (installing PostgreSQL with apt when root). Each test gets its
 * own fresh PostgreSQL schema. The PostgreSQL run is skipped, with the reason, only when no
 * server could be provided; OTEDAMA_REQUIRE_POSTGRES=1 turns that skip into a failure.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { providePostgres, type ProvidedPostgres } from '../../scripts/postgres.mjs';
import { afterEach, beforeEach, describe } from 'vitest';
import { openStorage, type Storage } from '../src/storage/open-storage.ts';
import { loadPg, type PgModule } from '../src/storage/postgres-driver.ts';
import type { Dialect } from '../src/storage/sql-driver.ts';

export interface Backend {
  readonly dialect: Dialect;
  /** Set when this backend cannot run here. */
  readonly skip?: string;
  /** Makes a fresh, empty database and returns how to open it. */
  fresh(): Promise<{ databaseUrl?: string; dataDir: string; cleanup(): Promise<void> }>;
  /** Stops what the backend started (a throwaway PostgreSQL). */
  close(): Promise<void>;
}

export function sqliteBackend(): Backend {
  return {
    dialect: 'sqlite',
    async fresh() {
      const dataDir = mkdtempSync(join(tmpdir(), 'otedama-sqlite-'));
      return { dataDir, cleanup: async () => rmSync(dataDir, { recursive: true, force: true }) };
    },
    async close() {},
  };
}

export async function postgresBackend(): Promise<Backend> {
  let pg: PgModule;
  let server: ProvidedPostgres;
  try {
    pg = await loadPg();
  } catch (err) {
    const cause = (err as { cause?: Error }).cause?.message ?? (err as Error).message;
    return unavailable(`the PostgreSQL client package "pg" is not installed (${cause}); add it to edge/package.json`);
  }
  try {
    server = await providePostgres({ log: () => {} });
  } catch (err) {
    return unavailable(`no PostgreSQL server could be provided: ${(err as Error).message}`);
  }
  let n = 0;
  return {
    dialect: 'postgres',
    async fresh() {
      // A schema per test instead of a database: CREATE DATABASE costs ~0.5 s (a checkpoint),
      // a schema a millisecond. The URL selects it through the search_path startup option.
      const name = `otedama_t${process.pid}_${Date.now().toString(36)}_${n++}`;
      const admin = new pg.Pool({ connectionString: server.url, max: 1 });
      await admin.query(`CREATE SCHEMA ${name}`);
      const u = new URL(server.url);
      u.searchParams.set('options', `-c search_path=${name}`);
      const dataDir = mkdtempSync(join(tmpdir(), 'otedama-pgdata-'));
      return {
        databaseUrl: u.toString(),
        dataDir,
        async cleanup() {
          await admin.query(`DROP SCHEMA IF EXISTS ${name} CASCADE`).catch(() => undefined);
          await admin.end();
          rmSync(dataDir, { recursive: true, force: true });
        },
      };
    },
    async close() {
      server.stop();
    },
  };
}

function unavailable(reason: string): Backend {
  if (process.env.OTEDAMA_REQUIRE_POSTGRES === '1') throw new Error(`OTEDAMA_REQUIRE_POSTGRES=1 but ${reason}`);
  return {
    dialect: 'postgres',
    skip: reason,
    fresh: () => Promise.reject(new Error(reason)),
    close: async () => {},
  };
}

/**
 * Runs `body` once per backend inside a describe block (skipped, with the reason, where the
 * backend cannot run), each test on a fresh database opened as the edge opens it. `body` gets
 * the open storage through a getter (it changes per test).
 */
export function describeOnBackends(what: string, backends: readonly Backend[], body: (storage: () => Storage) => void): void {
  for (const backend of backends) {
    const title = backend.skip ? `${what} on ${backend.dialect} (skipped: ${backend.skip})` : `${what} on ${backend.dialect}`;
    describe.skipIf(Boolean(backend.skip))(title, () => {
      let fresh: Awaited<ReturnType<Backend['fresh']>>;
      let storage: Storage | undefined;
      beforeEach(async () => {
        fresh = await backend.fresh();
        storage = await openStorage({ ...(fresh.databaseUrl ? { databaseUrl: fresh.databaseUrl } : {}), dataDir: fresh.dataDir });
      });
      afterEach(async () => {
        await storage?.close();
        await fresh.cleanup();
      });
      body(() => {
        if (!storage) throw new Error('storage opens in beforeEach; use it inside a test');
        return storage;
      });
    });
  }
}
