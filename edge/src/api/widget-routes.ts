/**
 * The embeddable widget on the edge: the build in dist/widget served at /widget/ (the snippet
 * generator at /widget/, the loader at /widget/loader.js, the frame at /widget/frame.html, the
 * miner's chunks under /widget/assets/), and its self-description at
 * /.well-known/otedama-widget.json (widget-document.ts).
 *
 * Headers: the loader and the well-known document may be read from any origin (CORS `*`), so a
 * site can pin the loader with Subresource Integrity; the frame page carries its own strict
 * Content-Security-Policy (scripts, styles, workers and connections to this edge only). Nothing
 * here asks anything of the host page (no special headers, no X-Frame-Options: any site may embed
 * the frame). Unknown paths under /widget/ are 404, never the web app.
 */
import { serveStatic } from '@hono/node-server/serve-static';
import type { Context, Hono } from 'hono';
import { existsSync } from 'node:fs';
import { join, relative } from 'node:path';
import { widgetDocument } from './widget-document.ts';

export const WELL_KNOWN_PATH = '/.well-known/otedama-widget.json';

export interface WidgetRoutesDeps {
  /** Folder of the widget build (dist/widget). */
  readonly root: string;
  readonly version: string;
  readonly contact?: string | undefined;
  readonly sourceUrl?: string | undefined;
  /** The edge's libp2p WebSockets listeners as host:port (the frame joins the pool's network through them); none with p2p off. */
  readonly peerSockets?: () => readonly string[];
}

/**
 * The frame's policy: its own scripts and styles, WebAssembly, workers, this edge's job feed and
 * its libp2p WebSockets listeners (`peerSockets`, host:port: the frame is a peer of the network).
 */
export function frameCsp(host: string, peerSockets: readonly string[] = []): string {
  const peers = peerSockets.flatMap((h) => [`ws://${h}`, `wss://${h}`]);
  return [
    "default-src 'none'",
    "script-src 'self' 'wasm-unsafe-eval'",
    "style-src 'self'",
    "img-src 'self' data:",
    ['connect-src', "'self'", `ws://${host}`, `wss://${host}`, ...peers].join(' '),
    "worker-src 'self'",
    "base-uri 'none'",
    "form-action 'none'",
  ].join('; ');
}

function origin(c: Context): string {
  return new URL(c.req.url).origin;
}

export function createWidgetRoutes(deps: WidgetRoutesDeps): (app: Hono) => void {
  const built = () => existsSync(join(deps.root, 'loader.js')) && existsSync(join(deps.root, 'frame.html'));
  const notBuilt = (c: Context) => c.text(`The widget is not built (${deps.root} has no loader.js). Run "npm start", which builds it.`, 503);
  // serveStatic resolves `root` against the working directory.
  const root = () => relative(process.cwd(), deps.root) || '.';

  return (app) => {
    app.get(WELL_KNOWN_PATH, (c) => {
      c.header('access-control-allow-origin', '*');
      c.header('cache-control', 'no-cache');
      if (!built()) return c.json({ error: { code: 'not_built', message: 'the widget is not built on this edge' } }, 503);
      return c.json(widgetDocument({ root: deps.root, origin: origin(c), version: deps.version, contact: deps.contact, sourceUrl: deps.sourceUrl }));
    });
    app.get('/widget', (c) => c.redirect('/widget/', 301));
    app.use('/widget/*', async (c, next) => {
      if (!built()) return notBuilt(c);
      const path = new URL(c.req.url).pathname;
      await next();
      if (path === '/widget/loader.js') {
        c.header('access-control-allow-origin', '*');
        c.header('cross-origin-resource-policy', 'cross-origin');
        c.header('cache-control', 'no-cache');
      } else if (path === '/widget/frame.html') {
        c.header('content-security-policy', frameCsp(new URL(c.req.url).host, deps.peerSockets?.() ?? []));
        c.header('cache-control', 'no-cache');
      } else if (path.startsWith('/widget/assets/')) {
        c.header('cache-control', 'public, max-age=31536000, immutable');
      }
      return undefined;
    });
    app.get(
      '/widget/*',
      (c, next) => serveStatic({ root: root(), rewriteRequestPath: (p) => p.replace(/^\/widget/, '') })(c, next),
      (c) => c.text(`no widget file ${new URL(c.req.url).pathname}`, 404),
    );
  };
}

/** host:port of every WebSockets multiaddr in `listen` (an ip4, ip6 or dns host, tcp, then ws or wss). */
export function webSocketHosts(listen: readonly string[]): string[] {
  const hosts = new Set<string>();
  for (const addr of listen) {
    const m = /^\/(ip4|ip6|dns|dns4|dns6)\/([^/]+)\/tcp\/(\d+)\/(ws|wss)(\/|$)/.exec(addr);
    if (m) hosts.add(m[1] === 'ip6' ? `[${m[2]}]:${m[3]}` : `${m[2]}:${m[3]}`);
  }
  return [...hosts];
}
