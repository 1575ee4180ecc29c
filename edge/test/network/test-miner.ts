/**
 * A miner peer of the pool's network for the network tests: a real P2pNode (the edge's own
 * libp2p node: handshake, gossip, sync) over a real ShareChain of the pool the edges run (its
 * parameters from the coin's genesis block, its coin tips from the simnet templates it reads over
 * RPC), that mines real SHA-256d shares (the WASM searcher) and gossips them, as a browser peer
 * (issue 11) does. It also misbehaves on request (invalid shares, oversized messages).
 *
 * Share times: a chain's first share carries the pool's initial (hard) target; the test miner
 * dates it hours back and its second share ASERT_RAMP_MS later, so ASERT has eased the demanded
 * target to the pool's easiest (a few hashes) and every later share, one share interval apart,
 * costs nothing to mine (docs/sharechain.md §5: the target telescopes from time). The coin header
 * carries the template's own time, so a share that is a block is a valid block now.
 */
import {
  bitsToTarget,
  bytesToHex,
  CoinTips,
  createChainJob,
  hashMeetsTarget,
  headerHash,
  jobMerkleBranch,
  parseBlockTemplate,
  serializeHeader,
  shareScriptSig,
  sharesTopic,
  withNonce,
  type AddedShare,
  type BlockTemplate,
  type Payee,
  type ShareChain,
  type ShareEntry,
} from '@otedama/core';
import { randomBytes } from 'node:crypto';
import { RpcClient } from '../../src/chain/rpc-client.ts';
import { createLogger, type Logger } from '../../src/logger.ts';
import { createCpuSearcher, type CpuSearcher } from '../../src/miner/cpu-searcher.ts';
import { ShareChainHost } from '../../src/p2p/chain-host-sharechain.ts';
import type { P2pNode } from '../../src/p2p/p2p-node.ts';
import { startTestNode } from '../../src/p2p/p2p-test-kit.ts';
import { edgeShareChain, poolParamsForGenesis } from '../../src/p2p/pool-chain.ts';

/** How far back a chain's first share is dated: room for the ramp and thousands of shares before now. */
export const FIRST_SHARE_AGE_MS = 4 * 60 * 60_000;
/** The second share's distance from the first: ~22 simnet half-lives, enough to ease the initial target (difficulty 2^-12) to the easiest. */
export const ASERT_RAMP_MS = 45 * 60_000;
/** Nonces searched per call of the WASM searcher. */
const SEARCH_CHUNK = 1 << 16;

export interface TestMinerOptions {
  /** The simnet (A's) RPC, read for the genesis block and templates. */
  readonly rpcUrl: string;
  readonly cookieFile: string;
  /** Edges to join (their printed multiaddrs). */
  readonly bootstrap: readonly string[];
  /** Who its shares pay. */
  readonly payees: readonly Payee[];
  readonly logger?: Logger;
}

export interface MineOptions {
  /** Mine until the share's hash also meets the coin's block target (the share is a block). */
  readonly block?: boolean;
  /** Build on this share instead of the tip (a fork). */
  readonly parent?: ShareEntry;
  /** Do not gossip it (a share only this miner holds, for sync to find). */
  readonly quiet?: boolean;
}

export class TestMiner {
  private template: BlockTemplate | undefined;

  private constructor(
    readonly chain: ShareChain,
    readonly host: ShareChainHost,
    readonly node: P2pNode,
    private readonly coin: CoinTips,
    private readonly rpc: RpcClient,
    private readonly searcher: CpuSearcher,
    private readonly payees: readonly Payee[],
    /** Shares its peers brought (gossip, sync). */
    readonly heard: AddedShare[],
  ) {}

  static async start(options: TestMinerOptions): Promise<TestMiner> {
    const logger = options.logger ?? createLogger({ level: 'silent' });
    const rpc = new RpcClient({ url: options.rpcUrl, cookieFile: options.cookieFile, logger, retries: 0 });
    const params = poolParamsForGenesis(await rpc.call<string>('getblockhash', [0]));
    const coin = new CoinTips();
    const chain = edgeShareChain(params, coin);
    const heard: AddedShare[] = [];
    const host = new ShareChainHost(chain, (added) => heard.push(added));
    const node = await startTestNode(host, { bootstrap: [...options.bootstrap], autoSync: true, logger, handshakeTimeoutMs: 5_000 });
    const miner = new TestMiner(chain, host, node, coin, rpc, await createCpuSearcher('wasm-simd'), options.payees, heard);
    await miner.refreshTemplate();
    return miner;
  }

  get peerId(): string {
    return this.node.peerId;
  }

  /** Reads simnet's current template (the coin tip shares build on) and tells the chain's coin context. */
  async refreshTemplate(): Promise<BlockTemplate> {
    const t = parseBlockTemplate(await this.rpc.call('getblocktemplate', [{ rules: ['segwit'] }]));
    this.coin.add(t.prevHash, { height: t.height, bits: t.bits, maxReward: t.coinbaseValue });
    this.template = t;
    return t;
  }

  /** Peers of the shares topic this miner would gossip to (an edge that admitted it and subscribed). */
  topicPeers(): number {
    return this.node.raw.services.pubsub.getSubscribers(sharesTopic(this.chain.poolId)).length;
  }

  /** Mines, adds and (unless quiet) gossips `n` shares on the tip (or on `parent`); returns them. */
  async mine(n = 1, options: MineOptions = {}): Promise<ShareEntry[]> {
    const out: ShareEntry[] = [];
    for (let i = 0; i < n; i++) {
      const bytes = await this.mineBytes(options, out[i - 1] ?? options.parent);
      const r = this.chain.add(bytes);
      if (r.kind !== 'accepted') throw new Error(`the test miner's own share was not accepted: ${r.kind} ${'message' in r ? r.message : ''}`);
      out.push(r.entry);
      if (!options.quiet) await this.node.publishShare(bytes);
    }
    return out;
  }

  /** The encoding of a mined share on `parent` (default the tip), not added anywhere. */
  async mineBytes(options: MineOptions = {}, parent: ShareEntry | undefined = options.parent ?? this.chain.tip): Promise<Uint8Array> {
    const t = this.template ?? (await this.refreshTemplate());
    const params = this.chain.params;
    const time = !parent ? Date.now() - FIRST_SHARE_AGE_MS : parent.time + (parent.maxBits === params.maxShareBits ? params.shareIntervalMs : ASERT_RAMP_MS);
    const job = createChainJob(this.chain, {
      payees: [...this.payees],
      coin: {
        prevHash: t.prevHash,
        height: t.height,
        bits: t.bits,
        reward: t.coinbaseValue,
        mandatedOutputs: t.defaultWitnessCommitment ? [t.defaultWitnessCommitment] : [],
        merkleBranch: jobMerkleBranch(t),
      },
      parent: parent ?? null,
      time,
    });
    const blockTarget = bitsToTarget(t.bits);
    const want = options.block ? (job.target < blockTarget ? job.target : blockTarget) : job.target;
    for (;;) {
      const scriptSig = shareScriptSig(t.height, randomBytes(8));
      const header = serializeHeader({ version: t.version, prevHash: t.prevHash, merkleRoot: job.merkleRoot(job.coinbase(scriptSig)), time: t.curtime, bits: t.bits, nonce: 0 });
      this.searcher.setJob(header, want);
      for (let start = 0; start < 2 ** 32; start += SEARCH_CHUNK) {
        for (const nonce of await this.searcher.search(start, SEARCH_CHUNK, 16)) {
          const solved = withNonce(header, nonce);
          // An ordinary share that happens to be a block would find a block the test did not ask for.
          if (!options.block && hashMeetsTarget(headerHash(solved), blockTarget)) continue;
          return job.encode(solved, scriptSig);
        }
      }
    }
  }

  /** The tip id as /api/sharechain prints it. */
  tipId(): string | undefined {
    const tip = this.chain.tip;
    return tip ? bytesToHex(tip.id) : undefined;
  }

  async stop(): Promise<void> {
    await this.node.stop();
    this.searcher.dispose();
    this.rpc.close();
  }
}
