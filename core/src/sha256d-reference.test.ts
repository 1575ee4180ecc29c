import { describeSha256dCompliance } from '../test/sha256d-compliance.vitest.ts';
import { createReferenceSha256dEngine } from './sha256d-reference.ts';

describeSha256dCompliance('js reference', async () => createReferenceSha256dEngine(), { rangeSize: 2048 });
