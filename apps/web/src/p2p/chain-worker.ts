/**
 * The page's sharechain, off the main thread: a dedicated worker holding one PageChain
 * (page-chain.ts), driven through comlink. Every share a peer sends is judged here before
 * gossipsub relays it, so validating a burst of shares (a sync of a whole window) never blocks
 * the page or its miner's bookkeeping.
 */
import * as Comlink from 'comlink';
import { PageChain } from './page-chain.ts';

const chain = new PageChain();

const api = {
  open: chain.open.bind(chain),
  restore: (shares: Uint8Array[], onProgress?: (done: number) => void) => chain.restore(shares, onProgress),
  receive: chain.receive.bind(chain),
  receiveBatch: chain.receiveBatch.bind(chain),
  gossipable: chain.gossipable.bind(chain),
  sharesById: chain.sharesById.bind(chain),
  sharesAfter: chain.sharesAfter.bind(chain),
  locator: chain.locator.bind(chain),
  tip: chain.tip.bind(chain),
  coinTip: chain.coinTip.bind(chain),
  job: chain.job.bind(chain),
  seal: chain.seal.bind(chain),
  prune: chain.prune.bind(chain),
  nextPayouts: chain.nextPayouts.bind(chain),
  summary: chain.summary.bind(chain),
};

export type ChainWorkerApi = typeof api;
Comlink.expose(api);
