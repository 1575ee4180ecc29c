/**
 * One otedama per data folder. Two edges on one folder would share the SQLite database, the
 * simnet chain and the RPC cookie (the second one used to delete the first one's cookie on
 * stop), so the edge takes an exclusive lock on `<dataDir>/otedama.lock` before it touches
 * anything else there, and a second one refuses to start with the folder and the holder's pid.
 *
 * The lock is SQLite's own (an EXCLUSIVE lock held by a connection in exclusive locking mode):
 * an OS file lock, released by the kernel when the process dies, even by SIGKILL, so a crash
 * never leaves a stale lock to delete by hand; and SQLite checks it between connections of one
 * process too. The holder's pid goes to `<dataDir>/otedama.pid` for the message (a stale pid file
 * is harmless: the lock, not the file, decides).
 */
import { mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { DatabaseSync } from 'node:sqlite';
import { DataDirLockedError, StorageError } from '../errors.ts';

export const LOCK_FILE_NAME = 'otedama.lock';
export const PID_FILE_NAME = 'otedama.pid';

export class DataDirLock {
  private released = false;

  private constructor(
    readonly dataDir: string,
    private readonly db: DatabaseSync,
  ) {}

  /** Takes the folder's lock (creating the folder), or throws DataDirLockedError naming the holder. */
  static acquire(dataDir: string): DataDirLock {
    try {
      mkdirSync(dataDir, { recursive: true });
    } catch (err) {
      throw new StorageError('open', `cannot create the data folder ${dataDir}: ${(err as Error).message}`, { cause: err });
    }
    const path = join(dataDir, LOCK_FILE_NAME);
    let db: DatabaseSync;
    try {
      db = new DatabaseSync(path, { timeout: 0 });
    } catch (err) {
      throw new StorageError('open', `cannot open the lock file ${path}: ${(err as Error).message} (check that the folder is writable)`, { cause: err });
    }
    try {
      db.exec('PRAGMA locking_mode = EXCLUSIVE');
      db.exec('BEGIN EXCLUSIVE');
      db.exec('CREATE TABLE IF NOT EXISTS holder (pid INTEGER NOT NULL, started_ms INTEGER NOT NULL)');
      db.exec('DELETE FROM holder');
      db.prepare('INSERT INTO holder (pid, started_ms) VALUES (?, ?)').run(process.pid, Date.now());
      db.exec('COMMIT'); // exclusive locking mode keeps the lock after the commit
    } catch (err) {
      db.close();
      if (/locked|busy/i.test((err as Error).message)) throw new DataDirLockedError(dataDir, readPid(join(dataDir, PID_FILE_NAME)));
      throw new StorageError('open', `cannot lock the data folder ${dataDir}: ${(err as Error).message}`, { cause: err });
    }
    writeFileSync(join(dataDir, PID_FILE_NAME), `${process.pid}\n`);
    return new DataDirLock(dataDir, db);
  }

  /** Releases the lock (idempotent). The lock file stays: removing it could let two holders in. */
  release(): void {
    if (this.released) return;
    this.released = true;
    try {
      if (readPid(join(this.dataDir, PID_FILE_NAME)) === process.pid) rmSync(join(this.dataDir, PID_FILE_NAME), { force: true });
    } finally {
      this.db.close();
    }
  }
}

function readPid(path: string): number | undefined {
  try {
    const n = Number(readFileSync(path, 'utf8').trim());
    return Number.isInteger(n) && n > 0 ? n : undefined;
  } catch {
    return undefined;
  }
}
