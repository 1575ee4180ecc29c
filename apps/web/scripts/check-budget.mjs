#!/usr/bin/env node
// Budget: the JS a visitor downloads before pressing Start — index.html's module scripts and
// modulepreloads, plus every chunk they import statically (dynamic `import()`, i.e. the miner
// loaded by Start, and workers are not counted) — must be at most 100 KB gzipped.
// Usage: node apps/web/scripts/check-budget.mjs [dist/web]   (after `vite build`)
// Exit 0 within budget, 1 over it, 2 when the build is missing.
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join, posix } from 'node:path';
import { fileURLToPath } from 'node:url';
import { gzipSync } from 'node:zlib';

/** Gzipped bytes of JS allowed before Start (issue 5: "at most 100 KB gzipped"). */
const BUDGET_BYTES = 100 * 1024;

const ROOT = join(dirname(fileURLToPath(import.meta.url)), '../../..');
const dist = process.argv[2] ?? join(ROOT, 'dist/web');
const indexPath = join(dist, 'index.html');
if (!existsSync(indexPath)) {
  console.error(`check-budget: ${indexPath} is missing; build the app first (node node_modules/vite/bin/vite.js build)`);
  process.exit(2);
}

const html = readFileSync(indexPath, 'utf8');
const entries = [];
for (const m of html.matchAll(/<script\b[^>]*\btype="module"[^>]*\bsrc="([^"]+)"/g)) entries.push(m[1]);
for (const m of html.matchAll(/<link\b[^>]*\brel="modulepreload"[^>]*\bhref="([^"]+)"/g)) entries.push(m[1]);
if (html.match(/<script\b(?![^>]*\bsrc=)[^>]*>\s*\S/)) console.warn('check-budget: index.html has inline scripts; they are not counted');

/** Static `import … from "x"`, `import "x"` and `export … from "x"`; never `import("x")`. */
const STATIC_IMPORT = /\b(?:import|export)\s*(?:[^'"();]*?\bfrom\s*)?["']([^"']+)["']/g;

const seen = new Map(); // path under dist -> gzipped bytes
const queue = entries.filter((u) => !/^[a-z]+:/i.test(u)).map((u) => posix.normalize(u.replace(/^\//, '')));
while (queue.length > 0) {
  const rel = queue.shift();
  if (seen.has(rel)) continue;
  const file = join(dist, rel);
  if (!existsSync(file)) {
    console.error(`check-budget: ${rel} (named by index.html or a chunk) is not in ${dist}`);
    process.exit(2);
  }
  const code = readFileSync(file);
  seen.set(rel, gzipSync(code, { level: 9 }).length);
  for (const m of code.toString('utf8').matchAll(STATIC_IMPORT)) {
    const spec = m[1];
    if (!spec.startsWith('.') && !spec.startsWith('/')) continue;
    queue.push(spec.startsWith('/') ? posix.normalize(spec.slice(1)) : posix.normalize(posix.join(posix.dirname(rel), spec)));
  }
}

const total = [...seen.values()].reduce((a, b) => a + b, 0);
for (const [rel, bytes] of seen) console.log(`  ${rel}  ${(bytes / 1024).toFixed(2)} KB gz`);
const ok = total <= BUDGET_BYTES;
console.log(`JS before Start: ${(total / 1024).toFixed(2)} KB gzipped in ${seen.size} file(s) (budget ${BUDGET_BYTES / 1024} KB): ${ok ? 'ok' : 'OVER BUDGET'}`);
process.exit(ok ? 0 : 1);
