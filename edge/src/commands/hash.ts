/**
 * `otedama hash [--algo ALGO] HEADER_HEX`: prints the block hash of a full header in display
 * order (SHA-256d's 80 bytes; KawPow's 120, hashed from its stored mix hash as Ravencoin does).
 * With `--nonces`, searches that nonce range of a SHA-256d header against a target (the header's
 * own nbits, --target or --difficulty) with one engine, and prints the hits.
 * `--algo kawpow --height H --header-hash X --nonce N` light-evaluates one KawPow nonce
 * (hash-kawpow.ts).
 */
import {
  bitsToTarget,
  bytesToHex,
  checkTarget,
  createReferenceSha256dEngine,
  getAlgorithm,
  hashDifficulty,
  hexToTarget,
  difficultyToTarget,
  hexToBytes,
  parseHeader,
  parseHeaderHex,
  rangeFromBounds,
  checkNonceRange,
  reverseBytes,
  u32ToHex,
  NonceRangeError,
  type NonceSearchEngine,
} from '@otedama/core';
import { createWasmSha256dEngine } from '@otedama/wasm';
import { JSON_FLAG, type Command } from '../command.ts';
import { CliUsageError } from '../errors.ts';
import { runKawpowHash } from './hash-kawpow.ts';

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

export const hashCommand: Command = {
  words: ['hash'],
  summary: 'hash a block header (display order), or search a nonce range of it',
  usage: '[--algo sha256d|kawpow] [--nonces FIRST-LAST | START+COUNT] [--target HEX | --difficulty D] HEADER_HEX\n       otedama hash --algo kawpow --height H --header-hash HEX --nonce N [--json]',
  details: [
    'HEADER_HEX is the full header in serialized (wire) order: 80 bytes (160 hex digits) for',
    'sha256d, 120 bytes (240 hex digits) for kawpow, whose block hash comes from its mix hash.',
    'With --nonces, every nonce of the range replaces the header\'s own; hits at or below the',
    'target (default: the header\'s nbits) are printed as "NONCE HASH" lines.',
    'Ranges lie inside 0..0xffffffff and never wrap (sha256d only).',
    '',
    'KawPow: --height, --header-hash (64 hex digits, as KawPow Stratum sends it) and --nonce',
    '(decimal or 0x-hex, 64-bit) give the mix hash and the final hash by light evaluation. The',
    "epoch's light cache is built once (progress on stderr) and kept in <data dir>/kawpow/.",
    '',
    'Examples:',
    '  otedama hash 0100000000000000…1dac2b7c',
    '  otedama hash --nonces 0x7c2bac00-0x7c2bacff 0100000000000000…1dac2b7c',
    '  otedama hash --algo kawpow --height 49 --nonce 0x7073c07 --header-hash 63155f732f2bf556967f906155b510c917e48e99685ead76ea83f4eca03ab12b',
  ].join('\n'),
  flags: [
    { name: 'algo', type: 'string', default: 'sha256d', help: 'proof-of-work algorithm', metavar: 'NAME' },
    { name: 'nonces', type: 'string', help: 'search this nonce range: FIRST-LAST (inclusive) or START+COUNT', metavar: 'RANGE' },
    { name: 'target', type: 'string', help: 'search target, 64 hex digits (big-endian, as explorers print)', metavar: 'HEX' },
    { name: 'difficulty', type: 'number', help: 'search target as a difficulty (1 = 0xFFFF·2^208)', metavar: 'D' },
    { name: 'engine', type: 'string', default: 'wasm-simd', choices: SEARCH_ENGINES, help: 'engine for --nonces', metavar: 'NAME' },
    { name: 'height', type: 'string', help: 'kawpow: block height (picks the epoch and the program)', metavar: 'H' },
    { name: 'header-hash', type: 'string', help: 'kawpow: header hash, 64 hex digits', metavar: 'HEX' },
    { name: 'nonce', type: 'string', help: 'kawpow: 64-bit nonce, decimal or 0x-hex', metavar: 'N' },
    { name: 'data-dir', type: 'string', help: 'kawpow: where light caches are kept (default $OTEDAMA_DATA_DIR or ~/.otedama)', metavar: 'DIR' },
    JSON_FLAG,
  ],
  async run(args, io) {
    const algo = getAlgorithm(String(args.flags.algo));
    const kawpowFlags = ['height', 'header-hash', 'nonce'].filter((n) => args.flags[n] !== undefined);
    if (algo.name === 'kawpow' && (kawpowFlags.length || args.positionals.length === 0)) return runKawpowHash(args, io);
    if (kawpowFlags.length) throw new CliUsageError(`${kawpowFlags.map((n) => `--${n}`).join(', ')} ${kawpowFlags.length === 1 ? 'is' : 'are'} for --algo kawpow`);
    const digits = algo.headerBytes * 2;
    if (args.positionals.length === 0) throw new CliUsageError(`missing HEADER_HEX (the ${algo.headerBytes}-byte header as ${digits} hex digits)`);
    if (args.positionals.length > 1) throw new CliUsageError(`expected one HEADER_HEX, got ${args.positionals.length} arguments`);
    const json = Boolean(args.flags.json);
    if (algo.name !== 'sha256d') {
      if (args.flags.nonces !== undefined) throw new CliUsageError(`--nonces searches sha256d headers; for ${algo.name} hash one nonce with --height, --header-hash and --nonce`);
      const text = args.positionals[0]!.trim().replace(/^0x/i, '');
      if (!/^[0-9a-fA-F]*$/.test(text)) throw new CliUsageError('header is not hex');
      if (text.length !== digits) throw new CliUsageError(`a ${algo.name} header must be ${algo.headerBytes} bytes (${digits} hex digits), got ${text.length} hex digits`);
      const internal = algo.hashHeader(hexToBytes(text, algo.headerBytes, 'header'));
      const display = bytesToHex(reverseBytes(internal));
      io.out(json ? JSON.stringify({ algo: algo.name, hash: display, hashInternal: bytesToHex(internal) }) : display);
      return 0;
    }
    const header = parseHeaderHex(args.positionals[0]!);
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
  },
};
