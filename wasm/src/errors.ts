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
