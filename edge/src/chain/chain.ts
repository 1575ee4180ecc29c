/**
 * The chain side as the composition root needs it: in simnet mode, start the embedded chain and
 * read templates from its RPC; in rpc mode, read them from a bitcoind-compatible node. Either
 * way the result is one RpcTemplateSource and the address network the payouts must use.
 */
import type { Network } from '@otedama/core';
import type { EdgeConfig } from '../config/config.ts';
import { ConfigError } from '../errors.ts';
import type { Logger } from '../logger.ts';
import { RpcClient, type JsonRpcCaller } from './rpc-client.ts';
import { Simnet } from '../simnet/simnet.ts';
import { RpcTemplateSource } from './template-source-rpc.ts';

export interface ChainConnection {
  readonly source: RpcTemplateSource;
  /** Address network of the chain (regtest for simnet). */
  readonly network: Network;
  /** The embedded chain in simnet mode. */
  readonly simnet?: Simnet;
  /** The node's RPC endpoint (simnet's loopback URL in simnet mode). */
  readonly rpcUrl: string;
  /** The node's JSON-RPC client (questions beyond templates: the genesis hash for the pool id). */
  readonly client: JsonRpcCaller;
  /** Stops the template source, the client and simnet. Idempotent. */
  stop(): Promise<void>;
}

/** Starts simnet (in simnet mode) and the template source; resolves once the first template is in. */
export async function connectChain(config: Pick<EdgeConfig, 'dataDir' | 'chain'>, logger: Logger): Promise<ChainConnection> {
  const { chain } = config;
  let simnet: Simnet | undefined;
  let client: RpcClient;
  if (chain.mode === 'simnet') {
    simnet = new Simnet({
      dataDir: config.dataDir,
      rpcPort: chain.simnet.rpcPort,
      blockDifficulty: chain.simnet.blockDifficulty,
      blockRewardSats: chain.simnet.blockRewardSats,
      ...(chain.rpcUser !== undefined && chain.rpcPassword !== undefined ? { rpcUser: chain.rpcUser, rpcPassword: chain.rpcPassword } : {}),
      logger,
    });
    await simnet.start();
    client = new RpcClient({ url: simnet.rpcUrl, cookieFile: simnet.cookieFile, logger });
  } else if (chain.mode === 'rpc') {
    if (!chain.rpcUrl) throw new ConfigError('chain.mode "rpc" needs chain.rpcUrl (e.g. http://127.0.0.1:8332/)');
    const hasPassword = chain.rpcUser !== undefined && chain.rpcPassword !== undefined;
    if (!hasPassword && !chain.rpcCookieFile) {
      throw new ConfigError('chain.mode "rpc" needs chain.rpcUser and chain.rpcPassword, or chain.rpcCookieFile (bitcoind\'s .cookie)');
    }
    client = new RpcClient({
      url: chain.rpcUrl,
      ...(hasPassword ? { user: chain.rpcUser!, password: chain.rpcPassword! } : { cookieFile: chain.rpcCookieFile! }),
      logger,
    });
  } else {
    throw new ConfigError(`chain.mode must be "simnet" or "rpc" (got ${JSON.stringify(chain.mode)})`);
  }
  const source = new RpcTemplateSource({ client, pollSeconds: chain.pollSeconds, logger });
  try {
    await source.start();
  } catch (err) {
    client.close();
    await simnet?.stop();
    throw err;
  }
  let stopped = false;
  return {
    source,
    network: source.network!,
    ...(simnet ? { simnet } : {}),
    rpcUrl: simnet?.rpcUrl ?? client.endpoint,
    client,
    async stop() {
      if (stopped) return;
      stopped = true;
      await source.stop();
      client.close();
      await simnet?.stop();
    },
  };
}
