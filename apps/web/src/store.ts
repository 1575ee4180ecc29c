/**
 * What the page remembers, in IndexedDB (through `idb`): the settings, the person's consent,
 * whether mining was on, and per-session history (session-history.ts). Where IndexedDB cannot be
 * opened (some private modes) the page still works on an in-memory store and says so.
 *
 * Database "otedama", version 2:
 *   kv        key → value: 'settings' (Settings), 'consent' ({ at }), 'run' (RunState)
 *   sessions  SessionRecord by id (Unix ms of Start)
 *   wallet    'key' → the browser wallet's encrypted key file (core's WalletFile; since version 2).
 *             Apart from the rest on purpose: "Forget settings and history" never deletes a key
 *             (coins paid to it would be lost); only the wallet's own Delete does.
 */
import { openDB, type DBSchema, type IDBPDatabase } from 'idb';
import { checkSessionRecord, type SessionRecord } from './session-history.ts';

export interface RunState {
  /** Mining was on when the page last wrote this. */
  mining: boolean;
  /** The session that was running. */
  sessionId?: number;
  /** Set just before an update reload: resume without asking. */
  resumeAfterUpdate?: boolean;
}

export interface Consent {
  /** Unix ms when the person pressed Start the first time. */
  at: number;
}

interface OtedamaDb extends DBSchema {
  kv: { key: string; value: unknown };
  sessions: { key: number; value: SessionRecord };
  wallet: { key: string; value: unknown };
}

const WALLET_KEY = 'key';
const DB_VERSION = 2;

/** Sessions kept; older ones are deleted when a new one starts. */
export const KEPT_SESSIONS = 20;

export interface Store {
  /** False when the page runs on the in-memory fallback. */
  readonly persistent: boolean;
  get(key: 'settings'): Promise<unknown>;
  get(key: 'consent'): Promise<Consent | undefined>;
  get(key: 'run'): Promise<RunState | undefined>;
  set(key: 'settings' | 'consent' | 'run', value: unknown): Promise<void>;
  putSession(session: SessionRecord): Promise<void>;
  /** Newest first; damaged records are skipped. */
  sessions(limit?: number): Promise<SessionRecord[]>;
  session(id: number): Promise<SessionRecord | undefined>;
  /** Forgets settings, consent, run state and every session (never the wallet). */
  clear(): Promise<void>;
  /** The browser wallet's encrypted key file as stored (checked by its reader), or undefined. */
  getWallet(): Promise<unknown>;
  putWallet(file: unknown): Promise<void>;
  deleteWallet(): Promise<void>;
}

class IdbStore implements Store {
  readonly persistent = true;
  constructor(private readonly db: IDBPDatabase<OtedamaDb>) {}

  get(key: string): Promise<any> {
    return this.db.get('kv', key);
  }

  async set(key: string, value: unknown): Promise<void> {
    await this.db.put('kv', value, key);
  }

  async putSession(session: SessionRecord): Promise<void> {
    const tx = this.db.transaction('sessions', 'readwrite');
    await tx.store.put(session);
    // Keep the newest KEPT_SESSIONS: walk keys newest first and delete the rest.
    let cursor = await tx.store.openKeyCursor(null, 'prev');
    let n = 0;
    while (cursor) {
      if (++n > KEPT_SESSIONS) await tx.store.delete(cursor.primaryKey);
      cursor = await cursor.continue();
    }
    await tx.done;
  }

  async sessions(limit = KEPT_SESSIONS): Promise<SessionRecord[]> {
    const out: SessionRecord[] = [];
    let cursor = await this.db.transaction('sessions').store.openCursor(null, 'prev');
    while (cursor && out.length < limit) {
      const s = checkSessionRecord(cursor.value);
      if (s) out.push(s);
      cursor = await cursor.continue();
    }
    return out;
  }

  async session(id: number): Promise<SessionRecord | undefined> {
    return checkSessionRecord(await this.db.get('sessions', id));
  }

  async clear(): Promise<void> {
    const tx = this.db.transaction(['kv', 'sessions'], 'readwrite');
    await Promise.all([tx.objectStore('kv').clear(), tx.objectStore('sessions').clear(), tx.done]);
  }

  getWallet(): Promise<unknown> {
    return this.db.get('wallet', WALLET_KEY);
  }

  async putWallet(file: unknown): Promise<void> {
    await this.db.put('wallet', file, WALLET_KEY);
  }

  async deleteWallet(): Promise<void> {
    await this.db.delete('wallet', WALLET_KEY);
  }
}

/** Same behaviour, nothing survives a reload. */
export class MemoryStore implements Store {
  readonly persistent = false;
  private readonly kv = new Map<string, unknown>();
  private readonly all = new Map<number, SessionRecord>();

  async get(key: string): Promise<any> {
    return structuredClone(this.kv.get(key));
  }

  async set(key: string, value: unknown): Promise<void> {
    this.kv.set(key, structuredClone(value));
  }

  async putSession(session: SessionRecord): Promise<void> {
    this.all.set(session.id, structuredClone(session));
    for (const id of [...this.all.keys()].sort((a, b) => b - a).slice(KEPT_SESSIONS)) this.all.delete(id);
  }

  async sessions(limit = KEPT_SESSIONS): Promise<SessionRecord[]> {
    return [...this.all.values()].sort((a, b) => b.id - a.id).slice(0, limit).map((s) => structuredClone(s));
  }

  async session(id: number): Promise<SessionRecord | undefined> {
    const s = this.all.get(id);
    return s && structuredClone(s);
  }

  async clear(): Promise<void> {
    this.kv.clear();
    this.all.clear();
  }

  private wallet: unknown;

  async getWallet(): Promise<unknown> {
    return structuredClone(this.wallet);
  }

  async putWallet(file: unknown): Promise<void> {
    this.wallet = structuredClone(file);
  }

  async deleteWallet(): Promise<void> {
    this.wallet = undefined;
  }
}

/** Opens the IndexedDB store; on failure returns a MemoryStore and the reason. */
export async function openStore(name = 'otedama'): Promise<{ store: Store; problem?: string }> {
  try {
    const db = await openDB<OtedamaDb>(name, DB_VERSION, {
      upgrade(db, oldVersion) {
        if (oldVersion < 1) {
          db.createObjectStore('kv');
          db.createObjectStore('sessions', { keyPath: 'id' });
        }
        if (oldVersion < 2) db.createObjectStore('wallet');
      },
    });
    return { store: new IdbStore(db) };
  } catch (err) {
    return { store: new MemoryStore(), problem: `history and settings will not survive a reload (IndexedDB: ${err instanceof Error ? err.message : String(err)})` };
  }
}
