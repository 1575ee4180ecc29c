import { describe, expect, it } from 'vitest';
import { offersWallet, whereToGetAnAddress } from './wallet-panel.ts';

describe('address help', () => {
  it('offers a browser wallet on test chains only', () => {
    expect(offersWallet('simnet')).toBe(true);
    expect(offersWallet('regtest')).toBe(true);
    expect(offersWallet('mainnet')).toBe(false);
    expect(offersWallet('testnet')).toBe(false);
    expect(offersWallet(undefined)).toBe(false);
  });

  it('on a real coin says where an address comes from, with the coin\'s name', () => {
    expect(whereToGetAnAddress('mainnet')).toBe('You need a Bitcoin address of your own to be paid. Any Bitcoin wallet gives you one (look for "Receive"). This page does not create keys for Bitcoin.');
    expect(whereToGetAnAddress('testnet')).toMatch(/a Bitcoin testnet address/);
  });
});
