/**
 * `otedama hash --algo kawpow`: with HEADER_HEX, the block hash of a full 120-byte header (from
 * its stored mix hash, as Ravencoin does); with `--height H --header-hash X --nonce N`, the mix hash and the final
 * hash of one nonce by light evaluation on the WASM engine. The epoch's light cache is built in a
 * worker thread with progress on stderr and kept in `<data dir>/kawpow/` (the engine's
 * integrity-checked format: a damaged file is reported and rebuilt), so the next hash of that
 * epoch starts at once.
 */
import {
  bytesToHex,
  checkKawpowHeight,
  type Algorithm,
  formatKawpowNonce,
  InvalidHeaderError,
  InvalidHeightError,
  kawpowEpoch,
  lightCacheBytes,
  NonceRangeError,
  parseKawpowHash,
  parseKawpowNonce,
} from '@otedama/core';
import { join } from 'node:path';
import type { FlagSpec, ParsedArgs } from '../../cli-args.ts';
import type { CliIO } from '../../command.ts';
import { defaultDataDir } from '../../config/config.ts';
import { KawpowLight } from '../../chain/kawpow-light.ts';
import { LIGHT_CACHE_DIR, lightCacheFile } from '../../chain/light-cache-store.ts';
import { CliUsageError } from '../../errors.ts';
import { headerHexArg, printHeaderHash } from '../header-arg.ts';

/** Progress lines while a light cache builds: one per this many percent. */
const PROGRESS_STEP_PERCENT = 10;

/** The flags that light-evaluate one nonce (an error with another --algo). */
const NONCE_FLAGS = ['height', 'header-hash', 'nonce'];

export const KAWPOW_HASH_FLAGS: readonly FlagSpec[] = [
  { name: 'height', type: 'string', help: 'kawpow: block height (picks the epoch and the program)', metavar: 'H' },
  { name: 'header-hash', type: 'string', help: 'kawpow: header hash, 64 hex digits', metavar: 'HEX' },
  { name: 'nonce', type: 'string', help: 'kawpow: 64-bit nonce, decimal or 0x-hex', metavar: 'N' },
  { name: 'data-dir', type: 'string', help: 'kawpow: where light caches are kept (default $OTEDAMA_DATA_DIR or ~/.otedama)', metavar: 'DIR' },
];

export const KAWPOW_HASH_EXCLUSIVE: readonly string[] = NONCE_FLAGS;

/** One nonce by light evaluation when its flags are given (or no header is), else a full header's hash. */
export async function runKawpowHashCommand(algo: Algorithm, args: ParsedArgs, io: CliIO): Promise<number> {
  if (NONCE_FLAGS.some((n) => args.flags[n] !== undefined) || args.positionals.length === 0) return runKawpowHash(args, io);
  headerHexArg(algo, args);
  if (args.flags.nonces !== undefined) throw new CliUsageError(`--nonces searches sha256d headers; for ${algo.name} hash one nonce with --height, --header-hash and --nonce`);
  return printHeaderHash(algo, args, io);
}

/** The flags of a KawPow hash, checked: bad input is a usage error (exit 2) that names it. */
export function kawpowHashInput(args: ParsedArgs): { height: number; headerHash: Uint8Array; nonce: bigint } {
  const f = args.flags;
  const missing = ['height', 'header-hash', 'nonce'].filter((n) => f[n] === undefined);
  if (missing.length) throw new CliUsageError(`--algo kawpow needs ${missing.map((n) => `--${n}`).join(', ')} (see otedama hash --help)`);
  if (args.positionals.length) throw new CliUsageError(`unexpected argument "${args.positionals[0]}": a KawPow hash takes --height, --header-hash and --nonce`);
  try {
    const heightText = String(f.height).trim();
    if (!/^-?\d+$/.test(heightText)) throw new InvalidHeightError(`--height must be a block height, a whole number (got "${String(f.height).slice(0, 40)}")`);
    const height = Number(heightText);
    checkKawpowHeight(height);
    return { height, headerHash: parseKawpowHash(String(f['header-hash']), 'header hash'), nonce: parseKawpowNonce(String(f.nonce)) };
  } catch (err) {
    if (err instanceof InvalidHeightError || err instanceof InvalidHeaderError || err instanceof NonceRangeError) throw new CliUsageError(err.reason);
    throw err;
  }
}

export async function runKawpowHash(args: ParsedArgs, io: CliIO): Promise<number> {
  const { height, headerHash, nonce } = kawpowHashInput(args);
  const dataDir = args.flags['data-dir'] ? String(args.flags['data-dir']) : defaultDataDir(io.env);
  const cacheDir = join(dataDir, LIGHT_CACHE_DIR);
  const epoch = kawpowEpoch(height);
  let built = false;
  let lastStep = -1;
  const light = await KawpowLight.create({
    cacheDir,
    cachedEpochs: 1,
    onProgress: ({ done, total }) => {
      built = true;
      const step = Math.floor((100 * done) / total / PROGRESS_STEP_PERCENT);
      if (step === lastStep) return;
      lastStep = step;
      io.err(`otedama hash: building the KawPow light cache of epoch ${epoch} (${Math.round(lightCacheBytes(epoch) / 2 ** 20)} MiB): ${step * PROGRESS_STEP_PERCENT} %`);
    },
    onWarning: (message) => io.err(`otedama hash: warning: ${message}`),
  });
  try {
    try {
      // Heights past the engine's epoch cap are refused here, before any build.
      light.hasher.checkHeight(height);
    } catch (err) {
      if (err instanceof InvalidHeightError) throw new CliUsageError(err.reason);
      throw err;
    }
    await light.prepare(height, { signal: io.stopSignal });
    io.err(built ? `otedama hash: light cache of epoch ${epoch} kept in ${lightCacheFile(cacheDir, epoch)}` : `otedama hash: light cache of epoch ${epoch} read from ${lightCacheFile(cacheDir, epoch)}`);
    const { mixHash, finalHash } = light.hash(headerHash, nonce, height);
    if (args.flags.json) {
      io.out(JSON.stringify({ algo: 'kawpow', height, epoch, headerHash: bytesToHex(headerHash), nonce: formatKawpowNonce(nonce), mixHash: bytesToHex(mixHash), finalHash: bytesToHex(finalHash), engine: light.engine }));
    } else {
      io.out(`mix_hash   ${bytesToHex(mixHash)}`);
      io.out(`final_hash ${bytesToHex(finalHash)}`);
    }
    return 0;
  } finally {
    light.dispose();
  }
}
