/**
 * PPLNS ("pay per last N shares") accounting: turns the share window, a block's reward, the
 * pool fee and the minimum payout into the coinbase outputs the block must carry and the
 * balances that roll forward to the next block. Pure and exact (bigint satoshis, no floating
 * point in any sum), so every peer that holds the same window computes the same coinbase.
 *
 * The model, precisely:
 *
 * 1. **Window.** The last `windowSize` shares (the input lists shares oldest first; anything
 *    older than the last N is ignored). Each share weighs its *share difficulty* — the
 *    difficulty the miner was asked to meet, not the (lucky) difficulty its hash achieved — so
 *    the window is "N shares weighted by difficulty". A difficulty is converted exactly to a
 *    fixed-point integer (2^-64 resolution), so weights never depend on summation order.
 * 2. **Credits.** The reward R is apportioned among the parties: the fee address gets
 *    `feePercent` % of R, every miner address gets the rest in proportion to its weight in the
 *    window (a miner that uses the fee address adds to the fee address's credit). Floors of the
 *    exact rational shares are taken and the few satoshis left over go, one each, to the
 *    parties with the largest remainders, ties broken by address (ascending, code-unit order).
 *    Credits are integers that sum to R exactly. An empty window credits R to the fee address.
 * 3. **Balances.** A miner is owed `carried + credit`. When that reaches `minPayoutSats`, the
 *    miner is a payee; below it, the whole amount rolls forward as the miner's carried balance
 *    and its credit is held by the fee address (the pool's custody) meanwhile.
 * 4. **Custody.** A carried balance was paid to the fee address by an earlier coinbase, so a
 *    later coinbase can only hand it back out of what flows into custody in *this* block: the
 *    fee plus the credits that roll forward. Payees are served in a fixed order (largest carried
 *    balance first, then address): each receives its credit plus as much of its carried balance
 *    as the remaining custody budget allows; what the budget cannot fund stays carried. A payee
 *    whose output would be below the minimum is paid anyway when the output settles part of its
 *    carried balance (so a large balance is paid down by at least the budget every block and
 *    cannot starve when the fee is small); otherwise it rolls forward and its credit joins the
 *    budget. The fee address's output is what remains, so the outputs always sum to R and no
 *    output is ever negative.
 *
 * Invariants (tested): outputs sum to R; `poolValue - fee` equals the change in the total
 * carried balance; a miner output is at least `minPayoutSats` unless it settles carried
 * balance; every miner receives exactly its credits over time (paid + carried = credited);
 * equal inputs give equal outputs in equal order.
 *
 * Addresses are compared as strings: pass them in canonical form (what address.ts's
 * validateAddress returns), or one miner becomes two parties.
 */
import type { CoinbaseOutput } from './block-template.ts';
import { PplnsError } from './errors.ts';

/** Fee resolution: percent is scaled by 10^6, so fees are exact down to 0.000001 %. */
export const FEE_PERCENT_SCALE = 1_000_000;
/** Fixed-point fraction bits of a share weight: difficulty 1 weighs 2^64. */
export const WEIGHT_FRACTION_BITS = 64;

const HUNDRED_PERCENT = BigInt(100 * FEE_PERCENT_SCALE);

export interface PplnsShare {
  /** Payout address (canonical form). */
  readonly address: string;
  /** The share difficulty the miner was asked to meet (bdiff); positive and finite. */
  readonly difficulty: number;
}

/** The pool's consensus rules for payouts (part of the pool id: peers must agree on them). */
export interface PplnsParams {
  /** N: how many of the most recent shares the window holds. */
  readonly windowSize: number;
  /** Pool fee in percent, 0..100. */
  readonly feePercent: number;
  /** Address that receives the fee and holds carried balances. */
  readonly feeAddress: string;
  /** Balances below this many satoshis roll forward to the next block. */
  readonly minPayoutSats: bigint;
}

export interface PplnsInput {
  readonly params: PplnsParams;
  /** Recent shares, oldest first; only the last `windowSize` count. */
  readonly shares: readonly PplnsShare[];
  /** Satoshis the coinbase pays out (the template's coinbaseValue). */
  readonly reward: bigint;
  /** Balances carried from earlier blocks (address -> satoshis), the previous result's `carried`. */
  readonly carried?: ReadonlyMap<string, bigint>;
}

export type PayoutKind = 'pool' | 'miner';

export interface PplnsPayout {
  readonly address: string;
  /** Satoshis this output pays. */
  readonly value: bigint;
  readonly kind: PayoutKind;
  /** This block's credit of the address (the fee, for the pool output). */
  readonly credit: bigint;
  /** Part of `value` that settles a carried balance (0 for the pool output). */
  readonly carriedPaid: bigint;
}

export interface PplnsResult {
  /** Outputs in canonical order: the fee address first, then miners by address. Sum = reward. */
  readonly payouts: readonly PplnsPayout[];
  /** Balances that roll forward (only non-zero ones), input of the next block's computation. */
  readonly carried: ReadonlyMap<string, bigint>;
  /** This block's credit per miner address (not the fee address), before min-payout rules. */
  readonly credits: ReadonlyMap<string, bigint>;
  /** The fee credit (the fee address's own mined credit included when it also mines). */
  readonly fee: bigint;
  /** Value of the fee address's output: fee + credits rolled forward - carried balances paid. */
  readonly poolValue: bigint;
  /** Shares in the window and their total weight (fixed point, 2^64 = difficulty 1). */
  readonly windowShares: number;
  readonly windowWeight: bigint;
}

/** Computes the payouts of one block. Throws PplnsError on malformed input. */
export function computePplns(input: PplnsInput): PplnsResult {
  const { params, reward } = input;
  validateParams(params);
  if (typeof reward !== 'bigint') throw new PplnsError('reward', `the block reward must be a bigint number of satoshis (got ${typeof reward})`);
  if (reward < 0n) throw new PplnsError('reward', `the block reward must not be negative (got ${reward})`);
  const carriedIn = validateCarried(input.carried ?? new Map(), params.feeAddress);
  if (!Array.isArray(input.shares)) throw new PplnsError('shares', 'shares must be an array');

  // 1. Window and weights.
  const window = input.shares.length > params.windowSize ? input.shares.slice(input.shares.length - params.windowSize) : input.shares;
  const weights = new Map<string, bigint>();
  let totalWeight = 0n;
  for (let i = 0; i < window.length; i++) {
    const share = window[i]!;
    validateShare(share, i);
    const w = difficultyToWeight(share.difficulty, i);
    weights.set(share.address, (weights.get(share.address) ?? 0n) + w);
    totalWeight += w;
  }

  // 2. Credits by largest remainder over exact rationals num/den.
  const feeUnits = BigInt(Math.round(params.feePercent * FEE_PERCENT_SCALE));
  const parties = new Map<string, bigint>(); // address -> numerator
  let den: bigint;
  if (totalWeight === 0n) {
    den = 1n;
    parties.set(params.feeAddress, 1n);
  } else {
    den = HUNDRED_PERCENT * totalWeight;
    parties.set(params.feeAddress, feeUnits * totalWeight);
    for (const [address, w] of weights) {
      parties.set(address, (parties.get(address) ?? 0n) + (HUNDRED_PERCENT - feeUnits) * w);
    }
  }
  const credited = apportion(reward, parties, den);
  const fee = credited.get(params.feeAddress) ?? 0n;
  const credits = new Map<string, bigint>();
  for (const address of sortedKeys(credited)) {
    if (address !== params.feeAddress) credits.set(address, credited.get(address)!);
  }

  // 3. Balances and 4. custody.
  const owedAddresses = new Set<string>([...credits.keys(), ...carriedIn.keys()]);
  const candidates: { address: string; carried: bigint; credit: bigint }[] = [];
  const carriedOut = new Map<string, bigint>();
  let budget = fee;
  for (const address of owedAddresses) {
    const carried = carriedIn.get(address) ?? 0n;
    const credit = credits.get(address) ?? 0n;
    const owed = carried + credit;
    if (owed > 0n && owed >= params.minPayoutSats) {
      candidates.push({ address, carried, credit });
    } else {
      budget += credit;
      if (owed > 0n) carriedOut.set(address, owed);
    }
  }
  candidates.sort((a, b) => (a.carried !== b.carried ? (a.carried > b.carried ? -1 : 1) : compareStrings(a.address, b.address)));
  const paid: PplnsPayout[] = [];
  for (const c of candidates) {
    const fromCustody = c.carried < budget ? c.carried : budget;
    const value = c.credit + fromCustody;
    if (value > 0n && (value >= params.minPayoutSats || fromCustody > 0n)) {
      budget -= fromCustody;
      paid.push({ address: c.address, value, kind: 'miner', credit: c.credit, carriedPaid: fromCustody });
      if (c.carried > fromCustody) carriedOut.set(c.address, c.carried - fromCustody);
    } else {
      budget += c.credit;
      carriedOut.set(c.address, c.carried + c.credit);
    }
  }

  let paidTotal = 0n;
  for (const p of paid) paidTotal += p.value;
  const poolValue = reward - paidTotal;
  // poolValue == budget by construction; a mismatch would be a bug in this function.
  if (poolValue !== budget || poolValue < 0n) throw new PplnsError('internal', `pool output ${poolValue} does not match the custody budget ${budget}`);
  paid.sort((a, b) => compareStrings(a.address, b.address));
  const payouts: PplnsPayout[] = [];
  if (poolValue > 0n || paid.length === 0) {
    payouts.push({ address: params.feeAddress, value: poolValue, kind: 'pool', credit: fee, carriedPaid: 0n });
  }
  payouts.push(...paid);

  const carried = new Map<string, bigint>();
  for (const address of sortedKeys(carriedOut)) carried.set(address, carriedOut.get(address)!);
  return { payouts, carried, credits, fee, poolValue, windowShares: window.length, windowWeight: totalWeight };
}

/** The coinbase outputs of a result, in its canonical order; scripts come from `addressToScript`. */
export function pplnsCoinbaseOutputs(result: PplnsResult, addressToScript: (address: string) => Uint8Array): CoinbaseOutput[] {
  return result.payouts.map((p) => ({ script: addressToScript(p.address), value: p.value }));
}

/**
 * Exact weight of a share difficulty: floor(difficulty * 2^WEIGHT_FRACTION_BITS), from the
 * double's bits, so it is the same on every platform.
 */
export function difficultyToWeight(difficulty: number, index = 0): bigint {
  if (typeof difficulty !== 'number' || !Number.isFinite(difficulty) || difficulty <= 0) {
    throw new PplnsError('shares', `share ${index}: difficulty must be a positive finite number (got ${String(difficulty)})`);
  }
  const view = new DataView(new ArrayBuffer(8));
  view.setFloat64(0, difficulty);
  const hi = view.getUint32(0);
  const lo = view.getUint32(4);
  const biased = (hi >>> 20) & 0x7ff;
  const fraction = (BigInt(hi & 0xfffff) << 32n) | BigInt(lo);
  const mantissa = biased === 0 ? fraction : fraction | (1n << 52n);
  const exponent = (biased === 0 ? -1074 : biased - 1075) + WEIGHT_FRACTION_BITS;
  const weight = exponent >= 0 ? mantissa << BigInt(exponent) : mantissa >> BigInt(-exponent);
  if (weight === 0n) throw new PplnsError('shares', `share ${index}: difficulty ${difficulty} is below the weight resolution (2^-${WEIGHT_FRACTION_BITS})`);
  return weight;
}

/** Largest-remainder apportionment of `total` by numerators over `den` (sum of numerators = den). */
function apportion(total: bigint, numerators: ReadonlyMap<string, bigint>, den: bigint): Map<string, bigint> {
  const out = new Map<string, bigint>();
  const remainders: { address: string; rem: bigint }[] = [];
  let assigned = 0n;
  for (const address of sortedKeys(numerators)) {
    const product = total * numerators.get(address)!;
    const floor = product / den;
    out.set(address, floor);
    assigned += floor;
    remainders.push({ address, rem: product % den });
  }
  let left = total - assigned;
  remainders.sort((a, b) => (a.rem !== b.rem ? (a.rem > b.rem ? -1 : 1) : compareStrings(a.address, b.address)));
  for (let i = 0; left > 0n; i++, left--) {
    const r = remainders[i]!;
    out.set(r.address, out.get(r.address)! + 1n);
  }
  return out;
}

function validateParams(p: PplnsParams): void {
  if (!p || typeof p !== 'object') throw new PplnsError('params', 'PPLNS parameters are missing');
  if (!Number.isSafeInteger(p.windowSize) || p.windowSize < 1) {
    throw new PplnsError('windowSize', `the PPLNS window must be a whole number of shares >= 1 (got ${String(p.windowSize)})`);
  }
  if (typeof p.feePercent !== 'number' || !Number.isFinite(p.feePercent) || p.feePercent < 0 || p.feePercent > 100) {
    throw new PplnsError('feePercent', `the pool fee must be a percentage between 0 and 100 (got ${String(p.feePercent)})`);
  }
  if (typeof p.feeAddress !== 'string' || p.feeAddress === '') {
    throw new PplnsError('feeAddress', 'the fee address must be a non-empty string (the pool payout address)');
  }
  if (typeof p.minPayoutSats !== 'bigint' || p.minPayoutSats < 0n) {
    throw new PplnsError('minPayoutSats', `the minimum payout must be a non-negative bigint of satoshis (got ${String(p.minPayoutSats)})`);
  }
}

function validateShare(share: PplnsShare, index: number): void {
  if (!share || typeof share.address !== 'string' || share.address === '') {
    throw new PplnsError('shares', `share ${index}: address must be a non-empty string`);
  }
}

function validateCarried(carried: ReadonlyMap<string, bigint>, feeAddress: string): ReadonlyMap<string, bigint> {
  if (!(carried instanceof Map)) throw new PplnsError('carried', 'carried balances must be a Map of address to bigint satoshis');
  for (const [address, value] of carried) {
    if (typeof address !== 'string' || address === '') throw new PplnsError('carried', 'carried balance with an empty address');
    if (typeof value !== 'bigint' || value < 0n) throw new PplnsError('carried', `carried balance of ${address} must be a non-negative bigint (got ${String(value)})`);
    if (address === feeAddress && value !== 0n) {
      throw new PplnsError('carried', `the fee address ${address} holds the carried balances; it cannot have one itself`);
    }
  }
  return carried;
}

function compareStrings(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

function sortedKeys<V>(m: ReadonlyMap<string, V>): string[] {
  return [...m.keys()].sort(compareStrings);
}
