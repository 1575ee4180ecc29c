/** `otedama hash --algo sha256d HEADER_HEX`: prints the block hash in display order. */
import { bytesToHex, getAlgorithm, parseHeaderHex, reverseBytes, hashDifficulty } from '@otedama/core';
import { JSON_FLAG, type Command } from '../command.ts';
import { CliUsageError } from '../errors.ts';

export const hashCommand: Command = {
  words: ['hash'],
  summary: 'hash a block header and print the block hash (display order)',
  usage: '[--algo sha256d] HEADER_HEX',
  details: 'HEADER_HEX is the full 80-byte header as 160 hex digits, in serialized (wire) order.\nExample: otedama hash --algo sha256d 0100000000000000…1dac2b7c',
  flags: [{ name: 'algo', type: 'string', default: 'sha256d', help: 'proof-of-work algorithm', metavar: 'NAME' }, JSON_FLAG],
  async run(args, io) {
    const algo = getAlgorithm(String(args.flags.algo));
    if (args.positionals.length === 0) throw new CliUsageError('missing HEADER_HEX (the 80-byte header as 160 hex digits)');
    if (args.positionals.length > 1) throw new CliUsageError(`expected one HEADER_HEX, got ${args.positionals.length} arguments`);
    const header = parseHeaderHex(args.positionals[0]!);
    const internal = algo.hashHeader(header);
    const display = bytesToHex(reverseBytes(internal));
    if (args.flags.json) {
      io.out(JSON.stringify({ algo: algo.name, hash: display, hashInternal: bytesToHex(internal), difficulty: hashDifficulty(internal) }));
    } else {
      io.out(display);
    }
    return 0;
  },
};
