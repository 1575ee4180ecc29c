/**
 * A set of 64-bit share keys in typed arrays (open addressing, linear probing): duplicate
 * detection without a string or an object per share, so a job that collects millions of shares
 * costs 16 bytes per slot and no garbage collection.
 *
 * Growth is incremental (as Redis rehashes): a full table is replaced by one twice its size and
 * its slots move over a few at a time on later inserts, so no single insert pays for copying
 * millions of keys (a one-shot rehash of 1M keys stalls the event loop for ~150 ms).
 *
 * The key of a share is 64 bits of its header hash (bytes 0..7, the low-order end that is
 * uniformly random even for shares meeting a target). The header is a function of exactly what
 * the miner controls within a job (extranonce1, extranonce2, ntime, nonce, version bits), so equal
 * headers are the duplicates; a false duplicate needs a 64-bit collision (~n^2 / 2^65 for n shares
 * of one job: 2.4e-7 for 3 million).
 *
 * Keys can be deleted (a share whose commit failed is forgotten so it can be submitted again):
 * backward-shift deletion keeps probe runs intact without tombstones.
 */
import { readU32LE } from './hex.ts';

const INITIAL_CAPACITY = 1024;
/** Old-table slots moved per insert while growing (>= 2 finishes before the new table fills). */
const MIGRATE_SLOTS_PER_ADD = 8;

class Table {
  readonly hi: Uint32Array;
  readonly lo: Uint32Array;
  readonly mask: number;
  count = 0;

  constructor(capacity: number) {
    this.hi = new Uint32Array(capacity);
    this.lo = new Uint32Array(capacity);
    this.mask = capacity - 1;
  }

  /** Index of the key, or -(empty slot index) - 1 when absent. */
  find(hi: number, lo: number): number {
    const H = this.hi;
    const L = this.lo;
    let i = (lo ^ Math.imul(hi, 0x9e3779b1)) & this.mask;
    for (;;) {
      const h = H[i]!;
      const l = L[i]!;
      if (h === hi && l === lo) return i;
      if (h === 0 && l === 0) return -i - 1;
      i = (i + 1) & this.mask;
    }
  }

  put(at: number, hi: number, lo: number): void {
    this.hi[at] = hi;
    this.lo[at] = lo;
    this.count++;
  }

  /**
   * Empties slot `at` by backward-shift deletion (no tombstones): every later key of the probe
   * run that may legally sit in the hole moves into it, so lookups never stop early.
   */
  removeAt(at: number): void {
    const H = this.hi;
    const L = this.lo;
    const mask = this.mask;
    let hole = at;
    for (let j = (hole + 1) & mask; ; j = (j + 1) & mask) {
      const h = H[j]!;
      const l = L[j]!;
      if (h === 0 && l === 0) break;
      const home = (l ^ Math.imul(h, 0x9e3779b1)) & mask;
      // The key at j stays when its home lies cyclically in (hole, j].
      const stays = hole <= j ? hole < home && home <= j : hole < home || home <= j;
      if (stays) continue;
      H[hole] = h;
      L[hole] = l;
      hole = j;
    }
    H[hole] = 0;
    L[hole] = 0;
    this.count--;
  }
}

export class ShareHashSet {
  private table: Table;
  /** The table being migrated away from, while growing. */
  private old: Table | undefined;
  private cursor = 0;

  constructor(initialCapacity = INITIAL_CAPACITY) {
    let cap = INITIAL_CAPACITY;
    while (cap < initialCapacity) cap *= 2;
    this.table = new Table(cap);
  }

  get size(): number {
    // Keys already moved are counted in both tables; the unmoved rest of `old` only there.
    return this.table.count + (this.old ? this.unmovedOld() : 0);
  }

  /** Adds the key of a 32-byte hash; returns false when it was already present. */
  addHash(hash: Uint8Array): boolean {
    return this.add(readU32LE(hash, 4), readU32LE(hash, 0));
  }

  hasHash(hash: Uint8Array): boolean {
    return this.has(readU32LE(hash, 4), readU32LE(hash, 0));
  }

  /** Adds a 64-bit key (hi, lo as u32); returns false when it was already present. */
  add(hi: number, lo: number): boolean {
    hi >>>= 0;
    lo >>>= 0;
    if (hi === 0 && lo === 0) lo = 1; // (0, 0) marks an empty slot
    if (this.old) {
      this.migrate();
      if (this.old && this.old.find(hi, lo) >= 0) return false;
    }
    const at = this.table.find(hi, lo);
    if (at >= 0) return false;
    this.table.put(-at - 1, hi, lo);
    if (this.table.count * 2 > this.table.hi.length) this.startGrow();
    return true;
  }

  /** Removes the key of a 32-byte hash (a share whose commit failed); returns whether it was present. */
  deleteHash(hash: Uint8Array): boolean {
    return this.delete(readU32LE(hash, 4), readU32LE(hash, 0));
  }

  /**
   * Removes a 64-bit key; returns whether it was present. Rare (rollbacks), so a growth in
   * progress is finished first rather than deleting from a table half moved.
   */
  delete(hi: number, lo: number): boolean {
    hi >>>= 0;
    lo >>>= 0;
    if (hi === 0 && lo === 0) lo = 1;
    if (this.old) this.finishMigration();
    const at = this.table.find(hi, lo);
    if (at < 0) return false;
    this.table.removeAt(at);
    return true;
  }

  has(hi: number, lo: number): boolean {
    hi >>>= 0;
    lo >>>= 0;
    if (hi === 0 && lo === 0) lo = 1;
    if (this.table.find(hi, lo) >= 0) return true;
    return this.old !== undefined && this.old.find(hi, lo) >= 0;
  }

  /** Empties the set and gives its memory back. */
  clear(): void {
    this.table = new Table(INITIAL_CAPACITY);
    this.old = undefined;
    this.cursor = 0;
  }

  private startGrow(): void {
    if (this.old) this.finishMigration();
    this.old = this.table;
    this.table = new Table(this.old.hi.length * 2);
    this.cursor = 0;
  }

  private migrate(): void {
    const old = this.old!;
    const end = Math.min(old.hi.length, this.cursor + MIGRATE_SLOTS_PER_ADD);
    for (let i = this.cursor; i < end; i++) this.moveSlot(old, i);
    this.cursor = end;
    if (end === old.hi.length) this.old = undefined;
  }

  private finishMigration(): void {
    const old = this.old!;
    for (let i = this.cursor; i < old.hi.length; i++) this.moveSlot(old, i);
    this.old = undefined;
  }

  private moveSlot(old: Table, i: number): void {
    const h = old.hi[i]!;
    const l = old.lo[i]!;
    if (h === 0 && l === 0) return;
    const at = this.table.find(h, l);
    if (at < 0) this.table.put(-at - 1, h, l);
  }

  private unmovedOld(): number {
    const old = this.old!;
    let n = 0;
    for (let i = this.cursor; i < old.hi.length; i++) if (old.hi[i] !== 0 || old.lo[i] !== 0) n++;
    return n;
  }
}
