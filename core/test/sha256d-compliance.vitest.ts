/** Runs the shared SHA-256d compliance suite as Vitest tests for one engine. */
import { createHash } from 'node:crypto';
import { afterAll, beforeAll, describe, it } from 'vitest';
import type { NonceSearchEngine } from '../src/index.ts';
import { sha256dComplianceCases, type ComplianceOptions } from './sha256d-compliance.ts';

/** node:crypto SHA-256d: the independent reference in Node. */
export function nodeSha256d(data: Uint8Array): Uint8Array {
  const once = createHash('sha256').update(data).digest();
  return new Uint8Array(createHash('sha256').update(once).digest());
}

export function describeSha256dCompliance(
  label: string,
  makeEngine: () => Promise<NonceSearchEngine>,
  options: ComplianceOptions = {},
): void {
  describe(`sha256d compliance: ${label}`, () => {
    let engine: NonceSearchEngine;
    beforeAll(async () => {
      engine = await makeEngine();
    });
    afterAll(() => engine?.dispose());
    for (const c of sha256dComplianceCases({ reference: nodeSha256d, ...options })) {
      it(c.name, () => c.run(engine), 120_000);
    }
  });
}
