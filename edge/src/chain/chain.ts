/**
 * The chain side as the composition root needs it: in simnet mode, start the embedded chain of
 * the configured coin and read templates from its RPC; in rpc mode, read them from a bitcoind or
 * ravend. Either way the result is one RpcTemplateSource, the algorithm module the chain mines
 * and the address network and coin the payouts must use. A Ravencoin chain brings the KawPow
 * light evaluation (light caches kept in `<dataDir>/kawpow/`), which simnet's block checks use
 * and a validator may inject where core asks for it.
 */
import { getAlgorithm, type Algorithm, type Coin, type Network } from '@otedama/core';
import { join } from 'node:path';
import { ALGORITHM_COIN, type EdgeConfig } from '../config/config.ts';
import { ConfigError } from '../errors.ts';
import type { Logger } from '../logger.ts';
import type { KawpowEvaluator } from './kawpow-evaluator.ts';
import { KawpowFullDataset } from './kawpow-full.ts';
import { KawpowLight, type KawpowLightOptions } from './kawpow-light.ts';
import { LIGHT_CACHE_DIR } from './light-cache-store.ts';
import { RpcClient, type JsonRpcCaller } from './rpc-client.ts';
import { Simnet } from '../simnet/simnet.ts';
import { BITCOIN_SIMNET, ravencoinSimnet, SIMNET_DEFAULTS, type SimnetCoin } from '../simnet/simnet-coin.ts';
import { RpcTemplateSource } from './template-source-rpc.ts';

export interface ChainConnection {
  readonly source: RpcTemplateSource;
  /** Address network of the chain (regtest for simnet). */
  readonly network: Network;
  /** Whose address formats: bitcoin or ravencoin. */
  readonly coin: Coin;
  /** The algorithm module the chain mines (header form, job input, share form). */
  readonly algorithm: Algorithm;
  /** KawPow evaluation of a Ravencoin chain, light or full dataset as configured (prepared for the chain's epochs by its users). */
  readonly kawpow?: KawpowEvaluator;
  /** The embedded chain in simnet mode. */
  readonly simnet?: Simnet;
  /** The node's RPC endpoint (simnet's loopback URL in simnet mode). */
  readonly rpcUrl: string;
  /** The node's JSON-RPC client (questions beyond templates: the genesis hash for the pool id). */
  readonly client: JsonRpcCaller;
  /** Stops the template source, the client, simnet and the light evaluation. Idempotent. */
  stop(): Promise<void>;
}

export interface ConnectChainOptions {
  /** Progress of a KawPow light-cache or dataset build ("epoch 0: 37 %"), for the terminal. */
  readonly onProgress?: (line: string) => void;
}

/** The algorithm module of the configured coin (validateConfig pairs them; ALGORITHM_COIN is the pairing). */
function chainAlgorithm(coin: Coin): Algorithm {
  const name = Object.entries(ALGORITHM_COIN).find(([, c]) => c === coin)?.[0];
  if (!name) throw new ConfigError(`chain.coin must be one of ${[...new Set(Object.values(ALGORITHM_COIN))].join(', ')} (got ${JSON.stringify(coin)})`);
  return getAlgorithm(name);
}

/** Every tenth percent of a build's progress as one line ("KawPow light cache of epoch 0: 30 %"). */
function percentLines(what: string, say: (line: string) => void): (p: { epoch: number; done: number; total: number }) => void {
  let last = '';
  return ({ epoch, done, total }) => {
    const percent = Math.floor((100 * done) / total);
    const line = `KawPow ${what} of epoch ${epoch}: ${percent} %`;
    if (line === last || percent % 10 !== 0) return;
    last = line;
    say(line);
  };
}

/**
 * The KawPow evaluation `chain.kawpow` configures: light evaluation (default), or lookups in the
 * epoch's full dataset built in worker threads. The one place that chooses; the chain's users
 * see a KawpowEvaluator either way.
 */
export async function createKawpowEvaluator(
  settings: EdgeConfig['chain']['kawpow'],
  options: Omit<KawpowLightOptions, 'onProgress'> & { readonly onProgress?: (line: string) => void },
): Promise<KawpowEvaluator> {
  const { onProgress: say, ...rest } = options;
  const light: KawpowLightOptions = { ...rest, ...(say ? { onProgress: percentLines('light cache', say) } : {}) };
  if (settings.verification === 'light') return KawpowLight.create(light);
  return KawpowFullDataset.create({
    ...light,
    datasetThreads: settings.datasetThreads,
    datasetMaxBytes: settings.datasetMaxMib * 2 ** 20,
    ...(say ? { onDatasetProgress: percentLines('dataset', say) } : {}),
  });
}

/** Starts simnet (in simnet mode) and the template source; resolves once the first template is in. */
export async function connectChain(config: Pick<EdgeConfig, 'dataDir' | 'chain'>, logger: Logger, options: ConnectChainOptions = {}): Promise<ChainConnection> {
  const { chain } = config;
  const coin: Coin = chain.coin ?? 'bitcoin';
  const algorithm = chainAlgorithm(coin);
  const log = logger.forComponent('edge:chain');
  let kawpow: KawpowEvaluator | undefined;
  let simnet: Simnet | undefined;
  let client: RpcClient | undefined;
  try {
    if (coin === 'ravencoin') {
      kawpow = await createKawpowEvaluator(chain.kawpow, {
        cacheDir: join(config.dataDir, LIGHT_CACHE_DIR),
        onWarning: (message) => log.warn('KawPow light cache', { message }),
        ...(options.onProgress ? { onProgress: options.onProgress } : {}),
      });
    }
    if (chain.mode === 'simnet') {
      const simnetCoin: SimnetCoin = kawpow ? ravencoinSimnet(kawpow) : BITCOIN_SIMNET;
      simnet = new Simnet({
        dataDir: config.dataDir,
        rpcPort: chain.simnet.rpcPort,
        blockDifficulty: chain.simnet.blockDifficulty ?? SIMNET_DEFAULTS[simnetCoin.name].blockDifficulty,
        blockRewardSats: chain.simnet.blockRewardSats ?? SIMNET_DEFAULTS[simnetCoin.name].blockRewardSats,
        coin: simnetCoin,
        ...(chain.simnet.miningAddress !== undefined ? { miningAddress: chain.simnet.miningAddress } : {}),
        ...(chain.rpcUser !== undefined && chain.rpcPassword !== undefined ? { rpcUser: chain.rpcUser, rpcPassword: chain.rpcPassword } : {}),
        logger,
      });
      await simnet.start();
      client = new RpcClient({ url: simnet.rpcUrl, cookieFile: simnet.cookieFile, logger });
    } else if (chain.mode === 'rpc') {
      if (!chain.rpcUrl) throw new ConfigError(`chain.mode "rpc" needs chain.rpcUrl (e.g. http://127.0.0.1:${coin === 'ravencoin' ? 8766 : 8332}/)`);
      const hasPassword = chain.rpcUser !== undefined && chain.rpcPassword !== undefined;
      if (!hasPassword && !chain.rpcCookieFile) {
        throw new ConfigError(`chain.mode "rpc" needs chain.rpcUser and chain.rpcPassword, or chain.rpcCookieFile (the node's .cookie)`);
      }
      client = new RpcClient({
        url: chain.rpcUrl,
        ...(hasPassword ? { user: chain.rpcUser!, password: chain.rpcPassword! } : { cookieFile: chain.rpcCookieFile! }),
        logger,
      });
    } else {
      throw new ConfigError(`chain.mode must be "simnet" or "rpc" (got ${JSON.stringify(chain.mode)})`);
    }
  } catch (err) {
    client?.close();
    await simnet?.stop();
    kawpow?.dispose();
    throw err;
  }
  const source = new RpcTemplateSource({ client, pollSeconds: chain.pollSeconds, logger, algorithm, coin });
  try {
    await source.start();
  } catch (err) {
    client.close();
    await simnet?.stop();
    kawpow?.dispose();
    throw err;
  }
  let stopped = false;
  return {
    source,
    network: source.network!,
    coin,
    algorithm,
    ...(kawpow ? { kawpow } : {}),
    ...(simnet ? { simnet } : {}),
    rpcUrl: simnet?.rpcUrl ?? client.endpoint,
    client,
    async stop() {
      if (stopped) return;
      stopped = true;
      await source.stop();
      client.close();
      await simnet?.stop();
      kawpow?.dispose();
    },
  };
}
