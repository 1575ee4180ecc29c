/**
 * What the pool that served the page says about itself before Start (its own GET
 * /api/pool/stats, same origin: no other edge is asked before the person presses Start): the
 * chain it mines (for the address help) and its algorithm (for the setup's list). Read once per
 * page load; undefined when the page's origin does not answer (a page served by something other
 * than an edge).
 */
import { poolAlgorithm } from './settings.ts';

export interface PagePool {
  /** The chain's network name as the edge gives it ("simnet", "regtest", "mainnet"...). */
  readonly network: string | undefined;
  /** The algorithm it names, or null for an edge that names none (SHA-256d). */
  readonly algorithm: string | null;
}

let read: Promise<PagePool | undefined> | undefined;

/** The page's own pool (one request per page load, shared by its readers). */
export function pagePool(): Promise<PagePool | undefined> {
  read ??= (async () => {
    try {
      const res = await fetch('/api/pool/stats', { headers: { accept: 'application/json' } });
      const stats: unknown = await res.json();
      const network = (stats as { pool?: { network?: unknown } } | null)?.pool?.network;
      return { network: typeof network === 'string' ? network : undefined, algorithm: poolAlgorithm(stats) };
    } catch {
      return undefined;
    }
  })();
  return read;
}
