/**
 * The Stratum dialects by algorithm name (core's registry names). A new algorithm is a file
 * beside these and one entry below.
 */
import { ShareValidator } from '@otedama/core';
import { ConfigError } from '../../errors.ts';
import type { StratumDialect } from '../dialect.ts';
import { KawpowDialect, type KawpowDialectLight } from './kawpow.ts';
import { Sha256dDialect } from './sha256d.ts';
import type { Sha256dFn } from '@otedama/core';

/** What dialects may need from the edge (each takes what it uses). */
export interface DialectDeps {
  /** Jobs the validator remembers. */
  readonly maxJobs: number;
  readonly now?: () => number;
  /** SHA-256d for SHA-256d validation (default core's). */
  readonly sha256d?: Sha256dFn;
  /** KawPow's light evaluation (required for kawpow). */
  readonly kawpowLight?: KawpowDialectLight;
  readonly onPrepareError?: (height: number, err: Error) => void;
}

const DIALECTS: Readonly<Record<string, (deps: DialectDeps) => StratumDialect>> = {
  sha256d: (d) => new Sha256dDialect({ validator: new ShareValidator({ ...(d.sha256d ? { sha256d: d.sha256d } : {}), ...(d.now ? { now: d.now } : {}), maxJobs: d.maxJobs }) }),
  kawpow: (d) => {
    if (!d.kawpowLight) throw new ConfigError('the KawPow Stratum dialect needs the light evaluation (a KawpowLight)');
    return new KawpowDialect({ light: d.kawpowLight, maxJobs: d.maxJobs, ...(d.onPrepareError ? { onPrepareError: d.onPrepareError } : {}) });
  },
};

/** The Stratum dialect of an algorithm; ConfigError for one the edge's Stratum server does not speak. */
export function stratumDialect(algorithm: string, deps: DialectDeps): StratumDialect {
  const make = DIALECTS[algorithm];
  if (!make) throw new ConfigError(`the Stratum server does not speak ${algorithm} (known: ${Object.keys(DIALECTS).join(', ')})`);
  return make(deps);
}

export { KawpowDialect, Sha256dDialect };
