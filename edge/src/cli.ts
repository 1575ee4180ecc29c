/**
 * The `otedama` command line: finds the subcommand, parses its flags strictly, prints help,
 * and turns typed errors into one-line messages with a non-zero exit (2 for usage errors).
 */
import { OtedamaError } from '@otedama/core';
import { formatFlagHelp, parseArgs } from './cli-args.ts';
import type { CliIO, Command } from './command.ts';
import { COMMANDS } from './commands/index.ts';
import { CliUsageError } from './errors.ts';
import { loggerFromEnv } from './logger.ts';

const DEFAULT_COMMAND = ['pool'];

function findCommand(argv: readonly string[]): { command: Command; rest: string[] } | undefined {
  let best: Command | undefined;
  for (const c of COMMANDS) {
    if (c.words.length <= argv.length && c.words.every((w, i) => argv[i] === w)) {
      if (!best || c.words.length > best.words.length) best = c;
    }
  }
  return best ? { command: best, rest: argv.slice(best.words.length) } : undefined;
}

export function overviewHelp(): string {
  const width = Math.max(...COMMANDS.map((c) => c.words.join(' ').length)) + 4;
  const lines = COMMANDS.map((c) => `  otedama ${c.words.join(' ').padEnd(width)}${c.summary}`);
  return [
    'otedama — a browser-first peer-to-peer mining pool',
    '',
    'Usage: otedama <command> [flags]   (no command: otedama pool)',
    '',
    'Commands:',
    ...lines,
    '',
    'Run "otedama <command> --help" for the flags of a command.',
  ].join('\n');
}

export function commandHelp(c: Command): string {
  const parts = [`Usage: otedama ${c.words.join(' ')} ${c.usage}`.trimEnd(), '', c.summary];
  if (c.details) parts.push('', c.details);
  if (c.flags.length) parts.push('', 'Flags:', formatFlagHelp(c.flags));
  parts.push('  --help'.padEnd(10) + '  show this help');
  return parts.join('\n');
}

export function defaultIO(): CliIO {
  const controller = new AbortController();
  const stop = () => controller.abort();
  process.once('SIGINT', stop);
  process.once('SIGTERM', stop);
  return {
    out: (t) => process.stdout.write(t.endsWith('\n') ? t : t + '\n'),
    err: (t) => process.stderr.write(t.endsWith('\n') ? t : t + '\n'),
    env: process.env,
    logger: loggerFromEnv(process.env),
    stopSignal: controller.signal,
  };
}

export async function runCli(argv: readonly string[], io: CliIO = defaultIO()): Promise<number> {
  if (argv[0] === '--help' || argv[0] === '-h' || argv[0] === 'help') {
    if (argv[1]) {
      const found = findCommand(argv.slice(1));
      if (found) {
        io.out(commandHelp(found.command));
        return 0;
      }
    }
    io.out(overviewHelp());
    return 0;
  }
  if (argv[0] === '--version' || argv[0] === 'version') {
    io.out('otedama 0.1.0');
    return 0;
  }
  const words = argv.length === 0 || argv[0]!.startsWith('-') ? [...DEFAULT_COMMAND, ...argv] : argv;
  const found = findCommand(words);
  if (!found) {
    const prefix = COMMANDS.filter((c) => c.words[0] === words[0]);
    if (prefix.length) {
      io.err(`otedama: error: unknown command "otedama ${words.slice(0, 2).join(' ')}"; try: ${prefix.map((c) => c.words.join(' ')).join(', ')}`);
    } else {
      io.err(`otedama: error: unknown command "${words[0]}"; run "otedama --help" for the list`);
    }
    return 2;
  }
  const { command, rest } = found;
  if (rest.includes('--help') || rest.includes('-h')) {
    io.out(commandHelp(command));
    return 0;
  }
  try {
    const args = parseArgs(rest, command.flags);
    return await command.run(args, io);
  } catch (err) {
    if (err instanceof CliUsageError) {
      io.err(`otedama ${command.words.join(' ')}: error: ${err.reason}`);
      return 2;
    }
    if (err instanceof OtedamaError) {
      io.err(`otedama ${command.words.join(' ')}: error: ${err.reason}`);
      return 1;
    }
    io.err(`otedama ${command.words.join(' ')}: error: ${(err as Error)?.stack ?? String(err)}`);
    return 1;
  }
}
