/**
 * The edge's composition root: builds every long-lived component from the config, starts them
 * in order and stops them in reverse. Components receive exactly what they use.
 */
import { serve, type ServerType } from '@hono/node-server';
import { mkdirSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import type { EdgeConfig } from './config.ts';
import { createHttpApp } from './http-app.ts';
import type { Logger } from './logger.ts';

export const WEB_ROOT = fileURLToPath(new URL('../../dist/web', import.meta.url));

export interface Edge {
  readonly httpUrl: string;
  stop(): Promise<void>;
}

function listen(app: ReturnType<typeof createHttpApp>, host: string, port: number): Promise<ServerType> {
  return new Promise((resolve, reject) => {
    const server = serve({ fetch: app.fetch, hostname: host, port }, () => resolve(server));
    server.once('error', reject);
  });
}

export async function startEdge(config: EdgeConfig, logger: Logger): Promise<Edge> {
  const log = logger.forComponent('edge');
  mkdirSync(config.dataDir, { recursive: true });
  const app = createHttpApp({ webRoot: WEB_ROOT });
  const http = await listen(app, config.http.host, config.http.port);
  const address = http.address();
  const port = typeof address === 'object' && address ? address.port : config.http.port;
  const httpUrl = `http://${config.http.host}:${port}/`;
  log.info('http listening', { url: httpUrl });

  let stopped = false;
  return {
    httpUrl,
    async stop() {
      if (stopped) return;
      stopped = true;
      await new Promise<void>((resolve) => http.close(() => resolve()));
      log.info('stopped');
    },
  };
}
