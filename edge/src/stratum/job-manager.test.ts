import { describe, expect, it } from 'vitest';
import {
  ShareValidator,
  addressToScript,
  bytesToHex,
  createChainJob,
  difficultyToTarget,
  jobMerkleBranch,
  parseTx,
  prevHashToStratum,
  scriptToAddress,
  shareTarget,
  targetToDifficulty,
  type BlockTemplate,
} from '@otedama/core';
import {
  REGTEST_ADDRESS,
  REGTEST_ADDRESS_2,
  TestTemplateSource,
  findChainShare,
  makeTemplate,
  testPoolParams,
  testSharechain,
} from '../../test/stratum-harness.ts';
import { createLogger, silentLogger } from '../logger.ts';
import { sharePayees } from '../accounting/share-payees.ts';
import { JobManager, MAX_NOTIFY_INTERVAL_S, TIP_COALESCE_MS, pseudoShareCap, type WorkUpdate } from './job-manager.ts';
import { JobBuildError } from '../errors.ts';
import { Sha256dDialect, sha256dJob } from './dialects/sha256d.ts';

/** The operator of these tests: a third address, 1 % of every share. */
const OPERATOR = scriptToAddress(new Uint8Array([0x00, 0x14, ...new Uint8Array(20).fill(0x0e)]), 'regtest')!;
const FEE_BP = 100;
/** Easiest share target: every other hash is a chain share (tests that move the chain's tip). */
const EASY = { initialShareBits: 0x207fffff };

async function setup(options: { now?: () => number; logs?: string[]; easy?: boolean; template?: BlockTemplate; serving?: boolean } = {}) {
  const source = new TestTemplateSource(options.template ?? makeTemplate());
  const sharechain = await testSharechain(source, testPoolParams(options.easy ? EASY : {}));
  const validator = new ShareValidator({ maxJobs: 64 });
  const jobs = new JobManager({
    config: { extranonce1Bytes: 4, extranonce2Bytes: 4, jobRefreshSeconds: 30, coinbaseTag: '/otedama/' },
    templateSource: source,
    dialect: new Sha256dDialect({ validator }),
    chain: sharechain,
    payees: sharePayees({ network: 'regtest', feeAddress: OPERATOR, feeBp: FEE_BP }),
    logger: options.logs ? createLogger({ level: 'debug', write: (l) => options.logs!.push(l) }) : silentLogger,
    ...(options.now ? { now: options.now } : {}),
    ...(options.serving === undefined ? {} : { serving: options.serving }),
  });
  const updates: WorkUpdate[] = [];
  jobs.onWork((u) => updates.push(u));
  return { source, sharechain, validator, jobs, updates };
}

describe('JobManager', () => {
  it("makes each address's job from the chain: payouts(tip, reward), then the commitment to a share paying the miner and the operator's fee", async () => {
    const now = 1_750_000_000_000;
    const { source, sharechain, jobs } = await setup({ now: () => now });
    jobs.start();
    const job = jobs.jobFor(REGTEST_ADDRESS)!;
    expect(job.cleanJobs).toBe(true);
    expect(job.address).toBe(REGTEST_ADDRESS);
    expect(jobs.jobFor(REGTEST_ADDRESS)).toBe(job); // one job per address and generation
    const t = source.current()!;
    // The same share core makes for these payees, split around the 8-byte extranonce slot.
    const payees = [
      { script: addressToScript(REGTEST_ADDRESS, 'regtest'), bp: 10_000 - FEE_BP },
      { script: addressToScript(OPERATOR, 'regtest'), bp: FEE_BP },
    ];
    const chainJob = createChainJob(sharechain.chain, { payees, coin: { prevHash: t.prevHash, height: t.height, bits: t.bits, reward: t.coinbaseValue, merkleBranch: jobMerkleBranch(t) }, time: now });
    const parts = chainJob.coinbaseParts(8, new TextEncoder().encode('/otedama/'));
    expect(sha256dJob(job.work).fields.coinb1).toBe(bytesToHex(parts.coinb1));
    expect(sha256dJob(job.work).fields.coinb2).toBe(bytesToHex(parts.coinb2));
    expect(job.chain.job.metadata.payees).toEqual(payees);
    // An empty chain: the first share's payees take the whole reward.
    const tx = parseTx(job.chain.job.coinbase(new Uint8Array([...parts.scriptSigPrefix, ...new Uint8Array(8), ...parts.scriptSigSuffix]))).tx;
    expect(tx.outputs.map((o) => o.value)).toEqual([...chainJob.payouts.outputs.map((o) => o.value), 0n]);
    expect(sha256dJob(job.work).fields.merkleBranch).toEqual(jobMerkleBranch(t).map(bytesToHex));
    expect(sha256dJob(job.work).fields.prevhash).toBe(prevHashToStratum(t.prevHash));
    expect(sha256dJob(job.work).fields.version).toBe('20000000');
    expect(sha256dJob(job.work).extranonce2Size).toBe(4);
    const notify = JSON.parse(job.notifyLine(job.cleanJobs, shareTarget(1)));
    expect(notify.params).toEqual([job.id, sha256dJob(job.work).fields.prevhash, sha256dJob(job.work).fields.coinb1, sha256dJob(job.work).fields.coinb2, sha256dJob(job.work).fields.merkleBranch, '20000000', sha256dJob(job.work).fields.nbits, sha256dJob(job.work).fields.ntime, true]);
    // Another address: its own share, one duplicate scope with the first (the coin template's).
    const other = jobs.jobFor(REGTEST_ADDRESS_2)!;
    expect(sha256dJob(other.work).fields.coinb2).not.toBe(sha256dJob(job.work).fields.coinb2);
    expect(sha256dJob(other.work).fields.prevhash).toBe(sha256dJob(job.work).fields.prevhash);
    expect(sha256dJob(other.work).template).toBe(sha256dJob(job.work).template);
    // The operator mining to itself names one payee.
    expect(jobs.jobFor(OPERATOR)!.chain.job.metadata.payees).toEqual([{ script: addressToScript(OPERATOR, 'regtest'), bp: 10_000 }]);
    jobs.stop();
  });

  it('new block -> clean jobs and every older job stale; same block -> not clean, older jobs valid', async () => {
    const { source, validator, jobs, updates } = await setup();
    jobs.start();
    const first = jobs.jobFor(REGTEST_ADDRESS)!;
    source.push(makeTemplate({ seed: 1, curtime: source.current()!.curtime + 1 }), false);
    expect(updates.at(-1)).toEqual({ clean: false });
    const second = jobs.jobFor(REGTEST_ADDRESS)!;
    expect(second.cleanJobs).toBe(false);
    expect(validator.isStale(sha256dJob(first.work))).toBe(false);
    source.push(makeTemplate({ seed: 2 }), true);
    expect(updates.at(-1)).toEqual({ clean: true });
    expect(jobs.jobFor(REGTEST_ADDRESS)!.cleanJobs).toBe(true);
    expect(validator.isStale(sha256dJob(first.work))).toBe(true);
    expect(validator.isStale(sha256dJob(second.work))).toBe(true);
    // A changed prevhash is a new block even when the source does not say so.
    source.push(makeTemplate({ seed: 3 }), false);
    expect(updates.at(-1)).toEqual({ clean: true });
    jobs.stop();
  });

  it('a new chain tip gives new jobs on it that are not clean; jobs on the old parent stay valid', async () => {
    const { sharechain, validator, jobs, updates } = await setup({ easy: true });
    jobs.start();
    expect(updates).toEqual([{ clean: true }]); // the first template
    updates.length = 0;
    const before = jobs.jobFor(REGTEST_ADDRESS)!;
    expect(before.chain.job.metadata.height).toBe(0);
    const share = await findChainShare(before, '00000001', '00000000');
    const added = sharechain.addLocal(share.bytes);
    expect(added.result.kind).toBe('accepted');
    await added.durable;
    await expect.poll(() => updates.length, { timeout: 5 * TIP_COALESCE_MS + 1000 }).toBe(1);
    expect(updates[0]).toEqual({ clean: false });
    const after = jobs.jobFor(REGTEST_ADDRESS)!;
    expect(after.cleanJobs).toBe(false);
    expect(after.chain.job.metadata.height).toBe(1);
    expect(bytesToHex(after.chain.job.metadata.parent)).toBe(bytesToHex(sharechain.chain.tip!.id));
    // The new coinbase pays the chain's window: the parent's payees.
    expect(after.chain.job.payouts.outputs.map((o) => bytesToHex(o.script)).sort()).toEqual(
      [addressToScript(REGTEST_ADDRESS, 'regtest'), addressToScript(OPERATOR, 'regtest')].map(bytesToHex).sort(),
    );
    expect(validator.isStale(sha256dJob(before.work))).toBe(false);
    jobs.stop();
  });

  it('a job asked for while a tip move waits to be coalesced is made on the new tip (a miner connecting right after a share)', async () => {
    const { sharechain, jobs, updates } = await setup({ easy: true });
    jobs.start();
    updates.length = 0;
    const before = jobs.jobFor(REGTEST_ADDRESS)!;
    const share = await findChainShare(before, '00000001', '00000000');
    const added = sharechain.addLocal(share.bytes);
    expect(added.result.kind).toBe('accepted');
    // Asked before the coalesced round of new jobs: not the cached job on the old parent.
    expect(updates).toEqual([]);
    const now = jobs.jobFor(REGTEST_ADDRESS)!;
    expect(now.id).not.toBe(before.id);
    expect(bytesToHex(now.chain.job.metadata.parent)).toBe(bytesToHex(sharechain.chain.tip!.id));
    // The round still comes, for every other connection.
    await expect.poll(() => updates.length, { timeout: 5 * TIP_COALESCE_MS + 1000 }).toBe(1);
    await added.durable;
    jobs.stop();
  });

  it('refreshes give a new id and a later ntime for the same share; variants too', async () => {
    let now = 1_750_000_000_000;
    const { source, jobs, updates } = await setup({ now: () => now });
    source.push(makeTemplate({ curtime: 1_750_000_000, mintime: 1_749_999_000 }), true);
    jobs.start();
    const a = jobs.jobFor(REGTEST_ADDRESS)!;
    expect(parseInt(sha256dJob(a.work).fields.ntime, 16)).toBe(1_750_000_000);
    now += 30_000;
    jobs.refresh();
    expect(updates.at(-1)).toEqual({ clean: false });
    const b = jobs.jobFor(REGTEST_ADDRESS)!;
    expect(b.id).not.toBe(a.id);
    expect(b.cleanJobs).toBe(false);
    expect(sha256dJob(b.work).fields.coinb2).toBe(sha256dJob(a.work).fields.coinb2); // a chain's first share: its target does not move with time
    expect(sha256dJob(b.work).template).toBe(sha256dJob(a.work).template);
    expect(parseInt(sha256dJob(b.work).fields.ntime, 16)).toBe(1_750_000_030);
    const v = jobs.variant(b, parseInt(sha256dJob(b.work).fields.ntime, 16) + 1);
    expect(v.id).not.toBe(b.id);
    // Same template (one duplicate set) as the base, its own ntime as the lower bound.
    expect(sha256dJob(v.work).template).toBe(sha256dJob(b.work).template);
    expect(sha256dJob(v.work).ntime).toBe(1_750_000_031);
    expect(sha256dJob(v.work).id).toBe(v.id);
    expect(v.cleanJobs).toBe(true);
    expect(v.chain).toBe(b.chain);
    expect(JSON.parse(v.notifyLine(v.cleanJobs, shareTarget(1))).params[0]).toBe(v.id);
    expect(MAX_NOTIFY_INTERVAL_S).toBeLessThanOrEqual(60);
    jobs.stop();
  });

  it('makes no job until it serves (the sharechain synced), then tells every connection', async () => {
    const { jobs, updates } = await setup({ serving: false });
    jobs.start();
    expect(jobs.jobFor(REGTEST_ADDRESS)).toBeUndefined();
    expect(updates).toEqual([]);
    jobs.setServing(true);
    expect(updates).toEqual([{ clean: false }]);
    expect(jobs.jobFor(REGTEST_ADDRESS)).toBeDefined();
    jobs.stop();
  });

  it("caps the pseudo-share difficulty at a power of two whose target holds the chain's", async () => {
    const { jobs } = await setup();
    jobs.start();
    const job = jobs.jobFor(REGTEST_ADDRESS)!;
    expect(job.maxDifficulty).toBe(1); // the test chain's first share: difficulty 1 (0x1d00ffff)
    for (const d of [1e-9, 3e-4, 0.75, 1, 1.5, 65_536, 7e12]) {
      const t = difficultyToTarget(d);
      const cap = pseudoShareCap(t, new Sha256dDialect({ validator: new ShareValidator() }));
      expect(Number.isInteger(Math.log2(cap))).toBe(true);
      expect(difficultyToTarget(cap)).toBeGreaterThanOrEqual(t);
      expect(cap * 2).toBeGreaterThan(targetToDifficulty(t) * (1 - 1e-9));
    }
    jobs.stop();
  });

  it('clears template version bits inside the rolling mask', async () => {
    const { jobs } = await setup({ template: makeTemplate({ version: 0x20006004 }) });
    jobs.start();
    expect(sha256dJob(jobs.jobFor(REGTEST_ADDRESS)!.work).fields.version).toBe('20000004');
    jobs.stop();
  });

  it('refuses an address the chain cannot pay with a JobBuildError, and a template whose coinbase cannot be built is logged and skipped', async () => {
    const logs: string[] = [];
    const { source, jobs } = await setup({ logs });
    jobs.start();
    expect(() => jobs.jobFor('not-an-address')).toThrow(JobBuildError);
    // A coinbase tag pushing the scriptSig past 100 bytes cannot be built for any address.
    const { jobs: tagged } = await setupWithTag('/' + 'x'.repeat(95) + '/');
    tagged.start();
    expect(() => tagged.jobFor(REGTEST_ADDRESS)).toThrow(/coinbase.*scriptSig|extranonce|100/);
    tagged.stop();
    source.push(makeTemplate({ seed: 5 }), true);
    expect(jobs.jobFor(REGTEST_ADDRESS)).toBeDefined();
    jobs.stop();
  });
});

async function setupWithTag(tag: string) {
  const source = new TestTemplateSource(makeTemplate());
  const sharechain = await testSharechain(source);
  const jobs = new JobManager({
    config: { extranonce1Bytes: 4, extranonce2Bytes: 4, jobRefreshSeconds: 30, coinbaseTag: tag },
    templateSource: source,
    dialect: new Sha256dDialect({ validator: new ShareValidator() }),
    chain: sharechain,
    payees: sharePayees({ network: 'regtest', feeAddress: OPERATOR, feeBp: FEE_BP }),
    logger: silentLogger,
  });
  return { jobs };
}
