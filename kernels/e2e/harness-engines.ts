/**
 * The engines a harness page (or its worker) can run, by name. WebGPU comes from this
 * workspace; the WASM engines from the wasm/ workspace, found with import.meta.glob so that a
 * checkout without it still serves the WebGPU pages; the JS reference from core.
 */
import { createReferenceSha256dEngine, EngineUnavailableError, type NonceSearchEngine } from '@otedama/core';
import { requestSha256dDevice, type GpuAdapterSummary } from '../src/gpu-device.ts';
import { createWebGpuSha256dEngine, type WebGpuSha256dOptions } from '../src/sha256d.ts';

export const HARNESS_ENGINES = ['webgpu', 'wasm', 'wasm-simd', 'js'] as const;
export type HarnessEngineName = (typeof HARNESS_ENGINES)[number];

export interface HarnessEngine {
  readonly engine: NonceSearchEngine;
  /** What runs it: the adapter for WebGPU, the build for WASM. */
  readonly description: string;
  /** Disposes the engine and whatever was opened for it (the GPU device). */
  close(): void;
}

/** What the wasm/ workspace exports that the harness uses (wasm/src/index.ts). */
interface WasmWorkspace {
  createWasmSha256dEngine(options?: { simd?: boolean | 'auto' }): Promise<NonceSearchEngine>;
}

// ---- Hook for the WASM engines -----------------------------------------------------------
// import.meta.glob yields {} when wasm/src/index.ts does not exist, instead of failing the
// page's import analysis. The engines need wasm/build/*.wasm (`npm run build`).
const wasmWorkspace = import.meta.glob<WasmWorkspace>('../../wasm/src/index.ts');

export function wasmEnginesPresent(): boolean {
  return Object.keys(wasmWorkspace).length > 0;
}

export function isHarnessEngine(name: string): name is HarnessEngineName {
  return (HARNESS_ENGINES as readonly string[]).includes(name);
}

/** Browsers may hide adapter strings (Chromium does for lavapipe): say so rather than print nothing. */
export function adapterName(info: GpuAdapterSummary): string {
  return [info.vendor, info.architecture, info.device, info.description].filter(Boolean).join(' ') || 'adapter with hidden info';
}

export async function openHarnessEngine(name: HarnessEngineName, webgpu: WebGpuSha256dOptions = {}): Promise<HarnessEngine> {
  switch (name) {
    case 'webgpu': {
      const { device, info } = await requestSha256dDevice(navigator.gpu);
      const engine = createWebGpuSha256dEngine(device, webgpu);
      return {
        engine,
        description: `${adapterName(info)} (${info.featureLevel}; npi ${engine.noncesPerInvocation}, wg ${engine.workgroupSize})`,
        close() {
          engine.dispose();
          device.destroy();
        },
      };
    }
    case 'wasm':
    case 'wasm-simd': {
      const load = Object.values(wasmWorkspace)[0];
      if (!load) throw new EngineUnavailableError(name, 'the wasm/ workspace (wasm/src/index.ts) is not in this checkout');
      const { createWasmSha256dEngine } = await load();
      const engine = await createWasmSha256dEngine({ simd: name === 'wasm-simd' });
      return { engine, description: `${engine.name} build`, close: () => engine.dispose() };
    }
    case 'js': {
      const engine = createReferenceSha256dEngine();
      return { engine, description: 'core JS reference', close: () => engine.dispose() };
    }
  }
}
