/**
 * Stratum shares that are shares of the sharechain. Every accepted Stratum share is a
 * pseudo-share (stored for hashrates and worker statistics); one whose hash also meets the
 * share target of the job's chain share is encoded (the header the miner hashed, the scriptSig
 * its coinbase used: docs/sharechain.md §4) and added to the chain like any peer's share, then
 * gossiped. The miner's "accepted" waits for the chain share's durable write as well, so a crash
 * after the reply never loses a chain share of this edge's miners.
 *
 * The chain judges the share like any other: a verdict other than accepted (a parent pruned
 * meanwhile, a coin block just gone stale) is logged and counted; the pseudo-share still counts.
 */
import { bytesToHex, hashAtOrBelow, type AddResult } from '@otedama/core';
import type { Counter } from '../metrics/metrics.ts';
import type { Logger } from '../logger.ts';
import type { LocalShare } from '../p2p/pool-chain.ts';
import type { ShareEvent } from '../stratum/stratum-session.ts';

/** Where this edge's chain shares go: the chain, its store and the network (EdgeNetwork.addLocalShare). */
export type AddLocalShare = (bytes: Uint8Array) => LocalShare;

/** Byte offset of the scriptSig length in a coinbase: version 4, input count 1, prevout 36. */
const SCRIPT_SIG_LENGTH_OFFSET = 41;

/** The coinbase input's scriptSig (the share carries it: height push, extranonce, tag). */
export function coinbaseScriptSig(coinbase: Uint8Array): Uint8Array {
  const n = coinbase[SCRIPT_SIG_LENGTH_OFFSET];
  // Our coinbases' scriptSigs are 2..100 bytes: a one-byte CompactSize.
  if (n === undefined || n >= 0xfd || coinbase.length < SCRIPT_SIG_LENGTH_OFFSET + 1 + n) throw new RangeError('coinbase too short for its scriptSig');
  return coinbase.subarray(SCRIPT_SIG_LENGTH_OFFSET + 1, SCRIPT_SIG_LENGTH_OFFSET + 1 + n);
}

export interface ChainSharesDeps {
  readonly addLocal: AddLocalShare;
  readonly logger: Logger;
  /** otedama_sharechain_shares_total{result}: this edge's chain shares are counted with the peers'. */
  readonly sharesTotal?: Pick<Counter, 'inc'>;
}

/** What became of a Stratum share on the chain's side. */
export interface ChainShareOutcome {
  readonly result: AddResult;
  /** Resolves when the share is durable (undefined: the chain did not take it). */
  readonly durable: Promise<void> | undefined;
}

export class ChainShares {
  private readonly log: Logger;

  constructor(private readonly deps: ChainSharesDeps) {
    this.log = deps.logger.forComponent('edge:sharechain');
  }

  /** The chain share an accepted Stratum share makes, added to the chain; undefined when its hash misses the chain's target. */
  submit(event: ShareEvent): ChainShareOutcome | undefined {
    const { share, chain } = event;
    if (!hashAtOrBelow(share.hash, chain.targetLE)) return undefined;
    let bytes: Uint8Array;
    try {
      bytes = chain.job.encode(share.header, coinbaseScriptSig(share.coinbase));
    } catch (err) {
      this.log.error('a chain share could not be encoded', { worker: event.username, error: (err as Error).message });
      return undefined;
    }
    const local = this.deps.addLocal(bytes);
    const r = local.result;
    this.deps.sharesTotal?.inc({ result: r.kind === 'missing-parent' ? 'orphan' : r.kind === 'held-back' ? 'deferred' : r.kind });
    if (r.kind === 'accepted') {
      this.log.info('sharechain share found', {
        worker: event.username,
        id: bytesToHex(r.id),
        height: r.entry.height,
        best: r.bestChanged,
        block: r.isBlock,
      });
    } else if (r.kind !== 'duplicate') {
      this.log.warn('a share of this edge was not taken by the sharechain', {
        worker: event.username,
        verdict: r.kind,
        ...(r.kind === 'invalid' ? { reason: r.reason, message: r.message } : {}),
        ...(r.kind === 'held-back' ? { reason: r.reason } : {}),
      });
    }
    return local;
  }
}
