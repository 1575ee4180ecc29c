/**
 * Vite builds the web app (apps/web -> dist/web) and Vitest runs every unit test in the repo.
 */
import { defineConfig } from 'vite';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('.', import.meta.url));

export default defineConfig({
  root: `${root}apps/web`,
  publicDir: 'public',
  base: '/',
  build: {
    outDir: `${root}dist/web`,
    emptyOutDir: true,
    target: 'es2022',
    sourcemap: true,
  },
  worker: { format: 'es' },
  server: { fs: { allow: [root] } },
  test: {
    root,
    include: ['{core,kernels,wasm,edge,apps}/**/*.test.ts'],
    exclude: ['**/node_modules/**', '**/e2e/**'],
    testTimeout: 60_000,
    hookTimeout: 60_000,
    pool: 'forks',
    reporters: ['default'],
  },
});
