import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { TEST_DIFFICULTY } from '../../test/chain-helpers.ts';
import { connectChain } from './chain.ts';
import { defaultConfig, type EdgeConfig } from '../config/config.ts';
import { ConfigError } from '../errors.ts';
import { silentLogger } from '../logger.ts';
import { Simnet } from '../simnet/simnet.ts';

describe('connectChain', () => {
  let dataDir: string;
  let config: EdgeConfig;
  beforeEach(() => {
    dataDir = mkdtempSync(join(tmpdir(), 'otedama-chain-'));
    config = defaultConfig({ OTEDAMA_DATA_DIR: dataDir });
    config.chain.simnet.rpcPort = 0;
    config.chain.simnet.blockDifficulty = TEST_DIFFICULTY;
  });
  afterEach(() => rmSync(dataDir, { recursive: true, force: true }));

  it('simnet mode: starts simnet and a source on its RPC', async () => {
    const chain = await connectChain(config, silentLogger);
    try {
      expect(chain.network).toBe('regtest');
      expect(chain.simnet).toBeDefined();
      expect(chain.rpcUrl).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/$/);
      expect(chain.source.current()?.height).toBe(1);
    } finally {
      await chain.stop();
      await chain.stop();
    }
  });

  it('rpc mode: reads templates from a node with its cookie (simnet standing in for bitcoind)', async () => {
    const node = new Simnet({ dataDir: join(dataDir, 'node'), rpcPort: 0, blockDifficulty: TEST_DIFFICULTY, blockRewardSats: 100, logger: silentLogger });
    await node.start();
    try {
      config.chain = { ...config.chain, mode: 'rpc', rpcUrl: node.rpcUrl, rpcCookieFile: node.cookieFile };
      const chain = await connectChain(config, silentLogger);
      expect(chain.simnet).toBeUndefined();
      expect(chain.source.current()?.coinbaseValue).toBe(100n);
      await chain.stop();
    } finally {
      await node.stop();
    }
  });

  it.each<[string, Partial<EdgeConfig['chain']>, RegExp]>([
    ['no URL', { mode: 'rpc' }, /needs chain.rpcUrl/],
    ['no credentials', { mode: 'rpc', rpcUrl: 'http://127.0.0.1:1/' }, /rpcUser and chain.rpcPassword, or chain.rpcCookieFile/],
    ['an unknown mode', { mode: 'electrum' as 'rpc' }, /must be "simnet" or "rpc"/],
  ])('rpc mode with %s is a ConfigError', async (_name, chain, reason) => {
    config.chain = { ...config.chain, ...chain };
    const err = await connectChain(config, silentLogger).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ConfigError);
    expect((err as Error).message).toMatch(reason);
  });
});
