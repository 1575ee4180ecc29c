/**
 * The edge's composition root: builds every long-lived component from the config, starts them
 * in order and stops them in reverse. Components receive exactly what they use.
 */
import { serve, type ServerType } from '@hono/node-server';
import { createNodeWebSocket } from '@hono/node-ws';
import { Hono } from 'hono';
import { mkdirSync } from 'node:fs';
import type { IncomingMessage } from 'node:http';
import { fileURLToPath } from 'node:url';
import { kawpowSharePow } from '@otedama/core';
import type { AddedShare } from '@otedama/core';
import { AdminToken } from './api/admin-token.ts';
import { createApiRoutes } from './api/api.ts';
import { BlockReconciler, COINBASE_MATURITY, sharechainFinder } from './accounting/block-reconciler.ts';
import { connectChain } from './chain/chain.ts';
import { coinbaseMaturity, rpcChainView, simnetChainView } from './chain/chain-view.ts';
import { processConnectionBudget } from './config/connection-budget.ts';
import { DataDirLock } from './storage/data-dir-lock.ts';
import type { EdgeConfig } from './config/config.ts';
import { ConfigError, ListenError } from './errors.ts';
import { createHttpApp } from './api/http-app.ts';
import { MAX_WS_MESSAGE_BYTES, WebSocketLineStream } from './stratum/job-feed-ws.ts';
import type { Logger } from './logger.ts';
import { MetricsRegistry } from './metrics/metrics.ts';
import { metricsResponse, startMetricsServer, type MetricsServer } from './metrics/metrics-server.ts';
import { BlockRecorder } from './accounting/block-recorder.ts';
import { ChainShares } from './accounting/chain-shares.ts';
import { sharePayees } from './accounting/share-payees.ts';
import { createPoolMetrics } from './metrics/pool-metrics.ts';
import { createP2pMetrics } from './metrics/p2p-metrics.ts';
import { startEdgeNetwork } from './p2p/edge-network.ts';
import { startBlockRelay } from './p2p/block-relay.ts';
import { registerProcessMetrics } from './metrics/process-metrics.ts';
import { createShareAccounting } from './accounting/share-accounting.ts';
import { SIMNET_DEFAULT_PAYOUT_ADDRESSES } from './simnet/simnet.ts';
import { openStorage, type Storage } from './storage/open-storage.ts';
import { ShareWriter } from './storage/share-writer.ts';
import { chainAddressValidator, startStratum } from './stratum/stratum-service.ts';
import type { StratumStats } from './stratum/stratum-server.ts';
import { resolveWebRoot } from './api/web-root.ts';
import { createWidgetRoutes, webSocketHosts } from './api/widget-routes.ts';
import { WIDGET_VERSION } from '@otedama/widget';

/** How often the hashrate gauge is recomputed from the share rollup (seconds). */
const HASHRATE_REFRESH_S = 15;
/** Migration steps that report progress on the terminal: data migrations over this many rows. */
const MIGRATION_PROGRESS_MIN_ROWS = 1000;

export const WEB_ROOT = fileURLToPath(new URL('../../dist/web', import.meta.url));
/** The embeddable widget's build, served at /widget/ (api/widget-routes.ts). */
export const WIDGET_ROOT = fileURLToPath(new URL('../../dist/widget', import.meta.url));

export interface Edge {
  readonly httpUrl: string;
  readonly stratumUrl: string;
  readonly rpcUrl: string;
  /** Where Prometheus scrapes: the HTTP port's /metrics, or the metrics port's. */
  readonly metricsUrl: string;
  /** Schema version of the database after migrations. */
  readonly schemaVersion: number;
  /** The libp2p node's peer id and listen multiaddrs (dialable as --bootstrap); absent with p2p off. */
  readonly p2p?: { readonly peerId: string; readonly listen: readonly string[] };
  /** The Stratum server's own accounting (connections, shares, refusals, buffered bytes, ...). */
  stratumStats(): StratumStats;
  stop(): Promise<void>;
}

export interface StartEdgeOptions {
  /** Progress of long operations (migrations), for the terminal. */
  readonly onProgress?: (line: string) => void;
  /** Where OTEDAMA_TEST_FAULT is read (default process.env); see TEST_FAULTS. */
  readonly env?: Record<string, string | undefined>;
}

/**
 * Test-only fault injection, read once at start from OTEDAMA_TEST_FAULT (never set it on a real
 * pool): the hostile tests use it to crash the edge at the one moment a crash costs the most.
 *   exit-after-submitblock  SIGKILL this process right after the node accepted a found block,
 *                           before the edge records it (the reconciler repairs this at start).
 *   skip-block-write-ahead  do not write found blocks ahead (with the above: the reconciler must
 *                           find the block in the chain by its coinbase).
 */
export const TEST_FAULTS = ['exit-after-submitblock', 'skip-block-write-ahead'] as const;

function listen(app: Hono, host: string, port: number): Promise<ServerType> {
  return new Promise((resolve, reject) => {
    const server = serve({ fetch: app.fetch, hostname: host, port }, () => resolve(server));
    server.once('error', (err: NodeJS.ErrnoException) => reject(new ListenError('HTTP', host, port, err)));
  });
}

export async function startEdge(config: EdgeConfig, logger: Logger, options: StartEdgeOptions = {}): Promise<Edge> {
  const log = logger.forComponent('edge');
  // Before anything opens: a --web-root that names no built web app is a startup error.
  const webRoot = resolveWebRoot(config.http.webRoot, WEB_ROOT);
  if (webRoot.built) log.info('web app', { webRoot: webRoot.path, from: webRoot.configured ? '--web-root / http.web_root' : 'default' });
  else log.warn('web app is not built; / answers 503 until it is (npm start builds it)', { webRoot: webRoot.path });
  // One edge per data folder: nothing in it is touched before the lock is ours.
  const lock = DataDirLock.acquire(config.dataDir);
  mkdirSync(config.dataDir, { recursive: true });
  const faults = new Set((options.env ?? process.env).OTEDAMA_TEST_FAULT?.split(',').map((f) => f.trim()).filter(Boolean) ?? []);
  for (const f of faults) {
    if (!(TEST_FAULTS as readonly string[]).includes(f)) throw new ConfigError(`OTEDAMA_TEST_FAULT: unknown fault "${f}" (known: ${TEST_FAULTS.join(', ')})`);
    log.warn('test fault injection is on: never run a real pool like this', { fault: f });
  }
  const budget = processConnectionBudget();
  const stratumConfig = { ...config.stratum, maxConnections: config.stratum.maxConnections || budget.stratum };
  const httpMaxConnections = config.http.maxConnections || budget.http;
  log.info('connection limits', {
    descriptorLimit: budget.descriptorLimit,
    from: budget.source,
    reserved: budget.reserved,
    stratum: stratumConfig.maxConnections,
    stratumPerIp: stratumConfig.maxConnectionsPerIp,
    http: httpMaxConnections,
  });
  const stopOnFailure: (() => Promise<void>)[] = [async () => lock.release()];
  const unwind = async () => {
    for (const stop of stopOnFailure.reverse()) await stop().catch(() => undefined);
  };
  try {
    const storage: Storage = await openStorage({
      dataDir: config.dataDir,
      ...(config.storage.databaseUrl ? { databaseUrl: config.storage.databaseUrl } : {}),
      synchronous: config.storage.sqliteSynchronous,
      onMigrationProgress: (p) => {
        log.debug('migration', { ...p });
        // Schema steps are instant; only data migrations (many rows) report their progress.
        if (p.phase === 'progress' && !(p.of !== undefined && p.of >= MIGRATION_PROGRESS_MIN_ROWS)) return;
        const step = p.phase === 'progress' ? ` ${p.done ?? 0}/${p.of}` : p.phase === 'done' ? ` (${Math.round(p.elapsedMs)} ms)` : '';
        options.onProgress?.(`database: migration ${p.index}/${p.total} (v${p.version} ${p.name}) ${p.phase}${step}`);
      },
      onIdleError: (err) => log.warn('database connection error', { error: err.message }),
    });
    stopOnFailure.push(() => storage.close());
    log.info('database open', { backend: storage.driver.dialect, schemaVersion: storage.migration.to });

    const registry = new MetricsRegistry();
    const metrics = createPoolMetrics(registry);
    const processMetrics = registerProcessMetrics(registry);
    stopOnFailure.push(async () => processMetrics.stop());

    const chain = await connectChain(config, logger, options.onProgress ? { onProgress: options.onProgress } : {});
    stopOnFailure.push(() => chain.stop());
    const payoutAddress = config.pool.payoutAddress || (chain.simnet ? SIMNET_DEFAULT_PAYOUT_ADDRESSES[chain.coin] : undefined);
    if (!payoutAddress) throw new ConfigError('pool.payoutAddress is required when chain.mode is "rpc"');
    // Fails here, before anything listens, for an operator address the chain cannot pay.
    const payees = sharePayees({ network: chain.network, feeAddress: payoutAddress, feeBp: config.pool.feeBp, coin: chain.coin });
    // The shares' proof of work where core has none of its own (KawPow: the light evaluation).
    const sharePow = chain.kawpow ? kawpowSharePow(chain.kawpow.mix) : undefined;
    const legacy = await storage.store.legacyCarriedBalances();
    if (legacy.addresses > 0) {
      log.warn('the retired custodial PPLNS owed carried balances when this database moved to the sharechain; nothing pays them now (table legacy_carried_balances)', {
        addresses: legacy.addresses,
        totalSats: String(legacy.total),
      });
    }
    // The pool's network: its sharechain (pool id from the coin, shares in the database) and, unless off, the libp2p node.
    const p2pMetrics = createP2pMetrics(registry);
    let onPeerShare: ((added: AddedShare) => void) | undefined;
    const network = await startEdgeNetwork({
      config,
      chain,
      logger,
      metrics: p2pMetrics,
      store: storage.chain,
      algorithm: chain.algorithm.name,
      ...(sharePow ? { pow: sharePow } : {}),
      ...(options.onProgress ? { onProgress: options.onProgress } : {}),
      onPeerShare: (added) => onPeerShare?.(added),
    });
    stopOnFailure.push(() => network.stop());
    // A share of the network that meets the coin's target is a block: this edge submits it too.
    // It archives into the template publisher's archive: a block a page finds on a published template is rebuilt from it.
    const blockRelay = startBlockRelay({ chain: network.sharechain.chain, source: chain.source, logger, archive: network.archive });
    stopOnFailure.push(async () => blockRelay.stop());
    onPeerShare = (added) => void blockRelay.relay.onShare(added.entry);
    registry.collect(() => {
      metrics.peersConnected.set(network.summary().peers);
      p2pMetrics.sharechainHeight.set(network.sharechain.chain.height);
    });

    // The books catch up with the coin chain before anything mines.
    const reconciler = new BlockReconciler({
      chain: chain.simnet ? simnetChainView(chain.simnet, chain.algorithm.header.bytes) : rpcChainView(chain.client),
      store: storage.store,
      network: chain.network,
      coin: chain.coin,
      poolAddress: payoutAddress,
      coinbaseTag: config.pool.coinbaseTag,
      logger,
      // Every block of the pool, whoever found it: its coinbase commits to the pool id.
      poolId: network.sharechain.chain.poolId,
      finderOf: sharechainFinder(network.sharechain.chain, chain.network),
      maturity: await coinbaseMaturity(chain, COINBASE_MATURITY),
    });
    try {
      await reconciler.reconcile();
    } catch (err) {
      log.error('could not reconcile the books with the chain; will retry on the next block', { error: (err as Error).message });
    }
    const unsubscribeReconcile = chain.source.onTemplate((u) => {
      if (u.newBlock) void reconciler.refresh().catch((err: Error) => log.warn('block status refresh failed', { error: err.message }));
    });
    stopOnFailure.push(async () => unsubscribeReconcile());
    const blocks = new BlockRecorder({ store: storage.store, network: chain.network, coin: chain.coin, headerBytes: chain.algorithm.header.bytes, operatorAddress: payoutAddress, logger });
    const shareWriter = new ShareWriter(storage.store, {
      flushMs: config.storage.batchMs,
      maxBatch: config.storage.maxBatch,
      onCommit: (batch, elapsedMs) => {
        metrics.shareCommitSeconds.observe(elapsedMs / 1000);
        metrics.shareCommitBatch.observe(batch.length);
      },
      onError: (err, n) => log.error('share batch not committed', { shares: n, reason: err.reason }),
    });
    stopOnFailure.push(() => shareWriter.stop());
    const chainShares = new ChainShares({ addLocal: (bytes) => network.addLocalShare(bytes), logger, sharesTotal: p2pMetrics.sharesTotal });

    const stratum = await startStratum({
      config: stratumConfig,
      coinbaseTag: config.pool.coinbaseTag,
      logger,
      templateSource: chain.source,
      validateAddress: chainAddressValidator(chain.network, chain.simnet ? 'simnet' : undefined, chain.coin),
      // The Stratum dialect of the chain's algorithm (SHA-256d's, or KawPow's with the light evaluation).
      algorithm: chain.algorithm.name,
      ...(chain.kawpow ? { kawpowLight: chain.kawpow } : {}),
      chain: network.sharechain,
      payees,
      // No job before the sharechain is synced from the peers (network.initialSync below).
      serving: false,
      hooks: createShareAccounting({ writer: shareWriter, chainShares, metrics }),
      beforeSubmitBlock: faults.has('skip-block-write-ahead') ? undefined : (block) => blocks.writeAhead(block),
      onBlock: (block) => {
        log.info('block found', { height: block.height, hash: block.hash, accepted: block.accepted });
        if (block.accepted && faults.has('exit-after-submitblock')) {
          log.warn('test fault: SIGKILL after the node accepted the block, before recording it', { height: block.height, hash: block.hash });
          process.kill(process.pid, 'SIGKILL');
        }
        if (!block.accepted) {
          storage.store.deleteBlockSubmission(block.hash).catch((err: Error) => log.warn('write-ahead row of a rejected block not removed', { hash: block.hash, error: err.message }));
          return;
        }
        metrics.blocksFound.inc();
        // Simnet has no reorgs: its blocks are final at once; a real chain's wait for maturity.
        blocks.record(block, chain.simnet ? 'confirmed' : 'pending').catch((err: Error) =>
          log.error('block payouts not recorded', { height: block.height, hash: block.hash, error: err.message }),
        );
      },
    });
    stopOnFailure.push(() => stratum.stop());
    registry.collect(() => metrics.stratumConnections.set(stratum.stats().connections));
    // Sync before serving work (a network of one serves at once); connections wait for their first job.
    void network.initialSync().then(() => stratum.jobs.setServing(true), (err: Error) => log.error('initial sync failed', { error: err.message }));
    const refreshHashrate = () =>
      storage.store.poolStats().then(
        (s) => {
          metrics.hashrateTotal.set(s.hashrate.m10);
          metrics.hashrateWindowSeconds.set(s.hashrate.seconds.m10);
        },
        (err: Error) => log.debug('hashrate refresh failed', { error: err.message }),
      );
    void refreshHashrate();
    const hashrateTimer = setInterval(() => void refreshHashrate(), HASHRATE_REFRESH_S * 1000);
    hashrateTimer.unref();
    stopOnFailure.push(async () => clearInterval(hashrateTimer));

    let metricsServer: MetricsServer | undefined;
    if (config.metrics.port !== undefined) {
      metricsServer = await startMetricsServer(registry, { host: config.metrics.host, port: config.metrics.port, ratePerMinute: config.security.probeRateLimitPerMinute });
      stopOnFailure.push(() => metricsServer!.stop());
      log.info('metrics listening', { url: metricsServer.url });
    }

    const adminToken = await AdminToken.create(config.dataDir);
    stopOnFailure.push(() => adminToken.remove());

    const startedAt = Date.now();
    const app = new Hono();
    const nodeWs = createNodeWebSocket({ app });
    const httpApp = createHttpApp(
      {
        webRoot: webRoot.path,
        startedAt,
        probeRateLimitPerMinute: config.security.probeRateLimitPerMinute,
        health: () => ({
          chain: { height: chain.source.current()?.height, network: chain.network, mode: config.chain.mode, rpcUrl: chain.rpcUrl },
          stratum: stratum.stats(),
          stratumUrl: `stratum+tcp://${stratum.address.host}:${stratum.address.port}`,
          database: { backend: storage.driver.dialect, schemaVersion: storage.migration.to, pendingShares: shareWriter.stats.pending },
          p2p: (({ poolId, peerId, peers }) => ({ poolId, peerId, peers }))(network.summary()),
        }),
        routes: (a) => {
          if (!metricsServer) a.get('/metrics', () => metricsResponse(registry));
          createWidgetRoutes({ root: WIDGET_ROOT, version: WIDGET_VERSION, contact: config.widget.contact, sourceUrl: config.widget.sourceUrl, peerSockets: () => webSocketHosts(network.summary().listen) })(a);
          createApiRoutes({
            store: storage.store,
            pool: {
              feeBp: config.pool.feeBp,
              minPayoutSats: network.sharechain.params.minPayoutSats,
              feeAddress: payoutAddress,
              network: chain.network,
              chainName: chain.simnet ? 'simnet' : undefined,
              algorithm: chain.algorithm.name,
            },
            live: () => ({ height: chain.source.current()?.height, stratum: stratum.stats(), windowShares: network.summary().windowShares }),
            standing: (address) => network.standing(address),
            dataDir: config.dataDir,
            sharechain: network,
            adminToken,
            rateLimitPerMinute: config.security.apiRateLimitPerMinute,
            logger,
          })(a);
          a.get(
            '/ws/stratum',
            nodeWs.upgradeWebSocket((c) => {
              const incoming = (c.env as { incoming?: IncomingMessage }).incoming;
              return {
                onOpen(_evt, ws) {
                  const raw = ws.raw!;
                  const stream = new WebSocketLineStream(raw, {
                    remoteAddress: incoming?.socket.remoteAddress ?? 'unknown',
                    localAddress: incoming?.socket.localAddress ?? config.http.host,
                    localPort: stratum.address.port,
                  });
                  stratum.server.acceptConnection(stream.asSocket());
                },
              };
            }),
          );
        },
      },
      app,
    );
    nodeWs.wss.options.maxPayload = MAX_WS_MESSAGE_BYTES;
    const http = await listen(httpApp, config.http.host, config.http.port);
    // Connections past the HTTP share of the descriptor budget are dropped at accept.
    (http as { maxConnections?: number }).maxConnections = httpMaxConnections;
    nodeWs.injectWebSocket(http);
    stopOnFailure.push(() => new Promise<void>((resolve) => http.close(() => resolve())));
    const address = http.address();
    const port = typeof address === 'object' && address ? address.port : config.http.port;
    const httpUrl = `http://${config.http.host}:${port}/`;
    const stratumUrl = `stratum+tcp://${stratum.address.host}:${stratum.address.port}`;
    log.info('http listening', { url: httpUrl });

    let stopping: Promise<void> | undefined;
    return {
      httpUrl,
      stratumUrl,
      rpcUrl: chain.rpcUrl,
      metricsUrl: metricsServer?.url ?? `${httpUrl}metrics`,
      schemaVersion: storage.migration.to,
      ...(network.p2p ? { p2p: { peerId: network.p2p.peerId, listen: network.p2p.listenAddresses() } } : {}),
      stratumStats: () => stratum.stats(),
      stop() {
        stopping ??= (async () => {
          for (const client of nodeWs.wss.clients) client.terminate();
          await new Promise<void>((resolve) => {
            http.close(() => resolve());
            (http as { closeAllConnections?: () => void }).closeAllConnections?.();
          });
          clearInterval(hashrateTimer);
          // Stratum first (no new shares), then commit what is queued, then the rest.
          await stratum.stop();
          await shareWriter.stop();
          blockRelay.stop();
          await network.stop();
          await metricsServer?.stop();
          processMetrics.stop();
          unsubscribeReconcile();
          await chain.stop();
          await storage.close();
          await adminToken.remove();
          lock.release();
          log.info('stopped');
        })();
        return stopping;
      },
    };
  } catch (err) {
    await unwind();
    throw err;
  }
}
