/**
 * One Playwright config for every browser test. Chromium comes from Debian (/usr/bin/chromium);
 * nothing downloads a browser. Projects differ only in the WebGPU adapter they ask Chromium for:
 *   - lavapipe: Mesa's Vulkan rasteriser through ANGLE in WebGPU compatibility mode (fast);
 *   - swiftshader: Chromium's bundled full-feature software adapter (slow, but complete).
 */
import { defineConfig } from '@playwright/test';
import { NETNS_ADDRESSES, P2P_ORIGINS } from './apps/web/e2e-p2p/netns.ts';

const CHROMIUM = process.env.OTEDAMA_CHROMIUM ?? '/usr/bin/chromium';
const BASE_ARGS = [
  '--headless=new',
  '--no-sandbox',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--disable-quic',
];
export const LAVAPIPE_ARGS = [...BASE_ARGS, '--use-angle=vulkan', '--use-webgpu-adapter=opengles', '--force-webgpu-compat'];
export const SWIFTSHADER_ARGS = [...BASE_ARGS, '--enable-unsafe-webgpu'];
const HARNESS_PORT = Number(process.env.OTEDAMA_HARNESS_PORT ?? 5178);
/**
 * Set by scripts/p2p-netns.mjs inside the network namespace it creates (its veth addresses):
 * only there does the `p2p` project exist (browsers as peers over WebRTC need a non-loopback
 * interface; the namespace keeps every socket private). Its edges serve HTTP on a fixed port of
 * each address, which Chromium is told to treat as a secure origin (WebGPU, Web Locks, WebCrypto).
 */
const P2P_NETNS = NETNS_ADDRESSES;
export const P2P_ARGS = [
  ...LAVAPIPE_ARGS,
  `--unsafely-treat-insecure-origin-as-secure=${P2P_ORIGINS.join(',')}`,
  // Host ICE candidates as addresses, not mDNS names: the namespace has no multicast DNS.
  '--disable-features=WebRtcHideLocalIpsWithMdns',
];

export default defineConfig({
  forbidOnly: !!process.env.CI,
  retries: process.env.CI ? 1 : 0,
  workers: 1,
  timeout: 120_000,
  expect: { timeout: 30_000 },
  reporter: [['list'], ['json', { outputFile: P2P_NETNS.length ? 'test-results/playwright-p2p.json' : 'test-results/playwright.json' }]],
  outputDir: P2P_NETNS.length ? 'test-results/playwright-p2p' : 'test-results/playwright',
  use: {
    trace: 'retain-on-failure',
    screenshot: 'only-on-failure',
    launchOptions: { executablePath: CHROMIUM, args: LAVAPIPE_ARGS },
  },
  // Inside the namespace only the p2p project runs; its tests start their own edges.
  webServer: P2P_NETNS.length ? [] : [
    {
      // Serves the engine compliance harness pages (kernels/e2e, wasm) with Vite.
      command: `node node_modules/vite/bin/vite.js --config kernels/e2e/vite.harness.config.ts --port ${HARNESS_PORT} --strictPort --host 127.0.0.1`,
      url: `http://127.0.0.1:${HARNESS_PORT}/`,
      reuseExistingServer: !process.env.CI,
      timeout: 120_000,
    },
  ],
  projects: [
    {
      name: 'engines-lavapipe',
      // kernels/e2e: the GPU and CPU engines' harness; wasm/e2e: the WASM-only KawPow suite.
      testMatch: /(kernels|wasm)\/e2e\/.*\.spec\.ts/,
      use: { baseURL: `http://127.0.0.1:${HARNESS_PORT}`, launchOptions: { executablePath: CHROMIUM, args: LAVAPIPE_ARGS } },
    },
    {
      name: 'engines-swiftshader',
      testMatch: /kernels\/e2e\/.*\.spec\.ts/,
      // Suites that use no GPU (the WASM engines) run once, under engines-lavapipe.
      grepInvert: /@adapter-independent/,
      use: { baseURL: `http://127.0.0.1:${HARNESS_PORT}`, launchOptions: { executablePath: CHROMIUM, args: SWIFTSHADER_ARGS } },
    },
    {
      name: 'web',
      testMatch: /apps\/.*\/e2e\/.*\.spec\.ts/,
      use: { launchOptions: { executablePath: CHROMIUM, args: LAVAPIPE_ARGS } },
    },
    ...(P2P_NETNS.length
      ? [
          {
            name: 'p2p',
            testMatch: /apps\/web\/e2e-p2p\/.*\.spec\.ts/,
            timeout: 240_000,
            use: { launchOptions: { executablePath: CHROMIUM, args: P2P_ARGS } },
          },
        ]
      : []),
  ],
});
