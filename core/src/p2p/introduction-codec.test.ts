import { describe, expect, it } from 'vitest';
import { P2pCodecError } from '../errors.ts';
import { sha256 } from '../sha256.ts';
import { fuzzBytes, mutations } from '../../test/fuzz.ts';
import {
  decodeIntroductionRequest,
  decodeIntroductionResponse,
  encodeIntroductionRequest,
  encodeIntroductionResponse,
  introductionProtocol,
  MAX_INTRODUCTION_FRAME_BYTES,
  MAX_INTRODUCTIONS,
} from './introduction-codec.ts';

const peer = (n: number) => Uint8Array.from([0x00, 0x24, 0x08, 0x01, 0x12, 0x20, ...new Array<number>(32).fill(n)]);

describe('introduction codec', () => {
  it('round-trips requests and responses, the largest within the frame limit', () => {
    expect(decodeIntroductionRequest(encodeIntroductionRequest(8))).toBe(8);
    const full = { type: 'peers' as const, peers: Array.from({ length: MAX_INTRODUCTIONS }, (_, i) => peer(i)) };
    const bytes = encodeIntroductionResponse(full);
    expect(bytes.length).toBeLessThanOrEqual(MAX_INTRODUCTION_FRAME_BYTES);
    expect(decodeIntroductionResponse(bytes)).toEqual(full);
    expect(decodeIntroductionResponse(encodeIntroductionResponse({ type: 'peers', peers: [] }))).toEqual({ type: 'peers', peers: [] });
    expect(decodeIntroductionResponse(encodeIntroductionResponse({ type: 'error', text: 'slow down' }))).toEqual({ type: 'error', text: 'slow down' });
    expect(introductionProtocol(sha256(Uint8Array.of(1)))).toMatch(/^\/otedama\/[0-9a-f]{64}\/introductions\/1\.0\.0$/);
  });

  it('refuses counts beyond the limits, names the field, throws nothing but P2pCodecError', () => {
    expect(() => encodeIntroductionRequest(0)).toThrow(/max is 0/);
    expect(() => decodeIntroductionRequest(Uint8Array.of(1, MAX_INTRODUCTIONS + 1))).toThrow(/max is 33/);
    expect(() => decodeIntroductionResponse(Uint8Array.of(0x81, 40))).toThrow(/peer count is 40/);
    expect(() => decodeIntroductionResponse(Uint8Array.of(0x81, 1, 38, 0))).toThrow(/peer 0 needs 38 bytes/);
    const seeds = [encodeIntroductionRequest(4), encodeIntroductionResponse({ type: 'peers', peers: [peer(1), peer(2)] })];
    for (const b of [...fuzzBytes(31, 300, 300), ...mutations(seeds, 32, 600)]) {
      for (const decode of [decodeIntroductionRequest, decodeIntroductionResponse]) {
        try {
          decode(b);
        } catch (err) {
          expect(err).toBeInstanceOf(P2pCodecError);
        }
      }
    }
  });
});
