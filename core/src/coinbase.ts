/** Coinbase assembly around the extranonce slot: coinb1 | extranonce1 | extranonce2 | coinb2. */
import { OtedamaError } from './errors.ts';
import { concatBytes } from './hex.ts';
import { sha256d } from './sha256.ts';

export class CoinbaseError extends OtedamaError {
  override readonly name = 'CoinbaseError';
  constructor(reason: string) {
    super('invalid-coinbase', reason);
  }
}

export function assembleCoinbase(
  coinb1: Uint8Array,
  extranonce1: Uint8Array,
  extranonce2: Uint8Array,
  coinb2: Uint8Array,
  extranonce2Size?: number,
): Uint8Array {
  if (extranonce2Size !== undefined && extranonce2.length !== extranonce2Size) {
    throw new CoinbaseError(`extranonce2 must be ${extranonce2Size} bytes (got ${extranonce2.length})`);
  }
  return concatBytes(coinb1, extranonce1, extranonce2, coinb2);
}

/** The coinbase's txid (internal order): the merkle leaf. */
export function coinbaseHash(coinbase: Uint8Array): Uint8Array {
  return sha256d(coinbase);
}
