/**
 * The embedded database: SQLite through Node 22's built-in `node:sqlite` (no native addon to
 * build, ~50 MB RSS). One connection, statements cached, and an async mutex so a transaction's
 * statements never interleave with anyone else's.
 *
 * Durability: WAL journal with `synchronous=FULL`. In WAL mode NORMAL only syncs at
 * checkpoints, so a commit survives a process crash (SIGKILL) but can be lost on power loss
 * or a kernel panic; FULL fsyncs the WAL on every commit. Shares are acknowledged to miners
 * only after their commit ("accepted means durable"), and group commit (share-writer.ts) pays
 * one fsync per batch, not per share, so FULL costs little throughput.
 */
import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import { DatabaseSync, type StatementSync } from 'node:sqlite';
import { StorageError } from '../errors.ts';
import type { SqlDriver, SqlExecutor, SqlRow, SqlValue } from './sql-driver.ts';

/** Milliseconds a statement waits for another process's write lock before failing. */
const BUSY_TIMEOUT_MS = 5_000;

export interface SqliteOptions {
  /** Database file path, or ':memory:'. */
  readonly path: string;
  /** 'FULL' (default, durable across power loss) or 'NORMAL' (durable across process crashes). */
  readonly synchronous?: 'FULL' | 'NORMAL';
}

type Bindable = string | number | bigint | null;

function bind(params: readonly SqlValue[]): Bindable[] {
  return params.map((v) => {
    if (typeof v === 'boolean') return v ? 1 : 0;
    if (Array.isArray(v)) throw new StorageError('query', 'SQLite cannot bind an array parameter');
    return v as Bindable;
  });
}

/** A FIFO async mutex: `run` waits for every earlier holder. */
class Mutex {
  private tail: Promise<unknown> = Promise.resolve();
  run<T>(fn: () => Promise<T> | T): Promise<T> {
    const result = this.tail.then(fn);
    this.tail = result.catch(() => undefined);
    return result;
  }
}

export class SqliteDriver implements SqlDriver {
  readonly dialect = 'sqlite' as const;
  readonly description: string;
  private readonly db: DatabaseSync;
  private readonly statements = new Map<string, StatementSync>();
  private readonly lock = new Mutex();
  private readonly direct: SqlExecutor;
  private closed = false;

  constructor(options: SqliteOptions) {
    this.description = `sqlite:${options.path}`;
    try {
      if (options.path !== ':memory:') mkdirSync(dirname(options.path), { recursive: true });
      this.db = new DatabaseSync(options.path, { timeout: BUSY_TIMEOUT_MS });
      this.db.exec('PRAGMA journal_mode = WAL');
      this.db.exec(`PRAGMA synchronous = ${options.synchronous ?? 'FULL'}`);
      this.db.exec('PRAGMA foreign_keys = ON');
      this.db.exec(`PRAGMA busy_timeout = ${BUSY_TIMEOUT_MS}`);
    } catch (err) {
      throw new StorageError('open', `cannot open the SQLite database ${options.path}: ${(err as Error).message} (check that the folder is writable)`, { cause: err });
    }
    const self = this;
    this.direct = {
      dialect: 'sqlite',
      query: async <R extends SqlRow = SqlRow>(sql: string, params: readonly SqlValue[] = []) => self.querySync(sql, params) as R[],
      run: async (sql, params = []) => self.runSync(sql, params),
      runMany: async (sql, rows) => self.runManySync(sql, rows),
      exec: async (script) => self.execSync(script),
    };
  }

  query<R extends SqlRow = SqlRow>(sql: string, params: readonly SqlValue[] = []): Promise<R[]> {
    return this.lock.run(() => this.querySync(sql, params) as R[]);
  }

  run(sql: string, params: readonly SqlValue[] = []): Promise<number> {
    return this.lock.run(() => this.runSync(sql, params));
  }

  runMany(sql: string, rows: readonly (readonly SqlValue[])[]): Promise<number[]> {
    return this.lock.run(() => this.runManySync(sql, rows));
  }

  exec(script: string): Promise<void> {
    return this.lock.run(() => this.execSync(script));
  }

  transaction<T>(fn: (tx: SqlExecutor) => Promise<T>): Promise<T> {
    return this.lock.run(async () => {
      this.ensureOpen();
      this.db.exec('BEGIN IMMEDIATE');
      try {
        const result = await fn(this.direct);
        this.db.exec('COMMIT');
        return result;
      } catch (err) {
        try {
          this.db.exec('ROLLBACK');
        } catch {
          // The transaction may already be gone (SQLite rolls back on some errors by itself).
        }
        throw err;
      }
    });
  }

  close(): Promise<void> {
    return this.lock.run(() => {
      if (this.closed) return;
      this.closed = true;
      this.statements.clear();
      this.db.close();
    });
  }

  private ensureOpen(): void {
    if (this.closed) throw new StorageError('query', `the database ${this.description} is closed`);
  }

  private statement(sql: string): StatementSync {
    this.ensureOpen();
    let s = this.statements.get(sql);
    if (!s) {
      try {
        s = this.db.prepare(sql);
      } catch (err) {
        throw new StorageError('query', `SQLite rejected a statement: ${(err as Error).message}`, { cause: err });
      }
      this.statements.set(sql, s);
    }
    return s;
  }

  private querySync(sql: string, params: readonly SqlValue[]): SqlRow[] {
    return this.wrap(() => this.statement(sql).all(...bind(params)) as SqlRow[]);
  }

  private runSync(sql: string, params: readonly SqlValue[]): number {
    return this.wrap(() => Number(this.statement(sql).run(...bind(params)).changes));
  }

  private runManySync(sql: string, rows: readonly (readonly SqlValue[])[]): number[] {
    const s = this.statement(sql);
    return this.wrap(() => rows.map((row) => Number(s.run(...bind(row)).changes)));
  }

  private execSync(script: string): void {
    this.ensureOpen();
    this.wrap(() => this.db.exec(script));
  }

  private wrap<T>(fn: () => T): T {
    try {
      return fn();
    } catch (err) {
      if (err instanceof StorageError) throw err;
      throw new StorageError('query', `SQLite: ${(err as Error).message}`, { cause: err });
    }
  }
}
