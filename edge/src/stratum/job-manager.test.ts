import { describe, expect, it } from 'vitest';
import { ShareValidator, addressToScript, buildCoinbaseParts, bytesToHex, jobMerkleBranch, prevHashToStratum } from '@otedama/core';
import { REGTEST_ADDRESS, TestTemplateSource, makeTemplate } from '../../test/stratum-harness.ts';
import { createLogger, silentLogger } from '../logger.ts';
import { JobManager, MAX_NOTIFY_INTERVAL_S, type StratumJob } from './job-manager.ts';
import { singleAddressPayouts } from '../accounting/payout-provider.ts';

function setup(options: { now?: () => number; payouts?: ReturnType<typeof singleAddressPayouts>; logs?: string[] } = {}) {
  const source = new TestTemplateSource(makeTemplate());
  const validator = new ShareValidator({ maxJobs: 4 });
  const jobs = new JobManager({
    config: { extranonce1Bytes: 4, extranonce2Bytes: 4, jobRefreshSeconds: 30, coinbaseTag: '/otedama/' },
    templateSource: source,
    validator,
    payouts: options.payouts ?? singleAddressPayouts(REGTEST_ADDRESS, 'regtest'),
    logger: options.logs ? createLogger({ level: 'debug', write: (l) => options.logs!.push(l) }) : silentLogger,
    ...(options.now ? { now: options.now } : {}),
  });
  const seen: StratumJob[] = [];
  jobs.onJob((j) => seen.push(j));
  return { source, validator, jobs, seen };
}

describe('JobManager', () => {
  it('makes a clean job from the current template on start, with the coinbase split around the slot', () => {
    const { source, jobs, seen } = setup();
    jobs.start();
    const job = jobs.current()!;
    expect(seen).toEqual([job]);
    expect(job.cleanJobs).toBe(true);
    const t = source.current()!;
    const parts = buildCoinbaseParts(t, { outputs: [{ script: addressToScript(REGTEST_ADDRESS, 'regtest'), value: t.coinbaseValue }], extranonceBytes: 8, tag: '/otedama/' });
    expect(job.fields.coinb1).toBe(bytesToHex(parts.coinb1));
    expect(job.fields.coinb2).toBe(bytesToHex(parts.coinb2));
    expect(job.fields.merkleBranch).toEqual(jobMerkleBranch(t).map(bytesToHex));
    expect(job.fields.prevhash).toBe(prevHashToStratum(t.prevHash));
    expect(job.fields.version).toBe('20000000');
    expect(job.shareJob.extranonce2Size).toBe(4);
    const notify = JSON.parse(job.notifyLine());
    expect(notify.params).toEqual([job.id, job.fields.prevhash, job.fields.coinb1, job.fields.coinb2, job.fields.merkleBranch, '20000000', job.fields.nbits, job.fields.ntime, true]);
    jobs.stop();
  });

  it('new block -> clean job and stale history; same block -> clean_jobs=false', () => {
    const { source, validator, jobs, seen } = setup();
    jobs.start();
    const first = jobs.current()!;
    source.push(makeTemplate({ seed: 1, curtime: source.current()!.curtime + 1 }), false);
    expect(seen[1]!.cleanJobs).toBe(false);
    expect(validator.isStale(first.shareJob)).toBe(false);
    expect(jobs.get(first.id)).toBe(first);
    source.push(makeTemplate({ seed: 2 }), true);
    expect(seen[2]!.cleanJobs).toBe(true);
    expect(validator.isStale(first.shareJob)).toBe(true);
    expect(jobs.get(first.id)).toBeUndefined();
    // A changed prevhash is a new block even when the source does not say so.
    source.push(makeTemplate({ seed: 3 }), false);
    expect(seen[3]!.cleanJobs).toBe(true);
    jobs.stop();
  });

  it('refreshes advance ntime with the clock and get new ids; variants get later ntimes', () => {
    let now = 1_750_000_000_000;
    const { source, jobs } = setup({ now: () => now });
    source.push(makeTemplate({ curtime: 1_750_000_000, mintime: 1_749_999_000 }), true);
    jobs.start();
    const a = jobs.current()!;
    expect(parseInt(a.fields.ntime, 16)).toBe(1_750_000_000);
    now += 30_000;
    const b = jobs.refresh()!;
    expect(b.id).not.toBe(a.id);
    expect(b.cleanJobs).toBe(false);
    expect(parseInt(b.fields.ntime, 16)).toBe(1_750_000_030);
    const v = jobs.variant(b, parseInt(b.fields.ntime, 16) + 1);
    expect(v.id).not.toBe(b.id);
    // Same template (one duplicate set) as the base, its own ntime as the lower bound.
    expect(v.shareJob.template).toBe(b.shareJob.template);
    expect(v.shareJob.ntime).toBe(1_750_000_031);
    expect(v.shareJob.id).toBe(v.id);
    expect(v.cleanJobs).toBe(true);
    expect(parseInt(v.fields.ntime, 16)).toBe(1_750_000_031);
    expect(JSON.parse(v.notifyLine()).params[0]).toBe(v.id);
    expect(jobs.get(v.id)).toBeUndefined(); // variants live in the connection that got them
    expect(MAX_NOTIFY_INTERVAL_S).toBeLessThanOrEqual(60);
    jobs.stop();
  });

  it('clears template version bits inside the rolling mask', () => {
    const { source, jobs } = setup();
    source.push(makeTemplate({ version: 0x20006004 }), true);
    jobs.start();
    expect(jobs.current()!.fields.version).toBe('20000004');
    jobs.stop();
  });

  it('logs and skips a template it cannot pay out from', () => {
    const logs: string[] = [];
    const { source, jobs, seen } = setup({ logs, payouts: { payoutOutputs: (t) => [{ script: new Uint8Array([0x51]), value: t.coinbaseValue + 1n }] } });
    jobs.start();
    expect(seen).toEqual([]);
    expect(jobs.current()).toBeUndefined();
    expect(logs.join('\n')).toMatch(/cannot make a job from the template.*pay .* sats but the template allows/);
    source.push(makeTemplate({ seed: 5 }), true);
    expect(jobs.current()).toBeUndefined();
    jobs.stop();
  });

  it('forgets base jobs the validator evicted', () => {
    const { jobs } = setup();
    jobs.start();
    const first = jobs.current()!;
    for (let i = 0; i < 5; i++) jobs.refresh();
    expect(jobs.get(first.id)).toBeUndefined();
    expect(jobs.get(jobs.current()!.id)).toBe(jobs.current());
    jobs.stop();
  });
});
