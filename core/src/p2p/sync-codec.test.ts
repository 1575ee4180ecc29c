import { describe, expect, it } from 'vitest';
import { P2pCodecError } from '../errors.ts';
import { sha256 } from '../sha256.ts';
import { fuzzBytes, mutations } from '../../test/fuzz.ts';
import { algorithmNames, getAlgorithm } from '../algorithms/registry.ts';
import { maxShareBytes } from '../sharechain/share-codec.ts';
import { MAX_LOCATOR_IDS } from '../sharechain/sharechain.ts';
import { MAX_SHARE_BYTES } from './protocols.ts';
import {
  decodeSyncRequest,
  decodeSyncResponse,
  encodeSyncRequest,
  encodeSyncResponse,
  MAX_SYNC_BATCH_SHARES,
  MAX_SYNC_IDS,
  MAX_SYNC_REQUEST_BYTES,
  MAX_SYNC_RESPONSE_BYTES,
  sharesResponseBytes,
  sharesThatFit,
  type SyncRequest,
  type SyncResponse,
} from './sync-codec.ts';

const id = (n: number) => sha256(Uint8Array.of(n & 0xff, n >> 8));
const share = (n: number, size = 300) => new Uint8Array(size).fill(n & 0xff);

describe('sync codec', () => {
  const requests: SyncRequest[] = [
    { type: 'status' },
    { type: 'shares', ids: [id(1), id(2)] },
    { type: 'after', locator: [], max: 1 },
    { type: 'after', locator: Array.from({ length: MAX_LOCATOR_IDS }, (_, i) => id(i)), max: MAX_SYNC_BATCH_SHARES },
  ];
  const responses: SyncResponse[] = [
    { type: 'status', tip: undefined },
    { type: 'status', tip: { id: id(9), height: 4_000_000_000, work: (1n << 255n) + 12345n, windowShares: 8640 } },
    { type: 'shares', shares: [], more: false },
    { type: 'shares', shares: [share(1), share(2, 1)], more: true },
    { type: 'error', code: 'rateLimited', text: 'at most 10 requests per second' },
  ];

  it('round-trips requests and responses', () => {
    for (const r of requests) expect(decodeSyncRequest(encodeSyncRequest(r))).toEqual(r);
    for (const r of responses) expect(decodeSyncResponse(encodeSyncResponse(r))).toEqual(r);
  });

  it('carries the largest share of every algorithm in the registry', () => {
    for (const name of algorithmNames()) expect(maxShareBytes(getAlgorithm(name).share.headerBytes)).toBeLessThanOrEqual(MAX_SHARE_BYTES);
  });

  it('keeps the largest request within the request limit', () => {
    expect(encodeSyncRequest(requests[3]!).length).toBeLessThanOrEqual(MAX_SYNC_REQUEST_BYTES);
  });

  it('fits batches by count and by bytes', () => {
    const small = Array.from({ length: 600 }, (_, i) => share(i, 100));
    expect(sharesThatFit(small)).toBe(MAX_SYNC_BATCH_SHARES);
    const big = Array.from({ length: 300 }, (_, i) => share(i, 4000));
    const n = sharesThatFit(big);
    expect(sharesResponseBytes(big.slice(0, n))).toBeLessThanOrEqual(MAX_SYNC_RESPONSE_BYTES);
    expect(sharesResponseBytes(big.slice(0, n + 1))).toBeGreaterThan(MAX_SYNC_RESPONSE_BYTES);
    const bytes = encodeSyncResponse({ type: 'shares', shares: big.slice(0, n), more: true });
    expect(bytes.length).toBe(sharesResponseBytes(big.slice(0, n)));
    expect(() => encodeSyncResponse({ type: 'shares', shares: big.slice(0, n + 1), more: true })).toThrow(/over the 524288 allowed/);
  });

  it('refuses counts over their limits before reading the ids', () => {
    expect(() => decodeSyncRequest(Uint8Array.of(0x02, MAX_SYNC_IDS + 1))).toThrow(/id count is 65, must be from 1 to 64/);
    expect(() => decodeSyncRequest(Uint8Array.of(0x02, 0))).toThrow(/id count is 0/);
    expect(() => decodeSyncRequest(Uint8Array.of(0x03, 0, 0x02, 0x01))).toThrow(/max is 513, must be from 1 to 512/);
    expect(() => decodeSyncResponse(Uint8Array.of(0x82, 0, 0xff, 0xff))).toThrow(/share count is 65535/);
    expect(() => decodeSyncResponse(Uint8Array.of(0x82, 0, 0, 1, 0xff, 0xff))).toThrow(/share 0 length is 65535, must be from 1 to 4096/);
    expect(() => decodeSyncResponse(Uint8Array.of(0x82, 0, 0, 1, 0, 5, 1))).toThrow(/share 0 needs 5 bytes but only 1 remain/);
    expect(() => decodeSyncResponse(Uint8Array.of(0x82, 2, 0, 0))).toThrow(/more is 2/);
  });

  it('names what is wrong with malformed frames', () => {
    expect(() => decodeSyncRequest(new Uint8Array())).toThrow(/sync request: type needs 1 byte/);
    expect(() => decodeSyncRequest(Uint8Array.of(0x7f))).toThrow(/unknown type 0x7f/);
    expect(() => decodeSyncRequest(Uint8Array.of(0x01, 0))).toThrow(/1 unexpected byte/);
    expect(() => decodeSyncRequest(new Uint8Array(MAX_SYNC_REQUEST_BYTES + 1))).toThrow(/more than the 4096 allowed/);
    expect(() => decodeSyncResponse(Uint8Array.of(0x81, 1, 1, 2))).toThrow(/tip id needs 32 bytes/);
    expect(() => encodeSyncRequest({ type: 'shares', ids: [new Uint8Array(31)] })).toThrow(/share id must be 32 bytes/);
    expect(() => encodeSyncRequest({ type: 'after', locator: [], max: 0 })).toThrow(/max is 0/);
  });

  it('never throws anything but P2pCodecError on fuzzed input', () => {
    const reqSeeds = requests.map(encodeSyncRequest);
    const resSeeds = responses.map(encodeSyncResponse);
    const inputs = [...fuzzBytes(3, 2000, 200), ...mutations(reqSeeds, 4, 3000), ...mutations(resSeeds, 5, 3000)];
    for (const input of inputs) {
      for (const decode of [decodeSyncRequest, decodeSyncResponse]) {
        try {
          decode(input);
        } catch (err) {
          expect(err).toBeInstanceOf(P2pCodecError);
        }
      }
    }
  });
});
