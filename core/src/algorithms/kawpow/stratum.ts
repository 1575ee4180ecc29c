/**
 * The KawPow Stratum dialect: what native KawPow GPU miners and Ravencoin pools say to each
 * other, one codec shared by servers (the edge, test pools) and clients (`otedama mine`, the
 * web miner). Framing, ids and error arrays are Stratum V1's (core's stratum-codec.ts); the
 * job fields of `mining.notify` and `mining.set_target` are in stratum-job.ts; this file adds
 * the rest of the dialogue, the nonce prefix and KawPow's difficulty.
 *
 * The dialogue (pool side <- miner side):
 *
 *   -> mining.subscribe  ["kawpowminer/1.2.4"]              (kawpowminer adds "jsonrpc":"2.0")
 *   <- result [[["mining.set_target", sid], ["mining.notify", sid]], "8001"]   (MiningCore)
 *      or     [null, "8001"]                                  (NOMP KawPow forks, yiimp-kawpow)
 *      result[1] is the nonce prefix ("extranonce"): the miner searches only nonces whose first
 *      bytes (the most significant, as the 16 hex digits are written) are these. Pools send
 *      2 bytes (MiningCore ExtranoncePlaceHolderLength, yiimp) or 3 (RavenCommunity's NOMP
 *      fork, which then checks the first 2); kawpowminer refuses more than 4 bytes.
 *   -> mining.authorize  ["ADDRESS.worker", "x"]
 *   <- result true
 *   <- mining.set_target ["00000000ff00...00"]               (64 hex digits, the share target)
 *   <- mining.notify     [jobId, headerHash, seedHash, target, clean, height, bits]
 *   -> mining.submit     ["ADDRESS.worker", jobId, "0x" + 16 hex nonce, "0x" + header hash, "0x" + mix hash]
 *   <- result true | error [code, "message", null]
 *
 * Sources (read, not copied): RavenCommunity/kawpowminer 632f6ea0
 * libpoolprotocols/stratum/EthStratumClient.cpp (the STRATUM mode: subscribe, processExtranonce,
 * the 7-param notify with the target padded when short, set_target, submitSolution); MiningCore
 * src/Miningcore/Blockchain/Ravencoin (RavencoinPool.cs, RavencoinJobManager.cs,
 * RavencoinWorkerJob.cs: subscribe result, notify, submit parsing with `0x` prefixes, the nonce
 * range check); RavenCommunity/kawpow-stratum-pool d892f77 lib/stratum.js, lib/jobManager.js;
 * barrystyle/yiimp-kawpow kawpow/kawpow.cpp. T-Rex, TeamRedMiner and NBMiner are closed source;
 * their published logs against these pools ("Extranonce is set to: 0041", "New target is set
 * to: 0x00000009f6...") show the same dialogue.
 *
 * Variants accepted when parsing: hashes, targets, nonces and bits with or without `0x`; hex in
 * either case; a subscribe result whose first element is null, a subscription list or a session
 * id string, with extra elements after the prefix ignored; an empty nonce prefix (no prefix).
 * Written: hashes and targets without `0x` (what every pool above sends), submits with `0x`
 * (what every miner above sends, and MiningCore requires).
 */
import { STRATUM_ERROR, StratumError } from '../../errors.ts';
import { hexToBytes } from '../../hex.ts';
import { MAX_USERNAME_CHARS } from '../../stratum-codec.ts';
import { difficultyToTarget, targetToDifficulty } from '../../target.ts';
import { KAWPOW_DIFF1_TARGET } from './kawpow-algorithm.ts';
import { checkKawpowNonce, formatKawpowHash, formatKawpowNonce, KAWPOW_HASH_BYTES, KAWPOW_MAX_NONCE } from './share-fields.ts';
import { KAWPOW_MAX_JOB_ID_CHARS } from './stratum-job.ts';

/** Longest nonce prefix: kawpowminer refuses more than 8 hex digits ("Too wide hex value"). */
export const KAWPOW_MAX_NONCE_PREFIX_BYTES = 4;
/** What a pool hands out by default: 2 bytes, 65,536 connections, 2^48 nonces each (MiningCore, yiimp). */
export const KAWPOW_DEFAULT_NONCE_PREFIX_BYTES = 2;
/** The methods a KawPow pool names in its subscribe result (MiningCore's). */
export const KAWPOW_SUBSCRIPTIONS = ['mining.set_target', 'mining.notify'] as const;

function fail(method: string, reason: string): StratumError {
  return new StratumError(STRATUM_ERROR.OTHER, `${method} (KawPow): ${reason}`);
}

function shown(value: unknown): string {
  let text: string;
  try {
    text = typeof value === 'string' ? JSON.stringify(value) : String(JSON.stringify(value) ?? value);
  } catch {
    text = String(value);
  }
  return text.length > 80 ? `${text.slice(0, 77)}...` : text;
}

function stripHexPrefix(text: string): string {
  return text.length >= 2 && text[0] === '0' && (text[1] === 'x' || text[1] === 'X') ? text.slice(2) : text;
}

const HEX_RE = /^[0-9a-fA-F]*$/;

// ---------------------------------------------------------------------------------------------
// Difficulty

/** The share target of a KawPow pool difficulty: floor(0xff·2^216 / difficulty). */
export function kawpowDifficultyToTarget(difficulty: number): bigint {
  return difficultyToTarget(difficulty, KAWPOW_DIFF1_TARGET);
}

/** The KawPow pool difficulty of a target (or of a final hash read big-endian). */
export function kawpowTargetToDifficulty(target: bigint): number {
  return targetToDifficulty(target, KAWPOW_DIFF1_TARGET);
}

// ---------------------------------------------------------------------------------------------
// The nonce prefix

/**
 * Checks a nonce prefix as hex (0..4 bytes, an even number of digits, optional `0x`); returns
 * it lower-case without `0x`. `what` names the message in the error.
 */
export function parseKawpowNoncePrefix(value: unknown, what = 'nonce prefix'): string {
  if (typeof value !== 'string') throw fail(what, `the nonce prefix must be a hex string (got ${shown(value)})`);
  const digits = stripHexPrefix(value);
  if (!HEX_RE.test(digits)) throw fail(what, `the nonce prefix ${shown(value)} is not hex`);
  if (digits.length % 2 !== 0) throw fail(what, `the nonce prefix ${shown(value)} has an odd number of hex digits`);
  if (digits.length > KAWPOW_MAX_NONCE_PREFIX_BYTES * 2) {
    throw fail(what, `the nonce prefix ${shown(value)} is longer than ${KAWPOW_MAX_NONCE_PREFIX_BYTES} bytes`);
  }
  return digits.toLowerCase();
}

/** The nonces a prefix allows: [first, last], the prefix in the most significant bytes. */
export function kawpowNonceRange(prefix: string): { readonly first: bigint; readonly last: bigint } {
  const p = parseKawpowNoncePrefix(prefix);
  if (p === '') return { first: 0n, last: KAWPOW_MAX_NONCE };
  const freeBits = BigInt(64 - p.length * 4);
  const first = BigInt('0x' + p) << freeBits;
  return { first, last: first | ((1n << freeBits) - 1n) };
}

/** Whether a nonce lies in a prefix's range (`prefix` as parseKawpowNoncePrefix returns it). */
export function kawpowNonceHasPrefix(nonce: bigint, prefix: string): boolean {
  checkKawpowNonce(nonce);
  if (prefix === '') return true;
  if (prefix.length > KAWPOW_MAX_NONCE_PREFIX_BYTES * 2 || !HEX_RE.test(prefix)) return false;
  return nonce >> BigInt(64 - prefix.length * 4) === BigInt('0x' + prefix);
}

// ---------------------------------------------------------------------------------------------
// mining.subscribe

/** What a subscribe result tells a miner. */
export interface KawpowSubscribeResult {
  /** The session id the pool named (MiningCore: the connection id), or null. */
  readonly sessionId: string | null;
  /** Lower-case hex, 0..4 bytes ('' when the pool sent none). */
  readonly noncePrefix: string;
}

/** The result of `mining.subscribe` a KawPow pool sends: [[[set_target, sid], [notify, sid]], prefix]. */
export function kawpowSubscribeResult(sessionId: string, noncePrefix: string): unknown[] {
  const prefix = parseKawpowNoncePrefix(noncePrefix, 'mining.subscribe');
  return [KAWPOW_SUBSCRIPTIONS.map((m) => [m, sessionId]), prefix];
}

/**
 * Reads a subscribe result (what a miner does): result[1] is the nonce prefix; result[0] may be
 * null, a session id, a [method, id] pair or a list of them.
 */
export function parseKawpowSubscribeResult(result: unknown): KawpowSubscribeResult {
  if (!Array.isArray(result) || result.length < 2) {
    throw fail('mining.subscribe', `the result must be [subscriptions, nonce prefix] (got ${shown(result)})`);
  }
  const [subs, prefix] = result;
  let sessionId: string | null = null;
  if (typeof subs === 'string' && subs.length > 0 && subs.length <= 64) sessionId = subs;
  const pairs: unknown[] = Array.isArray(subs) && subs.length === 2 && typeof subs[0] === 'string' ? [subs] : Array.isArray(subs) ? subs : [];
  for (const pair of pairs) {
    if (Array.isArray(pair) && pair[0] === 'mining.notify' && (typeof pair[1] === 'string' || typeof pair[1] === 'number')) {
      const id = String(pair[1]);
      if (id.length > 0 && id.length <= 64) sessionId = id;
    }
  }
  return { sessionId, noncePrefix: prefix === null || prefix === undefined ? '' : parseKawpowNoncePrefix(prefix, 'mining.subscribe') };
}

// ---------------------------------------------------------------------------------------------
// mining.set_target

/**
 * Reads `mining.set_target` [target]: 1..64 hex digits (with or without `0x`; kawpowminer pads a
 * short one with leading zeros, and so does this), not zero.
 */
export function parseKawpowSetTargetParams(params: readonly unknown[]): bigint {
  if (!Array.isArray(params) || params.length < 1) throw fail('mining.set_target', 'expected one param, the target');
  const value = params[0];
  if (typeof value !== 'string') throw fail('mining.set_target', `the target must be a hex string (got ${shown(value)})`);
  const digits = stripHexPrefix(value);
  if (digits.length === 0 || digits.length > 64 || !HEX_RE.test(digits)) {
    throw fail('mining.set_target', `the target must be 1..64 hex digits (got ${shown(value)})`);
  }
  const target = BigInt('0x' + digits);
  if (target === 0n) throw fail('mining.set_target', 'the target is zero: no hash can meet it');
  return target;
}

// ---------------------------------------------------------------------------------------------
// mining.submit

/** A KawPow share as a miner submits it. */
export interface KawpowSubmission {
  /** `payoutAddress.workerName`. */
  readonly username: string;
  readonly jobId: string;
  /** u64. */
  readonly nonce: bigint;
  /** 32 bytes, ProgPoW's order: must be the job's. */
  readonly headerHash: Uint8Array;
  /** 32 bytes, ProgPoW's order. */
  readonly mixHash: Uint8Array;
}

export type KawpowSubmitParams = [username: string, jobId: string, nonce: string, headerHash: string, mixHash: string];

/** The params of `mining.submit` as miners write them: 0x + 16 hex nonce, 0x + 64 hex hashes. */
export function kawpowSubmitParams(share: KawpowSubmission): KawpowSubmitParams {
  if (typeof share.username !== 'string' || share.username.length === 0 || share.username.length > MAX_USERNAME_CHARS) {
    throw fail('mining.submit', `the worker name must be 1..${MAX_USERNAME_CHARS} characters`);
  }
  if (typeof share.jobId !== 'string' || share.jobId.length === 0 || share.jobId.length > KAWPOW_MAX_JOB_ID_CHARS) {
    throw fail('mining.submit', `the job id must be 1..${KAWPOW_MAX_JOB_ID_CHARS} characters`);
  }
  for (const [what, h] of [['header hash', share.headerHash], ['mix hash', share.mixHash]] as const) {
    if (!(h instanceof Uint8Array) || h.length !== KAWPOW_HASH_BYTES) throw fail('mining.submit', `the ${what} must be 32 bytes`);
  }
  return [share.username, share.jobId, formatKawpowNonce(share.nonce), formatKawpowHash(share.headerHash), formatKawpowHash(share.mixHash)];
}

function submitHash(value: unknown, what: string): Uint8Array {
  if (typeof value !== 'string') throw fail('mining.submit', `the ${what} must be a hex string (got ${shown(value)})`);
  const digits = stripHexPrefix(value);
  if (digits.length !== 2 * KAWPOW_HASH_BYTES || !HEX_RE.test(digits)) {
    throw fail('mining.submit', `the ${what} must be 64 hex digits (got ${shown(value)})`);
  }
  return hexToBytes(digits, KAWPOW_HASH_BYTES, what);
}

/**
 * Reads `mining.submit` params (what a pool does): [worker, jobId, nonce, headerHash, mixHash]
 * with the nonce as exactly 16 hex digits (a u64, as kawpowminer, MiningCore and the NOMP forks
 * insist) and both hashes as 64; `0x` optional. Extra params are refused: no KawPow miner sends
 * them, and a 6-param submit is a SHA-256d miner on the wrong port.
 */
export function parseKawpowSubmitParams(params: readonly unknown[]): KawpowSubmission {
  if (!Array.isArray(params) || params.length !== 5) {
    throw fail('mining.submit', `expected 5 params [worker, jobId, nonce, headerHash, mixHash] (got ${Array.isArray(params) ? params.length : shown(params)})`);
  }
  const [username, jobId, nonceText, headerHashText, mixHashText] = params;
  if (typeof username !== 'string' || username.length === 0 || username.length > MAX_USERNAME_CHARS) {
    throw fail('mining.submit', `the worker name must be a string of 1..${MAX_USERNAME_CHARS} characters (got ${shown(username)})`);
  }
  if (typeof jobId !== 'string' || jobId.length === 0 || jobId.length > KAWPOW_MAX_JOB_ID_CHARS) {
    throw fail('mining.submit', `the job id must be a string of 1..${KAWPOW_MAX_JOB_ID_CHARS} characters (got ${shown(jobId)})`);
  }
  if (typeof nonceText !== 'string') throw fail('mining.submit', `the nonce must be a hex string (got ${shown(nonceText)})`);
  const nonceDigits = stripHexPrefix(nonceText);
  if (nonceDigits.length !== 16 || !HEX_RE.test(nonceDigits)) {
    throw fail('mining.submit', `the nonce must be 16 hex digits, a 64-bit number (got ${shown(nonceText)})`);
  }
  return {
    username,
    jobId,
    nonce: BigInt('0x' + nonceDigits),
    headerHash: submitHash(headerHashText, 'header hash'),
    mixHash: submitHash(mixHashText, 'mix hash'),
  };
}

