/**
 * Vite dev server for the engine compliance harness (Playwright projects engines-lavapipe and
 * engines-swiftshader; see /playwright.config.ts). The root is the repository, so harness pages
 * import engines from any workspace by path (/kernels/e2e/compliance.html loads kernels, wasm
 * and core sources as they are). `/` lists the pages; it is also what Playwright polls to know
 * the server is up.
 *
 *   node node_modules/vite/bin/vite.js --config kernels/e2e/vite.harness.config.ts --port 5178
 */
import { fileURLToPath } from 'node:url';
import { defineConfig, type Plugin } from 'vite';

const REPO_ROOT = fileURLToPath(new URL('../..', import.meta.url));

/** Harness pages, relative to the repository root. */
export const HARNESS_PAGES = {
  compliance: '/kernels/e2e/compliance.html',
  bench: '/kernels/e2e/bench.html',
  kawpowBench: '/kernels/e2e/kawpow-bench.html',
} as const;

function harnessIndex(): Plugin {
  const html = `<!doctype html>
<meta charset="utf-8">
<title>Otedama engine harness</title>
<h1>Otedama engine harness</h1>
<ul>
  <li><a href="${HARNESS_PAGES.compliance}?engine=webgpu">SHA-256d compliance, WebGPU, in the page</a></li>
  <li><a href="${HARNESS_PAGES.compliance}?engine=webgpu&amp;context=worker">SHA-256d compliance, WebGPU, in a dedicated worker</a></li>
  <li><a href="${HARNESS_PAGES.compliance}?engine=wasm-simd">SHA-256d compliance, WASM SIMD</a></li>
  <li><a href="${HARNESS_PAGES.compliance}?engine=wasm">SHA-256d compliance, WASM scalar</a></li>
  <li><a href="${HARNESS_PAGES.compliance}?engine=js">SHA-256d compliance, JS reference</a></li>
  <li><a href="${HARNESS_PAGES.bench}?engine=webgpu&amp;seconds=5">SHA-256d hash rate, WebGPU</a></li>
  <li><a href="${HARNESS_PAGES.compliance}?suite=kawpow">KawPow compliance, WebGPU against the WASM engine, in the page</a></li>
  <li><a href="${HARNESS_PAGES.compliance}?suite=kawpow&amp;context=worker">KawPow compliance, WebGPU against the WASM engine, in a dedicated worker</a></li>
  <li><a href="${HARNESS_PAGES.kawpowBench}?seconds=5">KawPow rates: GPU DAG generation and search beside the WASM engine</a></li>
</ul>
`;
  return {
    name: 'otedama-harness-index',
    configureServer(server) {
      server.middlewares.use((req, res, next) => {
        if (req.url !== '/' && req.url !== '/index.html') return next();
        res.setHeader('content-type', 'text/html; charset=utf-8');
        res.end(html);
      });
    },
  };
}

export default defineConfig({
  root: REPO_ROOT,
  appType: 'mpa',
  clearScreen: false,
  logLevel: 'warn',
  plugins: [harnessIndex()],
  server: {
    fs: { strict: true, allow: [REPO_ROOT] },
    // Playwright starts this server; nothing else should have to watch the whole repository.
    watch: { ignored: ['**/node_modules/**', '**/test-results/**', '**/.tools/**'] },
  },
  // Only the harness pages are entry points: other workspaces' pages are not this server's.
  optimizeDeps: { entries: ['kernels/e2e/*.html'] },
  worker: { format: 'es' },
});
