/**
 * A share as the chain holds it: the decoded share, its place (parent, height, chain work) and
 * what it credits in any window that includes it. Memory per entry is bounded: the encoding
 * (at most maxShareBytes, packed into the chain's EncodingStore), at most 4 + 3 x 4 credits,
 * and a few numbers.
 */
import { bytesToHex } from '../hex.ts';
import { BASIS_POINTS, type PoolParams } from './params.ts';
import type { WindowCredit } from './payouts.ts';
import { decodeShare, type DecodedShare } from './share-codec.ts';
import { SHARE_ID_BYTES, type Payee } from './share.ts';

/** The fields of a held share (the chain fills them in). */
export interface ShareEntryFields {
  /** The share id (the PoW hash of its header, internal order). */
  readonly id: Uint8Array;
  /** The id as lower-case hex of those bytes (map keys, logs). */
  readonly key: string;
  /** The share's encoding (the entry keeps a copy of it in the chain's EncodingStore). */
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
  /**
   * What it credits to each payout script when in a window: its own work split by its payees
   * (a PayeeSplit: most shares, those naming no uncle), or credits of its own (own work and
   * uncle splits merged).
   */
  readonly credits: readonly WindowCredit[] | PayeeSplit;
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

/** The fields an entry keeps as they are (the encoding and the id are copied into the store; see `encoded` and `id`). */
type KeptFields = Omit<ShareEntryFields, 'encoded' | 'id' | 'credits'>;

// The class's instance type carries the fields (declaration merging with the class below).
export interface ShareEntry extends KeptFields {}

/** KeptFields as the constructor writes them (once, in a fixed order). */
type WritableFields = { -readonly [K in keyof KeptFields]: KeptFields[K] };

/**
 * Bytes of one buffer of an EncodingStore: 54 of the largest SHA-256d shares (1,205 B) or about
 * 240 of a small pool's (265 B). Big enough that the per-buffer cost (an ArrayBuffer, its
 * backing store, the collector's bookkeeping of both) is shared by hundreds of shares; small
 * enough that what pruning cannot free yet (a buffer lives while any share in it is held, and
 * pruning goes oldest first) is one buffer, and a chain of one share holds 64 KiB.
 */
export const ENCODING_SLAB_BYTES = 64 * 1024;

/**
 * Where a chain keeps the encodings of the shares it holds: copied back to back into shared
 * buffers ("slabs") instead of one buffer per share. Only held shares are copied in (after
 * validation), so shares a peer sends and the chain refuses take no room here. Append-only:
 * a slab is freed by the collector once no held entry points into it.
 */
export class EncodingStore {
  /** The slab being filled. */
  slab: Uint8Array = new Uint8Array(0);
  private used = 0;

  constructor(private readonly slabBytes = ENCODING_SLAB_BYTES) {}

  /**
   * Copies `bytes`, then `after` right behind them, in and returns the offset of `bytes` in
   * `this.slab` (the slab current after the call).
   */
  put(bytes: Uint8Array, after?: Uint8Array): number {
    const n = bytes.length + (after?.length ?? 0);
    if (this.used + n > this.slab.length) {
      this.slab = new Uint8Array(Math.max(this.slabBytes, n));
      this.used = 0;
    }
    const at = this.used;
    this.slab.set(bytes, at);
    if (after) this.slab.set(after, at + bytes.length);
    this.used = at + n;
    return at;
  }
}

/**
 * A held share. It keeps the few fields the chain's rules read on every share and the
 * encoding; the decoded share is rebuilt on demand (`share`), so a chain of thousands of shares
 * is thousands of small objects, not hundreds of thousands of views. The id is kept behind the
 * encoding in the same slab (`id` copies it out; `hasId` compares in place): an id of its own was
 * two objects and a backing store per share, for the collector to copy and promote. The fields
 * are assigned one by one in a fixed order, each as `this.field =` in the constructor (every entry
 * has one hidden class: the rules' reads of them stay monomorphic; and V8 sizes the object by
 * the assignments it sees there, so all of them fit in it, with no out-of-object property
 * array), and what can be derived from the encoding is (`parentId`).
 */
export class ShareEntry {
  /** The slab holding the encoding, and where in it. */
  private readonly slab: Uint8Array;
  private readonly start: number;
  private readonly end: number;
  /**
   * What it credits, one of the two: its payees (shared with every held share that names the
   * same ones), each credited `work` times its basis points; or credits of its own.
   */
  readonly split: PayeeSplit | undefined;
  private readonly ownCredits: readonly WindowCredit[] | undefined;

  constructor(
    fields: ShareEntryFields,
    /** Bytes of the algorithm's header (to decode the share again). */
    private readonly headerBytes: number,
    /** Where the encoding is copied to (default: a store of this entry's own). */
    store: EncodingStore = new EncodingStore(fields.encoded.length),
  ) {
    this.start = store.put(fields.encoded, fields.id);
    this.slab = store.slab;
    this.end = this.start + fields.encoded.length;
    // Written through `this` (not an alias): V8 counts these assignments to size the object.
    (this as WritableFields).key = fields.key;
    (this as WritableFields).parent = fields.parent;
    (this as WritableFields).height = fields.height;
    (this as WritableFields).time = fields.time;
    (this as WritableFields).maxBits = fields.maxBits;
    (this as WritableFields).bits = fields.bits;
    (this as WritableFields).work = fields.work;
    (this as WritableFields).windowWork = fields.windowWork;
    (this as WritableFields).chainWork = fields.chainWork;
    (this as WritableFields).blockWork = fields.blockWork;
    (this as WritableFields).uncleKeys = fields.uncleKeys.length ? fields.uncleKeys : NO_UNCLE_KEYS;
    if (fields.credits instanceof PayeeSplit) {
      this.split = fields.credits;
      this.ownCredits = undefined;
    } else {
      this.split = undefined;
      this.ownCredits = fields.credits;
    }
    (this as WritableFields).seq = fields.seq;
    (this as WritableFields).isBlock = fields.isBlock;
    (this as WritableFields).verified = fields.verified;
    (this as WritableFields).unheldUncle = fields.unheldUncle;
  }

  /**
   * The share's encoding: a copy made on each call (the chain keeps encodings packed together,
   * and no view of that shared memory leaves the entry: a view kept, stored or posted to a
   * worker would carry or pin the whole slab).
   */
  get encoded(): Uint8Array {
    return this.slab.slice(this.start, this.end);
  }

  /**
   * What it credits to each payout script when in a window (as shareCredits gives them). Built on
   * each call for a split: the window reads `split` and `work` instead.
   */
  get credits(): readonly WindowCredit[] {
    return this.split !== undefined ? this.split.credits(this.work) : this.ownCredits!;
  }

  /** Whether it credits the payout script with this hex key (in any window that includes it); no allocation. */
  creditsKey(key: string): boolean {
    const payees = this.split !== undefined ? this.split.payees : this.ownCredits!;
    for (let i = 0; i < payees.length; i++) if (payees[i]!.key === key) return true;
    return false;
  }

  /** The share id (the PoW hash of its header, internal order): a copy made on each call. */
  get id(): Uint8Array {
    return this.slab.slice(this.end, this.end + SHARE_ID_BYTES);
  }

  /** Copies the share id into `out` (32 bytes or more) and returns `out`: no buffer allocated. */
  copyId(out: Uint8Array): Uint8Array {
    const slab = this.slab;
    const at = this.end;
    for (let i = 0; i < SHARE_ID_BYTES; i++) out[i] = slab[at + i]!;
    return out;
  }

  /** Whether this share's id is `id` (compared in place, no copy). */
  hasId(id: Uint8Array): boolean {
    const slab = this.slab;
    const at = this.end;
    for (let i = 0; i < SHARE_ID_BYTES; i++) if (slab[at + i] !== id[i]) return false;
    return true;
  }

  /** The encoding's length in bytes (no copy). */
  get encodedBytes(): number {
    return this.end - this.start;
  }

  /** The parent's id (a copy, made when asked); 32 zero bytes for a chain's first share. */
  get parentId(): Uint8Array {
    return this.slab.slice(this.start + 1, this.start + 1 + SHARE_ID_BYTES);
  }

  /** The decoded share (decoded on each call from a copy of the encoding: views into `encoded`). */
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
  /**
   * One payee per 32-bit FNV-1a hash of its script, the last interned with that hash: most
   * lookups are found here by a byte compare, without hexing the script. A collision (crafted
   * or not) only sends the lookup on to `byKey`, so no input makes a lookup cost more than one
   * hash, one compare and one hex.
   */
  private readonly byHash = new Map<number, PayeeKey>();
  constructor(private readonly size = PAYEE_BOOK_SIZE) {}

  intern(script: Uint8Array): PayeeKey {
    const h = payeeScriptHash(script);
    const fast = this.byHash.get(h);
    if (fast !== undefined && sameBytes(fast.script, script)) return fast;
    const key = bytesToHex(script);
    let payee = this.byKey.get(key);
    if (payee === undefined) {
      if (this.byKey.size >= this.size) {
        this.byKey.clear();
        this.byHash.clear();
      }
      payee = { key, script: Uint8Array.from(script) };
      this.byKey.set(key, payee);
    }
    this.byHash.set(h, payee);
    return payee;
  }

  /** Distinct scripts held (at most `size`). */
  get held(): number {
    return this.byKey.size;
  }
}

/** A payee of a PayeeSplit: its interned script and key, and its basis points (also as a bigint: a weight's multiplier). */
export interface SplitPayee extends PayeeKey {
  readonly bp: number;
  readonly bpBigint: bigint;
}

/**
 * A share's payees as the chain holds them, shared by every held share that names the same ones
 * (a miner's shares name the same payees share after share). A share that names no uncle credits
 * exactly its own work split by them (shareCredits), so its entry holds the split and its work
 * instead of credits of its own: three objects and two bigints fewer per held share, for the
 * collector to copy, promote and mark.
 */
export class PayeeSplit {
  constructor(readonly payees: readonly SplitPayee[]) {}

  /** The credits of a share of this work: each payee's weight is work x bp, in the share's payee order. */
  credits(work: bigint): WindowCredit[] {
    return this.payees.map((p) => ({ key: p.key, script: p.script, weight: work * p.bpBigint }));
  }
}

/**
 * One PayeeSplit per distinct list of payees (scripts and basis points, in order). Found by a
 * 32-bit FNV-1a hash of the list and a compare; a hash that collides (crafted or not) only makes
 * a new split that replaces the one held under it (sharing saves memory; a split is the same
 * either way). Bounded: past `size` lists it forgets them all and starts over.
 */
export class SplitBook {
  private readonly byHash = new Map<number, PayeeSplit>();
  constructor(
    /** Where the scripts are interned. */
    private readonly book: PayeeBook,
    private readonly size = PAYEE_BOOK_SIZE,
  ) {}

  intern(payees: readonly Payee[]): PayeeSplit {
    let h = 0x811c9dc5;
    for (const p of payees) {
      h = Math.imul(h ^ (p.bp & 0xff), 0x01000193);
      h = Math.imul(h ^ (p.bp >>> 8), 0x01000193);
      h = Math.imul(h ^ payeeScriptHash(p.script), 0x01000193);
    }
    h >>>= 0;
    const held = this.byHash.get(h);
    if (held !== undefined && sameSplit(held, payees)) return held;
    if (this.byHash.size >= this.size) this.byHash.clear();
    const split = new PayeeSplit(
      payees.map((p) => {
        const payee = this.book.intern(p.script);
        return { key: payee.key, script: payee.script, bp: p.bp, bpBigint: BigInt(p.bp) };
      }),
    );
    this.byHash.set(h, split);
    return split;
  }

  /** Distinct lists held (at most `size`). */
  get held(): number {
    return this.byHash.size;
  }
}

function sameSplit(split: PayeeSplit, payees: readonly Payee[]): boolean {
  const held = split.payees;
  if (held.length !== payees.length) return false;
  for (let i = 0; i < held.length; i++) {
    if (held[i]!.bp !== payees[i]!.bp || !sameBytes(held[i]!.script, payees[i]!.script)) return false;
  }
  return true;
}

/**
 * A 32-bit hash of a script: PayeeBook's and SplitBook's fast-path key (not a security hash:
 * collisions fall back to the hex key). FNV-1a's multiply taken four bytes at a time, each step
 * folding the high bits down: a quarter of the multiplies of the byte-wise form, in a chain
 * every share's payees go through.
 */
export function payeeScriptHash(b: Uint8Array): number {
  const n = b.length;
  let h = 0x811c9dc5 ^ n;
  let i = 0;
  for (; i + 4 <= n; i += 4) {
    h = Math.imul(h ^ (b[i]! | (b[i + 1]! << 8) | (b[i + 2]! << 16) | (b[i + 3]! << 24)), 0x01000193);
    h ^= h >>> 15;
  }
  for (; i < n; i++) h = Math.imul(h ^ b[i]!, 0x01000193);
  return h >>> 0;
}

function sameBytes(a: Uint8Array, b: Uint8Array): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
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
