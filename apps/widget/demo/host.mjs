#!/usr/bin/env node
// A demo host site for the widget, on its own origin (the widget's frame comes from the edge's):
//   node apps/widget/demo/host.mjs --pool http://127.0.0.1:8080/ --address bcrt1q… [--port 8090]
// then open http://localhost:8090/ (a page with the script tag and the host API) or
// /strict-csp.html (the same page under a strict Content-Security-Policy). The e2e tests start it
// with startDemoHost() and extra fixture folders. It fills {{POOL}}, {{POOL_ORIGIN}},
// {{ADDRESS}} and {{POLICY_NOTE}} in the pages it serves.
// Plain JavaScript (Node 22); listens on 127.0.0.1 only.
import { readFileSync, existsSync } from 'node:fs';
import { createServer } from 'node:http';
import { extname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const DEMO_DIR = fileURLToPath(new URL('.', import.meta.url));
/** The demo page again, under strictCsp(). */
const STRICT_PAGE = '/strict-csp.html';
const TYPES = { '.html': 'text/html; charset=utf-8', '.js': 'text/javascript; charset=utf-8', '.css': 'text/css; charset=utf-8' };

/** The policy of the strict pages: nothing inline, scripts and frames from this site and the edge only. */
export function strictCsp(poolOrigin) {
  return `default-src 'none'; script-src 'self' ${poolOrigin}; frame-src ${poolOrigin}; style-src 'self'; img-src 'self'; connect-src 'self'; base-uri 'none'; form-action 'none'`;
}

/**
 * Serves the demo pages (and any `dirs` after them) on 127.0.0.1:`port` (0: any free port).
 * Resolves with { url, close() }; `url` uses the name `localhost` so the page's origin differs
 * from an edge reached at 127.0.0.1.
 */
export function startDemoHost({ pool, address, port = 0, dirs = [] }) {
  const poolUrl = new URL(pool);
  const vars = { '{{POOL}}': `${poolUrl.origin}/`, '{{POOL_ORIGIN}}': poolUrl.origin, '{{ADDRESS}}': address };
  const roots = [DEMO_DIR, ...dirs].map((r) => (r.endsWith('/') ? r : `${r}/`));
  const server = createServer((req, res) => {
    const path = new URL(req.url ?? '/', 'http://x').pathname;
    const strict = path === STRICT_PAGE;
    const name = path === '/' || strict ? '/index.html' : path;
    // Only files inside one of the roots (join normalises "..": the prefix check keeps it inside).
    const file = roots.map((r) => join(r, name)).find((f, i) => f.startsWith(roots[i]) && existsSync(f) && TYPES[extname(f)]);
    if (!file || name.endsWith('.mjs')) {
      res.writeHead(404, { 'content-type': 'text/plain' }).end('not found');
      return;
    }
    let body = readFileSync(file, 'utf8');
    const note = strict ? 'This copy of the page is served with a strict Content-Security-Policy (nothing inline).' : '';
    for (const [k, v] of Object.entries({ ...vars, '{{POLICY_NOTE}}': note })) body = body.replaceAll(k, v);
    const headers = { 'content-type': TYPES[extname(file)], 'cache-control': 'no-store' };
    if (strict) headers['content-security-policy'] = strictCsp(poolUrl.origin);
    res.writeHead(200, headers).end(body);
  });
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, '127.0.0.1', () => {
      const { port: bound } = server.address();
      resolve({ url: `http://localhost:${bound}/`, close: () => new Promise((r) => server.close(() => r())) });
    });
  });
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  const args = process.argv.slice(2);
  const flag = (name) => {
    const i = args.indexOf(`--${name}`);
    return i >= 0 ? args[i + 1] : undefined;
  };
  const pool = flag('pool') ?? 'http://127.0.0.1:8080/';
  const address = flag('address');
  if (!address) {
    process.stderr.write('usage: node apps/widget/demo/host.mjs --pool http://127.0.0.1:8080/ --address ADDR [--port 8090]\n');
    process.exit(2);
  }
  const host = await startDemoHost({ pool, address, port: Number(flag('port') ?? 8090) });
  process.stdout.write(`demo host site: ${host.url} (strict CSP: ${host.url}strict-csp.html), widget from ${pool}\n`);
  for (const sig of ['SIGINT', 'SIGTERM']) process.on(sig, () => host.close().then(() => process.exit(0)));
}
