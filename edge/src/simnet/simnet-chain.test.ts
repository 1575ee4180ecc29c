import { bitsToTarget, difficultyToTarget, hexToBytes, parseBlock, targetToBits, type CoinbaseOutput } from '@otedama/core';
import { describe, expect, it } from 'vitest';
import { PAYOUT_ADDRESS, PAYOUT_SCRIPT, TEST_DIFFICULTY, buildBlock, type BlockSpec } from '../../test/chain-helpers.ts';
import { SimnetChain, type ChainBlock, type ChainChange } from './simnet-chain.ts';
import { SIMNET_DEFAULT_PAYOUT_ADDRESS } from './simnet.ts';

const REWARD = 50n * 100_000_000n;
const T0 = 1_700_000_000;

function newChain(): { chain: SimnetChain; genesis: ChainBlock } {
  const chain = new SimnetChain({ blockDifficulty: TEST_DIFFICULTY, blockRewardSats: REWARD });
  const raw = chain.createGenesis(T0);
  const r = chain.check(parseBlock(raw), raw, { now: T0 });
  if (!r.ok) throw new Error(r.reason);
  chain.connect(r.block);
  return { chain, genesis: r.block };
}

const pay = (value = REWARD): CoinbaseOutput[] => [{ script: PAYOUT_SCRIPT, value }];

function spec(chain: SimnetChain, over: Partial<BlockSpec> = {}): BlockSpec {
  const tip = chain.tip();
  return { prevHash: tip.hash, height: tip.height + 1, bits: chain.bits, time: tip.time + 1, outputs: pay(), ...over };
}

async function submit(chain: SimnetChain, s: BlockSpec, now = T0 + 10): Promise<string> {
  const b = await buildBlock(s);
  const r = chain.check(parseBlock(b.raw), b.raw, { now });
  if (!r.ok) return r.reason;
  chain.connect(r.block);
  return 'accepted';
}

/** Builds, checks and connects a block wherever its parent is; returns it and what the chain did. */
async function add(chain: SimnetChain, s: BlockSpec, now = T0 + 10): Promise<{ block: ChainBlock; change: ChainChange }> {
  const b = await buildBlock(s);
  const r = chain.check(parseBlock(b.raw), b.raw, { now });
  if (!r.ok) throw new Error(r.reason);
  return { block: r.block, change: chain.connect(r.block) };
}

describe('SimnetChain', () => {
  it('uses the configured difficulty as compact bits', () => {
    const { chain, genesis } = newChain();
    expect(chain.bits).toBe(targetToBits(difficultyToTarget(TEST_DIFFICULTY)));
    expect(chain.target).toBe(bitsToTarget(chain.bits));
    expect(genesis.height).toBe(0);
    expect(chain.height).toBe(0);
    expect(chain.balances().size).toBe(0);
  });

  it('accepts mined blocks, links them, and credits the payout address', async () => {
    const { chain } = newChain();
    expect(await submit(chain, spec(chain))).toBe('accepted');
    expect(await submit(chain, spec(chain, { outputs: pay(REWARD - 1000n) }))).toBe('accepted');
    expect(chain.height).toBe(2);
    expect(chain.balance(PAYOUT_ADDRESS)).toBe(2n * REWARD - 1000n);
    expect(chain.tip().chainWork).toBeGreaterThan(chain.blockAt(1)!.chainWork);
    expect(chain.blockByHash(chain.tip().hashHex)).toBe(chain.tip());
    // Heights 1 and 2 have single-byte BIP34 pushes (OP_1, OP_2); keep going past 16.
    for (let i = 0; i < 15; i++) expect(await submit(chain, spec(chain))).toBe('accepted');
    expect(chain.height).toBe(17);
  });

  it('splits a coinbase over several addresses', async () => {
    const { chain } = newChain();
    const other = hexToBytes('76a91401f15a4cc063dae4f4d56b89bfbc8bcc9ae5387c88ac'); // mfhE6jAUwjUDNZhaX1PAsDTKfneQF2Nshc
    expect(await submit(chain, spec(chain, { outputs: [{ script: PAYOUT_SCRIPT, value: 30n }, { script: other, value: 20n }] }))).toBe('accepted');
    expect(chain.balance(PAYOUT_ADDRESS)).toBe(30n);
    expect(chain.balance('mfhE6jAUwjUDNZhaX1PAsDTKfneQF2Nshc')).toBe(20n);
  });

  it.each<[string, string, (c: SimnetChain) => Partial<BlockSpec>]>([
    ['not enough work', 'high-hash', () => ({ pow: 'fail' })],
    ['wrong merkle root', 'bad-txnmrklroot', () => ({ merkleRoot: new Uint8Array(32).fill(1) })],
    ['wrong BIP34 height', 'bad-cb-height', (c) => ({ coinbaseHeight: c.height + 2 })],
    ['paying more than the reward', 'bad-cb-amount', () => ({ outputs: pay(REWARD + 1n) })],
    ['unknown previous block', 'prev-blk-not-found', () => ({ prevHash: new Uint8Array(32).fill(9) })],
    ['easier bits than configured', 'bad-diffbits', () => ({ bits: 0x207fffff })],
    ['time not after the median', 'time-too-old', (c) => ({ time: c.tip().time })],
    ['time two hours ahead', 'time-too-new', () => ({ time: T0 + 10 + 7201 })],
    ['old block version', 'bad-version(0x00000001)', () => ({ version: 1 })],
    ['a transaction simnet cannot know', 'bad-txns-inputs-missingorspent', () => ({ extraTxs: [hexToBytes('0200000001' + '11'.repeat(32) + '00000000' + '00' + 'ffffffff' + '01' + '0100000000000000' + '0151' + '00000000')] })],
  ])('rejects %s with %s', async (_name, reason, change) => {
    const { chain } = newChain();
    expect(await submit(chain, spec(chain, change(chain)))).toBe(reason);
    expect(chain.height).toBe(0);
  });

  it('rejects duplicates, and keeps a valid block on an older block on a side branch', async () => {
    const { chain, genesis } = newChain();
    const a = await buildBlock(spec(chain));
    const ra = chain.check(parseBlock(a.raw), a.raw, { now: T0 + 10 });
    expect(ra.ok).toBe(true);
    if (ra.ok) chain.connect(ra.block);
    expect(chain.check(parseBlock(a.raw), a.raw, { now: T0 + 10 })).toEqual({ ok: false, reason: 'duplicate' });
    const side = await buildBlock({ ...spec(chain), prevHash: genesis.hash, height: 1, extranonce: new Uint8Array(8).fill(5) });
    const rs = chain.check(parseBlock(side.raw), side.raw, { now: T0 + 10 });
    expect(rs).toMatchObject({ ok: true, block: { height: 1 } });
    if (!rs.ok) return;
    // As much work as the tip: the tip seen first stays.
    expect(chain.connect(rs.block)).toEqual({ tipChanged: false, disconnected: [], connected: [] });
    expect(chain.tip().hashHex).toBe(a.hashHex);
    expect(chain.isActive(rs.block)).toBe(false);
    expect(chain.blockByHash(side.hashHex)).toBe(rs.block);
    expect(chain.check(parseBlock(side.raw), side.raw, { now: T0 + 10 })).toEqual({ ok: false, reason: 'duplicate' });
  });

  it('reorganizes onto a side branch with more work: balances and the transaction index follow', async () => {
    const { chain, genesis } = newChain();
    const other = hexToBytes('76a91401f15a4cc063dae4f4d56b89bfbc8bcc9ae5387c88ac'); // mfhE6jAUwjUDNZhaX1PAsDTKfneQF2Nshc
    expect(await submit(chain, spec(chain))).toBe('accepted');
    const a1 = chain.tip();
    // A branch from the genesis block paying another address: two blocks outwork one.
    const b1 = await add(chain, { prevHash: genesis.hash, height: 1, bits: chain.bits, time: T0 + 2, outputs: [{ script: other, value: REWARD }] });
    expect(b1.change.tipChanged).toBe(false);
    expect(chain.tip()).toBe(a1);
    const b2 = await add(chain, { prevHash: b1.block.hash, height: 2, bits: chain.bits, time: T0 + 3, outputs: [{ script: other, value: REWARD }] });
    expect(b2.change).toEqual({ tipChanged: true, disconnected: [a1], connected: [b1.block, b2.block] });
    expect(chain.height).toBe(2);
    expect(chain.isActive(a1)).toBe(false);
    expect(chain.balance(PAYOUT_ADDRESS)).toBe(0n);
    expect(chain.balance('mfhE6jAUwjUDNZhaX1PAsDTKfneQF2Nshc')).toBe(2n * REWARD);
    expect(chain.blockOfTx(a1.txids[0]!)).toBeUndefined();
    expect(chain.blockOfTx(b2.block.txids[0]!)).toBe(b2.block);
    expect(chain.chainTips()).toEqual([
      { height: 2, hash: b2.block.hashHex, branchlen: 0, status: 'active' },
      { height: 1, hash: a1.hashHex, branchlen: 1, status: 'valid-fork' },
    ]);
  });

  it('invalidateblock drops a block and its descendants; reconsiderblock takes them back; preciousblock breaks a tie', async () => {
    const { chain, genesis } = newChain();
    expect(await submit(chain, spec(chain))).toBe('accepted');
    expect(await submit(chain, spec(chain))).toBe('accepted');
    const [a1, a2] = [chain.blockAt(1)!, chain.blockAt(2)!];
    const b1 = (await add(chain, { prevHash: genesis.hash, height: 1, bits: chain.bits, time: T0 + 5, outputs: pay(), extranonce: new Uint8Array(8).fill(9) })).block;
    expect(chain.isActive(b1)).toBe(false);

    // Invalidating a1 takes a2 with it; the best valid branch is b1's.
    const gone = chain.invalidate(a1.hashHex);
    expect(gone).toEqual({ tipChanged: true, disconnected: [a2, a1], connected: [b1] });
    expect(chain.tip()).toBe(b1);
    expect(chain.isInvalid(a2)).toBe(true);
    expect(chain.balance(PAYOUT_ADDRESS)).toBe(REWARD);
    // A block on an invalid block is refused.
    const onA2 = await buildBlock({ prevHash: a2.hash, height: 3, bits: chain.bits, time: T0 + 6, outputs: pay() });
    expect(chain.check(parseBlock(onA2.raw), onA2.raw, { now: T0 + 10 })).toEqual({ ok: false, reason: 'bad-prevblk' });
    expect(chain.chainTips().map((t) => [t.hash, t.status, t.branchlen])).toEqual([
      [a2.hashHex, 'invalid', 2],
      [b1.hashHex, 'active', 0],
    ]);

    // Reconsidering a2 clears a1 too; their branch has the most work again.
    expect(chain.reconsider(a2.hashHex)).toEqual({ tipChanged: true, disconnected: [b1], connected: [a1, a2] });
    expect(chain.tip()).toBe(a2);
    expect(chain.balance(PAYOUT_ADDRESS)).toBe(2n * REWARD);

    // Equal work: the first seen stays until another is made precious.
    expect(chain.invalidate(a2.hashHex).connected).toEqual([]);
    expect(chain.tip()).toBe(a1);
    expect(chain.precious(b1.hashHex)).toEqual({ tipChanged: true, disconnected: [a1], connected: [b1] });
    expect(chain.precious(a1.hashHex)).toEqual({ tipChanged: true, disconnected: [b1], connected: [a1] });
    expect(() => chain.invalidate(genesis.hashHex)).toThrow(/genesis/);
    expect(() => chain.invalidate('ab'.repeat(32))).toThrow(/not known/);
  });

  it.each<[string, string, Partial<BlockSpec>]>([
    ['no commitment and no witness', 'accepted', { witness: false }],
    ['a commitment without the reserved value', 'bad-witness-nonce-size', { coinbaseWitness: false }],
    ['a commitment that does not match', 'bad-witness-merkle-match', { commitment: hexToBytes('6a24aa21a9ed' + '00'.repeat(32)) }],
    ['a witness without a commitment', 'unexpected-witness', { witness: false, coinbaseWitness: true }],
  ])('segwit: %s -> %s', async (_name, reason, change) => {
    const { chain } = newChain();
    expect(await submit(chain, spec(chain, change))).toBe(reason);
  });

  it('rejects a block whose first transaction is not a coinbase, and a second coinbase', async () => {
    const { chain } = newChain();
    const a = await buildBlock(spec(chain));
    const cb = parseBlock(a.raw).txs[0]!.raw;
    // The same coinbase twice: a second coinbase (and duplicate txids, which Core checks first).
    const twice = await buildBlock(spec(chain, { extraTxs: [cb] }));
    expect(chain.check(parseBlock(twice.raw), twice.raw, { now: T0 + 10 })).toEqual({ ok: false, reason: 'bad-txns-duplicate' });
    const other = (await buildBlock(spec(chain, { extranonce: new Uint8Array(8).fill(3) }))).raw;
    const second = await buildBlock(spec(chain, { extraTxs: [parseBlock(other).txs[0]!.raw] }));
    expect(chain.check(parseBlock(second.raw), second.raw, { now: T0 + 10 })).toEqual({ ok: false, reason: 'bad-cb-multiple' });
    const spend = hexToBytes('0200000001' + '11'.repeat(32) + '00000000' + '00' + 'ffffffff' + '01' + '0100000000000000' + '0151' + '00000000');
    const header = a.raw.slice(0, 80);
    const noCoinbase = new Uint8Array([...header, 1, ...spend]);
    const r = chain.check(parseBlock(noCoinbase), noCoinbase, { now: T0 + 10 });
    expect(r).toEqual({ ok: false, reason: expect.stringMatching(/bad-txnmrklroot|high-hash|bad-cb-missing/) });
  });

  it('re-validates on reload even when the configured difficulty changed', async () => {
    const { chain } = newChain();
    const b = await buildBlock(spec(chain));
    const harder = new SimnetChain({ blockDifficulty: TEST_DIFFICULTY * 4, blockRewardSats: REWARD });
    const g = chain.blockAt(0)!;
    const rg = harder.check(parseBlock(g.raw), g.raw, { now: T0, reloading: true });
    expect(rg.ok).toBe(true);
    if (rg.ok) harder.connect(rg.block);
    expect(harder.check(parseBlock(b.raw), b.raw, { now: T0 + 10 })).toEqual({ ok: false, reason: 'bad-diffbits' });
    const r = harder.check(parseBlock(b.raw), b.raw, { now: T0 + 10, reloading: true });
    expect(r.ok).toBe(true);
  });

  it('has a well-known default payout address (P2WSH of OP_TRUE on regtest)', () => {
    expect(SIMNET_DEFAULT_PAYOUT_ADDRESS).toBe('bcrt1qft5p2uhsdcdc3l2ua4ap5qqfg4pjaqlp250x7us7a8qqhrxrxfsqseac85');
  });
});
