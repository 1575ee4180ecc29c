/**
 * ShareChain: a synchronous in-memory store of shares that validates what it is given, keeps the
 * best chain by cumulative work, and answers the questions every peer asks of its books: the
 * window and payouts of any share, a locator and the shares after one (sync), what to prune.
 * Storage lives in the edge: `loadTrusted` takes back shares it validated before, fast.
 */
import { getAlgorithm } from '../algorithms/registry.ts';
import type { Algorithm, PowFunction } from '../algorithms/algorithm.ts';
import { PowVerificationError, ShareDecodeError, SharechainError } from '../errors.ts';
import { bytesToHex } from '../hex.ts';
import { createSha256dHasher } from '../sha256d-hasher.ts';
import { hashAtOrBelow, type Sha256dFn } from '../algorithms/sha256d/share-validator.ts';
import { bip34HeightPush } from '../tx.ts';
import { demandedTarget } from './asert.ts';
import type { CoinContext } from './coin-context.ts';
import { BASIS_POINTS, poolId, validatePoolParams, type PoolParams } from './params.ts';
import { computePayouts, type PayoutInput, type Payouts, type WindowCredit } from './payouts.ts';
import { payoutOutputsBytes, shareCoinbaseBytes, writePayoutOutputs, writeShareCoinbase, type SerializedPayouts } from './share-coinbase.ts';
import { DirectPayouts } from './direct-payouts.ts';
import { decodeShare, maxShareBytes, type DecodedShare } from './share-codec.ts';
import { EncodingStore, PayeeBook, PayeeSplit, ShareEntry, SplitBook, shareCredits } from './share-entry.ts';
import { SHARECHAIN_REJECT_MESSAGES, type AddResult, type InvalidShare, type Reorg, type SharechainRejectReason } from './share-verdict.ts';
import { NULL_SHARE_ID, SHARE_ID_BYTES, isNullId, type Payee } from './share.ts';
import { WindowTracker, type WindowSummary } from './window.ts';
import { ownBytes } from './bytes.ts';
import { compactTarget } from './work.ts';

/** Ancestors whose times the median-time rule looks at (Bitcoin's 11). */
export const MEDIAN_TIME_SPAN = 11;
/** Ids a locator holds at most (Bitcoin's MAX_LOCATOR_SZ); longer locators are cut. */
export const MAX_LOCATOR_IDS = 101;
/** Ids a locator lists one by one before its steps start doubling. */
const LOCATOR_DENSE_IDS = 10;
/** Parents whose windows are kept computed (siblings and a tip's racing children reuse them). */
const WINDOW_CACHE_SIZE = 4;
/** Payout results kept (keyed by parent, reward, coin block and finder payees). */
const PAYOUT_CACHE_SIZE = 8;
/**
 * Smallest buffer the serialized outputs of a cached payout get (bytes): 1 KiB holds about 30
 * outputs, so a small pool's buffers are reused as they are; the cache holds at most
 * PAYOUT_CACHE_SIZE of them, each at most the size of the largest outputs seen (~51 KB for
 * 1,000 outputs).
 */
const PAYOUT_STORE_MIN_BYTES = 1024;

export interface ShareChainOptions {
  readonly params: PoolParams;
  /** What the coin allows (recent tips, heights, rewards, targets). */
  readonly coin: CoinContext;
  /**
   * PoW of a share header; default the algorithm's own (the edge injects node:crypto's SHA-256d).
   * Required for an algorithm core cannot verify alone (KawPow: `kawpowSharePow` with an engine's
   * light evaluation); without it the constructor throws SharechainError.
   */
  readonly pow?: PowFunction;
  /** sha256d for metadata hashes, txids and merkle branches; default core's allocation-free hasher. */
  readonly sha256d?: Sha256dFn;
  /** Clock in ms since the epoch; default Date.now. */
  readonly now?: () => number;
}

export interface AddOptions {
  /**
   * Sync of history: a share whose parent is not held becomes a root, and checks that need what
   * is not held (the parent's window, uncles, ancestors' times, coin blocks too old for the coin
   * context) are skipped; the entry is marked unverified when chain rules were skipped.
   */
  readonly history?: boolean;
  /** The clock for this call (ms). */
  readonly now?: number;
}

/** A share to load without validation: its bytes, and its id when the store kept it (saves the hash). */
export type TrustedShare = Uint8Array | { readonly id: Uint8Array; readonly bytes: Uint8Array };

/**
 * One payouts(parent, reward, coin block, finder) kept: its outputs serialized (what validation
 * compares a coinbase against) and the Payouts themselves, computed when first read: a share on
 * a new parent (every share of a sync) needs only the bytes, which DirectPayouts writes without
 * them when nobody is in the lottery.
 */
class CachedPayouts implements SerializedPayouts {
  constructor(
    readonly parent: ShareEntry | undefined,
    /** What they were planned from: reward, coin block, the finder's interned payees, the window (the parent id left null). */
    private readonly input: PayoutInput,
    /** The finder's payees, interned (the same list is the same split: compared by identity). */
    readonly split: PayeeSplit,
    /** The buffer the outputs are written in: reused by the entry that replaces this one in the cache. */
    readonly store: Uint8Array,
    /** The serialized payout outputs (a view of `store`). */
    readonly bytes: Uint8Array,
    readonly count: number,
    private computed: Payouts | undefined,
  ) {}

  get reward(): bigint {
    return this.input.reward;
  }

  get coinPrevHash(): Uint8Array {
    return this.input.coinPrevHash;
  }

  get payouts(): Payouts {
    this.computed ??= computePayouts({ ...this.input, parentId: this.parent === undefined ? NULL_SHARE_ID : this.parent.id });
    return this.computed;
  }
}

const NO_CREDITS: readonly WindowCredit[] = Object.freeze([]);

/** A Map used as a small LRU cache. */
class Lru<V> {
  private readonly map = new Map<string, V>();
  constructor(private readonly size: number) {}
  get(key: string): V | undefined {
    const v = this.map.get(key);
    if (v !== undefined) {
      this.map.delete(key);
      this.map.set(key, v);
    }
    return v;
  }
  set(key: string, v: V): void {
    this.map.delete(key);
    this.map.set(key, v);
    if (this.map.size > this.size) this.map.delete(this.map.keys().next().value as string);
  }
  clear(): void {
    this.map.clear();
  }
}

class Reject {
  constructor(
    readonly reason: SharechainRejectReason,
    readonly detail: string,
  ) {}
}

export class ShareChain {
  readonly params: PoolParams;
  readonly poolId: Uint8Array;
  readonly algorithm: Algorithm;
  private readonly coin: CoinContext;
  private readonly pow: PowFunction;
  private readonly hash: Sha256dFn;
  private readonly clock: () => number;
  private readonly maxBytes: number;
  private readonly entries = new Map<string, ShareEntry>();
  /**
   * Every held share by height (uncle candidates, pruning): the share itself while it is alone
   * at its height (most heights: no array per share), an array once a sibling comes.
   */
  private readonly byHeight = new Map<number, ShareEntry | ShareEntry[]>();
  private best: ShareEntry | undefined;
  /** The best chain by height, from bestLow to the tip. */
  private readonly bestByHeight = new Map<number, ShareEntry>();
  private bestLow = 0;
  private seq = 0;
  private readonly tracker: WindowTracker;
  /** The payout scripts the held shares credit, one copy each. */
  private readonly payees = new PayeeBook();
  /** The payee lists the held shares name, one PayeeSplit each (what a share without uncles credits). */
  private readonly splits = new SplitBook(this.payees);
  /** The encodings of the held shares, packed (an entry copies its own in when inserted). */
  private readonly encodings = new EncodingStore();
  private readonly windows = new Lru<WindowSummary>(WINDOW_CACHE_SIZE);
  private readonly payoutCache: CachedPayouts[] = [];
  /** Payouts in which everyone is paid directly, planned and written without the Payouts object. */
  private readonly direct = new DirectPayouts();
  private readonly pair = new Uint8Array(64);
  /** The parent id computePayouts reads (and does not keep): copied out of its entry, no buffer per share. */
  private readonly parentIdScratch = new Uint8Array(SHARE_ID_BYTES);
  /** The coinbase being checked (reused: validation allocates no coinbase per share). */
  private coinbase = new Uint8Array(4096);
  /** The last view of `coinbase` hashed (shares of one pool have coinbases of few sizes: one view each run, not one per share). */
  private coinbaseView = this.coinbase.subarray(0, 0);
  /** The share inserted last (the likely parent of the next one; see `held`). */
  private lastAdded: ShareEntry | undefined;
  private lastHeight = -1;
  private lastMaxBits = -1;
  private lastHardest = 0n;
  private lastPush: Uint8Array = new Uint8Array(0);

  constructor(options: ShareChainOptions) {
    this.params = validatePoolParams(options.params);
    this.poolId = poolId(this.params);
    this.algorithm = getAlgorithm(this.params.algorithm);
    this.coin = options.coin;
    const pow = options.pow ?? this.algorithm.share.pow;
    if (!pow) throw new SharechainError(`${this.algorithm.name} shares need an injected proof-of-work function (core has no ${this.algorithm.name} verifier of its own)`);
    this.pow = pow;
    this.hash = options.sha256d ?? createSha256dHasher();
    this.clock = options.now ?? Date.now;
    this.maxBytes = maxShareBytes(this.algorithm.share.headerBytes);
    this.tracker = new WindowTracker(this.params);
  }

  /** The best tip (undefined while the chain is empty). */
  get tip(): ShareEntry | undefined {
    return this.best;
  }

  /** The best tip's height, -1 while empty. */
  get height(): number {
    return this.best ? this.best.height : -1;
  }

  /** The best tip's cumulative work, 0 while empty. */
  get chainWork(): bigint {
    return this.best ? this.best.chainWork : 0n;
  }

  /** Shares held (every branch). */
  get size(): number {
    return this.entries.size;
  }

  /** The largest encoding a share of this pool may have (a bound for message sizes). */
  get maxShareBytes(): number {
    return this.maxBytes;
  }

  get(id: Uint8Array | string): ShareEntry | undefined {
    return this.entries.get(typeof id === 'string' ? id : bytesToHex(id));
  }

  has(id: Uint8Array | string): boolean {
    return this.get(id) !== undefined;
  }

  /** The best chain's share at `height`, if held. */
  bestAt(height: number): ShareEntry | undefined {
    return this.bestByHeight.get(height);
  }

  /** True when `entry` is on the best chain. */
  isBest(entry: ShareEntry): boolean {
    return this.bestByHeight.get(entry.height) === entry;
  }

  /** The held shares with no held child (the best tip among them). */
  tips(): ShareEntry[] {
    const hasChild = new Set<ShareEntry>();
    for (const e of this.entries.values()) if (e.parent) hasChild.add(e.parent);
    return [...this.entries.values()].filter((e) => !hasChild.has(e));
  }

  // -------------------------------------------------------------------------------------------
  // Adding shares

  /** Validates and adds a share (its encoding). Never throws for bad input: the result says what happened. */
  add(bytes: Uint8Array, options: AddOptions = {}): AddResult {
    const now = options.now ?? this.clock();
    const history = options.history === true;
    let share: DecodedShare;
    try {
      if (!(bytes instanceof Uint8Array)) throw new ShareDecodeError('(bytes)', 'a share must be given as bytes');
      if (bytes.length > this.maxBytes) throw new ShareDecodeError('(length)', `${bytes.length} bytes; a share is at most ${this.maxBytes}`);
      // Decoded in place: add is synchronous, so the caller's bytes hold still until it returns.
      // Nothing decoded from them outlives the call (ids it answers are copies; a held share's
      // encoding is copied into the chain's store).
      share = decodeShare(bytes, this.algorithm.share.headerBytes);
    } catch (err) {
      if (err instanceof ShareDecodeError) return { kind: 'invalid', reason: 'malformed', message: err.reason };
      throw err;
    }
    let id: Uint8Array;
    try {
      id = ownBytes(this.pow(share.work.header), 0, SHARE_ID_BYTES);
    } catch (err) {
      if (err instanceof PowVerificationError) return { kind: 'invalid', reason: 'bad-pow', message: err.reason };
      throw err;
    }
    const key = bytesToHex(id);
    if (this.entries.has(key)) return { kind: 'duplicate', id };
    try {
      return this.judge(share, id, key, now, history);
    } catch (err) {
      if (err instanceof Reject) return invalid(err.reason, err.detail, id);
      throw err;
    }
  }

  private judge(share: DecodedShare, id: Uint8Array, key: string, now: number, history: boolean): AddResult {
    const { meta, work } = share;
    const params = this.params;
    const target = compactTarget(meta.bits);
    if (!hashAtOrBelow(id, target.le)) throw new Reject('high-hash', `hash ${bytesToHex(ownBytes(id).reverse())} > target of bits ${hex32(meta.bits)}`);
    if (meta.time > now + params.maxFutureMs) {
      const ahead = meta.time - now;
      return { kind: 'held-back', id, reason: 'future-time', message: `share time is ${ahead} ms ahead of this clock (limit ${params.maxFutureMs} ms)`, retryAfterMs: ahead - params.maxFutureMs };
    }

    // Parent and uncles held?
    const genesis = isNullId(meta.parent);
    const parent = genesis ? undefined : this.held(meta.parent);
    const missing: Uint8Array[] = [];
    if (!genesis && !parent && !history) missing.push(ownBytes(meta.parent));
    const uncles: ShareEntry[] = [];
    /** History: the first named uncle not held (the entry's credits will lack it). */
    let unheldUncle: Uint8Array | undefined;
    for (const u of meta.uncles) {
      const e = this.entries.get(bytesToHex(u));
      if (e) uncles.push(e);
      else if (!history) missing.push(ownBytes(u));
      else unheldUncle ??= u;
    }
    if (missing.length) return { kind: 'missing-parent', id, missing };
    let verified = genesis || parent !== undefined;
    if (parent && meta.height !== parent.height + 1) throw new Reject('bad-height', `height ${meta.height}, parent's ${parent.height}`);
    if (meta.uncles.length > params.maxUncles) throw new Reject('uncle-too-many', `${meta.uncles.length} uncles, the pool allows ${params.maxUncles}`);
    if (uncles.length < meta.uncles.length) verified = false;
    if (parent) {
      for (const u of uncles) {
        // An ancestor the check needs lies beyond what this chain holds (a synced window's edge):
        // history skips the check, anything else waits for that ancestor.
        const unknown = this.checkUncle(meta.height, parent, u);
        if (!unknown) continue;
        if (!history) return { kind: 'missing-parent', id, missing: [unknown] };
        verified = false;
      }
      this.checkMedianTime(meta.time, parent);
    }

    // The coin.
    const fields = this.algorithm.share.readFields(work.header);
    let block;
    try {
      block = compactTarget(fields.bits);
    } catch {
      throw new Reject('bad-coin-bits', `header bits ${hex32(fields.bits)} are not a valid target`);
    }
    const coin = this.coin.lookup(fields.prevHash);
    if (coin === undefined && !history) {
      return { kind: 'held-back', id, reason: 'unknown-coin-tip', message: `coin block ${displayHash(fields.prevHash)} is not known here (yet)` };
    }
    if (coin === 'stale' && !history) throw new Reject('coin-tip-stale', `coin block ${displayHash(fields.prevHash)} is too old for new shares`);
    if (coin !== undefined && coin !== 'stale') {
      if (fields.bits !== coin.bits) throw new Reject('bad-coin-bits', `header bits ${hex32(fields.bits)}, the coin's ${hex32(coin.bits)}`);
      if (work.reward > coin.maxReward) throw new Reject('reward-too-high', `claims ${work.reward} sats, the coin allows ${coin.maxReward}`);
      const push = this.heightPush(coin.height);
      if (!startsWith(work.scriptSig, push)) {
        throw new Reject('bad-coinbase-height', `scriptSig does not start with the push of height ${coin.height}`);
      }
    }

    // Difficulty.
    if (parent || genesis) {
      const demand = demandedTarget(parent, meta.time, block.target, params);
      if (meta.maxBits !== demand.bits) throw new Reject('bad-max-bits', `maxBits ${hex32(meta.maxBits)}, ASERT demands ${hex32(demand.bits)}`);
    }
    const demanded = compactTarget(meta.maxBits).target;
    if (target.target > demanded) throw new Reject('target-too-easy', `bits ${hex32(meta.bits)} above maxBits ${hex32(meta.maxBits)}`);
    const hardest = this.hardestTarget(meta.maxBits, demanded);
    if (target.target < block.target || target.target < hardest) {
      throw new Reject('target-too-hard', `bits ${hex32(meta.bits)} below the block target or 1/${params.maxTargetMultiple} of maxBits`);
    }

    // The coinbase: payouts of the parent's window, the commitment, the mandated outputs.
    const window = genesis ? undefined : parent ? this.windowOf(parent) : undefined;
    if (window && !window.complete && !history) return { kind: 'missing-parent', id, missing: [window.missing!] };
    // Its payees, interned once: the finder of its payouts, and what it credits if it names no uncle.
    const split = this.splits.intern(meta.payees);
    if (genesis || (window && window.complete)) {
      const outputs = this.cachedPayouts(parent, work.reward, fields.prevHash, split, window);
      const metadataHash = this.hash(share.metadataBytes);
      const input = { scriptSig: work.scriptSig, poolId: this.poolId, metadataHash, mandatedOutputs: work.mandatedOutputs };
      const size = shareCoinbaseBytes(input, outputs);
      if (this.coinbase.length < size) this.coinbase = new Uint8Array(size * 2);
      writeShareCoinbase(this.coinbase, input, outputs);
      if (this.coinbaseView.length !== size || this.coinbaseView.buffer !== this.coinbase.buffer) this.coinbaseView = this.coinbase.subarray(0, size);
      if (!equal32(this.merkleRoot(this.coinbaseView, work.merkleBranchBytes), fields.merkleRoot)) {
        throw new Reject('bad-coinbase', `the coinbase paying payouts(parent, ${work.reward}) with this share's commitment does not match the merkle root`);
      }
    } else {
      verified = false;
    }

    const entry = this.insert(share, id, key, parent, uncles, block.work, hashAtOrBelow(id, block.le), verified, unheldUncle, split);
    return this.accepted(entry, id);
  }

  /**
   * The held share with this id. Sync and gossip add a chain share after share, so the parent of
   * a share is most often the share added just before it or the best tip: compared bytewise
   * first, they spare the hex key and the map lookup.
   */
  private held(id: Uint8Array): ShareEntry | undefined {
    const last = this.lastAdded;
    if (last !== undefined && last.hasId(id)) return last;
    const best = this.best;
    if (best !== undefined && best.hasId(id)) return best;
    return this.entries.get(bytesToHex(id));
  }

  /** 1/maxTargetMultiple of a maxBits target: the hardest a share may choose (the last one kept: ASERT moves maxBits in steps, not per share). */
  private hardestTarget(maxBits: number, demanded: bigint): bigint {
    if (maxBits !== this.lastMaxBits) {
      this.lastMaxBits = maxBits;
      this.lastHardest = demanded / BigInt(this.params.maxTargetMultiple);
    }
    return this.lastHardest;
  }

  /** BIP34's push of a coin height (the last one kept: shares come in runs on one coin block). */
  private heightPush(height: number): Uint8Array {
    if (height !== this.lastHeight) {
      this.lastHeight = height;
      this.lastPush = bip34HeightPush(height);
    }
    return this.lastPush;
  }

  /** The merkle root of a coinbase and a branch given as 32-byte levels back to back. */
  private merkleRoot(coinbase: Uint8Array, branch: Uint8Array): Uint8Array {
    let root = this.hash(coinbase);
    const pair = this.pair;
    for (let o = 0; o < branch.length; o += 32) {
      for (let i = 0; i < 32; i++) pair[i] = root[i]!;
      for (let i = 0; i < 32; i++) pair[32 + i] = branch[o + i]!;
      root = this.hash(pair);
    }
    return root;
  }

  /**
   * Throws Reject when uncle `u` may not be named by a share at `height` on `parent`; returns the id
   * of an ancestor the check needs that this chain does not hold (the parent of a root: a synced
   * window's oldest share), undefined when the uncle is fine.
   */
  private checkUncle(height: number, parent: ShareEntry, u: ShareEntry): Uint8Array | undefined {
    const depth = height - u.height;
    if (depth < 1 || depth > this.params.maxUncleDepth) throw new Reject('uncle-too-deep', `uncle ${u.key} is ${depth} below the share (1..${this.params.maxUncleDepth})`);
    // Walk the share's ancestors from its parent down to the uncle's height: none may name it,
    // the one at its height must not be it, and the one below must be its parent.
    let a: ShareEntry = parent;
    while (a.height > u.height) {
      if (a.uncleKeys.includes(u.key)) throw new Reject('uncle-already-named', `uncle ${u.key} was named by ancestor ${a.key}`);
      if (!a.parent) return isNullId(a.parentId) ? notSibling(u) : a.parentId;
      a = a.parent;
    }
    if (a === u) throw new Reject('uncle-on-chain', `uncle ${u.key} is an ancestor`);
    const below = a.parent;
    if (!below) return isNullId(a.parentId) ? notSibling(u) : a.parentId;
    if (!below.hasId(u.parentId)) notSibling(u);
    return undefined;
  }

  private checkMedianTime(time: number, parent: ShareEntry): void {
    const median = medianTimePast(parent);
    if (time <= median) throw new Reject('time-too-old', `time ${time} ms is not above the median ${median} ms of the last ancestors`);
  }

  private insert(
    share: DecodedShare,
    id: Uint8Array,
    key: string,
    parent: ShareEntry | undefined,
    uncles: readonly ShareEntry[],
    blockWork: bigint,
    isBlock: boolean,
    verified: boolean,
    unheldUncle: Uint8Array | undefined,
    /** Its payees, interned (what it credits when it names no uncle). */
    split: PayeeSplit,
  ): ShareEntry {
    const work = compactTarget(share.meta.bits).work;
    let windowWork = work;
    for (const u of uncles) windowWork += u.work;
    const entry = new ShareEntry(
      {
        id,
        key,
        encoded: share.encoded,
        parent,
        height: share.meta.height,
        time: share.meta.time,
        maxBits: share.meta.maxBits,
        bits: share.meta.bits,
        work,
        windowWork,
        chainWork: (parent?.chainWork ?? 0n) + windowWork,
        blockWork,
        uncleKeys: uncles.length ? uncles.map((u) => u.key) : NO_KEYS,
        credits: uncles.length === 0 ? split : shareCredits(share, work, uncles, this.params, this.payees),
        seq: this.seq++,
        isBlock,
        verified,
        unheldUncle: unheldUncle && ownBytes(unheldUncle),
      },
      this.algorithm.share.headerBytes,
      this.encodings,
    );
    this.entries.set(key, entry);
    this.lastAdded = entry;
    const level = this.byHeight.get(entry.height);
    if (level === undefined) this.byHeight.set(entry.height, entry);
    else if (Array.isArray(level)) level.push(entry);
    else this.byHeight.set(entry.height, [level, entry]);
    return entry;
  }

  /** Fork choice after an insert: most chain work wins, the first seen keeps ties. */
  private accepted(entry: ShareEntry, id: Uint8Array): AddResult {
    let reorg: Reorg | undefined;
    let bestChanged = false;
    if (!this.best || entry.chainWork > this.best.chainWork) {
      reorg = this.setBest(entry);
      bestChanged = true;
    }
    return reorg
      ? { kind: 'accepted', id, entry, isBlock: entry.isBlock, tip: this.best!, bestChanged, reorg }
      : { kind: 'accepted', id, entry, isBlock: entry.isBlock, tip: this.best!, bestChanged };
  }

  private setBest(next: ShareEntry): Reorg | undefined {
    const from = this.best;
    if (from !== undefined && next.parent === from) {
      // The tip extended (sync and gossip, nearly always): nothing leaves the best chain.
      this.bestByHeight.set(next.height, next);
      this.best = next;
      return undefined;
    }
    const joined: ShareEntry[] = [];
    let x: ShareEntry | undefined = next;
    while (x && this.bestByHeight.get(x.height) !== x) {
      joined.push(x);
      x = x.parent;
    }
    const fork = x;
    const removed: Uint8Array[] = [];
    if (from) {
      const low = fork ? fork.height + 1 : this.bestLow;
      for (let h = from.height; h >= low; h--) {
        const e = this.bestByHeight.get(h);
        if (e) removed.push(e.id);
        this.bestByHeight.delete(h);
      }
      if (!fork) this.bestByHeight.clear();
    }
    for (const e of joined) this.bestByHeight.set(e.height, e);
    if (!fork) this.bestLow = joined.length ? joined[joined.length - 1]!.height : next.height;
    this.best = next;
    if (!from || removed.length === 0) return undefined;
    return { from, to: next, fork, removed, added: joined.map((e) => e.id).reverse() };
  }

  /**
   * Loads shares validated before (from the edge's store), oldest first, without validating
   * them again. A share whose parent is not among those loaded becomes a root. Throws
   * SharechainError naming the index of a share that does not decode (a corrupt store).
   */
  loadTrusted(shares: Iterable<TrustedShare>, onProgress?: (loaded: number) => void): number {
    let n = 0;
    let i = 0;
    for (const item of shares) {
      const bytes = item instanceof Uint8Array ? item : item.bytes;
      let share: DecodedShare;
      try {
        share = decodeShare(bytes, this.algorithm.share.headerBytes);
      } catch (err) {
        throw new SharechainError(`stored share ${i} does not decode: ${(err as Error).message}`);
      }
      i++;
      // The caller's id is read during the call (the entry copies it into its slab), as `bytes` is;
      // the proof of work's output may be a buffer the next hash reuses, so it is copied.
      const id = item instanceof Uint8Array ? ownBytes(this.pow(share.work.header), 0, SHARE_ID_BYTES) : item.id;
      const key = bytesToHex(id);
      if (this.entries.has(key)) continue;
      const parent = this.entries.get(bytesToHex(share.meta.parent));
      const uncles = share.meta.uncles.map((u) => this.entries.get(bytesToHex(u))).filter((e): e is ShareEntry => e !== undefined);
      const unheldUncle = uncles.length < share.meta.uncles.length ? share.meta.uncles.find((u) => !this.entries.has(bytesToHex(u))) : undefined;
      const block = compactTarget(this.algorithm.share.readFields(share.work.header).bits);
      const entry = this.insert(share, id, key, parent, uncles, block.work, hashAtOrBelow(id, block.le), true, unheldUncle, this.splits.intern(share.meta.payees));
      if (!this.best || entry.chainWork > this.best.chainWork) this.setBest(entry);
      n++;
      if (onProgress && n % 1000 === 0) onProgress(n);
    }
    if (onProgress) onProgress(n);
    return n;
  }

  // -------------------------------------------------------------------------------------------
  // Windows and payouts

  private windowOf(parent: ShareEntry): WindowSummary {
    const hit = this.windows.get(parent.key);
    if (hit) return hit;
    const w = this.tracker.moveTo(parent);
    this.windows.set(parent.key, w);
    return w;
  }

  /** The window of a share (default the best tip): the credits a share built on it is paid by. */
  window(id?: Uint8Array | string): WindowSummary {
    const entry = id === undefined ? this.best : this.get(id);
    if (id !== undefined && !entry) throw new SharechainError(`share ${typeof id === 'string' ? id : bytesToHex(id)} is not held`);
    return entry ? this.windowOf(entry) : this.tracker.moveTo(undefined);
  }

  /**
   * Payouts of a parent for a finder, from the cache or computed (and cached, with owned copies
   * of the caller's bytes). The finder comes interned (a PayeeSplit: the payee book's owned
   * scripts), so a cached entry is found by identity, with no script compared.
   */
  private cachedPayouts(parent: ShareEntry | undefined, reward: bigint, coinPrevHash: Uint8Array, split: PayeeSplit, window: WindowSummary | undefined): CachedPayouts {
    for (const c of this.payoutCache) {
      if (c.parent === parent && c.split === split && c.reward === reward && equal32(c.coinPrevHash, coinPrevHash)) return c;
    }
    // The prevhash of the newest entry when it is the same (shares come in runs on one coin
    // block), so the common case allocates no buffer.
    const newest = this.payoutCache[0];
    const ownPrevHash = newest !== undefined && equal32(newest.coinPrevHash, coinPrevHash) ? newest.coinPrevHash : ownBytes(coinPrevHash);
    // The parent id is left null for the plan: only the lottery reads it, and the direct case has none.
    const input: PayoutInput = {
      params: this.params,
      reward,
      finder: split.payees,
      credits: window?.credits ?? NO_CREDITS,
      totalWeight: window?.totalWeight ?? 0n,
      coinPrevHash: ownPrevHash,
      parentId: NULL_SHARE_ID,
    };
    let payouts: Payouts | undefined;
    let needed: number;
    if (this.direct.plan(input)) {
      needed = this.direct.bytes;
    } else {
      payouts = computePayouts({ ...input, parentId: parent === undefined ? NULL_SHARE_ID : parent.copyId(this.parentIdScratch) });
      needed = payoutOutputsBytes(payouts.outputs);
    }
    // Newest first; the oldest falls off, and its output buffer takes the new outputs (sync
    // computes payouts for every share: one buffer allocated per share was a GC cost of its own).
    const evicted = this.payoutCache.length >= PAYOUT_CACHE_SIZE ? this.payoutCache.pop() : undefined;
    let store = evicted?.store;
    if (store === undefined || store.length < needed) store = new Uint8Array(Math.max(needed, PAYOUT_STORE_MIN_BYTES));
    const written = payouts ? writePayoutOutputs(store, payouts.outputs) : this.direct.write(store);
    const count = payouts ? payouts.outputs.length : this.direct.count;
    const cached = new CachedPayouts(parent, input, split, store, store.subarray(0, written), count, payouts);
    this.payoutCache.unshift(cached);
    return cached;
  }

  /**
   * payouts(parent, reward, coin prevhash) for a new share whose payees are `finder`: what its
   * coinbase must pay. `parent` undefined (or the null id) is a chain's first share. Throws
   * SharechainError for a parent not held or whose window reaches shares not held.
   */
  payouts(parent: Uint8Array | string | undefined, reward: bigint, coinPrevHash: Uint8Array, finder: readonly Payee[]): Payouts {
    let entry: ShareEntry | undefined;
    if (parent !== undefined && !(parent instanceof Uint8Array && isNullId(parent))) {
      entry = this.get(parent);
      if (!entry) throw new SharechainError(`parent share ${typeof parent === 'string' ? parent : bytesToHex(parent)} is not held`);
    }
    if (!(coinPrevHash instanceof Uint8Array) || coinPrevHash.length !== 32) throw new SharechainError('the coin prevhash must be 32 bytes');
    checkFinder(finder);
    const window = entry ? this.windowOf(entry) : undefined;
    if (window && !window.complete) throw new SharechainError(`the window of ${entry!.key} reaches share ${bytesToHex(window.missing!)}, which is not held`);
    return this.cachedPayouts(entry, reward, coinPrevHash, this.splits.intern(finder), window).payouts;
  }

  // -------------------------------------------------------------------------------------------
  // Sync

  /**
   * Ids of the best chain from the tip back: the 10 newest one by one, then steps doubling, and
   * the oldest held last (Bitcoin's block locator). A peer answers with `sharesAfter`.
   */
  locator(): Uint8Array[] {
    const out: Uint8Array[] = [];
    if (!this.best) return out;
    let step = 1;
    let h = this.best.height;
    while (h > this.bestLow && out.length < MAX_LOCATOR_IDS - 1) {
      out.push(this.bestByHeight.get(h)!.id);
      if (out.length >= LOCATOR_DENSE_IDS) step *= 2;
      h -= step;
    }
    out.push(this.bestByHeight.get(this.bestLow)!.id);
    return out;
  }

  /**
   * Encodings of up to `max` best-chain shares after the first locator id on the best chain
   * (from the oldest held when none is), oldest first, each preceded by the uncles it names that
   * are held (they are off the best chain; its window credits them), and before each uncle the
   * held uncles it names in turn (a share that lost a race names uncles too, ones no best-chain
   * share may name; at most MAX_SHARE_GROUP in all): a batch the requester adds in order. A share
   * whose group does not fit waits for the next batch (the first sends what fits of it).
   */
  sharesAfter(locator: readonly Uint8Array[], max: number): Uint8Array[] {
    if (!Array.isArray(locator)) throw new SharechainError('a locator is an array of share ids');
    if (!Number.isSafeInteger(max) || max < 1) throw new SharechainError(`max must be a positive integer (got ${max})`);
    if (!this.best) return [];
    let start = this.bestLow;
    for (const id of locator.slice(0, MAX_LOCATOR_IDS)) {
      if (!(id instanceof Uint8Array) || id.length !== SHARE_ID_BYTES) continue;
      const e = this.get(id);
      if (e && this.isBest(e)) {
        start = e.height + 1;
        break;
      }
    }
    const out: Uint8Array[] = [];
    const sent = new Set<string>();
    for (let h = start; h <= this.best.height && out.length < max; h++) {
      const e = this.bestByHeight.get(h)!;
      // A share's uncles are off the best chain, so no locator walk brings them: send the held ones
      // just before it, or the requester would credit its window without them and every later
      // coinbase would differ from this chain's (bad-coinbase). A share and its uncles travel together.
      const uncles = this.unclesToSend(e, sent);
      if (out.length > 0 && out.length + uncles.length + 1 > max) break;
      // A first share whose group does not fit sends what fits: itself and the uncles listed
      // nearest it (the requester asks for the others by id).
      if (uncles.length + 1 > max) uncles.splice(0, uncles.length + 1 - max);
      for (const u of uncles) {
        out.push(u.encoded);
        sent.add(u.key);
      }
      out.push(e.encoded);
    }
    return out;
  }

  /**
   * The held uncles `e` names that `sent` lacks, each after the held uncles it names in turn (an
   * uncle's parent is on the chain of the share naming it, so the best chain carries it): at most
   * MAX_SHARE_GROUP - 1 shares. Deeper ones a requester fetches by id.
   */
  private unclesToSend(e: ShareEntry, sent: ReadonlySet<string>): ShareEntry[] {
    if (e.uncleKeys.length === 0) return [];
    const out: ShareEntry[] = [];
    const seen = new Set<string>();
    const take = (k: string): ShareEntry | undefined => {
      if (sent.has(k) || seen.has(k)) return undefined;
      seen.add(k);
      return this.entries.get(k);
    };
    for (const k of e.uncleKeys) {
      const u = take(k);
      if (!u) continue;
      for (const k2 of u.uncleKeys) {
        const w = take(k2);
        if (w) out.push(w);
      }
      out.push(u);
    }
    return out;
  }

  // -------------------------------------------------------------------------------------------
  // Pruning

  /** Depth kept below the tip: twice the tip's window, plus what uncle and time rules look back on. */
  keepDepth(): number {
    const shares = this.best ? this.windowOf(this.best).shares : 0;
    return 2 * Math.max(shares, 1) + this.params.maxUncleDepth + MEDIAN_TIME_SPAN;
  }

  /** Forgets every share more than keepDepth() below the best tip, on any branch; returns their ids. */
  prune(): Uint8Array[] {
    if (!this.best) return [];
    const cutoff = this.best.height - this.keepDepth();
    const removed: Uint8Array[] = [];
    for (const [h, level] of this.byHeight) {
      if (h >= cutoff) continue;
      for (const e of asLevel(level)) {
        this.entries.delete(e.key);
        removed.push(e.id);
      }
      this.byHeight.delete(h);
      this.bestByHeight.delete(h);
    }
    if (removed.length === 0) return removed;
    const level = this.levelAt(cutoff);
    for (const e of level) e.parent = undefined;
    if (this.bestLow < cutoff) this.bestLow = cutoff;
    this.lastAdded = undefined; // it may be among the removed
    this.tracker.reset();
    this.windows.clear();
    this.payoutCache.length = 0;
    return removed;
  }

  /** The held shares at a height (any branch). */
  private levelAt(height: number): readonly ShareEntry[] {
    return asLevel(this.byHeight.get(height));
  }

  // -------------------------------------------------------------------------------------------
  // Making shares

  /**
   * Uncles a share built on `parent` may name now: held shares 1..maxUncleDepth below it, off its
   * chain, branching off it, not named yet, most work first (then ascending id); ascending ids.
   */
  uncleCandidates(parent: ShareEntry): ShareEntry[] {
    const height = parent.height + 1;
    const chain = new Set<ShareEntry>();
    const named = new Set<string>();
    let a: ShareEntry | undefined = parent;
    for (let d = 0; a && d <= this.params.maxUncleDepth; d++, a = a.parent) {
      chain.add(a);
      for (const k of a.uncleKeys) named.add(k);
    }
    const found: ShareEntry[] = [];
    for (let depth = 1; depth <= this.params.maxUncleDepth; depth++) {
      for (const e of this.levelAt(height - depth)) {
        if (chain.has(e) || named.has(e.key) || !e.parent || !chain.has(e.parent)) continue;
        found.push(e);
      }
    }
    found.sort((x, y) => (x.work !== y.work ? (x.work > y.work ? -1 : 1) : x.key < y.key ? -1 : 1));
    return found.slice(0, this.params.maxUncles).sort((x, y) => compareIds(x.id, y.id));
  }
}

/**
 * The median time of `parent` and its ancestors, up to MEDIAN_TIME_SPAN of them (fewer near a
 * chain's start): the k times sorted ascending, element floor(k/2). A child's time must exceed it.
 */
export function medianTimePast(parent: ShareEntry): number {
  // Insertion sort into a reused buffer (at most 11 times; no array and no comparator per share).
  const times = MEDIAN_TIMES;
  let k = 0;
  for (let a: ShareEntry | undefined = parent; a && k < MEDIAN_TIME_SPAN; a = a.parent) {
    const t = a.time;
    let i = k++;
    while (i > 0 && times[i - 1]! > t) {
      times[i] = times[i - 1]!;
      i--;
    }
    times[i] = t;
  }
  return times[k >> 1]!;
}

function asLevel(level: ShareEntry | ShareEntry[] | undefined): readonly ShareEntry[] {
  return level === undefined ? NO_ENTRIES : Array.isArray(level) ? level : [level];
}

const NO_ENTRIES: readonly ShareEntry[] = Object.freeze([]);
const NO_KEYS: readonly string[] = Object.freeze([]);

function notSibling(u: ShareEntry): never {
  throw new Reject('uncle-not-sibling', `uncle ${u.key}'s parent is not on the share's chain`);
}

/** medianTimePast's scratch (times are safe integers of ms: exact in a double). */
const MEDIAN_TIMES = new Float64Array(MEDIAN_TIME_SPAN);

/** Whether `bytes` begins with `prefix` (compared in place: no view). */
function startsWith(bytes: Uint8Array, prefix: Uint8Array): boolean {
  if (bytes.length < prefix.length) return false;
  for (let i = 0; i < prefix.length; i++) if (bytes[i] !== prefix[i]) return false;
  return true;
}

function equal32(a: Uint8Array, b: Uint8Array): boolean {
  for (let i = 0; i < 32; i++) if (a[i] !== b[i]) return false;
  return true;
}

function compareIds(a: Uint8Array, b: Uint8Array): number {
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return a[i]! - b[i]!;
  return 0;
}

function checkFinder(finder: readonly Payee[]): void {
  if (!Array.isArray(finder) || finder.length === 0) throw new SharechainError('a share needs 1..4 payees');
  let bp = 0;
  for (const p of finder) bp += p.bp;
  if (bp !== BASIS_POINTS) throw new SharechainError(`payee shares sum to ${bp} bp, not ${BASIS_POINTS}`);
}

function invalid(reason: SharechainRejectReason, detail: string, id?: Uint8Array): InvalidShare {
  const message = `${SHARECHAIN_REJECT_MESSAGES[reason]}: ${detail}`;
  return id ? { kind: 'invalid', reason, message, id } : { kind: 'invalid', reason, message };
}

function hex32(v: number): string {
  return v.toString(16).padStart(8, '0');
}

function displayHash(h: Uint8Array): string {
  return bytesToHex(ownBytes(h).reverse());
}
