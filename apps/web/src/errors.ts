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

/** A courtesy preference or state that cannot be used, with the reason. */
export class CourtesyError extends OtedamaError {
  override readonly name = 'CourtesyError';
  constructor(reason: string) {
    super('courtesy', reason);
  }
}

/** The browser refused the mining lock for a reason other than another tab holding it (e.g. an opaque origin). */
export class MiningLockError extends OtedamaError {
  override readonly name = 'MiningLockError';
  constructor(reason: string, cause?: unknown) {
    super('mining-lock', reason, { cause });
  }
}

/** Another tab of this site holds the mining lock: this one does not start (mining-lock.ts). */
export class MiningBusyError extends OtedamaError {
  override readonly name = 'MiningBusyError';
  constructor(reason: string) {
    super('mining-busy', reason);
  }
}

/** A reply of the edge's HTTP API that cannot be read, or an edge that cannot be reached. */
export class PoolApiError extends OtedamaError {
  override readonly name = 'PoolApiError';
  constructor(reason: string) {
    super('pool-api', reason);
  }
}

/** A setting the person typed that cannot be used; `field` names the form field to fix. */
export class SettingsError extends OtedamaError {
  override readonly name = 'SettingsError';
  constructor(
    readonly field: 'address' | 'algorithm' | 'threads' | 'gpu' | 'intensity' | 'edges' | 'whenHidden' | 'onBattery',
    reason: string,
  ) {
    super('settings', reason);
  }
}

/** The reason of a typed error, else the message of any error, for an event line. */
export function errorReason(err: unknown): string {
  return (err as { reason?: string })?.reason ?? (err instanceof Error ? err.message : String(err));
}

/** The page cannot be a peer of the pool's network: no edge describes it, edges disagree, the peer node failed. */
export class PeerNetworkError extends OtedamaError {
  override readonly name = 'PeerNetworkError';
  constructor(reason: string, options?: { cause?: unknown }) {
    super('peer-network', reason, options);
  }
}
