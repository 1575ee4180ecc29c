/**
 * A read-only view of the best chain, what the block reconciler needs: the tip height, the block
 * at a height, whether a block is in the best chain (and at which height), and a block's coinbase.
 *
 * Implementations: chain-view-rpc (a bitcoind-compatible node: getblockcount, getblockhash,
 * getblockheader, getblock verbosity 1 and getrawtransaction with the block hash, which needs no
 * txindex and moves a coinbase, not a 2 MB block) and the embedded simnet read in-process (the
 * same answers; simnet's RPC serves no getblock today).
 */
import { hexToBytes, parseBlock, parseTx, type Transaction } from '@otedama/core';
import { RpcError } from '../errors.ts';
import type { Simnet } from '../simnet/simnet.ts';
import type { JsonRpcCaller } from './rpc-client.ts';

export interface ChainView {
  /** Height of the best chain's tip. */
  tipHeight(): Promise<number>;
  /** Hash (display order hex) of the best chain's block at `height`, undefined past the tip. */
  hashAt(height: number): Promise<string | undefined>;
  /** Height of a block when it is in the best chain; undefined when it is unknown or not in it. */
  heightOf(hash: string): Promise<number | undefined>;
  /** The coinbase transaction of a block of the best chain. */
  coinbase(hash: string): Promise<Transaction>;
}

/** bitcoind's "Block not found" / "Block height out of range" (RPC_INVALID_ADDRESS_OR_KEY, RPC_INVALID_PARAMETER). */
const NOT_FOUND_CODES = new Set([-5, -8]);

export function rpcChainView(client: JsonRpcCaller): ChainView {
  const orUndefined = async <T,>(p: Promise<T>): Promise<T | undefined> => {
    try {
      return await p;
    } catch (err) {
      if (err instanceof RpcError && NOT_FOUND_CODES.has(err.rpcCode)) return undefined;
      throw err;
    }
  };
  return {
    tipHeight: () => client.call<number>('getblockcount'),
    hashAt: (height) => orUndefined(client.call<string>('getblockhash', [height])),
    async heightOf(hash) {
      const h = await orUndefined(client.call<{ height: number; confirmations: number }>('getblockheader', [hash, true]));
      // bitcoind answers confirmations -1 for a block off the best chain.
      return h && h.confirmations >= 0 ? h.height : undefined;
    },
    async coinbase(hash) {
      const block = await client.call<{ tx: string[] }>('getblock', [hash, 1]);
      const txid = block.tx[0];
      if (!txid) throw new RpcError(-1, 'the block lists no transactions', 'getblock');
      const raw = await client.call<string>('getrawtransaction', [txid, false, hash]);
      return parseTx(hexToBytes(raw)).tx;
    },
  };
}

export function simnetChainView(simnet: Pick<Simnet, 'chain'>): ChainView {
  return {
    tipHeight: async () => simnet.chain.height,
    hashAt: async (height) => (height >= 0 ? simnet.chain.blockAt(height)?.hashHex : undefined),
    heightOf: async (hash) => simnet.chain.blockByHash(hash)?.height,
    async coinbase(hash) {
      const b = simnet.chain.blockByHash(hash);
      if (!b) throw new RpcError(-5, 'Block not found', 'simnet');
      return parseBlock(b.raw).txs[0]!.tx;
    },
  };
}
