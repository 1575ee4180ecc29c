/**
 * KawPow's Stratum job fields: what `mining.notify` carries in the dialect native KawPow miners
 * speak (kawpowminer, T-Rex, NBMiner, TeamRedMiner), and `mining.set_target`. The server and the
 * session live in the edge; this is the one codec of the fields, shared by servers and clients.
 *
 *   mining.notify     [jobId, headerHash, seedHash, target, cleanJobs, height, bits]
 *   mining.set_target [target]
 *
 * Hashes and targets are 64 hex digits without `0x` (MiningCore
 * src/Miningcore/Blockchain/Ravencoin/RavencoinPool.cs CreateWorkerJob, RavencoinUtils.EncodeTarget);
 * the header hash is in ProgPoW's order (display order of the KAWPOW input's sha256d), the seed
 * hash is the epoch's (miners find the epoch from it), the target is the share target read
 * big-endian, height is a JSON number and bits the template's compact bits as 8 hex digits.
 * Parsing accepts `0x`-prefixed hashes too, as miners do.
 */
import { STRATUM_ERROR, StratumError } from '../../errors.ts';
import { bytesToHex, hexToBytes, u32ToHex } from '../../hex.ts';
import { checkTarget } from '../../engine.ts';
import { epochSeedHash, kawpowEpoch } from './epoch.ts';
import { checkKawpowHeaderHash, checkKawpowHeight, KAWPOW_HASH_BYTES } from './share-fields.ts';

/** Longest job id accepted from a pool (the Stratum codec's bound for every dialect). */
export const KAWPOW_MAX_JOB_ID_CHARS = 64;

/** One KawPow job as a pool hands it out. */
export interface KawpowJobFields {
  readonly jobId: string;
  /** 32 bytes, ProgPoW's order. */
  readonly headerHash: Uint8Array;
  /** The height of the block being mined: the epoch (seed hash) and the period (program) follow from it. */
  readonly height: number;
  /** The template's compact block target. */
  readonly bits: number;
  /** The share target: a final hash read big-endian at or below it is a share. */
  readonly target: bigint;
  /** Drop work on older jobs (a new block). */
  readonly clean: boolean;
}

/** A parsed `mining.notify`: the job and the seed hash the pool sent (its epoch checked against the height). */
export interface KawpowNotify extends KawpowJobFields {
  readonly seedHash: Uint8Array;
  readonly epoch: number;
}

export type KawpowNotifyParams = [jobId: string, headerHash: string, seedHash: string, target: string, clean: boolean, height: number, bits: string];

/** A target as KawPow Stratum writes it: 64 hex digits, big-endian, no 0x. */
export function kawpowTargetHex(target: bigint): string {
  checkTarget(target);
  return target.toString(16).padStart(64, '0');
}

/** The params of `mining.notify` for a job; the seed hash comes from the height. */
export function kawpowNotifyParams(job: KawpowJobFields): KawpowNotifyParams {
  if (typeof job.jobId !== 'string' || job.jobId.length === 0 || job.jobId.length > KAWPOW_MAX_JOB_ID_CHARS) {
    throw new StratumError(STRATUM_ERROR.OTHER, `a job id is 1..${KAWPOW_MAX_JOB_ID_CHARS} characters`);
  }
  checkKawpowHeaderHash(job.headerHash);
  checkKawpowHeight(job.height);
  return [job.jobId, bytesToHex(job.headerHash), bytesToHex(epochSeedHash(kawpowEpoch(job.height))), kawpowTargetHex(job.target), job.clean, job.height, u32ToHex(job.bits)];
}

/** The params of `mining.set_target`. */
export function kawpowSetTargetParams(target: bigint): [string] {
  return [kawpowTargetHex(target)];
}

function fail(reason: string): StratumError {
  return new StratumError(STRATUM_ERROR.OTHER, `mining.notify (KawPow): ${reason}`);
}

function shown(value: unknown): string {
  const text = typeof value === 'string' ? JSON.stringify(value) : String(JSON.stringify(value) ?? value);
  return text.length > 80 ? `${text.slice(0, 77)}...` : text;
}

function hash32(value: unknown, what: string): Uint8Array {
  if (typeof value !== 'string') throw fail(`${what} must be a hex string (got ${shown(value)})`);
  const digits = /^0[xX]/.test(value) ? value.slice(2) : value;
  if (digits.length !== 2 * KAWPOW_HASH_BYTES || !/^[0-9a-fA-F]+$/.test(digits)) throw fail(`${what} must be 64 hex digits (got ${shown(value)})`);
  return hexToBytes(digits, KAWPOW_HASH_BYTES, what);
}

/**
 * Reads the params of a KawPow `mining.notify` (what a miner does), with typed errors naming
 * the field. The seed hash must be the one of the height's epoch: a pool that sends another is
 * sending work no miner can hash correctly.
 */
export function parseKawpowNotifyParams(params: readonly unknown[]): KawpowNotify {
  if (!Array.isArray(params) || params.length < 7) throw fail(`expected 7 params [jobId, headerHash, seedHash, target, clean, height, bits] (got ${shown(params)})`);
  const [jobId, headerHashText, seedText, targetText, clean, height, bitsText] = params;
  if (typeof jobId !== 'string' || jobId.length === 0 || jobId.length > KAWPOW_MAX_JOB_ID_CHARS) throw fail(`job id must be a string of 1..${KAWPOW_MAX_JOB_ID_CHARS} characters (got ${shown(jobId)})`);
  const headerHash = hash32(headerHashText, 'header hash');
  const seedHash = hash32(seedText, 'seed hash');
  const target = BigInt('0x' + bytesToHex(hash32(targetText, 'target')));
  if (target === 0n) throw fail('target is zero: no hash can meet it');
  if (typeof clean !== 'boolean') throw fail(`clean flag must be true or false (got ${shown(clean)})`);
  if (typeof height !== 'number' || !Number.isSafeInteger(height)) throw fail(`height must be an integer (got ${shown(height)})`);
  try {
    checkKawpowHeight(height);
  } catch (err) {
    throw fail((err as Error & { reason?: string }).reason ?? String(err));
  }
  if (typeof bitsText !== 'string' || !/^(0[xX])?[0-9a-fA-F]{1,8}$/.test(bitsText)) throw fail(`bits must be up to 8 hex digits (got ${shown(bitsText)})`);
  const epoch = kawpowEpoch(height);
  if (bytesToHex(seedHash) !== bytesToHex(epochSeedHash(epoch))) throw fail(`seed hash ${bytesToHex(seedHash)} is not the seed of epoch ${epoch} (height ${height})`);
  return { jobId, headerHash, seedHash, epoch, target, clean, height, bits: parseInt(bitsText.replace(/^0[xX]/, ''), 16) >>> 0 };
}
