/**
 * The loader every hasher in this package shares: a build's bytes (read from disk in Node,
 * fetched in browsers: see #wasm-bytes), validated and compiled once per build and cached, then
 * instantiated per searcher. Modules import nothing and export their memory; a compiled module
 * can be posted to workers, which instantiate it without fetching or compiling again.
 */
import { EngineUnavailableError } from '@otedama/core';
import { loadWasmBytes } from '#wasm-bytes';
import { buildEngine, webAssemblyApi, type WasmBuildName, type WasmInstance, type WasmModule, type WebAssemblyApi } from './wasm-api.ts';

/**
 * The smallest module that uses fixed-width SIMD: one function returning i8x16.splat(0).
 * (magic, version; type section: () -> v128; function section; code section.)
 */
const SIMD_PROBE = new Uint8Array([
  0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00,
  0x01, 0x05, 0x01, 0x60, 0x00, 0x01, 0x7b,
  0x03, 0x02, 0x01, 0x00,
  0x0a, 0x08, 0x01, 0x06, 0x00, 0x41, 0x00, 0xfd, 0x0f, 0x0b,
]);

let simd: boolean | undefined;

/** Whether this WebAssembly engine has fixed-width SIMD (Chrome 91+, Firefox 89+, Safari 16.4+, Node 16.4+). */
export function simdSupported(): boolean {
  simd ??= webAssemblyApi()?.validate(SIMD_PROBE) ?? false;
  return simd;
}

function api(engine: string): WebAssemblyApi {
  const wa = webAssemblyApi();
  if (!wa) throw new EngineUnavailableError(engine, 'this platform has no WebAssembly');
  return wa;
}

const compiled = new Map<WasmBuildName, Promise<WasmModule>>();

/** The compiled module of a build; the first call loads and compiles it, later calls share it. */
export function compileBuild(build: WasmBuildName): Promise<WasmModule> {
  let module = compiled.get(build);
  if (!module) {
    module = compileUncached(build);
    compiled.set(build, module);
    // A failed load may succeed later (the build was missing, the network was down).
    module.catch(() => compiled.delete(build));
  }
  return module;
}

async function compileUncached(build: WasmBuildName): Promise<WasmModule> {
  const engine = buildEngine(build);
  const wa = api(engine);
  const bytes = await loadWasmBytes(build);
  if (!wa.validate(bytes)) {
    const why = build.endsWith('.simd') && !simdSupported()
      ? 'this WebAssembly engine has no fixed-width SIMD'
      : `wasm/build/${build}.wasm is not a valid module (a stale or corrupt build? run "npm run build")`;
    throw new EngineUnavailableError(engine, why);
  }
  return wa.compile(bytes);
}

/**
 * The compiled module of a hasher's scalar or SIMD build: `true` insists on SIMD
 * (EngineUnavailableError without it), `false` takes the scalar build, `'auto'` takes SIMD where
 * it validates and loads, else the scalar build.
 */
export async function compileChosenBuild(scalar: WasmBuildName, simdBuild: WasmBuildName, simd: boolean | 'auto'): Promise<WasmModule> {
  if (simd === false) return compileBuild(scalar);
  if (simd === true) {
    if (!simdSupported()) throw new EngineUnavailableError('wasm-simd', 'this WebAssembly engine has no fixed-width SIMD');
    return compileBuild(simdBuild);
  }
  if (simdSupported()) {
    try {
      return await compileBuild(simdBuild);
    } catch (err) {
      if (!(err instanceof EngineUnavailableError)) throw err;
      // Fall back to the scalar build, which may still load.
    }
  }
  return compileBuild(scalar);
}

/** Instantiates a compiled module (no imports). */
export async function instantiate(module: WasmModule, engine: string): Promise<WasmInstance> {
  try {
    return await api(engine).instantiate(module, {});
  } catch (err) {
    throw new EngineUnavailableError(engine, `instantiating the module failed (${(err as Error).message})`, { cause: err });
  }
}

/**
 * Instantiates a compiled module synchronously: for workers, which receive a module and must be
 * ready at once. (Browsers may refuse this on the main thread; use `instantiate` there.)
 */
export function instantiateSync(module: WasmModule, engine: string): WasmInstance {
  const wa = api(engine);
  try {
    return new wa.Instance(module, {});
  } catch (err) {
    throw new EngineUnavailableError(engine, `instantiating the module failed (${(err as Error).message})`, { cause: err });
  }
}

interface TimerGlobals {
  setImmediate?: (callback: () => void) => unknown;
  scheduler?: { yield?: () => Promise<void> };
  MessageChannel?: new () => { port1: { onmessage: (() => void) | null; close(): void }; port2: { postMessage(m: unknown): void; close(): void } };
  setTimeout: (callback: () => void, ms: number) => unknown;
}

/**
 * Lets the event loop run (messages, timers, rendering) between two batches of a long search,
 * without setTimeout's 4 ms clamp where something better exists: setImmediate in Node,
 * scheduler.yield in Chromium, a MessageChannel round trip in other browsers.
 */
export function yieldToEventLoop(): Promise<void> {
  const g = globalThis as unknown as TimerGlobals;
  if (g.setImmediate) return new Promise((resolve) => g.setImmediate!(resolve));
  if (g.scheduler?.yield) return g.scheduler.yield();
  if (g.MessageChannel) {
    const channel = new g.MessageChannel();
    return new Promise((resolve) => {
      channel.port1.onmessage = () => {
        channel.port1.close();
        channel.port2.close();
        resolve();
      };
      channel.port2.postMessage(null);
    });
  }
  return new Promise((resolve) => g.setTimeout(resolve, 0));
}
