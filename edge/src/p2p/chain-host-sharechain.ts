/**
 * ChainHost over core's ShareChain: the network's verdicts are the chain's add() results, sync
 * answers are its locator and sharesAfter, the tip its best share. `onAccepted` tells the rest of
 * the edge (storage, Stratum jobs, block submission) about every share a peer brought.
 */
import type { AddedShare, AddResult, ShareChain } from '@otedama/core';
import type { ChainHost, ChainTip, ShareVerdict } from './chain-host.ts';

export class ShareChainHost implements ChainHost {
  constructor(
    readonly chain: ShareChain,
    private readonly onAccepted?: (added: AddedShare) => void,
  ) {}

  get poolId(): Uint8Array {
    return this.chain.poolId;
  }

  receiveShare(bytes: Uint8Array, options: { readonly history?: boolean } = {}): ShareVerdict {
    const r = this.chain.add(bytes, options.history ? { history: true } : {});
    if (r.kind === 'accepted') this.onAccepted?.(r);
    return verdictOf(r);
  }

  sharesById(ids: readonly Uint8Array[]): Uint8Array[] {
    return ids.flatMap((id) => {
      const e = this.chain.get(id);
      return e ? [e.encoded] : [];
    });
  }

  sharesAfter(locator: readonly Uint8Array[], max: number): Uint8Array[] {
    return this.chain.sharesAfter(locator, max);
  }

  locator(): Uint8Array[] {
    return this.chain.locator();
  }

  tip(): ChainTip | undefined {
    const t = this.chain.tip;
    return t ? { id: t.id, height: t.height, work: t.chainWork, windowShares: this.chain.window().shares } : undefined;
  }
}

export function verdictOf(r: AddResult): ShareVerdict {
  switch (r.kind) {
    case 'accepted':
      return { result: 'accepted', id: r.id, timestampMs: r.entry.time };
    case 'duplicate':
      return { result: 'duplicate', id: r.id };
    case 'missing-parent':
      return { result: 'orphan', id: r.id, missing: r.missing };
    case 'held-back':
      return { result: 'deferred', reason: `${r.reason}: ${r.message}`, id: r.id };
    case 'invalid':
      // A share on a coin block this node knows as too old for new shares is late, not wrong: the
      // sender took it while the block was new (a page that mined alone on its last template and
      // gossips what it kept, a relay that lagged). Not added, not relayed, and the sender is not
      // charged for it; sync still takes it with its chain (core's addSynced).
      if (r.reason === 'coin-tip-stale') return { result: 'deferred', reason: `${r.reason}: ${r.message}`, ...(r.id ? { id: r.id } : {}) };
      return { result: 'invalid', reason: `${r.reason}: ${r.message}` };
  }
}
