/** Runs the shared KawPow compliance suite as Vitest tests for one subject. */
import { afterAll, describe, it } from 'vitest';
import { kawpowComplianceCases, type KawpowComplianceOptions, type KawpowComplianceSubject } from './kawpow-compliance.ts';

/** Longest one case may take: light-cache builds of two epochs on a busy 2-core machine. */
const CASE_TIMEOUT_MS = 120_000;

export function describeKawpowCompliance(subject: KawpowComplianceSubject, options: KawpowComplianceOptions = {}, dispose?: () => void): void {
  describe(`kawpow compliance: ${subject.name}`, () => {
    afterAll(() => dispose?.());
    for (const c of kawpowComplianceCases(subject, options)) it(c.name, () => c.run(), CASE_TIMEOUT_MS);
  });
}
