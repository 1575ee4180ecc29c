/**
 * A share as the chain holds it: the decoded share, its place (parent, height, chain work) and
 * what it credits in any window that includes it. Memory per entry is bounded: the encoding
 * (at most maxShareBytes), at most 4 + 3 x 4 credits, and a few numbers.
 */
import { bytesToHex } from '../hex.ts';
import { BASIS_POINTS, type PoolParams } from './params.ts';
import type { WindowCredit } from './payouts.ts';
import { decodeShare, type DecodedShare } from './share-codec.ts';
import { SHARE_ID_BYTES } from './share.ts';

/** The fields of a held share (the chain fills them in). */
export interface ShareEntryFields {
  /** The share id (the PoW hash of its header, internal order). */
  readonly id: Uint8Array;
  /** The id as lower-case hex of those bytes (map keys, logs). */
  readonly key: string;
  /** The share's encoding (owned by the entry). */
  readonly encoded: Uint8Array;
  /** The parent entry; undefined for a chain's first share or a root whose parent is not held. */
  parent: ShareEntry | undefined;
  readonly height: number;
  /** Metadata time (ms). */
  readonly time: number;
  /** The demanded target it carries (the ASERT state) and its own target, compact. */
  readonly maxBits: number;
  readonly bits: number;
  /** Work of the share's own target. */
  readonly work: bigint;
  /** Work the window walk counts for it: its own plus its uncles'. */
  readonly windowWork: bigint;
  /** Cumulative window work from the first share (or root) held to this one: the fork-choice score. */
  readonly chainWork: bigint;
  /** Work of the coin block target in its header (the window is windowSpread times this). */
  readonly blockWork: bigint;
  /** Keys of the uncles it names that were held when it was added (ids only: no references that keep pruned shares alive). */
  readonly uncleKeys: readonly string[];
  /** What it credits to each payout script when in a window (own work and uncle splits). */
  readonly credits: readonly WindowCredit[];
  /** Arrival order (first seen wins fork-choice ties). */
  readonly seq: number;
  /** Its hash met the coin's block target. */
  readonly isBlock: boolean;
  /** False for shares added from history whose checks needed shares not held (sync's first window). */
  readonly verified: boolean;
  /**
   * An uncle it names that was not held when it was added (history, or a store loaded from its
   * pruned edge): its credits and window work lack that uncle's share, so a window that includes
   * it cannot be checked (window.ts marks it incomplete, missing this id). Undefined for most.
   */
  readonly unheldUncle: Uint8Array | undefined;
}

/** uncleKeys of the shares that name no uncle (most): one shared empty list. */
const NO_UNCLE_KEYS: readonly string[] = Object.freeze([]);

// The class's instance type carries the fields (declaration merging with the class below).
export interface ShareEntry extends ShareEntryFields {}

/** ShareEntryFields as the constructor writes them (once, in a fixed order). */
type WritableFields = { -readonly [K in keyof ShareEntryFields]: ShareEntryFields[K] };

/**
 * A held share. It keeps the few fields the chain's rules read on every share and the
 * encoding; the decoded share is rebuilt on demand (`share`), so a chain of thousands of shares
 * is thousands of small objects, not hundreds of thousands of views. The fields are assigned one
 * by one in a fixed order (every entry has one hidden class: the rules' reads of them stay
 * monomorphic), and what can be derived from the encoding is (`parentId`).
 */
export class ShareEntry {
  constructor(
    fields: ShareEntryFields,
    /** Bytes of the algorithm's header (to decode the share again). */
    private readonly headerBytes: number,
  ) {
    const self: WritableFields = this;
    self.id = fields.id;
    self.key = fields.key;
    self.encoded = fields.encoded;
    self.parent = fields.parent;
    self.height = fields.height;
    self.time = fields.time;
    self.maxBits = fields.maxBits;
    self.bits = fields.bits;
    self.work = fields.work;
    self.windowWork = fields.windowWork;
    self.chainWork = fields.chainWork;
    self.blockWork = fields.blockWork;
    self.uncleKeys = fields.uncleKeys.length ? fields.uncleKeys : NO_UNCLE_KEYS;
    self.credits = fields.credits;
    self.seq = fields.seq;
    self.isBlock = fields.isBlock;
    self.verified = fields.verified;
    self.unheldUncle = fields.unheldUncle;
  }

  /** The parent's id (a view of the encoding, made when asked); 32 zero bytes for a chain's first share. */
  get parentId(): Uint8Array {
    return this.encoded.subarray(1, 1 + SHARE_ID_BYTES);
  }

  /** The decoded share (decoded on each call: views into `encoded`). */
  get share(): DecodedShare {
    return decodeShare(this.encoded, this.headerBytes);
  }
}

/** A payout script and its hex key, as credits hold them. */
export interface PayeeKey {
  readonly key: string;
  readonly script: Uint8Array;
}

/** Payee scripts interned at most (a chain's distinct payees; past it the book starts over). */
export const PAYEE_BOOK_SIZE = 16_384;

/**
 * One key string and one owned copy of each payout script, shared by the credits of every entry
 * that pays it (a miner's thousands of shares hold one script, not a view and a key each: less
 * for the garbage collector to copy and mark). Bounded: past `size` distinct scripts it forgets
 * them all and starts over (interning only saves memory; a credit is the same either way).
 */
export class PayeeBook {
  private readonly byKey = new Map<string, PayeeKey>();
  constructor(private readonly size = PAYEE_BOOK_SIZE) {}

  intern(script: Uint8Array): PayeeKey {
    const key = bytesToHex(script);
    const held = this.byKey.get(key);
    if (held) return held;
    if (this.byKey.size >= this.size) this.byKey.clear();
    const payee: PayeeKey = { key, script: Uint8Array.from(script) };
    this.byKey.set(key, payee);
    return payee;
  }
}

/**
 * The credits a share brings into a window: its own work split by its payees' basis points, and
 * for each uncle, uncleCreditBp of the uncle's work to the uncle's payees and the rest to this
 * share's payees. Weights are work x bp, so nothing is rounded. `book` interns the scripts
 * (default: a book of this call's own).
 */
export function shareCredits(share: DecodedShare, work: bigint, uncles: readonly ShareEntry[], params: PoolParams, book = new PayeeBook()): WindowCredit[] {
  // Without uncles the payees are the credits (their scripts are distinct: the codec checks it).
  if (uncles.length === 0) {
    return share.meta.payees.map((p) => {
      const payee = book.intern(p.script);
      return { key: payee.key, script: payee.script, weight: work * BigInt(p.bp) };
    });
  }
  const byKey = new Map<string, { payee: PayeeKey; weight: bigint }>();
  const credit = (script: Uint8Array, weight: bigint) => {
    if (weight === 0n) return;
    const payee = book.intern(script);
    const c = byKey.get(payee.key);
    if (c) c.weight += weight;
    else byKey.set(payee.key, { payee, weight });
  };
  let ownWork = work;
  for (const u of uncles) {
    const uncleCredit = (u.work * BigInt(params.uncleCreditBp)) / BigInt(BASIS_POINTS);
    for (const p of u.share.meta.payees) credit(p.script, uncleCredit * BigInt(p.bp));
    ownWork += u.work - uncleCredit;
  }
  for (const p of share.meta.payees) credit(p.script, ownWork * BigInt(p.bp));
  return [...byKey.values()].map((c) => ({ key: c.payee.key, script: c.payee.script, weight: c.weight }));
}
