/**
 * The lock's adaptation to Web Locks, against a small in-memory LockManager that follows the
 * spec's exclusive-lock rules (Node has no Web Locks). Two real Chromium tabs sharing the real lock
 * are in e2e/courtesy.spec.ts.
 */
import { describe, expect, it } from 'vitest';
import { acquireMiningLock, MINING_LOCK_NAME, waitForMiningLock, type LockManagerLike } from './mining-lock.ts';
import { MiningLockError } from './errors.ts';

/** Exclusive locks per name, granted in request order; ifAvailable gets null when it would wait. */
class MemoryLockManager implements LockManagerLike {
  private readonly held = new Set<string>();
  private readonly queue: { name: string; grant: () => void }[] = [];
  readonly names: string[] = [];

  request(name: string, options: { ifAvailable?: boolean; signal?: AbortSignal }, callback: (lock: unknown) => unknown): Promise<unknown> {
    this.names.push(name);
    if (options.signal?.aborted) return Promise.reject(options.signal.reason);
    const run = async (lock: unknown) => {
      try {
        return await callback(lock);
      } finally {
        if (lock) {
          this.held.delete(name);
          this.next(name);
        }
      }
    };
    const busy = this.held.has(name) || this.queue.some((q) => q.name === name);
    if (!busy) {
      this.held.add(name);
      return run({ name });
    }
    if (options.ifAvailable) return run(null);
    return new Promise((resolve, reject) => {
      const entry = {
        name,
        grant: () => {
          options.signal?.removeEventListener('abort', onAbort);
          this.held.add(name);
          run({ name }).then(resolve, reject);
        },
      };
      const onAbort = () => {
        this.queue.splice(this.queue.indexOf(entry), 1);
        reject(options.signal!.reason);
      };
      options.signal?.addEventListener('abort', onAbort);
      this.queue.push(entry);
    });
  }

  isHeld(name = MINING_LOCK_NAME): boolean {
    return this.held.has(name);
  }

  private next(name: string): void {
    const i = this.queue.findIndex((q) => q.name === name);
    if (i >= 0) this.queue.splice(i, 1)[0]!.grant();
  }
}

const flush = () => new Promise((r) => setTimeout(r, 0));

describe('acquireMiningLock', () => {
  it('takes the lock, refuses a second tab while it is held, and frees it on release', async () => {
    const locks = new MemoryLockManager();
    const first = await acquireMiningLock(locks);
    expect(first).not.toBeNull();
    expect(first!.enforced).toBe(true);
    expect(locks.names).toEqual([MINING_LOCK_NAME]);
    expect(await acquireMiningLock(locks)).toBeNull();
    first!.release();
    first!.release();
    await flush();
    expect(locks.isHeld()).toBe(false);
    const second = await acquireMiningLock(locks);
    expect(second?.enforced).toBe(true);
    expect(locks.isHeld()).toBe(true);
  });

  it('succeeds, unenforced, where the browser has no Web Locks', async () => {
    const lock = await acquireMiningLock(undefined);
    expect(lock).toEqual({ release: expect.any(Function), enforced: false });
    lock!.release();
  });

  it('turns a refusal by the browser into a MiningLockError with the reason', async () => {
    const refusing: LockManagerLike = {
      request: () => Promise.reject(new DOMException('Access denied: opaque origin', 'SecurityError')),
    };
    const err = await acquireMiningLock(refusing).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(MiningLockError);
    expect((err as MiningLockError).reason).toBe('the browser refused the mining lock (SecurityError: Access denied: opaque origin)');
  });
});

describe('waitForMiningLock', () => {
  it('resolves when the tab that mines releases the lock', async () => {
    const locks = new MemoryLockManager();
    const first = (await acquireMiningLock(locks))!;
    let got = false;
    const waiting = waitForMiningLock(undefined, locks).then((l) => {
      got = true;
      return l;
    });
    await flush();
    expect(got).toBe(false);
    first.release();
    const lock = await waiting;
    expect(lock.enforced).toBe(true);
    expect(locks.isHeld()).toBe(true);
    // While it waited, an ifAvailable request would not have jumped the queue; now it is simply held.
    expect(await acquireMiningLock(locks)).toBeNull();
    lock.release();
  });

  it('takes a free lock at once', async () => {
    const locks = new MemoryLockManager();
    const lock = await waitForMiningLock(new AbortController().signal, locks);
    expect(locks.isHeld()).toBe(true);
    lock.release();
  });

  it('gives up with the signal’s reason when aborted, leaving the queue', async () => {
    const locks = new MemoryLockManager();
    const first = (await acquireMiningLock(locks))!;
    const ac = new AbortController();
    const waiting = waitForMiningLock(ac.signal, locks);
    ac.abort(new DOMException('the person pressed Stop', 'AbortError'));
    const err = await waiting.catch((e: unknown) => e);
    expect((err as DOMException).name).toBe('AbortError');
    expect((err as DOMException).message).toBe('the person pressed Stop');
    first.release();
    await flush();
    expect(locks.isHeld()).toBe(false);
  });

  it('rejects at once for a signal that is already aborted, with or without Web Locks', async () => {
    const ac = new AbortController();
    ac.abort(new Error('changed my mind'));
    await expect(waitForMiningLock(ac.signal, new MemoryLockManager())).rejects.toThrow('changed my mind');
    await expect(waitForMiningLock(ac.signal, undefined)).rejects.toThrow('changed my mind');
  });

  it('resolves at once, unenforced, without Web Locks', async () => {
    expect((await waitForMiningLock(undefined, undefined)).enforced).toBe(false);
  });
});
