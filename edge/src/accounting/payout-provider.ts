/**
 * Who the coinbase pays. The job manager asks a PayoutProvider for the outputs of every job;
 * until PPLNS accounting lands, everything goes to one address (config.pool.payoutAddress).
 */
import { addressToScript, type BlockTemplate, type CoinbaseOutput, type Network } from '@otedama/core';

export interface PayoutProvider {
  /** The coinbase outputs for a template; their sum may not exceed template.coinbaseValue. */
  payoutOutputs(template: BlockTemplate): CoinbaseOutput[];
}

/** Pays the whole coinbase value to one address (validated for `network` up front). */
export function singleAddressPayouts(address: string, network: Network): PayoutProvider {
  const script = addressToScript(address, network);
  return { payoutOutputs: (template) => [{ script, value: template.coinbaseValue }] };
}
