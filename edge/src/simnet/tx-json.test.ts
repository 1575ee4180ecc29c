/**
 * Transactions and scripts as bitcoind shows them: decoderawtransaction outputs recorded from
 * bitcoind and Core's test data (edge/test/fixtures/rpc/decoderawtransaction-core.json), BIP380's
 * descriptor checksum, and the script forms Core's Solver, ScriptToAsmStr and InferDescriptor
 * distinguish. Malformed hex and transactions fail cleanly (undefined), never throw.
 */
import { readFileSync } from 'node:fs';
import { bytesToHex, hexToBytes, type Network } from '@otedama/core';
import { describe, expect, it } from 'vitest';
import { toJson } from './json-rpc.ts';
import { SIMNET_DEFAULT_PAYOUT_ADDRESS } from './simnet.ts';
import { decodeHexTx, descriptorChecksum, inferDescriptor, scriptPubKeyJson, scriptToAsm, solve, txToJson } from './tx-json.ts';

interface Vector {
  name: string;
  network: Network;
  hex: string;
  decoded?: unknown;
  partial?: unknown;
}
const fixture = JSON.parse(readFileSync(new URL('../../test/fixtures/rpc/decoderawtransaction-core.json', import.meta.url), 'utf8')) as {
  vectors: Vector[];
  descriptor_checksums: { vectors: { descriptor: string; checksum: string }[] };
};

/** Our JSON with amounts as the exact text Core writes ("49.00000000"), as the fixture keeps them. */
function asFixture(v: unknown): unknown {
  return JSON.parse(toJson(v).replace(/"value":(-?\d+\.\d{8})/g, '"value":"$1"'));
}

describe('decoderawtransaction (txToJson of decodeHexTx)', () => {
  it.each(fixture.vectors)('$name', (v) => {
    const tx = decodeHexTx(v.hex);
    expect(tx).toBeDefined();
    const got = asFixture(txToJson(tx!, v.network));
    if (v.decoded) expect(got).toEqual(v.decoded);
    else expect(got).toMatchObject(v.partial as object);
  });

  it('writes amounts with eight decimals, as Core', () => {
    const tx = decodeHexTx(fixture.vectors[0]!.hex)!;
    expect(toJson(txToJson(tx, 'regtest'))).toContain('"value":49.00000000,');
  });

  it('honours iswitness: false reads the legacy form, true the witness form', () => {
    const segwit = fixture.vectors[1]!.hex;
    expect(decodeHexTx(segwit, true)).toBeDefined();
    expect(decodeHexTx(segwit, false)).toBeUndefined();
    // version | 00 inputs | 1 output of 1 sat to OP_TRUE | locktime: only a legacy reading exists.
    const zeroInputs = '01000000' + '00' + '01' + '0100000000000000' + '0151' + '00000000';
    expect(decodeHexTx(zeroInputs)?.outputs).toHaveLength(1);
    expect(decodeHexTx(zeroInputs, true)).toBeUndefined();
  });

  it.each([
    ['empty', ''],
    ['odd length', '0'],
    ['not hex', 'zz'],
    ['truncated', fixture.vectors[0]!.hex.slice(0, 40)],
    ['trailing bytes', fixture.vectors[0]!.hex + '00'],
    ['a count larger than the data', '01000000fdffff'],
    ['a huge output script length', '0100000001' + '00'.repeat(36) + '00ffffffff01' + '00'.repeat(8) + 'ffffffffff'],
  ])('undefined for %s', (_name, hex) => {
    expect(decodeHexTx(hex)).toBeUndefined();
  });

  it('shows a coinbase with its witness reserved value and commitment output', () => {
    // A coinbase as a pool builds it: BIP34 height 1 + extranonce, a P2WSH payout (simnet's default,
    // OP_TRUE's script hash), the BIP141 commitment.
    const coinbase =
      '02000000' + '0001' + '01' + '00'.repeat(32) + 'ffffffff' + '0651' + '0400000000' + 'ffffffff' + '02' +
      '00f2052a01000000' + '220020' + '4ae81572f06e1b88fd5ced7a1a000945432e83e1551e6f721ee9c00b8cc33260' +
      '0000000000000000' + '26' + '6a24aa21a9ed' + 'e2f61c3f71d1defd3fa999dfa36953755c690689799962b48bebd836974e8cf9' +
      '01' + '20' + '00'.repeat(32) + '00000000';
    const j = txToJson(decodeHexTx(coinbase)!, 'regtest') as { vin: unknown[]; vout: { scriptPubKey: unknown }[] };
    expect(j.vin).toEqual([{ coinbase: '51' + '0400000000', txinwitness: ['00'.repeat(32)], sequence: 4294967295 }]);
    expect(j.vout[0]!.scriptPubKey).toEqual({
      asm: '0 4ae81572f06e1b88fd5ced7a1a000945432e83e1551e6f721ee9c00b8cc33260',
      desc: `addr(${SIMNET_DEFAULT_PAYOUT_ADDRESS})#${descriptorChecksum(`addr(${SIMNET_DEFAULT_PAYOUT_ADDRESS})`)}`,
      hex: '00204ae81572f06e1b88fd5ced7a1a000945432e83e1551e6f721ee9c00b8cc33260',
      address: SIMNET_DEFAULT_PAYOUT_ADDRESS,
      type: 'witness_v0_scripthash',
    });
    expect(j.vout[1]!.scriptPubKey).toMatchObject({ asm: 'OP_RETURN aa21a9ede2f61c3f71d1defd3fa999dfa36953755c690689799962b48bebd836974e8cf9', type: 'nulldata', desc: expect.stringMatching(/^raw\(6a24aa21a9ed[0-9a-f]{64}\)#[a-z0-9]{8}$/) });
  });
});

describe('scripts', () => {
  it.each(fixture.descriptor_checksums.vectors)('BIP380 checksum of $descriptor', ({ descriptor, checksum }) => {
    expect(descriptorChecksum(descriptor)).toBe(checksum);
  });

  const G = '0279be667ef9dcbbac55a06295ce870b07029bfcdb2dce28d959f2815b16f81798';
  const X = '79be667ef9dcbbac55a06295ce870b07029bfcdb2dce28d959f2815b16f81798';
  it.each<[string, string, string, string | undefined, RegExp]>([
    ['P2PK', `21${G}ac`, 'pubkey', undefined, new RegExp(`^pk\\(${G}\\)#`)],
    ['P2PKH', `76a914${'11'.repeat(20)}88ac`, 'pubkeyhash', 'mkKqNTe…', /^addr\(m/],
    ['P2SH', `a914${'22'.repeat(20)}87`, 'scripthash', '2…', /^addr\(2/],
    ['P2WPKH', `0014${'33'.repeat(20)}`, 'witness_v0_keyhash', 'bcrt1q…', /^addr\(bcrt1q/],
    ['P2WSH', `0020${'44'.repeat(32)}`, 'witness_v0_scripthash', 'bcrt1q…', /^addr\(bcrt1q/],
    ['P2TR on the curve', `5120${X}`, 'witness_v1_taproot', 'bcrt1p…', new RegExp(`^rawtr\\(${X}\\)#`)],
    ['P2TR off the curve', `5120${'00'.repeat(32)}`, 'witness_v1_taproot', 'bcrt1p…', /^addr\(bcrt1p/],
    ['anchor', '51024e73', 'anchor', 'bcrt1pfeesnyr2tx', /^addr\(bcrt1pfeesnyr2tx\)#/],
    ['unknown witness version', `5302${'aa'.repeat(2)}`, 'witness_unknown', 'bcrt1n…', /^addr\(bcrt1/],
    ['v0 program of a bad length', `0015${'55'.repeat(21)}`, 'nonstandard', undefined, /^raw\(/],
    ['1-of-2 multisig', `5121${G}21${G}52ae`, 'multisig', undefined, new RegExp(`^multi\\(1,${G},${G}\\)#`)],
    ['OP_RETURN data', '6a0568656c6c6f', 'nulldata', undefined, /^raw\(6a0568656c6c6f\)#/],
    ['OP_RETURN then a non-push', '6a76', 'nonstandard', undefined, /^raw\(6a76\)#/],
    ['a truncated push', '4c05aabb', 'nonstandard', undefined, /^raw\(4c05aabb\)#/],
    ['empty', '', 'nonstandard', undefined, /^raw\(\)#/],
  ])('%s', (_name, hex, type, address, desc) => {
    const s = hexToBytes(hex);
    expect(solve(s).type).toBe(type);
    const j = scriptPubKeyJson(s, 'regtest');
    expect(j.type).toBe(type);
    expect(j.hex).toBe(hex);
    expect(j.desc).toMatch(desc);
    if (address === undefined) expect(j).not.toHaveProperty('address');
    else expect(typeof j.address).toBe('string');
    expect(inferDescriptor(s, 'regtest')).toBe(j.desc);
  });

  it('asm: small pushes as numbers, opcode names, [error] for a cut-short script, sighash only in scriptSigs', () => {
    expect(scriptToAsm(hexToBytes('00' + '4f' + '51' + '60' + '0181' + '0201' + '00' + '04ffffff7f' + '050000000000' + '0180'))).toBe('0 -1 1 16 -1 1 2147483647 0000000000 0');
    expect(scriptToAsm(hexToBytes('b1b2babb50ff'))).toBe('OP_CHECKLOCKTIMEVERIFY OP_CHECKSEQUENCEVERIFY OP_CHECKSIGADD OP_UNKNOWN OP_RESERVED OP_INVALIDOPCODE');
    expect(scriptToAsm(hexToBytes('76a94c'))).toBe('OP_DUP OP_HASH160 [error]');
    // The smallest strict-DER signature (r = s = 1) with SIGHASH_ALL|ANYONECANPAY.
    const sig = '3006020101020101' + '81';
    const push = (hex: string) => bytesToHex(new Uint8Array([hex.length / 2])) + hex;
    expect(scriptToAsm(hexToBytes(push(sig)), true)).toBe('3006020101020101[ALL|ANYONECANPAY]');
    expect(scriptToAsm(hexToBytes(push(sig)), false)).toBe(sig);
    // Not strict DER (r padded with a needless zero byte): shown as plain hex.
    expect(scriptToAsm(hexToBytes(push('300702020001020101' + '01')), true)).toBe('30070202000102010101');
    // An undefined sighash type (0x04) is not decoded either.
    expect(scriptToAsm(hexToBytes(push('3006020101020101' + '04')), true)).toBe('300602010102010104');
    // OP_RETURN data that looks like a signature is left alone.
    expect(scriptToAsm(hexToBytes('6a' + push(sig)), true)).toBe(`OP_RETURN ${sig}`);
  });
});
