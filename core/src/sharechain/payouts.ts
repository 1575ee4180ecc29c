/**
 * payouts(parent, reward, coin prevhash): what the coinbase of a share built on `parent` pays, a
 * pure function of the chain, in integers, in a canonical order (docs/sharechain.md §7):
 *
 * 1. Bonus. B = floor(reward * finderBonusBp / 10,000) goes to the new share's own payees (all of
 *    the reward when the window is empty), split by their basis points; the rest, X, is split by
 *    window credit. Both splits round by the floor of the running total ("cumulative rounding"):
 *    part_i = floor(X*C_i/W) - floor(X*C_{i-1}/W) for the cumulative weights C_i in canonical
 *    order, so parts sum exactly to X and each is its exact share rounded up or down.
 * 2. Threshold. T is the smallest value >= minPayoutSats for which the payees of at least T
 *    (paid directly) plus the lottery outputs fit maxPayoutOutputs.
 * 3. Lottery. The payees below T (the tail, total S) are laid end to end in canonical order on a
 *    circle of circumference S, which is cut into m = max(1, floor(S/T)) arcs of floor(S/m) or
 *    floor(S/m)+1 sats, rotated by a random offset u in [0, S) drawn from
 *    sha256d("otedama/lottery" || coin prevhash || parent id). An arc pays its length to the payee
 *    under its start. Every start is uniform on the circle, so a payee's expected payout is
 *    (amount/S) * (sum of arc lengths) = its amount exactly; its chance to win is m*amount/S
 *    (about amount/T); the lottery outputs are exactly m and sum exactly to S.
 * 4. Dust. Outputs are at least T >= minPayoutSats >= dust, or an arc of at least S >= dust: a
 *    tail worth less than the dust limit takes the smallest direct payee into its circle (one
 *    arc). A reward below the dust limit pays nothing (it is unclaimed).
 *
 * Why this departs from SHARECHAIN.md's per-payee draws hash(prevhash || script) with a 4-sigma
 * margin: (a) a miner can grind its payout script until its draw wins (the coin prevhash is known
 * the whole round), turning any dust of credit into an output of T; here the randomness is the
 * parent share's id, unknown until its work is done, and the arcs depend on no script's own hash;
 * (b) independent draws make the number of winners random, so the outputs can exceed the cap and
 * the winners' total differs from the tail's, which must then be taken from or given to payees
 * that may not exist (10,000 equal payees have no one above T); arcs pay exactly S in exactly m
 * outputs, so no margin, no correction and no overflow rule are needed.
 */
import { utf8 } from '@scure/base';
import { SharechainError } from '../errors.ts';
import { bytesToHex } from '../hex.ts';
import { sha256d } from '../sha256.ts';
import { hashToBigInt } from '../target.ts';
import { MAX_MONEY_SATS, type TxOutput } from '../tx.ts';
import { BASIS_POINTS, type PoolParams } from './params.ts';
import type { Payee } from './share.ts';

/** Domain tag of the lottery's random offset: ASCII "otedama/lottery". */
export const LOTTERY_TAG: Uint8Array = utf8.decode('otedama/lottery');

/** One payout script's credit in a window. */
export interface WindowCredit {
  /** The script as lower-case hex: the canonical order is ascending by this (= bytewise on the script). */
  readonly key: string;
  readonly script: Uint8Array;
  /** Credited work times basis points (a share's work w split by a payee's bp adds w*bp). */
  readonly weight: bigint;
}

export type PayoutParams = Pick<PoolParams, 'finderBonusBp' | 'maxPayoutOutputs' | 'minPayoutSats' | 'dustLimitSats'>;

export interface PayoutInput {
  readonly params: PayoutParams;
  /** Satoshis the coinbase pays (the template's coinbase value). */
  readonly reward: bigint;
  /** The payees of the share being made (they receive the finder bonus). */
  readonly finder: readonly Payee[];
  /** The parent's window credits, ascending by key, every weight > 0. */
  readonly credits: readonly WindowCredit[];
  /** The sum of the credits' weights. */
  readonly totalWeight: bigint;
  /** The coin block the new share builds on (internal order). */
  readonly coinPrevHash: Uint8Array;
  /** The parent share's id (32 zero bytes for a chain's first share): read during the call, never kept. */
  readonly parentId: Uint8Array;
}

export type PayeeKind = 'direct' | 'lottery';

export interface PayeePayout {
  readonly key: string;
  readonly script: Uint8Array;
  /** Window credit in work x bp (weight / 10,000 is its credited work); 0 for a finder payee with no credit in the window. */
  readonly weight: bigint;
  /** Its part of the finder bonus. */
  readonly bonus: bigint;
  /** Its exact share of the reward (bonus included): also its expected payout. */
  readonly amount: bigint;
  readonly kind: PayeeKind;
  /** Chance it is paid: 1/1 when direct, m*amount/S in the lottery. */
  readonly winProbability: { readonly num: bigint; readonly den: bigint };
  /** What this coinbase pays it (0 when it lost the lottery). */
  readonly paid: bigint;
}

export interface LotteryDraw {
  /** Sats in the circle (the tail, plus a direct payee when the tail alone is below dust). */
  readonly total: bigint;
  /** Arcs (lottery outputs). */
  readonly arcs: number;
  /** Arc length: floor(total/arcs); the first total mod arcs arcs are one sat longer. */
  readonly arcValue: bigint;
  /** The random offset u in [0, total). */
  readonly offset: bigint;
}

export interface Payouts {
  readonly reward: bigint;
  /** The finder bonus B. */
  readonly finderBonus: bigint;
  /** The threshold T: payees of at least T are paid directly. */
  readonly threshold: bigint;
  /** The lottery, when there is a tail. */
  readonly lottery?: LotteryDraw;
  /** Every payee with a non-zero amount, ascending by script. */
  readonly payees: readonly PayeePayout[];
  /** The coinbase's payout outputs, ascending by script (at most maxPayoutOutputs). */
  readonly outputs: readonly TxOutput[];
  /** Sats no output pays (a reward below the dust limit). */
  readonly unpaid: bigint;
}

/** A payee while its payout is worked out; handed out as a PayeePayout when done (no copy). */
interface Draft {
  key: string;
  script: Uint8Array;
  weight: bigint;
  bonus: bigint;
  amount: bigint;
  kind: PayeeKind;
  winProbability: { readonly num: bigint; readonly den: bigint };
  paid: bigint;
}

const BASIS_POINTS_N = BigInt(BASIS_POINTS);
const CERTAIN = Object.freeze({ num: 1n, den: 1n });
const NEVER = Object.freeze({ num: 0n, den: 1n });

/** Throws SharechainError for a reward, finder or id that computePayouts cannot take. */
export function checkPayoutInput(input: PayoutInput): void {
  const { reward, finder } = input;
  if (typeof reward !== 'bigint' || reward < 0n || reward > MAX_MONEY_SATS) {
    throw new SharechainError(`reward must be a bigint of 0..${MAX_MONEY_SATS} sats (got ${String(reward)})`);
  }
  if (!Array.isArray(finder) || finder.length === 0) throw new SharechainError('the new share needs at least one payee');
  let bp = 0;
  for (const p of finder) {
    if (!(p.script instanceof Uint8Array) || p.script.length === 0) throw new SharechainError('a payee script is empty');
    if (!Number.isInteger(p.bp) || p.bp < 1) throw new SharechainError(`payee bp must be a positive integer (got ${p.bp})`);
    bp += p.bp;
  }
  if (bp !== BASIS_POINTS) throw new SharechainError(`payee shares sum to ${bp} bp, not ${BASIS_POINTS}`);
  if (input.coinPrevHash.length !== 32 || input.parentId.length !== 32) throw new SharechainError('coin prevhash and parent id are 32 bytes');
}

/**
 * Cumulative rounding (step 1): parts of `total` in proportion to weights taken in order,
 * part_i = floor(total*C_i/W) - floor(total*C_{i-1}/W) for the running sum C_i of the weights
 * and their sum W, so the parts sum exactly to `total` and each is its exact share rounded up or
 * down. Kept as the remainder total*C_{i-1} mod W (no running sum to multiply).
 */
export class CumulativeSplit {
  private rem = 0n;
  constructor(
    private readonly total: bigint,
    /** W: the sum of the weights `next` will be given. */
    private readonly whole: bigint,
  ) {}

  /** The part of the next weight in order. */
  next(weight: bigint): bigint {
    const num = this.rem + this.total * weight;
    const part = num / this.whole;
    this.rem = num - part * this.whole;
    return part;
  }
}

/** Amount-descending, key-ascending. */
function amountOrder(a: Draft, b: Draft): number {
  if (a.amount !== b.amount) return a.amount > b.amount ? -1 : 1;
  return a.key < b.key ? -1 : a.key > b.key ? 1 : 0;
}

/** The `k` largest drafts by amountOrder, in that order (a sort when few, a bounded insertion when many). */
function largest(drafts: readonly Draft[], k: number): Draft[] {
  if (drafts.length <= 4 * k) return [...drafts].sort(amountOrder).slice(0, k);
  const top: Draft[] = [];
  for (const d of drafts) {
    if (top.length === k && amountOrder(d, top[k - 1]!) >= 0) continue;
    let i = top.length;
    while (i > 0 && amountOrder(d, top[i - 1]!) < 0) i--;
    top.splice(i, 0, d);
    if (top.length > k) top.pop();
  }
  return top;
}

/**
 * The threshold and the number of direct payees: the smallest T >= minPayout with
 * direct(T) + arcs(T) <= cap, where direct(T) = #{amount >= T} and arcs(T) = max(1, floor(S_T/T))
 * for a non-empty tail of total S_T (docs/sharechain.md §7.2).
 */
function chooseThreshold(top: readonly Draft[], n: number, total: bigint, params: PayoutParams): { threshold: bigint; direct: number } {
  const cap = params.maxPayoutOutputs;
  const floorT = params.minPayoutSats;
  const prefix: bigint[] = [0n];
  for (const d of top) prefix.push(prefix[prefix.length - 1]! + d.amount);
  for (let k = Math.min(n, cap); k >= 0; k--) {
    const ak = k > 0 ? top[k - 1]!.amount : undefined;
    const next = k < n ? top[k]!.amount : 0n;
    const tail = total - prefix[k]!;
    let t: bigint;
    if (tail === 0n) {
      t = floorT;
    } else {
      if (k > cap - 1) continue;
      const byCap = tail / BigInt(cap - k + 1) + 1n;
      t = floorT;
      if (next + 1n > t) t = next + 1n;
      if (byCap > t) t = byCap;
    }
    if (ak === undefined || t <= ak) return { threshold: t, direct: k };
  }
  throw new SharechainError('internal: no payout threshold fits (k = 0 always does)');
}

/** lotteryDraw's preimage buffer (written whole on every call; one draw at a time: core is synchronous). */
const LOTTERY_PREIMAGE = new Uint8Array(LOTTERY_TAG.length + 64);

/** The lottery's random offset source: sha256d(LOTTERY_TAG || coin prevhash || parent id) as a little-endian integer. */
export function lotteryDraw(coinPrevHash: Uint8Array, parentId: Uint8Array): bigint {
  const pre = LOTTERY_PREIMAGE;
  pre.set(LOTTERY_TAG, 0);
  pre.set(coinPrevHash, LOTTERY_TAG.length);
  pre.set(parentId, LOTTERY_TAG.length + 32);
  return hashToBigInt(sha256d(pre));
}

/**
 * The lottery's arcs over a circle of `amounts` (canonical order, total S): `arcs` arcs of
 * floor(S/arcs) or one sat more (the first S mod arcs), arc j starting at offset + j*floor(S/arcs)
 * + min(j, S mod arcs) (mod S). Returns what each position is paid: the lengths of the arcs
 * whose starts fall in its interval [C_{i-1}, C_i).
 */
export function arcPayouts(amounts: readonly bigint[], arcs: number, offset: bigint): bigint[] {
  let total = 0n;
  for (const a of amounts) total += a;
  if (!Number.isSafeInteger(arcs) || arcs < 1 || total <= 0n || offset < 0n || offset >= total) {
    throw new SharechainError(`internal: arcs ${arcs} over ${total} sats from offset ${offset}`);
  }
  const m = BigInt(arcs);
  const q = total / m;
  const r = total % m;
  // Starts increase with j until they wrap past the end of the circle: visit them in circle order.
  const starts: { at: bigint; len: bigint }[] = [];
  for (let j = 0n; j < m; j++) {
    const o = offset + j * q + (j < r ? j : r);
    starts.push({ at: o >= total ? o - total : o, len: j < r ? q + 1n : q });
  }
  starts.sort((a, b) => (a.at < b.at ? -1 : a.at > b.at ? 1 : 0));
  const paid: bigint[] = [];
  let s = 0;
  let end = 0n;
  for (const a of amounts) {
    end += a;
    let p = 0n;
    while (s < starts.length && starts[s]!.at < end) p += starts[s++]!.len;
    paid.push(p);
  }
  return paid;
}

/** Runs the lottery over the circle (canonical order) and credits `paid` and the win odds. */
function runLottery(circle: readonly Draft[], arcs: number, coinPrevHash: Uint8Array, parentId: Uint8Array): LotteryDraw {
  let total = 0n;
  for (const d of circle) total += d.amount;
  const offset = lotteryDraw(coinPrevHash, parentId) % total;
  const paid = arcPayouts(circle.map((d) => d.amount), arcs, offset);
  const m = BigInt(arcs);
  circle.forEach((d, i) => {
    d.paid = paid[i]!;
    d.winProbability = { num: m * d.amount, den: total };
  });
  return { total, arcs, arcValue: total / m, offset };
}

/** The payouts of a coinbase (see the module comment; docs/sharechain.md §7 step by step). */
export function computePayouts(input: PayoutInput): Payouts {
  checkPayoutInput(input);
  const { params, reward, finder } = input;
  const W = input.totalWeight;
  const bonusTotal = W === 0n ? reward : (reward * BigInt(params.finderBonusBp)) / BigInt(BASIS_POINTS);
  const workTotal = reward - bonusTotal;

  // 1. Amounts: the window's split by cumulative rounding (inline: this runs for every new
  // parent), then the finder's bonus merged in; canonical order throughout.
  const all: Draft[] = [];
  if (W > 0n) {
    const split = new CumulativeSplit(workTotal, W);
    for (const c of input.credits) {
      all.push({ key: c.key, script: c.script, weight: c.weight, bonus: 0n, amount: split.next(c.weight), kind: 'direct', winProbability: CERTAIN, paid: 0n });
    }
  }
  // The bonus split by the finder's basis points, by the same cumulative rounding.
  const bonusSplit = new CumulativeSplit(bonusTotal, BASIS_POINTS_N);
  for (let i = 0; i < finder.length; i++) {
    const p = finder[i]!;
    const bonus = bonusSplit.next(BigInt(p.bp));
    // Found by its bytes (the canonical order is bytewise): a key is hexed only for a new payee.
    let at = findScript(all, p.script);
    if (at < 0) {
      at = -at - 1;
      all.splice(at, 0, { key: bytesToHex(p.script), script: p.script, weight: 0n, bonus: 0n, amount: 0n, kind: 'direct', winProbability: CERTAIN, paid: 0n });
    }
    all[at]!.bonus += bonus;
    all[at]!.amount += bonus;
  }
  let live = 0;
  for (const d of all) if (d.amount > 0n) all[live++] = d;
  all.length = live;

  // 2. Threshold. When every payee fits the cap at the minimum payout, T is the minimum and
  // everyone is paid directly (what chooseThreshold finds at k = n, without ranking anyone).
  let top: Draft[];
  let threshold: bigint;
  let direct: number;
  let allAtMinimum = all.length <= params.maxPayoutOutputs;
  for (let i = 0; allAtMinimum && i < all.length; i++) allAtMinimum = all[i]!.amount >= params.minPayoutSats;
  if (allAtMinimum) {
    top = all;
    threshold = params.minPayoutSats;
    direct = all.length;
  } else {
    top = largest(all, params.maxPayoutOutputs + 1);
    ({ threshold, direct } = chooseThreshold(top, all.length, reward, params));
  }
  for (const d of all) d.kind = 'lottery';
  // Sums of sats in doubles: every amount is at most the reward (<= MAX_MONEY < 2^53) and every
  // partial sum lies between 0 and the reward, so each is exact (a bigint per payee was not).
  let tailSats = Number(reward);
  for (let i = 0; i < direct; i++) {
    const d = top[i]!;
    d.kind = 'direct';
    d.paid = d.amount;
    tailSats -= Number(d.amount);
  }
  const tail = BigInt(tailSats);

  // 3-4. Lottery over the tail (and dust).
  let lottery: LotteryDraw | undefined;
  let unpaid = 0n;
  if (tail > 0n) {
    let arcs = tail / threshold > 1n ? Number(tail / threshold) : 1;
    if (tail < params.dustLimitSats) {
      if (direct > 0) {
        const moved = top[direct - 1]!;
        moved.kind = 'lottery';
        moved.paid = 0n;
        arcs = 1;
      } else {
        unpaid = tail;
      }
    }
    if (unpaid === 0n) lottery = runLottery(all.filter((d) => d.kind === 'lottery'), arcs, input.coinPrevHash, input.parentId);
    else for (const d of all) d.winProbability = NEVER;
  }

  const outputs: TxOutput[] = [];
  // In doubles, as the tail: exact while the sum is below 2^53; a sum that passed it (a bug)
  // would be at least 2^53, above any reward, and fail the check all the same.
  let paidTotal = 0;
  for (const p of all) {
    if (p.paid > 0n) {
      outputs.push({ script: p.script, value: p.paid });
      paidTotal += Number(p.paid);
    }
  }
  if (paidTotal + Number(unpaid) !== Number(reward) || outputs.length > params.maxPayoutOutputs) {
    throw new SharechainError(`internal: payouts pay ${paidTotal} + ${unpaid} unpaid of ${reward} in ${outputs.length} outputs`);
  }
  const payees: readonly PayeePayout[] = all;
  return lottery
    ? { reward, finderBonus: bonusTotal, threshold, lottery, payees, outputs, unpaid }
    : { reward, finderBonus: bonusTotal, threshold, payees, outputs, unpaid };
}

/**
 * Index of `script` among the first `n` items (sorted by script), or -(insertion point) - 1 when
 * absent. Compared bytewise, a shorter prefix first: the order of their lower-case hex keys.
 */
export function findScript(items: readonly { readonly script: Uint8Array }[], script: Uint8Array, n = items.length): number {
  let lo = 0;
  let hi = n - 1;
  while (lo <= hi) {
    const mid = (lo + hi) >> 1;
    const c = compareScripts(items[mid]!.script, script);
    if (c === 0) return mid;
    if (c < 0) lo = mid + 1;
    else hi = mid - 1;
  }
  return -lo - 1;
}

/** Bytewise, a shorter prefix first: the canonical order (that of the scripts' lower-case hex keys). */
export function compareScripts(a: Uint8Array, b: Uint8Array): number {
  const n = a.length < b.length ? a.length : b.length;
  for (let i = 0; i < n; i++) if (a[i] !== b[i]) return a[i]! - b[i]!;
  return a.length - b.length;
}
