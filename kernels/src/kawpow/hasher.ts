/**
 * KawPow hash and share verification on the GPU (core's KawpowHasher contract): one nonce at a
 * time through the search engine, with the DAG of the height's epoch built on the GPU from its
 * light cache. For a validator with a GPU, and for the shared compliance suite, which holds
 * every engine to the published vectors: those need an epoch's full DAG (1-6 GiB), which a real
 * GPU builds in seconds; `maxDatasetBytes` keeps machines without one from trying.
 *
 * Verification checks the final hash of the submitted mix against the target first (two
 * keccak-f800 on the CPU, no DAG), then recomputes the mix hash on the GPU.
 */
import {
  bytesToHex,
  checkKawpowDatasetItems,
  checkKawpowHeaderHash,
  checkKawpowHeight,
  checkKawpowMixHash,
  checkKawpowNonce,
  checkTarget,
  datasetItemCount,
  EngineUnavailableError,
  kawpowEpoch,
  kawpowFinalHash,
  kawpowHashValue,
  type KawpowHasher,
  type KawpowHashOptions,
  type KawpowHashResult,
  type KawpowShare,
  type KawpowVerdict,
} from '@otedama/core';
import { DATASET_GRANULE_BYTES } from './dag-layout.ts';
import { buildKawpowDag, type DagBuildOptions, type KawpowDag } from './dag.ts';
import { createWebGpuKawpowEngine, type WebGpuKawpowEngine, type WebGpuKawpowOptions } from './search.ts';

const MAX_TARGET = (1n << 256n) - 1n;

export interface WebGpuKawpowHasherOptions {
  /** The light cache of an epoch (the WASM engine builds them: KawpowContext.lightCacheView). */
  readonly lightCache: (epoch: number) => Promise<Uint8Array>;
  /**
   * Largest DAG this hasher builds, bytes (default: no limit beyond the device's). A hash at an
   * epoch's full size whose DAG is larger is refused with EngineUnavailableError.
   */
  readonly maxDatasetBytes?: number;
  /** Passed to every DAG build (progress, cancellation). */
  readonly dagBuild?: Omit<DagBuildOptions, 'maxBindingBytes'>;
  /** Passed to the search engine (tuning). */
  readonly engine?: Omit<WebGpuKawpowOptions, 'dag' | 'dagSource'>;
  /** DAGs kept on the GPU, least recently used dropped first (default 1: an epoch's DAG is GiBs). */
  readonly keepDags?: number;
}

interface HeldDag {
  readonly dag: Promise<KawpowDag>;
  readonly engine: Promise<WebGpuKawpowEngine>;
}

export class WebGpuKawpowHasher implements KawpowHasher {
  readonly name = 'webgpu';
  /** DAGs and engines by "epoch/dataset items", least recently used first. */
  private readonly held = new Map<string, HeldDag>();
  private disposed = false;

  constructor(
    readonly device: GPUDevice,
    private readonly options: WebGpuKawpowHasherOptions,
  ) {}

  async hash(headerHash: Uint8Array, nonce: bigint, height: number, options?: KawpowHashOptions): Promise<KawpowHashResult> {
    const items = this.checkArgs(headerHash, nonce, height, options);
    const engine = await this.engineFor(kawpowEpoch(height), items);
    const { hits } = await engine.search({ headerHash, height, target: MAX_TARGET }, nonce, 1);
    const hit = hits[0];
    if (!hit) throw new EngineUnavailableError('webgpu', 'the GPU returned no hash at the largest target');
    return { mixHash: hit.mixHash, finalHash: hit.finalHash };
  }

  async verify(share: KawpowShare, target: bigint, options?: KawpowHashOptions): Promise<KawpowVerdict> {
    this.checkArgs(share?.headerHash, share?.nonce, share?.height, options);
    checkKawpowMixHash(share.mixHash);
    checkTarget(target);
    const claimed = kawpowFinalHash(share.headerHash, share.nonce, share.mixHash);
    if (kawpowHashValue(claimed) > target) {
      return { valid: false, reason: 'above-target', finalHash: claimed, detail: `final hash ${bytesToHex(claimed)} is above the target ${target.toString(16).padStart(64, '0')}` };
    }
    const computed = await this.hash(share.headerHash, share.nonce, share.height, options);
    if (bytesToHex(computed.mixHash) !== bytesToHex(share.mixHash)) {
      return { valid: false, reason: 'mix-mismatch', finalHash: claimed, detail: 'the submitted mix hash is not the one this header hash, nonce and height give' };
    }
    return { valid: true, finalHash: computed.finalHash };
  }

  /** Releases the engines and the DAGs. Idempotent. */
  dispose(): void {
    this.disposed = true;
    for (const key of [...this.held.keys()]) this.release(key);
  }

  private checkArgs(headerHash: Uint8Array, nonce: bigint, height: number, options: KawpowHashOptions | undefined): number {
    checkKawpowHeaderHash(headerHash);
    checkKawpowNonce(nonce);
    checkKawpowHeight(height);
    const real = datasetItemCount(kawpowEpoch(height));
    if (options?.datasetItems === undefined) return real;
    checkKawpowDatasetItems(options.datasetItems, real);
    return options.datasetItems;
  }

  private release(key: string): void {
    const held = this.held.get(key);
    this.held.delete(key);
    void held?.engine.then((e) => e.dispose(), () => undefined);
    void held?.dag.then((d) => d.destroy(), () => undefined);
  }

  private async engineFor(epoch: number, datasetItems: number): Promise<WebGpuKawpowEngine> {
    if (this.disposed) throw new EngineUnavailableError('webgpu', 'hasher was disposed');
    const key = `${epoch}/${datasetItems}`;
    let held = this.held.get(key);
    if (held) {
      this.held.delete(key); // re-inserted below: Map order is least recently used first
    } else {
      const datasetBytes = datasetItems * DATASET_GRANULE_BYTES;
      const max = this.options.maxDatasetBytes ?? Infinity;
      if (datasetBytes > max) {
        throw new EngineUnavailableError('webgpu', `epoch ${epoch}'s ${datasetBytes}-byte DAG is above this hasher's limit of ${max} bytes (maxDatasetBytes)`);
      }
      // Make room first: the old DAG's memory is freed before the new one is allocated.
      const keep = Math.max(1, this.options.keepDags ?? 1);
      while (this.held.size >= keep) this.release(this.held.keys().next().value!);
      const dag = this.options.lightCache(epoch).then((lightCache) => buildKawpowDag(this.device, { epoch, lightCache, datasetBytes }, this.options.dagBuild));
      const engine = dag.then((d) => createWebGpuKawpowEngine(this.device, { ...this.options.engine, dag: d }));
      dag.catch(() => undefined);
      engine.catch(() => undefined);
      held = { dag, engine };
    }
    this.held.set(key, held);
    try {
      return await held.engine;
    } catch (err) {
      if (this.held.get(key) === held) this.release(key); // a failed build is not kept: the next call tries again
      throw err;
    }
  }
}

/** A KawpowHasher on the GPU `device`; light caches come from `options.lightCache`. */
export function createWebGpuKawpowHasher(device: GPUDevice, options: WebGpuKawpowHasherOptions): WebGpuKawpowHasher {
  return new WebGpuKawpowHasher(device, options);
}
