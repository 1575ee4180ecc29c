import { describe, expect, it } from 'vitest';
import { rng } from '../../test/rng.ts';
import { SharechainError } from '../errors.ts';
import { bytesToHex } from '../hex.ts';
import { sha256d } from '../sha256.ts';
import { MAX_MONEY_SATS } from '../tx.ts';
import { DirectPayouts } from './direct-payouts.ts';
import { computePayouts, type PayoutInput, type PayoutParams, type WindowCredit } from './payouts.ts';
import { serializePayoutOutputs } from './share-coinbase.ts';
import type { Payee } from './share.ts';

const COIN = 100_000_000n;

/** Scripts of 1..40 bytes over a small alphabet, so many share prefixes (the canonical order puts a shorter prefix first). */
function randomScript(r: () => number): Uint8Array {
  const s = new Uint8Array(1 + Math.floor(r() * 40));
  for (let i = 0; i < s.length; i++) s[i] = Math.floor(r() * 3);
  return s;
}

function bigRandom(r: () => number, bits: number): bigint {
  let v = 0n;
  for (let b = 0; b < bits; b += 24) v = (v << 24n) | BigInt(Math.floor(r() * 0x1000000));
  return v & ((1n << BigInt(bits)) - 1n);
}

/** Basis points of `n` payees summing to 10,000, each at least 1. */
function split(r: () => number, n: number): number[] {
  const cuts = new Set<number>();
  while (cuts.size < n - 1) cuts.add(1 + Math.floor(r() * 9_999));
  const sorted = [...cuts].sort((a, b) => a - b);
  return [...sorted, 10_000].map((c, i) => c - (i === 0 ? 0 : sorted[i - 1]!));
}

/** A random window and finder: payees in and out of the window, repeated finder scripts, rewards from 0 to MAX_MONEY. */
function randomInput(r: () => number): PayoutInput {
  const byKey = new Map<string, WindowCredit>();
  const payees = Math.floor(r() * 90);
  for (let i = 0; i < payees; i++) {
    const script = randomScript(r);
    const key = bytesToHex(script);
    const weight = 1n + bigRandom(r, 8 + Math.floor(r() * 80));
    byKey.set(key, { key, script, weight: (byKey.get(key)?.weight ?? 0n) + weight });
  }
  const credits = [...byKey.values()].sort((a, b) => (a.key < b.key ? -1 : 1));
  const inWindow = credits.map((c) => c.script);
  const finderCount = 1 + Math.floor(r() * 4);
  const finder: Payee[] = split(r, finderCount).map((bp) => {
    const pick = r();
    // In the window, a script met before in this finder (the same payee twice), or new.
    const script = pick < 0.4 && inWindow.length ? inWindow[Math.floor(r() * inWindow.length)]! : randomScript(r);
    return { script, bp };
  });
  const rewards = [0n, 1n, 545n, COIN / 1000n, 50n * COIN, MAX_MONEY_SATS, bigRandom(r, 40)];
  const params: PayoutParams = {
    finderBonusBp: Math.floor(r() * 300),
    maxPayoutOutputs: 1 + Math.floor(r() * 100),
    minPayoutSats: [546n, 10_000n, COIN / 100n, COIN][Math.floor(r() * 4)]!,
    dustLimitSats: 546n,
  };
  return {
    params,
    reward: rewards[Math.floor(r() * rewards.length)]!,
    finder,
    credits,
    totalWeight: credits.reduce((a, c) => a + c.weight, 0n),
    coinPrevHash: sha256d(new Uint8Array([1])),
    parentId: sha256d(new Uint8Array([2])),
  };
}

describe('DirectPayouts', () => {
  it('writes exactly computePayouts outputs whenever every payee is paid directly, and declines otherwise', () => {
    const r = rng(20261205);
    const direct = new DirectPayouts();
    const out = new Uint8Array(64 * 1024);
    let planned = 0;
    let declined = 0;
    for (let i = 0; i < 3_000; i++) {
      const inp = randomInput(r);
      const full = computePayouts(inp);
      const everyoneDirect = full.lottery === undefined && full.unpaid === 0n && full.payees.every((p) => p.kind === 'direct' && p.paid === p.amount);
      const ok = direct.plan(inp);
      expect(ok, `case ${i}`).toBe(everyoneDirect);
      if (!ok) {
        declined++;
        continue;
      }
      planned++;
      const serialized = serializePayoutOutputs(full.outputs);
      expect(direct.count, `case ${i}`).toBe(full.outputs.length);
      expect(direct.bytes, `case ${i}`).toBe(serialized.bytes.length);
      out.fill(0xee);
      expect(direct.write(out), `case ${i}`).toBe(direct.bytes);
      expect(bytesToHex(out.subarray(0, direct.bytes)), `case ${i}`).toBe(bytesToHex(serialized.bytes));
    }
    // Both branches were exercised by the random cases.
    expect(planned).toBeGreaterThan(300);
    expect(declined).toBeGreaterThan(300);
  });

  it('pays the whole reward to the finder when the window is empty, merging a payee named twice', () => {
    const a = new Uint8Array([0x51]);
    const b = new Uint8Array([0x00, 0x14, 7]);
    const inp: PayoutInput = {
      params: { finderBonusBp: 50, maxPayoutOutputs: 10, minPayoutSats: 546n, dustLimitSats: 546n },
      reward: 50n * COIN,
      finder: [
        { script: a, bp: 2_500 },
        { script: b, bp: 5_000 },
        { script: a, bp: 2_500 },
      ],
      credits: [],
      totalWeight: 0n,
      coinPrevHash: new Uint8Array(32),
      parentId: new Uint8Array(32),
    };
    const direct = new DirectPayouts();
    expect(direct.plan(inp)).toBe(true);
    expect(direct.count).toBe(2);
    const out = new Uint8Array(direct.bytes);
    direct.write(out);
    expect(bytesToHex(out)).toBe(bytesToHex(serializePayoutOutputs(computePayouts(inp).outputs).bytes));
    // b (00 14 07) sorts before a (51): 25 BTC each.
    expect(computePayouts(inp).outputs.map((o) => [bytesToHex(o.script), o.value])).toEqual([
      ['001407', 25n * COIN],
      ['51', 25n * COIN],
    ]);
  });

  it('plans a payee of exactly the minimum payout and declines one a sat below it', () => {
    const min = 10_000n;
    const credits: WindowCredit[] = [1, 2].map((n) => ({ key: bytesToHex(new Uint8Array([n])), script: new Uint8Array([n]), weight: 7n }));
    const at = (reward: bigint): PayoutInput => ({
      params: { finderBonusBp: 0, maxPayoutOutputs: 10, minPayoutSats: min, dustLimitSats: 546n },
      reward,
      finder: [{ script: new Uint8Array([3]), bp: 10_000 }],
      credits,
      totalWeight: 14n,
      coinPrevHash: new Uint8Array(32),
      parentId: new Uint8Array(32),
    });
    const direct = new DirectPayouts();
    expect(direct.plan(at(2n * min))).toBe(true);
    expect(direct.count).toBe(2);
    expect(computePayouts(at(2n * min)).lottery).toBeUndefined();
    expect(direct.plan(at(2n * min - 2n))).toBe(false);
    expect(computePayouts(at(2n * min - 2n)).lottery).toBeDefined();
  });

  it('refuses what computePayouts refuses', () => {
    const direct = new DirectPayouts();
    const base: PayoutInput = {
      params: { finderBonusBp: 50, maxPayoutOutputs: 10, minPayoutSats: 546n, dustLimitSats: 546n },
      reward: COIN,
      finder: [{ script: new Uint8Array([0x51]), bp: 10_000 }],
      credits: [],
      totalWeight: 0n,
      coinPrevHash: new Uint8Array(32),
      parentId: new Uint8Array(32),
    };
    expect(() => direct.plan({ ...base, reward: -1n })).toThrow(SharechainError);
    expect(() => direct.plan({ ...base, finder: [{ script: new Uint8Array([0x51]), bp: 9_999 }] })).toThrow(/sum to 9999 bp/);
    expect(() => direct.plan({ ...base, finder: [] })).toThrow(SharechainError);
  });
});
