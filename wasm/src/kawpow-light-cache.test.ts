import { beforeAll, describe, expect, it } from 'vitest';
import { bytesToHex, lightCacheBytes } from '@otedama/core';
import { kawpowVectors } from '../../core/test/kawpow-vectors.ts';
import { buildLightCacheInWorker } from './kawpow-build.ts';
import type { KawpowContext } from './kawpow-context.ts';
import { deserializeLightCache, LIGHT_CACHE_HEADER_BYTES, readLightCacheHeader, serializeLightCache } from './kawpow-light-cache.ts';
import { compileKawpowModule } from './kawpow.ts';
import { LightCacheCorruptError } from './errors.ts';
import type { WasmModule } from './wasm-api.ts';

const EPOCH0_CHECKSUM = kawpowVectors.light_cache_keccak256.find((c) => c.epoch === 0)!.keccak256_of_light_cache;

describe('serialized light caches', () => {
  let module: WasmModule;
  let context: KawpowContext;
  let bytes: Uint8Array;

  beforeAll(async () => {
    module = await compileKawpowModule(true);
    context = await buildLightCacheInWorker(module, 0);
    bytes = serializeLightCache(context);
  });

  it('hold the epoch, the item count, the published checksum and the cache', () => {
    expect(bytes.length).toBe(LIGHT_CACHE_HEADER_BYTES + lightCacheBytes(0));
    const header = readLightCacheHeader(bytes, 0);
    expect(header).toMatchObject({ epoch: 0, items: context.lightItems });
    expect(bytesToHex(header.checksum)).toBe(EPOCH0_CHECKSUM);
  });

  it('load into a context that hashes like the original', () => {
    const loaded = deserializeLightCache(module, bytes, 0);
    expect(bytesToHex(loaded.lightCacheChecksum())).toBe(EPOCH0_CHECKSUM);
    const header = new Uint8Array(32).fill(7);
    expect(loaded.hash(header, 12345n, 40)).toEqual(context.hash(header, 12345n, 40));
    expect(Array.from(loaded.l1Cache().slice(0, 4))).toEqual(kawpowVectors.l1_cache_epoch0_first20_u32.values.slice(0, 4));
  });

  const corruptions: [string, (b: Uint8Array) => Uint8Array, RegExp][] = [
    ['empty', () => new Uint8Array(0), /shorter than the 48-byte header/],
    ['truncated header', (b) => b.slice(0, 20), /shorter than the 48-byte header/],
    ['bad magic', (b) => { const c = b.slice(); c[0] = 0x58; return c; }, /bad magic/],
    ['truncated cache', (b) => b.slice(0, b.length - 64), /truncated or padded/],
    ['padded cache', (b) => { const c = new Uint8Array(b.length + 1); c.set(b); return c; }, /truncated or padded/],
    ['another epoch in the header', (b) => { const c = b.slice(); new DataView(c.buffer).setUint32(8, 1, true); return c; }, /holds epoch 1, not epoch 0/],
    ['a wrong item count', (b) => { const c = b.slice(); new DataView(c.buffer).setUint32(12, 262144, true); return c; }, /claims 262144 items; epoch 0 has 262139/],
    ['an epoch beyond KawPow', (b) => { const c = b.slice(); new DataView(c.buffer).setUint32(8, 0xffffffff, true); return c; }, /beyond KawPow's last epoch/],
    ['one flipped bit in the cache', (b) => { const c = b.slice(); c[LIGHT_CACHE_HEADER_BYTES + 123_456]! ^= 0x10; return c; }, /checksum mismatch/],
    ['one flipped bit in the checksum', (b) => { const c = b.slice(); c[20]! ^= 0x01; return c; }, /checksum mismatch/],
  ];
  for (const [what, corrupt, reason] of corruptions) {
    it(`refuse ${what} with LightCacheCorruptError`, () => {
      const bad = corrupt(bytes);
      let error: unknown;
      try {
        deserializeLightCache(module, bad, 0);
      } catch (err) {
        error = err;
      }
      expect(error).toBeInstanceOf(LightCacheCorruptError);
      expect((error as LightCacheCorruptError).reason).toMatch(reason);
    });
  }

  it('refuse what is not bytes', () => {
    expect(() => readLightCacheHeader('OTDKPLC1' as unknown as Uint8Array)).toThrow(LightCacheCorruptError);
  });
});
