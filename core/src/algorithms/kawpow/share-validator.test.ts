/**
 * The KawPow share validator's rules, with a real ProgPoW evaluation injected: core's TypeScript
 * ProgPoW over a small deterministic dataset (the same program code every engine is held
 * against; the dataset is a test one, as the engines' reduced-dataset checks use). The
 * published vectors on the WASM light evaluation are run by wasm/src/kawpow-validator.test.ts;
 * attacks over a real socket by edge/test/kawpow-pool.test.ts.
 */
import { describe, expect, it } from 'vitest';
import { InvalidHeaderError, InvalidHeightError, STRATUM_ERROR } from '../../errors.ts';
import { bytesToHex } from '../../hex.ts';
import { DIFF1_TARGET } from '../../target.ts';
import { KAWPOW } from './kawpow-algorithm.ts';
import { keccak256 } from './keccak.ts';
import { PROGPOW_CACHE_WORDS } from './params.ts';
import { kawpowHashWithDag, type ProgpowDag } from './progpow.ts';
import { kawpowPeriod, progpowProgram, type ProgpowProgram } from './program.ts';
import { kawpowHashValue, parseKawpowHeader } from './share-fields.ts';
import { KawpowShareValidator, kawpowShareTarget, type KawpowJobSpec, type KawpowShareSubmission } from './share-validator.ts';
import { kawpowNonceRange } from './stratum.ts';

/** A deterministic test dataset: 64 1024-bit items, L1 cache from keccak-256 of indices. */
function testDag(): ProgpowDag {
  const words = (seed: number, count: number) => {
    const out = new Uint32Array(count);
    for (let i = 0; i < count; i += 8) {
      const block = keccak256(new Uint8Array(new Uint32Array([seed, i]).buffer));
      out.set(new Uint32Array(block.buffer, block.byteOffset, 8).subarray(0, Math.min(8, count - i)), i);
    }
    return out;
  };
  const l1 = words(0xc0ffee, PROGPOW_CACHE_WORDS);
  const items = Array.from({ length: 32 }, (_, i) => words(i + 1, 64));
  return { l1, datasetItems: 64, item: (i) => items[i]! };
}

const dag = testDag();
const programs = new Map<number, ProgpowProgram>();
const program = (height: number) => {
  const period = kawpowPeriod(height);
  let p = programs.get(period);
  if (!p) programs.set(period, (p = progpowProgram(period)));
  return p;
};
const evaluate = (headerHash: Uint8Array, nonce: bigint, height: number) => kawpowHashWithDag(program(height), headerHash, nonce, dag);

/** A validator whose light evaluation is the test dataset's, counting evaluations. */
function validatorWithCount(options: { maxJobs?: number; maxHeight?: number } = {}) {
  const calls = { n: 0 };
  const v = new KawpowShareValidator({
    ...options,
    lightMix: async (h, n, height) => {
      calls.n++;
      await Promise.resolve();
      return evaluate(h, n, height).mixHash;
    },
  });
  return { v, calls };
}

const HEIGHT = 1_234;
function jobSpec(id: string, seed: number, extra: Partial<KawpowJobSpec> = {}): KawpowJobSpec {
  const header = KAWPOW.header.build({
    version: 0x30000000,
    prevHash: keccak256(new Uint8Array([seed])),
    merkleRoot: keccak256(new Uint8Array([seed, 1])),
    time: 1_700_000_000 + seed,
    bits: 0x1e00ffff,
    height: HEIGHT,
  });
  return { id, headerHash: KAWPOW.header.jobInput(header), height: HEIGHT, bits: 0x1e00ffff, cleanJobs: false, createdAt: 0, header, ...extra };
}

/** Mines nonces from `start` until one meets `target` (the easy test difficulties take a few tries). */
function mine(headerHash: Uint8Array, height: number, start: bigint, target: bigint, skip = 0): KawpowShareSubmission & { finalHash: Uint8Array } {
  let found = 0;
  for (let nonce = start; ; nonce++) {
    const r = evaluate(headerHash, nonce, height);
    if (kawpowHashValue(r.finalHash) <= target && found++ === skip) return { jobId: '', nonce, headerHash, mixHash: r.mixHash, finalHash: r.finalHash };
  }
}

const PREFIX = '8001';
const FIRST = kawpowNonceRange(PREFIX).first;
/** Difficulty 2^-29: about one hash in eight meets it (difficulty 1 is about one in 2^32). */
const easy = kawpowShareTarget(2 ** -29);
const ctx = { noncePrefix: PREFIX, shareTarget: easy };

describe('KawpowShareValidator', () => {
  it('accepts a share mined on the job: achieved difficulty, block flag from the bits, the full 120-byte header', async () => {
    const { v, calls } = validatorWithCount();
    const job = v.addJob(jobSpec('1', 1));
    const s = mine(job.headerHash, HEIGHT, FIRST, easy.target);
    const verdict = await v.validate({ ...s, jobId: '1' }, ctx);
    expect(verdict.ok).toBe(true);
    if (!verdict.ok) return;
    expect(calls.n).toBe(1);
    expect(bytesToHex(verdict.finalHash)).toBe(bytesToHex(s.finalHash));
    expect(verdict.difficulty).toBeGreaterThanOrEqual(easy.difficulty);
    expect(verdict.targetDifficulty).toBe(easy.difficulty);
    expect(verdict.isBlock).toBe(kawpowHashValue(s.finalHash) <= job.blockTarget);
    const f = parseKawpowHeader(verdict.header!);
    expect(f.nonce).toBe(s.nonce);
    expect(bytesToHex(f.mixHash)).toBe(bytesToHex(s.mixHash));
    expect(bytesToHex(f.headerHash)).toBe(bytesToHex(job.headerHash));
    expect(f.height).toBe(HEIGHT);
  });

  it('flags a block when the final hash meets the block target', async () => {
    const { v } = validatorWithCount();
    v.addJob(jobSpec('b', 2, { blockTarget: easy.target }));
    const s = mine(v.getJob('b')!.headerHash, HEIGHT, FIRST, easy.target);
    const verdict = await v.validate({ ...s, jobId: 'b' }, ctx);
    expect(verdict.ok && verdict.isBlock).toBe(true);
  });

  it("refuses a header hash of another job before any hashing, with a reason", async () => {
    const { v, calls } = validatorWithCount();
    const a = v.addJob(jobSpec('a', 3));
    const b = v.addJob(jobSpec('b', 4));
    const s = mine(b.headerHash, HEIGHT, FIRST, easy.target);
    const verdict = await v.validate({ ...s, jobId: 'a' }, ctx);
    expect(verdict).toMatchObject({ ok: false, reason: 'bad-header-hash', code: STRATUM_ERROR.OTHER });
    expect(!verdict.ok && verdict.message).toMatch(/Header hash is not the job's: job a has header hash/);
    expect(calls.n).toBe(0);
    expect(a.headerHash).not.toEqual(b.headerHash);
  });

  it('refuses a nonce outside the connection prefix, and a nonce outside u64', async () => {
    const { v, calls } = validatorWithCount();
    const job = v.addJob(jobSpec('1', 5));
    const s = mine(job.headerHash, HEIGHT, 0x7000_0000_0000_0000n, easy.target);
    const verdict = await v.validate({ ...s, jobId: '1' }, ctx);
    expect(verdict).toMatchObject({ ok: false, reason: 'bad-nonce', message: 'Nonce out of range: this connection mines nonces 0x8001...' });
    expect(await v.validate({ ...s, jobId: '1', nonce: 1n << 64n }, { ...ctx, noncePrefix: '' })).toMatchObject({ reason: 'bad-nonce' });
    expect(await v.validate({ ...s, jobId: '1', nonce: -1n }, { ...ctx, noncePrefix: '' })).toMatchObject({ reason: 'bad-nonce' });
    expect(calls.n).toBe(0);
    // Without a prefix the same share is fine.
    expect((await v.validate({ ...s, jobId: '1' }, { ...ctx, noncePrefix: '' })).ok).toBe(true);
  });

  it('refuses a low-difficulty share from the final hash alone (no light evaluation), with the difficulty achieved', async () => {
    const { v, calls } = validatorWithCount();
    const job = v.addJob(jobSpec('1', 6));
    const hard = kawpowShareTarget(1e9);
    const s = mine(job.headerHash, HEIGHT, FIRST, easy.target);
    const verdict = await v.validate({ ...s, jobId: '1' }, { ...ctx, shareTarget: hard });
    expect(verdict).toMatchObject({ ok: false, reason: 'low-difficulty', code: STRATUM_ERROR.LOW_DIFFICULTY });
    expect(!verdict.ok && verdict.difficulty).toBeGreaterThan(0);
    expect(!verdict.ok && verdict.message).toMatch(/^Low difficulty share: .* < 1\.000e\+9$/);
    expect(calls.n).toBe(0);
  });

  it('refuses a mix hash that is not the one light evaluation gives, even for a target anything meets', async () => {
    const { v, calls } = validatorWithCount();
    const job = v.addJob(jobSpec('1', 7));
    const s = mine(job.headerHash, HEIGHT, FIRST, easy.target);
    const forged = s.mixHash.slice();
    forged[0]! ^= 1;
    const anything = { ...ctx, shareTarget: { difficulty: 1e-12, target: (1n << 256n) - 1n } };
    const verdict = await v.validate({ ...s, jobId: '1', mixHash: forged }, anything);
    expect(verdict).toMatchObject({ ok: false, reason: 'bad-mix-hash' });
    expect(!verdict.ok && verdict.message).toMatch(/Invalid mix hash: height 1234 gives another mix hash/);
    expect(calls.n).toBe(1);
    // The forged attempt took no duplicate slot: the honest share is still accepted.
    expect((await v.validate({ ...s, jobId: '1' }, ctx)).ok).toBe(true);
    expect(await v.validate({ ...s, jobId: '1', mixHash: new Uint8Array(31) }, ctx)).toMatchObject({ reason: 'bad-mix-hash' });
  });

  it('one credit per share: a resubmission, under another job id of the same header, and two copies at once', async () => {
    const { v, calls } = validatorWithCount();
    const job = v.addJob(jobSpec('1', 8));
    v.addJob({ ...jobSpec('1b', 8), id: '1b' }); // a refresh under a new id, same header
    const s = mine(job.headerHash, HEIGHT, FIRST, easy.target);
    const t = mine(job.headerHash, HEIGHT, FIRST, easy.target, 1);
    const [first, second] = await Promise.all([v.validate({ ...s, jobId: '1' }, ctx), v.validate({ ...s, jobId: '1' }, ctx)]);
    expect([first.ok, second.ok].sort()).toEqual([false, true]);
    expect(first.ok ? second : first).toMatchObject({ reason: 'duplicate', code: STRATUM_ERROR.DUPLICATE_SHARE });
    expect(await v.validate({ ...s, jobId: '1' }, ctx)).toMatchObject({ reason: 'duplicate' });
    expect(await v.validate({ ...s, jobId: '1b' }, ctx)).toMatchObject({ reason: 'duplicate' });
    expect((await v.validate({ ...t, jobId: '1b' }, ctx)).ok).toBe(true);
    expect(calls.n).toBe(2);
    expect(v.templateCount).toBe(1);
  });

  it('rollback forgets an accepted share so it may be submitted again', async () => {
    const { v } = validatorWithCount();
    const job = v.addJob(jobSpec('1', 9));
    const s = mine(job.headerHash, HEIGHT, FIRST, easy.target);
    const verdict = await v.validate({ ...s, jobId: '1' }, ctx);
    expect(verdict.ok).toBe(true);
    if (!verdict.ok) return;
    expect(v.rollback(verdict)).toBe(true);
    expect(v.rollback(verdict)).toBe(false);
    expect((await v.validate({ ...s, jobId: '1' }, ctx)).ok).toBe(true);
  });

  it('a share that cannot be verified now is "unverified", keeps no slot, and can be submitted again', async () => {
    let ready = false;
    const v = new KawpowShareValidator({
      lightMix: (h, n, height) => {
        if (!ready) throw Object.assign(new Error('x'), { reason: 'the light cache of epoch 0 is not prepared' });
        return evaluate(h, n, height).mixHash;
      },
    });
    const job = v.addJob(jobSpec('1', 10));
    const s = mine(job.headerHash, HEIGHT, FIRST, easy.target);
    expect(await v.validate({ ...s, jobId: '1' }, ctx)).toMatchObject({ ok: false, reason: 'unverified', message: 'Share could not be verified now; submit it again: the light cache of epoch 0 is not prepared' });
    ready = true;
    expect((await v.validate({ ...s, jobId: '1' }, ctx)).ok).toBe(true);
  });

  it('job history: unknown ids, stale after a clean job, and the oldest forgotten past maxJobs', async () => {
    const { v } = validatorWithCount({ maxJobs: 2 });
    const first = v.addJob(jobSpec('1', 11));
    const s = mine(first.headerHash, HEIGHT, FIRST, easy.target);
    expect(await v.validate({ ...s, jobId: 'nope' }, ctx)).toMatchObject({ reason: 'job-not-found', code: STRATUM_ERROR.JOB_NOT_FOUND });
    v.addJob(jobSpec('2', 12, { cleanJobs: true }));
    expect(v.isStale(first)).toBe(true);
    expect(await v.validate({ ...s, jobId: '1' }, ctx)).toMatchObject({ reason: 'stale' });
    v.addJob(jobSpec('3', 13));
    expect(v.getJob('1')).toBeUndefined();
    expect(v.size).toBe(2);
    expect(await v.validate({ ...s, jobId: '1' }, ctx, first)).toMatchObject({ reason: 'stale' });
    v.clear();
    expect(v.size).toBe(0);
  });

  it('takes the height from the job, never from the miner: the evaluation is asked at the job height', async () => {
    const heights: number[] = [];
    const v = new KawpowShareValidator({
      lightMix: (h, n, height) => {
        heights.push(height);
        return evaluate(h, n, height).mixHash;
      },
    });
    const job = v.addJob(jobSpec('1', 14));
    const s = mine(job.headerHash, HEIGHT, FIRST, easy.target);
    const withHeight = { ...s, jobId: '1', height: 7_500_000 } as KawpowShareSubmission;
    expect((await v.validate(withHeight, ctx)).ok).toBe(true);
    expect(heights).toEqual([HEIGHT]);
  });

  it('refuses bad jobs with typed errors', () => {
    const { v } = validatorWithCount({ maxHeight: 10_000 });
    expect(() => v.addJob({ ...jobSpec('1', 15), headerHash: new Uint8Array(31) })).toThrow(InvalidHeaderError);
    expect(() => v.addJob({ ...jobSpec('1', 15), height: 10_001 })).toThrow(InvalidHeightError);
    expect(() => v.addJob({ ...jobSpec('1', 15), headerHash: new Uint8Array(32) })).toThrow(/its header hash is not the one of its header/);
    v.addJob(jobSpec('1', 15));
    expect(() => v.addJob(jobSpec('1', 16))).toThrow(/already registered/);
    expect(() => new KawpowShareValidator({} as never)).toThrow(/needs a lightMix/);
  });

  it("counts difficulty from KawPow's difficulty 1, not Bitcoin's", () => {
    expect(kawpowShareTarget(1).target).toBe(0xffn << 216n);
    expect(kawpowShareTarget(1).target).not.toBe(DIFF1_TARGET);
  });
});
