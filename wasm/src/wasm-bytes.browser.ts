/**
 * Browsers and Web Workers: the bytes of a build, fetched. Vite turns each
 * `new URL('../build/<name>.wasm', import.meta.url)` into the URL of an emitted asset (the
 * literal paths are what it looks for); the dev server serves wasm/build/ directly.
 */
import { EngineUnavailableError } from '@otedama/core';
import { buildEngine, type LoadWasmBytes, type WasmBuildName } from './wasm-api.ts';

const BUILD_URLS: Record<WasmBuildName, URL> = {
  sha256d: new URL('../build/sha256d.wasm', import.meta.url),
  'sha256d.simd': new URL('../build/sha256d.simd.wasm', import.meta.url),
  kawpow: new URL('../build/kawpow.wasm', import.meta.url),
  'kawpow.simd': new URL('../build/kawpow.simd.wasm', import.meta.url),
};

export const loadWasmBytes: LoadWasmBytes = async (build) => {
  const url = BUILD_URLS[build];
  const engine = buildEngine(build);
  let response: Response;
  try {
    response = await fetch(url);
  } catch (err) {
    throw new EngineUnavailableError(engine, `cannot fetch ${url.href} (${(err as Error).message})`, { cause: err });
  }
  if (!response.ok) throw new EngineUnavailableError(engine, `fetching ${url.href} failed: HTTP ${response.status}`);
  return new Uint8Array(await response.arrayBuffer());
};
