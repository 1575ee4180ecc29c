/** What the page and the KawPow workers (kawpow-gpu-worker.ts, kawpow-cpu-worker.ts) exchange. */

/** A job as a worker hashes it. */
export interface KawpowWorkerJob {
  /** 32 bytes, ProgPoW's order. */
  readonly headerHash: Uint8Array;
  readonly height: number;
  /** The final hash, read big-endian, must be at or below it. */
  readonly target: bigint;
}

export interface KawpowPrepareOptions {
  /** Tests only: a reduced dataset of this many 1024-bit items (the same code paths). */
  readonly datasetItems?: number;
  /** IndexedDB database of the light caches (tests use their own). */
  readonly storeName?: string;
}

export interface KawpowPrepared {
  readonly epoch: number;
  /** True when the light cache came from IndexedDB (no build). */
  readonly lightCacheFromStore: boolean;
  /** Bytes of the DAG on the GPU (0 for a CPU worker). */
  readonly dagBytes: number;
}

export interface KawpowHit {
  readonly nonce: bigint;
  readonly mixHash: Uint8Array;
  readonly finalHash: Uint8Array;
}

export interface KawpowSearchReply {
  readonly hits: KawpowHit[];
  readonly tried: number;
}
