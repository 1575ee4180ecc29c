/**
 * KawPow light caches kept on disk, one file per epoch: `<dir>/epoch-<n>.lightcache`, the bytes
 * of the WASM engine's integrity-checked format (a header and a keccak-256 checksum,
 * wasm/src/kawpow-light-cache.ts). Writes go to a temporary file that is renamed into place, so
 * a crash leaves the old file or the new one, never half of one; a damaged file is caught by the
 * engine's checksum, reported and rebuilt.
 */
import { mkdir, readFile, rename, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { LightCacheStore } from '@otedama/wasm';

/** Where an edge keeps its light caches, under its data folder. */
export const LIGHT_CACHE_DIR = 'kawpow';

/** The file of one epoch's light cache in `dir`. */
export function lightCacheFile(dir: string, epoch: number): string {
  return join(dir, `epoch-${epoch}.lightcache`);
}

/** A LightCacheStore in `dir` (created on the first save, mode 0700). */
export function diskLightCacheStore(dir: string): LightCacheStore {
  return {
    async load(epoch) {
      try {
        return new Uint8Array(await readFile(lightCacheFile(dir, epoch)));
      } catch (err) {
        if ((err as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
        throw err;
      }
    },
    async save(epoch, bytes) {
      await mkdir(dir, { recursive: true, mode: 0o700 });
      const file = lightCacheFile(dir, epoch);
      const tmp = `${file}.${process.pid}.tmp`;
      try {
        await writeFile(tmp, bytes, { mode: 0o600 });
        await rename(tmp, file);
      } catch (err) {
        await rm(tmp, { force: true });
        throw err;
      }
    },
  };
}
