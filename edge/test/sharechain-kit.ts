/**
 * The sharechain as real edges' tests see it (sharechain-edge.test.ts, the network proof in
 * test/network/): a Stratum test client that logs in like a miner, keeps the newest job and
 * difficulty, and submits shares that meet the chain's share target (so every accepted one is a
 * chain share); and the chain an edge's database holds, loaded the way the edge loads it.
 */
import { bytesToHex, CoinTips, prevHashFromStratum, ShareChain } from '@otedama/core';
import { expect } from 'vitest';
import type { RpcClient } from '../src/chain/rpc-client.ts';
import { poolParamsForGenesis } from '../src/p2p/pool-chain.ts';
import { openStorage } from '../src/storage/open-storage.ts';
import { LineClient, findShare, notifyToJob, type Msg, type NotifyJob } from './stratum-harness.ts';

/** A logged-in Stratum client: its extranonce1, the difficulty it was given, its jobs as they come. */
export interface ChainMiner {
  readonly client: LineClient;
  readonly en1: string;
  readonly user: string;
  difficulty: number;
  job: NotifyJob;
  en2: number;
  /** Clean jobs received so far (a new coin block). */
  clean: number;
}

/** Reads messages until `pred`; keeps the difficulty and the newest job current. */
export async function nextMessage(m: ChainMiner, pred: (msg: Msg) => boolean, timeoutMs = 20_000): Promise<Msg> {
  return m.client.until((msg) => {
    if (msg.method === 'mining.set_difficulty') m.difficulty = msg.params[0];
    if (msg.method === 'mining.notify') {
      m.job = notifyToJob(msg);
      if (m.job.clean) m.clean++;
    }
    return pred(msg);
  }, timeoutMs);
}

/** Subscribes and authorizes `user` (ADDRESS.worker) on `port`; waits for the first job unless told not to. */
export async function loginChainMiner(port: number, user: string, options: { waitForJob?: boolean } = {}): Promise<ChainMiner> {
  const client = await LineClient.connect(port);
  client.send({ id: 1, method: 'mining.subscribe', params: ['sharechain-test/1.0'] });
  const en1 = (await client.reply()).result[1] as string;
  client.send({ id: 2, method: 'mining.authorize', params: [user, ''] });
  const m: ChainMiner = { client, en1, user, difficulty: NaN, job: undefined as unknown as NotifyJob, en2: 0, clean: 0 };
  expect((await nextMessage(m, (msg) => msg.id === 2)).result).toBe(true);
  if (options.waitForJob !== false) await nextMessage(m, (msg) => msg.method === 'mining.notify');
  return m;
}

/**
 * Submits a share of twice the difficulty the connection was given: the connection's difficulty
 * is capped at a power of two at or below the chain's share difficulty, so such a hash always
 * meets the chain's share target. `below`: a hash that does not meet this difficulty (a block's:
 * a chain share that is no block, so the coin tip and the client's job stay). Resolves with the
 * share's id (its hash, hex of the internal order) once the edge answered "accepted".
 */
export async function mineChainShare(m: ChainMiner, options: { below?: number } = {}): Promise<string> {
  const en2 = (m.en2++).toString(16).padStart(8, '0');
  const job = m.job;
  const found = await findShare(job, m.en1, en2, m.difficulty * 2, options.below === undefined ? {} : { below: options.below });
  const id = 40 + m.en2;
  m.client.send({ id, method: 'mining.submit', params: [m.user, job.jobId, en2, job.fields.ntime, found.nonce] });
  const reply = await nextMessage(m, (msg) => msg.id === id);
  expect(reply, JSON.stringify(reply)).toMatchObject({ result: true, error: null });
  return bytesToHex(found.hash);
}

/** Waits for a clean job after `seen` were received (it may have come before the reply that preceded it). */
export async function cleanJobAfter(m: ChainMiner, seen: number): Promise<void> {
  if (m.clean > seen) return;
  await nextMessage(m, (msg) => msg.method === 'mining.notify' && msg.params[8] === true);
}

/**
 * Waits until `m`'s newest job builds on the coin's best block (`rpc`). A block found just before
 * a login (another edge's miner, on the same coin) can reach the edge after the job it sent with
 * the login: a share on that job is stale, and the clean job follows.
 */
export async function jobOnCoinTip(m: ChainMiner, rpc: RpcClient, timeoutMs = 20_000): Promise<void> {
  const best = await rpc.call<string>('getbestblockhash');
  const onTip = () => bytesToHex(prevHashFromStratum(m.job.fields.prevhash).reverse()) === best;
  if (onTip()) return;
  await nextMessage(m, (msg) => msg.method === 'mining.notify' && onTip(), timeoutMs);
}

/** The chain as an edge's database holds it (`dataDir`, or `databaseUrl`), loaded the way the edge loads it, over the coin's pool parameters. */
export async function storedChain(edge: { readonly dataDir: string }, rpc: RpcClient, databaseUrl?: string): Promise<{ chain: ShareChain; origins: Record<string, number> }> {
  const storage = await openStorage({ dataDir: edge.dataDir, ...(databaseUrl ? { databaseUrl } : {}) });
  try {
    const chain = new ShareChain({ params: poolParamsForGenesis(await rpc.call<string>('getblockhash', [0])), coin: new CoinTips() });
    await storage.chain.load((page) => chain.loadTrusted(page));
    return { chain, origins: await storage.chain.countByOrigin() };
  } finally {
    await storage.close();
  }
}
