#!/usr/bin/env node
// Budget and consent check of the widget build: everything a host page's visitor runs before
// clicking Start — loader.js (the script tag) plus the frame's pre-consent JS (frame.html's module
// scripts, modulepreloads and their static imports; the miner is a dynamic import and is not
// counted) — must be at most 10 KB gzipped (issue 13), and none of it may create a Worker or a
// WebSocket (the miner code that does is loaded by the click).
// Usage: node apps/widget/scripts/check-budget.mjs [dist/widget]   (after the widget build)
// Exit 0 within budget, 1 over it (or miner code before consent), 2 when the build is missing.
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { gzipSync } from 'node:zlib';
import { htmlEntries, staticClosure } from '../../web/scripts/static-closure.mjs';

/** Gzipped bytes allowed before consent (issue 13: "at most 10 KB gzipped"). */
export const BUDGET_BYTES = 10 * 1024;
/** Constructors only miner code uses: none may appear in what runs before the click. */
const MINER_ONLY = [/\bnew\s+Worker\s*\(/, /\bnew\s+WebSocket\s*\(/, /\bnew\s+SharedWorker\s*\(/];

const ROOT = join(dirname(fileURLToPath(import.meta.url)), '../../..');
const dist = process.argv[2] ?? join(ROOT, 'dist/widget');
const loaderPath = join(dist, 'loader.js');
const framePath = join(dist, 'frame.html');
for (const p of [loaderPath, framePath]) {
  if (!existsSync(p)) {
    console.error(`widget budget: ${p} is missing; build the widget first (node apps/widget/scripts/build.mjs)`);
    process.exit(2);
  }
}

const files = new Map();
const loader = readFileSync(loaderPath);
files.set('loader.js', { gzip: gzipSync(loader, { level: 9 }).length, code: loader.toString('utf8') });
try {
  for (const [rel, f] of staticClosure(dist, htmlEntries(readFileSync(framePath, 'utf8')), '/widget/')) files.set(rel, f);
} catch (err) {
  console.error(`widget budget: ${err.message}`);
  process.exit(2);
}

let failed = false;
for (const [rel, f] of files) {
  console.log(`  ${rel}  ${(f.gzip / 1024).toFixed(2)} KB gz`);
  const hit = MINER_ONLY.find((re) => re.test(f.code));
  if (hit) {
    console.error(`widget budget: ${rel} runs before consent but contains ${hit} (miner code must load after the click)`);
    failed = true;
  }
}
const loaderBytes = files.get('loader.js').gzip;
const total = [...files.values()].reduce((a, f) => a + f.gzip, 0);
const ok = total <= BUDGET_BYTES;
console.log(`widget before consent: loader ${(loaderBytes / 1024).toFixed(2)} KB + frame ${((total - loaderBytes) / 1024).toFixed(2)} KB = ${(total / 1024).toFixed(2)} KB gzipped (budget ${BUDGET_BYTES / 1024} KB): ${ok ? 'ok' : 'OVER BUDGET'}`);
process.exit(ok && !failed ? 0 : 1);
