import { describe, expect, it } from 'vitest';
import { describeKawpowCompliance } from '../../core/test/kawpow-compliance.vitest.ts';
import { wasmKawpowSubject } from '../test/kawpow-subject.ts';

// The scalar build builds on this thread between yields, the SIMD build in a worker thread:
// both builders run the whole suite.
const scalar = wasmKawpowSubject('wasm (scalar build)', { simd: false, builder: 'here' });
describeKawpowCompliance(scalar.subject, { beyondCapHeight: 1025 * 7500 }, scalar.dispose);
const simd = wasmKawpowSubject('wasm-simd (SIMD build)', { simd: true, builder: 'worker' });
describeKawpowCompliance(simd.subject, { beyondCapHeight: 1025 * 7500, checksumEpochs: [0, 171] }, simd.dispose);
