/**
 * The WebGPU KawPow engine in headless Chromium, on whichever software adapter the Playwright
 * project starts Chromium with (engines-lavapipe, engines-swiftshader), in a page and in a
 * dedicated worker: the GPU's own cases against the WASM engine on epoch 0's light cache with
 * a reduced dataset (one binding and a split DAG), then core's shared KawPow suite with the GPU
 * as its subject (compliance.html?suite=kawpow; see kawpow-runner.ts).
 *
 *   OTEDAMA_HARNESS_PORT=5178 npx playwright test --project=engines-lavapipe --project=engines-swiftshader kernels/e2e/kawpow.spec.ts
 *
 * Needs wasm/build/kawpow*.wasm (`npm run build`).
 */
import { kawpowReportNames } from './kawpow-settings.ts';
import { describePageSuite } from './page-suite.ts';

/** A light-cache build, two DAGs, a dozen pipeline compiles; SwiftShader compiles slowly. */
const SUITE_TIMEOUT_MS = 300_000;

for (const context of ['page', 'worker'] as const) {
  describePageSuite({
    title: `kawpow webgpu in a ${context}`,
    url: `/kernels/e2e/compliance.html?suite=kawpow&context=${context}`,
    caseNames: kawpowReportNames(false),
    timeoutMs: SUITE_TIMEOUT_MS,
  });
}
