/**
 * The edge's HTTP surface (Hono): health, the built web app, and mount points for the API and
 * the WebSocket job feed that later components add.
 */
import { Hono } from 'hono';
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
}

export function createHttpApp(deps: HttpAppDeps, app: Hono = new Hono()): Hono {
  const startedAt = deps.startedAt ?? Date.now();
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
