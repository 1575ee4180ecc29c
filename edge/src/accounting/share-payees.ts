/**
 * Who a share of this edge's miners names as payees (docs/sharechain.md §3: 1..4 payees whose
 * basis points sum to 10,000): the miner's payout address, and the edge operator's address with
 * `feeBp` of the share's credit. With a fee of 0, or when the miner mines to the operator's own
 * address, the miner is the only payee. The chain then credits each payee its part of the share's
 * work in every window the share is in, and pays it from every block's coinbase: the operator's
 * fee is earned share by share, like the miners' credit, and nobody holds anyone's funds.
 */
import { addressToScript, bytesEqual, type Network, type Payee } from '@otedama/core';
import { BASIS_POINTS } from '@otedama/core';

export interface SharePayeesOptions {
  /** The network payout addresses are checked against (simnet: regtest). */
  readonly network: Network;
  /** The operator's address (config pool.payout_address). */
  readonly feeAddress: string;
  /** The operator's fee in basis points, 0..9999. */
  readonly feeBp: number;
}

/** Payee lists remembered by address (a pool has a bounded number of active addresses; the cache is cut when full). */
const PAYEE_CACHE_SIZE = 10_000;

/** A function giving the payees of a share found by `address`'s miners; throws for an address with no script on the network. */
export type SharePayees = (address: string) => readonly Payee[];

export function sharePayees(options: SharePayeesOptions): SharePayees {
  const { network, feeBp } = options;
  if (!Number.isInteger(feeBp) || feeBp < 0 || feeBp >= BASIS_POINTS) throw new RangeError(`the fee must be 0..${BASIS_POINTS - 1} basis points (got ${feeBp})`);
  const feeScript = addressToScript(options.feeAddress, network);
  const cache = new Map<string, readonly Payee[]>();
  return (address) => {
    const hit = cache.get(address);
    if (hit) return hit;
    const script = addressToScript(address, network);
    const payees: readonly Payee[] = feeBp === 0 || bytesEqual(script, feeScript)
      ? [{ script, bp: BASIS_POINTS }]
      : [{ script, bp: BASIS_POINTS - feeBp }, { script: feeScript, bp: feeBp }];
    if (cache.size >= PAYEE_CACHE_SIZE) cache.clear();
    cache.set(address, payees);
    return payees;
  };
}
