/**
 * The shared database: PostgreSQL through the `pg` package, for several edges behind a load
 * balancer (DESIGN §7). A pool of connections; a transaction holds one of them. `pg` is loaded
 * on first use, so an edge on SQLite never needs it installed.
 *
 * Durability: PostgreSQL's default `synchronous_commit = on` flushes the WAL before COMMIT
 * returns, which is what "accepted means durable" needs; this driver never turns it off.
 */
import { StorageError } from '../errors.ts';
import { numberPlaceholders, type SqlDriver, type SqlExecutor, type SqlRow, type SqlValue } from './sql-driver.ts';

/** Connections the pool may open (the share writer uses one; API reads use the rest). */
const DEFAULT_POOL_SIZE = 8;
/** Milliseconds to wait for a connection before failing with a clear error. */
const CONNECT_TIMEOUT_MS = 10_000;

/** The slice of the `pg` package this driver uses. */
export interface PgQueryable {
  query(text: string, values?: unknown[]): Promise<{ rows: SqlRow[]; rowCount: number | null }>;
}
export interface PgPoolClient extends PgQueryable {
  release(err?: Error | boolean): void;
  on(event: 'error', listener: (err: Error) => void): unknown;
  removeListener(event: 'error', listener: (err: Error) => void): unknown;
}
export interface PgPool extends PgQueryable {
  connect(): Promise<PgPoolClient>;
  end(): Promise<void>;
  on(event: 'error', listener: (err: Error) => void): unknown;
}
export interface PgModule {
  Pool: new (config: { connectionString: string; max?: number; connectionTimeoutMillis?: number; application_name?: string }) => PgPool;
}

export interface PostgresOptions {
  /** postgres://user:password@host:port/database */
  readonly url: string;
  readonly poolSize?: number;
  /** The `pg` module; loaded with `import('pg')` when absent. */
  readonly pg?: PgModule;
  /** Called with errors of idle pooled connections (server restarts); they are otherwise harmless. */
  readonly onIdleError?: (err: Error) => void;
}

/** The URL without its password, for logs and error messages. */
export function redactUrl(url: string): string {
  try {
    const u = new URL(url);
    if (u.password) u.password = '***';
    return u.toString();
  } catch {
    return '(unparseable database_url)';
  }
}

/** Loads the `pg` package, or explains how to install it. */
export async function loadPg(): Promise<PgModule> {
  const specifier = 'pg';
  try {
    const mod = (await import(specifier)) as { default?: PgModule } & Partial<PgModule>;
    const pg = mod.default?.Pool ? mod.default : (mod as PgModule);
    if (!pg.Pool) throw new Error('the module has no Pool export');
    return pg;
  } catch (err) {
    throw new StorageError('open', `database_url is set but the PostgreSQL client package "pg" could not be loaded (${(err as Error).message}); install it with "npm install pg" or unset database_url to use the embedded SQLite database`, { cause: err });
  }
}

function values(params: readonly SqlValue[]): unknown[] {
  return params as unknown[];
}

function executor(target: PgQueryable, where: string): SqlExecutor {
  const run = async (sql: string, params: readonly SqlValue[] = []) => {
    try {
      return await target.query(numberPlaceholders(sql), values(params));
    } catch (err) {
      throw new StorageError('query', `PostgreSQL (${where}): ${(err as Error).message}`, { cause: err });
    }
  };
  return {
    dialect: 'postgres',
    query: async <R extends SqlRow = SqlRow>(sql: string, params?: readonly SqlValue[]) => (await run(sql, params)).rows as R[],
    run: async (sql, params) => (await run(sql, params)).rowCount ?? 0,
    runMany: async (sql, rows) => {
      const changed: number[] = [];
      for (const row of rows) changed.push((await run(sql, row)).rowCount ?? 0);
      return changed;
    },
    exec: async (script) => {
      try {
        await target.query(script);
      } catch (err) {
        throw new StorageError('query', `PostgreSQL (${where}): ${(err as Error).message}`, { cause: err });
      }
    },
  };
}

export class PostgresDriver implements SqlDriver {
  readonly dialect = 'postgres' as const;
  readonly description: string;
  private readonly pool: PgPool;
  private readonly direct: SqlExecutor;
  private closed = false;

  private constructor(pool: PgPool, description: string) {
    this.pool = pool;
    this.description = description;
    this.direct = executor(pool, description);
  }

  /** Connects (and checks the connection once) so a wrong URL fails at startup, not on the first share. */
  static async connect(options: PostgresOptions): Promise<PostgresDriver> {
    const pg = options.pg ?? (await loadPg());
    const description = `postgres:${redactUrl(options.url)}`;
    let pool: PgPool;
    try {
      pool = new pg.Pool({
        connectionString: options.url,
        max: options.poolSize ?? DEFAULT_POOL_SIZE,
        connectionTimeoutMillis: CONNECT_TIMEOUT_MS,
        application_name: 'otedama-edge',
      });
    } catch (err) {
      throw new StorageError('open', `invalid database_url ${redactUrl(options.url)}: ${(err as Error).message}`, { cause: err });
    }
    pool.on('error', (err) => options.onIdleError?.(err));
    try {
      await pool.query('SELECT 1');
    } catch (err) {
      await pool.end().catch(() => undefined);
      throw new StorageError('open', `cannot connect to PostgreSQL at ${redactUrl(options.url)}: ${(err as Error).message} (is the server running, and are the user, password and database right?)`, { cause: err });
    }
    return new PostgresDriver(pool, description);
  }

  query<R extends SqlRow = SqlRow>(sql: string, params?: readonly SqlValue[]): Promise<R[]> {
    return this.direct.query<R>(sql, params);
  }

  run(sql: string, params?: readonly SqlValue[]): Promise<number> {
    return this.direct.run(sql, params);
  }

  runMany(sql: string, rows: readonly (readonly SqlValue[])[]): Promise<number[]> {
    return this.transaction((tx) => tx.runMany(sql, rows));
  }

  exec(script: string): Promise<void> {
    return this.direct.exec(script);
  }

  async transaction<T>(fn: (tx: SqlExecutor) => Promise<T>): Promise<T> {
    if (this.closed) throw new StorageError('query', `the database ${this.description} is closed`);
    let client: PgPoolClient;
    try {
      client = await this.pool.connect();
    } catch (err) {
      throw new StorageError('query', `cannot get a PostgreSQL connection (${this.description}): ${(err as Error).message}`, { cause: err });
    }
    let broken = false;
    // The pool listens for errors of idle connections only: a connection that dies while checked
    // out (the server restarts, an operator kills the backend) emits 'error' here, and without a
    // listener that would be an uncaught exception that ends the edge. The failing query rejects
    // as well, so the transaction fails and rolls back as usual.
    const onError = () => {
      broken = true;
    };
    client.on('error', onError);
    try {
      await client.query('BEGIN');
      const result = await fn(executor(client, this.description));
      await client.query('COMMIT');
      return result;
    } catch (err) {
      try {
        await client.query('ROLLBACK');
      } catch {
        broken = true; // the connection is unusable; drop it from the pool
      }
      if (err instanceof StorageError) throw err;
      throw new StorageError('commit', `PostgreSQL transaction failed (${this.description}): ${(err as Error).message}`, { cause: err });
    } finally {
      client.removeListener('error', onError);
      client.release(broken);
    }
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    await this.pool.end();
  }
}
