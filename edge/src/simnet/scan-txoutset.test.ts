/* eslint-disable @typescript-eslint/no-explicit-any -- JSON-RPC results */
/**
 * scantxoutset over simnet's real RPC socket: blocks mined to known addresses, then the scan
 * answers what bitcoind would (unspents, total, descriptors), and malformed calls get bitcoind's
 * error codes with a reason.
 */
import { addressToScript, bytesToHex, parseBlockTemplate } from '@otedama/core';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mineTemplate, PAYOUT_ADDRESS, TEST_DIFFICULTY } from '../../test/chain-helpers.ts';
import { silentLogger } from '../logger.ts';
import { Simnet } from './simnet.ts';

// BIP-173's key-1 address on regtest, and Bitcoin Core key_io_valid.json's regtest P2WPKH.
const A = 'bcrt1qw508d6qejxtdg4y5r3zarvary0c5xw7kygt080';
const B = PAYOUT_ADDRESS;

describe('simnet scantxoutset', () => {
  let dataDir: string;
  let simnet: Simnet;
  let auth: string;
  const call = async (method: string, params: unknown) => {
    const res = await fetch(simnet.rpcUrl, { method: 'POST', headers: { authorization: `Basic ${Buffer.from(auth).toString('base64')}` }, body: JSON.stringify({ jsonrpc: '1.0', id: 1, method, params }) });
    return (await res.json()) as { result: any; error: { code: number; message: string } | null };
  };
  const blocks: string[] = [];

  beforeAll(async () => {
    dataDir = mkdtempSync(join(tmpdir(), 'otedama-scan-'));
    simnet = new Simnet({ dataDir, rpcPort: 0, blockDifficulty: TEST_DIFFICULTY, blockRewardSats: 5_000_000_000, logger: silentLogger });
    await simnet.start();
    auth = readFileSync(simnet.cookieFile, 'utf8');
    // Block 1 pays A 30 and B 20 coins; block 2 pays A all 50.
    for (const split of [[3_000_000_000n, 2_000_000_000n], [5_000_000_000n, 0n]]) {
      const t = parseBlockTemplate((await call('getblocktemplate', [{ rules: ['segwit'] }])).result);
      const outputs = [{ script: addressToScript(A, 'regtest'), value: split[0]! }, ...(split[1] ? [{ script: addressToScript(B, 'regtest'), value: split[1] }] : [])];
      const block = await mineTemplate(t, outputs);
      expect((await call('submitblock', [block.hex])).result).toBeNull();
      blocks.push(block.hashHex);
    }
  }, 60_000);
  afterAll(async () => {
    await simnet?.stop();
    rmSync(dataDir, { recursive: true, force: true });
  });

  it('finds every coinbase output paying an address, with bitcoind\'s fields', async () => {
    const r = await call('scantxoutset', ['start', [`addr(${A})`]]);
    expect(r.error).toBeNull();
    expect(r.result).toMatchObject({ success: true, height: 2, bestblock: blocks[1], total_amount: 80 });
    expect(r.result.unspents).toHaveLength(2);
    expect(r.result.unspents[0]).toMatchObject({ vout: 0, scriptPubKey: bytesToHex(addressToScript(A, 'regtest')), desc: `addr(${A})`, amount: 30, coinbase: true, height: 1, blockhash: blocks[0], confirmations: 2 });
    expect(r.result.unspents[0].txid).toMatch(/^[0-9a-f]{64}$/);
    expect(r.result.unspents[1]).toMatchObject({ amount: 50, height: 2, confirmations: 1 });
    // Both descriptors forms, a checksum suffix and raw() scripts; totals add up.
    const both = await call('scantxoutset', { action: 'start', scanobjects: [{ desc: `addr(${B})#abcdefgh` }, `raw(${bytesToHex(addressToScript(A, 'regtest'))})`] });
    expect(both.result.total_amount).toBe(100);
    expect(both.result.txouts).toBeGreaterThanOrEqual(3);
    expect((await call('scantxoutset', ['start', ['addr(bcrt1qqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqq)']])).error?.code).toBe(-5);
    const onlyB = await call('scantxoutset', ['start', [`addr(${B})`]]);
    expect(onlyB.result.total_amount).toBe(20);
  });

  it('status and abort answer like bitcoind with no scan running', async () => {
    expect((await call('scantxoutset', ['status'])).result).toBeNull();
    expect((await call('scantxoutset', ['abort'])).result).toBe(false);
  });

  it.each<[unknown[], number, RegExp]>([
    // Argument count and types are checked as Core checks them (help text, -3 type errors).
    [[], -1, /scantxoutset "action"/],
    [[7, []], -3, /Position 1 \(action\)/],
    [['start', 'addr(x)'], -3, /Position 2 \(scanobjects\)/],
    [['begin', []], -8, /Invalid action 'begin'/],
    [['start'], -8, /scanobjects argument is required/],
    [['start', [42]], -8, /descriptor strings/],
    [['start', ['addr(bc1qw508d6qejxtdg4y5r3zarvary0c5xw7kv8f3t4)']], -5, /Invalid address: this is a mainnet address/],
    [['start', ['wpkh(0279be667ef9dcbbac55a06295ce870b07029bfcdb2dce28d959f2815b16f81798)']], -5, /addr\(ADDRESS\) and raw\(HEX\) descriptors only/],
    [['start', ['raw(abc)']], -5, /descriptors only/],
    [['start', Array.from({ length: 101 }, () => `addr(${A})`)], -8, /at most 100 scan objects/],
  ])('refuses %j with %i', async (params, code, message) => {
    const r = await call('scantxoutset', params);
    expect(r.error?.code).toBe(code);
    expect(r.error?.message).toMatch(message);
  });
});
