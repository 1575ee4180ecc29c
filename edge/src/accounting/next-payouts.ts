/**
 * What the next block would pay, by the sharechain (docs/sharechain.md §7), as the API and the
 * CLI show it: every address credited in the window of the best tip, with its expected payout of
 * a block found now on the current coin template, whether the coinbase pays it directly or by
 * lottery (with its chance), and the lottery threshold.
 *
 * Who finds the next block is not known, and the finder's payees take the finder bonus; every
 * payee's chance to find it is its part of the window's work, so its expected share of the bonus
 * is that part too, and its expected payout is exactly its part of the whole reward. That is
 * core's computePayouts over the tip's window with the bonus folded into the split (finder bonus
 * 0): amounts by cumulative rounding summing to the reward exactly, the threshold and the
 * lottery's odds as the coinbase would have them. Every edge of a pool computes the same list
 * from the same tip and template.
 */
import {
  bytesToHex,
  computePayouts,
  scriptToAddress,
  type BlockTemplate,
  type Network,
  type Payouts,
  type ShareChain,
  type ShareEntry,
} from '@otedama/core';

export interface NextPayout {
  readonly address: string;
  /** Expected payout of the next block (satoshis): the address's part of the window times the reward. */
  readonly sats: bigint;
  /** Paid directly, or by the lottery (amounts below the threshold). */
  readonly kind: 'direct' | 'lottery';
  /** Chance the coinbase pays it (1 when direct; m x amount / S in the lottery). */
  readonly probability: number;
  /** Its part of the window's credited work, 0..1 (a double, for display). */
  readonly fraction: number;
}

export interface NextBlockPayouts {
  /** The tip whose window pays (hex id) and its height. */
  readonly tip: { readonly id: string; readonly height: number };
  /** Shares in that window. */
  readonly windowShares: number;
  /** The coinbase value of the current template. */
  readonly rewardSats: bigint;
  /** The lottery threshold T: payees owed at least T are paid directly. */
  readonly thresholdSats: bigint;
  /** Every credited address, ascending by output script (the coinbase's order). */
  readonly payouts: readonly NextPayout[];
}

/** One address's place in the window: its credit and what it may expect. */
export interface WindowStanding {
  readonly windowShares: number;
  /** Shares in the window that credit the address (as a payee, or through an uncle they name). */
  readonly shares: number;
  readonly fraction: number;
  readonly blockRewardSats: bigint;
  readonly expectedSats: bigint;
  readonly kind: 'direct' | 'lottery';
  readonly probability: number;
  readonly thresholdSats: bigint;
}

/**
 * Computes (and remembers per tip, coin block and reward) the next block's payouts. Undefined
 * while the chain has no share, there is no template, or the tip's window is incomplete (a synced
 * window whose oldest shares are not held yet).
 */
export class NextPayouts {
  private memo: { tip: ShareEntry; reward: bigint; prev: string; value: NextBlockPayouts; scripts: Map<string, string> } | undefined;

  constructor(
    private readonly chain: ShareChain,
    private readonly network: Network,
    private readonly template: () => BlockTemplate | undefined,
  ) {}

  current(): NextBlockPayouts | undefined {
    const tip = this.chain.tip;
    const template = this.template();
    if (!tip || !template) return undefined;
    const prev = bytesToHex(template.prevHash);
    const m = this.memo;
    if (m && m.tip === tip && m.reward === template.coinbaseValue && m.prev === prev) return m.value;
    const window = this.chain.window(tip.id);
    if (!window.complete || window.credits.length === 0) return undefined;
    // The bonus folded into the split (see the module comment); the finder payee then gets nothing of its own.
    const payouts: Payouts = computePayouts({
      params: { ...this.chain.params, finderBonusBp: 0 },
      reward: template.coinbaseValue,
      finder: [{ script: window.credits[0]!.script, bp: 10_000 }],
      credits: window.credits,
      totalWeight: window.totalWeight,
      coinPrevHash: template.prevHash,
      parentId: tip.id,
    });
    const scripts = new Map<string, string>();
    const total = Number(window.totalWeight);
    const list: NextPayout[] = payouts.payees.map((p) => {
      const address = scriptToAddress(p.script, this.network) ?? `script:${p.key}`;
      scripts.set(address, p.key);
      return {
        address,
        sats: p.amount,
        kind: p.kind,
        probability: p.winProbability.den === 0n ? 0 : Number(p.winProbability.num) / Number(p.winProbability.den),
        fraction: total > 0 ? Math.min(1, Number(p.weight) / total) : 0,
      };
    });
    const value: NextBlockPayouts = {
      tip: { id: bytesToHex(tip.id), height: tip.height },
      windowShares: window.shares,
      rewardSats: template.coinbaseValue,
      thresholdSats: payouts.threshold,
      payouts: list,
    };
    this.memo = { tip, reward: template.coinbaseValue, prev, value, scripts };
    return value;
  }

  /** The address's credit and expectation in the current window; undefined when it has none. */
  standing(address: string): WindowStanding | undefined {
    const next = this.current();
    const p = next?.payouts.find((x) => x.address === address);
    if (!next || !p) return undefined;
    const key = this.memo!.scripts.get(address)!;
    // Shares of the window naming it: a walk from the tip over the window's shares.
    let shares = 0;
    let e: ShareEntry | undefined = this.chain.tip;
    for (let i = 0; e && i < next.windowShares; i++, e = e.parent) if (e.creditsKey(key)) shares++;
    return {
      windowShares: next.windowShares,
      shares,
      fraction: p.fraction,
      blockRewardSats: next.rewardSats,
      expectedSats: p.sats,
      kind: p.kind,
      probability: p.probability,
      thresholdSats: next.thresholdSats,
    };
  }
}
