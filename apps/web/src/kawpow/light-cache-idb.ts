/**
 * KawPow light caches kept in IndexedDB, one record per epoch: the bytes of the WASM engine's
 * integrity-checked format (a header and a keccak-256 checksum, wasm/src/kawpow-light-cache.ts),
 * so a reload or the next visit does not spend seconds rebuilding 16-150 MiB. The engine checks
 * every record it reads; a damaged one is reported and rebuilt.
 *
 * Bounded: only the newest `keep` epochs stay (a light cache of a current Ravencoin epoch is about
 * 90 MiB); saving a new epoch deletes the older ones. A database of its own ("otedama-kawpow"),
 * apart from the page's settings and history (store.ts), so clearing one never touches the other.
 */
import type { LightCacheStore } from '@otedama/wasm';
import { openDB, type DBSchema, type IDBPDatabase } from 'idb';

export const LIGHT_CACHE_DB = 'otedama-kawpow';
const LIGHT_CACHE_DB_VERSION = 1;
/** Epochs kept by default: the current one and the one before (a job of either may arrive around an epoch change). */
export const KEPT_LIGHT_CACHES = 2;

interface LightCacheDb extends DBSchema {
  'light-caches': { key: number; value: Uint8Array };
}

/** The IndexedDB light-cache store (in a page or a worker: both have indexedDB). */
export function idbLightCacheStore(options: { name?: string; keep?: number } = {}): LightCacheStore & { epochs(): Promise<number[]>; close(): void } {
  const keep = options.keep ?? KEPT_LIGHT_CACHES;
  if (!Number.isInteger(keep) || keep < 1) throw new RangeError(`keep must be a positive whole number (got ${keep})`);
  let db: Promise<IDBPDatabase<LightCacheDb>> | undefined;
  const open = () =>
    (db ??= openDB<LightCacheDb>(options.name ?? LIGHT_CACHE_DB, LIGHT_CACHE_DB_VERSION, {
      upgrade(d) {
        d.createObjectStore('light-caches');
      },
    }));
  return {
    async load(epoch) {
      return (await open()).get('light-caches', epoch);
    },
    async save(epoch, bytes) {
      const d = await open();
      const tx = d.transaction('light-caches', 'readwrite');
      await tx.store.put(bytes, epoch);
      const epochs = (await tx.store.getAllKeys()).sort((a, b) => b - a);
      // Keep the newest `keep` epochs, the one just saved always among them.
      const keepSet = new Set([epoch, ...epochs.filter((e) => e !== epoch).slice(0, keep - 1)]);
      for (const e of epochs) if (!keepSet.has(e)) await tx.store.delete(e);
      await tx.done;
    },
    async epochs() {
      return ((await (await open()).getAllKeys('light-caches')) as number[]).sort((a, b) => a - b);
    },
    close() {
      void db?.then((d) => d.close());
      db = undefined;
    },
  };
}
