/**
 * payouts(parent, reward, coin prevhash) written straight as the coinbase's serialized payout
 * outputs, for the case validation meets on nearly every share: every payee with a non-zero
 * amount is paid directly. That is computePayouts' first branch of step 2 (docs/sharechain.md
 * §7.2): at most maxPayoutOutputs payees, each of at least minPayoutSats, so T = minPayoutSats,
 * the tail is empty, there is no lottery, and each output pays the payee's amount.
 *
 * The amounts are computePayouts' to the sat: the same cumulative rounding over the same credits
 * in the same order, then the finder's bonus the same way. What this skips is what only readers
 * of the payouts need (a PayeePayout per payee, the outputs as objects, the result): sync paid
 * for them on every share, each on a new parent. A window this does not cover (a payee below the
 * minimum, more payees than outputs) answers false, and the caller runs computePayouts. The
 * tests compare both on random windows (direct-payouts.test.ts).
 */
import { BASIS_POINTS } from './params.ts';
import { CumulativeSplit, checkPayoutInput, compareScripts, findScript, type PayoutInput, type WindowCredit } from './payouts.ts';
import { payoutOutputBytes, writePayoutOutput } from './share-coinbase.ts';

const BASIS_POINTS_N = BigInt(BASIS_POINTS);

/**
 * Plans one set of payouts (`plan`), then writes it (`write`). Holds scratch arrays reused from
 * one share to the next; one planner per chain (core is synchronous: a plan is written before
 * the next is made).
 */
export class DirectPayouts {
  /** After a plan: the outputs it pays and their serialized bytes. */
  count = 0;
  bytes = 0;
  private credits: readonly WindowCredit[] = [];
  /** Credits in the split (0 when the window is empty). */
  private n = 0;
  /** Each credit's amount, index-aligned with the credits. */
  private readonly amounts: bigint[] = [];
  /** Finder payees with no credit in the window: ordered by (where they go among the credits, script). */
  private readonly extraAt: number[] = [];
  private readonly extraScripts: Uint8Array[] = [];
  private readonly extraAmounts: bigint[] = [];
  private extras = 0;

  /** True when every payee is paid directly (then `count`, `bytes` and `write` hold), false otherwise. */
  plan(input: PayoutInput): boolean {
    checkPayoutInput(input);
    const { params, reward, finder, credits } = input;
    const W = input.totalWeight;
    const bonusTotal = W === 0n ? reward : (reward * BigInt(params.finderBonusBp)) / BASIS_POINTS_N;
    const workTotal = reward - bonusTotal;
    const n = W > 0n ? credits.length : 0;
    const amounts = this.amounts;
    if (n > 0) {
      const split = new CumulativeSplit(workTotal, W);
      for (let i = 0; i < n; i++) amounts[i] = split.next(credits[i]!.weight);
    }
    this.credits = credits;
    this.n = n;
    this.extras = 0;
    const bonusSplit = new CumulativeSplit(bonusTotal, BASIS_POINTS_N);
    for (let j = 0; j < finder.length; j++) {
      const p = finder[j]!;
      const bonus = bonusSplit.next(BigInt(p.bp));
      const at = findScript(credits, p.script, n);
      if (at >= 0) amounts[at] = amounts[at]! + bonus;
      else this.addExtra(-at - 1, p.script, bonus);
    }

    // Every non-zero amount at least the minimum, and no more of them than outputs.
    const min = params.minPayoutSats;
    let count = 0;
    let bytes = 0;
    for (let i = 0; i < n; i++) {
      const a = amounts[i]!;
      if (a === 0n) continue;
      if (a < min) return false;
      count++;
      bytes += payoutOutputBytes(credits[i]!.script);
    }
    for (let k = 0; k < this.extras; k++) {
      const a = this.extraAmounts[k]!;
      if (a === 0n) continue;
      if (a < min) return false;
      count++;
      bytes += payoutOutputBytes(this.extraScripts[k]!);
    }
    if (count > params.maxPayoutOutputs) return false;
    this.count = count;
    this.bytes = bytes;
    return true;
  }

  /** Writes the planned outputs (canonical order) at the start of `out` (at least `bytes` long); returns `bytes`. */
  write(out: Uint8Array): number {
    const { credits, amounts, n } = this;
    let o = 0;
    let k = 0;
    for (let i = 0; i <= n; i++) {
      for (; k < this.extras && this.extraAt[k] === i; k++) {
        const a = this.extraAmounts[k]!;
        if (a !== 0n) o = writePayoutOutput(out, o, a, this.extraScripts[k]!);
      }
      if (i === n) break;
      const a = amounts[i]!;
      if (a !== 0n) o = writePayoutOutput(out, o, a, credits[i]!.script);
    }
    return o;
  }

  /** A finder payee with no credit: merged into one met before (the same script twice), or kept in order. */
  private addExtra(at: number, script: Uint8Array, bonus: bigint): void {
    let k = 0;
    for (; k < this.extras; k++) {
      const c = this.extraAt[k]! - at || compareScripts(this.extraScripts[k]!, script);
      if (c === 0) {
        this.extraAmounts[k] = this.extraAmounts[k]! + bonus;
        return;
      }
      if (c > 0) break;
    }
    for (let m = this.extras; m > k; m--) {
      this.extraAt[m] = this.extraAt[m - 1]!;
      this.extraScripts[m] = this.extraScripts[m - 1]!;
      this.extraAmounts[m] = this.extraAmounts[m - 1]!;
    }
    this.extraAt[k] = at;
    this.extraScripts[k] = script;
    this.extraAmounts[k] = bonus;
    this.extras++;
  }
}

