/**
 * The edge's sharechain: the pool's parameters from the coin it mines (the genesis block the
 * node reports: Bitcoin's networks get their pool parameters, anything else, such as a simnet,
 * the simnet ones; so edges on one simnet, or on one coin, share a pool id), and a ShareChain
 * whose coin context follows the node's block templates (shares may build on the newest blocks
 * the node has offered). The network (ChainHost) reaches it through ShareChainHost.
 */
import {
  BITCOIN_GENESIS_HASHES,
  bitcoinPoolParams,
  bytesToHex,
  CoinTips,
  hexToBytes,
  reverseBytes,
  ShareChain,
  simnetPoolParams,
  type AddedShare,
  type BitcoinNetworkName,
  type BlockTemplate,
  type PoolParams,
} from '@otedama/core';
import type { JsonRpcCaller } from '../chain/rpc-client.ts';
import type { TemplateSource } from '../chain/template-source.ts';
import type { Logger } from '../logger.ts';
import { ShareChainHost } from './chain-host-sharechain.ts';

/**
 * The edge's ShareChain. It keeps core's own hashers: for the short messages a share hashes, core's
 * TypeScript SHA-256d measured faster than a node:crypto call per hash (README, bench:p2p).
 */
export function edgeShareChain(params: PoolParams, coin: CoinTips): ShareChain {
  return new ShareChain({ params, coin });
}

export interface PoolChain {
  readonly params: PoolParams;
  readonly chain: ShareChain;
  readonly host: ShareChainHost;
  /** Stops following templates. */
  stop(): void;
}

/** Pool parameters for the coin whose genesis block hash (display order) the node reports. */
export function poolParamsForGenesis(genesisHex: string): PoolParams {
  const known = (Object.keys(BITCOIN_GENESIS_HASHES) as BitcoinNetworkName[]).find((n) => BITCOIN_GENESIS_HASHES[n] === genesisHex.toLowerCase());
  return known ? bitcoinPoolParams(known) : simnetPoolParams(reverseBytes(hexToBytes(genesisHex, 32, 'genesis hash')));
}

export interface OpenPoolChainOptions {
  readonly client: JsonRpcCaller;
  readonly source: Pick<TemplateSource, 'current' | 'onTemplate'>;
  readonly logger: Logger;
  /** Every share a peer brought that the chain accepted. */
  readonly onAccepted?: (added: AddedShare) => void;
}

export async function openPoolChain(options: OpenPoolChainOptions): Promise<PoolChain> {
  const genesisHex = await options.client.call<string>('getblockhash', [0]);
  const params = poolParamsForGenesis(genesisHex);
  const coin = new CoinTips();
  const follow = (t: BlockTemplate) => coin.add(t.prevHash, { height: t.height, bits: t.bits, maxReward: t.coinbaseValue });
  const current = options.source.current();
  if (current) follow(current);
  const unsubscribe = options.source.onTemplate((u) => follow(u.template));
  const chain = edgeShareChain(params, coin);
  const host = new ShareChainHost(chain, options.onAccepted);
  options.logger.forComponent('edge:sharechain').info('sharechain open', { poolId: bytesToHex(chain.poolId), genesis: genesisHex, algorithm: params.algorithm, shareIntervalMs: params.shareIntervalMs });
  return { params, chain, host, stop: unsubscribe };
}
