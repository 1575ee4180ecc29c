/**
 * How a peer adds a share that sync fetched (a window, or the ancestors of a gossiped share).
 * The coin context answers for the coin blocks this peer knows now: a share of the window built
 * on an older coin block (the coin moved on while the peer was away, or before it joined) is
 * unknown to it, or older than the blocks new shares may use. Such a share is not withheld work
 * arriving late: the network accepted it when it was new. So sync validates it with everything
 * else (work, links, time, difficulty, uncles, the coinbase paying exactly the window's payouts)
 * and leaves the coin check to the peers that saw that block (`history`). Gossip never does this:
 * a new share on an unknown or stale coin block is held back or refused as before.
 */
import type { AddResult } from './share-verdict.ts';
import type { ShareChain } from './sharechain.ts';

export function addSynced(chain: ShareChain, bytes: Uint8Array, options: { readonly history?: boolean; readonly now?: number } = {}): AddResult {
  const r = chain.add(bytes, options);
  if (options.history) return r;
  const coinUnknown = r.kind === 'held-back' && r.reason === 'unknown-coin-tip';
  const coinOld = r.kind === 'invalid' && r.reason === 'coin-tip-stale';
  return coinUnknown || coinOld ? chain.add(bytes, { ...options, history: true }) : r;
}
