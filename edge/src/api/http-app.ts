/**
 * The edge's HTTP surface (Hono): health, the built web app, and mount points for the API and
 * the WebSocket job feed that later components add. /health and /metrics are rate limited per
 * IP address (their own buckets, so API traffic never starves a health check).
 */
import { Hono } from 'hono';
import { rateLimited } from './rate-limited.ts';
import { RateLimiter } from './rate-limiter.ts';
import { serveStatic } from '@hono/node-server/serve-static';
import { existsSync } from 'node:fs';
import { relative } from 'node:path';

export interface HttpAppDeps {
  /** Folder of the built web app (dist/web); served at /. */
  webRoot: string;
  /** Extra health facts (chain height, connections...). */
  health?: () => Record<string, unknown>;
  startedAt?: number;
  /** Adds routes (API, WebSocket feed) before the static catch-all. */
  routes?: (app: Hono) => void;
  /** Requests per minute per IP address to /health and /metrics (default DEFAULT_PROBE_RATE_PER_MINUTE). */
  probeRateLimitPerMinute?: number;
  now?: () => number;
}

/** /health and /metrics requests per minute per address: a probe every second and a scrape every 5 s fit easily. */
export const DEFAULT_PROBE_RATE_PER_MINUTE = 600;

export function createHttpApp(deps: HttpAppDeps, app: Hono = new Hono()): Hono {
  const startedAt = deps.startedAt ?? Date.now();
  const perMinute = deps.probeRateLimitPerMinute ?? DEFAULT_PROBE_RATE_PER_MINUTE;
  const probes = rateLimited(new RateLimiter(perMinute, deps.now), perMinute);
  app.use('/health', probes);
  app.use('/metrics', probes);
  app.get('/health', (c) =>
    c.json({ status: 'ok', uptimeSeconds: Math.round((Date.now() - startedAt) / 1000), ...deps.health?.() }),
  );
  deps.routes?.(app);
  if (existsSync(deps.webRoot)) {
    // serveStatic resolves `root` against the working directory.
    const root = relative(process.cwd(), deps.webRoot) || '.';
    app.use('/*', serveStatic({ root }));
    app.get('*', serveStatic({ root, path: 'index.html' }));
  } else {
    app.get('/', (c) =>
      c.text(`The web app is not built (${deps.webRoot} is missing). Run "npm start", which builds it.`, 503),
    );
  }
  return app;
}
