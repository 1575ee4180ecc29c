/**
 * The template source on a Ravencoin chain: the same RPC client and source as for bitcoind, with
 * the KawPow module supplying the job header, the job input (the header hash) and the block with
 * its 120-byte header; the epoch's seed hash and the target from the template; a node of the
 * other coin refused on start; connectChain building the KawPow chain from the configuration.
 */
import { epochSeedHash, KAWPOW, SHA256D } from '@otedama/core';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { TEST_DIFFICULTY } from '../../test/chain-helpers.ts';
import { RVN_TEST_DIFFICULTY, mineKawpowTemplate, testKawpowLight } from '../../test/kawpow-helpers.ts';
import { defaultConfig } from '../config/config.ts';
import { validateConfig } from '../config/config-file.ts';
import { RpcTransportError } from '../errors.ts';
import { silentLogger } from '../logger.ts';
import { ravencoinSimnet } from '../simnet/simnet-coin.ts';
import { Simnet } from '../simnet/simnet.ts';
import { connectChain } from './chain.ts';
import type { KawpowLight } from './kawpow-light.ts';
import { RpcClient } from './rpc-client.ts';
import { kawpowTemplateWork } from './template-work.ts';
import { RpcTemplateSource } from './template-source-rpc.ts';
import type { TemplateUpdate } from './template-source.ts';

let light: KawpowLight;
beforeAll(async () => {
  light = await testKawpowLight();
}, 120_000);
afterAll(() => light?.dispose());

describe('RpcTemplateSource on a Ravencoin node', () => {
  let dataDir: string;
  const stops: (() => Promise<void> | void)[] = [];
  beforeEach(() => {
    dataDir = mkdtempSync(join(tmpdir(), 'otedama-rvn-source-'));
  });
  afterEach(async () => {
    for (const stop of stops.splice(0).reverse()) await stop();
    rmSync(dataDir, { recursive: true, force: true });
  });

  async function node(coin: 'ravencoin' | 'bitcoin'): Promise<RpcClient> {
    const simnet =
      coin === 'ravencoin'
        ? new Simnet({ dataDir, rpcPort: 0, blockDifficulty: RVN_TEST_DIFFICULTY, blockRewardSats: 5000e8, coin: ravencoinSimnet(light), logger: silentLogger })
        : new Simnet({ dataDir, rpcPort: 0, blockDifficulty: TEST_DIFFICULTY, blockRewardSats: 50e8, logger: silentLogger });
    await simnet.start();
    stops.push(() => simnet.stop());
    const client = new RpcClient({ url: simnet.rpcUrl, cookieFile: simnet.cookieFile, logger: silentLogger, retries: 0 });
    stops.push(() => client.close());
    return client;
  }

  it('learns Ravencoin templates and submits a KawPow block with its 120-byte header', async () => {
    const source = new RpcTemplateSource({ client: await node('ravencoin'), pollSeconds: 60, logger: silentLogger, algorithm: KAWPOW, coin: 'ravencoin' });
    const updates: TemplateUpdate[] = [];
    source.onTemplate((u) => void updates.push(u));
    await source.start();
    stops.push(() => source.stop());
    expect(source.algorithm).toBe(KAWPOW);
    expect(source.network).toBe('regtest');
    const t = source.current()!;
    const work = kawpowTemplateWork(t);
    expect(work).toEqual({ height: 1, epoch: 0, seedHash: epochSeedHash(0), target: t.target, bits: t.bits });
    const block = await mineKawpowTemplate(light, t);
    expect(block.raw.length).toBeGreaterThan(120);
    expect(await source.submitBlock(block.hex)).toEqual({ accepted: true });
    // The new tip comes through long-poll (or the poll the submit triggers).
    await expect.poll(() => updates.at(-1)?.template.height, { timeout: 10_000 }).toBe(2);
    expect(updates.at(-1)!.newBlock).toBe(true);
    // A second submit of the same block: the node has it.
    expect(await source.submitBlock(block.hex)).toEqual({ accepted: true, reason: 'duplicate' });
    // A block that misses the target: the node's reason.
    expect(await source.submitBlock((await mineKawpowTemplate(light, source.current()!, { pow: 'fail' })).hex)).toEqual({ accepted: false, reason: 'high-hash' });
  });

  it.each([
    ['a Bitcoin source on ravend', 'ravencoin', SHA256D, 'bitcoin', /the node is a Ravencoin \(ravend\) node, but this edge mines sha256d on bitcoin: .*set chain\.coin: ravencoin/],
    ['a KawPow source on bitcoind', 'bitcoin', KAWPOW, 'ravencoin', /the node is a Bitcoin \(bitcoind\) node, but this edge mines kawpow on ravencoin: point chain\.rpc_url at a ravend/],
  ] as const)('refuses %s on start, naming the setting', async (_label, nodeCoin, algorithm, coin, reason) => {
    const source = new RpcTemplateSource({ client: await node(nodeCoin), pollSeconds: 60, logger: silentLogger, algorithm, coin });
    const err = await source.start().catch((e: unknown) => e);
    expect(err).toBeInstanceOf(RpcTransportError);
    expect((err as Error).message).toMatch(reason);
  });
});

describe('connectChain for a KawPow configuration', () => {
  it('starts the Ravencoin simnet with the light evaluation (light caches in the data folder) and its template source', async () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'otedama-rvn-chain-'));
    const progress: string[] = [];
    try {
      const config = defaultConfig({ OTEDAMA_DATA_DIR: dataDir });
      config.mining.algorithm = 'kawpow';
      config.chain.simnet.rpcPort = 0;
      validateConfig(config);
      expect(config.chain.coin).toBe('ravencoin');
      const chain = await connectChain(config, silentLogger, { onProgress: (line) => void progress.push(line) });
      try {
        expect(chain).toMatchObject({ coin: 'ravencoin', algorithm: KAWPOW, network: 'regtest' });
        expect(chain.simnet!.dir).toBe(join(dataDir, 'simnet-ravencoin'));
        expect(chain.kawpow!.isReady(1)).toBe(true);
        expect(chain.source.current()).toMatchObject({ height: 1, version: 0x30000000, coinbaseValue: 5000n * 100_000_000n });
        expect(existsSync(join(dataDir, 'kawpow', 'epoch-0.lightcache'))).toBe(true);
        expect(progress.at(-1)).toBe('KawPow light cache of epoch 0: 100 %');
      } finally {
        await chain.stop();
      }
    } finally {
      rmSync(dataDir, { recursive: true, force: true });
    }
  }, 120_000);
});
