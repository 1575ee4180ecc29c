import { describe, expect, it } from 'vitest';
import { blockHashDisplay, serializeHeader } from './block-header.ts';
import { parseBlock, serializeBlock } from './block.ts';
import { assembleCoinbase } from './coinbase.ts';
import { buildCoinbaseParts } from './coinbase-builder.ts';
import { bytesToHex, hexToBytes, reverseBytes } from './hex.ts';
import { merkleRoot } from './merkle.ts';
import { txid } from './tx.ts';

// Bitcoin's genesis block, 285 bytes.
const GENESIS =
  '0100000000000000000000000000000000000000000000000000000000000000000000003ba3edfd7a7b12b27ac72c3e67768f617fc81bc3888a51323a9fb8aa4b1e5e4a29ab5f49ffff001d1dac2b7c0101000000010000000000000000000000000000000000000000000000000000000000000000ffffffff4d04ffff001d0104455468652054696d65732030332f4a616e2f32303039204368616e63656c6c6f72206f6e206272696e6b206f66207365636f6e64206261696c6f757420666f722062616e6b73ffffffff0100f2052a01000000434104678afdb0fe5548271967f1a67130b7105cd6a828e03909a67962e0ea1f61deb649f6bc3f4cef38c4f35504e51ec112de5c384df7ba0b8d578a4c702b6bf11d5fac00000000';

describe('blocks', () => {
  it('parses the genesis block', () => {
    const b = parseBlock(hexToBytes(GENESIS));
    expect(blockHashDisplay(b.header)).toBe('000000000019d6689c085ae165831e934ff763ae46a2a6c172b3f1b60a8ce26f');
    expect(b.txs.length).toBe(1);
    expect(bytesToHex(merkleRoot([txid(b.txs[0]!.tx)]))).toBe(bytesToHex(b.header.slice(36, 68)));
  });

  it('serializeBlock puts the coinbase in witness form when the template commits to witnesses', () => {
    const commitment = hexToBytes('6a24aa21a9ede2f61c3f71d1defd3fa999dfa36953755c690689799962b48bebd836974e8cf9');
    const genesisCoinbase = parseBlock(hexToBytes(GENESIS)).txs[0]!.raw;
    const tpl = { height: 2, coinbaseValue: 100n, defaultWitnessCommitment: commitment, transactions: [{ data: genesisCoinbase, txid: txid(parseBlock(hexToBytes(GENESIS)).txs[0]!.tx) }] };
    const parts = buildCoinbaseParts(tpl, { outputs: [{ script: hexToBytes('51'), value: 100n }], extranonceBytes: 8 });
    const coinbase = assembleCoinbase(parts.coinb1, new Uint8Array(4), new Uint8Array(4), parts.coinb2);
    const header = serializeHeader({ version: 0x20000000, prevHash: new Uint8Array(32), merkleRoot: new Uint8Array(32), time: 1, bits: 0x207fffff, nonce: 0 });
    const block = serializeBlock(header, coinbase, tpl);
    const parsed = parseBlock(block);
    expect(parsed.txs.length).toBe(2);
    expect(parsed.txs[0]!.hasWitness).toBe(true);
    expect(bytesToHex(parsed.txs[1]!.raw)).toBe(bytesToHex(genesisCoinbase));
    const plain = parseBlock(serializeBlock(header, coinbase, tpl, { witness: false }));
    expect(plain.txs[0]!.hasWitness).toBe(false);
    expect(bytesToHex(reverseBytes(txid(plain.txs[0]!.tx)))).toBe(bytesToHex(reverseBytes(txid(parsed.txs[0]!.tx))));
    expect(() => serializeBlock(new Uint8Array(79), coinbase, tpl)).toThrow(/80 bytes/);
  });

  it.each([
    ['empty', ''],
    ['header only', GENESIS.slice(0, 160)],
    ['zero transactions', GENESIS.slice(0, 160) + '00'],
    ['truncated transaction', GENESIS.slice(0, 300)],
    ['trailing bytes', GENESIS + 'ff'],
    ['huge transaction count', GENESIS.slice(0, 160) + 'feffffff00'],
  ])('rejects a malformed block: %s', (_name, hex) => {
    expect(() => parseBlock(hexToBytes(hex))).toThrow();
  });
});
