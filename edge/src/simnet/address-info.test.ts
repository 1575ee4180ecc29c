/**
 * validateaddress against Bitcoin Core's own expectations (edge/test/fixtures/rpc/validateaddress-core.json):
 * the same error strings, the same likely error positions for mistyped bech32, and the address
 * details pool software reads (isscript, iswitness, witness_version, witness_program).
 */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { addressInfo } from './address-info.ts';

const fixture = JSON.parse(readFileSync(new URL('../../test/fixtures/rpc/validateaddress-core.json', import.meta.url), 'utf8')) as {
  invalid: { address: string; error: string; error_locations: number[] }[];
  valid: string[];
};

describe('addressInfo (validateaddress)', () => {
  it.each(fixture.invalid)('$address: $error', ({ address, error, error_locations }) => {
    expect(addressInfo(address, 'regtest')).toEqual({ isvalid: false, error_locations, error });
  });

  it.each(fixture.valid)('%s is valid on regtest', (address) => {
    const r = addressInfo(address, 'regtest');
    expect(r.isvalid).toBe(true);
    expect(r).not.toHaveProperty('error');
    expect(r).not.toHaveProperty('error_locations');
  });

  it('describes each kind as Core does (what ckpool and NOMP read)', () => {
    expect(addressInfo('mipcBbFg9gMiCh81Kj8tqqdgoZub1ZJRfn', 'regtest')).toEqual({
      isvalid: true,
      address: 'mipcBbFg9gMiCh81Kj8tqqdgoZub1ZJRfn',
      scriptPubKey: '76a914243f1394f44554f4ce3fd68649c19adc483ce92488ac',
      isscript: false,
      iswitness: false,
    });
    expect(addressInfo('2N3oefVeg6stiTb5Kh3ozCSkaqmx91FDbsm', 'regtest')).toMatchObject({ isvalid: true, isscript: true, iswitness: false, scriptPubKey: expect.stringMatching(/^a914[0-9a-f]{40}87$/) });
    // Upper case is accepted and the canonical (lower-case) address returned.
    expect(addressInfo('BCRT1QPLMTZKC2XHARPPZDLNPAQL78RSHJ68U33RAH7R', 'regtest')).toEqual({
      isvalid: true,
      address: 'bcrt1qplmtzkc2xharppzdlnpaql78rshj68u33rah7r',
      scriptPubKey: '00140ff6b15b0a35fa30844dfcc3d07fc71c2f2d1f91',
      isscript: false,
      iswitness: true,
      witness_version: 0,
      witness_program: '0ff6b15b0a35fa30844dfcc3d07fc71c2f2d1f91',
    });
    expect(addressInfo('bcrt1qdg3myrgvzw7ml9q0ejxhlkyxm7vl9r56yzkfgvzclrf4hkpx9yfqhpsuks', 'regtest')).toMatchObject({ isscript: true, iswitness: true, witness_version: 0 });
    // Pay-to-anchor (Core 28) and an unknown witness version (no isscript, as Core).
    expect(addressInfo('bcrt1pfeesnyr2tx', 'regtest')).toEqual({ isvalid: true, address: 'bcrt1pfeesnyr2tx', scriptPubKey: '51024e73', isscript: true, iswitness: true, witness_version: 1, witness_program: '4e73' });
    expect(addressInfo('bcrt1p424qxxyd0r', 'regtest')).toEqual({ isvalid: true, address: 'bcrt1p424qxxyd0r', scriptPubKey: '5102aaaa', iswitness: true, witness_version: 1, witness_program: 'aaaa' });
  });

  it('another network\'s addresses are invalid here, with Core\'s reasons', () => {
    // Mainnet bech32 is not read as bech32 at all on regtest; mainnet base58 has the wrong version byte.
    expect(addressInfo('bc1qvyq0cc6rahyvsazfdje0twl7ez82ndmuac2lhv', 'regtest')).toMatchObject({ isvalid: false, error: 'Invalid or unsupported Segwit (Bech32) or Base58 encoding.' });
    expect(addressInfo('1BvBMSEYstWetqTFn5Au4m4GFg7xJaNVN2', 'regtest')).toMatchObject({ isvalid: false, error: 'Invalid or unsupported Base58-encoded address.' });
    // A testnet bech32 address starts "tb1", not "bcrt": base58 then, and a checksum failure there.
    expect(addressInfo('tb1qw508d6qejxtdg4y5r3zarvary0c5xw7kxpjzsx', 'regtest').isvalid).toBe(false);
    expect(addressInfo('bcrtx1qw508d6qejxtdg4y5r3zarvary0c5xw7kqqq5k3my', 'regtest')).toMatchObject({ isvalid: false });
    // The same function serves mainnet with mainnet's prefixes.
    expect(addressInfo('bc1qvyq0cc6rahyvsazfdje0twl7ez82ndmuac2lhv', 'mainnet')).toMatchObject({ isvalid: true, iswitness: true });
  });

  it('survives hostile strings: empty, huge, control characters, NUL, mixed case, whitespace', () => {
    for (const s of ['', ' ', '\0', 'bcrt1', 'bcrt1' + 'q'.repeat(5000), '1'.repeat(5000), 'BCRT1qw508d6qejxtdg4y5r3zarvary0c5xw7kqqq5k3my', 'bcrt\u00e91qqq', '\u0000mipcBbFg9gMiCh81Kj8tqqdgoZub1ZJRfn']) {
      const r = addressInfo(s, 'regtest');
      expect(r.isvalid).toBe(false);
      expect(typeof (r as { error: string }).error).toBe('string');
    }
    // Mixed case: every lower-case letter after the upper-case start is a likely error.
    const mixed = 'BCRT1qw508d6qejxtdg4y5r3zarvary0c5xw7kqqq5k3my';
    expect(addressInfo(mixed, 'regtest')).toEqual({ isvalid: false, error: 'Invalid character or mixed case', error_locations: [...mixed].flatMap((c, i) => (/[a-z]/.test(c) ? [i] : [])) });
    // Core's base58 decoder skips surrounding whitespace.
    expect(addressInfo(' mipcBbFg9gMiCh81Kj8tqqdgoZub1ZJRfn\n', 'regtest')).toMatchObject({ isvalid: true, address: 'mipcBbFg9gMiCh81Kj8tqqdgoZub1ZJRfn' });
  });
});
