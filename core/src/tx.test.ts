import { describe, expect, it } from 'vitest';
import { TxDecodeError } from './errors.ts';
import { bytesToHex, hexToBytes, reverseBytes } from './hex.ts';
import {
  ByteReader,
  bip34HeightPush,
  encodeVarInt,
  isCoinbase,
  parseTx,
  pushData,
  pushScriptNumber,
  scriptNumBytes,
  serializeTx,
  txid,
  txidOfBytes,
  wtxid,
} from './tx.ts';

const display = (h: Uint8Array) => bytesToHex(reverseBytes(h));

// The coinbase of Bitcoin's genesis block; txid 4a5e1e4b...
const GENESIS_COINBASE =
  '01000000010000000000000000000000000000000000000000000000000000000000000000ffffffff4d04ffff001d0104455468652054696d65732030332f4a616e2f32303039204368616e63656c6c6f72206f6e206272696e6b206f66207365636f6e64206261696c6f757420666f722062616e6b73ffffffff0100f2052a01000000434104678afdb0fe5548271967f1a67130b7105cd6a828e03909a67962e0ea1f61deb649f6bc3f4cef38c4f35504e51ec112de5c384df7ba0b8d578a4c702b6bf11d5fac00000000';

// A segwit transaction recorded from a testnet3 getblocktemplate (edge/test/fixtures/gbt-testnet3-1633977.json).
const SEGWIT_TX =
  '01000000000101593509c142c1d6c88d3723cf5784faff878b3647c41df14e1afd3f57cc534dff0000000000ffffffff020000000000000000536a4c50000222eb0002359b9bf62146b0696d0ae2bc63de245bf2376250a44d3214b8a0c2ae3cabb89b615402b56de87ed27606e823e9ac5dff7b770405f5e11fbf67f64f75662be062df035a8aa8c6f56dba30ac1d1f0000000000160014d30ef4ca84f78f6a3303dd747f95b2e3fdefcae402473044022023de95cece55a3d33e5d50f1bdd24a76ec3b533499a5a0ad0ac221df0b602faf02200df19806719ba8b66885628d5f3a58e3d8eb49a6c0d8d1237b00447ad628dbe40121036900c2cf065f76327b3e22c361dcad49f3d63f6271744c15dc9df3ded6082d7000000000';
const SEGWIT_TXID = 'b9d21d17764b73544853ef769c768d810016af983cce4a3838f701961394b571';
const SEGWIT_WTXID = '8700987b884cb21620becf5e54fc599a2689500330185a8cf01e149554d4caf4';

describe('varint', () => {
  it.each([
    [0, '00'],
    [252, 'fc'],
    [253, 'fdfd00'],
    [0xffff, 'fdffff'],
    [0x10000, 'fe00000100'],
    [0xffffffff, 'feffffffff'],
    [2 ** 32, 'ff0000000001000000'],
  ])('encodes %d as %s and reads it back', (n, hex) => {
    expect(bytesToHex(encodeVarInt(n))).toBe(hex);
    expect(new ByteReader(hexToBytes(hex)).varint()).toBe(n);
  });

  it('rejects non-canonical and truncated CompactSize', () => {
    expect(() => new ByteReader(hexToBytes('fd0100')).varint()).toThrow(/non-canonical/);
    expect(() => new ByteReader(hexToBytes('fe01000000')).varint()).toThrow(/non-canonical/);
    expect(() => new ByteReader(hexToBytes('ff0100000000000000')).varint()).toThrow(/non-canonical/);
    expect(() => new ByteReader(hexToBytes('fd01')).varint()).toThrow(TxDecodeError);
    expect(() => new ByteReader(hexToBytes('ffffffffffffffffff')).varint()).toThrow(/absurdly large/);
    expect(() => encodeVarInt(-1)).toThrow(RangeError);
  });
});

describe('script numbers (CScript << n)', () => {
  it.each([
    [0, '00'],
    [1, '51'],
    [16, '60'],
    [17, '0111'],
    [127, '017f'],
    [128, '028000'],
    [255, '02ff00'],
    [256, '020001'],
    [32767, '02ff7f'],
    [32768, '03008000'],
    [-1, '4f'],
    [-2, '0182'],
    [840000, '0340d10c'], // the BIP34 prefix of mainnet block 840000's coinbase
  ])('pushes %d as %s', (n, hex) => {
    expect(bytesToHex(pushScriptNumber(n))).toBe(hex);
  });

  it('BIP34 height prefix uses OP_1..OP_16 for small heights, as Core does', () => {
    for (let h = 1; h <= 16; h++) expect(Array.from(bip34HeightPush(h))).toEqual([0x50 + h]);
    expect(bytesToHex(bip34HeightPush(227836))).toBe('03fc7903');
    expect(() => bip34HeightPush(-1)).toThrow(RangeError);
    expect(() => bip34HeightPush(1.5)).toThrow(RangeError);
  });

  it('scriptNumBytes and pushData encode minimally', () => {
    expect(bytesToHex(scriptNumBytes(0))).toBe('');
    expect(bytesToHex(scriptNumBytes(-128))).toBe('8080');
    expect(bytesToHex(pushData(new Uint8Array(75))).slice(0, 2)).toBe('4b');
    expect(bytesToHex(pushData(new Uint8Array(76))).slice(0, 4)).toBe('4c4c');
    expect(bytesToHex(pushData(new Uint8Array(256))).slice(0, 6)).toBe('4d0001');
  });
});

describe('transactions', () => {
  it('parses the genesis coinbase and finds its txid', () => {
    const bytes = hexToBytes(GENESIS_COINBASE);
    const d = parseTx(bytes);
    expect(isCoinbase(d.tx)).toBe(true);
    expect(d.hasWitness).toBe(false);
    expect(d.tx.outputs[0]!.value).toBe(5_000_000_000n);
    expect(display(txid(d.tx))).toBe('4a5e1e4baab89f3a32518a88c31bc87f618f76673e2cc77ab2127b7afdeda33b');
    expect(bytesToHex(serializeTx(d.tx))).toBe(GENESIS_COINBASE);
  });

  it('parses a segwit transaction: txid without witness, wtxid with', () => {
    const bytes = hexToBytes(SEGWIT_TX);
    const d = parseTx(bytes);
    expect(d.hasWitness).toBe(true);
    expect(isCoinbase(d.tx)).toBe(false);
    expect(display(txid(d.tx))).toBe(SEGWIT_TXID);
    expect(display(wtxid(d.tx))).toBe(SEGWIT_WTXID);
    expect(display(txidOfBytes(bytes))).toBe(SEGWIT_TXID);
    expect(bytesToHex(serializeTx(d.tx))).toBe(SEGWIT_TX);
    expect(serializeTx(d.tx, { witness: false }).length).toBeLessThan(bytes.length);
  });

  const bad: [string, string, RegExp][] = [
    ['empty', '', /truncated/],
    ['truncated after version', '01000000', /truncated/],
    ['truncated coinbase', GENESIS_COINBASE.slice(0, 120), /truncated/],
    ['trailing bytes', GENESIS_COINBASE + '00', /unexpected bytes/],
    ['input count larger than the data', '01000000fd0001' + '00'.repeat(10), /more than the remaining/],
    ['unknown flags', '01000000000201' + '00'.repeat(41) + '00' + '00000000', /optional data|truncated/],
    [
      'superfluous witness',
      // version | 00 01 | 1 input with empty script | 0 outputs | empty witness | locktime
      '01000000' + '0001' + '01' + '00'.repeat(36) + '00' + 'ffffffff' + '00' + '00' + '00000000',
      /superfluous witness/,
    ],
  ];
  it('reads no inputs and no outputs as Core does, in both forms', () => {
    // version | 00 (no inputs; in the witness form the marker) | 00 (no outputs; the flag) | locktime
    const hex = '02000000' + '00' + '00' + '00000000';
    for (const witness of [true, false]) {
      const d = parseTx(hexToBytes(hex), { witness });
      expect(d.tx.inputs).toEqual([]);
      expect(d.tx.outputs).toEqual([]);
      expect(bytesToHex(serializeTx(d.tx))).toBe(hex);
    }
  });

  it('the legacy form reads an empty input list followed by outputs, which the witness form refuses', () => {
    // version | 0 inputs | 1 output of 1 sat paying OP_TRUE | locktime
    const hex = '01000000' + '00' + '01' + '0100000000000000' + '0151' + '00000000';
    const d = parseTx(hexToBytes(hex), { witness: false });
    expect(d.tx.inputs).toEqual([]);
    expect(d.tx.outputs).toEqual([{ value: 1n, script: new Uint8Array([0x51]) }]);
    expect(() => parseTx(hexToBytes(hex))).toThrow();
  });

  it.each(bad)('rejects %s', (_name, hex, reason) => {
    expect(() => parseTx(hexToBytes(hex))).toThrow(reason);
  });
});
