/**
 * The sharechain's table (sharechain_shares, migration 4): the shares the edge's chain accepted,
 * written in group-committed batches as they are accepted (the Stratum reply to a share of this
 * edge's miners waits for its batch), read back at start in height order (parents before their
 * children, as ShareChain.loadTrusted needs) in bounded pages, and deleted as the chain prunes.
 */
import { StorageError } from '../errors.ts';
import { GroupCommitWriter, type GroupCommitOptions } from './group-commit.ts';
import { toNumber, type SqlDriver, type SqlExecutor, type SqlRow } from './sql-driver.ts';

/** Where a share came from: this edge's miners, or a peer (gossip, sync). */
export type ChainShareOrigin = 'local' | 'peer';
/** 'unverified': taken as history of a synced window (the chain could not check every rule). */
export type ChainShareStatus = 'verified' | 'unverified';

export interface ChainShareRecord {
  /** The share id (its PoW hash, 32 bytes, internal order). */
  readonly id: Uint8Array;
  readonly parent: Uint8Array;
  readonly height: number;
  /** Cumulative window work from the first share the chain held (fork choice), as it was when accepted. */
  readonly chainWork: bigint;
  /** When this edge accepted it (ms). */
  readonly receivedAt: number;
  readonly origin: ChainShareOrigin;
  readonly status: ChainShareStatus;
  /** The share's encoding (docs/sharechain.md §3). */
  readonly encoded: Uint8Array;
}

/** A stored share as the chain loads it back. */
export interface LoadedChainShare {
  readonly id: Uint8Array;
  readonly bytes: Uint8Array;
}

/** One write of the chain store: a share to keep, or a pruned share to forget. */
export type ChainStoreOp = { readonly put: ChainShareRecord } | { readonly delete: Uint8Array };

/** Rows read per query while loading (bounds the memory of a load to a page of encodings). */
export const CHAIN_LOAD_PAGE = 2000;

const INSERT = `INSERT INTO sharechain_shares (id, parent, height, chain_work, received_ms, origin, status, encoded)
  VALUES (?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT (id) DO NOTHING`;

function bytesOf(v: unknown, column: string): Uint8Array {
  if (v instanceof Uint8Array) return v;
  throw new StorageError('query', `sharechain_shares.${column} is not bytes (${typeof v})`);
}

export class ChainStore {
  constructor(readonly db: SqlDriver) {}

  /** Applies puts and deletes in order, in one transaction (a put of a share already stored is ignored). */
  async apply(ops: readonly ChainStoreOp[]): Promise<void> {
    if (ops.length === 0) return;
    await this.db.transaction(async (tx) => {
      // Runs of one kind go together: a batch is mostly puts, with the prune's deletes after them.
      let i = 0;
      while (i < ops.length) {
        const put = 'put' in ops[i]!;
        let j = i;
        while (j < ops.length && 'put' in ops[j]! === put) j++;
        const run = ops.slice(i, j);
        if (put) await this.put(tx, run.map((o) => (o as { put: ChainShareRecord }).put));
        else await tx.runMany('DELETE FROM sharechain_shares WHERE id = ?', run.map((o) => [(o as { delete: Uint8Array }).delete]));
        i = j;
      }
    });
  }

  private async put(tx: SqlExecutor, rows: readonly ChainShareRecord[]): Promise<void> {
    if (tx.dialect === 'postgres') {
      const col = <V,>(f: (r: ChainShareRecord) => V) => rows.map(f) as never;
      await tx.run(
        `INSERT INTO sharechain_shares (id, parent, height, chain_work, received_ms, origin, status, encoded)
         SELECT * FROM UNNEST(?::bytea[], ?::bytea[], ?::bigint[], ?::text[], ?::bigint[], ?::text[], ?::text[], ?::bytea[])
         ON CONFLICT (id) DO NOTHING`,
        [col((r) => r.id), col((r) => r.parent), col((r) => r.height), col((r) => r.chainWork.toString(16)), col((r) => r.receivedAt), col((r) => r.origin), col((r) => r.status), col((r) => r.encoded)],
      );
      return;
    }
    await tx.runMany(INSERT, rows.map((r) => [r.id, r.parent, r.height, r.chainWork.toString(16), r.receivedAt, r.origin, r.status, r.encoded]));
  }

  async count(): Promise<number> {
    const [r] = await this.db.query('SELECT COUNT(*) AS n FROM sharechain_shares');
    return toNumber(r?.n);
  }

  /** Whether a share is stored (durability checks). */
  async has(id: Uint8Array): Promise<boolean> {
    return (await this.db.query('SELECT 1 AS x FROM sharechain_shares WHERE id = ?', [id])).length > 0;
  }

  /**
   * Every stored share, parents before children (ascending height, then arrival), page by page:
   * `onPage` gets each page of at most `pageSize` shares before the next is read.
   */
  async load(onPage: (shares: LoadedChainShare[]) => void, pageSize = CHAIN_LOAD_PAGE): Promise<number> {
    let n = 0;
    let after: { height: number; received: number; id: Uint8Array } | undefined;
    for (;;) {
      const rows: SqlRow[] = after
        ? await this.db.query(
            `SELECT id, height, received_ms, encoded FROM sharechain_shares
             WHERE height > ? OR (height = ? AND (received_ms > ? OR (received_ms = ? AND id > ?)))
             ORDER BY height, received_ms, id LIMIT ?`,
            [after.height, after.height, after.received, after.received, after.id, pageSize],
          )
        : await this.db.query('SELECT id, height, received_ms, encoded FROM sharechain_shares ORDER BY height, received_ms, id LIMIT ?', [pageSize]);
      if (rows.length === 0) return n;
      onPage(rows.map((r) => ({ id: bytesOf(r.id, 'id'), bytes: bytesOf(r.encoded, 'encoded') })));
      n += rows.length;
      const last = rows[rows.length - 1]!;
      after = { height: toNumber(last.height), received: toNumber(last.received_ms), id: bytesOf(last.id, 'id') };
      if (rows.length < pageSize) return n;
    }
  }

  /** Shares by origin (local, peer), for status lines and tests. */
  async countByOrigin(): Promise<Record<ChainShareOrigin, number>> {
    const rows = await this.db.query('SELECT origin, COUNT(*) AS n FROM sharechain_shares GROUP BY origin');
    const out: Record<ChainShareOrigin, number> = { local: 0, peer: 0 };
    for (const r of rows) out[String(r.origin) as ChainShareOrigin] = toNumber(r.n);
    return out;
  }
}

/**
 * The group-committed writer of the chain store: `append({ put })` resolves once the share is
 * durable; deletes of pruned shares go through the same queue, so they commit after the puts
 * they follow.
 */
export class ChainStoreWriter extends GroupCommitWriter<ChainStoreOp> {
  constructor(store: ChainStore, options: GroupCommitOptions<ChainStoreOp> = {}) {
    // Puts of shares already stored are ignored by the store, never refused.
    super('sharechain shares', (batch) => store.apply(batch), () => new StorageError('commit', 'internal: a sharechain write was refused'), options);
  }
}
