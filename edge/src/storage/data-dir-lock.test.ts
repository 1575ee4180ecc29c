/**
 * One otedama per data folder: the second holder is refused with the folder and the first one's
 * pid, and the lock goes with its holder (released, or the process gone). The two-process case
 * (a second `otedama pool`, and a SIGKILLed holder) is in edge/test/hostile/data-dir.test.ts.
 */
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { DataDirLockedError } from '../errors.ts';
import { DataDirLock, LOCK_FILE_NAME, PID_FILE_NAME } from './data-dir-lock.ts';

const dirs: string[] = [];
afterEach(() => {
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

describe('DataDirLock', () => {
  it('refuses a second holder with the folder and the pid, and is free again once released', () => {
    const dir = mkdtempSync(join(tmpdir(), 'otedama-lock-'));
    dirs.push(dir);
    const a = DataDirLock.acquire(dir);
    expect(readFileSync(join(dir, PID_FILE_NAME), 'utf8').trim()).toBe(String(process.pid));
    let err: unknown;
    try {
      DataDirLock.acquire(dir);
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(DataDirLockedError);
    expect((err as DataDirLockedError).reason).toBe(`the data folder ${dir} is in use by another otedama (pid ${process.pid}); stop it first, or give this one its own folder with --data-dir`);
    a.release();
    a.release(); // idempotent
    expect(existsSync(join(dir, PID_FILE_NAME))).toBe(false);
    expect(existsSync(join(dir, LOCK_FILE_NAME))).toBe(true); // kept: deleting it could let two holders in
    const b = DataDirLock.acquire(dir);
    b.release();
  });

  it('creates a missing folder', () => {
    const base = mkdtempSync(join(tmpdir(), 'otedama-lock-'));
    dirs.push(base);
    const lock = DataDirLock.acquire(join(base, 'a', 'b'));
    expect(existsSync(join(base, 'a', 'b', LOCK_FILE_NAME))).toBe(true);
    lock.release();
  });
});
