/**
 * What the network needs from the sharechain, and nothing more: the pool id, a verdict on a
 * share heard from a peer, shares to answer sync requests with, and the tip. The network never
 * decodes a share; it moves bytes and acts on verdicts (relay, drop, charge the sender, fetch
 * missing parents). ShareChainHost (chain-host-sharechain.ts) implements it over core's ShareChain.
 */
import type { ChainTip } from '@otedama/core';

export type { ChainTip };

/** What the chain made of a share a peer sent (gossip or sync). */
export type ShareVerdict =
  /** Valid and now in the chain: gossip relays it. `timestampMs` (the share's own) gives its propagation latency. */
  | { readonly result: 'accepted'; readonly id: Uint8Array; readonly timestampMs?: number }
  /** Already known: dropped without cost. */
  | { readonly result: 'duplicate'; readonly id: Uint8Array }
  /** Its parent (or an uncle) is unknown: held back, the network fetches `missing` from the sender, then offers it again. */
  | { readonly result: 'orphan'; readonly id: Uint8Array; readonly missing: readonly Uint8Array[] }
  /** Not wrong, not usable now (a timestamp in the future): dropped without cost. */
  | { readonly result: 'deferred'; readonly reason: string; readonly id?: Uint8Array }
  /** Invalid (bad encoding, work, target, coinbase, links): dropped, and it costs the sender score. */
  | { readonly result: 'invalid'; readonly reason: string };

/**
 * Every question may be answered later (a Promise): a browser keeps its chain in a worker
 * (apps/web/src/p2p/chain-worker.ts) and answers across a message channel.
 */
export interface ChainHost {
  /** The pool id: SHA-256 of the consensus parameters (SHARECHAIN.md §2). */
  readonly poolId: Uint8Array;
  /**
   * Validates a share heard from a peer and adds it to the chain when valid. `history`: a share
   * of a window being synced, whose parent may lie beyond what this node holds (it becomes a
   * root instead of an orphan; the chain marks what it could not check).
   */
  receiveShare(bytes: Uint8Array, options?: { readonly history?: boolean }): ShareVerdict | Promise<ShareVerdict>;
  /** The encoded shares among `ids` that the chain holds, in the order asked; unknown ids are left out. */
  sharesById(ids: readonly Uint8Array[]): Uint8Array[] | Promise<Uint8Array[]>;
  /**
   * Up to `max` encoded shares of the best chain after the first locator id it holds, oldest
   * first; with no locator id known (or none given), from the start of the window it keeps.
   */
  sharesAfter(locator: readonly Uint8Array[], max: number): Uint8Array[] | Promise<Uint8Array[]>;
  /** This node's locator: its tip, then ancestors at growing distances, at most MAX_LOCATOR_IDS. */
  locator(): Uint8Array[] | Promise<Uint8Array[]>;
  /** The best chain's tip; undefined while the chain is empty. */
  tip(): ChainTip | undefined | Promise<ChainTip | undefined>;
}
