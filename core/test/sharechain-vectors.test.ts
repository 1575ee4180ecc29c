/**
 * Checks this implementation against core/test/vectors/sharechain-*.json, the vectors of
 * docs/sharechain.md (made by generate-sharechain-vectors.ts; a second implementation runs the
 * same files).
 */
import { describe, expect, it } from 'vitest';
import asertFile from './vectors/sharechain-asert.json' with { type: 'json' };
import chainFile from './vectors/sharechain-chain.json' with { type: 'json' };
import lotteryFile from './vectors/sharechain-lottery.json' with { type: 'json' };
import payoutsFile from './vectors/sharechain-payouts.json' with { type: 'json' };
import poolIdsFile from './vectors/sharechain-pool-ids.json' with { type: 'json' };
import sharesFile from './vectors/sharechain-shares.json' with { type: 'json' };
import {
  CoinTips,
  ShareChain,
  arcPayouts,
  asertStep,
  bitsToTarget,
  bytesToHex,
  computePayouts,
  decodeShare,
  demandedTarget,
  encodePoolParams,
  encodeShare,
  hexToBytes,
  lotteryDraw,
  poolId,
  sha256d,
  targetWork,
  validatePoolParams,
  type Payee,
  type PayoutParams,
  type PoolParams,
} from '../src/index.ts';
import { addSummary, payoutsSummary } from './sharechain-fixtures.ts';

type Json = Record<string, unknown>;

function params(j: Json): PoolParams {
  return validatePoolParams({
    ...(j as unknown as PoolParams),
    genesisHash: hexToBytes(j.genesisHash as string),
    minPayoutSats: BigInt(j.minPayoutSats as string),
    dustLimitSats: BigInt(j.dustLimitSats as string),
  });
}

function payees(list: { script: string; bp: number }[]): Payee[] {
  return list.map((p) => ({ script: hexToBytes(p.script), bp: p.bp }));
}

/** A JSON value with bigints and bytes as the generator writes them. */
function plain(v: unknown): unknown {
  return JSON.parse(JSON.stringify(v, (_k, x) => (typeof x === 'bigint' ? x.toString() : x instanceof Uint8Array ? bytesToHex(x) : x)));
}

describe('sharechain vectors', () => {
  it('pool ids: the canonical parameter encoding and its sha256d', () => {
    expect(poolIdsFile.vectors.length).toBeGreaterThanOrEqual(4);
    for (const v of poolIdsFile.vectors) {
      const p = params(v.params as Json);
      expect(bytesToHex(encodePoolParams(p)), v.name).toBe(v.encoding);
      expect(bytesToHex(poolId(p)), v.name).toBe(v.poolId);
    }
  });

  it('ASERT: steps and demanded targets', () => {
    for (const s of asertFile.steps) expect(asertStep(BigInt(s.target), s.dtMs, s.intervalMs, s.halfLifeMs).toString()).toBe(s.next);
    const p = params(asertFile.params as Json);
    for (const d of asertFile.demanded) {
      expect(demandedTarget(d.parent ?? undefined, d.time, bitsToTarget(d.blockBits), p).bits).toBe(d.expectedBits);
    }
  });

  it('payouts: amounts, threshold, lottery and the coinbase outputs', () => {
    for (const v of payoutsFile.vectors) {
      const credits = v.credits.map((c) => ({ key: c.script, script: hexToBytes(c.script), weight: BigInt(c.weight) }));
      const out = computePayouts({
        params: { ...(v.params as unknown as PayoutParams), minPayoutSats: BigInt(v.params.minPayoutSats), dustLimitSats: BigInt(v.params.dustLimitSats) },
        reward: BigInt(v.reward),
        finder: payees(v.finder),
        credits,
        totalWeight: credits.reduce((a, c) => a + c.weight, 0n),
        coinPrevHash: hexToBytes(v.coinPrevHash),
        parentId: hexToBytes(v.parentId),
      });
      const got = plain(payoutsSummary(out));
      expect(got, v.name).toEqual(v.expected);
    }
  });

  it('lottery: offsets and arcs', () => {
    for (const d of lotteryFile.draws) expect(lotteryDraw(hexToBytes(d.coinPrevHash), hexToBytes(d.parentId)).toString()).toBe(d.draw);
    for (const a of lotteryFile.arcs) {
      expect(arcPayouts(a.amounts.map(BigInt), a.arcs, BigInt(a.offset)).map(String)).toEqual(a.paid);
    }
  });

  it('shares: decoding, re-encoding, metadata hash and id', () => {
    for (const v of sharesFile.vectors) {
      const bytes = hexToBytes(v.encoding);
      const d = decodeShare(bytes, sharesFile.headerBytes);
      expect(bytesToHex(encodeShare(d, sharesFile.headerBytes))).toBe(v.encoding);
      expect(bytesToHex(sha256d(d.metadataBytes))).toBe(v.metadataHash);
      expect(bytesToHex(sha256d(d.work.header))).toBe(v.id);
      expect(plain({ ...d.meta, payees: d.meta.payees.map((p) => ({ script: p.script, bp: p.bp })) })).toEqual(v.metadata);
      expect(plain({ header: d.work.header, scriptSig: d.work.scriptSig, reward: d.work.reward, mandatedOutputs: d.work.mandatedOutputs, merkleBranch: d.work.merkleBranch })).toEqual(v.work);
      expect(targetWork(bitsToTarget(d.meta.bits)).toString()).toBe(v.targetWork);
    }
  });

  it('a whole chain replayed share by share gives the same answers, tip, window and payouts', () => {
    const p = params(chainFile.params as Json);
    const coin = new CoinTips();
    for (const t of chainFile.coinTips) coin.add(hexToBytes(t.prevHash), { height: t.height, bits: t.bits, maxReward: BigInt(t.maxReward) });
    let now = 0;
    const chain = new ShareChain({ params: p, coin, now: () => now });
    expect(bytesToHex(chain.poolId)).toBe(chainFile.poolId);
    for (const step of chainFile.steps) {
      now = step.now;
      const r = chain.add(hexToBytes(step.share));
      const got = addSummary(r);
      expect(got, step.note).toEqual(step.expect);
    }
    const f = chainFile.final;
    expect(chain.tip!.key).toBe(f.tip);
    expect(chain.height).toBe(f.height);
    expect(chain.chainWork.toString()).toBe(f.chainWork);
    const w = chain.window();
    expect(plain({ shares: w.shares, work: w.work, credits: w.credits.map((c) => ({ script: c.script, weight: c.weight })) })).toEqual(f.window);
    const out = chain.payouts(chain.tip!.id, BigInt(f.payouts.reward), hexToBytes(f.payouts.coinPrevHash), payees(f.payouts.finder));
    expect(out.threshold.toString()).toBe(f.payouts.threshold);
    expect(plain(out.outputs.map((o) => ({ script: o.script, value: o.value })))).toEqual(f.payouts.outputs);
  });
});
