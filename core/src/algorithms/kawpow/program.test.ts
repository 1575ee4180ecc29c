import { describe, expect, it } from 'vitest';
import { bytesToHex } from '../../hex.ts';
import { keccak256, keccak512 } from './keccak.ts';
import { PROGPOW_CNT_CACHE, PROGPOW_CNT_MATH, PROGPOW_DAG_LOADS, PROGPOW_REGS } from './params.ts';
import {
  applyMerge,
  encodeProgpowOps,
  kawpowPeriod,
  PROGPOW_OP_CACHE,
  PROGPOW_OP_DAG,
  PROGPOW_OP_MATH,
  PROGPOW_OP_WORDS,
  PROGPOW_PROGRAM_OPS,
  progpowProgram,
  randomMerge,
} from './program.ts';

describe('the period program', () => {
  it('interleaves 11 cache reads with 18 math operations, then 4 DAG merges, the first into register 0', () => {
    const program = progpowProgram(10000);
    const kinds = program.ops.map((op) => op.kind[0]).join('');
    expect(kinds).toBe('cm'.repeat(PROGPOW_CNT_CACHE) + 'm'.repeat(PROGPOW_CNT_MATH - PROGPOW_CNT_CACHE) + 'd'.repeat(PROGPOW_DAG_LOADS));
    expect(program.ops.length).toBe(PROGPOW_PROGRAM_OPS);
    const dag = program.ops.filter((op) => op.kind === 'dag');
    expect(dag.map((op) => (op.kind === 'dag' ? op.word : -1))).toEqual([0, 1, 2, 3]);
    expect(dag[0]!.dst).toBe(0);
  });

  it('draws valid operands in every period: distinct math sources, registers 0..31, rotations 1..31', () => {
    for (let period = 0; period < 2000; period += 7) {
      for (const op of progpowProgram(period).ops) {
        expect(op.dst).toBeLessThan(PROGPOW_REGS);
        expect(op.mergeOp).toBe(op.mergeSelector % 4);
        expect(op.rotate).toBe(((op.mergeSelector >>> 16) % 31) + 1);
        if (op.kind === 'math') {
          expect(op.src1).not.toBe(op.src2);
          expect(Math.max(op.src1, op.src2)).toBeLessThan(PROGPOW_REGS);
          expect(op.mathOp).toBe(op.mathSelector % 11);
        }
      }
    }
  });

  it('destinations follow the shuffled sequence: each register is written once before any twice', () => {
    const program = progpowProgram(16);
    const dsts = program.ops.filter((op) => op.kind !== 'dag' || op.word > 0).map((op) => op.dst);
    expect(new Set(dsts.slice(0, PROGPOW_REGS)).size).toBe(PROGPOW_REGS);
  });

  it('encodes each op as 8 words in execution order', () => {
    const program = progpowProgram(9983);
    expect(program.encoded.length).toBe(PROGPOW_PROGRAM_OPS * PROGPOW_OP_WORDS);
    expect(program.encoded).toEqual(encodeProgpowOps(program.ops));
    program.ops.forEach((op, i) => {
      const w = Array.from(program.encoded.subarray(i * PROGPOW_OP_WORDS, (i + 1) * PROGPOW_OP_WORDS));
      if (op.kind === 'cache') expect(w).toEqual([PROGPOW_OP_CACHE, op.dst, op.src, 0, 0, op.mergeOp, op.rotate, 0]);
      if (op.kind === 'math') expect(w).toEqual([PROGPOW_OP_MATH, op.dst, op.src1, op.src2, op.mathOp, op.mergeOp, op.rotate, 0]);
      if (op.kind === 'dag') expect(w).toEqual([PROGPOW_OP_DAG, op.dst, op.word, 0, 0, op.mergeOp, op.rotate, 0]);
    });
  });

  it('is the same for the three heights of a period and differs between periods', () => {
    expect(kawpowPeriod(48)).toBe(16);
    expect(kawpowPeriod(50)).toBe(16);
    expect(kawpowPeriod(51)).toBe(17);
    expect(progpowProgram(kawpowPeriod(48)).encoded).toEqual(progpowProgram(kawpowPeriod(50)).encoded);
    expect(progpowProgram(16).encoded).not.toEqual(progpowProgram(17).encoded);
    expect(() => progpowProgram(-1)).toThrow(RangeError);
  });

  it('merges by selector as by decoded op and rotation', () => {
    for (const selector of [0, 1, 2, 3, 0x12345678, 0xfffffffe, 0x7fff0003]) {
      expect(randomMerge(0xdeadbeef, 0x01234567, selector)).toBe(applyMerge(0xdeadbeef, 0x01234567, selector % 4, ((selector >>> 16) % 31) + 1));
    }
    expect(applyMerge(2, 3, 0, 1)).toBe(69); // 2 * 33 + 3
    expect(applyMerge(2, 3, 1, 1)).toBe(33); // (2 ^ 3) * 33
    expect(applyMerge(0x80000001, 0, 2, 1)).toBe(3); // rotl
    expect(applyMerge(3, 0, 3, 1)).toBe(0x80000001); // rotr
  });
});

describe('Keccak sponges as ethash uses them (original padding)', () => {
  it('keccak-256 and keccak-512 of the empty input are the published Keccak values, not SHA-3', () => {
    expect(bytesToHex(keccak256(new Uint8Array(0)))).toBe('c5d2460186f7233c927e7db2dcc703c0e500b653ca82273b7bfad8045d85a470');
    expect(bytesToHex(keccak512(new Uint8Array(0)))).toBe(
      '0eab42de4c3ceb9235fc91acffe746b29c29a8c366b7c60e4e67c466f36a4304c00fa9caf9d87976ba469bcbe06713b435f091ef2769fb160cdab33d3670680e',
    );
  });

  it('absorb every byte of inputs longer than one block', () => {
    const data = Uint8Array.from({ length: 200 }, (_, i) => i);
    // 200 bytes: one full 136-byte block, then 64 bytes and the padding.
    const h = keccak256(data);
    const changed = data.slice();
    changed[150]! ^= 1;
    expect(keccak256(changed)).not.toEqual(h);
    expect(keccak256(data.subarray(0, 136))).not.toEqual(keccak256(data.subarray(0, 135)));
  });
});
