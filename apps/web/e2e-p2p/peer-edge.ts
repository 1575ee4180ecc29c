/**
 * An edge as browser peers see it, for the browser-peer tests and benchmark: the coin (simnet,
 * or another edge's simnet over RPC), a ShareChain whose coin context follows this edge's
 * templates, the libp2p node (TCP and WebSockets listeners, relay, handshake, gossip, sync), the
 * browser pieces (signed templates, introductions, the block relay), and HTTP: the built web app,
 * GET /api/sharechain and GET /api/pool/stats. It composes the edge's own modules as `otedama pool`
 * does (edge/src/p2p/edge-network.ts wires the same publisher, introducer and relay; checked by
 * edge/test/browser-peers-edge.test.ts), plus what the tests need and `otedama pool` has no flag
 * for: pool parameter overrides (easy shares), a preloaded window, a short template validity, and
 * the propagation endpoints below.
 *
 *   tsx apps/web/e2e-p2p/peer-edge.ts --host 10.99.0.1 --http-port 8080 --p2p-port 4733 \
 *       --data-dir DIR --web-root dist/web (--simnet-difficulty D | --rpc-url URL --rpc-cookie FILE) \
 *       [--bootstrap MULTIADDR]... [--pool '{"initialShareBits":…}'] [--template-valid-ms MS]
 *       [--preload-shares N]   (mines N shares of 200 payees on its own chain first: a full window to sync)
 *       [--count-traffic]      (GET /api/debug/traffic: bytes by protocol and peer kind, gossip by topic,
 *                               loop delay, CPU time; edge-traffic.ts)
 *
 * Prints one JSON line on stdout once it serves: { ready, http, peerId, listen, rpcUrl, cookieFile }.
 * Logs (JSON) go to stderr. SIGTERM stops it.
 */
import { serve, type ServerType } from '@hono/node-server';
import { RELAY_V2_STOP_CODEC } from '@libp2p/circuit-relay-v2';
import { Hono } from 'hono';
import {
  addressToScript,
  bytesToHex,
  CoinTips,
  createChainJob,
  hashToBigInt,
  jobMerkleBranch,
  serializeHeader,
  sha256d,
  shareScriptSig,
  encodePoolParams,
  hexToBytes,
  poolIdHex,
  reverseBytes,
  scriptToAddress,
  ShareChain,
  simnetPoolParams,
  type AddedShare,
  type PoolParams,
} from '@otedama/core';
import { mkdirSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { createHttpApp } from '../../../edge/src/api/http-app.ts';
import { connectChain } from '../../../edge/src/chain/chain.ts';
import { RpcClient } from '../../../edge/src/chain/rpc-client.ts';
import { defaultConfig } from '../../../edge/src/config/config.ts';
import { createLogger } from '../../../edge/src/logger.ts';
import { BlockRelay } from '../../../edge/src/p2p/block-relay.ts';
import { ShareChainHost } from '../../../edge/src/p2p/chain-host-sharechain.ts';
import { SyncShareChainHost } from '../../../edge/src/p2p/chain-host-sync.ts';
import { loadOrCreateNodeKey } from '../../../edge/src/p2p/node-key.ts';
import { P2pNode } from '../../../edge/src/p2p/p2p-node.ts';
import { PeerIntroducer } from '../../../edge/src/p2p/peer-introducer.ts';
import { TemplateArchive } from '../../../edge/src/p2p/template-archive.ts';
import { TemplatePublisher } from '../../../edge/src/p2p/template-publisher.ts';
import { SIMNET_DEFAULT_PAYOUT_ADDRESS } from '../../../edge/src/simnet/simnet.ts';
import { EdgeTraffic } from './edge-traffic.ts';

const { values } = parseArgs({
  options: {
    host: { type: 'string', default: '127.0.0.1' },
    'http-port': { type: 'string', default: '0' },
    'p2p-port': { type: 'string', default: '0' },
    'data-dir': { type: 'string' },
    'web-root': { type: 'string' },
    'simnet-difficulty': { type: 'string' },
    'rpc-url': { type: 'string' },
    'rpc-cookie': { type: 'string' },
    bootstrap: { type: 'string', multiple: true, default: [] },
    pool: { type: 'string', default: '{}' },
    'template-valid-ms': { type: 'string', default: '120000' },
    'preload-shares': { type: 'string', default: '0' },
    'count-traffic': { type: 'boolean', default: false },
  },
});
const need = (name: keyof typeof values): string => {
  const v = values[name];
  if (typeof v !== 'string' || !v) throw new Error(`peer-edge: --${name} is required`);
  return v;
};

const logger = createLogger({ level: (process.env.OTEDAMA_LOG_LEVEL as 'info') ?? 'info', format: 'json' });
const log = logger.forComponent('peer-edge');
const dataDir = need('data-dir');
mkdirSync(dataDir, { recursive: true });
const host = values.host!;
const p2pPort = Number(values['p2p-port']);
const base = defaultConfig({});

const simnet = values['simnet-difficulty'] !== undefined;
const coinChain = await connectChain(
  {
    dataDir,
    chain: simnet
      ? { ...base.chain, mode: 'simnet', pollSeconds: 1, simnet: { rpcPort: 0, blockDifficulty: Number(values['simnet-difficulty']), blockRewardSats: 50 * 100_000_000 } }
      : { ...base.chain, mode: 'rpc', pollSeconds: 1, rpcUrl: need('rpc-url'), rpcCookieFile: need('rpc-cookie') },
  },
  logger,
);
const cookieFile = coinChain.simnet?.cookieFile ?? need('rpc-cookie');
const rpc = new RpcClient({ url: coinChain.rpcUrl, cookieFile, logger });
const genesisDisplay = await rpc.call<string>('getblockhash', [0]);
const overrides = JSON.parse(values.pool!, (_k, v) => (typeof v === 'string' && /^\d+n$/.test(v) ? BigInt(v.slice(0, -1)) : v)) as Partial<PoolParams>;
const params = simnetPoolParams(reverseBytes(hexToBytes(genesisDisplay, 32, 'genesis hash')), overrides);

// The coin context follows this edge's own templates: shares may build on its recent tips.
const coin = new CoinTips();
const richest = new Map<string, bigint>();
const follow = (t: NonNullable<ReturnType<typeof coinChain.source.current>>) => {
  const key = bytesToHex(t.prevHash);
  const reward = (richest.get(key) ?? 0n) > t.coinbaseValue ? richest.get(key)! : t.coinbaseValue;
  richest.set(key, reward);
  coin.add(t.prevHash, { height: t.height, bits: t.bits, maxReward: reward });
};
follow(coinChain.source.current()!);
coinChain.source.onTemplate((u) => follow(u.template));

const chain = new ShareChain({ params, coin });
const archive = new TemplateArchive();
let blocksSubmitted = 0;
const relay = new BlockRelay({
  chain,
  archive,
  submit: (hex) => coinChain.source.submitBlock(hex),
  logger,
  onBlock: (o) => {
    if (o.kind === 'submitted' && o.result.accepted && o.result.reason !== 'duplicate') blocksSubmitted++;
  },
});
/** When each share a peer brought was accepted here (ms): propagation figures for the benchmark. */
const arrivals = new Map<string, number>();
const onAccepted = (added: AddedShare) => {
  arrivals.set(added.entry.key, Date.now());
  if (arrivals.size > 100_000) arrivals.delete(arrivals.keys().next().value as string);
  if (added.isBlock) void relay.onShare(added.entry);
};
const chainHost = new ShareChainHost(chain, onAccepted);
preload(Number(values['preload-shares']));
const { privateKey } = await loadOrCreateNodeKey(dataDir, logger);
const publisher = new TemplatePublisher({ poolId: chain.poolId, privateKey, source: coinChain.source, archive, logger, validForMs: Number(values['template-valid-ms']) });
const node = new P2pNode({
  host: chainHost,
  syncHost: new SyncShareChainHost(chain, onAccepted),
  privateKey,
  listen: [`/ip4/${host}/tcp/${p2pPort}`, `/ip4/${host}/tcp/${p2pPort === 0 ? 0 : p2pPort + 1}/ws`],
  bootstrap: values.bootstrap!,
  maxPeers: 200,
  banSeconds: 60,
  logger,
  bootstrapRedialMs: 1000,
  extensions: [publisher, new PeerIntroducer(chain.poolId, logger)],
});
await node.start();
const traffic = values['count-traffic'] ? new EdgeTraffic(node.raw, node.raw.services.pubsub) : undefined;
// The relay's STOP streams to pages are dialed here, never handled: named to be counted.
traffic?.countStreams([RELAY_V2_STOP_CODEC]);
let connectionsTotal = 0;
node.raw.addEventListener('connection:open', () => connectionsTotal++);

const regtest = 'regtest' as const;
const finder = [{ script: addressToScript(SIMNET_DEFAULT_PAYOUT_ADDRESS, regtest), bp: 10_000 }];
const app = createHttpApp({
  webRoot: need('web-root'),
  routes: (a: Hono) => {
    // As the edge's API: GET answers are readable by pages of other origins (a page joins through several edges).
    a.use('/api/*', async (c, next) => {
      await next();
      c.res.headers.set('Access-Control-Allow-Origin', '*');
    });
    a.get('/api/sharechain/held/:id', (c) => c.json({ held: chain.has(c.req.param('id')) }));
    a.get('/api/sharechain/arrivals', (c) => c.json(Object.fromEntries(arrivals)));
    a.get('/api/debug/traffic', (c) => (traffic ? c.json(traffic.snapshot()) : c.json({ error: 'start the edge with --count-traffic' }, 404)));
    a.get('/api/pool/stats', (c) => c.json({ pool: { network: regtest, algorithm: params.algorithm } }));
    a.get('/api/sharechain', (c) => {
      const tip = chain.tip;
      const template = coinChain.source.current()!;
      let nextPayouts: { address: string; sats: string }[] = [];
      try {
        nextPayouts = chain.payouts(tip?.id, template.coinbaseValue, template.prevHash, finder).payees.map((p) => ({ address: scriptToAddress(p.script, regtest) ?? bytesToHex(p.script), sats: String(p.amount) }));
      } catch {
        // The window reaches shares not held yet (a sync under way): no payouts to show.
      }
      const status = node.status();
      return c.json({
        poolId: poolIdHex(params),
        params: bytesToHex(encodePoolParams(params)),
        network: regtest,
        peerId: status.peerId,
        listen: status.listen,
        tip: tip ? { id: bytesToHex(tip.id), height: tip.height } : null,
        windowShares: tip ? chain.window().shares : 0,
        peers: status.peers,
        admittedPeers: status.admittedPeers,
        sync: status.sync.state,
        nextPayouts,
        connectionsTotal,
        templatesPublished: publisher.publishedCount,
        coinHeight: template.height,
        blocksSubmitted,
        bans: node.guard.bans().map((b) => b.peer),
      });
    });
  },
});
const server: ServerType = await new Promise((resolve, reject) => {
  const s = serve({ fetch: app.fetch, hostname: host, port: Number(values['http-port']) }, () => resolve(s));
  s.once('error', reject);
});
const address = server.address();
const httpPort = typeof address === 'object' && address ? address.port : Number(values['http-port']);
process.stdout.write(`${JSON.stringify({ ready: true, http: `http://${host}:${httpPort}/`, peerId: node.peerId, listen: node.listenAddresses(), rpcUrl: coinChain.rpcUrl, cookieFile })}\n`);

/**
 * Mines `n` shares on this edge's own chain before it meets anyone (easy targets: the benchmark's
 * pool), one share interval apart and ending now, paying 200 payees in turn: a full window for a
 * page to sync.
 */
function preload(n: number): void {
  if (!(n > 0)) return;
  const t = coinChain.source.current()!;
  const coin = { prevHash: t.prevHash, height: t.height, bits: t.bits, reward: t.coinbaseValue, mandatedOutputs: t.defaultWitnessCommitment ? [t.defaultWitnessCommitment] : [], merkleBranch: jobMerkleBranch(t) };
  let time = Date.now() - n * params.shareIntervalMs;
  const t0 = performance.now();
  for (let i = 0; i < n; i++) {
    time += params.shareIntervalMs;
    const script = new Uint8Array(22);
    script[1] = 0x14;
    script[2] = i % 200;
    script[3] = 0x5a;
    const extranonce = new Uint8Array(8);
    new DataView(extranonce.buffer).setUint32(0, i);
    const job = createChainJob(chain, { payees: [{ script, bp: 10_000 }], coin, time, minerNonce: extranonce });
    const scriptSig = shareScriptSig(t.height, extranonce);
    const merkleRoot = job.merkleRoot(job.coinbase(scriptSig));
    for (let nonce = 0; ; nonce++) {
      const header = serializeHeader({ version: t.version, prevHash: t.prevHash, merkleRoot, time: Math.floor(time / 1000), bits: t.bits, nonce });
      if (hashToBigInt(sha256d(header)) <= job.target) {
        const r = chain.add(job.encode(header, scriptSig));
        if (r.kind !== 'accepted') throw new Error(`preloaded share ${i} was not accepted: ${r.kind}`);
        break;
      }
    }
  }
  log.info('preloaded shares', { shares: n, height: chain.height, windowShares: chain.window().shares, seconds: Math.round(performance.now() - t0) / 1000 });
}

let stopping = false;
for (const signal of ['SIGTERM', 'SIGINT'] as const) {
  process.on(signal, () => {
    if (stopping) return;
    stopping = true;
    log.info('stopping');
    void (async () => {
      server.close();
      await node.stop();
      rpc.close();
      await coinChain.stop();
      process.exit(0);
    })();
  });
}
