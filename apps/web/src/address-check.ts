/**
 * Payout address check for the chain the pool mines. Loaded with the miner (after Start), so the
 * address codec stays out of the JS that loads before Start.
 */
import { NETWORKS, validateAddress, type Network } from '@otedama/core';

/**
 * The network named by the edge's GET /api/pool/stats (`pool.network`): a core network name, or
 * "simnet" (the built-in chain, regtest addresses). Undefined when the reply names none we know.
 */
export function poolNetwork(stats: unknown): Network | undefined {
  const name = (stats as { pool?: { network?: unknown } } | null)?.pool?.network;
  if (name === 'simnet') return 'regtest';
  return NETWORKS.includes(name as Network) ? (name as Network) : undefined;
}

/** A reason the address cannot receive payouts on `network`, or undefined when it can. */
export function payoutAddressProblem(address: string, network: Network): string | undefined {
  if (!address) return 'enter a payout address';
  try {
    validateAddress(address, network);
    return undefined;
  } catch (err) {
    return (err as { reason?: string }).reason ?? (err instanceof Error ? err.message : String(err));
  }
}
