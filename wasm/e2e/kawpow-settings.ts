/**
 * What the KawPow harness page runs, shared by the page (kawpow-page.ts) and the Playwright spec
 * (kawpow.spec.ts) so that the spec knows the case names the page will report.
 */
import type { KawpowComplianceOptions } from '../../core/test/kawpow-compliance.ts';
import type { WasmKawpowOptions } from '../src/index.ts';

export const KAWPOW_PAGE_ENGINES = ['wasm-simd', 'wasm'] as const;
export type KawpowPageEngine = (typeof KAWPOW_PAGE_ENGINES)[number];

/** The suite's options in the browser: the vectors' epochs (0 and 3), epoch 0's checksum, a capped hasher. */
export const KAWPOW_PAGE_OPTIONS: KawpowComplianceOptions = { beyondCapHeight: 1025 * 7500 };

/**
 * The SIMD engine builds its light caches in a Web Worker (the default), the scalar one on the
 * page between yields: both builders run in Chromium.
 */
export function hasherOptions(engine: KawpowPageEngine): WasmKawpowOptions {
  return engine === 'wasm-simd' ? { simd: true, builder: 'worker' } : { simd: false, builder: 'here' };
}
