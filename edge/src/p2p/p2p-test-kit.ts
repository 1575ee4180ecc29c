/**
 * Helpers for the p2p tests and the benchmark: real P2pNodes on 127.0.0.1 with fresh keys and
 * short deadlines, real ShareChains of one test pool with really mined (easy-target SHA-256d)
 * shares, a logger whose lines the tests read, and bare libp2p nodes that speak only what a test
 * makes them speak (hostile peers).
 */
import { noise } from '@chainsafe/libp2p-noise';
import { yamux } from '@chainsafe/libp2p-yamux';
import { generateKeyPair } from '@libp2p/crypto/keys';
import { gossipsub, type GossipSub } from '@libp2p/gossipsub';
import { identify } from '@libp2p/identify';
import type { Libp2p } from '@libp2p/interface';
import { tcp } from '@libp2p/tcp';
import { sha256, sharesTopic, type AddedShare, type CoinTips, type CoinTipInfo, type PoolParams } from '@otedama/core';
import { coinTip, extend, testPool, type MineOptions, type TestPool } from '../../../core/test/sharechain-fixtures.ts';
import { ShareChainHost } from './chain-host-sharechain.ts';
import { edgeShareChain } from './pool-chain.ts';
import { createLibp2p } from 'libp2p';
import { createLogger, type Logger } from '../logger.ts';
import type { ChainHost } from './chain-host.ts';
import { P2pNode, type P2pNodeOptions } from './p2p-node.ts';

export interface CapturedLog {
  readonly logger: Logger;
  readonly lines: string[];
  /** Lines (JSON) whose message matches, parsed. */
  find(msg: string | RegExp): Record<string, unknown>[];
}

export function captureLog(level: 'debug' | 'info' = 'info'): CapturedLog {
  const lines: string[] = [];
  const logger = createLogger({ level, format: 'json', write: (l) => lines.push(l) });
  return {
    logger,
    lines,
    find: (msg) =>
      lines
        .map((l) => JSON.parse(l) as Record<string, unknown>)
        .filter((e) => (typeof msg === 'string' ? e.msg === msg : msg.test(String(e.msg)))),
  };
}

export async function startTestNode(host: ChainHost, options: Partial<P2pNodeOptions> = {}): Promise<P2pNode> {
  const node = new P2pNode({
    host,
    privateKey: options.privateKey ?? (await generateKeyPair('Ed25519')),
    listen: ['/ip4/127.0.0.1/tcp/0'],
    bootstrap: [],
    maxPeers: 50,
    banSeconds: 60,
    logger: options.logger ?? createLogger({ level: 'silent' }),
    handshakeTimeoutMs: 1500,
    bootstrapRedialMs: 500,
    autoSync: false,
    ...options,
  });
  await node.start();
  return node;
}

/** True when `to` is in `node`'s gossipsub mesh of the shares topic (gossip is forwarded along the mesh). */
export function meshed(node: P2pNode, to: P2pNode): boolean {
  return node.raw.services.pubsub.getMeshPeers(sharesTopic(node.poolIdBytes)).includes(to.peerId);
}

/** The first TCP address of a node, for dialing and bootstrap lists. */
export function addrOf(node: P2pNode): string {
  return node.listenAddresses().find((a) => a.includes('/tcp/') && !a.includes('/ws'))!;
}

/** A bare libp2p node: TCP, Noise, yamux, identify and a stock gossipsub; no handshake, no limits. */
export async function bareNode(): Promise<Libp2p<{ identify: unknown; pubsub: GossipSub }>> {
  return createLibp2p({
    addresses: { listen: ['/ip4/127.0.0.1/tcp/0'] },
    transports: [tcp()],
    connectionEncrypters: [noise()],
    streamMuxers: [yamux()],
    connectionGater: { denyDialMultiaddr: () => false },
    services: { identify: identify(), pubsub: gossipsub({ allowPublishToZeroTopicPeers: true, fallbackToFloodsub: false }) },
  });
}

/** An unsigned LEB128 length prefix followed by `length` bytes of filler, cut to `send` bytes. */
export function frame(length: number, send = length): Uint8Array {
  const prefix: number[] = [];
  let n = length;
  do {
    prefix.push((n & 0x7f) | (n > 0x7f ? 0x80 : 0));
    n = Math.floor(n / 128);
  } while (n > 0);
  const out = new Uint8Array(prefix.length + Math.min(send, length));
  out.set(prefix);
  return out;
}

/**
 * A chain that holds no share yet (a new pool), for tests of what happens before any share
 * moves: the handshake, the gate, frame limits. It records what peers asked of it.
 */
export function emptyChainHost(poolName: string): ChainHost & { calls: string[] } {
  const calls: string[] = [];
  return {
    poolId: sha256(new TextEncoder().encode(poolName)),
    calls,
    receiveShare: () => (calls.push('receiveShare'), { result: 'invalid', reason: 'this chain holds no share yet' }),
    sharesById: () => (calls.push('sharesById'), []),
    sharesAfter: () => (calls.push('sharesAfter'), []),
    locator: () => [],
    tip: () => (calls.push('tip'), undefined),
  };
}

/** One test pool (params and the coin tip its shares build on) that every node's chain follows. */
export interface TestNetwork {
  readonly params: PoolParams;
  readonly coin: CoinTips;
  readonly tip: { prevHash: Uint8Array; info: CoinTipInfo };
}

export function testNetwork(): TestNetwork {
  const pool = testPool();
  return { params: pool.chain.params, coin: pool.coin, tip: coinTip(1) };
}

/** A node's own chain of the network, as an edge builds it (the real clock: shares of the test's past times are fine). */
export function chainHost(net: TestNetwork, onAccepted?: (added: AddedShare) => void): ShareChainHost {
  return new ShareChainHost(edgeShareChain(net.params, net.coin), onAccepted);
}

/**
 * A miner on `host`'s chain: mines `n` real shares on its tip, adds them, returns their encodings.
 * Share times advance one share interval each from `miner.now` (kept across calls).
 */
export interface Miner {
  readonly pool: TestPool;
  mine(n: number, options?: MineOptions): Uint8Array[];
}

export function minerOn(net: TestNetwork, host: ShareChainHost, startMs = 1_700_000_000_000): Miner {
  const pool: TestPool = { chain: host.chain, coin: net.coin, tip: net.tip, now: Math.max(startMs, host.chain.tip?.time ?? 0) };
  return { pool, mine: (n, options = {}) => extend(pool, n, options).map((e) => e.encoded) };
}
