import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { headerHash } from '../../block-header.ts';
import { STRATUM_ERROR } from '../../errors.ts';
import { bytesToHex, hexToBytes, u32ToHex, writeU32LE } from '../../hex.ts';
import { createReferenceSha256dEngine } from '../../sha256d-reference.ts';
import { sha256d } from '../../sha256.ts';
import {
  ShareValidator,
  hashAtOrBelow,
  hashDifficultyFast,
  headerVersion,
  shareTarget,
  targetToLE,
  type ShareJobSpec,
  type ShareSubmission,
} from './share-validator.ts';
import { buildStratumHeader, prevHashToStratum, type StratumJobFields } from '../../stratum-job.ts';
import { difficultyToTarget, hashDifficulty, MAX_TARGET } from '../../target.ts';

const engine = createReferenceSha256dEngine();
/** ~4,300 hashes per share with the reference engine (a few ms). */
const SHARE_DIFF = 1e-6;
const NOW_MS = 1_750_000_000_000;
const NTIME = Math.floor(NOW_MS / 1000) - 5;
const EN1 = 'f0000001';

function fields(version = 0x20000000, ntime = NTIME): StratumJobFields {
  const prev = new Uint8Array(32).map((_, i) => (i * 37 + 11) & 0xff);
  return {
    prevhash: prevHashToStratum(prev),
    // version | 1 input | null prevout | index | script length | height push | slot push opcode
    coinb1: '02000000' + '01' + '00'.repeat(32) + 'ffffffff' + '14' + '03a08601' + '08',
    // tag push | sequence | 1 output of 50 BTC to OP_TRUE | locktime
    coinb2: '072f6f7465646d2f' + 'ffffffff' + '01' + '00f2052a01000000' + '0151' + '00000000',
    merkleBranch: ['11'.repeat(32), '22'.repeat(32)],
    version: u32ToHex(version),
    nbits: '207fffff',
    ntime: u32ToHex(ntime),
  };
}

function jobSpec(id: string, over: Partial<ShareJobSpec> = {}, f: StratumJobFields = fields()): ShareJobSpec {
  return { id, fields: f, blockTarget: difficultyToTarget(1), extranonce2Size: 4, cleanJobs: false, createdAt: NOW_MS, ...over };
}

function validator(): ShareValidator {
  return new ShareValidator({ now: () => NOW_MS });
}

/** Searches nonces until the header built from the submission meets `target` (or not, with `miss`). */
async function mine(f: StratumJobFields, sub: Omit<ShareSubmission, 'nonce' | 'jobId'>, target: bigint, opts: { versionOverride?: number; miss?: boolean } = {}): Promise<string> {
  const built = buildStratumHeader(f, { extranonce1: EN1, ...sub, nonce: '00000000' });
  const header = built.header;
  if (opts.versionOverride !== undefined) writeU32LE(header, 0, opts.versionOverride);
  if (opts.miss) {
    for (let n = 0; ; n++) {
      writeU32LE(header, 76, n);
      if (!hashAtOrBelow(headerHash(header), targetToLE(target))) return u32ToHex(n);
    }
  }
  // The engine scans its whole range, so search in small chunks and stop at the first hit.
  for (let start = 0; start < 1 << 24; start += 4096) {
    const r = await engine.search({ header, target }, start, 4096, { maxHits: 1 });
    if (r.hits.length) return u32ToHex(r.hits[0]!.nonce);
  }
  throw new Error('no share found in 2^24 nonces');
}

const ctx = { extranonce1: EN1, shareTarget: shareTarget(SHARE_DIFF) };

describe('ShareValidator', () => {
  it('accepts a share found by the reference engine and rebuilds header and coinbase', async () => {
    const v = validator();
    const job = v.addJob(jobSpec('a'));
    const sub = { jobId: 'a', extranonce2: '00000000', ntime: u32ToHex(NTIME) };
    const nonce = await mine(job.fields, sub, ctx.shareTarget.target);
    const verdict = v.validate({ ...sub, nonce }, ctx);
    expect(verdict.ok).toBe(true);
    if (!verdict.ok) return;
    const built = buildStratumHeader(job.fields, { extranonce1: EN1, ...sub, nonce });
    expect(bytesToHex(verdict.header)).toBe(bytesToHex(built.header));
    expect(bytesToHex(verdict.coinbase)).toBe(bytesToHex(built.coinbase));
    expect(bytesToHex(verdict.hash)).toBe(bytesToHex(sha256d(built.header)));
    expect(verdict.difficulty).toBeGreaterThanOrEqual(SHARE_DIFF);
    expect(verdict.difficulty / hashDifficulty(verdict.hash)).toBeCloseTo(1, 10);
    expect(verdict.isBlock).toBe(false);
    expect(verdict.versionRolling).toBe('none');
  });

  it('rejects a duplicate (22) but not the same nonce with another extranonce2', async () => {
    const v = validator();
    v.addJob(jobSpec('a'));
    const sub = { jobId: 'a', extranonce2: '00000000', ntime: u32ToHex(NTIME) };
    const nonce = await mine(fields(), sub, ctx.shareTarget.target);
    expect(v.validate({ ...sub, nonce }, ctx).ok).toBe(true);
    const dup = v.validate({ ...sub, nonce }, ctx);
    expect(dup).toMatchObject({ ok: false, reason: 'duplicate', code: STRATUM_ERROR.DUPLICATE_SHARE, message: 'Duplicate share' });
    // Another connection (extranonce1) with the same fields is a different header, not a duplicate.
    const other = v.validate({ ...sub, nonce }, { ...ctx, extranonce1: 'f0000002' });
    expect(other.ok === false ? other.reason : 'accepted').not.toBe('duplicate');
  });

  it('rejects low difficulty (23) and reports the achieved difficulty', async () => {
    const v = validator();
    v.addJob(jobSpec('a'));
    const sub = { jobId: 'a', extranonce2: '01000000', ntime: u32ToHex(NTIME) };
    const nonce = await mine(fields(), sub, ctx.shareTarget.target, { miss: true });
    const r = v.validate({ ...sub, nonce }, ctx);
    expect(r).toMatchObject({ ok: false, reason: 'low-difficulty', code: 23 });
    expect(r.ok === false && r.difficulty! < SHARE_DIFF).toBe(true);
  });

  it('unknown job (21), stale after a clean job (21), history bounded', () => {
    const v = new ShareValidator({ now: () => NOW_MS, maxJobs: 3 });
    const sub = { jobId: 'zz', extranonce2: '00000000', ntime: u32ToHex(NTIME), nonce: '00000000' };
    expect(v.validate(sub, ctx)).toMatchObject({ ok: false, reason: 'job-not-found', code: 21, message: 'Job not found' });
    const a = v.addJob(jobSpec('a'));
    v.addJob(jobSpec('b'));
    expect(v.isStale(a)).toBe(false);
    v.addJob(jobSpec('c', { cleanJobs: true }));
    expect(v.isStale(a)).toBe(true);
    expect(v.validate({ ...sub, jobId: 'a' }, ctx)).toMatchObject({ ok: false, reason: 'stale', code: 21 });
    v.addJob(jobSpec('d'));
    expect(v.getJob('a')).toBeUndefined();
    expect(v.validate({ ...sub, jobId: 'a' }, ctx)).toMatchObject({ reason: 'job-not-found' });
    expect(v.size).toBe(3);
    expect(() => v.addJob(jobSpec('d'))).toThrow(/already registered/);
  });

  it('checks extranonce2 size, ntime bounds and hex', () => {
    const v = validator();
    v.addJob(jobSpec('a'));
    const base = { jobId: 'a', extranonce2: '00000000', ntime: u32ToHex(NTIME), nonce: '00000000' };
    expect(v.validate({ ...base, extranonce2: '000000' }, ctx)).toMatchObject({ reason: 'bad-extranonce2', code: 20 });
    expect(v.validate({ ...base, extranonce2: '0000000g' }, ctx)).toMatchObject({ reason: 'bad-extranonce2' });
    expect(v.validate({ ...base, ntime: u32ToHex(NTIME - 1) }, ctx)).toMatchObject({ reason: 'bad-ntime', code: 20 });
    expect(v.validate({ ...base, ntime: u32ToHex(NOW_MS / 1000 + 7201) }, ctx)).toMatchObject({ reason: 'bad-ntime' });
    expect(v.validate({ ...base, ntime: 'xyzxyzxy' }, ctx)).toMatchObject({ reason: 'bad-ntime' });
    expect(v.validate({ ...base, nonce: '1234' }, ctx)).toMatchObject({ reason: 'bad-nonce' });
    // Inside the window: judged on the hash, not on the ntime.
    const inWindow = v.validate({ ...base, ntime: u32ToHex(NOW_MS / 1000 + 7200) }, ctx);
    expect(inWindow.ok || inWindow.reason === 'low-difficulty').toBe(true);
  });

  it('version rolling: bits outside the mask are rejected; XOR shares verify', async () => {
    const v = validator();
    v.addJob(jobSpec('a'));
    const sub = { jobId: 'a', extranonce2: '00000000', ntime: u32ToHex(NTIME), versionBits: '00006000' };
    const nonce = await mine(fields(), sub, ctx.shareTarget.target);
    const ok = v.validate({ ...sub, nonce }, { ...ctx, versionMask: 0x1fffe000 });
    expect(ok).toMatchObject({ ok: true, versionRolling: 'xor' });
    expect(ok.ok && headerVersion(ok.header)).toBe(0x20006000);
    expect(v.validate({ ...sub, nonce, versionBits: '00001000' }, ctx)).toMatchObject({ reason: 'bad-version-bits', code: 20 });
    expect(v.validate({ ...sub, nonce, versionBits: '00004000' }, { ...ctx, versionMask: 0x00002000 })).toMatchObject({ reason: 'bad-version-bits' });
  });

  it('job version with bits inside the mask: XOR shares (Bitaxe) and BIP310 shares both verify', async () => {
    const f = fields(0x20006000);
    const v = validator();
    v.addJob(jobSpec('a', {}, f));
    // The miner rolled to 0x20002000: Bitaxe sends version_bits = rolled ^ job = 0x00004000.
    const xorSub = { jobId: 'a', extranonce2: '00000000', ntime: u32ToHex(NTIME), versionBits: '00004000' };
    const n1 = await mine(f, xorSub, ctx.shareTarget.target);
    const r1 = v.validate({ ...xorSub, nonce: n1 }, ctx);
    expect(r1).toMatchObject({ ok: true, versionRolling: 'xor' });
    expect(r1.ok && headerVersion(r1.header)).toBe(0x20002000);
    // A BIP310 miner sends the rolled bits themselves: (0x20006000 & ~m) | (0x00002000 & m) = 0x20002000,
    // which XOR would read as 0x20004000.
    const bipSub = { jobId: 'a', extranonce2: '01000000', ntime: u32ToHex(NTIME), versionBits: '00002000' };
    const n2 = await mine(f, { ...bipSub, versionBits: '00000000' }, ctx.shareTarget.target, { versionOverride: 0x20002000 });
    const r2 = v.validate({ ...bipSub, nonce: n2 }, ctx);
    expect(r2).toMatchObject({ ok: true, versionRolling: 'bip310' });
    expect(r2.ok && headerVersion(r2.header)).toBe(0x20002000);
  });

  it('flags blocks against the block target', async () => {
    const v = validator();
    v.addJob(jobSpec('a', { blockTarget: difficultyToTarget(SHARE_DIFF) }));
    const sub = { jobId: 'a', extranonce2: '00000000', ntime: u32ToHex(NTIME) };
    const nonce = await mine(fields(), sub, ctx.shareTarget.target);
    expect(v.validate({ ...sub, nonce }, ctx)).toMatchObject({ ok: true, isBlock: true });
  });

  it('gives the same verdicts with an injected hasher (node:crypto)', async () => {
    const nodeSha256d = (d: Uint8Array) => createHash('sha256').update(createHash('sha256').update(d).digest()).digest();
    expect(bytesToHex(nodeSha256d(new Uint8Array([1, 2])))).toBe(bytesToHex(sha256d(new Uint8Array([1, 2]))));
    const v = new ShareValidator({ now: () => NOW_MS, sha256d: nodeSha256d });
    v.addJob(jobSpec('a'));
    const sub = { jobId: 'a', extranonce2: '00000000', ntime: u32ToHex(NTIME) };
    const nonce = await mine(fields(), sub, ctx.shareTarget.target);
    const r = v.validate({ ...sub, nonce }, { ...ctx, extranonce1Bytes: hexToBytes(EN1) });
    expect(r.ok).toBe(true);
  });
});

describe('ShareValidator: one share, one credit', () => {
  it('a header accepted under one job id is a duplicate under every job id of the same template', async () => {
    const v = validator();
    // Three jobs of one template: a base and two refreshes with later ntimes (new ids).
    v.addJob(jobSpec('a', {}, fields(0x20000000, NTIME)));
    v.addJob(jobSpec('b', {}, fields(0x20000000, NTIME + 30)));
    v.addJob(jobSpec('c', {}, fields(0x20000000, NTIME + 60)));
    expect(v.templateCount).toBe(1);
    // A share whose ntime is valid for all three (>= every job's ntime) builds one header.
    const sub = { extranonce2: '00000000', ntime: u32ToHex(NTIME + 60) };
    const nonce = await mine(fields(), sub, ctx.shareTarget.target);
    const verdicts = ['a', 'b', 'c'].map((jobId) => v.validate({ ...sub, jobId, nonce }, ctx));
    expect(verdicts.map((r) => (r.ok ? 'accepted' : r.reason))).toEqual(['accepted', 'duplicate', 'duplicate']);
    // Another template (other coinbase) is another scope.
    const other = { ...fields(), coinb2: fields().coinb2.replace('00f2052a01000000', '00e1f50500000000') };
    v.addJob(jobSpec('d', {}, other));
    expect(v.templateCount).toBe(2);
  });

  it('a variant shares its base template, bounds ntime by its own ntime, and goes stale with it', async () => {
    const v = validator();
    const base = v.addJob(jobSpec('a'));
    const variant = v.variant(base, 'a2', NTIME + 10);
    expect(variant.fields.ntime).toBe(u32ToHex(NTIME + 10));
    expect(v.getJob('a2')).toBeUndefined(); // held by the caller, not registered
    // The base's ntime is below the variant's lower bound.
    expect(v.validate({ jobId: 'a2', extranonce2: '00000000', ntime: u32ToHex(NTIME), nonce: '00000000' }, ctx, variant)).toMatchObject({ reason: 'bad-ntime' });
    const sub = { extranonce2: '00000000', ntime: u32ToHex(NTIME + 10) };
    const nonce = await mine(fields(), sub, ctx.shareTarget.target);
    expect(v.validate({ ...sub, jobId: 'a2', nonce }, ctx, variant).ok).toBe(true);
    expect(v.validate({ ...sub, jobId: 'a', nonce }, ctx)).toMatchObject({ reason: 'duplicate' });
    v.addJob(jobSpec('n', { cleanJobs: true }, { ...fields(), prevhash: prevHashToStratum(new Uint8Array(32).fill(9)) }));
    expect(v.isStale(variant)).toBe(true);
    expect(v.validate({ ...sub, jobId: 'a2', nonce }, ctx, variant)).toMatchObject({ reason: 'stale' });
  });

  it('a template whose registered jobs all left the history is retired: its variants answer stale', () => {
    const v = new ShareValidator({ now: () => NOW_MS, maxJobs: 2 });
    const a = v.addJob(jobSpec('a'));
    const va = v.variant(a, 'a2', NTIME + 1);
    const other = (n: number) => ({ ...fields(), coinb1: fields().coinb1.replace('03a08601', `03a086${n.toString(16).padStart(2, '0')}`) });
    v.addJob(jobSpec('b', {}, other(2)));
    expect(v.isStale(va)).toBe(false);
    v.addJob(jobSpec('c', {}, other(3))); // evicts a, the last registered job of its template
    expect(v.isStale(va)).toBe(true);
    expect(v.validate({ jobId: 'a2', extranonce2: '00000000', ntime: u32ToHex(NTIME + 1), nonce: '00000000' }, ctx, va)).toMatchObject({ reason: 'stale' });
  });

  it('rollback forgets a share whose recording failed, so it can be submitted again', async () => {
    const v = validator();
    v.addJob(jobSpec('a'));
    const sub = { jobId: 'a', extranonce2: '00000000', ntime: u32ToHex(NTIME) };
    const nonce = await mine(fields(), sub, ctx.shareTarget.target);
    const first = v.validate({ ...sub, nonce }, ctx);
    expect(first.ok).toBe(true);
    if (!first.ok) return;
    expect(v.validate({ ...sub, nonce }, ctx)).toMatchObject({ reason: 'duplicate' });
    expect(v.rollback(first)).toBe(true);
    expect(v.rollback(first)).toBe(false);
    expect(v.validate({ ...sub, nonce }, ctx).ok).toBe(true);
  });
});

describe('target helpers', () => {
  it('hashAtOrBelow matches the bigint comparison, including equality', () => {
    const t = difficultyToTarget(0.37);
    const le = targetToLE(t);
    expect(hashAtOrBelow(le, le)).toBe(true);
    const above = le.slice();
    above[31]! += 1;
    expect(hashAtOrBelow(above, le)).toBe(false);
    const below = le.slice();
    below[0] = below[0]! - 1;
    expect(hashAtOrBelow(below, le)).toBe(true);
    expect(hashAtOrBelow(new Uint8Array(32).fill(0xff), targetToLE(MAX_TARGET))).toBe(true);
  });

  it('hashDifficultyFast agrees with hashDifficulty', () => {
    for (let i = 0; i < 50; i++) {
      const h = sha256d(new Uint8Array([i, 1, 2, 3]));
      expect(hashDifficultyFast(h) / hashDifficulty(h)).toBeCloseTo(1, 9);
    }
    expect(hashDifficultyFast(new Uint8Array(32))).toBe(Infinity);
  });
});
