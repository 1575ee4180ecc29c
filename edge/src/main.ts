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
import { connectChain } from './chain.ts';
import type { EdgeConfig } from './config.ts';
import { ConfigError } from './errors.ts';
import { createHttpApp } from './http-app.ts';
import { MAX_WS_MESSAGE_BYTES, WebSocketLineStream } from './job-feed-ws.ts';
import type { Logger } from './logger.ts';
import { singleAddressPayouts } from './payout-provider.ts';
import { SIMNET_DEFAULT_PAYOUT_ADDRESS } from './simnet.ts';
import { chainAddressValidator, startStratum } from './stratum-service.ts';

export const WEB_ROOT = fileURLToPath(new URL('../../dist/web', import.meta.url));

export interface Edge {
  readonly httpUrl: string;
  readonly stratumUrl: string;
  readonly rpcUrl: string;
  stop(): Promise<void>;
}

function listen(app: Hono, host: string, port: number): Promise<ServerType> {
  return new Promise((resolve, reject) => {
    const server = serve({ fetch: app.fetch, hostname: host, port }, () => resolve(server));
    server.once('error', reject);
  });
}

export async function startEdge(config: EdgeConfig, logger: Logger): Promise<Edge> {
  const log = logger.forComponent('edge');
  mkdirSync(config.dataDir, { recursive: true });
  const stopOnFailure: (() => Promise<void>)[] = [];
  const unwind = async () => {
    for (const stop of stopOnFailure.reverse()) await stop().catch(() => undefined);
  };
  try {
    const chain = await connectChain(config, logger);
    stopOnFailure.push(() => chain.stop());
    const payoutAddress = config.pool.payoutAddress || (chain.simnet ? SIMNET_DEFAULT_PAYOUT_ADDRESS : undefined);
    if (!payoutAddress) throw new ConfigError('pool.payoutAddress is required when chain.mode is "rpc"');
    const stratum = await startStratum({
      config: config.stratum,
      coinbaseTag: config.pool.coinbaseTag,
      logger,
      templateSource: chain.source,
      validateAddress: chainAddressValidator(chain.network, chain.simnet ? 'simnet' : undefined),
      payouts: singleAddressPayouts(payoutAddress, chain.network),
      onBlock: (block) => log.info('block found', { height: block.height, hash: block.hash, accepted: block.accepted }),
    });
    stopOnFailure.push(() => stratum.stop());

    const app = new Hono();
    const nodeWs = createNodeWebSocket({ app });
    const httpApp = createHttpApp(
      {
        webRoot: WEB_ROOT,
        health: () => ({ chain: { height: chain.source.current()?.height, network: chain.network }, stratum: stratum.stats() }),
        routes: (a) => {
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
      stop() {
        stopping ??= (async () => {
          for (const client of nodeWs.wss.clients) client.terminate();
          await new Promise<void>((resolve) => {
            http.close(() => resolve());
            (http as { closeAllConnections?: () => void }).closeAllConnections?.();
          });
          await stratum.stop();
          await chain.stop();
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
