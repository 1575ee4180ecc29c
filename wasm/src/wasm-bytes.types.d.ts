/**
 * The type of `#wasm-bytes` for every type checker: the Node and browser implementations
 * (wasm-bytes.ts, wasm-bytes.browser.ts) each need their platform's types, their callers none.
 */
import type { LoadWasmBytes } from './wasm-api.ts';

export declare const loadWasmBytes: LoadWasmBytes;
