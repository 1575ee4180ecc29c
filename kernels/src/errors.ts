/**
 * Typed errors of the kernels workspace. A lost device or a missing adapter is core's
 * EngineUnavailableError (every engine reports those the same way); what is specific to a
 * GPU kernel is a tuning option the device cannot run.
 */
import { OtedamaError } from '@otedama/core';

export { EngineUnavailableError } from '@otedama/core';

/** A kernel option (workgroup size, nonces per invocation, dispatch size) out of range. */
export class KernelOptionError extends OtedamaError {
  override readonly name = 'KernelOptionError';
  constructor(reason: string) {
    super('invalid-kernel-option', reason);
  }
}
