/**
 * How a peer adds a share that sync fetched (a window, or the ancestors of a gossiped share).
 *
 * The coin context answers for the coin blocks this peer knows now: a share of the window built
 * on an older coin block (the coin moved on while the peer was away, or before it joined) is
 * unknown to it, or older than the blocks new shares may use. Such a share is not withheld work
 * arriving late: the network accepted it when it was new. So sync validates it with everything
 * else (work, links, time, difficulty, uncles, the coinbase paying exactly the window's payouts)
 * and leaves the coin check to the peers that saw that block (`history`).
 *
 * A synced window starts at a root (its oldest share's parent lies beyond what the peer serves).
 * A later share whose parent is held, but whose window (or uncle check) walks below that root, can
 * never be checked in full here: no peer sends what lies below the windows they keep. Sync takes
 * it as history too (unverified), as it took the first batch; the shares whose windows lie within
 * what is held are checked in full. A share whose parent or uncles are not held stays missing-parent.
 *
 * Gossip never does either: a new share on an unknown or stale coin block is held back or refused,
 * and one whose window reaches beyond what is held waits.
 */
import { bytesEqual } from '../hex.ts';
import { decodeShare } from './share-codec.ts';
import type { AddResult } from './share-verdict.ts';
import type { ShareChain } from './sharechain.ts';

export function addSynced(chain: ShareChain, bytes: Uint8Array, options: { readonly history?: boolean; readonly now?: number } = {}): AddResult {
  const r = chain.add(bytes, options);
  if (options.history) return r;
  const coinUnknown = r.kind === 'held-back' && r.reason === 'unknown-coin-tip';
  const coinOld = r.kind === 'invalid' && r.reason === 'coin-tip-stale';
  const beyondRoot = r.kind === 'missing-parent' && missesOnlyBeyondRoots(chain, bytes, r.missing);
  return coinUnknown || coinOld || beyondRoot ? chain.add(bytes, { ...options, history: true }) : r;
}

/** True when the share's parent and uncles are held: what is missing lies below a root. */
function missesOnlyBeyondRoots(chain: ShareChain, bytes: Uint8Array, missing: readonly Uint8Array[]): boolean {
  // It decoded in add(), which answered missing-parent only after decoding it.
  const { meta } = decodeShare(bytes, chain.algorithm.share.headerBytes);
  if (!chain.has(meta.parent)) return false;
  return !missing.some((id) => bytesEqual(id, meta.parent) || meta.uncles.some((u) => bytesEqual(u, id)));
}
