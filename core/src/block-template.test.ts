import { describe, expect, it } from 'vitest';
import { InvalidTemplateError } from './errors.ts';
import { bytesToHex, reverseBytes } from './hex.ts';
import { jobMerkleBranch, parseBlockTemplate } from './block-template.ts';
import { bitsToTarget } from './target.ts';

// Shape of a regtest getblocktemplate result (values as in a recorded one, two transactions).
function gbt(): Record<string, unknown> {
  return {
    capabilities: ['proposal'],
    version: 805306371,
    rules: [],
    previousblockhash: '0000000b0f97e9e797d0d40f6f899b82bee1f4390025fbe8f24ac5a493e831c6',
    transactions: [
      {
        data: '0200000001db632cee44a2a4fe1cbb44ec583a569a989080f6acf79d949f1fdabbc7314408000000006b483045022100e93e2b7fcd355adcd33d875f1a9905608e0dfc02b7969351399e59af653f329902203fc50adb190cb7d2c16e3015c606f3b2c777a66e75810e0480970423eab1cd3e0121020967df9f6149d685e7a7f58045c2716abc344e89b58a1e784ce20b6add6a539bfeffffff0200943577000000001976a914eafa16319572221228ace8dd875f8f935d3e426788acb0979a3b000000001976a914443df0b06b4920114cf8d742740b825ff956a40a88acef000000',
        txid: '37da9732a7cc1fb38a2240475d5fb86f1ad8085a68e9d5b31530f091fe09a53d',
        hash: '37da9732a7cc1fb38a2240475d5fb86f1ad8085a68e9d5b31530f091fe09a53d',
        depends: [],
        fee: 4520,
      },
    ],
    coinbasevalue: 2500009040,
    longpollid: '0000000b0f97e9e797d0d40f6f899b82bee1f4390025fbe8f24ac5a493e831c639',
    target: '7fffff0000000000000000000000000000000000000000000000000000000000',
    mintime: 1492671827,
    curtime: 1492674404,
    bits: '207fffff',
    height: 240,
    default_witness_commitment: '6a24aa21a9ed799c4b087b199ca324eebff3b1e3e9b3729cd623c075cdbeb36ca0e0392d485f',
  };
}

function fieldOf(fn: () => unknown): string {
  try {
    fn();
  } catch (err) {
    expect(err).toBeInstanceOf(InvalidTemplateError);
    return (err as InvalidTemplateError).field;
  }
  throw new Error('expected InvalidTemplateError');
}

describe('parseBlockTemplate', () => {
  it('normalises the fields: display hashes become internal order', () => {
    const t = parseBlockTemplate(gbt(), { verifyTxids: true });
    expect(t.height).toBe(240);
    expect(t.version).toBe(805306371);
    expect(bytesToHex(reverseBytes(t.prevHash))).toBe('0000000b0f97e9e797d0d40f6f899b82bee1f4390025fbe8f24ac5a493e831c6');
    expect(t.bits).toBe(0x207fffff);
    expect(t.target).toBe(bitsToTarget(0x207fffff));
    expect(t.coinbaseValue).toBe(2500009040n);
    expect(t.curtime).toBe(1492674404);
    expect(t.mintime).toBe(1492671827);
    expect(t.longpollId).toBe('0000000b0f97e9e797d0d40f6f899b82bee1f4390025fbe8f24ac5a493e831c639');
    expect(bytesToHex(t.defaultWitnessCommitment!)).toBe('6a24aa21a9ed799c4b087b199ca324eebff3b1e3e9b3729cd623c075cdbeb36ca0e0392d485f');
    expect(t.transactions[0]!.fee).toBe(4520n);
    expect(bytesToHex(t.transactions[0]!.txid)).toBe('3da509fe91f03015b3d5e9685a08d81a6fb85f5d4740228ab31fcca73297da37');
    expect(jobMerkleBranch(t).map(bytesToHex)).toEqual(['3da509fe91f03015b3d5e9685a08d81a6fb85f5d4740228ab31fcca73297da37']);
  });

  it('takes the txid from "hash" (pre-segwit nodes) or computes it from data', () => {
    const j = gbt();
    const tx = (j.transactions as Record<string, unknown>[])[0]!;
    delete tx.txid;
    expect(bytesToHex(parseBlockTemplate(j).transactions[0]!.txid)).toBe('3da509fe91f03015b3d5e9685a08d81a6fb85f5d4740228ab31fcca73297da37');
    delete tx.hash;
    expect(bytesToHex(parseBlockTemplate(j).transactions[0]!.txid)).toBe('3da509fe91f03015b3d5e9685a08d81a6fb85f5d4740228ab31fcca73297da37');
  });

  it('derives the target from bits and mintime from curtime when absent', () => {
    const j = gbt();
    delete j.target;
    delete j.mintime;
    delete j.longpollid;
    delete j.default_witness_commitment;
    const t = parseBlockTemplate(j);
    expect(t.target).toBe(bitsToTarget(0x207fffff));
    expect(t.mintime).toBe(t.curtime);
    expect(t.longpollId).toBeUndefined();
    expect(t.defaultWitnessCommitment).toBeUndefined();
  });

  const broken: [string, (j: Record<string, unknown>) => void, string][] = [
    ['height missing', (j) => delete j.height, 'height'],
    ['height negative', (j) => (j.height = -1), 'height'],
    ['height a string', (j) => (j.height = '240'), 'height'],
    ['version fractional', (j) => (j.version = 1.5), 'version'],
    ['version too big', (j) => (j.version = 2 ** 32), 'version'],
    ['prevhash short', (j) => (j.previousblockhash = 'abcd'), 'previousblockhash'],
    ['prevhash not hex', (j) => (j.previousblockhash = 'zz'.repeat(32)), 'previousblockhash'],
    ['bits bad', (j) => (j.bits = '1d00ff'), 'bits'],
    ['bits negative encoding without target', (j) => { j.bits = '04923456'; delete j.target; }, 'bits'],
    ['target number', (j) => (j.target = 5), 'target'],
    ['target zero', (j) => (j.target = '00'.repeat(32)), 'target'],
    ['target short', (j) => (j.target = 'ff'), 'target'],
    ['curtime missing', (j) => delete j.curtime, 'curtime'],
    ['coinbasevalue string', (j) => (j.coinbasevalue = '5000'), 'coinbasevalue'],
    ['coinbasevalue fractional', (j) => (j.coinbasevalue = 0.5), 'coinbasevalue'],
    ['transactions object', (j) => (j.transactions = {}), 'transactions'],
    ['transaction null', (j) => (j.transactions = [null]), 'transactions[0]'],
    ['transaction data missing', (j) => delete (j.transactions as Record<string, unknown>[])[0]!.data, 'transactions[0].data'],
    ['transaction data odd', (j) => ((j.transactions as Record<string, unknown>[])[0]!.data = 'abc'), 'transactions[0].data'],
    ['transaction txid short', (j) => ((j.transactions as Record<string, unknown>[])[0]!.txid = 'ab'), 'transactions[0].txid'],
    ['transaction fee string', (j) => ((j.transactions as Record<string, unknown>[])[0]!.fee = '1'), 'transactions[0].fee'],
    ['commitment not OP_RETURN', (j) => (j.default_witness_commitment = '00'.repeat(38)), 'default_witness_commitment'],
    ['longpollid number', (j) => (j.longpollid = 7), 'longpollid'],
  ];
  it.each(broken)('names the field: %s', (_name, mutate, field) => {
    const j = gbt();
    mutate(j);
    expect(fieldOf(() => parseBlockTemplate(j))).toBe(field);
  });

  it('catches a txid that does not match its data when asked to', () => {
    const j = gbt();
    (j.transactions as Record<string, unknown>[])[0]!.txid = '11'.repeat(32);
    expect(() => parseBlockTemplate(j)).not.toThrow();
    expect(() => parseBlockTemplate(j, { verifyTxids: true })).toThrow(/does not match its data/);
    const k = gbt();
    delete (k.transactions as Record<string, unknown>[])[0]!.txid;
    delete (k.transactions as Record<string, unknown>[])[0]!.hash;
    (k.transactions as Record<string, unknown>[])[0]!.data = 'ff'.repeat(20);
    expect(fieldOf(() => parseBlockTemplate(k))).toBe('transactions[0].data');
  });

  it.each([null, 42, 'template', [], undefined])('rejects a non-object result %j', (v) => {
    expect(fieldOf(() => parseBlockTemplate(v))).toBe('(result)');
  });

  it('reason is readable', () => {
    const j = gbt();
    j.bits = 'xyz';
    expect(() => parseBlockTemplate(j)).toThrow('getblocktemplate field "bits": must be 8 hex digits (got "xyz")');
  });
});
