import { describe, expect, it } from 'vitest';
import { payoutAddressProblem, poolNetwork } from './address-check.ts';

describe('poolNetwork', () => {
  it('reads the network the edge reports; simnet means regtest addresses', () => {
    expect(poolNetwork({ pool: { network: 'simnet' } })).toBe('regtest');
    expect(poolNetwork({ pool: { network: 'mainnet' } })).toBe('mainnet');
    expect(poolNetwork({ pool: { network: 'testnet' } })).toBe('testnet');
  });
  it('is undefined for replies that name no known network', () => {
    for (const bad of [null, undefined, 'x', {}, { pool: null }, { pool: { network: 'dogecoin' } }, { pool: { network: 7 } }]) expect(poolNetwork(bad)).toBeUndefined();
  });
});

describe('payoutAddressProblem', () => {
  it('accepts an address of the pool network and explains the others', () => {
    expect(payoutAddressProblem('bcrt1qw508d6qejxtdg4y5r3zarvary0c5xw7kygt080', 'regtest')).toBeUndefined();
    expect(payoutAddressProblem('bc1qw508d6qejxtdg4y5r3zarvary0c5xw7kv8f3t4', 'mainnet')).toBeUndefined();
    expect(payoutAddressProblem('bc1qw508d6qejxtdg4y5r3zarvary0c5xw7kv8f3t4', 'regtest')).toMatch(/mainnet|regtest|network/i);
    expect(payoutAddressProblem('', 'regtest')).toBe('enter a payout address');
    expect(payoutAddressProblem('hello', 'mainnet')).toEqual(expect.any(String));
  });
});
