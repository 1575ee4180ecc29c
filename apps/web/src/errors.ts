/**
 * The web app's errors. Each has a stable `name` and a `reason` the person (or the developer
 * wiring the miner) can act on; the setup form shows `message`, which equals the reason.
 */
import { OtedamaError } from '@otedama/core';

/** A miner option or setting that cannot be used: intensity out of range, no engines, a bad edge URL. */
export class MinerOptionError extends OtedamaError {
  override readonly name = 'MinerOptionError';
  constructor(reason: string) {
    super('miner-option', reason);
  }
}

/** A line from the pool that is not valid Stratum: bad JSON, a notify or set_difficulty of the wrong shape. */
export class PoolMessageError extends OtedamaError {
  override readonly name = 'PoolMessageError';
  constructor(reason: string) {
    super('pool-message', reason);
  }
}
