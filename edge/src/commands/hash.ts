/**
 * `otedama hash [--algo ALGO] HEADER_HEX`: prints the block hash of a full header in display
 * order (SHA-256d's 80 bytes; KawPow's 120, hashed from its stored mix hash as Ravencoin does).
 * What else an algorithm's hash does is its edge module's (algorithms/<name>/hash.ts): SHA-256d
 * searches a nonce range (--nonces), KawPow light-evaluates one nonce (--height, --header-hash,
 * --nonce).
 */
import { getAlgorithm } from '@otedama/core';
import { EDGE_ALGORITHMS, algorithmFlags, edgeAlgorithm, edgeAlgorithmNames } from '../algorithms/registry.ts';
import { JSON_FLAG, type Command } from '../command.ts';
import { CliUsageError } from '../errors.ts';

export { parseNonceRange } from '../algorithms/sha256d/hash.ts';

export const hashCommand: Command = {
  words: ['hash'],
  summary: 'hash a block header (display order), or search a nonce range of it',
  usage: `[--algo ${edgeAlgorithmNames().join('|')}] [--nonces FIRST-LAST | START+COUNT] [--target HEX | --difficulty D] HEADER_HEX\n       otedama hash --algo kawpow --height H --header-hash HEX --nonce N [--json]`,
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
    ...algorithmFlags('hash'),
    JSON_FLAG,
  ],
  async run(args, io) {
    const algo = getAlgorithm(String(args.flags.algo));
    const own = edgeAlgorithm(algo, 'otedama hash');
    for (const other of EDGE_ALGORITHMS) {
      if (other === own) continue;
      const given = other.hash.exclusive.filter((n) => args.flags[n] !== undefined);
      if (given.length) throw new CliUsageError(`${given.map((n) => `--${n}`).join(', ')} ${given.length === 1 ? 'is' : 'are'} for --algo ${other.name}`);
    }
    return own.hash.run(algo, args, io);
  },
};
