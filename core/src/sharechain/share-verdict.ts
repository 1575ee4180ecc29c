/**
 * What adding a share to the chain can answer, with stable reason codes (peer scoring, logs and
 * metrics key on them) and a sentence for each (docs/sharechain.md §9).
 */
import type { ShareEntry } from './share-entry.ts';

export type SharechainRejectReason =
  | 'malformed'
  | 'bad-pow'
  | 'high-hash'
  | 'bad-height'
  | 'uncle-too-many'
  | 'uncle-on-chain'
  | 'uncle-too-deep'
  | 'uncle-not-sibling'
  | 'uncle-already-named'
  | 'time-too-old'
  | 'coin-tip-stale'
  | 'bad-coin-bits'
  | 'reward-too-high'
  | 'bad-coinbase-height'
  | 'bad-max-bits'
  | 'target-too-easy'
  | 'target-too-hard'
  | 'bad-coinbase';

export const SHARECHAIN_REJECT_MESSAGES: Readonly<Record<SharechainRejectReason, string>> = {
  malformed: 'the encoding is malformed',
  'bad-pow': "the algorithm cannot verify the header's proof of work",
  'high-hash': "the header's hash is above the share's target",
  'bad-height': "the height is not the parent's plus one",
  'uncle-too-many': 'more uncles than the pool allows',
  'uncle-on-chain': "an uncle is one of the share's own ancestors",
  'uncle-too-deep': "an uncle is not 1..maxUncleDepth shares below the share",
  'uncle-not-sibling': "an uncle does not branch off the share's own chain",
  'uncle-already-named': 'an uncle was already named by an ancestor',
  'time-too-old': 'the time is not above the median of the last 11 ancestors',
  'coin-tip-stale': 'the header builds on a coin block too old for new shares',
  'bad-coin-bits': "the header's bits are not the coin's target for that block",
  'reward-too-high': 'the coinbase claims more than the coin allows',
  'bad-coinbase-height': "the coinbase scriptSig does not start with the block height (BIP34)",
  'bad-max-bits': 'maxBits is not what ASERT demands after the parent',
  'target-too-easy': 'the share target is easier than the chain demands',
  'target-too-hard': 'the share target is harder than maxTargetMultiple times the demand, or than a block',
  'bad-coinbase': "the rebuilt coinbase (payouts, commitment) does not hash to the header's merkle root",
};

export interface Reorg {
  /** The best tip before and after. */
  readonly from: ShareEntry;
  readonly to: ShareEntry;
  /** The last share both branches share (undefined: the branches have no share in common). */
  readonly fork: ShareEntry | undefined;
  /** Ids that left the best chain (newest first) and joined it (oldest first). */
  readonly removed: readonly Uint8Array[];
  readonly added: readonly Uint8Array[];
}

export interface AddedShare {
  readonly kind: 'accepted';
  readonly id: Uint8Array;
  readonly entry: ShareEntry;
  /** Its hash met the coin's block target: a block, to submit. */
  readonly isBlock: boolean;
  /** The best tip after the share (itself when it extended or took over the best chain). */
  readonly tip: ShareEntry;
  readonly bestChanged: boolean;
  /** When the best tip moved to another branch. */
  readonly reorg?: Reorg;
}

export interface DuplicateShare {
  readonly kind: 'duplicate';
  readonly id: Uint8Array;
}

export interface InvalidShare {
  readonly kind: 'invalid';
  readonly reason: SharechainRejectReason;
  /** What exactly was wrong (numbers, the field). */
  readonly message: string;
  /** The share id, when the share decoded and its header hashed. */
  readonly id?: Uint8Array;
}

/** The parent (or an uncle, or an old share the window needs) is not held: fetch it, then add again. */
export interface MissingParent {
  readonly kind: 'missing-parent';
  readonly id: Uint8Array;
  readonly missing: readonly Uint8Array[];
}

/** Not judged yet: its time is too far ahead of this clock, or its coin block is not known here yet. */
export interface HeldBackShare {
  readonly kind: 'held-back';
  readonly id: Uint8Array;
  readonly reason: 'future-time' | 'unknown-coin-tip';
  readonly message: string;
  /** For future-time: how long until the share may be judged (ms). */
  readonly retryAfterMs?: number;
}

export type AddResult = AddedShare | DuplicateShare | InvalidShare | MissingParent | HeldBackShare;
