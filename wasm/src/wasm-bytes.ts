/**
 * Node: the bytes of a build, read from wasm/build/ beside this package. The browser form
 * (wasm-bytes.browser.ts) fetches the same URLs; package.json's "imports" picks one by the
 * `browser` condition.
 */
import { readFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
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
  try {
    return new Uint8Array(await readFile(url));
  } catch (err) {
    const reason = (err as { code?: string }).code === 'ENOENT' ? 'is missing' : `cannot be read (${(err as Error).message})`;
    throw new EngineUnavailableError(buildEngine(build), `${fileURLToPath(url)} ${reason}; run "npm run build"`, { cause: err });
  }
};
