/**
 * The widget's demo host page for one spec file: started before its tests on the file's edge
 * (edgeForFile), serving the e2e fixtures beside the demo pages, closed after them.
 */
import { test } from '@playwright/test';
import { fileURLToPath } from 'node:url';
import { MINER_ADDRESS } from '../../web/e2e/edge-fixture.ts';
import { startDemoHost } from '../demo/host.mjs';

const FIXTURES = fileURLToPath(new URL('./fixtures/', import.meta.url));

/** Registers the host's start and stop; its `url` is read inside the tests. */
export function demoHostForFile(edge: { readonly url: string }): { readonly url: string } {
  let host: { url: string; close(): Promise<void> } | undefined;
  test.beforeAll(async () => {
    host = await startDemoHost({ pool: edge.url, address: MINER_ADDRESS, dirs: [FIXTURES] });
  });
  test.afterAll(async () => {
    await host?.close();
  });
  return {
    get url() {
      if (!host) throw new Error('the demo host is not started (read its url inside a test)');
      return host.url;
    },
  };
}
