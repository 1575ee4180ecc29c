/**
 * The Stratum server's accounting hooks: an accepted share becomes a ShareRecord (a pseudo-share:
 * hashrates and worker statistics) appended through the group-commit ShareWriter, and, when its
 * hash meets the chain's share target, a share of the sharechain (chain-shares.ts). The hook's
 * promise makes the miner's "accepted" reply wait for both commits ("accepted means durable").
 * Counts accepted and rejected shares, submit latency and mining efficiency in the pool metrics.
 */
import { bytesToHex, reverseBytes } from '@otedama/core';
import type { PoolMetrics } from '../metrics/pool-metrics.ts';
import type { ShareRecord } from '../storage/pool-store.ts';
import type { RejectEvent, ShareEvent, StratumHooks } from '../stratum/stratum-session.ts';
import type { ChainShares } from './chain-shares.ts';

export interface ShareAccountingDeps {
  readonly writer: { append(share: ShareRecord): Promise<void> };
  /** Where Stratum shares that are chain shares go; absent: pseudo-shares only (tests of the books alone). */
  readonly chainShares?: Pick<ChainShares, 'submit'>;
  readonly metrics?: Pick<PoolMetrics, 'sharesAccepted' | 'sharesRejected' | 'submitLatency' | 'miningEfficiency'>;
  readonly now?: () => number;
}

/** The record stored for an accepted share; the hash is in display order (as explorers show it). */
export function shareRecord(event: Omit<ShareEvent, 'chain'>, time: number): ShareRecord {
  return {
    time,
    address: event.address,
    worker: event.workerName,
    difficulty: event.difficulty,
    shareDiff: Number.isFinite(event.share.difficulty) ? event.share.difficulty : Number.MAX_VALUE,
    jobId: event.jobId,
    height: event.height,
    isBlock: event.share.isBlock,
    hash: bytesToHex(reverseBytes(event.share.hash)),
  };
}

/** StratumHooks whose onShare always returns the commit's promise. */
export interface ShareAccountingHooks extends StratumHooks {
  onShare(event: ShareEvent): Promise<void>;
  onReject(event: RejectEvent): void;
}

export function createShareAccounting(deps: ShareAccountingDeps): ShareAccountingHooks {
  const now = deps.now ?? Date.now;
  const m = deps.metrics;
  let accepted = 0;
  let rejected = 0;
  // Efficiency counts shares: a reject carries no difficulty to weigh it by.
  const efficiency = () => m?.miningEfficiency.set(accepted + rejected === 0 ? 1 : accepted / (accepted + rejected));
  return {
    onShare(event: ShareEvent): Promise<void> {
      const started = performance.now();
      const pseudo = deps.writer.append(shareRecord(event, now()));
      const chain = deps.chainShares?.submit(event)?.durable;
      return (chain ? Promise.all([pseudo, chain]) : pseudo).then(() => {
        accepted++;
        m?.sharesAccepted.inc();
        m?.submitLatency.observe((performance.now() - started) / 1000);
        efficiency();
      });
    },
    onReject(event: RejectEvent): void {
      rejected++;
      m?.sharesRejected.inc({ reason: event.reason });
      efficiency();
    },
  };
}
