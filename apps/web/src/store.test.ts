import { describe, expect, it } from 'vitest';
import { newSession } from './session-history.ts';
import { KEPT_SESSIONS, MemoryStore, openStore } from './store.ts';

// IndexedDB itself is exercised in real Chromium (e2e/persistence.spec.ts); here: the in-memory
// fallback the page uses where IndexedDB cannot be opened, and that fallback's trigger.
describe('MemoryStore', () => {
  it('keeps values apart from the caller (a stored copy, not a reference)', async () => {
    const store = new MemoryStore();
    const settings = { address: 'a', threads: 1 };
    await store.set('settings', settings);
    settings.threads = 9;
    expect(await store.get('settings')).toEqual({ address: 'a', threads: 1 });
    expect(await store.get('consent')).toBeUndefined();
    expect(store.persistent).toBe(false);
  });

  it('keeps the newest sessions only, newest first', async () => {
    const store = new MemoryStore();
    for (let i = 1; i <= KEPT_SESSIONS + 5; i++) await store.putSession(newSession(i * 1000, 'a', 'sha256d'));
    const all = await store.sessions(100);
    expect(all).toHaveLength(KEPT_SESSIONS);
    expect(all[0]!.id).toBe((KEPT_SESSIONS + 5) * 1000);
    expect(await store.session(1000)).toBeUndefined();
    expect((await store.sessions(3)).map((s) => s.id)).toEqual([25_000, 24_000, 23_000]);
  });

  it('updates a session in place', async () => {
    const store = new MemoryStore();
    const s = newSession(5, 'a', 'sha256d');
    await store.putSession(s);
    s.accepted = 7;
    expect((await store.session(5))!.accepted).toBe(0);
    await store.putSession(s);
    expect((await store.session(5))!.accepted).toBe(7);
  });

  it('forgets everything on clear()', async () => {
    const store = new MemoryStore();
    await store.set('consent', { at: 1 });
    await store.putSession(newSession(5, 'a', 'sha256d'));
    await store.clear();
    expect(await store.get('consent')).toBeUndefined();
    expect(await store.sessions()).toEqual([]);
  });
});

describe('openStore', () => {
  it('falls back to memory with a reason where IndexedDB is missing (as in Node)', async () => {
    const { store, problem } = await openStore('otedama-test');
    expect(store.persistent).toBe(false);
    expect(problem).toMatch(/will not survive a reload \(IndexedDB: .+\)/);
  });
});

describe('the wallet in the store', () => {
  it('survives "forget settings and history" and goes only with deleteWallet', async () => {
    const store = new MemoryStore();
    const file = { format: 'otedama-wallet', address: 'bcrt1q…' };
    await store.putWallet(file);
    await store.set('settings', { address: 'x' });
    await store.clear();
    expect(await store.get('settings')).toBeUndefined();
    expect(await store.getWallet()).toEqual(file);
    await store.deleteWallet();
    expect(await store.getWallet()).toBeUndefined();
  });
});
