/**
 * Keeps the pool's books in step with the coin chain. Run at start, before anything mines, and
 * again on every new tip, it records the pool's blocks, repairs what a crash or a reorg left and
 * logs each repair:
 *
 *   1. The found-block write-ahead log (block_submissions), at start: a block written there was
 *      about to be submitted when the edge died. In the best chain: it is recorded exactly as it
 *      would have been (its payouts as the sharechain computed them). Not in it: the node never
 *      took it; the row goes.
 *   2. The pool's blocks the books lack: every block of the best chain this reconciler has not
 *      examined yet (the last `scanDepth` at start, then each new tip and whatever a reorg
 *      replaced) whose coinbase is the pool's is recorded, with the coinbase outputs as its
 *      payouts (credit = value). A pool block is one whose coinbase carries the sharechain's
 *      commitment to this pool's id (`6a 44 "OTDM" poolId metadataHash`, docs/sharechain.md
 *      §4): every edge of the pool
 *      records every block of the pool, whoever found it (another edge, a browser peer); while
 *      the edge runs, one with a write-ahead row is its own, which BlockRecorder records. At
 *      start, a coinbase that carries the pool's coinbase tag and pays the pool's address, or
 *      only addresses that mined here, is the pool's too (issue 9: a block of this edge whose
 *      write-ahead row was never written, from before payouts came from the chain).
 *   3. Statuses: a pending block with `maturity` confirmations is confirmed; a recorded block
 *      that left the best chain is orphaned (its payouts are not paid: every paid total leaves
 *      orphaned blocks out), and one that came back is pending or confirmed again.
 *
 * Identifying blocks by tag and outputs: the tag alone is not enough (every Otedama pool uses
 * /otedama/ unless configured otherwise), so the coinbase must also pay this pool's address or
 * only its miners. The commitment needs no such guess: the pool id is the hash of the pool's
 * rules, and a coinbase commits to it only when a share of this pool's chain was mined into it.
 */
import { bytesEqual, bytesToHex, COMMITMENT_SCRIPT_BYTES, COMMITMENT_TAG, hexToBytes, reverseBytes, scriptToAddress, type Coin, type Network, type ShareChain, type Transaction } from '@otedama/core';
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
/** The push opcode of the commitment's 68 bytes ("OTDM", pool id, metadata hash). */
const PUSH_68 = 0x44;

export interface BlockReconcilerDeps {
  readonly chain: ChainView;
  readonly store: Pick<
    PoolStore,
    'blockSubmissions' | 'deleteBlockSubmission' | 'recordBlock' | 'getBlock' | 'blocksWithStatus' | 'setBlockStatus' | 'latestBlockHeight' | 'addressesWithShares'
  >;
  readonly network: Network;
  /** Whose address formats (default bitcoin). */
  readonly coin?: Coin;
  /** The edge operator's address (the fee payee of its miners' shares). */
  readonly poolAddress: string;
  /** config.pool.coinbaseTag */
  readonly coinbaseTag: string;
  readonly logger: Logger;
  /** Confirmations that make a block confirmed (1 on simnet, where blocks are final). */
  readonly maturity?: number;
  readonly scanDepth?: number;
  readonly now?: () => number;
  /**
   * The sharechain's pool id: a coinbase that commits to it is the pool's, whoever found the
   * block (without it only the coinbase tag and outputs identify the pool's blocks).
   */
  readonly poolId?: Uint8Array;
  /** Who found a pool block, when the sharechain holds the share that is it (its hash, display order). */
  readonly finderOf?: (blockHash: string) => { readonly finder: string; readonly worker: string } | undefined;
}

/** How a coinbase was recognized as the pool's. */
export type PoolBlockEvidence = 'commitment' | 'tag';

export interface ReconcileReport {
  readonly tip: number;
  /** Blocks recorded from the write-ahead log. */
  readonly recordedFromLog: readonly string[];
  /** The pool's blocks found in the chain without any record (by the commitment, or the tag at start). */
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
  /** The best chain's block hash at each height examined (the last scanDepth heights): what the next run need not fetch again. */
  private readonly examined = new Map<number, string>();

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
    // submitted right now, which BlockRecorder.record records itself.
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

    // The best chain's blocks not examined yet: all of the last scanDepth at start, then the new
    // tip, and every height a reorg gave another block.
    for (const [h, hash] of await this.unexamined(tip)) {
      const known = await store.getBlock(hash);
      if (known?.status === 'orphaned') {
        const status = this.statusAt(h, tip);
        await store.setBlockStatus(hash, status);
        report.reinstated.push(hash);
        this.log.warn('reconcile: an orphaned block is in the best chain again; its payouts count again', { height: h, hash, status });
      } else if (!known) {
        const found = await this.poolPayouts(await chain.coinbase(hash));
        // While the edge runs, a block with a write-ahead row is this edge's own, being recorded
        // right now by BlockRecorder.record with the exact credits of its share (the row stays
        // for the start-up reconciliation if that record never happens).
        const ownInFlight = async () => !atStart && (await store.blockSubmissions()).some((s) => s.hash === hash);
        if (found && (found.evidence === 'commitment' || atStart) && !(await ownInFlight())) {
          await this.recordFromChain(hash, h, tip, found.payouts, found.evidence, report);
        }
      }
      this.examined.set(h, hash);
    }

    // Recorded blocks that left the best chain (a confirmed one too: simnet confirms at once, and
    // a reorg deeper than `maturity` is rare but possible), and pending ones that matured.
    const recent = (await store.blocksWithStatus('confirmed')).filter((b) => b.height > tip - this.scanDepth);
    for (const b of [...(await store.blocksWithStatus('pending')), ...recent]) {
      const height = await chain.heightOf(b.hash);
      if (height === undefined) {
        await store.setBlockStatus(b.hash, 'orphaned');
        report.orphaned.push(b.hash);
        this.log.warn('reconcile: block orphaned (no longer in the best chain); its payouts are not paid', { height: b.height, hash: b.hash, was: b.status });
      } else if (b.status === 'pending' && this.statusAt(height, tip) === 'confirmed') {
        await store.setBlockStatus(b.hash, 'confirmed');
        report.confirmed.push(b.hash);
        this.log.info('reconcile: block confirmed', { height, hash: b.hash, confirmations: tip - height + 1 });
      }
    }
    if (atStart) {
      for (const b of await store.blocksWithStatus('orphaned')) {
        if (report.reinstated.includes(b.hash)) continue;
        const height = await chain.heightOf(b.hash);
        if (height === undefined) continue;
        const status = this.statusAt(height, tip);
        await store.setBlockStatus(b.hash, status);
        report.reinstated.push(b.hash);
        this.log.warn('reconcile: an orphaned block is in the best chain again; its payouts count again', { height, hash: b.hash, status });
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

  /**
   * [height, hash] of the best chain's blocks this reconciler has not examined, oldest first:
   * walking down from the tip to the first height whose block it saw already (a reorg's fork
   * point), at most scanDepth deep.
   */
  private async unexamined(tip: number): Promise<[number, string][]> {
    const low = Math.max(1, tip - this.scanDepth + 1);
    for (const h of [...this.examined.keys()]) if (h > tip || h < low) this.examined.delete(h);
    const out: [number, string][] = [];
    for (let h = tip; h >= low; h--) {
      const hash = await this.deps.chain.hashAt(h);
      if (hash === undefined) continue; // the tip moved down meanwhile
      if (this.examined.get(h) === hash) break;
      out.push([h, hash]);
    }
    return out.reverse();
  }

  /** Records a pool block found in the chain, with its coinbase outputs as payouts. */
  private async recordFromChain(hash: string, height: number, tip: number, payouts: Omit<PayoutRecord, 'blockHash'>[], evidence: PoolBlockEvidence, report: { recoveredFromChain: string[] }): Promise<void> {
    const status = this.statusAt(height, tip);
    const reward = payouts.reduce((a, p) => a + p.value, 0n);
    const who = this.deps.finderOf?.(hash);
    const finder = who?.finder ?? UNKNOWN_FINDER;
    const recorded = await this.deps.store.recordBlock({ hash, height, time: this.now(), reward, status, finder, worker: who?.worker ?? '' }, payouts);
    if (!recorded) return; // recorded meanwhile (this edge's own block, recorded as found)
    report.recoveredFromChain.push(hash);
    const fields = { height, hash, outputs: payouts.length, reward: String(reward), status, finder };
    if (evidence === 'commitment') {
      this.log.info('reconcile: recorded a block of the pool from the coin chain (its coinbase commits to the pool id); its payouts are the coinbase outputs', fields);
    } else {
      this.log.warn('reconcile: recorded a block of the pool found in the chain without a record; its payouts are the coinbase outputs', fields);
    }
  }

  private statusAt(height: number, tip: number): BlockStatus {
    return tip - height + 1 >= this.maturity ? 'confirmed' : 'pending';
  }

  /** Records a write-ahead block as BlockRecorder.record would have. */
  private async recordFromLog(sub: BlockSubmission, status: BlockStatus): Promise<void> {
    const recorded = await this.deps.store.recordBlock(
      { hash: sub.hash, height: sub.height, time: sub.time, reward: sub.reward, status, finder: sub.finder, worker: sub.worker },
      sub.payouts,
    );
    if (recorded) {
      this.log.warn('reconcile: recorded a found block the chain accepted while the edge was down (from the write-ahead log)', {
        height: sub.height, hash: sub.hash, outputs: sub.payouts.length, reward: String(sub.reward),
      });
    }
  }

  /** The payouts of a coinbase when it is the pool's (see the module comment), and how it was recognized; else undefined. */
  private async poolPayouts(coinbase: Transaction): Promise<{ payouts: Omit<PayoutRecord, 'blockHash'>[]; evidence: PoolBlockEvidence } | undefined> {
    const paying = coinbase.outputs.map((o, vout) => ({ ...o, vout })).filter((o) => o.value > 0n && o.script[0] !== OP_RETURN);
    const addresses = paying.map((o) => scriptToAddress(o.script, this.deps.network, this.deps.coin));
    const payouts = (known: readonly string[]) =>
      paying.map((o, i) => ({
        outputIndex: o.vout,
        address: known[i]!,
        value: o.value,
        kind: known[i] === this.deps.poolAddress ? ('pool' as const) : ('miner' as const),
        credit: o.value,
        carriedPaid: 0n,
      }));
    const poolId = this.deps.poolId;
    if (poolId && coinbase.outputs.some((o) => isCommitmentTo(o.script, poolId))) {
      // The sharechain pays only standard scripts, which have addresses; anything else shows as its script.
      return { payouts: payouts(addresses.map((a, i) => a ?? `script:${bytesToHex(paying[i]!.script)}`)), evidence: 'commitment' };
    }
    const script = coinbase.inputs[0]?.script;
    if (!script || !contains(script, this.tag)) return undefined;
    if (paying.length === 0 || addresses.some((a) => a === undefined)) return undefined;
    const known = addresses as string[];
    if (!known.includes(this.deps.poolAddress)) {
      const miners = await this.deps.store.addressesWithShares(known);
      if (!known.every((a) => miners.has(a))) return undefined;
    }
    return { payouts: payouts(known), evidence: 'tag' };
  }
}

/**
 * finderOf from the sharechain: a SHA-256d share's id is its header's hash, so the block a share
 * is has the share's id as its hash; the finder is the share's main payee (most basis points).
 * Blocks whose share this edge does not hold (pruned, or another algorithm's ids) stay unknown.
 */
export function sharechainFinder(chain: Pick<ShareChain, 'get'>, network: Network): (blockHash: string) => { finder: string; worker: string } | undefined {
  return (blockHash) => {
    const entry = chain.get(reverseBytes(hexToBytes(blockHash, 32, 'block hash')));
    if (!entry) return undefined;
    const main = [...entry.share.meta.payees].sort((a, b) => b.bp - a.bp)[0];
    const finder = main && scriptToAddress(main.script, network);
    return finder ? { finder, worker: '' } : undefined;
  };
}

/** The output script is the sharechain's commitment (OP_RETURN PUSH68 "OTDM" poolId metadataHash) to `poolId`. */
export function isCommitmentTo(script: Uint8Array, poolId: Uint8Array): boolean {
  return (
    script.length === COMMITMENT_SCRIPT_BYTES &&
    script[0] === OP_RETURN &&
    script[1] === PUSH_68 &&
    bytesEqual(script.subarray(2, 6), COMMITMENT_TAG) &&
    bytesEqual(script.subarray(6, 38), poolId)
  );
}

function contains(haystack: Uint8Array, needle: Uint8Array): boolean {
  if (needle.length === 0) return false;
  outer: for (let i = 0; i + needle.length <= haystack.length; i++) {
    for (let j = 0; j < needle.length; j++) if (haystack[i + j] !== needle[j]) continue outer;
    return true;
  }
  return false;
}
