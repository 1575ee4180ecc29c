/**
 * Every SHA-256d function a validator may be given runs the shared compliance cases (the same
 * published vectors as the search engines): core's reference sha256d, the validator's
 * allocation-free hasher (ShareChain's default) and node:crypto (what an edge may inject; the
 * sharechain benchmark measures it beside core's).
 */
import { hash } from 'node:crypto';
import { describe, it } from 'vitest';
import { sha256dFunctionComplianceCases, type Sha256dFunction } from '../test/sha256d-compliance.ts';
import { nodeSha256d } from '../test/sha256d-compliance.vitest.ts';
import { sha256d } from './sha256.ts';
import { createSha256dHasher } from './sha256d-hasher.ts';

const FUNCTIONS: [string, () => Sha256dFunction][] = [
  ['core sha256d (reference)', () => sha256d],
  ['createSha256dHasher (ShareChain default)', createSha256dHasher],
  ['node:crypto createHash', () => nodeSha256d],
  ['node:crypto one-shot hash (the benchmark injects it)', () => (data) => hash('sha256', hash('sha256', data, 'buffer'), 'buffer')],
];

for (const [label, make] of FUNCTIONS) {
  describe(`sha256d function compliance: ${label}`, () => {
    for (const c of sha256dFunctionComplianceCases(nodeSha256d)) it(c.name, () => c.run(make()));
  });
}
