import { describe, expect, it } from 'vitest';
import { addressToScript } from './address.ts';
import { CoinbaseError, assembleCoinbase } from './coinbase.ts';
import {
  buildCoinbaseParts,
  coinbaseWithWitness,
  findWitnessCommitment,
  witnessCommitmentScript,
  witnessMerkleRoot,
  WITNESS_RESERVED_VALUE,
} from './coinbase-builder.ts';
import { bytesEqual, bytesToHex, hexToBytes } from './hex.ts';
import { bip34HeightPush, isCoinbase, parseTx, pushData, txid } from './tx.ts';

const PAYOUT = addressToScript('bcrt1qdavt4j2sd7dlhqsavtnfxvzppw6k7qy97tmnu9', 'regtest');
// The commitment of a block with no transactions besides the coinbase (seen in every empty
// regtest getblocktemplate): sha256d(32 zero bytes || 32 zero bytes).
const EMPTY_COMMITMENT = '6a24aa21a9ede2f61c3f71d1defd3fa999dfa36953755c690689799962b48bebd836974e8cf9';

function template(height: number, commitment = true) {
  return {
    height,
    coinbaseValue: 5_000_000_000n,
    ...(commitment ? { defaultWitnessCommitment: hexToBytes(EMPTY_COMMITMENT) } : {}),
  };
}

describe('buildCoinbaseParts', () => {
  it('leaves an exact extranonce slot and yields a valid coinbase for any extranonce', () => {
    const parts = buildCoinbaseParts(template(1000), { outputs: [{ script: PAYOUT, value: 5_000_000_000n }], extranonceBytes: 8, tag: '/otedama/' });
    const en1 = hexToBytes('f0000001');
    const en2 = hexToBytes('0a0b0c0d');
    const cb = assembleCoinbase(parts.coinb1, en1, en2, parts.coinb2);
    const { tx } = parseTx(cb);
    expect(isCoinbase(tx)).toBe(true);
    const script = tx.inputs[0]!.script;
    const expected = new Uint8Array([...bip34HeightPush(1000), ...pushData(new Uint8Array([...en1, ...en2])), ...pushData(new TextEncoder().encode('/otedama/'))]);
    expect(bytesToHex(script)).toBe(bytesToHex(expected));
    expect(tx.outputs.map((o) => [bytesToHex(o.script), o.value])).toEqual([
      [bytesToHex(PAYOUT), 5_000_000_000n],
      [EMPTY_COMMITMENT, 0n],
    ]);
    expect(tx.lockTime).toBe(0);
    expect(tx.inputs[0]!.sequence).toBe(0xffffffff);
    // Another extranonce gives another txid.
    const cb2 = assembleCoinbase(parts.coinb1, en1, hexToBytes('0a0b0c0e'), parts.coinb2);
    expect(bytesEqual(txid(parseTx(cb2).tx), txid(tx))).toBe(false);
  });

  it('starts with the BIP34 height as Core writes it (OP_1..OP_16 for heights 1..16)', () => {
    for (const h of [1, 16, 17, 255, 256, 65535, 65536, 840000]) {
      const parts = buildCoinbaseParts(template(h), { outputs: [{ script: PAYOUT, value: 1n }], extranonceBytes: 4 });
      const cb = assembleCoinbase(parts.coinb1, new Uint8Array(2), new Uint8Array(2), parts.coinb2);
      const script = parseTx(cb).tx.inputs[0]!.script;
      const push = bip34HeightPush(h);
      expect(bytesToHex(script.slice(0, push.length))).toBe(bytesToHex(push));
      expect(script.length).toBeGreaterThanOrEqual(2);
    }
  });

  it('omits the commitment output when the template has none', () => {
    const parts = buildCoinbaseParts(template(5, false), { outputs: [{ script: PAYOUT, value: 10n }, { script: PAYOUT, value: 20n }], extranonceBytes: 8 });
    const cb = assembleCoinbase(parts.coinb1, new Uint8Array(4), new Uint8Array(4), parts.coinb2);
    const { tx } = parseTx(cb);
    expect(tx.outputs.length).toBe(2);
    expect(findWitnessCommitment(tx.outputs)).toBe(-1);
  });

  it('rejects what would make an invalid coinbase, with the reason', () => {
    const out = [{ script: PAYOUT, value: 1n }];
    expect(() => buildCoinbaseParts(template(1), { outputs: [{ script: PAYOUT, value: 5_000_000_001n }], extranonceBytes: 8 })).toThrow(
      'coinbase outputs pay 5000000001 sats but the template allows 5000000000',
    );
    expect(() => buildCoinbaseParts(template(1), { outputs: [], extranonceBytes: 8 })).toThrow(/at least one payout/);
    expect(() => buildCoinbaseParts(template(1), { outputs: [{ script: PAYOUT, value: -1n }], extranonceBytes: 8 })).toThrow(/invalid value/);
    expect(() => buildCoinbaseParts(template(1), { outputs: [{ script: new Uint8Array(0), value: 1n }], extranonceBytes: 8 })).toThrow(/empty script/);
    expect(() => buildCoinbaseParts(template(1), { outputs: out, extranonceBytes: 0 })).toThrow(CoinbaseError);
    expect(() => buildCoinbaseParts(template(1), { outputs: out, extranonceBytes: 8, tag: 'x'.repeat(95) })).toThrow(/shorten the coinbase tag/);
  });
});

describe('segwit coinbase', () => {
  it('the empty-block commitment matches what bitcoind sends', () => {
    expect(bytesToHex(witnessCommitmentScript(witnessMerkleRoot([])))).toBe(EMPTY_COMMITMENT);
  });

  it('coinbaseWithWitness adds the reserved value and keeps the txid', () => {
    const parts = buildCoinbaseParts(template(300), { outputs: [{ script: PAYOUT, value: 1n }], extranonceBytes: 8 });
    const cb = assembleCoinbase(parts.coinb1, new Uint8Array(4), new Uint8Array(4), parts.coinb2);
    const witnessForm = coinbaseWithWitness(cb);
    const d = parseTx(witnessForm);
    expect(d.hasWitness).toBe(true);
    expect(d.tx.inputs[0]!.witness.map(bytesToHex)).toEqual([bytesToHex(WITNESS_RESERVED_VALUE)]);
    expect(bytesToHex(txid(d.tx))).toBe(bytesToHex(txid(parseTx(cb).tx)));
    expect(findWitnessCommitment(d.tx.outputs)).toBe(1);
    expect(() => coinbaseWithWitness(witnessForm)).toThrow(/already has witness/);
    expect(() => coinbaseWithWitness(new Uint8Array(3))).toThrow(/too short/);
  });
});
