/**
 * The block relay against a real simnet: a share mined on simnet's template that meets the
 * coin's target is rebuilt into a block (header from the share, coinbase rebuilt from the chain,
 * witness form for the segwit commitment) and accepted by the node; the block pays exactly what
 * the chain's payouts say. A template with transactions is rebuilt from the archive, and without
 * the archive the relay says why it cannot submit.
 */
import {
  bitsToTarget,
  bytesToHex,
  CoinTips,
  coinbaseMerkleBranch,
  createChainJob,
  hexToBytes,
  parseBlock,
  shareScriptSig,
  ShareChain,
  sha256d,
  txidOfBytes,
  type BlockTemplate,
  type ShareEntry,
} from '@otedama/core';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { EASIEST_BITS, extend, mineHeaderFor, payee, testParams, testPool } from '../../../core/test/sharechain-fixtures.ts';
import { TEST_DIFFICULTY } from '../../test/chain-helpers.ts';
import { connectChain, type ChainConnection } from '../chain/chain.ts';
import { defaultConfig } from '../config/config.ts';
import { silentLogger } from '../logger.ts';
import { BlockRelay } from './block-relay.ts';
import { TemplateArchive } from './template-archive.ts';

let conn: ChainConnection | undefined;
let dir: string | undefined;
afterEach(async () => {
  await conn?.stop();
  if (dir) rmSync(dir, { recursive: true, force: true });
  conn = undefined;
  dir = undefined;
});

/** A chain of the test pool whose coin context knows `template`'s tip. */
function chainOn(template: BlockTemplate): ShareChain {
  const coin = new CoinTips();
  coin.add(template.prevHash, { height: template.height, bits: template.bits, maxReward: template.coinbaseValue });
  return new ShareChain({ params: testParams(), coin });
}

/** Mines a first share on `template` whose hash meets the block target; adds it; returns its entry. */
function mineBlockShare(chain: ShareChain, template: BlockTemplate, transactions: readonly Uint8Array[] = []): ShareEntry {
  const merkleBranch = coinbaseMerkleBranch(transactions.map((t) => txidOfBytes(t)));
  const mandatedOutputs = template.defaultWitnessCommitment ? [template.defaultWitnessCommitment] : [];
  const j = createChainJob(chain, {
    payees: [payee(1, 6000), payee(2, 4000)],
    coin: { prevHash: template.prevHash, height: template.height, bits: template.bits, reward: template.coinbaseValue, mandatedOutputs, merkleBranch },
    parent: null,
    time: template.curtime * 1000,
  });
  const scriptSig = shareScriptSig(template.height, Uint8Array.of(1, 2, 3, 4));
  const header = mineHeaderFor({ prevHash: template.prevHash, bits: template.bits }, j.merkleRoot(j.coinbase(scriptSig)), template.curtime * 1000, bitsToTarget(template.bits));
  const r = chain.add(j.encode(header, scriptSig), { now: template.curtime * 1000 });
  if (r.kind !== 'accepted') throw new Error(`share not accepted: ${r.kind} ${'message' in r ? r.message : ''}`);
  expect(r.isBlock).toBe(true);
  return r.entry;
}

describe('block relay', () => {
  it('submits a share that meets the block target to simnet, once; the block pays payouts(parent, reward)', async () => {
    dir = mkdtempSync(join(tmpdir(), 'otedama-block-relay-'));
    const base = defaultConfig({});
    conn = await connectChain({ dataDir: dir, chain: { ...base.chain, pollSeconds: 1, simnet: { rpcPort: 0, blockDifficulty: TEST_DIFFICULTY, blockRewardSats: 50 * 100_000_000 } } }, silentLogger);
    const template = conn.source.current()!;
    const chain = chainOn(template);
    const entry = mineBlockShare(chain, template);
    const submitted: string[] = [];
    const relay = new BlockRelay({
      chain,
      archive: new TemplateArchive(),
      submit: (hex) => (submitted.push(hex), conn!.source.submitBlock(hex)),
      logger: silentLogger,
    });
    const outcome = await relay.onShare(entry);
    expect(outcome).toMatchObject({ kind: 'submitted', height: template.height, result: { accepted: true } });
    await expect.poll(() => conn!.source.current()!.height, { timeout: 10_000 }).toBe(template.height + 1);
    expect(await relay.onShare(entry)).toBeUndefined();
    expect(submitted).toHaveLength(1);
    // The coinbase in the block pays exactly the chain's payouts, then the commitment and the witness commitment.
    const block = parseBlock(hexToBytes(submitted[0]!));
    const payouts = chain.payouts(undefined, template.coinbaseValue, template.prevHash, entry.share.meta.payees);
    const outs = block.txs[0]!.tx.outputs;
    expect(outs.slice(0, payouts.outputs.length).map((o) => [bytesToHex(o.script), o.value])).toEqual(payouts.outputs.map((o) => [bytesToHex(o.script), o.value]));
    expect(outs.length).toBe(payouts.outputs.length + 2);
    expect(bytesToHex(outs[outs.length - 1]!.script)).toBe(bytesToHex(template.defaultWitnessCommitment!));
    // A share that is not a block is not the relay's business.
    const [plain] = extend(testPool(), 1);
    expect(plain!.isBlock).toBe(false);
    expect(await relay.onShare(plain!)).toBeUndefined();
  });

  it('rebuilds a block with transactions from the archive, and says why it cannot without it', async () => {
    // Two made-up transactions: the relay only places their bytes; the merkle branch must match.
    const tx = (n: number) => hexToBytes(`02000000` + `01` + `${n.toString(16).padStart(2, '0')}`.repeat(32) + `00000000` + `00` + `ffffffff` + `01` + `e803000000000000` + `0151` + `00000000`);
    const txs = [tx(1), tx(2)];
    const prevHash = sha256d(Uint8Array.of(7));
    const template: BlockTemplate = {
      height: 200,
      version: 0x20000000,
      prevHash,
      bits: EASIEST_BITS,
      target: bitsToTarget(EASIEST_BITS),
      curtime: 1_700_000_000,
      mintime: 1_699_999_000,
      coinbaseValue: 5_000_000_000n,
      transactions: txs.map((data) => ({ data, txid: txidOfBytes(data) })),
    };
    const chain = chainOn(template);
    const entry = mineBlockShare(chain, template, txs);
    const seen: string[] = [];
    const archive = new TemplateArchive();
    const withArchive = new BlockRelay({ chain, archive, submit: async (hex) => (seen.push(hex), { accepted: true }), logger: silentLogger });
    const without = await new BlockRelay({ chain, archive: new TemplateArchive(), submit: async () => ({ accepted: true }), logger: silentLogger }).onShare(entry);
    expect(without).toMatchObject({ kind: 'unbuildable', reason: expect.stringMatching(/not archived here/) });
    archive.put(template);
    expect(await withArchive.onShare(entry)).toMatchObject({ kind: 'submitted', height: 200 });
    const block = parseBlock(hexToBytes(seen[0]!));
    expect(block.txs).toHaveLength(3);
    expect(block.txs.slice(1).map((t) => bytesToHex(txidOfBytes(t.raw)))).toEqual(template.transactions.map((t) => bytesToHex(t.txid)));
  });
});

describe('template archive', () => {
  it('keeps the templates of the last three coin tips, at most its cap', () => {
    const archive = new TemplateArchive(4, 3);
    const t = (tip: number, value: bigint): BlockTemplate => ({
      height: tip,
      version: 1,
      prevHash: sha256d(Uint8Array.of(tip)),
      bits: EASIEST_BITS,
      target: 1n,
      curtime: 0,
      mintime: 0,
      coinbaseValue: value,
      transactions: [],
    });
    const ids = [t(1, 1n), t(2, 1n), t(3, 1n), t(3, 2n)].map((x) => bytesToHex(archive.put(x)));
    expect(ids.every((id) => archive.get(id))).toBe(true);
    archive.put(t(4, 1n));
    expect(archive.get(ids[0]!)).toBeUndefined();
    expect(archive.size).toBe(4);
    archive.put(t(4, 2n));
    expect(archive.size).toBe(4);
    expect(archive.get(ids[1]!)).toBeUndefined();
  });
});
