/**
 * The chain as window sync feeds it (P2pNodeOptions.syncHost): like ShareChainHost, except that a
 * fetched share on a coin block this edge cannot judge now (it joined or restarted after the coin
 * moved on) is added as core's addSynced says, with every check but the coin's. Gossip keeps the
 * strict host: a new share on an unknown or stale coin block is still held back or refused.
 */
import { addSynced, type AddedShare, type ShareChain } from '@otedama/core';
import type { ShareVerdict } from './chain-host.ts';
import { ShareChainHost, verdictOf } from './chain-host-sharechain.ts';

export class SyncShareChainHost extends ShareChainHost {
  constructor(
    chain: ShareChain,
    private readonly accepted?: (added: AddedShare) => void,
  ) {
    super(chain, accepted);
  }

  override receiveShare(bytes: Uint8Array, options: { readonly history?: boolean } = {}): ShareVerdict {
    const r = addSynced(this.chain, bytes, options.history ? { history: true } : {});
    if (r.kind === 'accepted') this.accepted?.(r);
    return verdictOf(r);
  }
}
