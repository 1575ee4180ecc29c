/**
 * The two ChainViews agree: the in-process simnet view and the RPC view over simnet's real
 * JSON-RPC server (which a bitcoind would answer the same way). The RPC view's coinbase needs
 * getblock and getrawtransaction, which simnet's RPC does not serve yet (issue 10 adds
 * getblock): that part is skipped, with the reason, until it does.
 */
import { bytesToHex, parseBlock, serializeTx } from '@otedama/core';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildBlock, PAYOUT_SCRIPT, TEST_DIFFICULTY } from '../../test/chain-helpers.ts';
import { RpcError } from '../errors.ts';
import { silentLogger } from '../logger.ts';
import { Simnet } from '../simnet/simnet.ts';
import { rpcChainView, simnetChainView, type ChainView } from './chain-view.ts';
import { RpcClient } from './rpc-client.ts';

let dir: string;
let simnet: Simnet;
let client: RpcClient;
let mined: string;

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'otedama-chain-view-'));
  simnet = new Simnet({ dataDir: dir, rpcPort: 0, blockDifficulty: TEST_DIFFICULTY, blockRewardSats: 5_000_000_000, logger: silentLogger });
  await simnet.start();
  const tip = simnet.chain.tip();
  const b = await buildBlock({ prevHash: tip.hash, height: 1, bits: simnet.chain.bits, time: Math.max(Math.floor(Date.now() / 1000), simnet.chain.medianTimePast() + 1), outputs: [{ script: PAYOUT_SCRIPT, value: 5_000_000_000n }] });
  expect((await simnet.submit(parseBlock(b.raw), b.raw)).accepted).toBe(true);
  mined = b.hashHex;
  client = new RpcClient({ url: simnet.rpcUrl, cookieFile: simnet.cookieFile, logger: silentLogger, retries: 0 });
});

afterAll(async () => {
  client.close();
  await simnet.stop();
  rmSync(dir, { recursive: true, force: true });
});

describe('ChainView', () => {
  const views = (): [string, ChainView][] => [['simnet', simnetChainView(simnet)], ['rpc', rpcChainView(client)]];

  it('tip, hash at a height, height of a hash (undefined off the chain), in both views', async () => {
    for (const [name, v] of views()) {
      expect(await v.tipHeight(), name).toBe(1);
      expect(await v.hashAt(1), name).toBe(mined);
      expect(await v.hashAt(2), name).toBeUndefined();
      expect(await v.heightOf(mined), name).toBe(1);
      expect(await v.heightOf('ab'.repeat(32)), name).toBeUndefined();
    }
  });

  it('the coinbase of a block, in both views', async (ctx) => {
    const fromSimnet = await simnetChainView(simnet).coinbase(mined);
    expect(fromSimnet.outputs[0]!.script).toEqual(PAYOUT_SCRIPT);
    try {
      await client.call('getblock', [mined, 1]);
    } catch (err) {
      if (err instanceof RpcError && err.rpcCode === -32601) return ctx.skip('simnet RPC has no getblock yet (issue 10)');
      throw err;
    }
    const fromRpc = await rpcChainView(client).coinbase(mined);
    expect(bytesToHex(serializeTx(fromRpc))).toBe(bytesToHex(serializeTx(fromSimnet)));
  });
});
