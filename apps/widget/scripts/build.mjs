#!/usr/bin/env node
// Builds the widget into dist/widget (served by the edge at /widget/):
//   1. the pages, ES modules with hashed assets: index.html (the /widget snippet generator),
//      frame.html (the frame, with the miner code as chunks loaded after the visitor's click);
//   2. loader.js, the classic script sites embed (IIFE: document.currentScript must work), at a
//      stable URL so snippets keep working across builds.
// Usage: node apps/widget/scripts/build.mjs [OUT_DIR]   (scripts/bootstrap.mjs build runs it)
import { fileURLToPath } from 'node:url';
import { build } from 'vite';

const ROOT = fileURLToPath(new URL('../../..', import.meta.url));
const WIDGET = fileURLToPath(new URL('..', import.meta.url));
const outDir = process.argv[2] ?? `${ROOT}dist/widget`;

const common = { configFile: false, logLevel: 'warn', publicDir: false, root: WIDGET, base: '/widget/' };

await build({
  ...common,
  build: {
    outDir,
    emptyOutDir: true,
    target: 'es2022',
    sourcemap: true,
    rollupOptions: { input: { index: `${WIDGET}index.html`, frame: `${WIDGET}frame.html` } },
  },
  worker: { format: 'es' },
});

await build({
  ...common,
  build: {
    outDir,
    emptyOutDir: false,
    target: 'es2020',
    sourcemap: true,
    lib: { entry: `${WIDGET}src/loader.ts`, formats: ['iife'], name: 'OtedamaWidgetLoader', fileName: () => 'loader.js' },
  },
});
process.stderr.write(`widget built into ${outDir}\n`);
