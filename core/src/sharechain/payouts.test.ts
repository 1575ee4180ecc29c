import { describe, expect, it } from 'vitest';
import { rng } from '../../test/rng.ts';
import { SharechainError } from '../errors.ts';
import { bytesToHex } from '../hex.ts';
import { sha256d } from '../sha256.ts';
import { arcPayouts, computePayouts, lotteryDraw, type PayoutInput, type PayoutParams, type Payouts, type WindowCredit } from './payouts.ts';
import type { Payee } from './share.ts';

const COIN = 100_000_000n;
const PARAMS: PayoutParams = { finderBonusBp: 50, maxPayoutOutputs: 60, minPayoutSats: COIN / 100n, dustLimitSats: 546n };

function script(n: number): Uint8Array {
  const s = new Uint8Array(22);
  s[1] = 0x14;
  s[2] = n & 0xff;
  s[3] = (n >> 8) & 0xff;
  s[4] = (n >> 16) & 0xff;
  return s;
}

function credits(weights: readonly bigint[], offset = 0): WindowCredit[] {
  return weights
    .map((weight, i) => ({ key: bytesToHex(script(offset + i)), script: script(offset + i), weight }))
    .filter((c) => c.weight > 0n)
    .sort((a, b) => (a.key < b.key ? -1 : 1));
}

function input(weights: readonly bigint[], reward: bigint, over: Partial<PayoutInput> = {}): PayoutInput {
  const cs = credits(weights);
  return {
    params: PARAMS,
    reward,
    finder: [{ script: script(9_999_999), bp: 10_000 }],
    credits: cs,
    totalWeight: cs.reduce((a, c) => a + c.weight, 0n),
    coinPrevHash: sha256d(new Uint8Array([1])),
    parentId: sha256d(new Uint8Array([2])),
    ...over,
  };
}

function bigRandom(r: () => number, bits: number): bigint {
  let v = 0n;
  for (let b = 0; b < bits; b += 24) v = (v << 24n) | BigInt(Math.floor(r() * 0x1000000));
  return v & ((1n << BigInt(bits)) - 1n);
}

/** direct(T) + arcs(T) for the amounts: what must fit the cap. */
function outputsAt(amounts: readonly bigint[], t: bigint): number {
  let direct = 0;
  let tail = 0n;
  for (const a of amounts) {
    if (a >= t) direct++;
    else tail += a;
  }
  return direct + (tail === 0n ? 0 : tail / t > 1n ? Number(tail / t) : 1);
}

function checkInvariants(inp: PayoutInput, out: Payouts): void {
  const { params, reward } = inp;
  const paid = out.outputs.reduce((a, o) => a + o.value, 0n);
  expect(paid + out.unpaid).toBe(reward);
  if (out.unpaid > 0n) expect(reward).toBeLessThan(params.dustLimitSats);
  expect(out.outputs.length).toBeLessThanOrEqual(params.maxPayoutOutputs);
  for (let i = 1; i < out.outputs.length; i++) expect(bytesToHex(out.outputs[i - 1]!.script) < bytesToHex(out.outputs[i]!.script)).toBe(true);
  for (const o of out.outputs) expect(o.value).toBeGreaterThanOrEqual(params.dustLimitSats);
  expect(out.payees.reduce((a, p) => a + p.amount, 0n)).toBe(reward);
  expect(out.threshold).toBeGreaterThanOrEqual(params.minPayoutSats);
  const amounts = out.payees.map((p) => p.amount);
  expect(outputsAt(amounts, out.threshold)).toBeLessThanOrEqual(params.maxPayoutOutputs);
  if (out.threshold > params.minPayoutSats) expect(outputsAt(amounts, out.threshold - 1n)).toBeGreaterThan(params.maxPayoutOutputs);
  const W = inp.totalWeight;
  const bonusBp = new Map(inp.finder.map((f) => [bytesToHex(f.script), BigInt(f.bp)]));
  for (const p of out.payees) {
    expect(p.amount).toBeGreaterThan(0n);
    // Its exact share X*w/W + B*bp/10000, as a fraction over W*10000, is within 2 sats (two roundings).
    const den = (W === 0n ? 1n : W) * 10_000n;
    const exact = (W === 0n ? 0n : (reward - out.finderBonus) * p.weight * 10_000n) + out.finderBonus * (bonusBp.get(p.key) ?? 0n) * (W === 0n ? 1n : W);
    const diff = p.amount * den - exact;
    expect(diff < 2n * den && diff > -2n * den).toBe(true);
    if (p.kind === 'direct') {
      expect(p.paid).toBe(p.amount);
      expect(p.amount).toBeGreaterThanOrEqual(out.threshold);
    }
  }
}

describe('payouts', () => {
  it('pays the finder bonus to the new share payees and splits the rest by credit, rounding by the running total', () => {
    const inp = input([1n, 2n], 1_000_000n, { params: { ...PARAMS, minPayoutSats: 1000n } });
    const out = computePayouts(inp);
    // B = 5,000; X = 995,000 over weights 1 and 2: floor(995000/3) = 331,666 and 995,000 - 331,666.
    expect(out.finderBonus).toBe(5000n);
    const byScript = Object.fromEntries(out.payees.map((p) => [p.key, p]));
    expect(byScript[bytesToHex(script(0))]!.amount).toBe(331_666n);
    expect(byScript[bytesToHex(script(1))]!.amount).toBe(663_334n);
    expect(byScript[bytesToHex(script(9_999_999))]!.amount).toBe(5000n);
    expect(out.outputs.map((o) => o.value)).toEqual([331_666n, 663_334n, 5000n]);
    checkInvariants(inp, out);
  });

  it('merges the bonus into a finder that also has window credit, and splits it by the finder payees bp', () => {
    const finder: Payee[] = [
      { script: script(0), bp: 9900 },
      { script: script(7), bp: 100 },
    ];
    const inp = input([3n, 1n], 2_000_000n, { finder, params: { ...PARAMS, minPayoutSats: 1000n } });
    const out = computePayouts(inp);
    const p0 = out.payees.find((p) => p.key === bytesToHex(script(0)))!;
    // B = 10,000: 9,900 and 100 by bp; X = 1,990,000: 3/4 = 1,492,500.
    expect(p0.bonus).toBe(9900n);
    expect(p0.amount).toBe(1_492_500n + 9900n);
    const p7 = out.payees.find((p) => p.key === bytesToHex(script(7)))!;
    expect(p7.weight).toBe(0n);
    expect(p7.amount).toBe(100n);
    // 100 sats is below dust and the minimum: it is in the lottery (arc of the tail's total).
    expect(p7.kind).toBe('lottery');
    checkInvariants(inp, out);
  });

  it('gives everything to the finder payees when the window is empty (a chain first share)', () => {
    const finder: Payee[] = [
      { script: script(1), bp: 3333 },
      { script: script(2), bp: 6667 },
    ];
    const out = computePayouts({ ...input([], 10_000_000n), finder, credits: [], totalWeight: 0n });
    expect(out.finderBonus).toBe(10_000_000n);
    expect(out.outputs.map((o) => o.value)).toEqual([3_333_000n, 6_667_000n]);
  });

  it('pays 10,000 equal payees in exactly maxPayoutOutputs outputs that sum to the reward', () => {
    const inp = input(Array.from({ length: 10_000 }, () => 1n << 70n), 312_500_000n);
    const out = computePayouts(inp);
    checkInvariants(inp, out);
    expect(out.lottery).toBeDefined();
    expect(out.outputs.length).toBe(PARAMS.maxPayoutOutputs);
    expect(out.payees.filter((p) => p.kind === 'direct')).toHaveLength(0);
  });

  it('takes the smallest direct payee into the circle when the tail is below the dust limit', () => {
    const params = { ...PARAMS, maxPayoutOutputs: 3, minPayoutSats: 1000n, dustLimitSats: 546n };
    // Amounts (no bonus): 600,000 / 300,000 / 99,800 / 200: the 200-sat tail alone would be dust.
    const inp = input([6000n, 3000n, 998n, 2n], 1_000_000n, { params: { ...params, finderBonusBp: 0 } });
    const out = computePayouts(inp);
    checkInvariants(inp, out);
    expect(out.lottery!.arcs).toBe(1);
    expect(out.lottery!.total).toBe(100_000n);
    const circle = out.payees.filter((p) => p.kind === 'lottery').map((p) => p.amount);
    expect(circle.sort()).toEqual([200n, 99_800n]);
  });

  it('leaves a reward below the dust limit unpaid', () => {
    const inp = input([1n, 1n], 500n);
    const out = computePayouts(inp);
    expect(out.outputs).toHaveLength(0);
    expect(out.unpaid).toBe(500n);
  });

  it('holds its invariants over random windows, rewards and pools (sums, order, cap, dust, minimal threshold)', () => {
    const r = rng(1);
    for (let round = 0; round < 150; round++) {
      const n = 1 + Math.floor(r() ** 2 * 400);
      const weights = Array.from({ length: n }, () => (r() < 0.1 ? bigRandom(r, 90) : bigRandom(r, 40) + 1n));
      const reward = r() < 0.05 ? BigInt(Math.floor(r() * 2000)) : BigInt(Math.floor(r() * 6_000_000_000));
      const dust = BigInt(Math.floor(r() * 1000));
      const params: PayoutParams = {
        finderBonusBp: Math.floor(r() * 200),
        maxPayoutOutputs: 2 + Math.floor(r() * 80),
        dustLimitSats: dust,
        minPayoutSats: dust + 1n + BigInt(Math.floor(r() * 5_000_000)),
      };
      const finderCount = 1 + Math.floor(r() * 4);
      const finder: Payee[] = [];
      let left = 10_000;
      for (let i = 0; i < finderCount; i++) {
        const bp = i === finderCount - 1 ? left : 1 + Math.floor(r() * (left - (finderCount - i - 1)));
        left -= bp;
        finder.push({ script: script(Math.floor(r() * n * 1.5)), bp });
      }
      const unique = new Map(finder.map((f) => [bytesToHex(f.script), f]));
      if (unique.size !== finder.length) continue;
      const inp = input(weights, reward, { params, finder, coinPrevHash: sha256d(new Uint8Array([round])) });
      checkInvariants(inp, computePayouts(inp));
    }
  });

  it('is canonical: the same window given in any order pays the same outputs', () => {
    const inp = input([5n, 1n, 9n, 2n, 7n], 123_456_789n);
    const a = computePayouts(inp);
    const b = computePayouts({ ...inp, finder: [...inp.finder] });
    expect(b.outputs).toEqual(a.outputs);
  });

  it('rejects a negative reward and payees that do not sum to 10,000 bp', () => {
    expect(() => computePayouts(input([1n], -1n))).toThrow(SharechainError);
    expect(() => computePayouts(input([1n], 1n, { finder: [{ script: script(1), bp: 9999 }] }))).toThrow(/10000/);
  });
});

describe('the lottery arcs', () => {
  it('pays each position exactly its amount in expectation over the uniform offset (exhaustive)', () => {
    const r = rng(7);
    for (let round = 0; round < 40; round++) {
      const n = 1 + Math.floor(r() * 30);
      const amounts = Array.from({ length: n }, () => 1n + BigInt(Math.floor(r() * 120)));
      const total = amounts.reduce((a, b) => a + b, 0n);
      const arcs = 1 + Math.floor(r() * Math.min(12, Number(total)));
      const sums = amounts.map(() => 0n);
      for (let u = 0n; u < total; u++) {
        const paid = arcPayouts(amounts, arcs, u);
        expect(paid.reduce((a, b) => a + b, 0n)).toBe(total);
        paid.forEach((p, i) => (sums[i]! += p));
      }
      // E[paid_i] = sum over offsets / total = amount_i exactly.
      sums.forEach((s, i) => expect(s).toBe(amounts[i]! * total));
    }
  });

  it('pays every payee of a computed payout its amount in expectation: direct exactly, the tail over all offsets', () => {
    const params = { ...PARAMS, finderBonusBp: 100, maxPayoutOutputs: 6, minPayoutSats: 600n, dustLimitSats: 546n };
    const inp = input([900n, 40n, 55n, 7n, 300n, 12n, 33n, 1n, 64n, 250n], 20_000n, { params });
    const out = computePayouts(inp);
    checkInvariants(inp, out);
    const circle = out.payees.filter((p) => p.kind === 'lottery');
    expect(circle.length).toBeGreaterThan(1);
    const total = out.lottery!.total;
    const sums = circle.map(() => 0n);
    for (let u = 0n; u < total; u++) arcPayouts(circle.map((p) => p.amount), out.lottery!.arcs, u).forEach((p, i) => (sums[i]! += p));
    circle.forEach((p, i) => {
      expect(sums[i]).toBe(p.amount * total);
      expect(p.winProbability).toEqual({ num: BigInt(out.lottery!.arcs) * p.amount, den: total });
    });
    for (const p of out.payees.filter((q) => q.kind === 'direct')) expect(p.paid).toBe(p.amount);
  });

  it('gives a payee smaller than an arc at most one arc, with probability arcs*amount/total (exhaustive)', () => {
    const amounts = [3n, 17n, 40n, 1n, 39n, 20n];
    const total = 120n;
    const arcs = 3; // arcs of 40 sats, each longer than every amount
    const wins = amounts.map(() => 0n);
    for (let u = 0n; u < total; u++) {
      const paid = arcPayouts(amounts, arcs, u);
      expect(paid.filter((p) => p > 0n)).toHaveLength(arcs - (paid.some((p) => p > 40n) ? 1 : 0));
      paid.forEach((p, i) => {
        expect(p === 0n || p === 40n).toBe(true);
        if (p > 0n) wins[i]!++;
      });
    }
    amounts.forEach((a, i) => expect(wins[i]!).toBe(BigInt(arcs) * a));
  });

  it('draws win rates that match amount/T over many coin blocks and parents (empirical)', () => {
    // 400 tail payees of random size under a cap of 20 outputs; 1,500 draws.
    const r = rng(11);
    const weights = Array.from({ length: 400 }, () => 1n + BigInt(Math.floor(r() * 1000)));
    const base = input(weights, 100_000_000n, { params: { ...PARAMS, finderBonusBp: 0, maxPayoutOutputs: 20, minPayoutSats: 1000n } });
    const first = computePayouts(base);
    expect(first.payees.every((p) => p.kind === 'lottery')).toBe(true);
    const wins = new Map<string, number>();
    const paidSum = new Map<string, bigint>();
    const draws = 1500;
    for (let i = 0; i < draws; i++) {
      const out = computePayouts({ ...base, coinPrevHash: sha256d(new Uint8Array([i & 0xff, i >> 8, 1])), parentId: sha256d(new Uint8Array([i & 0xff, i >> 8, 2])) });
      for (const p of out.payees) {
        if (p.paid > 0n) wins.set(p.key, (wins.get(p.key) ?? 0) + 1);
        paidSum.set(p.key, (paidSum.get(p.key) ?? 0n) + p.paid);
      }
    }
    let worst = 0;
    for (const p of first.payees) {
      const prob = Number(p.winProbability.num) / Number(p.winProbability.den);
      const expected = draws * prob;
      const sd = Math.sqrt(draws * prob * (1 - prob));
      const z = Math.abs((wins.get(p.key) ?? 0) - expected) / sd;
      worst = Math.max(worst, z);
    }
    // 400 binomial counts: the largest |z| is ~3 by chance; 5 would be a broken draw.
    expect(worst).toBeLessThan(5);
    // All payees together: the mean paid per draw is the reward exactly, and the total of the
    // amounts paid out tracks the amounts (law of large numbers on the whole tail).
    const totalPaid = [...paidSum.values()].reduce((a, b) => a + b, 0n);
    expect(totalPaid).toBe(100_000_000n * BigInt(draws));
  });

  it('takes its offset from sha256d("otedama/lottery" || coin prevhash || parent id)', () => {
    const prev = sha256d(new Uint8Array([1]));
    const parent = sha256d(new Uint8Array([2]));
    const pre = new Uint8Array([...new TextEncoder().encode('otedama/lottery'), ...prev, ...parent]);
    const h = sha256d(pre);
    let v = 0n;
    for (let i = 31; i >= 0; i--) v = (v << 8n) | BigInt(h[i]!);
    expect(lotteryDraw(prev, parent)).toBe(v);
  });
});
