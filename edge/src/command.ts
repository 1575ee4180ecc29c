/** The shape of one `otedama` subcommand. Commands live in commands/*.ts and are listed in commands/index.ts. */
import type { FlagSpec, ParsedArgs } from './cli-args.ts';
import type { Logger } from './logger.ts';

export interface CliIO {
  /** Command output (tables, JSON). */
  out(text: string): void;
  /** Progress and diagnostics. */
  err(text: string): void;
  readonly env: Record<string, string | undefined>;
  readonly logger: Logger;
  /** Resolves when the user asks to stop (SIGINT/SIGTERM); long-running commands await it. */
  readonly stopSignal: AbortSignal;
}

export interface Command {
  /** The words after `otedama`, e.g. ['mining', 'benchmark']. */
  readonly words: readonly string[];
  readonly summary: string;
  /** Usage line after `otedama <words>`, e.g. '[--algo sha256d] HEADER_HEX'. */
  readonly usage: string;
  /** Longer help text shown by --help (examples, notes). */
  readonly details?: string;
  readonly flags: readonly FlagSpec[];
  run(args: ParsedArgs, io: CliIO): Promise<number>;
}

export const JSON_FLAG: FlagSpec = { name: 'json', type: 'boolean', help: 'print machine-readable JSON' };
