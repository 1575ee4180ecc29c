/**
 * Errors of the WASM hashers. Loading failures are core's EngineUnavailableError (a missing or
 * stale build, no WebAssembly, no SIMD); argument errors are core's typed errors too.
 */
import { OtedamaError } from '@otedama/core';

/** search() on a searcher that was never given a job. */
export class JobNotSetError extends OtedamaError {
  override readonly name = 'JobNotSetError';
  constructor() {
    super('job-not-set', 'no job to search: call setJob(header, target) before search()');
  }
}

/** A serialized KawPow light cache that is truncated, of another format or epoch, or fails its checksum. */
export class LightCacheCorruptError extends OtedamaError {
  override readonly name = 'LightCacheCorruptError';
  constructor(reason: string) {
    super('light-cache-corrupt', `light cache rejected: ${reason}`);
  }
}

/** Hashing with a KawPow context whose light cache is not built (or loaded) yet. */
export class LightCacheNotBuiltError extends OtedamaError {
  override readonly name = 'LightCacheNotBuiltError';
  constructor(readonly epoch: number) {
    super('light-cache-not-built', `the light cache of epoch ${epoch} is not built yet: finish build() (or load a serialized cache) first`);
  }
}

/** A light-cache or dataset build stopped by its AbortSignal (or by dispose()). */
export class BuildCancelledError extends OtedamaError {
  override readonly name = 'BuildCancelledError';
  constructor(what: string, options?: { cause?: unknown }) {
    super('cancelled', `${what} was cancelled`, options);
  }
}
