import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { bytesToHex } from './hex.ts';
import { sha256d } from './sha256.ts';
import { createSha256dHasher } from './sha256d-hasher.ts';

describe('createSha256dHasher', () => {
  it('matches sha256d for every length around the padding boundaries', () => {
    const h = createSha256dHasher();
    for (let len = 0; len <= 300; len++) {
      const data = new Uint8Array(len).map((_, i) => (i * 131 + len * 7) & 0xff);
      expect(bytesToHex(h(data))).toBe(bytesToHex(sha256d(data)));
    }
  });

  it('matches node:crypto (OpenSSL, not this compression) for every length up to three blocks and past', () => {
    const h = createSha256dHasher();
    const twice = (data: Uint8Array) => createHash('sha256').update(createHash('sha256').update(data).digest()).digest('hex');
    for (let len = 0; len <= 200; len++) {
      const data = new Uint8Array(len).map((_, i) => (i * 251 + len * 13 + 5) & 0xff);
      expect(bytesToHex(h(data)), `${len} bytes`).toBe(twice(data));
    }
    const long = new Uint8Array(5000).map((_, i) => (i * 7 + (i >> 8)) & 0xff);
    expect(bytesToHex(h(long))).toBe(twice(long));
  });

  it('reuses its output buffer (callers copy what they keep)', () => {
    const h = createSha256dHasher();
    const a = h(new Uint8Array([1]));
    const copy = a.slice();
    const b = h(new Uint8Array([2]));
    expect(b).toBe(a);
    expect(bytesToHex(copy)).toBe(bytesToHex(sha256d(new Uint8Array([1]))));
  });
});
