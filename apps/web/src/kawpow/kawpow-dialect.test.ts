/**
 * KawPow's dialect as the page reads it, against what core's codec writes (the edge's KawPow
 * port sends exactly these): subscribe, notify, set_target, set_extranonce and submit fields, and
 * malformed or inconsistent notifications refused with the field named.
 */
import { describe, expect, it } from 'vitest';
import { bytesToHex, kawpowNotifyParams, kawpowSetTargetParams, kawpowSubscribeResult, kawpowTargetToDifficulty, parseKawpowSubmitParams } from '@otedama/core';
import { kawpowDialect, kawpowSubmitFields, type KawpowStratumJob } from './kawpow-dialect.ts';

const HEADER_HASH = new Uint8Array(32).fill(0xc0);
const TARGET = 1n << 240n;
const JOB = { jobId: 'a1', headerHash: HEADER_HASH, height: 1234, bits: 0x207fffff, target: TARGET, clean: true };

describe('kawpowDialect', () => {
  it('reads the nonce prefix as extranonce1 with no extranonce2', () => {
    expect(kawpowDialect().subscribeReply(kawpowSubscribeResult('s1', '8001'))).toEqual({ sessionId: 's1', extranonce1: '8001', extranonce2Size: 0 });
    expect(kawpowDialect().subscribeReply([null, '00ab'])).toEqual({ extranonce1: '00ab', extranonce2Size: 0 });
  });

  it('reads a notify into a job with its epoch, target and difficulty; a later set_target retargets the next job', () => {
    const d = kawpowDialect();
    const notice = d.notification('mining.notify', kawpowNotifyParams(JOB));
    expect(notice.kind).toBe('job');
    const job = (notice as { job: KawpowStratumJob }).job;
    expect(job).toMatchObject({ jobId: 'a1', height: 1234, epoch: 0, target: TARGET, clean: true, difficulty: kawpowTargetToDifficulty(TARGET) });
    expect(bytesToHex(job.headerHash)).toBe(bytesToHex(HEADER_HASH));
    expect(d.notification('mining.set_target', kawpowSetTargetParams(TARGET >> 4n))).toEqual({ kind: 'noted' });
    const next = d.notification('mining.notify', kawpowNotifyParams({ ...JOB, jobId: 'a2' })) as { job: { target: bigint } };
    expect(next.job.target).toBe(TARGET >> 4n);
    const after = d.notification('mining.notify', kawpowNotifyParams({ ...JOB, jobId: 'a3' })) as { job: { target: bigint } };
    expect(after.job.target).toBe(TARGET);
    expect(d.notification('mining.set_extranonce', ['0x00FF'])).toEqual({ kind: 'extranonce', extranonce1: '00ff', extranonce2Size: 0 });
    expect(d.notification('client.show_message', ['hi'])).toEqual({ kind: 'other' });
  });

  it('refuses malformed notifications with the field named', () => {
    const d = kawpowDialect();
    const params = kawpowNotifyParams(JOB);
    expect(() => d.notification('mining.notify', params.slice(0, 6))).toThrow(/7 params/);
    expect(() => d.notification('mining.notify', [params[0], 'zz', ...params.slice(2)])).toThrow(/header hash/);
    // A seed hash of another epoch than the height's: work no miner can hash correctly.
    expect(() => d.notification('mining.notify', [...params.slice(0, 5), 7500 * 3, params[6]])).toThrow(/seed hash/);
    expect(() => d.notification('mining.set_target', ['00'])).toThrow(/zero/);
    expect(() => d.notification('mining.set_extranonce', ['123'])).toThrow(/odd number/);
    expect(() => kawpowDialect().subscribeReply(['only one'])).toThrow(/nonce prefix/);
  });

  it('writes submit fields the edge reads back', () => {
    const hit = { nonce: 0x8001_0000_0000_002an, mixHash: new Uint8Array(32).fill(7), finalHash: new Uint8Array(32) };
    const sub = parseKawpowSubmitParams(['addr.web', ...kawpowSubmitFields(JOB, hit)]);
    expect(sub).toMatchObject({ jobId: 'a1', nonce: hit.nonce });
    expect(bytesToHex(sub.headerHash)).toBe(bytesToHex(HEADER_HASH));
    expect(bytesToHex(sub.mixHash)).toBe('07'.repeat(32));
  });
});
