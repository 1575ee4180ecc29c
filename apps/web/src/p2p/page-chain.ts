/**
 * The page's own copy of the sharechain and everything it answers: verdicts on shares heard
 * (gossip, sync, its own), the sync protocol's questions, jobs for its miner (the coinbase that
 * pays payouts(tip, reward) and commits to the page's address, core's buildShareCoinbase through
 * createChainJob), and the money: what the window credits an address, what the next block would
 * pay it and why each block found did or did not. Runs inside chain-worker.ts, off the main
 * thread; plain synchronous code, so Vitest drives it directly.
 *
 * The coin context comes from templates (CoinTips fed by the edges' signed templates); shares
 * fetched by sync on coin blocks the page never had a template for are taken as core's
 * addSynced says (every check but the coin's, which edges with a node make).
 */
import {
  addSynced,
  bitsToTarget,
  bytesToHex,
  CoinTips,
  createChainJob,
  decodePoolParams,
  decodeShare,
  demandedTarget,
  hexToBytes,
  poolIdHex,
  prevHashToStratum,
  ShareChain,
  SharechainError,
  targetToDifficulty,
  type AddResult,
  type ChainJob,
  type ChainJobCoin,
  type ChainTip,
  type CoinTipInfo,
  type Payee,
  type PayeePayout,
  type Payouts,
  type ShareCoinbaseParts,
  type ShareEntry,
  type StratumJobFields,
} from '@otedama/core';
import { verdictOf, type ShareVerdict } from '@otedama/edge/peer';

/** Where a share came from: its own miner, gossip, or a sync run (coin checks it cannot make are left to edges). */
export type ShareSource = 'own' | 'gossip' | 'sync';

export interface PageVerdict {
  readonly verdict: ShareVerdict;
  /** On acceptance: the share id (hex), its height, whether it is a block, whether the best tip moved. */
  readonly key?: string;
  readonly height?: number;
  readonly isBlock?: boolean;
  readonly tipMoved?: boolean;
}

/** A job for the page's miner, in Stratum's shape (miner.ts builds headers from it), with the exact target. */
export interface ChainWork extends StratumJobFields {
  readonly jobId: string;
  /** The share target (a hash at or below it is a share) and the coin's block target. */
  readonly target: bigint;
  readonly blockTarget: bigint;
  readonly difficulty: number;
  /** Height of the share being mined, and the tip it builds on (hex; undefined for a chain's first share). */
  readonly height: number;
  readonly parent: string | undefined;
}

/** A coin template as the page mines on it. */
export interface MiningCoin extends ChainJobCoin {
  readonly headerVersion: number;
  /** Header time (s). */
  readonly curtime: number;
}

/** One payee's side of a payouts computation. */
export interface PayoutLine {
  /** Its exact share of the reward (expected value), sats. */
  readonly amount: bigint;
  /** What this coinbase pays it (0 when it lost the lottery or has no credit). */
  readonly paid: bigint;
  readonly kind: 'direct' | 'lottery' | 'none';
  /** Chance of being paid, num/den (1/1 direct, m*amount/S in the lottery). */
  readonly odds: { readonly num: bigint; readonly den: bigint };
  readonly bonus: bigint;
}

export interface FoundBlockView {
  readonly key: string;
  readonly height: number;
  readonly time: number;
  /** The finder's payees were this address. */
  readonly foundByMe: boolean;
  /** What its coinbase did for the address. */
  readonly me: PayoutLine;
  readonly threshold: bigint;
  readonly reward: bigint;
}

export interface EarningsSummary {
  readonly tip: { readonly key: string; readonly height: number; readonly time: number } | undefined;
  readonly windowShares: number;
  /** Shares in the window naming the address among their payees. */
  readonly myShares: number;
  /** The address's credited work over the window's (parts per million). */
  readonly creditPpm: number;
  /** If another miner found the next block now / if this page did. */
  readonly nextIfOther: PayoutLine | undefined;
  readonly nextIfMine: PayoutLine | undefined;
  readonly threshold: bigint | undefined;
  readonly reward: bigint | undefined;
  /** Expected hashes per share at the difficulty the chain demands now. */
  readonly hashesPerShare: number | undefined;
  readonly blocks: readonly FoundBlockView[];
}

/** Jobs kept for sealing (a share found on a job replaced a moment ago is still sealed and offered). */
const KEPT_JOBS = 16;
/** Found blocks the summary explains (newest first). */
const EXPLAINED_BLOCKS = 10;
/** A stand-in finder for "if someone else finds it": an OP_TRUE P2WSH no page pays itself to. */
const OTHER_FINDER: Payee = { script: hexToBytes('00204ae81572f06e1b88fd5ced7a1a000945432e83e1551e6f721ee9c00b8cc33260', 34), bp: 10_000 };

export class PageChain {
  private chain: ShareChain | undefined;
  private readonly coin = new CoinTips();
  private readonly jobs = new Map<string, { job: ChainJob; parts: ShareCoinbaseParts }>();
  private jobSeq = 0;

  constructor(private readonly now: () => number = Date.now) {}

  private get c(): ShareChain {
    if (!this.chain) throw new SharechainError('the page chain is not open');
    return this.chain;
  }

  /** Opens the chain of the pool whose parameters an edge told (checked against `expectedPoolId`). */
  open(params: Uint8Array, expectedPoolId?: string): { poolId: string } {
    const p = decodePoolParams(params);
    const id = poolIdHex(p);
    if (expectedPoolId !== undefined && id !== expectedPoolId) throw new SharechainError(`the pool parameters hash to ${id}, not the pool id ${expectedPoolId} the edge named`);
    this.chain = new ShareChain({ params: p, coin: this.coin, now: this.now });
    return { poolId: id };
  }

  /** Shares stored before (IndexedDB), oldest first: validated again as history. */
  restore(shares: readonly Uint8Array[], onProgress?: (done: number) => void): { restored: number; dropped: number } {
    let restored = 0;
    let dropped = 0;
    shares.forEach((bytes, i) => {
      const r = this.add(bytes, 'sync', true);
      if (r.kind === 'accepted' || r.kind === 'duplicate') restored++;
      else dropped++;
      if (onProgress && (i + 1) % 200 === 0) onProgress(i + 1);
    });
    onProgress?.(shares.length);
    return { restored, dropped };
  }

  private add(bytes: Uint8Array, source: ShareSource, history: boolean): AddResult {
    const options = history ? { history: true } : {};
    return source === 'sync' ? addSynced(this.c, bytes, options) : this.c.add(bytes, options);
  }

  receive(bytes: Uint8Array, source: ShareSource, history = false): PageVerdict {
    const r = this.add(bytes, source, history);
    const verdict = verdictOf(r);
    if (r.kind !== 'accepted') return { verdict };
    return { verdict, key: r.entry.key, height: r.entry.height, isBlock: r.isBlock, tipMoved: r.bestChanged };
  }

  /**
   * A sync batch judged in one call, in order, as the sync client would offer it share by share:
   * as history when the chain is empty (a fresh window), and stopping after the first share that
   * is an orphan or invalid (the client drops the batch there; what follows stays unjudged). One
   * worker round trip per batch instead of one per share (bench/chain-worker-bench.ts).
   */
  receiveBatch(shares: readonly Uint8Array[], source: ShareSource): PageVerdict[] {
    const history = this.c.tip === undefined;
    const out: PageVerdict[] = [];
    for (const bytes of shares) {
      const v = this.receive(bytes, source, history);
      out.push(v);
      if (v.verdict.result === 'orphan' || v.verdict.result === 'invalid') break;
    }
    return out;
  }

  /**
   * For each share: may it still go out over gossip? False for one built on a coin block this
   * page knows as too old for new shares (the coin moved on while it was kept): peers would not
   * take it as new work. It stays in this chain, and a peer that syncs the chain takes it there.
   */
  gossipable(shares: readonly Uint8Array[]): boolean[] {
    const { algorithm } = this.c;
    return shares.map((bytes) => {
      try {
        const { work } = decodeShare(bytes, algorithm.share.headerBytes);
        return this.coin.lookup(algorithm.share.readFields(work.header).prevHash) !== 'stale';
      } catch {
        return false;
      }
    });
  }

  sharesById(ids: readonly Uint8Array[]): Uint8Array[] {
    return ids.flatMap((id) => {
      const e = this.c.get(id);
      return e ? [e.encoded] : [];
    });
  }

  sharesAfter(locator: readonly Uint8Array[], max: number): Uint8Array[] {
    return this.c.sharesAfter(locator, max);
  }

  locator(): Uint8Array[] {
    return this.c.locator();
  }

  tip(): ChainTip | undefined {
    const t = this.c.tip;
    return t ? { id: t.id, height: t.height, work: t.chainWork, windowShares: this.c.window().shares } : undefined;
  }

  /** A coin block shares may build on (from a template the page accepted). */
  coinTip(prevHash: Uint8Array, info: CoinTipInfo): void {
    this.coin.add(prevHash, info);
  }

  /**
   * A job paying `payees` on the coin template, built on the best tip now: its coinbase around an
   * extranonce slot of `extranonceBytes` (the miner's extranonce1 + extranonce2).
   */
  job(payees: readonly Payee[], coin: MiningCoin, extranonceBytes: number): ChainWork {
    const chain = this.c;
    const now = this.now();
    const minerNonce = crypto.getRandomValues(new Uint8Array(8));
    const job = createChainJob(chain, { payees, coin, time: now, minerNonce });
    const parts = job.coinbaseParts(extranonceBytes);
    const jobId = `c${(++this.jobSeq).toString(36)}`;
    this.jobs.set(jobId, { job, parts });
    while (this.jobs.size > KEPT_JOBS) this.jobs.delete(this.jobs.keys().next().value as string);
    const hex8 = (v: number) => (v >>> 0).toString(16).padStart(8, '0');
    // Header time: the template's, rolled forward by the time since (never behind the coin's).
    const ntime = Math.max(coin.curtime, Math.floor(now / 1000));
    return {
      jobId,
      prevhash: prevHashToStratum(coin.prevHash),
      coinb1: bytesToHex(parts.coinb1),
      coinb2: bytesToHex(parts.coinb2),
      merkleBranch: (coin.merkleBranch ?? []).map(bytesToHex),
      version: hex8(coin.headerVersion),
      nbits: hex8(coin.bits),
      ntime: hex8(ntime),
      target: job.target,
      blockTarget: job.blockTarget,
      difficulty: targetToDifficulty(job.target),
      height: job.metadata.height,
      parent: chain.tip && job.metadata.height > 0 ? bytesToHex(job.metadata.parent) : undefined,
    };
  }

  /** The share a header found on `jobId` is (its extranonce bytes between the job's scriptSig parts). */
  seal(jobId: string, header: Uint8Array, extranonce: Uint8Array): Uint8Array {
    const kept = this.jobs.get(jobId);
    if (!kept) throw new SharechainError(`job ${jobId} is no longer kept (more than ${KEPT_JOBS} jobs since)`);
    const { job, parts } = kept;
    if (extranonce.length !== parts.extranonceBytes) throw new SharechainError(`the extranonce is ${parts.extranonceBytes} bytes, not ${extranonce.length}`);
    const scriptSig = new Uint8Array(parts.scriptSigPrefix.length + extranonce.length + parts.scriptSigSuffix.length);
    scriptSig.set(parts.scriptSigPrefix, 0);
    scriptSig.set(extranonce, parts.scriptSigPrefix.length);
    scriptSig.set(parts.scriptSigSuffix, parts.scriptSigPrefix.length + extranonce.length);
    return job.encode(header, scriptSig);
  }

  /** Forgets shares far below the tip; returns their ids (hex) for the store to delete. */
  prune(): string[] {
    return this.c.prune().map(bytesToHex);
  }

  /** What the next block would pay each payee if `finder` found it on `coin` (every payee's exact expected amount). */
  nextPayouts(finderScript: Uint8Array, coin: Pick<ChainJobCoin, 'prevHash' | 'reward'>): { script: string; amount: bigint; paid: bigint }[] {
    const chain = this.c;
    return chain.payouts(chain.tip?.id, coin.reward, coin.prevHash, [{ script: finderScript, bp: 10_000 }]).payees.map((p) => ({ script: p.key, amount: p.amount, paid: p.paid }));
  }

  /** The money, for the dashboard: the address's place in the window, its next payout, and the blocks found. */
  summary(script: Uint8Array, coin: Pick<ChainJobCoin, 'prevHash' | 'reward' | 'bits'> | undefined): EarningsSummary {
    const chain = this.c;
    const key = bytesToHex(script);
    const tip = chain.tip;
    let windowShares = 0;
    let myShares = 0;
    let creditPpm = 0;
    if (tip) {
      const w = chain.window();
      windowShares = w.shares;
      const mine = w.credits.find((c) => c.key === key);
      if (mine && w.totalWeight > 0n) creditPpm = Number((mine.weight * 1_000_000n) / w.totalWeight);
      let e: ShareEntry | undefined = tip;
      for (let i = 0; e && i < w.shares; i++, e = e.parent) if (e.creditsKey(key)) myShares++;
    }
    let nextIfOther: PayoutLine | undefined;
    let nextIfMine: PayoutLine | undefined;
    let threshold: bigint | undefined;
    let hashesPerShare: number | undefined;
    if (coin) {
      try {
        const other = chain.payouts(tip?.id, coin.reward, coin.prevHash, [OTHER_FINDER]);
        nextIfOther = lineFor(other, key);
        threshold = other.threshold;
        nextIfMine = lineFor(chain.payouts(tip?.id, coin.reward, coin.prevHash, [{ script, bp: 10_000 }]), key);
      } catch {
        // The window reaches shares not held yet (sync under way): no payout to show yet.
      }
      const demand = demandedTarget(tip ? { maxBits: tip.share.meta.maxBits, time: tip.time } : undefined, this.now(), bitsToTarget(coin.bits), chain.params);
      hashesPerShare = Number((1n << 256n) / (demand.target + 1n));
    }
    return {
      tip: tip ? { key: tip.key, height: tip.height, time: tip.time } : undefined,
      windowShares,
      myShares,
      creditPpm,
      nextIfOther,
      nextIfMine,
      threshold,
      reward: coin?.reward,
      hashesPerShare,
      blocks: this.blocks(key),
    };
  }

  /** Blocks on the best chain, newest first, and what each paid the address. */
  private blocks(key: string): FoundBlockView[] {
    const chain = this.c;
    const out: FoundBlockView[] = [];
    for (let e = chain.tip; e && out.length < EXPLAINED_BLOCKS; e = e.parent) {
      if (!e.isBlock) continue;
      const { meta, work } = e.share;
      const prevHash = chain.algorithm.share.readFields(work.header).prevHash;
      let payouts: Payouts;
      try {
        payouts = chain.payouts(e.height === 0 ? undefined : meta.parent, work.reward, prevHash, meta.payees);
      } catch {
        continue; // its window reaches below what the page holds
      }
      out.push({ key: e.key, height: e.height, time: e.time, foundByMe: meta.payees.some((p) => bytesToHex(p.script) === key), me: lineFor(payouts, key), threshold: payouts.threshold, reward: work.reward });
    }
    return out;
  }
}

function lineFor(payouts: Payouts, key: string): PayoutLine {
  const p: PayeePayout | undefined = payouts.payees.find((x) => x.key === key);
  if (!p) return { amount: 0n, paid: 0n, kind: 'none', odds: { num: 0n, den: 1n }, bonus: 0n };
  return { amount: p.amount, paid: p.paid, kind: p.kind, odds: p.winProbability, bonus: p.bonus };
}
