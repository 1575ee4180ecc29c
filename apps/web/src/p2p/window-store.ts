/**
 * The page's copy of the sharechain window, in IndexedDB (through `idb`), so a reload resumes
 * from what it had and syncs only what is missing; and the outbox: shares this page found while
 * no peer could take them, kept until one can. Where IndexedDB cannot be opened the page keeps
 * both in memory and says so (the window is then synced again after a reload).
 *
 * One database per pool ("otedama-sharechain-<first 16 hex digits of the pool id>"), version 1:
 *   shares  { id (hex), height, bytes } by id, with an index on height (loaded oldest first)
 *   outbox  { id (hex), bytes, at (ms) } by id
 * The chain is public data, the same on every peer; "Forget settings and history" leaves it.
 */
import { openDB, type DBSchema, type IDBPDatabase } from 'idb';

export interface StoredShare {
  readonly id: string;
  readonly height: number;
  readonly bytes: Uint8Array;
}

export interface OutboxShare {
  readonly id: string;
  readonly bytes: Uint8Array;
  /** When it was found (ms). */
  readonly at: number;
}

export interface WindowStore {
  /** False when the page runs on the in-memory fallback. */
  readonly persistent: boolean;
  /** Every stored share, lowest height first (the order they can be validated in). */
  load(): Promise<Uint8Array[]>;
  put(shares: readonly StoredShare[]): Promise<void>;
  remove(ids: readonly string[]): Promise<void>;
  count(): Promise<number>;
  outbox(): Promise<OutboxShare[]>;
  addOutbox(share: OutboxShare): Promise<void>;
  removeOutbox(id: string): Promise<void>;
  close(): void;
}

interface ChainDb extends DBSchema {
  shares: { key: string; value: StoredShare; indexes: { height: number } };
  outbox: { key: string; value: OutboxShare };
}

class IdbWindowStore implements WindowStore {
  readonly persistent = true;
  constructor(private readonly db: IDBPDatabase<ChainDb>) {}

  async load(): Promise<Uint8Array[]> {
    const all = await this.db.getAllFromIndex('shares', 'height');
    return all.map((s) => s.bytes);
  }

  async put(shares: readonly StoredShare[]): Promise<void> {
    if (!shares.length) return;
    const tx = this.db.transaction('shares', 'readwrite');
    await Promise.all([...shares.map((s) => tx.store.put(s)), tx.done]);
  }

  async remove(ids: readonly string[]): Promise<void> {
    if (!ids.length) return;
    const tx = this.db.transaction('shares', 'readwrite');
    await Promise.all([...ids.map((id) => tx.store.delete(id)), tx.done]);
  }

  count(): Promise<number> {
    return this.db.count('shares');
  }

  outbox(): Promise<OutboxShare[]> {
    return this.db.getAll('outbox');
  }

  async addOutbox(share: OutboxShare): Promise<void> {
    await this.db.put('outbox', share);
  }

  async removeOutbox(id: string): Promise<void> {
    await this.db.delete('outbox', id);
  }

  close(): void {
    this.db.close();
  }
}

/** Same behaviour, in memory. */
export class MemoryWindowStore implements WindowStore {
  readonly persistent = false;
  private readonly shares = new Map<string, StoredShare>();
  private readonly out = new Map<string, OutboxShare>();

  async load(): Promise<Uint8Array[]> {
    return [...this.shares.values()].sort((a, b) => a.height - b.height).map((s) => s.bytes);
  }

  async put(shares: readonly StoredShare[]): Promise<void> {
    for (const s of shares) this.shares.set(s.id, s);
  }

  async remove(ids: readonly string[]): Promise<void> {
    for (const id of ids) this.shares.delete(id);
  }

  async count(): Promise<number> {
    return this.shares.size;
  }

  async outbox(): Promise<OutboxShare[]> {
    return [...this.out.values()];
  }

  async addOutbox(share: OutboxShare): Promise<void> {
    this.out.set(share.id, share);
  }

  async removeOutbox(id: string): Promise<void> {
    this.out.delete(id);
  }

  close(): void {}
}

export function windowStoreName(poolId: string): string {
  return `otedama-sharechain-${poolId.slice(0, 16)}`;
}

/** Opens the pool's store; on failure a MemoryWindowStore and the reason. */
export async function openWindowStore(poolId: string): Promise<{ store: WindowStore; problem?: string }> {
  try {
    const db = await openDB<ChainDb>(windowStoreName(poolId), 1, {
      upgrade(db) {
        db.createObjectStore('shares', { keyPath: 'id' }).createIndex('height', 'height');
        db.createObjectStore('outbox', { keyPath: 'id' });
      },
    });
    return { store: new IdbWindowStore(db) };
  } catch (err) {
    return { store: new MemoryWindowStore(), problem: `the sharechain window will be synced again after a reload (IndexedDB: ${err instanceof Error ? err.message : String(err)})` };
  }
}
