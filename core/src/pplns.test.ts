import { describe, expect, it } from 'vitest';
import { PplnsError } from './errors.ts';
import { computePplns, difficultyToWeight, pplnsCoinbaseOutputs, type PplnsInput, type PplnsParams, type PplnsResult, type PplnsShare } from './pplns.ts';

const COIN = 100_000_000n;
const POOL = 'pool';

function params(over: Partial<PplnsParams> = {}): PplnsParams {
  return { windowSize: 1000, feePercent: 1, feeAddress: POOL, minPayoutSats: 0n, ...over };
}

function shares(...spec: [string, number, number?][]): PplnsShare[] {
  const out: PplnsShare[] = [];
  for (const [address, difficulty, count = 1] of spec) for (let i = 0; i < count; i++) out.push({ address, difficulty });
  return out;
}

function sum(result: PplnsResult): bigint {
  return result.payouts.reduce((a, p) => a + p.value, 0n);
}

function totalCarried(m: ReadonlyMap<string, bigint>): bigint {
  let t = 0n;
  for (const v of m.values()) t += v;
  return t;
}

function values(result: PplnsResult): Record<string, bigint> {
  return Object.fromEntries(result.payouts.map((p) => [p.address, p.value]));
}

/** mulberry32: a small seeded PRNG so the property tests are reproducible. */
function rng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

function checkInvariants(input: PplnsInput, r: PplnsResult): void {
  expect(sum(r)).toBe(input.reward);
  for (const p of r.payouts) expect(p.value >= 0n).toBe(true);
  for (const p of r.payouts.filter((x) => x.kind === 'miner')) {
    expect(p.value >= input.params.minPayoutSats || p.carriedPaid > 0n).toBe(true);
    expect(p.value > 0n).toBe(true);
  }
  // Custody: what the pool output keeps beyond the fee is exactly the growth of carried balances.
  expect(r.poolValue - r.fee).toBe(totalCarried(r.carried) - totalCarried(input.carried ?? new Map()));
  // Canonical order: pool first, then miners by address, no duplicates.
  const miners = r.payouts.filter((p) => p.kind === 'miner').map((p) => p.address);
  expect(miners).toEqual([...miners].sort((a, b) => (a < b ? -1 : a > b ? 1 : 0)));
  expect(new Set(r.payouts.map((p) => p.address)).size).toBe(r.payouts.length);
  if (r.payouts[0]?.kind === 'pool') expect(r.payouts.filter((p) => p.kind === 'pool').length).toBe(1);
  for (const v of r.carried.values()) expect(v > 0n).toBe(true);
}

describe('PPLNS credits', () => {
  it('takes the fee and splits the rest by difficulty', () => {
    const input = { params: params(), shares: shares(['a', 1, 2], ['b', 2]), reward: 50n * COIN };
    const r = computePplns(input);
    expect(r.fee).toBe(50_000_000n);
    expect(values(r)).toEqual({ pool: 50_000_000n, a: 2_475_000_000n, b: 2_475_000_000n });
    expect(r.payouts.map((p) => p.address)).toEqual(['pool', 'a', 'b']);
    checkInvariants(input, r);
  });

  it('weighs one difficulty-3 share like three difficulty-1 shares', () => {
    const r = computePplns({ params: params({ feePercent: 0 }), shares: shares(['a', 3], ['b', 1, 3]), reward: 600n });
    expect(values(r)).toEqual({ a: 300n, b: 300n });
  });

  it('a fee of 0 leaves no pool output; a fee of 100 pays everything to the fee address', () => {
    const zero = computePplns({ params: params({ feePercent: 0 }), shares: shares(['a', 1]), reward: 1000n });
    expect(zero.payouts).toEqual([{ address: 'a', value: 1000n, kind: 'miner', credit: 1000n, carriedPaid: 0n }]);
    const all = computePplns({ params: params({ feePercent: 100 }), shares: shares(['a', 1]), reward: 1000n });
    expect(values(all)).toEqual({ pool: 1000n });
    expect(all.carried.size).toBe(0);
  });

  it('fees are exact decimal percentages (0.3 % of 50 BTC is 0.15 BTC)', () => {
    const r = computePplns({ params: params({ feePercent: 0.3 }), shares: shares(['a', 1]), reward: 50n * COIN });
    expect(r.fee).toBe(15_000_000n);
  });

  it('rounds by largest remainder with ties broken by address', () => {
    const r = computePplns({ params: params({ feePercent: 0 }), shares: shares(['c', 1], ['b', 1], ['a', 1]), reward: 10n });
    expect(values(r)).toEqual({ a: 4n, b: 3n, c: 3n });
    const r2 = computePplns({ params: params({ feePercent: 0 }), shares: shares(['c', 1], ['b', 1], ['a', 1]), reward: 11n });
    expect(values(r2)).toEqual({ a: 4n, b: 4n, c: 3n });
  });

  it('counts only the last N shares', () => {
    const input = { params: params({ windowSize: 2, feePercent: 0 }), shares: shares(['old', 1, 5], ['a', 1], ['b', 1]), reward: 100n };
    const r = computePplns(input);
    expect(values(r)).toEqual({ a: 50n, b: 50n });
    expect(r.windowShares).toBe(2);
  });

  it('merges a miner that mines to the fee address into the pool output', () => {
    const r = computePplns({ params: params({ feePercent: 10 }), shares: shares(['a', 1], [POOL, 1]), reward: 1000n });
    expect(values(r)).toEqual({ pool: 550n, a: 450n });
    expect(r.fee).toBe(550n);
  });

  it('an empty window pays the whole reward to the fee address', () => {
    const r = computePplns({ params: params(), shares: [], reward: 5000n });
    expect(values(r)).toEqual({ pool: 5000n });
    expect(r.fee).toBe(5000n);
    expect(r.windowWeight).toBe(0n);
  });

  it('a zero reward still yields one (zero-value) output so the coinbase is well-formed', () => {
    const r = computePplns({ params: params(), shares: shares(['a', 1]), reward: 0n });
    expect(r.payouts).toEqual([{ address: POOL, value: 0n, kind: 'pool', credit: 0n, carriedPaid: 0n }]);
  });

  it('handles tiny and huge difficulties exactly', () => {
    expect(difficultyToWeight(1)).toBe(1n << 64n);
    expect(difficultyToWeight(0.5)).toBe(1n << 63n);
    expect(difficultyToWeight(1e15)).toBe(BigInt(1e15) << 64n);
    const r = computePplns({ params: params({ feePercent: 0 }), shares: shares(['a', 1e-9], ['b', 1e12]), reward: 21_000_000n * COIN });
    checkInvariants({ params: params({ feePercent: 0, minPayoutSats: 0n }), shares: [], reward: 21_000_000n * COIN }, r);
    // a's exact share is ~2e-6 sat: it rounds to zero and b, with the larger remainder, gets the last satoshi.
    expect(values(r)).toEqual({ b: 21_000_000n * COIN });
    expect(r.credits.get('a')).toBe(0n);
    expect(r.carried.size).toBe(0);
  });
});

describe('PPLNS minimum payout', () => {
  it('rolls balances below the minimum forward and pays them once they reach it', () => {
    const p = params({ feePercent: 0, minPayoutSats: 100n });
    // Block 1: small miner earns 10, big miner earns 990.
    const b1 = computePplns({ params: p, shares: shares(['big', 99], ['small', 1]), reward: 1000n });
    expect(values(b1)).toEqual({ pool: 10n, big: 990n });
    expect([...b1.carried]).toEqual([['small', 10n]]);
    // Block 2: the small miner is owed 10 + 95 = 105 >= 100; its carried 10 comes from custody inflow.
    const shares2 = shares(['small', 95], ['other', 5]);
    const b2 = computePplns({ params: p, shares: shares2, reward: 100n * 1n + 0n, carried: b1.carried });
    // credits: small 95, other 5 -> other rolls forward (budget 5), small gets 95 + min(10, 5) = 100.
    expect(values(b2)).toEqual({ small: 100n });
    expect(b2.payouts[0]).toEqual({ address: 'small', value: 100n, kind: 'miner', credit: 95n, carriedPaid: 5n });
    expect([...b2.carried]).toEqual([['other', 5n], ['small', 5n]]);
    checkInvariants({ params: p, shares: shares2, reward: 100n, carried: b1.carried }, b2);
  });

  it('pays carried balances largest first, limited by the custody budget', () => {
    const p = params({ feePercent: 10, minPayoutSats: 50n });
    const carried = new Map([['x', 40n], ['y', 60n], ['z', 40n], ['w', 5n]]);
    // credits: fee 10, w 0 (no shares), x 30, y 30, z 30. w owes 5 < 50: rolls forward.
    const input = { params: p, shares: shares(['x', 1], ['y', 1], ['z', 1]), reward: 100n, carried };
    const r = computePplns(input);
    // Order: y (60), then x, z (40, by address). Budget 10: y gets 30 + 10 = 40 (< 50, but it
    // settles 10 of its balance: paid); x gets 30 + 0 = 30 < 50, settles nothing -> rolls forward
    // (budget 0 + 30 = 30); z gets 30 + 30 = 60.
    expect(values(r)).toEqual({ y: 40n, z: 60n });
    expect(r.payouts.find((x) => x.address === 'y')).toMatchObject({ credit: 30n, carriedPaid: 10n });
    expect([...r.carried]).toEqual([['w', 5n], ['x', 70n], ['y', 50n], ['z', 10n]]);
    checkInvariants(input, r);
  });

  it('a balance far above what one block can fund is paid down every block (no starvation)', () => {
    // One big miner and one small one; the minimum is far above the small miner's credit and
    // the fee is small, so its balance can only be settled from the fee, a little each block.
    const p = params({ feePercent: 1, minPayoutSats: 10n * COIN, windowSize: 10 });
    let carried: ReadonlyMap<string, bigint> = new Map();
    let paidSmall = 0n;
    let creditedSmall = 0n;
    for (let block = 0; block < 40; block++) {
      const input = { params: p, shares: shares(['big', 10], ['small', 0.9]), reward: 50n * COIN, carried };
      const r = computePplns(input);
      checkInvariants(input, r);
      creditedSmall += r.credits.get('small') ?? 0n;
      paidSmall += r.payouts.find((x) => x.address === 'small')?.value ?? 0n;
      carried = r.carried;
    }
    expect(paidSmall + (carried.get('small') ?? 0n)).toBe(creditedSmall);
    // The balance does not grow without bound: it stays below the minimum once paid down
    // (it pays the credit plus up to 0.5 coin of fee budget in each block where it is due).
    expect(carried.get('small') ?? 0n).toBeLessThan(10n * COIN);
    expect(paidSmall).toBeGreaterThan(creditedSmall - 10n * COIN);
  });

  it('a minimum of zero pays every positive credit', () => {
    const r = computePplns({ params: params({ feePercent: 0, minPayoutSats: 0n }), shares: shares(['a', 1], ['b', 1e-12]), reward: 1000n });
    expect(values(r)).toEqual({ a: 1000n });
    expect(r.carried.size).toBe(0);
  });

  it('conserves every satoshi across many blocks (ledger = credits)', () => {
    const random = rng(42);
    const p = params({ feePercent: 1.5, minPayoutSats: 2n * COIN, windowSize: 200 });
    const miners = Array.from({ length: 30 }, (_, i) => `m${String(i).padStart(2, '0')}`);
    let carried: ReadonlyMap<string, bigint> = new Map();
    const credited = new Map<string, bigint>();
    const received = new Map<string, bigint>();
    let fees = 0n;
    let total = 0n;
    const history: PplnsShare[] = [];
    for (let block = 0; block < 60; block++) {
      for (let i = 0; i < 150; i++) {
        const m = miners[Math.floor(random() ** 3 * miners.length)]!;
        history.push({ address: m, difficulty: 0.001 + random() * 10 });
      }
      const reward = 312_500_000n + BigInt(Math.floor(random() * 1e6));
      total += reward;
      const input = { params: p, shares: history, reward, carried };
      const r = computePplns(input);
      checkInvariants(input, r);
      for (const [a, c] of r.credits) credited.set(a, (credited.get(a) ?? 0n) + c);
      for (const o of r.payouts) received.set(o.address, (received.get(o.address) ?? 0n) + o.value);
      fees += r.fee;
      carried = r.carried;
    }
    for (const m of miners) {
      expect((received.get(m) ?? 0n) + (carried.get(m) ?? 0n)).toBe(credited.get(m) ?? 0n);
    }
    expect(received.get(POOL) ?? 0n).toBe(fees + totalCarried(carried));
    let all = 0n;
    for (const v of received.values()) all += v;
    expect(all).toBe(total);
  });
});

describe('PPLNS determinism and rounding (seeded property test)', () => {
  it('outputs sum exactly to the reward, stay within one satoshi of the exact share, for 1,000 random cases', () => {
    const random = rng(0x07ed4a);
    for (let c = 0; c < 1000; c++) {
      const nMiners = 1 + Math.floor(random() * 40);
      const addrs = Array.from({ length: nMiners }, (_, i) => `bcrt1q${(i * 7919 + c).toString(36)}`);
      const list: PplnsShare[] = [];
      const n = Math.floor(random() * 300);
      for (let i = 0; i < n; i++) {
        const scale = 10 ** Math.floor(random() * 16 - 6);
        list.push({ address: addrs[Math.floor(random() * nMiners)]!, difficulty: (random() + 1e-3) * scale });
      }
      const carried = new Map<string, bigint>();
      for (const a of addrs) if (random() < 0.3) carried.set(a, BigInt(Math.floor(random() * 1e7)));
      const feePercent = random() < 0.1 ? 0 : random() < 0.1 ? 100 : Math.round(random() * 500) / 100;
      const reward = random() < 0.05 ? BigInt(Math.floor(random() * 10)) : BigInt(Math.floor(random() * 2 ** 52)) * BigInt(1 + Math.floor(random() * 5000));
      const p = params({ feePercent, windowSize: 1 + Math.floor(random() * 400), minPayoutSats: BigInt(Math.floor(random() * 2e7)) });
      const input: PplnsInput = { params: p, shares: list, reward, carried };
      const r = computePplns(input);
      checkInvariants(input, r);
      // Same input, different Map insertion order: identical result.
      const reversed = new Map([...carried].reverse());
      expect(computePplns({ ...input, carried: reversed })).toEqual(r);
      // Credits are within one satoshi of the exact rational share.
      const win = list.slice(Math.max(0, list.length - p.windowSize));
      const weights = new Map<string, bigint>();
      let total = 0n;
      for (const s of win) {
        const w = difficultyToWeight(s.difficulty);
        weights.set(s.address, (weights.get(s.address) ?? 0n) + w);
        total += w;
      }
      if (total > 0n) {
        const feeUnits = BigInt(Math.round(feePercent * 1e6));
        const den = 100_000_000n * total;
        for (const [a, w] of weights) {
          if (a === POOL) continue;
          const exactNum = reward * (100_000_000n - feeUnits) * w;
          const credit = r.credits.get(a)!;
          expect(credit * den <= exactNum + den && credit * den + den > exactNum).toBe(true);
        }
      }
    }
  });

  it('the order of shares inside the window does not change the result', () => {
    const random = rng(7);
    const list = Array.from({ length: 100 }, () => ({ address: `a${Math.floor(random() * 9)}`, difficulty: random() * 5 + 0.01 }));
    const p = params({ windowSize: 100, minPayoutSats: 10_000_000n });
    const r1 = computePplns({ params: p, shares: list, reward: 625_000_000n });
    const r2 = computePplns({ params: p, shares: [...list].reverse(), reward: 625_000_000n });
    expect(r2).toEqual(r1);
  });
});

describe('PPLNS coinbase outputs', () => {
  it('maps payouts to scripts in canonical order', () => {
    const r = computePplns({ params: params(), shares: shares(['b', 1], ['a', 1]), reward: 1000n });
    const outs = pplnsCoinbaseOutputs(r, (a) => new TextEncoder().encode(a));
    expect(outs.map((o) => [new TextDecoder().decode(o.script), o.value])).toEqual([
      ['pool', 10n],
      ['a', 495n],
      ['b', 495n],
    ]);
  });
});

describe('PPLNS malformed input', () => {
  const ok: PplnsInput = { params: params(), shares: shares(['a', 1]), reward: 100n };
  const cases: [string, PplnsInput, string][] = [
    ['negative reward', { ...ok, reward: -1n }, 'reward'],
    ['number reward', { ...ok, reward: 100 as unknown as bigint }, 'reward'],
    ['fee below 0', { ...ok, params: params({ feePercent: -0.1 }) }, 'feePercent'],
    ['fee above 100', { ...ok, params: params({ feePercent: 100.5 }) }, 'feePercent'],
    ['fee NaN', { ...ok, params: params({ feePercent: NaN }) }, 'feePercent'],
    ['window 0', { ...ok, params: params({ windowSize: 0 }) }, 'windowSize'],
    ['window fractional', { ...ok, params: params({ windowSize: 1.5 }) }, 'windowSize'],
    ['empty fee address', { ...ok, params: params({ feeAddress: '' }) }, 'feeAddress'],
    ['negative min payout', { ...ok, params: params({ minPayoutSats: -1n }) }, 'minPayoutSats'],
    ['zero difficulty', { ...ok, shares: shares(['a', 0]) }, 'shares'],
    ['infinite difficulty', { ...ok, shares: shares(['a', Infinity]) }, 'shares'],
    ['NaN difficulty', { ...ok, shares: shares(['a', NaN]) }, 'shares'],
    ['empty address', { ...ok, shares: shares(['', 1]) }, 'shares'],
    ['negative carried', { ...ok, carried: new Map([['a', -5n]]) }, 'carried'],
    ['carried for the fee address', { ...ok, carried: new Map([[POOL, 5n]]) }, 'carried'],
    ['carried not a map', { ...ok, carried: { a: 1n } as unknown as Map<string, bigint> }, 'carried'],
  ];
  for (const [name, input, field] of cases) {
    it(`rejects ${name}`, () => {
      let err: unknown;
      try {
        computePplns(input);
      } catch (e) {
        err = e;
      }
      expect(err).toBeInstanceOf(PplnsError);
      expect((err as PplnsError).field).toBe(field);
      expect((err as PplnsError).code).toBe('invalid-pplns');
      expect((err as PplnsError).reason.length).toBeGreaterThan(10);
    });
  }
});
