/**
 * Found blocks into the books, from the sharechain: a block's coinbase pays payouts(parent,
 * reward) of the chain for the finder's payees (the job's ChainJob computed it), so its payouts
 * are recorded as exactly that: one row per payout output, in coinbase order, with what the
 * output pays (`value`) and the payee's exact share of the block by the chain (`credit`: equal
 * to the value when paid directly, the lottery's expectation otherwise). Nothing is carried,
 * nothing is held: the books are a record of what the coin chain paid.
 *
 *   plan(found)               the record of a found block (pure; the write-ahead row's content)
 *   writeAhead(found)         stores the plan before the block is submitted (block_submissions)
 *   record(found, status)     records an accepted block: blocks + payouts, write-ahead row cleared
 *
 * This is the seam block recording grows from: confirmations, orphans and reorgs follow the coin
 * chain in the block reconciler, and blocks rebuilt from peers' shares are recorded through
 * `record` with the payouts of the share that found them.
 */
import { bytesEqual, bytesToHex, hexToBytes, parseBlock, scriptToAddress, type Network, type Payouts } from '@otedama/core';
import type { Logger } from '../logger.ts';
import type { BlockStatus, BlockSubmission, PayoutRecord, PoolStore } from '../storage/pool-store.ts';

/** What the job manager reports about a found block (a subset of its FoundBlock). */
export interface FoundBlockReport {
  readonly height: number;
  /** Block hash, display order. */
  readonly hash: string;
  /** payoutAddress.workerName of the finder. */
  readonly worker: string;
  readonly accepted: boolean;
  readonly blockHex: string;
  /** What the coinbase pays: the chain's payouts for the finding share. */
  readonly payouts: Payouts;
}

export interface BlockRecorderDeps {
  readonly store: Pick<PoolStore, 'recordBlock' | 'recordBlockSubmission'>;
  readonly network: Network;
  /** The edge operator's address: its outputs are recorded as kind 'pool' (the fee's credit). */
  readonly operatorAddress: string;
  readonly logger: Logger;
  readonly now?: () => number;
}

export class BlockRecorder {
  private readonly log: Logger;
  private readonly now: () => number;

  constructor(private readonly deps: BlockRecorderDeps) {
    this.log = deps.logger.forComponent('edge:blocks');
    this.now = deps.now ?? Date.now;
  }

  /**
   * The record of a found block: its payout outputs as the chain computed them. Logs an error
   * (and records the coinbase's own outputs) if the block's coinbase does not carry them — which
   * would mean a job was built wrong.
   */
  plan(found: Omit<FoundBlockReport, 'accepted'>): BlockSubmission {
    const { payouts } = found;
    const outputs = payouts.outputs;
    const coinbase = parseBlock(hexToBytes(found.blockHex)).txs[0]!.tx;
    const same = outputs.every((o, i) => coinbase.outputs[i]?.value === o.value && bytesEqual(coinbase.outputs[i]!.script, o.script));
    if (!same) this.log.error("the found block's coinbase does not pay the chain's payouts; recording what it pays", { height: found.height, hash: found.hash });
    const paying = same ? outputs : coinbase.outputs.filter((o) => o.value > 0n);
    const credit = new Map(payouts.payees.map((p) => [p.key, p.amount]));
    const rows: Omit<PayoutRecord, 'blockHash'>[] = paying.map((o, i) => {
      const address = scriptToAddress(o.script, this.deps.network) ?? `script:${bytesToHex(o.script)}`;
      return {
        outputIndex: i,
        address,
        value: o.value,
        kind: address === this.deps.operatorAddress ? 'pool' : 'miner',
        credit: credit.get(bytesToHex(o.script)) ?? o.value,
        carriedPaid: 0n,
      };
    });
    const dot = found.worker.indexOf('.');
    return {
      hash: found.hash,
      height: found.height,
      time: this.now(),
      reward: paying.reduce((a, o) => a + o.value, 0n),
      finder: dot >= 0 ? found.worker.slice(0, dot) : found.worker,
      worker: dot >= 0 ? found.worker.slice(dot + 1) : '',
      payouts: rows,
    };
  }

  /** Writes a found block ahead of its submission (the reconciler records it after a crash). */
  async writeAhead(found: Omit<FoundBlockReport, 'accepted'>): Promise<void> {
    await this.deps.store.recordBlockSubmission(this.plan(found));
  }

  /** Records an accepted block with its payouts; undefined for a rejected one. */
  async record(found: FoundBlockReport, status: BlockStatus = 'pending'): Promise<BlockSubmission | undefined> {
    if (!found.accepted) return undefined;
    const plan = this.plan(found);
    const { payouts: _, ...block } = plan;
    const recorded = await this.deps.store.recordBlock({ ...block, status }, plan.payouts);
    if (recorded) this.log.info('block payouts recorded', { height: plan.height, hash: plan.hash, outputs: plan.payouts.length, reward: String(plan.reward) });
    return plan;
  }
}
