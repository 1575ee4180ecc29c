/**
 * Keeps the pool's books in step with the chain. Run at start, before anything mines (and again
 * on every new tip for the statuses), it repairs what a crash or a reorg left and logs each
 * repair:
 *
 *   1. The found-block write-ahead log (block_submissions): a block written there was about to be
 *      submitted when the edge died. In the best chain: it is recorded exactly as it would have
 *      been (payouts with credits, carried balances when no later block superseded them). Not in
 *      it: the node never took it; the row goes.
 *   2. The pool's blocks the books lack, in the last `scanDepth` blocks of the chain: a coinbase
 *      that carries the pool's coinbase tag and pays the pool's address, or only addresses that
 *      mined here, is the pool's. Its payouts are recorded as the coinbase paid them (credit =
 *      value; the carried balances are left alone, and a warning says the block was recovered
 *      from the chain). This catches blocks whose write-ahead row was never written.
 *   3. Statuses: a pending block with `maturity` confirmations is confirmed; a recorded block
 *      that left the best chain is orphaned (and one that came back is pending again).
 *
 * Identifying blocks by tag and outputs: the tag alone is not enough (every Otedama pool uses
 * /otedama/ unless configured otherwise), so the coinbase must also pay this pool's address or
 * only its miners.
 */
import { scriptToAddress, type Network, type Transaction } from '@otedama/core';
import type { ChainView } from '../chain/chain-view.ts';
import type { Logger } from '../logger.ts';
import type { BlockStatus, BlockSubmission, PayoutRecord, PoolStore } from '../storage/pool-store.ts';

/** Confirmations after which a coinbase may be spent (Bitcoin's COINBASE_MATURITY). */
export const COINBASE_MATURITY = 100;
/** Blocks below the tip searched for the pool's unrecorded blocks at start (a day of Bitcoin). */
export const DEFAULT_SCAN_DEPTH = 144;
/** Finder of a block recovered from the chain (the share that found it is not known). */
export const UNKNOWN_FINDER = 'unknown (recovered from the chain)';
const OP_RETURN = 0x6a;

export interface BlockReconcilerDeps {
  readonly chain: ChainView;
  readonly store: Pick<
    PoolStore,
    'blockSubmissions' | 'deleteBlockSubmission' | 'recordBlock' | 'getBlock' | 'blocksWithStatus' | 'setBlockStatus' | 'latestBlockHeight' | 'addressesWithShares'
  >;
  readonly network: Network;
  /** The pool's address (fee and carried balances). */
  readonly poolAddress: string;
  /** config.pool.coinbaseTag */
  readonly coinbaseTag: string;
  readonly logger: Logger;
  /** Confirmations that make a block confirmed (1 on simnet, where blocks are final). */
  readonly maturity?: number;
  readonly scanDepth?: number;
  readonly now?: () => number;
}

export interface ReconcileReport {
  readonly tip: number;
  /** Blocks recorded from the write-ahead log. */
  readonly recordedFromLog: readonly string[];
  /** The pool's blocks found in the chain without any record. */
  readonly recoveredFromChain: readonly string[];
  /** Write-ahead rows of blocks the chain does not have. */
  readonly discarded: readonly string[];
  readonly confirmed: readonly string[];
  readonly orphaned: readonly string[];
  /** Orphaned blocks that are back in the best chain. */
  readonly reinstated: readonly string[];
}

export class BlockReconciler {
  private readonly log: Logger;
  private readonly maturity: number;
  private readonly scanDepth: number;
  private readonly now: () => number;
  private readonly tag: Uint8Array;
  private running: Promise<ReconcileReport> | undefined;

  constructor(private readonly deps: BlockReconcilerDeps) {
    this.log = deps.logger.forComponent('edge:reconcile');
    this.maturity = deps.maturity ?? COINBASE_MATURITY;
    this.scanDepth = deps.scanDepth ?? DEFAULT_SCAN_DEPTH;
    this.now = deps.now ?? Date.now;
    this.tag = new TextEncoder().encode(deps.coinbaseTag);
  }

  /** The full reconciliation (at start): write-ahead log, chain scan, statuses. One at a time. */
  reconcile(): Promise<ReconcileReport> {
    this.running ??= this.run(true).finally(() => (this.running = undefined));
    return this.running;
  }

  /** Pending blocks' statuses only (cheap; on every new tip). */
  refresh(): Promise<ReconcileReport> {
    this.running ??= this.run(false).finally(() => (this.running = undefined));
    return this.running;
  }

  private async run(atStart: boolean): Promise<ReconcileReport> {
    const { chain, store } = this.deps;
    const tip = await chain.tipHeight();
    const report = { tip, recordedFromLog: [] as string[], recoveredFromChain: [] as string[], discarded: [] as string[], confirmed: [] as string[], orphaned: [] as string[], reinstated: [] as string[] };

    // The write-ahead log only at start: while the edge runs, a row there is a block being
    // submitted right now, which recordFoundBlock records itself.
    for (const sub of atStart ? await store.blockSubmissions() : []) {
      const height = await chain.heightOf(sub.hash);
      if (height === undefined) {
        await store.deleteBlockSubmission(sub.hash);
        report.discarded.push(sub.hash);
        this.log.info('reconcile: a found block the chain does not have was dropped from the write-ahead log', { height: sub.height, hash: sub.hash });
        continue;
      }
      await this.recordFromLog(sub, this.statusAt(height, tip));
      report.recordedFromLog.push(sub.hash);
    }

    if (atStart) {
      for (let h = Math.max(1, tip - this.scanDepth + 1); h <= tip; h++) {
        const hash = await chain.hashAt(h);
        if (!hash || (await store.getBlock(hash))) continue;
        const payouts = await this.poolPayouts(await chain.coinbase(hash));
        if (!payouts) continue;
        const status = this.statusAt(h, tip);
        const reward = payouts.reduce((a, p) => a + p.value, 0n);
        await store.recordBlock({ hash, height: h, time: this.now(), reward, status, finder: UNKNOWN_FINDER, worker: '' }, payouts, undefined);
        report.recoveredFromChain.push(hash);
        this.log.warn('reconcile: recorded a block of the pool found in the chain without a record; its payouts are the coinbase outputs, carried balances were not changed', {
          height: h, hash, outputs: payouts.length, reward: String(reward),
        });
      }
    }

    for (const b of await store.blocksWithStatus('pending')) {
      const height = await chain.heightOf(b.hash);
      if (height === undefined) {
        await store.setBlockStatus(b.hash, 'orphaned');
        report.orphaned.push(b.hash);
        this.log.warn('reconcile: block orphaned (no longer in the best chain)', { height: b.height, hash: b.hash });
      } else if (this.statusAt(height, tip) === 'confirmed') {
        await store.setBlockStatus(b.hash, 'confirmed');
        report.confirmed.push(b.hash);
        this.log.info('reconcile: block confirmed', { height, hash: b.hash, confirmations: tip - height + 1 });
      }
    }
    if (atStart) {
      for (const b of await store.blocksWithStatus('orphaned')) {
        const height = await chain.heightOf(b.hash);
        if (height === undefined) continue;
        const status = this.statusAt(height, tip);
        await store.setBlockStatus(b.hash, status);
        report.reinstated.push(b.hash);
        this.log.warn('reconcile: an orphaned block is in the best chain again', { height, hash: b.hash, status });
      }
    }
    const repaired = report.recordedFromLog.length + report.recoveredFromChain.length + report.discarded.length + report.orphaned.length + report.reinstated.length;
    if (atStart || repaired || report.confirmed.length) {
      this.log.info('reconciled the books with the chain', {
        tip,
        recordedFromLog: report.recordedFromLog.length,
        recoveredFromChain: report.recoveredFromChain.length,
        discarded: report.discarded.length,
        confirmed: report.confirmed.length,
        orphaned: report.orphaned.length,
        reinstated: report.reinstated.length,
      });
    }
    return report;
  }

  private statusAt(height: number, tip: number): BlockStatus {
    return tip - height + 1 >= this.maturity ? 'confirmed' : 'pending';
  }

  /** Records a write-ahead block as recordFoundBlock would have (balances only if nothing later superseded them). */
  private async recordFromLog(sub: BlockSubmission, status: BlockStatus): Promise<void> {
    const latest = await this.deps.store.latestBlockHeight();
    const newest = latest === undefined || sub.height > latest;
    const recorded = await this.deps.store.recordBlock(
      { hash: sub.hash, height: sub.height, time: sub.time, reward: sub.reward, status, finder: sub.finder, worker: sub.worker },
      sub.payouts,
      newest ? sub.carried : undefined,
    );
    if (recorded) {
      this.log.warn('reconcile: recorded a found block the chain accepted while the edge was down (from the write-ahead log)', {
        height: sub.height, hash: sub.hash, outputs: sub.payouts.length, reward: String(sub.reward), balancesUpdated: newest,
      });
    }
  }

  /** The payouts of a coinbase when it is the pool's (see the module comment), else undefined. */
  private async poolPayouts(coinbase: Transaction): Promise<Omit<PayoutRecord, 'blockHash'>[] | undefined> {
    const script = coinbase.inputs[0]?.script;
    if (!script || !contains(script, this.tag)) return undefined;
    const paying = coinbase.outputs.map((o, vout) => ({ ...o, vout })).filter((o) => o.value > 0n && o.script[0] !== OP_RETURN);
    const addresses = paying.map((o) => scriptToAddress(o.script, this.deps.network));
    if (paying.length === 0 || addresses.some((a) => a === undefined)) return undefined;
    const known = addresses as string[];
    if (!known.includes(this.deps.poolAddress)) {
      const miners = await this.deps.store.addressesWithShares(known);
      if (!known.every((a) => miners.has(a))) return undefined;
    }
    return paying.map((o, i) => ({
      outputIndex: o.vout,
      address: known[i]!,
      value: o.value,
      kind: known[i] === this.deps.poolAddress ? ('pool' as const) : ('miner' as const),
      credit: o.value,
      carriedPaid: 0n,
    }));
  }
}

function contains(haystack: Uint8Array, needle: Uint8Array): boolean {
  if (needle.length === 0) return false;
  outer: for (let i = 0; i + needle.length <= haystack.length; i++) {
    for (let j = 0; j < needle.length; j++) if (haystack[i + j] !== needle[j]) continue outer;
    return true;
  }
  return false;
}
