import { describe, expect, it } from 'vitest';
import { difficultyToTarget, hashToBigInt, headerHash, hexToBytes, withNonce } from '@otedama/core';
import { sha256dVectors } from '../../../core/test/vectors.ts';
import { BASELINES, CPU_ENGINES, createCpuSearcher, makeTargetCheck, type CpuSearcherKind } from './cpu-searcher.ts';

const genesis = sha256dVectors.vectors.find((v) => v.name === 'genesis')!;
const header = hexToBytes(genesis.header_hex, 80);
const nonce = genesis.fields.nonce;
const KINDS: CpuSearcherKind[] = [...BASELINES, ...CPU_ENGINES];

/** Nonces in [start, start + count) meeting target, by core's reference hash. */
function expectedHits(start: number, count: number, target: bigint): number[] {
  const out: number[] = [];
  for (let n = start; n < start + count; n++) if (hashToBigInt(headerHash(withNonce(header, n))) <= target) out.push(n);
  return out;
}

describe('CPU searchers (engines and benchmark baselines) agree with core', () => {
  it.each(KINDS)('%s finds the genesis nonce at a target equal to its hash', async (kind) => {
    const searcher = await createCpuSearcher(kind);
    const target = hashToBigInt(headerHash(header));
    searcher.setJob(header, target);
    expect(await searcher.search(nonce - 500, 1000, 8)).toEqual([nonce]);
    searcher.setJob(header, target - 1n);
    expect(await searcher.search(nonce - 500, 1000, 8)).toEqual([]);
    searcher.dispose();
  });

  it.each(KINDS)('%s reports the same hits as core on an easy target', async (kind) => {
    const target = difficultyToTarget(1 / 2 ** 24); // ~1 hit in 256 nonces
    const want = expectedHits(1000, 3000, target);
    expect(want.length).toBeGreaterThan(3);
    const searcher = await createCpuSearcher(kind);
    searcher.setJob(header, target);
    expect(await searcher.search(1000, 3000, 1000)).toEqual(want);
    expect(await searcher.search(1000, 3000, 2)).toEqual(want.slice(0, 2));
  });

  it('makeTargetCheck compares the hash as a little-endian uint256', () => {
    const hash = headerHash(header);
    const value = hashToBigInt(hash);
    expect(makeTargetCheck(value)(hash)).toBe(true);
    expect(makeTargetCheck(value + 1n)(hash)).toBe(true);
    expect(makeTargetCheck(value - 1n)(hash)).toBe(false);
  });
});
