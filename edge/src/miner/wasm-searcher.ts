/**
 * The WASM hashers (@otedama/wasm) as CPU searchers: the module is compiled once on the main
 * thread (compileWasmModule) and posted to every worker, which instantiates its own searcher
 * from it without reading or compiling the build again.
 */
import { EngineUnavailableError } from '@otedama/core';
import { compileSha256dModule, Sha256dWasmSearcher } from '@otedama/wasm';
import type { CompiledWasm, CpuSearcher } from './cpu-searcher.ts';

type WasmKind = 'wasm' | 'wasm-simd';

/** The compiled build for `kind`; throws EngineUnavailableError when it cannot load here. */
export async function compileWasmModule(kind: WasmKind): Promise<CompiledWasm> {
  return compileSha256dModule(kind === 'wasm-simd');
}

class WasmSearcher implements CpuSearcher {
  constructor(
    readonly kind: WasmKind,
    private readonly searcher: Sha256dWasmSearcher,
  ) {}

  setJob(header: Uint8Array, target: bigint): void {
    this.searcher.setJob(header, target);
  }

  search(start: number, count: number, maxHits: number): number[] {
    return this.searcher.search(start, count, maxHits).nonces;
  }

  dispose(): void {}
}

export async function loadWasmSearcher(kind: WasmKind, module?: CompiledWasm): Promise<CpuSearcher> {
  const searcher = module ? Sha256dWasmSearcher.fromModule(module) : await Sha256dWasmSearcher.create({ simd: kind === 'wasm-simd' });
  if (searcher.engine !== kind) throw new EngineUnavailableError(kind, `the loaded build is ${searcher.engine}`);
  return new WasmSearcher(kind, searcher);
}
