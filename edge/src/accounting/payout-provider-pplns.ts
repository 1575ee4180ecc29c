/**
 * PPLNS payouts for the job manager: every block template's coinbase pays the outputs that
 * core's computePplns derives from the last N committed shares, the carried balances, the fee
 * and the minimum payout. When a block is found, the result that its coinbase actually carries
 * is recorded (block, payouts, new carried balances) so the books match the chain to the unit.
 *
 * The window lives in memory (a ring of the last N shares, loaded from the store at start and
 * fed by the ShareWriter's onCommit), so payoutOutputs stays synchronous. Shares whose address
 * has no script on this network are left out of the window (logged), so one bad address can
 * never make the pool unable to build a coinbase.
 */
import {
  bytesToHex,
  computePplns,
  difficultyToWeight,
  hexToBytes,
  parseBlock,
  type BlockTemplate,
  type CoinbaseOutput,
  type PplnsParams,
  type PplnsResult,
  type PplnsShare,
} from '@otedama/core';
import type { Logger } from '../logger.ts';
import type { PayoutProvider } from './payout-provider.ts';
import type { BlockStatus, BlockSubmission, PoolStore } from '../storage/pool-store.ts';

/** Results remembered to match a found block's coinbase (templates change a few times a minute). */
const REMEMBERED_RESULTS = 64;
const OP_RETURN = 0x6a;

export interface PplnsPayoutDeps {
  readonly params: PplnsParams;
  /** Output script of a payout address on the pool's network (throws for foreign or bad addresses). */
  readonly addressToScript: (address: string) => Uint8Array;
  readonly store: Pick<PoolStore, 'recentShares' | 'balances' | 'recordBlock'>;
  readonly logger: Logger;
  readonly now?: () => number;
}

/**
 * What one address would get if the pool found a block now: the same computePplns over the same
 * window, carried balances and reward that the next coinbase uses, so it equals the real split
 * of a block found while the window and the reward stay as they are.
 */
export interface PplnsEstimate {
  /** Shares in the PPLNS window, and how many of them are the address's. */
  readonly windowShares: number;
  readonly shares: number;
  /** The address's part of the window's difficulty-weighted work, 0..1 (a double: for display). */
  readonly fraction: number;
  /** The coinbase value the estimate assumes (the current template's). */
  readonly blockRewardSats: bigint;
  /**
   * The address's PPLNS credit for such a block: (reward - fee) x fraction, apportioned by
   * largest remainder to whole satoshis (so within 1 satoshi of the plain product). For the fee
   * address it is the fee credit (its own mined work included).
   */
  readonly nextBlockSats: bigint;
  /**
   * What that block's coinbase would pay the address: the credit plus any carried balance it
   * settles, or 0 when the total stays below the minimum payout and rolls forward.
   */
  readonly nextPayoutSats: bigint;
}

/** What the job manager reports about a found block (a subset of its FoundBlock). */
export interface FoundBlockReport {
  readonly height: number;
  /** Block hash, display order. */
  readonly hash: string;
  /** payoutAddress.workerName of the finder. */
  readonly worker: string;
  readonly accepted: boolean;
  readonly blockHex: string;
}

function outputsKey(outputs: readonly { script: Uint8Array; value: bigint }[]): string {
  return outputs.map((o) => `${o.value}:${bytesToHex(o.script)}`).join('|');
}

export class PplnsPayoutProvider implements PayoutProvider {
  private readonly ring: (PplnsShare | undefined)[];
  private next = 0;
  private count = 0;
  private carried: ReadonlyMap<string, bigint> = new Map();
  private readonly scripts = new Map<string, Uint8Array>();
  private readonly badAddresses = new Set<string>();
  private readonly results = new Map<string, PplnsResult>();
  /** Bumped whenever the window or the carried balances change (invalidates `memo`). */
  private version = 0;
  /** The last estimate computation: one per window change and reward, shared by every API request. */
  private memo: { version: number; reward: bigint; result: PplnsResult; byAddress: Map<string, { shares: number; weight: bigint }> } | undefined;
  private readonly log: Logger;
  private readonly now: () => number;

  constructor(private readonly deps: PplnsPayoutDeps) {
    this.ring = new Array<PplnsShare | undefined>(deps.params.windowSize);
    this.log = deps.logger.forComponent('edge:pplns');
    this.now = deps.now ?? Date.now;
    // Fail at startup, not at the first template, when the fee address is unusable.
    this.script(deps.params.feeAddress);
  }

  /** Builds the provider from the database: the last N shares and the carried balances. */
  static async load(deps: PplnsPayoutDeps): Promise<PplnsPayoutProvider> {
    const p = new PplnsPayoutProvider(deps);
    p.addShares(await deps.store.recentShares(deps.params.windowSize));
    p.carried = await deps.store.balances();
    p.version++;
    p.log.info('pplns window loaded', { shares: p.count, carriedAddresses: p.carried.size });
    return p;
  }

  /** Adds committed shares to the window (oldest first). Wire to ShareWriter's onCommit. */
  addShares(shares: readonly { address: string; difficulty: number }[]): void {
    for (const s of shares) {
      if (!this.usable(s.address) || !(s.difficulty > 0) || !Number.isFinite(s.difficulty)) continue;
      this.ring[this.next] = { address: s.address, difficulty: s.difficulty };
      this.next = (this.next + 1) % this.ring.length;
      if (this.count < this.ring.length) this.count++;
      this.version++;
    }
  }

  /** The window, oldest first. */
  windowShares(): PplnsShare[] {
    const n = this.ring.length;
    const start = (this.next - this.count + n) % n;
    const out: PplnsShare[] = new Array(this.count);
    for (let i = 0; i < this.count; i++) out[i] = this.ring[(start + i) % n]!;
    return out;
  }

  carriedBalances(): ReadonlyMap<string, bigint> {
    return this.carried;
  }

  /** The PPLNS result the next coinbase would carry for `reward` (API previews, tests). */
  compute(reward: bigint): PplnsResult {
    return computePplns({ params: this.deps.params, shares: this.windowShares(), reward, carried: this.carried });
  }

  /**
   * What `address` would get if a block paying `reward` were found now (see PplnsEstimate).
   * The computation is memoised until the window, the carried balances or the reward change.
   */
  estimate(address: string, reward: bigint): PplnsEstimate {
    let m = this.memo;
    if (!m || m.version !== this.version || m.reward !== reward) {
      const shares = this.windowShares();
      const byAddress = new Map<string, { shares: number; weight: bigint }>();
      for (const [i, s] of shares.entries()) {
        const a = byAddress.get(s.address) ?? { shares: 0, weight: 0n };
        a.shares++;
        a.weight += difficultyToWeight(s.difficulty, i);
        byAddress.set(s.address, a);
      }
      m = { version: this.version, reward, result: computePplns({ params: this.deps.params, shares, reward, carried: this.carried }), byAddress };
      this.memo = m;
    }
    const { result } = m;
    const mine = m.byAddress.get(address);
    const isFee = address === this.deps.params.feeAddress;
    return {
      windowShares: result.windowShares,
      shares: mine?.shares ?? 0,
      // Both weights are below 2^64 x total difficulty; as doubles their ratio is exact to ~1e-16.
      fraction: mine && result.windowWeight > 0n ? Math.min(1, Number(mine.weight) / Number(result.windowWeight)) : 0,
      blockRewardSats: reward,
      nextBlockSats: isFee ? result.fee : (result.credits.get(address) ?? 0n),
      nextPayoutSats: result.payouts.find((p) => p.address === address)?.value ?? 0n,
    };
  }

  payoutOutputs(template: BlockTemplate): CoinbaseOutput[] {
    const result = this.compute(template.coinbaseValue);
    const outputs = result.payouts.map((p) => ({ script: this.script(p.address), value: p.value }));
    const key = outputsKey(outputs);
    this.results.delete(key);
    this.results.set(key, result);
    while (this.results.size > REMEMBERED_RESULTS) this.results.delete(this.results.keys().next().value!);
    return outputs;
  }

  /**
   * What recording a found block will store (its write-ahead record): the PPLNS result its
   * coinbase carries, as payouts with their output indexes and the carried balances after it.
   * Undefined for a coinbase this provider did not compute (logged).
   */
  planFoundBlock(found: Omit<FoundBlockReport, 'accepted'>): BlockSubmission | undefined {
    const coinbase = parseBlock(hexToBytes(found.blockHex)).txs[0]!.tx;
    const paying = coinbase.outputs
      .map((o, vout) => ({ ...o, vout }))
      .filter((o) => o.script[0] !== OP_RETURN);
    const result = this.results.get(outputsKey(paying));
    if (!result) {
      this.log.error('found block pays outputs no remembered PPLNS result matches; payouts not recorded', { height: found.height, hash: found.hash });
      return undefined;
    }
    const dot = found.worker.indexOf('.');
    return {
      hash: found.hash,
      height: found.height,
      time: this.now(),
      reward: paying.reduce((a, o) => a + o.value, 0n),
      finder: dot >= 0 ? found.worker.slice(0, dot) : found.worker,
      worker: dot >= 0 ? found.worker.slice(dot + 1) : '',
      payouts: result.payouts.map((p, i) => ({
        outputIndex: paying[i]!.vout, address: p.address, value: p.value, kind: p.kind, credit: p.credit, carriedPaid: p.carriedPaid,
      })),
      carried: result.carried,
    };
  }

  /**
   * Records an accepted block: finds the PPLNS result its coinbase carries, makes that result's
   * carried balances current (at once, so the next template uses them), and stores the block,
   * its payouts and the balances. Returns the stored plan, or undefined for a rejected block or a
   * coinbase this provider did not compute (logged).
   */
  async recordFoundBlock(found: FoundBlockReport, status: BlockStatus = 'pending'): Promise<BlockSubmission | undefined> {
    if (!found.accepted) return undefined;
    const plan = this.planFoundBlock(found);
    if (!plan) return undefined;
    this.carried = plan.carried;
    this.version++;
    await this.deps.store.recordBlock(
      { hash: plan.hash, height: plan.height, time: plan.time, reward: plan.reward, status, finder: plan.finder, worker: plan.worker },
      plan.payouts,
      plan.carried,
    );
    this.log.info('block payouts recorded', { height: plan.height, hash: plan.hash, outputs: plan.payouts.length, carried: plan.carried.size });
    return plan;
  }

  private usable(address: string): boolean {
    if (this.scripts.has(address)) return true;
    if (this.badAddresses.has(address)) return false;
    try {
      this.script(address);
      return true;
    } catch (err) {
      this.badAddresses.add(address);
      this.log.warn('share address has no script on this network; left out of the PPLNS window', { address, reason: (err as { reason?: string }).reason ?? (err as Error).message });
      return false;
    }
  }

  private script(address: string): Uint8Array {
    let s = this.scripts.get(address);
    if (!s) {
      s = this.deps.addressToScript(address);
      this.scripts.set(address, s);
    }
    return s;
  }
}
