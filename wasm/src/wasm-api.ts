/**
 * The WebAssembly JS API, typed structurally. Otedama's workspaces type-check against different
 * environments (core against none, edge against Node's, the web app against the DOM's) and only
 * the DOM declares a `WebAssembly` namespace, so the loaders declare the few calls they make here
 * and read the global at run time.
 */

/** The builds in wasm/build/ (see scripts/build.mjs). */
export type WasmBuildName = 'sha256d' | 'sha256d.simd' | 'kawpow' | 'kawpow.simd';

/** The engine a build implements: a scalar build is "wasm", a SIMD build "wasm-simd". */
export function buildEngine(build: WasmBuildName): 'wasm' | 'wasm-simd' {
  return build.endsWith('.simd') ? 'wasm-simd' : 'wasm';
}

/**
 * Reads a build's bytes: `#wasm-bytes` resolves to wasm-bytes.ts (Node, reads the file) or
 * wasm-bytes.browser.ts (browsers and workers, fetches it); wasm-bytes.types.d.ts declares the
 * module for type checking, so no workspace needs the other platform's types.
 */
export type LoadWasmBytes = (build: WasmBuildName) => Promise<Uint8Array>;

/** A compiled `WebAssembly.Module`. Structured-cloneable: post it to workers and instantiate there. */
export type WasmModule = object;

export interface WasmInstance {
  readonly exports: Readonly<Record<string, unknown>>;
}

/** An exported immutable global (`WebAssembly.Global`). */
export interface WasmGlobal {
  readonly value: number;
}

/** An exported `WebAssembly.Memory`. */
export interface WasmMemory {
  readonly buffer: ArrayBuffer;
  /** Grows the memory by `pages` 64 KiB pages; returns the previous size in pages; throws RangeError when it cannot. */
  grow(pages: number): number;
}

export interface WebAssemblyApi {
  validate(bytes: Uint8Array): boolean;
  compile(bytes: Uint8Array): Promise<WasmModule>;
  instantiate(module: WasmModule, imports?: object): Promise<WasmInstance>;
  readonly Instance: new (module: WasmModule, imports?: object) => WasmInstance;
}

/** The global `WebAssembly` object, or undefined where the platform has none. */
export function webAssemblyApi(): WebAssemblyApi | undefined {
  return (globalThis as { WebAssembly?: WebAssemblyApi }).WebAssembly;
}

/** The part of AbortSignal the KawPow builders use (this package type-checks without DOM or Node types). */
export interface AbortSignalLike {
  readonly aborted: boolean;
  readonly reason?: unknown;
  addEventListener(type: 'abort', listener: () => void, options?: { once?: boolean }): void;
  removeEventListener(type: 'abort', listener: () => void): void;
}

/** The part of AbortController the builders use. */
export interface AbortControllerLike {
  readonly signal: AbortSignalLike;
  abort(reason?: unknown): void;
}

/** A new AbortController (every platform this package runs on has one). */
export function newAbortController(): AbortControllerLike {
  const Ctor = (globalThis as unknown as { AbortController: new () => AbortControllerLike }).AbortController;
  return new Ctor();
}
