/**
 * The shared SHA-256d compliance suite in headless Chromium, on whichever software adapter the
 * Playwright project starts Chromium with (engines-lavapipe, engines-swiftshader). Each suite
 * below opens compliance.html once, lets it run every case, and then asserts every case passed
 * by name (page-suite.ts): one Playwright test per case, so a report names the case that broke.
 *
 *   npx playwright test --project=engines-lavapipe --project=engines-swiftshader
 */
import { existsSync } from 'node:fs';
import { sha256dComplianceCases } from '../../core/test/sha256d-compliance.ts';
import { DEFAULT_RANDOM_HEADERS, DEFAULT_RANGE_SIZE } from './compliance-settings.ts';
import { describePageSuite } from './page-suite.ts';

interface Suite {
  readonly engine: 'webgpu' | 'wasm' | 'wasm-simd';
  readonly context: 'page' | 'worker';
  /**
   * Suites that do not depend on the WebGPU adapter carry this tag; the engines-swiftshader
   * project leaves them out (grepInvert in playwright.config.ts), so they run once per run.
   */
  readonly tag?: '@adapter-independent';
}

const WASM_PRESENT = existsSync(new URL('../../wasm/src/index.ts', import.meta.url));

const SUITES: Suite[] = [
  { engine: 'webgpu', context: 'page' },
  { engine: 'webgpu', context: 'worker' },
  // The WASM engines (wasm/ workspace) run the very same cases, when that workspace exists.
  ...(WASM_PRESENT
    ? ([
        { engine: 'wasm-simd', context: 'page', tag: '@adapter-independent' },
        { engine: 'wasm', context: 'page', tag: '@adapter-independent' },
        { engine: 'wasm-simd', context: 'worker', tag: '@adapter-independent' },
      ] as const)
    : []),
];

/** Case names as the page will report them: the same options give the same names. */
const CASE_NAMES = sha256dComplianceCases({ rangeSize: DEFAULT_RANGE_SIZE, randomHeaders: DEFAULT_RANDOM_HEADERS }).map((c) => c.name);

/** Longest a whole suite may take: SwiftShader compiles the kernel slowly and hashes ~0.5 MH/s. */
const SUITE_TIMEOUT_MS = 180_000;

for (const suite of SUITES) {
  describePageSuite({
    title: `sha256d ${suite.engine} in a ${suite.context}`,
    url: `/kernels/e2e/compliance.html?engine=${suite.engine}&context=${suite.context}`,
    caseNames: CASE_NAMES,
    timeoutMs: SUITE_TIMEOUT_MS,
    ...(suite.tag ? { tag: suite.tag } : {}),
  });
}
