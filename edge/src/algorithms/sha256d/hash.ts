/**
 * `otedama hash` for SHA-256d: the block hash of an 80-byte header, or with `--nonces` a search of
 * that nonce range against a target (the header's own nbits, --target or --difficulty) with one
 * engine, printing the hits.
 */
import {
  bitsToTarget,
  bytesToHex,
  checkTarget,
  createReferenceSha256dEngine,
  hashDifficulty,
  hexToTarget,
  difficultyToTarget,
  parseHeader,
  parseHeaderHex,
  rangeFromBounds,
  checkNonceRange,
  reverseBytes,
  u32ToHex,
  NonceRangeError,
  type Algorithm,
  type NonceSearchEngine,
} from '@otedama/core';
import { createWasmSha256dEngine } from '@otedama/wasm';
import type { FlagSpec, ParsedArgs } from '../../cli-args.ts';
import type { CliIO } from '../../command.ts';
import { CliUsageError } from '../../errors.ts';
import { headerHexArg } from '../header-arg.ts';

const SEARCH_ENGINES = ['js', 'wasm', 'wasm-simd'] as const;

/** Parses a nonce: decimal or 0x-prefixed hex. */
function parseNonce(text: string): number {
  const t = text.trim();
  const n = /^0x[0-9a-f]+$/i.test(t) ? parseInt(t.slice(2), 16) : /^\d+$/.test(t) ? Number(t) : NaN;
  if (!Number.isSafeInteger(n)) throw new NonceRangeError(`"${text}" is not a nonce (decimal or 0x-prefixed hex)`);
  return n;
}

/** `FIRST-LAST` (inclusive) or `START+COUNT`. */
export function parseNonceRange(text: string): { start: number; count: number } {
  const plus = /^([^+]+)\+(.+)$/.exec(text);
  if (plus) {
    const range = { start: parseNonce(plus[1]!), count: parseNonce(plus[2]!) };
    checkNonceRange(range.start, range.count);
    return range;
  }
  const dash = /^([^-]+)-(.+)$/.exec(text);
  if (!dash) throw new NonceRangeError(`nonce range "${text}" must be FIRST-LAST (inclusive) or START+COUNT`);
  return rangeFromBounds(parseNonce(dash[1]!), parseNonce(dash[2]!));
}

async function createEngine(name: (typeof SEARCH_ENGINES)[number]): Promise<NonceSearchEngine> {
  if (name === 'js') return createReferenceSha256dEngine();
  return createWasmSha256dEngine({ simd: name === 'wasm-simd' });
}

export const SHA256D_HASH_FLAGS: readonly FlagSpec[] = [
  { name: 'nonces', type: 'string', help: 'search this nonce range: FIRST-LAST (inclusive) or START+COUNT', metavar: 'RANGE' },
  { name: 'target', type: 'string', help: 'search target, 64 hex digits (big-endian, as explorers print)', metavar: 'HEX' },
  { name: 'difficulty', type: 'number', help: 'search target as a difficulty (1 = 0xFFFF·2^208)', metavar: 'D' },
  { name: 'engine', type: 'string', default: 'wasm-simd', choices: SEARCH_ENGINES, help: 'engine for --nonces', metavar: 'NAME' },
];

export async function runSha256dHash(algo: Algorithm, args: ParsedArgs, io: CliIO): Promise<number> {
  const json = Boolean(args.flags.json);
  const header = parseHeaderHex(headerHexArg(algo, args));
  if (args.flags.nonces === undefined) {
    if (args.flags.target !== undefined || args.flags.difficulty !== undefined) {
      throw new CliUsageError('--target and --difficulty only apply to a search: add --nonces RANGE');
    }
    const internal = algo.hashHeader(header);
    const display = bytesToHex(reverseBytes(internal));
    if (json) io.out(JSON.stringify({ algo: algo.name, hash: display, hashInternal: bytesToHex(internal), difficulty: hashDifficulty(internal) }));
    else io.out(display);
    return 0;
  }

  const { start, count } = parseNonceRange(String(args.flags.nonces));
  if (args.flags.target !== undefined && args.flags.difficulty !== undefined) {
    throw new CliUsageError('give --target or --difficulty, not both');
  }
  const target =
    args.flags.target !== undefined
      ? hexToTarget(String(args.flags.target).replace(/^0x/i, ''))
      : args.flags.difficulty !== undefined
        ? difficultyToTarget(Number(args.flags.difficulty))
        : bitsToTarget(parseHeader(header).bits);
  checkTarget(target);
  const engine = await createEngine(String(args.flags.engine) as (typeof SEARCH_ENGINES)[number]);
  try {
    const result = await engine.search({ header, target }, start, count, { maxHits: 1000 });
    const hits = result.hits.map((h) => ({ nonce: h.nonce, nonceHex: u32ToHex(h.nonce), hash: bytesToHex(reverseBytes(h.hash)) }));
    if (json) {
      io.out(JSON.stringify({ algo: algo.name, engine: engine.name, start, count, tried: result.tried, truncated: result.truncated, hits }));
    } else {
      for (const h of hits) io.out(`${h.nonceHex} ${h.hash}`);
      io.err(`searched ${result.tried} nonces with ${engine.name}: ${hits.length} hit${hits.length === 1 ? '' : 's'}${result.truncated ? ' (more not shown)' : ''}`);
    }
    return 0;
  } finally {
    engine.dispose();
  }
}
