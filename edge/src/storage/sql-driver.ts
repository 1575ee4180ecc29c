/**
 * The contract both database drivers implement: parameterised SQL with `?` placeholders (the
 * PostgreSQL driver numbers them), rows as plain objects, and transactions that hand out an
 * executor bound to one connection. The typed queries above it (pool-store.ts) never see which
 * driver runs them except through `dialect`, where the SQL must differ.
 */
export type Dialect = 'sqlite' | 'postgres';

/** Values a query may bind. Booleans become 0/1 on SQLite; bigints are exact on both. */
export type SqlValue = string | number | bigint | boolean | null | readonly SqlValue[];

export type SqlRow = Record<string, unknown>;

export interface SqlExecutor {
  readonly dialect: Dialect;
  /** Runs one statement and returns its rows. */
  query<R extends SqlRow = SqlRow>(sql: string, params?: readonly SqlValue[]): Promise<R[]>;
  /** Runs one statement and returns the number of rows it changed. */
  run(sql: string, params?: readonly SqlValue[]): Promise<number>;
  /** Runs one statement once per parameter row (prepared once where the driver can); the rows each changed. */
  runMany(sql: string, rows: readonly (readonly SqlValue[])[]): Promise<number[]>;
  /** Runs a script of several statements without parameters (DDL). */
  exec(script: string): Promise<void>;
}

export interface SqlDriver extends SqlExecutor {
  /** A short description for logs and `otedama diag`, without credentials. */
  readonly description: string;
  /**
   * Runs `fn` in one transaction: committed when it resolves, rolled back when it throws.
   * Statements outside it wait until it ends (SQLite has one connection).
   */
  transaction<T>(fn: (tx: SqlExecutor) => Promise<T>): Promise<T>;
  close(): Promise<void>;
}

/** Converts `?` placeholders to PostgreSQL's `$1, $2, ...` (our SQL has no `?` inside strings). */
export function numberPlaceholders(sql: string): string {
  let n = 0;
  return sql.replace(/\?/g, () => `$${++n}`);
}

/** Reads an integer column that a driver may return as number, bigint or string (PostgreSQL int8). */
export function toBigInt(v: unknown): bigint {
  if (typeof v === 'bigint') return v;
  if (typeof v === 'number') return BigInt(Math.trunc(v));
  if (typeof v === 'string' && v !== '') return BigInt(v.includes('.') ? v.slice(0, v.indexOf('.')) : v);
  return 0n;
}

/** Reads a numeric column (number, bigint or string) as a JS number; null reads as 0. */
export function toNumber(v: unknown): number {
  if (typeof v === 'number') return v;
  if (typeof v === 'bigint') return Number(v);
  if (typeof v === 'string' && v !== '') return Number(v);
  return 0;
}

/** Reads a boolean column (SQLite stores 0/1). */
export function toBool(v: unknown): boolean {
  return v === true || v === 1 || v === 1n || v === '1' || v === 't' || v === 'true';
}
