import { describe, expect, it } from 'vitest';
import { COIN_REWARD, extend, mineHeaderFor, payee, testPool } from '../../test/sharechain-fixtures.ts';
import { witnessCommitmentScript } from '../coinbase-builder.ts';
import { concatBytes } from '../hex.ts';
import { merkleRoot } from '../merkle.ts';
import { sha256d } from '../sha256.ts';
import { bitsToTarget } from '../target.ts';
import { parseTx } from '../tx.ts';
import { createChainJob } from './chain-job.ts';
import { COMMITMENT_TAG } from './share-coinbase.ts';

describe('chain jobs', () => {
  it('splits the coinbase around a Stratum extranonce so that a submission rebuilds the share validators check', () => {
    const pool = testPool();
    extend(pool, 4);
    pool.now += 2000;
    const txids = [sha256d(new Uint8Array([1])), sha256d(new Uint8Array([2])), sha256d(new Uint8Array([3]))];
    const branch = [txids[0]!, sha256d(concatBytes(txids[1]!, txids[2]!))];
    const witness = witnessCommitmentScript(sha256d(new Uint8Array([4])));
    const job = createChainJob(pool.chain, {
      payees: [payee(1, 9900), payee(2, 100)],
      coin: { prevHash: pool.tip.prevHash, height: pool.tip.info.height, bits: pool.tip.info.bits, reward: COIN_REWARD, merkleBranch: branch, mandatedOutputs: [witness] },
      time: pool.now,
    });
    const tag = new TextEncoder().encode('/otedama/');
    const parts = job.coinbaseParts(8, tag);
    // What a Stratum miner hashes: coinb1 | extranonce1 | extranonce2 | coinb2.
    const en1 = new Uint8Array([0xde, 0xad, 0xbe, 0xef]);
    const en2 = new Uint8Array([0, 0, 0, 7]);
    const minerCoinbase = concatBytes(parts.coinb1, en1, en2, parts.coinb2);
    const scriptSig = concatBytes(parts.scriptSigPrefix, en1, en2, parts.scriptSigSuffix);
    expect(minerCoinbase).toEqual(job.coinbase(scriptSig));
    // The coinbase is a transaction: payouts, then the commitment, then the mandated output.
    const tx = parseTx(minerCoinbase).tx;
    const n = job.payouts.outputs.length;
    expect(tx.outputs.slice(0, n).map((o) => o.value)).toEqual(job.payouts.outputs.map((o) => o.value));
    expect(tx.outputs[n]!.script.subarray(2, 6)).toEqual(COMMITMENT_TAG);
    expect(tx.outputs[n]!.script.subarray(6, 38)).toEqual(pool.chain.poolId);
    expect(tx.outputs[n]!.script.subarray(38, 70)).toEqual(job.metadataHash);
    expect(tx.outputs[n + 1]!.script).toEqual(witness);
    // The header's merkle root is the coinbase folded with the template's branch.
    expect(job.merkleRoot(minerCoinbase)).toEqual(merkleRoot([sha256d(minerCoinbase), ...txids]));
    const header = mineHeaderFor(job.coin, job.merkleRoot(minerCoinbase), job.metadata.time, job.target);
    const r = pool.chain.add(job.encode(header, scriptSig));
    expect(r.kind).toBe('accepted');
  });

  it('starts a new chain with parent null: the first share pays its own payees everything', () => {
    const pool = testPool();
    const job = createChainJob(pool.chain, { parent: null, payees: [payee(5)], coin: { prevHash: pool.tip.prevHash, height: pool.tip.info.height, bits: pool.tip.info.bits, reward: COIN_REWARD }, time: pool.now });
    expect(job.metadata.height).toBe(0);
    expect(job.metadata.maxBits).toBe(pool.chain.params.initialShareBits);
    expect(job.payouts.outputs).toEqual([{ script: payee(5).script, value: COIN_REWARD }]);
  });

  it('raises the time above the ancestors median and honours a chosen harder target within 30x', () => {
    const pool = testPool();
    const es = extend(pool, 11);
    const job = createChainJob(pool.chain, { payees: [payee(1)], coin: { prevHash: pool.tip.prevHash, height: pool.tip.info.height, bits: pool.tip.info.bits, reward: COIN_REWARD }, time: es[0]!.time, difficultyMultiple: 30 });
    expect(job.metadata.time).toBe(es[5]!.time + 1);
    const demanded = bitsToTarget(job.metadata.maxBits);
    expect(job.target).toBeGreaterThanOrEqual(demanded / 30n);
    expect(job.target).toBeLessThanOrEqual(demanded / 29n);
    expect(() => createChainJob(pool.chain, { payees: [payee(1)], coin: job.coin, difficultyMultiple: 31 })).toThrow(/difficultyMultiple/);
  });
});
