import { addressToScript, buildCoinbaseParts, bytesToHex, concatBytes, scriptToAddress, serializeBlock, type BlockTemplate } from '@otedama/core';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createLogger } from '../logger.ts';
import { PplnsPayoutProvider } from './payout-provider-pplns.ts';
import { openStorage, type Storage } from '../storage/open-storage.ts';
import type { ShareRecord } from '../storage/pool-store.ts';

const COIN = 100_000_000n;

function p2wpkh(fill: number): string {
  return scriptToAddress(concatBytes(new Uint8Array([0x00, 0x14]), new Uint8Array(20).fill(fill)), 'regtest')!;
}

const POOL = p2wpkh(0xee);
const A = p2wpkh(0x0a);
const B = p2wpkh(0x0b);
const SMALL = p2wpkh(0x05);

function template(height: number, coinbaseValue: bigint, witness = false): BlockTemplate {
  return {
    height, version: 0x20000000, prevHash: new Uint8Array(32), bits: 0x207fffff, target: 1n << 254n, curtime: 1_700_000_000,
    mintime: 1_700_000_000, coinbaseValue, transactions: [],
    ...(witness ? { defaultWitnessCommitment: new Uint8Array([0x6a, 0x24, 0xaa, 0x21, 0xa9, 0xed, ...new Uint8Array(32)]) } : {}),
  };
}

/** A block whose coinbase carries `outputs`, as the job manager would submit it. */
function blockHex(t: BlockTemplate, outputs: ReturnType<PplnsPayoutProvider['payoutOutputs']>): string {
  const parts = buildCoinbaseParts(t, { outputs, extranonceBytes: 8, tag: '/otedama/' });
  const coinbase = concatBytes(parts.coinb1, new Uint8Array(8), parts.coinb2);
  return bytesToHex(serializeBlock(new Uint8Array(80), coinbase, t));
}

function share(address: string, difficulty: number, i: number): ShareRecord {
  return { time: 1000 + i, address, worker: 'w', difficulty, shareDiff: difficulty, jobId: 'j', height: 1, isBlock: false, hash: `h${i}` };
}

describe('PplnsPayoutProvider', () => {
  let dir: string;
  let storage: Storage;
  const logs: string[] = [];
  const logger = createLogger({ level: 'debug', write: (l) => logs.push(l) });

  beforeEach(async () => {
    dir = mkdtempSync(join(tmpdir(), 'otedama-pplns-'));
    storage = await openStorage({ dataDir: dir });
    logs.length = 0;
  });
  afterEach(async () => {
    await storage.close();
    rmSync(dir, { recursive: true, force: true });
  });

  function provider(minPayoutSats = 0n, windowSize = 100) {
    return PplnsPayoutProvider.load({
      params: { windowSize, feePercent: 1, feeAddress: POOL, minPayoutSats },
      addressToScript: (a) => addressToScript(a, 'regtest'),
      store: storage.store,
      logger,
      now: () => 42,
    });
  }

  it('loads the window from the database and pays the coinbase by PPLNS', async () => {
    await storage.store.insertShares([share(A, 1, 0), share(B, 3, 1)]);
    const p = await provider();
    const t = template(200, 50n * COIN);
    const outs = p.payoutOutputs(t);
    expect(outs.map((o) => [scriptToAddress(o.script, 'regtest'), o.value])).toEqual(
      [[POOL, COIN / 2n], [A, 1_237_500_000n], [B, 3_712_500_000n]].sort((x, y) => (x[0] === POOL ? -1 : y[0] === POOL ? 1 : String(x[0]) < String(y[0]) ? -1 : 1)),
    );
    expect(outs.reduce((a, o) => a + o.value, 0n)).toBe(t.coinbaseValue);
  });

  it('records the result a found block carries: block, payouts (with vouts) and balances', async () => {
    await storage.store.insertShares([share(A, 1, 0), share(SMALL, 0.001, 1)]);
    const p = await provider(COIN);
    const t = template(201, 50n * COIN, true);
    const outs = p.payoutOutputs(t);
    // A later template (more shares) must not confuse which result the block carries.
    p.addShares([share(B, 5, 2)]);
    p.payoutOutputs(template(201, 50n * COIN + 1000n, true));
    const result = await p.recordFoundBlock({ height: 201, hash: 'cd'.repeat(32), worker: `${A}.rig7`, accepted: true, blockHex: blockHex(t, outs) });
    expect(result).toBeDefined();
    const payouts = await storage.store.listPayouts();
    expect(payouts.map((x) => [x.outputIndex, x.address, x.value])).toEqual(result!.payouts.map((x, i) => [i, x.address, x.value]));
    expect(payouts.reduce((a, x) => a + x.value, 0n)).toBe(50n * COIN);
    const block = await storage.store.getBlock('cd'.repeat(32));
    expect(block).toEqual({ hash: 'cd'.repeat(32), height: 201, time: 42, reward: 50n * COIN, status: 'pending', finder: A, worker: 'rig7' });
    // SMALL earned less than the 1-coin minimum: carried, in the database and in memory.
    expect(await storage.store.balances()).toEqual(result!.carried);
    expect(p.carriedBalances().get(SMALL)).toBeGreaterThan(0n);
  });

  it('carries balances across blocks and pays them once they reach the minimum; books match the chain', async () => {
    const p = await provider(10n * COIN, 10);
    const paidOnChain = new Map<string, bigint>();
    let i = 0;
    for (let height = 300; height < 306; height++) {
      p.addShares([share(A, 10, i++), share(SMALL, 0.9, i++)]);
      const t = template(height, 50n * COIN);
      const outs = p.payoutOutputs(t);
      for (const o of outs) {
        const a = scriptToAddress(o.script, 'regtest')!;
        paidOnChain.set(a, (paidOnChain.get(a) ?? 0n) + o.value);
      }
      await p.recordFoundBlock({ height, hash: height.toString(16).padStart(64, '0'), worker: `${A}.x`, accepted: true, blockHex: blockHex(t, outs) });
    }
    const recorded = new Map<string, bigint>();
    for (const x of await storage.store.listPayouts({ limit: 1000 })) recorded.set(x.address, (recorded.get(x.address) ?? 0n) + x.value);
    expect(recorded).toEqual(paidOnChain);
    // SMALL (about 4 coins a block) was paid at least once after rolling forward.
    expect(paidOnChain.get(SMALL)).toBeGreaterThanOrEqual(10n * COIN);
    expect(await storage.store.balances()).toEqual(p.carriedBalances());
  });

  it('ignores rejected blocks and coinbases it did not compute', async () => {
    const p = await provider();
    const t = template(400, 50n * COIN);
    const outs = p.payoutOutputs(t);
    expect(await p.recordFoundBlock({ height: 400, hash: 'aa'.repeat(32), worker: A, accepted: false, blockHex: blockHex(t, outs) })).toBeUndefined();
    const foreign = [{ script: addressToScript(B, 'regtest'), value: 50n * COIN }];
    expect(await p.recordFoundBlock({ height: 400, hash: 'bb'.repeat(32), worker: A, accepted: true, blockHex: blockHex(t, foreign) })).toBeUndefined();
    expect(await storage.store.listBlocks()).toEqual([]);
    expect(logs.some((l) => l.includes('no remembered PPLNS result matches'))).toBe(true);
  });

  it('leaves shares with unusable addresses out of the window', async () => {
    await storage.store.insertShares([share('not-an-address', 5, 0), share('bc1qw508d6qejxtdg4y5r3zarvary0c5xw7kv8f3t4', 5, 1), share(A, 1, 2)]);
    const p = await provider();
    expect(p.windowShares()).toEqual([{ address: A, difficulty: 1 }]);
    expect(logs.filter((l) => l.includes('left out of the PPLNS window')).length).toBe(2);
  });

  it('keeps only the last N shares in its window', async () => {
    const p = await provider(0n, 3);
    p.addShares([share(A, 1, 0), share(B, 2, 1), share(A, 3, 2), share(B, 4, 3), share(A, 5, 4)]);
    expect(p.windowShares().map((s) => s.difficulty)).toEqual([3, 4, 5]);
  });

  it('estimate: the next coinbase\'s credit and output per address, recomputed when the window, balances or reward change', async () => {
    const p = await provider(COIN, 4);
    const empty = p.estimate(A, 50n * COIN);
    expect(empty).toEqual({ windowShares: 0, shares: 0, fraction: 0, blockRewardSats: 50n * COIN, nextBlockSats: 0n, nextPayoutSats: 0n });
    expect(p.estimate(POOL, 50n * COIN)).toMatchObject({ nextBlockSats: 50n * COIN, nextPayoutSats: 50n * COIN }); // empty window: all to the pool

    p.addShares([share(A, 1, 0), share(B, 3, 1)]);
    const a = p.estimate(A, 50n * COIN);
    // 1 % fee; A did a quarter of the work: 49.5 coins x 1/4, exactly as payoutOutputs pays it.
    expect(a).toEqual({ windowShares: 2, shares: 1, fraction: 0.25, blockRewardSats: 50n * COIN, nextBlockSats: 1_237_500_000n, nextPayoutSats: 1_237_500_000n });
    expect(p.estimate(B, 50n * COIN).fraction).toBe(0.75);
    expect(p.estimate(POOL, 50n * COIN)).toMatchObject({ shares: 0, fraction: 0, nextBlockSats: COIN / 2n, nextPayoutSats: COIN / 2n });
    // Another reward, another computation.
    expect(p.estimate(A, 4n * COIN)).toMatchObject({ blockRewardSats: 4n * COIN, nextBlockSats: 99_000_000n, nextPayoutSats: 0n }); // below the 1-coin minimum

    // New shares push A's out of the 4-share window.
    p.addShares([share(B, 1, 2), share(B, 1, 3), share(B, 1, 4)]);
    expect(p.estimate(A, 50n * COIN)).toMatchObject({ windowShares: 4, shares: 0, fraction: 0, nextBlockSats: 0n, nextPayoutSats: 0n });

    // A block that rolls a balance forward: the estimate then pays it back out of custody.
    p.addShares([share(SMALL, 0.01, 5)]);
    const t = template(500, 50n * COIN);
    const outs = p.payoutOutputs(t);
    const small = p.estimate(SMALL, 50n * COIN);
    expect(small.nextBlockSats).toBeGreaterThan(0n);
    expect(small.nextPayoutSats).toBe(0n);
    await p.recordFoundBlock({ height: 500, hash: 'ef'.repeat(32), worker: `${B}.x`, accepted: true, blockHex: blockHex(t, outs) });
    expect(p.carriedBalances().get(SMALL)).toBe(small.nextBlockSats);
    p.addShares(Array.from({ length: 4 }, (_, i) => share(SMALL, 5, 6 + i)));
    const later = p.estimate(SMALL, 50n * COIN);
    expect(later).toMatchObject({ shares: 4, fraction: 1, nextBlockSats: 4_950_000_000n });
    expect(later.nextPayoutSats).toBe(later.nextBlockSats + small.nextBlockSats);
  });

  it('refuses a fee address that is not on the network', async () => {
    await expect(
      PplnsPayoutProvider.load({
        params: { windowSize: 10, feePercent: 1, feeAddress: 'bc1qw508d6qejxtdg4y5r3zarvary0c5xw7kv8f3t4', minPayoutSats: 0n },
        addressToScript: (a) => addressToScript(a, 'regtest'),
        store: storage.store,
        logger,
      }),
    ).rejects.toThrow(/address/i);
  });
});
