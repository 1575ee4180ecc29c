#!/usr/bin/env node
// Budget: the JS a visitor downloads before pressing Start — index.html's module scripts and
// modulepreloads, plus every chunk they import statically (dynamic `import()`, i.e. the miner
// loaded by Start, and workers are not counted) — must be at most 100 KB gzipped.
// Usage: node apps/web/scripts/check-budget.mjs [dist/web]   (after `vite build`)
// Exit 0 within budget, 1 over it, 2 when the build is missing.
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { htmlEntries, staticClosure } from './static-closure.mjs';

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
if (html.match(/<script\b(?![^>]*\bsrc=)[^>]*>\s*\S/)) console.warn('check-budget: index.html has inline scripts; they are not counted');
let closure;
try {
  closure = staticClosure(dist, htmlEntries(html));
} catch (err) {
  console.error(`check-budget: ${err.message}`);
  process.exit(2);
}
const seen = new Map([...closure].map(([rel, f]) => [rel, f.gzip]));

const total = [...seen.values()].reduce((a, b) => a + b, 0);
for (const [rel, bytes] of seen) console.log(`  ${rel}  ${(bytes / 1024).toFixed(2)} KB gz`);
const ok = total <= BUDGET_BYTES;
console.log(`JS before Start: ${(total / 1024).toFixed(2)} KB gzipped in ${seen.size} file(s) (budget ${BUDGET_BYTES / 1024} KB): ${ok ? 'ok' : 'OVER BUDGET'}`);
process.exit(ok ? 0 : 1);
