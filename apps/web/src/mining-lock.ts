/**
 * One mining tab per origin: whoever mines holds the Web Lock `otedama-mining` until it stops. Two
 * tabs mining at once would only split the same CPU and GPU between them and double the job
 * sockets; the lock also goes away by itself when its tab closes or crashes.
 *
 * Browsers without Web Locks (Safari before 15.4, Firefox before 96): acquiring succeeds with a
 * lock whose `enforced` is false, so mining works there as it did before; the page may say that it
 * cannot keep other tabs from mining.
 *
 * Wiring (main.ts, at Start, before the miner is built, so a refused tab loads no workers and opens
 * no socket; release it in the same cleanup list as the miner, registered right after acquiring):
 *   const lock = await acquireMiningLock();
 *   if (!lock) throw new Error('Another tab of this site is already mining. Stop it there, then press Start here.');
 *   cleanups.push(() => lock.release());     // Stop releases it; so does closing the tab
 * To start by itself when the other tab stops instead, wait with waitForMiningLock(signal) and
 * abort the signal when the person changes their mind.
 * The e2e contract (e2e/courtesy.spec.ts): the refusal in #setup-error matches /another tab/i and
 * nothing starts; after the first tab stops, the second one mines (by itself, or on its next Start).
 */
import { MiningLockError } from './errors.ts';

/** The lock's name, shared by every tab of the origin. */
export const MINING_LOCK_NAME = 'otedama-mining';

export interface MiningLock {
  /** Lets the next tab mine; idempotent. */
  release(): void;
  /** False where the browser has no Web Locks: nothing keeps another tab from mining. */
  readonly enforced: boolean;
}

/** The part of the Web Locks LockManager used here. */
export interface LockManagerLike {
  request(name: string, options: { ifAvailable?: boolean; signal?: AbortSignal }, callback: (lock: unknown) => unknown): Promise<unknown>;
}

function browserLocks(): LockManagerLike | undefined {
  return (globalThis as { navigator?: { locks?: LockManagerLike } }).navigator?.locks;
}

const UNENFORCED: MiningLock = Object.freeze({ release() {}, enforced: false });

function errorText(err: unknown): string {
  return err instanceof Error ? `${err.name}: ${err.message}` : String(err);
}

/**
 * Requests the lock with `callback(lock)` and holds it until release(): resolves with the held lock,
 * or with null when `ifAvailable` and another tab holds it. A refusal by the browser rejects
 * (MiningLockError, or the signal's reason when an abort ended the wait).
 */
function request(locks: LockManagerLike, options: { ifAvailable?: boolean; signal?: AbortSignal }): Promise<MiningLock | null> {
  return new Promise((resolve, reject) => {
    let granted = false;
    const done = locks.request(MINING_LOCK_NAME, options, (lock) => {
      if (!lock) {
        resolve(null);
        return undefined;
      }
      granted = true;
      let release!: () => void;
      const held = new Promise<void>((r) => (release = r));
      resolve({ release: () => release(), enforced: true });
      return held;
    });
    done.catch((err: unknown) => {
      if (granted) return; // the lock was held and then taken away (never done by this app): nothing waits on it
      if (options.signal?.aborted) reject(options.signal.reason);
      else reject(new MiningLockError(`the browser refused the mining lock (${errorText(err)})`, err));
    });
  });
}

/**
 * Takes the mining lock if no other tab of this origin holds it: resolves with the lock, or null
 * when another tab mines. Where Web Locks are missing it resolves with an unenforced lock.
 */
export async function acquireMiningLock(locks: LockManagerLike | undefined = browserLocks()): Promise<MiningLock | null> {
  if (!locks) return UNENFORCED;
  return request(locks, { ifAvailable: true });
}

/**
 * Waits until the mining lock is free (the other tab stopped or closed) and takes it. Rejects with
 * the signal's reason when `signal` aborts first; resolves at once, unenforced, without Web Locks.
 */
export async function waitForMiningLock(signal?: AbortSignal, locks: LockManagerLike | undefined = browserLocks()): Promise<MiningLock> {
  if (signal?.aborted) throw signal.reason;
  if (!locks) return UNENFORCED;
  const lock = await request(locks, signal ? { signal } : {});
  if (!lock) throw new MiningLockError('the browser granted no mining lock to a waiting request');
  return lock;
}
