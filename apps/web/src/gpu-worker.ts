/**
 * The GPU mining worker: one WebGPU SHA-256d engine on a device this worker requests itself,
 * driven through comlink. `init` tunes the dispatch so one takes about 75 ms (the page and the
 * job switch stay quick); `search` returns only hits and the count of nonces tried.
 *
 * Device loss: the worker watches `device.lost`. Unless it destroyed the device itself
 * (`dispose`), it requests a new adapter and device, rebuilds the engine and its pipelines
 * (keeping the tuned dispatch size: same machine, same adapter) and reports both the loss and
 * the recovery through the `onEvent` callback that the main thread passed to `init` (a comlink
 * proxy). A search cut short by the loss answers `{ tried: 0, deviceLost }`; the main thread
 * then awaits `ready()`, which settles when the rebuild has finished (or failed, in which case
 * the main thread replaces this worker).
 *
 * Diagnostic global: `self.otedamaGpu = { device }` is the GPUDevice in use, kept current across
 * recoveries. It exists so a browser test can cause a real device loss
 * (`worker.evaluate(() => self.otedamaGpu.device.destroy())` through Playwright's page.workers()).
 * It lives in this worker's own global scope, which no page script can reach.
 */
import * as Comlink from 'comlink';
import { autoTuneDispatchNonces, createWebGpuSha256dEngine, requestSha256dDevice, type WebGpuSha256dEngine } from '@otedama/kernels';
import type { SearchReply } from './cpu-worker.ts';
import { restInWorker } from './duty-cycle.ts';
import type { MinerEvent } from './miner.ts';

/** Wall time one GPU dispatch should take (ms): the middle of the issue's 50-100 ms band. */
const DISPATCH_TARGET_MS = 75;
/** After a failed search, how long (ms) to wait for `device.lost` before blaming the engine. */
const LOSS_GRACE_MS = 1000;

export interface GpuWorkerInfo {
  engine: string;
  adapter: string;
  dispatchNonces: number;
  /** Hash rate the tuner measured (hashes per second). */
  tunedHashesPerSecond: number;
}

/** The diagnostic global described above. */
interface GpuDiagnostics {
  device: GPUDevice | undefined;
}
const diagnostics: GpuDiagnostics = { device: undefined };
(self as unknown as { otedamaGpu: GpuDiagnostics }).otedamaGpu = diagnostics;

let engine: WebGpuSha256dEngine | undefined;
let info: GpuWorkerInfo | undefined;
let report: ((event: MinerEvent) => unknown) | undefined;
/** The device the engine runs on (set before the engine exists, so a loss during setup is seen). */
let currentDevice: GPUDevice | undefined;
/** Why the current device was lost, until a new one works. */
let lostReason: string | undefined;
/** The rebuild after a loss; rejected if it failed. */
let recovery: Promise<void> | undefined;
/** Devices this worker destroyed on purpose: their loss is not a failure. */
const destroyedByUs = new WeakSet<GPUDevice>();

function emit(event: MinerEvent): void {
  // The callback is a comlink proxy: it returns a promise, which rejects if the page let go of it.
  Promise.resolve(report?.(event)).catch(() => undefined);
}

function adapterName(a: { description: string; vendor: string; architecture: string; device: string }): string {
  return a.description || [a.vendor, a.architecture, a.device].filter(Boolean).join(' ') || 'WebGPU adapter';
}

/** Requests an adapter and device, watches the device for loss, and builds an engine on it. */
async function openEngine(): Promise<{ engine: WebGpuSha256dEngine; adapter: string }> {
  const gpu = (self.navigator as Navigator & { gpu?: GPU }).gpu;
  const { device, info: adapter } = await requestSha256dDevice(gpu, { label: 'otedama-gpu-worker' });
  currentDevice = device;
  diagnostics.device = device;
  // Registered before the engine's own handler, so lostReason is set when its search rejects.
  void device.lost.then((lost) => onDeviceLost(device, lost));
  return { engine: createWebGpuSha256dEngine(device), adapter: adapterName(adapter) };
}

function onDeviceLost(device: GPUDevice, lost: GPUDeviceLostInfo): void {
  if (destroyedByUs.has(device) || device !== currentDevice) return;
  lostReason = `${lost.reason}${lost.message ? `: ${lost.message}` : ''}`;
  recovery = recover(lostReason);
  recovery.catch(() => undefined); // reported through emit() and ready()
}

async function recover(reason: string): Promise<void> {
  const old = engine;
  const dispatchNonces = old?.dispatchNonces;
  old?.dispose();
  engine = undefined;
  emit({ level: 'warn', text: `GPU device lost (${reason}); requesting a new device` });
  try {
    const fresh = await openEngine();
    if (dispatchNonces) fresh.engine.dispatchNonces = dispatchNonces;
    await fresh.engine.ready();
    engine = fresh.engine;
    lostReason = undefined;
    recovery = undefined;
    if (info) info = { ...info, adapter: fresh.adapter, dispatchNonces: fresh.engine.dispatchNonces };
    emit({ level: 'warn', text: `GPU recovered from device loss: new device on ${fresh.adapter}, pipelines rebuilt` });
  } catch (err) {
    emit({ level: 'error', text: `GPU could not recover from device loss: ${(err as Error).message}` });
    throw err;
  }
}

const api = {
  async init(onEvent?: (event: MinerEvent) => unknown): Promise<GpuWorkerInfo> {
    report = onEvent;
    if (info) return info;
    const opened = await openEngine();
    engine = opened.engine;
    const tuned = await autoTuneDispatchNonces(engine, { targetMs: DISPATCH_TARGET_MS });
    info = { engine: engine.name, adapter: opened.adapter, dispatchNonces: tuned.dispatchNonces, tunedHashesPerSecond: tuned.hashesPerSecond };
    return info;
  },
  async search(header: Uint8Array, target: bigint, start: number, count: number): Promise<SearchReply> {
    if (lostReason) return { nonces: [], tried: 0, deviceLost: lostReason };
    const e = engine;
    if (!e) throw new Error('GPU worker not initialised');
    try {
      const r = await e.search({ header, target }, start, count);
      return { nonces: r.hits.map((h) => h.nonce), tried: r.tried };
    } catch (err) {
      // A lost (destroyed) device fails pending buffer maps before `device.lost` settles: give
      // the loss a moment to show before calling this an engine failure.
      if (!lostReason) await Promise.race([e.device.lost, new Promise((r) => setTimeout(r, LOSS_GRACE_MS))]);
      if (lostReason) return { nonces: [], tried: 0, deviceLost: lostReason };
      throw err;
    }
  },
  /** Rests between batches (duty cycle) on this worker's timers; see duty-cycle.ts. */
  rest: restInWorker,
  /** Settles when the engine is usable: at once, or after the rebuild that follows a device loss. */
  async ready(): Promise<void> {
    await recovery;
  },
  /** Releases the engine and destroys the device on purpose (not reported as a loss). */
  dispose(): void {
    engine?.dispose();
    engine = undefined;
    if (currentDevice) {
      destroyedByUs.add(currentDevice);
      currentDevice.destroy();
    }
    currentDevice = undefined;
    diagnostics.device = undefined;
  },
};

export type GpuWorkerApi = typeof api;
Comlink.expose(api);
