// The JS a page loads before any dynamic import(): its module scripts and modulepreloads, plus
// every chunk they import statically. Shared by the budget checks of the web app
// (apps/web/scripts/check-budget.mjs) and the widget (apps/widget/scripts/check-budget.mjs).
import { existsSync, readFileSync } from 'node:fs';
import { join, posix } from 'node:path';
import { gzipSync } from 'node:zlib';

/** Static `import … from "x"`, `import "x"` and `export … from "x"`; never `import("x")`. */
const STATIC_IMPORT = /\b(?:import|export)\s*(?:[^'"();]*?\bfrom\s*)?["']([^"']+)["']/g;

/** Module script srcs and modulepreload hrefs of an HTML file (same-origin paths only). */
export function htmlEntries(html) {
  const entries = [];
  for (const m of html.matchAll(/<script\b[^>]*\btype="module"[^>]*\bsrc="([^"]+)"/g)) entries.push(m[1]);
  for (const m of html.matchAll(/<link\b[^>]*\brel="modulepreload"[^>]*\bhref="([^"]+)"/g)) entries.push(m[1]);
  return entries.filter((u) => !/^[a-z]+:/i.test(u));
}

/**
 * Files under `dist` reached from `entries` (paths as in the HTML, `/` = `dist`; `base` is the
 * URL prefix the build was made for, stripped first) through static imports, with their gzipped
 * sizes: Map<path under dist, { gzip, code }>. Throws naming a file that is missing.
 */
export function staticClosure(dist, entries, base = '/') {
  const strip = (u) => (u.startsWith(base) ? u.slice(base.length) : u.replace(/^\//, ''));
  const seen = new Map();
  const queue = entries.map((u) => posix.normalize(strip(u)));
  while (queue.length > 0) {
    const rel = queue.shift();
    if (seen.has(rel)) continue;
    const file = join(dist, rel);
    if (!existsSync(file)) throw new Error(`${rel} (named by the page or a chunk) is not in ${dist}`);
    const code = readFileSync(file);
    seen.set(rel, { gzip: gzipSync(code, { level: 9 }).length, code: code.toString('utf8') });
    for (const m of code.toString('utf8').matchAll(STATIC_IMPORT)) {
      const spec = m[1];
      if (!spec.startsWith('.') && !spec.startsWith('/')) continue;
      queue.push(spec.startsWith('/') ? posix.normalize(strip(spec)) : posix.normalize(posix.join(posix.dirname(rel), spec)));
    }
  }
  return seen;
}
