/**
 * A KawPow light cache as bytes to keep: edges write it to disk, browsers to IndexedDB, so a
 * restart does not spend a second or two per epoch rebuilding it. The integration stores the
 * bytes; this module makes and checks them.
 *
 * Format (all integers little-endian):
 *
 *   offset  size  field
 *        0     8  magic "OTDKPLC1" (Otedama KawPow light cache, format 1)
 *        8     4  epoch
 *       12     4  light-cache items (512-bit): must equal the epoch's count
 *       16    32  keccak-256 of the light-cache bytes (the value published per epoch)
 *       48     n  the light cache, items × 64 bytes
 *
 * Reading checks everything before a byte is used: the magic, the epoch (against the one the
 * caller expects), the item count (against the epoch's), the length, and the checksum
 * (recomputed by the WASM module's keccak-256: about 40 ms for epoch 0).
 */
import { bytesEqual, bytesToHex, lightCacheItemCount, KAWPOW_MAX_EPOCH } from '@otedama/core';
import { LightCacheCorruptError } from './errors.ts';
import { KawpowContext } from './kawpow-context.ts';
import type { WasmModule } from './wasm-api.ts';

/** "OTDKPLC1". */
const MAGIC = new Uint8Array([0x4f, 0x54, 0x44, 0x4b, 0x50, 0x4c, 0x43, 0x31]);
/** Bytes before the light cache. */
export const LIGHT_CACHE_HEADER_BYTES = 48;

/** What the header of a serialized light cache says. */
export interface LightCacheHeader {
  readonly epoch: number;
  readonly items: number;
  readonly checksum: Uint8Array;
}

/** The serialized form of a built context's light cache. */
export function serializeLightCache(context: KawpowContext): Uint8Array {
  const cache = context.lightCacheView();
  const out = new Uint8Array(LIGHT_CACHE_HEADER_BYTES + cache.length);
  const view = new DataView(out.buffer);
  out.set(MAGIC, 0);
  view.setUint32(8, context.epoch, true);
  view.setUint32(12, context.lightItems, true);
  out.set(context.lightCacheChecksum(), 16);
  out.set(cache, LIGHT_CACHE_HEADER_BYTES);
  return out;
}

/**
 * Reads and checks the header of serialized bytes without touching the cache: a wrong magic, an
 * epoch other than `expectedEpoch`, an item count other than the epoch's, or a length that does
 * not match are LightCacheCorruptError.
 */
export function readLightCacheHeader(bytes: Uint8Array, expectedEpoch?: number): LightCacheHeader {
  if (!(bytes instanceof Uint8Array)) throw new LightCacheCorruptError(`expected bytes, got ${typeof bytes}`);
  if (bytes.length < LIGHT_CACHE_HEADER_BYTES) throw new LightCacheCorruptError(`${bytes.length} bytes is shorter than the ${LIGHT_CACHE_HEADER_BYTES}-byte header`);
  if (!bytesEqual(bytes.subarray(0, 8), MAGIC)) throw new LightCacheCorruptError('not an Otedama KawPow light cache (bad magic)');
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const epoch = view.getUint32(8, true);
  const items = view.getUint32(12, true);
  if (epoch > KAWPOW_MAX_EPOCH) throw new LightCacheCorruptError(`epoch ${epoch} is beyond KawPow's last epoch ${KAWPOW_MAX_EPOCH}`);
  if (expectedEpoch !== undefined && epoch !== expectedEpoch) throw new LightCacheCorruptError(`it holds epoch ${epoch}, not epoch ${expectedEpoch}`);
  const expectedItems = lightCacheItemCount(epoch);
  if (items !== expectedItems) throw new LightCacheCorruptError(`it claims ${items} items; epoch ${epoch} has ${expectedItems}`);
  const expectedLength = LIGHT_CACHE_HEADER_BYTES + items * 64;
  if (bytes.length !== expectedLength) throw new LightCacheCorruptError(`${bytes.length} bytes, expected ${expectedLength} (truncated or padded)`);
  return { epoch, items, checksum: bytes.slice(16, 48) };
}

/**
 * A context for the serialized light cache in `bytes`, after every check (header, length,
 * checksum). Corrupt input is LightCacheCorruptError and leaves nothing behind.
 */
export function deserializeLightCache(module: WasmModule, bytes: Uint8Array, expectedEpoch?: number): KawpowContext {
  const header = readLightCacheHeader(bytes, expectedEpoch);
  const context = KawpowContext.create(module, header.epoch);
  context.adoptLightCache(bytes.subarray(LIGHT_CACHE_HEADER_BYTES));
  const checksum = context.lightCacheChecksum();
  if (!bytesEqual(checksum, header.checksum)) {
    throw new LightCacheCorruptError(`checksum mismatch: the header says ${bytesToHex(header.checksum)}, the bytes hash to ${bytesToHex(checksum)}`);
  }
  return context;
}
