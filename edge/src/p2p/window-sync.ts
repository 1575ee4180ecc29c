/**
 * The sync client: brings this node's chain up to the best chain its peers hold, batch by
 * batch, and fetches the missing ancestors of a share heard over gossip.
 *
 * A run asks every admitted peer for its tip, picks the one with the most work, and asks it for
 * the shares after this node's locator (MAX_SYNC_BATCH_SHARES at a time); each batch goes through
 * the chain (ChainHost.receiveShare) before the next is asked for, so a peer feeding invalid
 * shares is caught at its first batch, charged, and dropped for the rest of the run. A peer that
 * goes away mid-sync costs nothing: the run asks the next best peer from where the chain now
 * is (the locator moves with every verified batch). Progress (shares, percent, ETA) is reported
 * after each batch; a run can be cancelled at any point.
 */
import { bytesToHex, MAX_SYNC_BATCH_SHARES, MAX_SYNC_IDS, type ChainTip } from '@otedama/core';
import type { Logger } from '../logger.ts';
import type { ChainHost } from './chain-host.ts';
import { PENALTY, type PeerGuard } from './peer-guard.ts';
import { PeerSyncError, type SyncClient } from './sync-client.ts';

/** With no admitted peer, a run waits this long for one before it gives up. */
export const SYNC_PEER_WAIT_MS = 10_000;
const PEER_POLL_MS = 250;
/** Ancestors of one orphan fetched by id before falling back to a window sync (a deeper gap). */
const ORPHAN_MAX_DEPTH = 16;
/** Orphans resolved at once; more are dropped (the next window sync brings their shares). */
const MAX_ORPHANS_IN_FLIGHT = 4;
/** A peer that answers 'rateLimited' is asked again after this long, this many times in a row. */
const RATE_LIMITED_WAIT_MS = 2_000;
const RATE_LIMITED_RETRIES = 5;

function abortableSleep(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    const timer = setTimeout(resolve, ms);
    signal.addEventListener('abort', () => (clearTimeout(timer), resolve()), { once: true });
  });
}

export type SyncState = 'idle' | 'syncing' | 'synced' | 'failed' | 'cancelled';

export interface SyncProgress {
  readonly state: SyncState;
  /** The peer shares are being fetched from. */
  readonly peer?: string | undefined;
  /** Shares fetched, verified and added in this run. */
  readonly shares: number;
  /** Shares the run expects to fetch (from the best peer's tip and window). */
  readonly expected?: number | undefined;
  readonly percent?: number | undefined;
  readonly etaSeconds?: number | undefined;
  readonly batches: number;
  readonly startedAt?: number | undefined;
  readonly finishedAt?: number | undefined;
  /** Why the run failed, or a note on how it ended. */
  readonly message?: string | undefined;
}

export interface WindowSyncOptions {
  readonly client: SyncClient;
  /** The chain as sync feeds it: windows and the fetched ancestors of an orphan (a sync host, chain-host-sync.ts). */
  readonly host: ChainHost;
  /**
   * The chain as gossip feeds it: an orphan heard over gossip is judged by it once its ancestors
   * are in (a new share stays subject to the coin checks a synced one is spared). Default `host`.
   */
  readonly gossipHost?: ChainHost;
  readonly guard: PeerGuard;
  /** The peers to sync from: admitted, connected. */
  readonly peers: () => string[];
  readonly logger: Logger;
  readonly now?: () => number;
  /** Shares per request (at most MAX_SYNC_BATCH_SHARES). */
  readonly batchSize?: number;
  readonly peerWaitMs?: number;
  readonly onProgress?: (p: SyncProgress) => void;
}

class Cancelled extends Error {}

export class WindowSync {
  private current: SyncProgress = { state: 'idle', shares: 0, batches: 0 };
  private running: Promise<SyncProgress> | undefined;
  private controller: AbortController | undefined;
  private orphansInFlight = 0;
  private readonly log: Logger;
  private readonly now: () => number;
  private readonly batchSize: number;

  constructor(private readonly options: WindowSyncOptions) {
    this.log = options.logger.forComponent('edge:p2p:sync');
    this.now = options.now ?? Date.now;
    this.batchSize = Math.max(1, Math.min(options.batchSize ?? MAX_SYNC_BATCH_SHARES, MAX_SYNC_BATCH_SHARES));
  }

  progress(): SyncProgress {
    return this.current;
  }

  /**
   * Starts a run (or joins the one under way); resolves with how it ended. `peerWaitMs`: how
   * long to wait for an admitted peer when there is none (default the option, else SYNC_PEER_WAIT_MS).
   */
  run(signal?: AbortSignal, peerWaitMs?: number): Promise<SyncProgress> {
    if (this.running) return this.running;
    const controller = new AbortController();
    this.controller = controller;
    const both = signal ? AbortSignal.any([signal, controller.signal]) : controller.signal;
    this.running = this.execute(both, peerWaitMs ?? this.options.peerWaitMs ?? SYNC_PEER_WAIT_MS).finally(() => {
      this.running = undefined;
      this.controller = undefined;
    });
    return this.running;
  }

  /** Stops the run under way (it ends as 'cancelled'); nothing when none runs. */
  cancel(): void {
    this.controller?.abort();
  }

  /** Ends any run; later orphans are not resolved. */
  async stop(): Promise<void> {
    this.cancel();
    await this.running?.catch(() => undefined);
  }

  private set(p: Partial<SyncProgress>): void {
    this.current = { ...this.current, ...p };
    this.options.onProgress?.(this.current);
  }

  private async execute(signal: AbortSignal, peerWaitMs: number): Promise<SyncProgress> {
    const { host, client, guard } = this.options;
    const startedAt = this.now();
    this.current = { state: 'syncing', shares: 0, batches: 0, startedAt };
    this.options.onProgress?.(this.current);
    const failed = new Set<string>();
    let fetched = 0;
    let expected: number | undefined;
    /** The most work a peer showed in this run (a run that ends below it says so). */
    let bestSeen: ChainTip | undefined;
    /** The best tip when the run began: reached, the run ends. */
    let target: ChainTip | undefined;
    const check = () => {
      if (signal.aborted) throw new Cancelled();
    };
    try {
      for (;;) {
        check();
        const candidates = await this.candidates(failed, signal, peerWaitMs);
        if (!candidates.length) {
          const ours = await host.tip();
          if (fetched && bestSeen && failed.size && (!ours || ours.work < bestSeen.work)) {
            return this.finish('synced', `stopped short of the best peer's tip (height ${bestSeen.height}) at height ${ours?.height ?? -1}: every peer with more work failed this run; see the log`);
          }
          return this.finish(fetched ? 'synced' : 'failed', fetched ? 'no other peer has more work' : failed.size ? 'every peer failed; see the log' : 'no admitted peer to sync from');
        }
        const failedBefore = failed.size;
        const best = await this.bestPeer(candidates, failed, signal);
        // Every peer asked failed to answer (one that went away, a stream that broke): ask the
        // others, and those admitted since, instead of calling a chain synced that may be far behind.
        if (!best && failed.size > failedBefore) continue;
        if (best && (!bestSeen || best.tip.work > bestSeen.work)) bestSeen = best.tip;
        target ??= best?.tip;
        const ours = await host.tip();
        if (!best || (ours && ours.work >= best.tip.work)) return this.finish('synced', ours ? `at height ${ours.height}` : 'no peer holds any share yet');
        // Chain work counts from the oldest share a node holds, and nodes keep different amounts of
        // history (a synced window starts at a root): a peer whose tip we hold is not ahead of us,
        // whatever its work reads. And a run ends once it reached the tip it set out for: shares
        // mined meanwhile come by gossip (and the next catch-up), not by a run chasing them forever.
        if (ours && (await this.holds(best.tip.id))) return this.finish('synced', `at height ${ours.height} (holding the best peer's tip)`);
        if (ours && fetched > 0 && target && ours.height >= target.height) return this.finish('synced', `at height ${ours.height} (the best tip when this run began was at ${target.height})`);
        const ahead = ours ? Math.max(1, Math.min(best.tip.height - ours.height, best.tip.windowShares)) : Math.max(1, best.tip.windowShares);
        expected = fetched + ahead;
        this.set({ peer: best.peer, expected });
        this.log.info('syncing', { peer: best.peer, tipHeight: best.tip.height, expected: ahead });
        // Batches from the best peer until it has nothing more after our tip.
        let firstBatch = true;
        let slowDowns = 0;
        for (;;) {
          check();
          let batch: { shares: readonly Uint8Array[]; more: boolean };
          try {
            batch = await client.sharesAfter(best.peer, await host.locator(), this.batchSize, signal);
          } catch (err) {
            check();
            // Asked to slow down (its limit counts every request of ours, orphan fetches too): not a
            // fault and no reason to give it up; wait, then ask again.
            if (err instanceof PeerSyncError && err.rateLimited && slowDowns++ < RATE_LIMITED_RETRIES) {
              this.log.info('sync peer asked us to slow down; waiting', { peer: best.peer, waitMs: RATE_LIMITED_WAIT_MS });
              await abortableSleep(RATE_LIMITED_WAIT_MS, signal);
              continue;
            }
            this.peerFailed(best.peer, err, failed);
            break;
          }
          let accepted = 0;
          let bad: string | undefined;
          /** Why the batch ended early, for the log: which share, what it misses. */
          let detail: Record<string, unknown> | undefined;
          // An empty chain takes the peer's window as history (its oldest share's parent lies beyond it).
          const history = (await host.tip()) === undefined;
          for (const [i, share] of batch.shares.entries()) {
            let v = await host.receiveShare(share, history ? { history: true } : undefined);
            if (v.result === 'orphan' && i === 0 && firstBatch && !history) {
              // Nothing in our locator is on the peer's chain any more (we were away longer than
              // the window it keeps): its oldest share becomes a root, as a new node's would. Only
              // that one: the rest of the batch goes in by the sync rules (a share whose parent or
              // uncle the batch does not carry is not taken without it, which would leave a hole
              // every peer that syncs from us inherits).
              v = await host.receiveShare(share, { history: true });
            }
            let gap: Awaited<ReturnType<WindowSync['fillGap']>> | undefined;
            if (v.result === 'orphan') {
              // A share whose uncle (or parent) the batch did not carry: the peer may hold it all
              // the same (an uncle it took after the share, a batch cut between them). Ask for it
              // by id, add it, and offer the share again, before calling the batch broken.
              gap = await this.fillGap(best.peer, v.missing, signal);
              if (gap.added > 0) {
                v = await host.receiveShare(share, history ? { history: true } : undefined);
                this.log.info('a share of the batch missed what the batch did not carry; fetched by id', {
                  peer: best.peer,
                  share: 'id' in v && v.id ? bytesToHex(v.id) : undefined,
                  missing: gap.ids.join(','),
                  fetched: gap.verdicts.join(', '),
                  then: v.result,
                });
              }
            }
            if (v.result === 'accepted') accepted++;
            else if (v.result === 'invalid') bad = `an invalid share: ${v.reason}`;
            else if (v.result === 'orphan') {
              bad = 'shares that do not connect to our chain';
              const tip = await host.tip();
              detail = {
                share: `${i + 1} of ${batch.shares.length}`,
                id: bytesToHex(v.id),
                missing: v.missing.map(bytesToHex).join(','),
                peerHolds: gap ? `${gap.held} of ${v.missing.length}${gap.verdicts.length ? ` (${gap.verdicts.join(', ')})` : ''}` : 'not asked',
                ourHeight: tip?.height ?? -1,
                peerHeight: best.tip.height,
                batch: firstBatch ? 'first of the run' : 'a later one',
              };
            }
            // A share the chain holds back (a time ahead of this clock; a coin block it cannot judge,
            // when the host is not a sync host) is not added: every later share of the batch would
            // be an orphan. The batch ends here, under the real reason, and the peer costs nothing.
            else if (v.result === 'deferred') bad = `a share this node holds back (${v.reason})`;
            if (bad) break;
          }
          firstBatch = false;
          fetched += accepted;
          // The status counts the peer's window; it may hold more (history before the window). While
          // it says more follow, at least one more batch is due: progress never reads 100 % early.
          if (batch.more && !bad) expected = Math.max(expected, fetched + batch.shares.length);
          const elapsedS = (this.now() - startedAt) / 1000;
          const rate = elapsedS > 0 ? fetched / elapsedS : 0;
          const left = Math.max(0, expected - fetched);
          this.set({
            shares: fetched,
            batches: this.current.batches + 1,
            expected: Math.max(expected, fetched),
            percent: Math.min(100, Math.floor((fetched / Math.max(expected, fetched, 1)) * 1000) / 10),
            etaSeconds: rate > 0 ? Math.ceil(left / rate) : undefined,
          });
          if (bad) {
            if (bad.startsWith('an invalid')) guard.penalize(best.peer, PENALTY.badResponse, `sync batch with ${bad}`);
            this.log.warn('sync peer dropped for this run', { peer: best.peer, reason: `it sent ${bad}`, ...detail });
            failed.add(best.peer);
            break;
          }
          if (!batch.more) break;
          if (accepted === 0) {
            // It says more follow, yet sends only what we hold: it would loop forever.
            this.log.warn('sync peer dropped for this run', { peer: best.peer, reason: 'its batches hold nothing new' });
            failed.add(best.peer);
            break;
          }
        }
      }
    } catch (err) {
      if (err instanceof Cancelled || signal.aborted) return this.finish('cancelled', 'cancelled');
      this.log.error('sync failed', { error: (err as Error).message });
      return this.finish('failed', (err as Error).message);
    }
  }

  private finish(state: SyncState, message: string): SyncProgress {
    const done: Partial<SyncProgress> = { state, message, finishedAt: this.now(), etaSeconds: undefined };
    if (state === 'synced') Object.assign(done, { percent: 100, expected: this.current.shares });
    this.set(done);
    // A catch-up that found nothing to fetch is routine: not worth an info line every 30 s.
    const routine = state === 'synced' && this.current.shares === 0;
    (routine ? this.log.debug : this.log.info)(`sync ${state}`, { shares: this.current.shares, batches: this.current.batches, message });
    return this.current;
  }

  /** Admitted peers not yet failed in this run; waits a while for one to appear (a page meets peers one by one). */
  private async candidates(failed: Set<string>, signal: AbortSignal, waitMs: number): Promise<string[]> {
    const deadline = this.now() + waitMs;
    for (;;) {
      const ok = this.options.peers().filter((p) => !failed.has(p) && !this.options.guard.isBanned(p));
      if (ok.length || this.now() >= deadline || signal.aborted) return ok;
      await new Promise((r) => setTimeout(r, PEER_POLL_MS));
    }
  }

  /**
   * Asks `peer` for the shares a batch's share misses and adds those it sends (as sync adds them),
   * with what those miss in turn (walkBack); how many it held, how many went in, and what became
   * of each it sent first.
   */
  private async fillGap(peer: string, missing: readonly Uint8Array[], signal: AbortSignal): Promise<{ held: number; added: number; verdicts: string[]; ids: string[] }> {
    const ids = missing.slice(0, MAX_SYNC_IDS).map(bytesToHex);
    try {
      const { held, added, verdicts } = await this.walkBack(peer, missing, signal);
      return { held, added, verdicts, ids };
    } catch {
      return { held: 0, added: 0, verdicts: [], ids };
    }
  }

  /**
   * Fetches from `peer` the shares `missing` names and adds them. One that is an orphan here in
   * turn (an uncle that names uncles of its own, a parent beyond a hole) has what it misses fetched
   * too, level by level, at most ORPHAN_MAX_DEPTH levels of MAX_SYNC_IDS ids; those held back are
   * offered again, oldest first, once the walk ends. Stops at the first invalid share (`invalid`
   * says why); a request that fails throws.
   */
  private async walkBack(peer: string, missing: readonly Uint8Array[], signal?: AbortSignal): Promise<{ held: number; added: number; verdicts: string[]; invalid?: string }> {
    const { client, host } = this.options;
    const heldBack: Uint8Array[] = [];
    const seen = new Set<string>();
    const verdicts: string[] = [];
    let held = 0;
    let added = 0;
    let want = [...missing];
    for (let depth = 0; depth < ORPHAN_MAX_DEPTH && want.length; depth++) {
      const ids = want.filter((id) => !seen.has(bytesToHex(id))).slice(0, MAX_SYNC_IDS);
      for (const id of ids) seen.add(bytesToHex(id));
      if (!ids.length) break;
      const got = await client.sharesById(peer, ids, signal);
      if (depth === 0) held = got.length;
      const next: Uint8Array[] = [];
      for (const s of got) {
        const v = await host.receiveShare(s);
        if (depth === 0) verdicts.push(v.result === 'invalid' || v.result === 'deferred' ? `${v.result}: ${v.reason}` : v.result);
        if (v.result === 'invalid') return { held, added, verdicts, invalid: v.reason };
        if (v.result === 'accepted' || v.result === 'duplicate') added++;
        else if (v.result === 'orphan') {
          heldBack.push(s);
          next.push(...v.missing);
        }
      }
      want = next;
    }
    // Now that the oldest connect, the ones held back go in, oldest (fetched last) first.
    for (const s of heldBack.reverse()) if ((await host.receiveShare(s)).result === 'accepted') added++;
    return { held, added, verdicts };
  }

  /** True when this node holds the share `id` (on any branch). */
  private async holds(id: Uint8Array): Promise<boolean> {
    return (await this.options.host.sharesById([id])).length > 0;
  }

  private async bestPeer(candidates: string[], failed: Set<string>, signal: AbortSignal): Promise<{ peer: string; tip: ChainTip } | undefined> {
    const answers = await Promise.all(
      candidates.map((peer) =>
        this.options.client.status(peer, signal).then(
          (tip) => (tip ? { peer, tip } : undefined),
          (err: unknown) => {
            this.peerFailed(peer, err, failed);
            return undefined;
          },
        ),
      ),
    );
    let best: { peer: string; tip: ChainTip } | undefined;
    for (const a of answers) if (a && (!best || a.tip.work > best.tip.work)) best = a;
    return best;
  }

  private peerFailed(peer: string, err: unknown, failed: Set<string>): void {
    failed.add(peer);
    if (err instanceof PeerSyncError && err.malformed) this.options.guard.penalize(peer, PENALTY.badResponse, err.reason);
    this.log.warn('sync peer failed; trying another', { peer, reason: (err as Error).message });
  }

  /**
   * A gossiped share whose ancestors are unknown: fetch them by id from the peer that sent it,
   * walking back until they connect, add them oldest first, then the share itself. A gap deeper
   * than ORPHAN_MAX_DEPTH is left to a window sync.
   */
  resolveOrphan(peer: string, share: Uint8Array, missing: readonly Uint8Array[]): void {
    if (this.orphansInFlight >= MAX_ORPHANS_IN_FLIGHT) return;
    this.orphansInFlight++;
    void this.fetchAncestors(peer, share, missing)
      .catch((err: unknown) => this.log.debug('orphan not resolved', { peer, error: (err as Error).message }))
      .finally(() => this.orphansInFlight--);
  }

  private async fetchAncestors(peer: string, share: Uint8Array, missing: readonly Uint8Array[]): Promise<void> {
    const walk = await this.walkBack(peer, missing);
    if (walk.invalid) {
      this.options.guard.penalize(peer, PENALTY.badResponse, `ancestor with an invalid share: ${walk.invalid}`);
      return;
    }
    const v = await (this.options.gossipHost ?? this.options.host).receiveShare(share);
    if (v.result === 'orphan') void this.run();
  }
}
