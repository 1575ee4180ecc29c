/**
 * Serves a registry's /metrics: as a Hono route on the HTTP app, or on its own listener when
 * OTEDAMA_METRICS_PORT (metrics.port) is set, so Prometheus can scrape a port that the public
 * API does not share.
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { RateLimiter } from '../api/rate-limiter.ts';
import { PROMETHEUS_CONTENT_TYPE, type MetricsRegistry } from './metrics.ts';

/** The /metrics response (for a Hono route: `app.get('/metrics', () => metricsResponse(registry))`). */
export function metricsResponse(registry: MetricsRegistry): Response {
  return new Response(registry.render(), { headers: { 'content-type': PROMETHEUS_CONTENT_TYPE } });
}

export interface MetricsServer {
  readonly url: string;
  stop(): Promise<void>;
}

/** Scrapes per minute per address on the metrics port (Prometheus scrapes every 15 s or so). */
export const DEFAULT_SCRAPES_PER_MINUTE = 600;

/** Listens on host:port (0 = any free port) and answers GET /metrics (rate limited per address); anything else is 404. */
export function startMetricsServer(registry: MetricsRegistry, options: { host: string; port: number; ratePerMinute?: number }): Promise<MetricsServer> {
  const perMinute = options.ratePerMinute ?? DEFAULT_SCRAPES_PER_MINUTE;
  const limiter = new RateLimiter(perMinute);
  const server: Server = createServer((req, res) => {
    const decision = limiter.take(req.socket.remoteAddress ?? 'unknown');
    if (!decision.allowed) {
      res.writeHead(429, { 'content-type': 'text/plain; charset=utf-8', 'retry-after': String(decision.retryAfterSeconds) });
      res.end(`too many requests: at most ${perMinute} per minute per address\n`);
      return;
    }
    const path = (req.url ?? '/').split('?')[0];
    if (path !== '/metrics' || (req.method !== 'GET' && req.method !== 'HEAD')) {
      res.writeHead(path === '/metrics' ? 405 : 404, { 'content-type': 'text/plain; charset=utf-8' });
      res.end(path === '/metrics' ? 'use GET\n' : 'not found: metrics are at /metrics\n');
      return;
    }
    const body = registry.render();
    res.writeHead(200, { 'content-type': PROMETHEUS_CONTENT_TYPE, 'content-length': Buffer.byteLength(body) });
    res.end(req.method === 'HEAD' ? undefined : body);
  });
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port, options.host, () => {
      server.off('error', reject);
      const a = server.address() as AddressInfo;
      const host = a.family === 'IPv6' ? `[${a.address}]` : a.address;
      let stopped: Promise<void> | undefined;
      resolve({
        url: `http://${host}:${a.port}/metrics`,
        stop: () =>
          (stopped ??= new Promise<void>((r) => {
            server.close(() => r());
            server.closeAllConnections();
          })),
      });
    });
  });
}
