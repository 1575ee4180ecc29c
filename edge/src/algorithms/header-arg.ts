/** `otedama hash HEADER_HEX`: the one positional every algorithm's full-header hash takes. */
import { bytesToHex, hexToBytes, reverseBytes, type Algorithm } from '@otedama/core';
import type { ParsedArgs } from '../cli-args.ts';
import type { CliIO } from '../command.ts';
import { CliUsageError } from '../errors.ts';

/** The HEADER_HEX argument, exactly one, as given. */
export function headerHexArg(algo: Algorithm, args: ParsedArgs): string {
  const digits = algo.headerBytes * 2;
  if (args.positionals.length === 0) throw new CliUsageError(`missing HEADER_HEX (the ${algo.headerBytes}-byte header as ${digits} hex digits)`);
  if (args.positionals.length > 1) throw new CliUsageError(`expected one HEADER_HEX, got ${args.positionals.length} arguments`);
  return args.positionals[0]!;
}

/** Prints the block hash of a full header in display order (and internal order with --json). */
export function printHeaderHash(algo: Algorithm, args: ParsedArgs, io: CliIO): number {
  const digits = algo.headerBytes * 2;
  const text = headerHexArg(algo, args).trim().replace(/^0x/i, '');
  if (!/^[0-9a-fA-F]*$/.test(text)) throw new CliUsageError('header is not hex');
  if (text.length !== digits) throw new CliUsageError(`a ${algo.name} header must be ${algo.headerBytes} bytes (${digits} hex digits), got ${text.length} hex digits`);
  const internal = algo.hashHeader(hexToBytes(text, algo.headerBytes, 'header'));
  const display = bytesToHex(reverseBytes(internal));
  io.out(args.flags.json ? JSON.stringify({ algo: algo.name, hash: display, hashInternal: bytesToHex(internal) }) : display);
  return 0;
}
