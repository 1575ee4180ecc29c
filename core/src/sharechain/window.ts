/**
 * The work-based window of a parent share P (docs/sharechain.md §6): walk back X_0 = P, X_1 =
 * P's parent, ... and include X_j while
 *   - j < maxWindowShares,
 *   - the window work of X_0..X_{j-1} is below windowSpread x blockWork(P) (the share that
 *     crosses the line is included), and
 *   - X_j.time >= P.time - windowMaxAgeMs (the walk stops at the first older share).
 * A share's window work is its own target's work plus its uncles'; what it credits is
 * shareCredits (share-entry.ts). A walk that reaches a share whose parent is not held (and is
 * not a chain's first share) is incomplete: payouts cannot be checked until sync fetches more.
 * So is a window that includes a share added without one of its uncles (`unheldUncle`: history
 * below a root): its credits lack that uncle's split, and a coinbase checked against them would
 * be refused although the share is honest.
 *
 * `walkWindow` is the rule as written (tests compare against it); `WindowTracker` keeps one
 * window and moves it share by share, so a synced chain validated share after share costs a few
 * map updates per share instead of a walk of the whole window.
 */
import type { PoolParams } from './params.ts';
import type { WindowCredit } from './payouts.ts';
import type { ShareEntry } from './share-entry.ts';
import { Deque } from './deque.ts';

export type WindowParams = Pick<PoolParams, 'windowSpread' | 'maxWindowShares' | 'windowMaxAgeMs'>;

export interface WindowSummary {
  /** The parent whose window this is (undefined: the empty window of a chain's first share). */
  readonly head: ShareEntry | undefined;
  /** Shares in the window. */
  readonly shares: number;
  /** Their window work. */
  readonly work: bigint;
  /** Credits ascending by script key, every weight > 0. */
  readonly credits: readonly WindowCredit[];
  /** Sum of the credits' weights. */
  readonly totalWeight: bigint;
  /** The oldest share included. */
  readonly oldest: ShareEntry | undefined;
  /** False when the walk ran out of held shares before a stop condition (see `missing`). */
  readonly complete: boolean;
  /** The id whose share the walk needed but the chain does not hold. */
  readonly missing?: Uint8Array;
}

function stopsBefore(x: ShareEntry, count: number, acc: bigint, threshold: bigint, cutoff: number, params: WindowParams): boolean {
  return count >= params.maxWindowShares || acc >= threshold || x.time < cutoff;
}

function summarize(head: ShareEntry | undefined, entries: Iterable<ShareEntry>, end: { complete: boolean; missing?: Uint8Array }): WindowSummary {
  const weights = new Map<string, WindowCredit>();
  let shares = 0;
  let work = 0n;
  let oldest: ShareEntry | undefined;
  for (const e of entries) {
    shares++;
    work += e.windowWork;
    oldest = e;
    for (const c of e.credits) {
      const w = weights.get(c.key);
      weights.set(c.key, { key: c.key, script: c.script, weight: (w?.weight ?? 0n) + c.weight });
    }
  }
  const credits = [...weights.values()].sort((a, b) => (a.key < b.key ? -1 : 1));
  let totalWeight = 0n;
  for (const c of credits) totalWeight += c.weight;
  return { head, shares, work, credits, totalWeight, oldest, ...end };
}

/** The window's end, or incomplete at the newest included share that lacks an uncle. */
function withUnheldUncles(end: { complete: boolean; missing?: Uint8Array }, included: readonly ShareEntry[]): { complete: boolean; missing?: Uint8Array } {
  if (!end.complete) return end;
  const partial = included.find((e) => e.unheldUncle !== undefined);
  return partial ? { complete: false, missing: partial.unheldUncle! } : end;
}

/** The window of `head` by the rule as written: a full walk. */
export function walkWindow(head: ShareEntry | undefined, params: WindowParams): WindowSummary {
  if (!head) return summarize(undefined, [], { complete: true });
  const threshold = BigInt(params.windowSpread) * head.blockWork;
  const cutoff = head.time - params.windowMaxAgeMs;
  const included: ShareEntry[] = [];
  let acc = 0n;
  let x: ShareEntry | undefined = head;
  let end: { complete: boolean; missing?: Uint8Array } = { complete: true };
  while (x && !stopsBefore(x, included.length, acc, threshold, cutoff, params)) {
    included.push(x);
    acc += x.windowWork;
    if (!x.parent && !isFirstShare(x) && !stopsAfter(included.length, acc, threshold, params)) {
      end = { complete: false, missing: x.parentId };
    }
    x = x.parent;
  }
  return summarize(head, included, withUnheldUncles(end, included));
}

/**
 * A chain's first share (null parent id). The codec lets only it have height 0, so the height
 * answers without reading the parent id out of the encoding (the tracker asks on every share
 * while a young chain's window still reaches its first share).
 */
function isFirstShare(x: ShareEntry): boolean {
  return x.height === 0;
}

function stopsAfter(count: number, acc: bigint, threshold: bigint, params: WindowParams): boolean {
  return count >= params.maxWindowShares || acc >= threshold;
}

/**
 * One window kept up to date as its head moves: to a child of the head (incremental: add the
 * child, trim or extend the old end), or anywhere else (rebuilt by a walk).
 */
export class WindowTracker {
  private head: ShareEntry | undefined;
  /** The window, oldest first. */
  private readonly items = new Deque<ShareEntry>();
  /**
   * The items that are older-than-everything-newer ("prefix minima" of time seen from the head),
   * oldest first, so times strictly increase toward the back. The first share (from the head)
   * older than a cutoff is always one of them: the newest of them below the cutoff.
   */
  private readonly ageStack = new Deque<ShareEntry>();
  /**
   * The credits, ascending by key, and their keys alike (binary search): a summary copies the
   * array as it is (no lookup per payee for every share).
   */
  private credits: WindowCredit[] = [];
  private keys: string[] = [];
  private acc = 0n;
  private totalWeight = 0n;
  private complete = true;
  private missing: Uint8Array | undefined;
  /** Items added without one of their uncles (`unheldUncle`): while any is in, the window is incomplete. */
  private partial = 0;

  constructor(private readonly params: WindowParams) {}

  /** Points the window at `head` and returns its summary. */
  moveTo(head: ShareEntry | undefined): WindowSummary {
    if (head !== this.head || !head) {
      if (head && this.head && head.parent === this.head) this.pushHead(head);
      else this.rebuild(head);
    }
    return this.summary();
  }

  /** Forgets everything (after pruning removed shares the window may hold). */
  reset(): void {
    this.rebuild(undefined);
  }

  private summary(): WindowSummary {
    const credits = this.credits.slice();
    let end: { complete: boolean; missing?: Uint8Array } = this.complete ? { complete: true } : { complete: false, missing: this.missing! };
    if (this.partial > 0) {
      // Rare (the first window after a synced root): find the newest such item, as walkWindow does.
      const items: ShareEntry[] = [];
      for (let i = this.items.length - 1; i >= 0; i--) items.push(this.items.at(i));
      end = withUnheldUncles(end, items);
    }
    const head = this.head;
    const shares = this.items.length;
    const oldest = this.items.front();
    // Written out, not spread from `end`: a summary is made for every new parent.
    return end.complete
      ? { head, shares, work: this.acc, credits, totalWeight: this.totalWeight, oldest, complete: true }
      : { head, shares, work: this.acc, credits, totalWeight: this.totalWeight, oldest, complete: false, missing: end.missing! };
  }

  private rebuild(head: ShareEntry | undefined): void {
    this.items.clear();
    this.ageStack.clear();
    this.credits = [];
    this.keys = [];
    this.acc = 0n;
    this.totalWeight = 0n;
    this.partial = 0;
    this.head = head;
    this.complete = true;
    this.missing = undefined;
    if (!head) return;
    // Walk back once, then add oldest first so the age stack builds in one pass.
    const threshold = BigInt(this.params.windowSpread) * head.blockWork;
    const cutoff = head.time - this.params.windowMaxAgeMs;
    const walk: ShareEntry[] = [];
    let acc = 0n;
    for (let x: ShareEntry | undefined = head; x && !stopsBefore(x, walk.length, acc, threshold, cutoff, this.params); x = x.parent) {
      walk.push(x);
      acc += x.windowWork;
    }
    for (let i = walk.length - 1; i >= 0; i--) this.addNewest(walk[i]!);
    this.extendAndMark(threshold, cutoff);
  }

  private pushHead(head: ShareEntry): void {
    this.head = head;
    this.addNewest(head);
    const threshold = BigInt(this.params.windowSpread) * head.blockWork;
    const cutoff = head.time - this.params.windowMaxAgeMs;
    while (this.items.length > this.params.maxWindowShares) this.dropOldest();
    while (this.items.length > 1 && this.acc - this.items.front()!.windowWork >= threshold) this.dropOldest();
    const old = this.newestOlderThan(cutoff);
    if (old) while (this.dropOldest() !== old);
    this.extendAndMark(threshold, cutoff);
  }

  /** Adds older shares while the walk would go on, then records whether it ran out of chain. */
  private extendAndMark(threshold: bigint, cutoff: number): void {
    this.complete = true;
    this.missing = undefined;
    for (;;) {
      const oldest = this.items.front();
      if (!oldest || stopsAfter(this.items.length, this.acc, threshold, this.params)) return;
      const next = oldest.parent;
      if (!next) {
        if (!isFirstShare(oldest)) {
          this.complete = false;
          this.missing = oldest.parentId;
        }
        return;
      }
      if (next.time < cutoff) return;
      this.addOldest(next);
    }
  }

  private newestOlderThan(cutoff: number): ShareEntry | undefined {
    // Times increase from the front of the age stack: binary search for the last below cutoff.
    let lo = 0;
    let hi = this.ageStack.length - 1;
    let found: ShareEntry | undefined;
    while (lo <= hi) {
      const mid = (lo + hi) >> 1;
      const e = this.ageStack.at(mid);
      if (e.time < cutoff) {
        found = e;
        lo = mid + 1;
      } else hi = mid - 1;
    }
    return found;
  }

  private addNewest(e: ShareEntry): void {
    this.items.pushBack(e);
    while (this.ageStack.length && this.ageStack.back()!.time >= e.time) this.ageStack.popBack();
    this.ageStack.pushBack(e);
    this.account(e, true);
  }

  private addOldest(e: ShareEntry): void {
    this.items.pushFront(e);
    const first = this.ageStack.front();
    if (!first || e.time < first.time) this.ageStack.pushFront(e);
    this.account(e, true);
  }

  private dropOldest(): ShareEntry {
    const e = this.items.popFront()!;
    if (this.ageStack.front() === e) this.ageStack.popFront();
    this.account(e, false);
    return e;
  }

  /** Adds a share's work and credits to the window (`adding`) or takes them out. */
  private account(e: ShareEntry, adding: boolean): void {
    this.acc = adding ? this.acc + e.windowWork : this.acc - e.windowWork;
    if (e.unheldUncle) this.partial += adding ? 1 : -1;
    const split = e.split;
    if (split !== undefined) {
      // Its own work split by its payees (shareCredits without uncles), weighed here.
      const work = e.work;
      for (const p of split.payees) this.credit(p.key, p.script, work * p.bpBigint, adding);
    } else {
      for (const c of e.credits) this.credit(c.key, c.script, c.weight, adding);
    }
  }

  private credit(key: string, script: Uint8Array, weight: bigint, adding: boolean): void {
    this.totalWeight = adding ? this.totalWeight + weight : this.totalWeight - weight;
    const i = lowerBound(this.keys, key);
    const w = this.keys[i] === key ? this.credits[i]! : undefined;
    if (!w) {
      this.keys.splice(i, 0, key);
      this.credits.splice(i, 0, { key, script, weight: adding ? weight : -weight });
      return;
    }
    const next = adding ? w.weight + weight : w.weight - weight;
    if (next === 0n) {
      this.keys.splice(i, 1);
      this.credits.splice(i, 1);
    } else {
      // A new object: summaries handed out before hold the old one.
      this.credits[i] = { key, script: w.script, weight: next };
    }
  }
}

function lowerBound(keys: readonly string[], key: string): number {
  let lo = 0;
  let hi = keys.length;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (keys[mid]! < key) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}
