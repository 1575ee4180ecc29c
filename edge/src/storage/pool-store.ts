/**
 * The pool's books as typed queries: accepted shares (with their per-minute rollup and worker
 * totals), found blocks, the coinbase payouts of each block, and carried balances. Runs on
 * either driver; SQL differs only where the dialects do (bulk inserts on PostgreSQL use UNNEST
 * so a batch is one round trip).
 *
 * Times are milliseconds since the epoch; satoshi amounts are bigint; difficulties are numbers.
 * Hashrates are estimated from accepted difficulty per minute (core/hashrate.ts), divided by the
 * time actually observed in each window (observedStart below), not by the whole window.
 */
import { estimateHashrate } from '@otedama/core';
import { StorageError } from '../errors.ts';
import { toBigInt, toBool, toNumber, type SqlDriver, type SqlExecutor, type SqlRow } from './sql-driver.ts';

/** Rollup bucket of share_minutes, in milliseconds. */
export const MINUTE_MS = 60_000;
/** The hashrate windows the API reports, in minutes. */
export const HASHRATE_WINDOWS_MIN = { m10: 10, h1: 60, h24: 1440 } as const;
/**
 * Shortest time (ms) a hashrate is averaged over. A group that started a few seconds ago has one
 * or two shares: dividing them by two seconds would read as a burst of luck, not a rate. Vardiff
 * aims at a share every 10 s (config: targetShareSeconds), so 30 s hold about three shares.
 */
export const MIN_OBSERVED_MS = 30_000;

export interface ShareRecord {
  /** Milliseconds since the epoch when the share was accepted. */
  readonly time: number;
  readonly address: string;
  readonly worker: string;
  /** The share target difficulty the miner met (what PPLNS credits). */
  readonly difficulty: number;
  /** The difficulty the share's hash achieved. */
  readonly shareDiff: number;
  readonly jobId: string;
  readonly height: number;
  readonly isBlock: boolean;
  /** Block hash of the share, display-order hex. */
  readonly hash: string;
}

/** What insertShares did: positions (in its input) of shares refused because their hash is already recorded. */
export interface InsertSharesResult {
  readonly refused: readonly number[];
}

export interface StoredShare extends ShareRecord {
  readonly id: number;
}

export type BlockStatus = 'pending' | 'confirmed' | 'orphaned';

export interface BlockRecord {
  readonly hash: string;
  readonly height: number;
  readonly time: number;
  /** Satoshis the coinbase paid out. */
  readonly reward: bigint;
  readonly status: BlockStatus;
  /** Payout address and worker of the share that found the block. */
  readonly finder: string;
  readonly worker: string;
}

export interface PayoutRecord {
  readonly blockHash: string;
  readonly outputIndex: number;
  readonly address: string;
  readonly value: bigint;
  readonly kind: 'pool' | 'miner';
  readonly credit: bigint;
  readonly carriedPaid: bigint;
}

/**
 * A found block written before it is submitted (the write-ahead log): everything recordBlock
 * needs, so a block the node accepted while the edge died is recorded exactly at the next start.
 */
export interface BlockSubmission {
  readonly hash: string;
  readonly height: number;
  readonly time: number;
  readonly reward: bigint;
  readonly finder: string;
  readonly worker: string;
  readonly payouts: readonly Omit<PayoutRecord, 'blockHash'>[];
  /** Carried balances after the block (what its PPLNS computation produced). */
  readonly carried: ReadonlyMap<string, bigint>;
}

/** A payout with its block's height and time (for listings). */
export interface PayoutListing extends PayoutRecord {
  readonly height: number;
  readonly time: number;
  readonly status: BlockStatus;
}

export interface Hashrates {
  /** Hashes per second over the last 10 minutes, hour and day (at most; see `seconds`). */
  readonly m10: number;
  readonly h1: number;
  readonly h24: number;
  /**
   * The seconds each figure is actually averaged over: the window, or less when the pool, miner
   * or worker had no share at the window's start (it started, or came back, within it). A miner
   * that started 40 s ago is measured over those 40 s (MIN_OBSERVED_MS at least), not 10 minutes.
   */
  readonly seconds: { readonly m10: number; readonly h1: number; readonly h24: number };
}

/**
 * What a hashrate window needs of one group (pool, address or worker): the accepted difficulty in
 * each window, the first minute bucket with shares in each window, and the group's first share
 * ever (exact ms), from the rollups.
 */
export interface WindowSums {
  readonly d10: unknown;
  readonly d60: unknown;
  readonly d1440: unknown;
  readonly f10: unknown;
  readonly f60: unknown;
  readonly f1440: unknown;
  readonly firstSeen: unknown;
}

export interface WorkerStats {
  readonly address: string;
  readonly worker: string;
  readonly firstSeen: number;
  readonly lastSeen: number;
  /** Accepted shares and difficulty since the worker first appeared. */
  readonly shares: number;
  readonly difficulty: number;
  readonly hashrate: Hashrates;
}

export interface MinerSummary {
  readonly address: string;
  readonly workers: number;
  readonly lastSeen: number;
  readonly shares: number;
  readonly hashrate: Hashrates;
  /** Carried balance in satoshis (below the minimum payout). */
  readonly balance: bigint;
}

export interface MinerDetail extends MinerSummary {
  readonly firstSeen: number;
  readonly workerStats: readonly WorkerStats[];
  /** Satoshis paid to the address by found blocks (all statuses but orphaned). */
  readonly paid: bigint;
}

export interface PoolStats {
  readonly hashrate: Hashrates;
  /** Addresses and workers with accepted shares in the last 10 minutes. */
  readonly activeMiners: number;
  readonly activeWorkers: number;
  readonly sharesTotal: number;
  readonly sharesLast24h: number;
  readonly blocksFound: number;
  readonly lastBlock?: BlockRecord;
  readonly paidTotal: bigint;
  readonly carriedTotal: bigint;
}

export interface ListOptions {
  readonly limit?: number;
  readonly offset?: number;
}

const DEFAULT_LIST_LIMIT = 50;
const MAX_LIST_LIMIT = 1000;

function limits(o: ListOptions = {}): [number, number] {
  const limit = Math.min(Math.max(1, Math.trunc(o.limit ?? DEFAULT_LIST_LIMIT)), MAX_LIST_LIMIT);
  const offset = Math.max(0, Math.trunc(o.offset ?? 0));
  return [limit, offset];
}

function windowStarts(now: number): { nowMin: number; m10: number; h1: number; h24: number } {
  const nowMin = Math.floor(now / MINUTE_MS);
  return {
    nowMin,
    m10: nowMin - HASHRATE_WINDOWS_MIN.m10 + 1,
    h1: nowMin - HASHRATE_WINDOWS_MIN.h1 + 1,
    h24: nowMin - HASHRATE_WINDOWS_MIN.h24 + 1,
  };
}

/**
 * Where a window's observation starts (ms): the window's start, or later when the group's first
 * share in the window came after it. `firstMinute` is the first minute bucket with shares in the
 * window, `firstSeen` the group's first share ever: when that falls inside the first bucket it is
 * the exact time of the first share (a new pool, miner or worker); otherwise the group came back
 * within the window and the bucket's start is the closest the rollups know (within a minute).
 * Nothing before the returned time is counted, so the rate never overstates; downtime after the
 * first share (an edge restart, a miner's pause) counts, because no work reached the pool then.
 */
export function observedStart(windowStartMs: number, firstMinute: number | undefined, firstSeen: number | undefined): number | undefined {
  if (firstMinute === undefined) return undefined;
  return Math.max(windowStartMs, firstMinute * MINUTE_MS, firstSeen ?? 0);
}

const optNumber = (v: unknown): number | undefined => (v === null || v === undefined ? undefined : toNumber(v));

/**
 * Hashrates from difficulty sums of whole-minute buckets: each window's difficulty over the time
 * observed in it (observedStart, MIN_OBSERVED_MS at least), the current minute as far as it has run.
 */
function hashrates(now: number, g: WindowSums): Hashrates {
  const w = windowStarts(now);
  const firstSeen = optNumber(g.firstSeen);
  const one = (startMin: number, sum: unknown, first: unknown): [number, number] => {
    const windowStart = startMin * MINUTE_MS;
    const from = observedStart(windowStart, optNumber(first), firstSeen) ?? windowStart;
    const ms = Math.min(now - windowStart, Math.max(MIN_OBSERVED_MS, now - from));
    return [estimateHashrate(toNumber(sum), ms / 1000), ms / 1000];
  };
  const [m10, s10] = one(w.m10, g.d10, g.f10);
  const [h1, s60] = one(w.h1, g.d60, g.f60);
  const [h24, s1440] = one(w.h24, g.d1440, g.f1440);
  return { m10, h1, h24, seconds: { m10: s10, h1: s60, h24: s1440 } };
}

/** SQL columns of WindowSums over share_minutes (parameters: the m10, h1 and m10, h1 window starts). */
const WINDOW_SUMS_SQL = `SUM(CASE WHEN minute >= ? THEN difficulty ELSE 0 END) AS d10,
              SUM(CASE WHEN minute >= ? THEN difficulty ELSE 0 END) AS d60,
              SUM(difficulty) AS d1440,
              MIN(CASE WHEN minute >= ? THEN minute END) AS f10,
              MIN(CASE WHEN minute >= ? THEN minute END) AS f60,
              MIN(minute) AS f1440`;

function rowToBlock(r: SqlRow): BlockRecord {
  return {
    hash: String(r.hash),
    height: toNumber(r.height),
    time: toNumber(r.time_ms),
    reward: toBigInt(r.reward),
    status: String(r.status) as BlockStatus,
    finder: String(r.finder),
    worker: String(r.worker),
  };
}

function rowToPayout(r: SqlRow): PayoutListing {
  return {
    blockHash: String(r.block_hash),
    outputIndex: toNumber(r.output_index),
    address: String(r.address),
    value: toBigInt(r.value),
    kind: String(r.kind) as 'pool' | 'miner',
    credit: toBigInt(r.credit),
    carriedPaid: toBigInt(r.carried_paid),
    height: toNumber(r.height),
    time: toNumber(r.time_ms),
    status: String(r.status) as BlockStatus,
  };
}

// A share hash is recorded once (UNIQUE index shares_hash, migration 2): a second row for the
// same hash is refused, whatever job id, connection or edge it came through.
const INSERT_SHARE_SQLITE = `INSERT INTO shares (time_ms, address, worker, difficulty, share_diff, job_id, height, is_block, hash)
  VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT (hash) DO NOTHING`;
const INSERT_SHARES_PG = `INSERT INTO shares (time_ms, address, worker, difficulty, share_diff, job_id, height, is_block, hash)
  SELECT * FROM UNNEST(?::bigint[], ?::text[], ?::text[], ?::float8[], ?::float8[], ?::text[], ?::bigint[], ?::bool[], ?::text[])
  ON CONFLICT (hash) DO NOTHING RETURNING hash`;
const UPSERT_MINUTE = `ON CONFLICT (minute, address, worker) DO UPDATE SET
  shares = share_minutes.shares + excluded.shares, difficulty = share_minutes.difficulty + excluded.difficulty`;
const UPSERT_WORKER = `ON CONFLICT (address, worker) DO UPDATE SET
  first_seen_ms = CASE WHEN excluded.first_seen_ms < workers.first_seen_ms THEN excluded.first_seen_ms ELSE workers.first_seen_ms END,
  last_seen_ms = CASE WHEN excluded.last_seen_ms > workers.last_seen_ms THEN excluded.last_seen_ms ELSE workers.last_seen_ms END,
  shares = workers.shares + excluded.shares, difficulty = workers.difficulty + excluded.difficulty`;

interface MinuteAgg { minute: number; address: string; worker: string; shares: number; difficulty: number }
interface WorkerAgg { address: string; worker: string; first: number; last: number; shares: number; difficulty: number }

export class PoolStore {
  constructor(readonly db: SqlDriver) {}

  /**
   * Appends accepted shares and updates the rollups, in one transaction. A share whose hash is
   * already recorded is refused (not inserted, not in the rollups); the result lists the
   * positions in `shares` of those refused.
   */
  async insertShares(shares: readonly ShareRecord[]): Promise<InsertSharesResult> {
    if (shares.length === 0) return { refused: [] };
    return this.db.transaction(async (tx) => {
      const inserted = tx.dialect === 'postgres' ? await this.insertRowsPg(tx, shares) : await this.insertRowsSqlite(tx, shares);
      const kept = shares.filter((_, i) => inserted[i]);
      if (kept.length) await this.addToRollups(tx, kept);
      const refused: number[] = [];
      inserted.forEach((ok, i) => {
        if (!ok) refused.push(i);
      });
      return { refused };
    });
  }

  /** Inserts the share rows; true at each position whose row went in. */
  private async insertRowsSqlite(tx: SqlExecutor, shares: readonly ShareRecord[]): Promise<boolean[]> {
    const changed = await tx.runMany(INSERT_SHARE_SQLITE, shares.map((s) => [s.time, s.address, s.worker, s.difficulty, s.shareDiff, s.jobId, s.height, s.isBlock, s.hash]));
    return changed.map((n) => n > 0);
  }

  private async insertRowsPg(tx: SqlExecutor, shares: readonly ShareRecord[]): Promise<boolean[]> {
    const col = <T,>(f: (s: ShareRecord) => T) => shares.map(f) as never;
    const rows = await tx.query(INSERT_SHARES_PG, [
      col((s) => s.time), col((s) => s.address), col((s) => s.worker), col((s) => s.difficulty), col((s) => s.shareDiff),
      col((s) => s.jobId), col((s) => s.height), col((s) => s.isBlock), col((s) => s.hash),
    ]);
    // Rows go in in array order, so the first of equal hashes in a batch is the one inserted.
    const unclaimed = new Map<string, number>();
    for (const r of rows) unclaimed.set(String(r.hash), (unclaimed.get(String(r.hash)) ?? 0) + 1);
    return shares.map((s) => {
      const n = unclaimed.get(s.hash) ?? 0;
      if (n === 0) return false;
      unclaimed.set(s.hash, n - 1);
      return true;
    });
  }

  private async addToRollups(tx: SqlExecutor, shares: readonly ShareRecord[]): Promise<void> {
    const minutes = new Map<string, MinuteAgg>();
    const workers = new Map<string, WorkerAgg>();
    for (const s of shares) {
      const minute = Math.floor(s.time / MINUTE_MS);
      const mk = `${minute}\u0000${s.address}\u0000${s.worker}`;
      const m = minutes.get(mk);
      if (m) {
        m.shares++;
        m.difficulty += s.difficulty;
      } else minutes.set(mk, { minute, address: s.address, worker: s.worker, shares: 1, difficulty: s.difficulty });
      const wk = `${s.address}\u0000${s.worker}`;
      const w = workers.get(wk);
      if (w) {
        w.shares++;
        w.difficulty += s.difficulty;
        if (s.time < w.first) w.first = s.time;
        if (s.time > w.last) w.last = s.time;
      } else workers.set(wk, { address: s.address, worker: s.worker, first: s.time, last: s.time, shares: 1, difficulty: s.difficulty });
    }
    const ms = [...minutes.values()];
    const ws = [...workers.values()];
    if (tx.dialect === 'postgres') {
      await tx.run(`INSERT INTO share_minutes (minute, address, worker, shares, difficulty)
        SELECT * FROM UNNEST(?::bigint[], ?::text[], ?::text[], ?::bigint[], ?::float8[]) ${UPSERT_MINUTE}`,
        [ms.map((m) => m.minute), ms.map((m) => m.address), ms.map((m) => m.worker), ms.map((m) => m.shares), ms.map((m) => m.difficulty)]);
      await tx.run(`INSERT INTO workers (address, worker, first_seen_ms, last_seen_ms, shares, difficulty)
        SELECT * FROM UNNEST(?::text[], ?::text[], ?::bigint[], ?::bigint[], ?::bigint[], ?::float8[]) ${UPSERT_WORKER}`,
        [ws.map((w) => w.address), ws.map((w) => w.worker), ws.map((w) => w.first), ws.map((w) => w.last), ws.map((w) => w.shares), ws.map((w) => w.difficulty)]);
      return;
    }
    await tx.runMany(`INSERT INTO share_minutes (minute, address, worker, shares, difficulty) VALUES (?, ?, ?, ?, ?) ${UPSERT_MINUTE}`,
      ms.map((m) => [m.minute, m.address, m.worker, m.shares, m.difficulty]));
    await tx.runMany(`INSERT INTO workers (address, worker, first_seen_ms, last_seen_ms, shares, difficulty) VALUES (?, ?, ?, ?, ?, ?) ${UPSERT_WORKER}`,
      ws.map((w) => [w.address, w.worker, w.first, w.last, w.shares, w.difficulty]));
  }

  /** The most recent `limit` shares' address and difficulty, oldest first (the PPLNS window). */
  async recentShares(limit: number): Promise<{ address: string; difficulty: number }[]> {
    const rows = await this.db.query('SELECT address, difficulty FROM shares ORDER BY id DESC LIMIT ?', [Math.max(0, Math.trunc(limit))]);
    return rows.reverse().map((r) => ({ address: String(r.address), difficulty: toNumber(r.difficulty) }));
  }

  /** Shares, newest first, optionally of one address. */
  async listShares(options: ListOptions & { address?: string } = {}): Promise<StoredShare[]> {
    const [limit, offset] = limits(options);
    const where = options.address !== undefined ? 'WHERE address = ?' : '';
    const params = options.address !== undefined ? [options.address, limit, offset] : [limit, offset];
    const rows = await this.db.query(`SELECT * FROM shares ${where} ORDER BY id DESC LIMIT ? OFFSET ?`, params);
    return rows.map((r) => ({
      id: toNumber(r.id), time: toNumber(r.time_ms), address: String(r.address), worker: String(r.worker),
      difficulty: toNumber(r.difficulty), shareDiff: toNumber(r.share_diff), jobId: String(r.job_id),
      height: toNumber(r.height), isBlock: toBool(r.is_block), hash: String(r.hash),
    }));
  }

  async shareCount(): Promise<number> {
    const rows = await this.db.query('SELECT COUNT(*) AS n FROM shares');
    return toNumber(rows[0]?.n);
  }

  /** Whether a share with this hash is stored (durability checks). */
  async hasShareHash(hash: string): Promise<boolean> {
    return (await this.db.query('SELECT 1 AS x FROM shares WHERE hash = ? LIMIT 1', [hash])).length > 0;
  }

  /**
   * Records a found block with its coinbase payouts and replaces the carried balances with the
   * ones its PPLNS computation produced (`carried`; undefined leaves them as they are), and
   * clears its write-ahead row, in one transaction. Recording the same block hash again is a
   * no-op (returns false).
   */
  async recordBlock(block: BlockRecord, payouts: readonly Omit<PayoutRecord, 'blockHash'>[], carried: ReadonlyMap<string, bigint> | undefined, now = Date.now()): Promise<boolean> {
    return this.db.transaction(async (tx) => {
      await tx.run('DELETE FROM block_submissions WHERE hash = ?', [block.hash]);
      const inserted = await tx.run(
        'INSERT INTO blocks (hash, height, time_ms, reward, status, finder, worker) VALUES (?, ?, ?, ?, ?, ?, ?) ON CONFLICT (hash) DO NOTHING',
        [block.hash, block.height, block.time, block.reward, block.status, block.finder, block.worker],
      );
      if (inserted === 0) return false;
      await tx.runMany(
        'INSERT INTO payouts (block_hash, output_index, address, value, kind, credit, carried_paid) VALUES (?, ?, ?, ?, ?, ?, ?)',
        payouts.map((p) => [block.hash, p.outputIndex, p.address, p.value, p.kind, p.credit, p.carriedPaid]),
      );
      if (carried) {
        await tx.run('DELETE FROM balances');
        await tx.runMany(
          'INSERT INTO balances (address, carried, updated_ms) VALUES (?, ?, ?)',
          [...carried].filter(([, v]) => v > 0n).map(([a, v]) => [a, v, now]),
        );
      }
      return true;
    });
  }

  /** Writes a found block to the write-ahead log before it is submitted (idempotent). */
  async recordBlockSubmission(s: BlockSubmission): Promise<void> {
    const plan = JSON.stringify({
      payouts: s.payouts.map((p) => ({ ...p, value: String(p.value), credit: String(p.credit), carriedPaid: String(p.carriedPaid) })),
      carried: [...s.carried].map(([a, v]) => [a, String(v)]),
    });
    await this.db.run(
      'INSERT INTO block_submissions (hash, height, time_ms, reward, finder, worker, plan) VALUES (?, ?, ?, ?, ?, ?, ?) ON CONFLICT (hash) DO NOTHING',
      [s.hash, s.height, s.time, s.reward, s.finder, s.worker, plan],
    );
  }

  /** The write-ahead log: found blocks not recorded (nor known rejected) yet, lowest first. */
  async blockSubmissions(): Promise<BlockSubmission[]> {
    const rows = await this.db.query('SELECT * FROM block_submissions ORDER BY height ASC, time_ms ASC');
    return rows.map((r) => {
      let plan: { payouts: { outputIndex: number; address: string; value: string; kind: 'pool' | 'miner'; credit: string; carriedPaid: string }[]; carried: [string, string][] };
      try {
        plan = JSON.parse(String(r.plan));
      } catch (err) {
        throw new StorageError('query', `block_submissions row ${String(r.hash)} holds an unreadable plan: ${(err as Error).message}`, { cause: err });
      }
      return {
        hash: String(r.hash),
        height: toNumber(r.height),
        time: toNumber(r.time_ms),
        reward: toBigInt(r.reward),
        finder: String(r.finder),
        worker: String(r.worker),
        payouts: plan.payouts.map((p) => ({ ...p, value: BigInt(p.value), credit: BigInt(p.credit), carriedPaid: BigInt(p.carriedPaid) })),
        carried: new Map(plan.carried.map(([a, v]) => [a, BigInt(v)])),
      };
    });
  }

  /** Drops a write-ahead row (the node refused the block, or the chain does not have it). */
  async deleteBlockSubmission(hash: string): Promise<void> {
    await this.db.run('DELETE FROM block_submissions WHERE hash = ?', [hash]);
  }

  /** Blocks with a status, lowest height first. */
  async blocksWithStatus(status: BlockStatus): Promise<BlockRecord[]> {
    const rows = await this.db.query('SELECT * FROM blocks WHERE status = ? ORDER BY height ASC, time_ms ASC', [status]);
    return rows.map(rowToBlock);
  }

  /** Height of the highest block that is not orphaned (undefined when none is recorded). */
  async latestBlockHeight(): Promise<number | undefined> {
    const [r] = await this.db.query("SELECT MAX(height) AS h FROM blocks WHERE status <> 'orphaned'");
    return r?.h === null || r?.h === undefined ? undefined : toNumber(r.h);
  }

  /** Which of `addresses` have shares on record here (workers table). */
  async addressesWithShares(addresses: readonly string[]): Promise<Set<string>> {
    const found = new Set<string>();
    for (const a of new Set(addresses)) {
      if ((await this.db.query('SELECT 1 AS x FROM workers WHERE address = ? LIMIT 1', [a])).length) found.add(a);
    }
    return found;
  }

  async setBlockStatus(hash: string, status: BlockStatus): Promise<void> {
    const n = await this.db.run('UPDATE blocks SET status = ? WHERE hash = ?', [status, hash]);
    if (n === 0) throw new StorageError('query', `no block with hash ${hash} is recorded`);
  }

  async listBlocks(options: ListOptions = {}): Promise<BlockRecord[]> {
    const [limit, offset] = limits(options);
    const rows = await this.db.query('SELECT * FROM blocks ORDER BY height DESC, time_ms DESC LIMIT ? OFFSET ?', [limit, offset]);
    return rows.map(rowToBlock);
  }

  async getBlock(hash: string): Promise<BlockRecord | undefined> {
    const rows = await this.db.query('SELECT * FROM blocks WHERE hash = ?', [hash]);
    return rows[0] ? rowToBlock(rows[0]) : undefined;
  }

  /** Payouts, newest block first, optionally of one address or one block. */
  async listPayouts(options: ListOptions & { address?: string; blockHash?: string } = {}): Promise<PayoutListing[]> {
    const [limit, offset] = limits(options);
    const where: string[] = [];
    const params: (string | number)[] = [];
    if (options.address !== undefined) {
      where.push('p.address = ?');
      params.push(options.address);
    }
    if (options.blockHash !== undefined) {
      where.push('p.block_hash = ?');
      params.push(options.blockHash);
    }
    const rows = await this.db.query(
      `SELECT p.*, b.height, b.time_ms, b.status FROM payouts p JOIN blocks b ON b.hash = p.block_hash
       ${where.length ? 'WHERE ' + where.join(' AND ') : ''}
       ORDER BY b.height DESC, b.time_ms DESC, p.output_index ASC LIMIT ? OFFSET ?`,
      [...params, limit, offset],
    );
    return rows.map(rowToPayout);
  }

  /** Carried balances (address -> satoshis): the input of the next block's PPLNS. */
  async balances(): Promise<Map<string, bigint>> {
    const rows = await this.db.query('SELECT address, carried FROM balances ORDER BY address');
    return new Map(rows.map((r) => [String(r.address), toBigInt(r.carried)]));
  }

  async balance(address: string): Promise<bigint> {
    const rows = await this.db.query('SELECT carried FROM balances WHERE address = ?', [address]);
    return rows[0] ? toBigInt(rows[0].carried) : 0n;
  }

  async poolStats(now = Date.now()): Promise<PoolStats> {
    const w = windowStarts(now);
    const [rate] = await this.db.query(
      `SELECT ${WINDOW_SUMS_SQL}, SUM(shares) AS s1440,
              COUNT(DISTINCT CASE WHEN minute >= ? THEN address END) AS miners,
              COUNT(DISTINCT CASE WHEN minute >= ? THEN address || ':' || worker END) AS workers
       FROM share_minutes WHERE minute >= ?`,
      [w.m10, w.h1, w.m10, w.h1, w.m10, w.m10, w.h24],
    );
    const [totals] = await this.db.query('SELECT SUM(shares) AS n, MIN(first_seen_ms) AS first_seen FROM workers');
    const [blocks] = await this.db.query("SELECT COUNT(*) AS n FROM blocks WHERE status <> 'orphaned'");
    const last = await this.db.query('SELECT * FROM blocks ORDER BY height DESC, time_ms DESC LIMIT 1');
    const [paid] = await this.db.query(
      "SELECT SUM(p.value) AS v FROM payouts p JOIN blocks b ON b.hash = p.block_hash WHERE p.kind = 'miner' AND b.status <> 'orphaned'",
    );
    const [carried] = await this.db.query('SELECT SUM(carried) AS v FROM balances');
    return {
      hashrate: hashrates(now, { ...(rate as object), firstSeen: totals?.first_seen } as WindowSums),
      activeMiners: toNumber(rate?.miners),
      activeWorkers: toNumber(rate?.workers),
      sharesTotal: toNumber(totals?.n),
      sharesLast24h: toNumber(rate?.s1440),
      blocksFound: toNumber(blocks?.n),
      ...(last[0] ? { lastBlock: rowToBlock(last[0]) } : {}),
      paidTotal: toBigInt(paid?.v),
      carriedTotal: toBigInt(carried?.v),
    };
  }

  /** Miners seen in the last 24 hours, by 1-hour hashrate, highest first. */
  async listMiners(options: ListOptions = {}, now = Date.now()): Promise<MinerSummary[]> {
    const [limit, offset] = limits(options);
    const w = windowStarts(now);
    const rows = await this.db.query(
      `SELECT r.*, wk.workers, wk.last_seen_ms, wk.first_seen, wk.shares, COALESCE(b.carried, 0) AS carried
       FROM (SELECT address, ${WINDOW_SUMS_SQL}
             FROM share_minutes WHERE minute >= ? GROUP BY address) r
       JOIN (SELECT address, COUNT(*) AS workers, MAX(last_seen_ms) AS last_seen_ms, MIN(first_seen_ms) AS first_seen, SUM(shares) AS shares
             FROM workers GROUP BY address) wk ON wk.address = r.address
       LEFT JOIN balances b ON b.address = r.address
       ORDER BY r.d60 DESC, r.address ASC LIMIT ? OFFSET ?`,
      [w.m10, w.h1, w.m10, w.h1, w.h24, limit, offset],
    );
    return rows.map((r) => ({
      address: String(r.address),
      workers: toNumber(r.workers),
      lastSeen: toNumber(r.last_seen_ms),
      shares: toNumber(r.shares),
      hashrate: hashrates(now, { ...(r as object), firstSeen: r.first_seen } as WindowSums),
      balance: toBigInt(r.carried),
    }));
  }

  /** One miner's workers, hashrates, totals and balance; undefined when the address never mined. */
  async minerDetail(address: string, now = Date.now()): Promise<MinerDetail | undefined> {
    const workerRows = await this.db.query('SELECT * FROM workers WHERE address = ? ORDER BY worker', [address]);
    if (workerRows.length === 0) return undefined;
    const w = windowStarts(now);
    const rateRows = await this.db.query(
      `SELECT worker, ${WINDOW_SUMS_SQL}
       FROM share_minutes WHERE address = ? AND minute >= ? GROUP BY worker`,
      [w.m10, w.h1, w.m10, w.h1, address, w.h24],
    );
    const rates = new Map(rateRows.map((r) => [String(r.worker), r]));
    // The address's figures: difficulty summed over its workers, first bucket and first share the earliest of theirs.
    const sum = { d10: 0, d60: 0, d1440: 0 };
    const first: { f10?: number; f60?: number; f1440?: number; firstSeen?: number } = {};
    const earliest = (a: number | undefined, b: number | undefined) => (a === undefined ? b : b === undefined ? a : Math.min(a, b));
    const workerStats: WorkerStats[] = workerRows.map((r) => {
      const rate = rates.get(String(r.worker));
      for (const k of ['d10', 'd60', 'd1440'] as const) sum[k] += toNumber(rate?.[k]);
      for (const k of ['f10', 'f60', 'f1440'] as const) first[k] = earliest(first[k], optNumber(rate?.[k]));
      first.firstSeen = earliest(first.firstSeen, toNumber(r.first_seen_ms));
      return {
        address,
        worker: String(r.worker),
        firstSeen: toNumber(r.first_seen_ms),
        lastSeen: toNumber(r.last_seen_ms),
        shares: toNumber(r.shares),
        difficulty: toNumber(r.difficulty),
        hashrate: hashrates(now, { ...(rate ?? { d10: 0, d60: 0, d1440: 0, f10: null, f60: null, f1440: null }), firstSeen: r.first_seen_ms } as WindowSums),
      };
    });
    const [paid] = await this.db.query(
      "SELECT SUM(p.value) AS v FROM payouts p JOIN blocks b ON b.hash = p.block_hash WHERE p.address = ? AND b.status <> 'orphaned'",
      [address],
    );
    return {
      address,
      workers: workerStats.length,
      firstSeen: Math.min(...workerStats.map((x) => x.firstSeen)),
      lastSeen: Math.max(...workerStats.map((x) => x.lastSeen)),
      shares: workerStats.reduce((a, x) => a + x.shares, 0),
      hashrate: hashrates(now, { ...sum, ...first } as WindowSums),
      balance: await this.balance(address),
      paid: toBigInt(paid?.v),
      workerStats,
    };
  }
}
