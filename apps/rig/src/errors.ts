/** The rig's errors, each with a stable `name` and a `reason` the operator can act on. */
import { OtedamaError } from '@otedama/core';

/** A rig option that cannot be used (browsers, threads, URL, address...). */
export class RigOptionError extends OtedamaError {
  override readonly name = 'RigOptionError';
  constructor(reason: string) {
    super('rig-option', reason);
  }
}

/** The page refused to mine (a bad address for the pool's chain, no GPU where one was asked for): restarting will not help. */
export class RigSetupError extends OtedamaError {
  override readonly name = 'RigSetupError';
  constructor(reason: string) {
    super('rig-setup', reason);
  }
}
