/**
 * A small, strict flag parser: every flag is declared with a type, unknown flags and bad values
 * are CliUsageErrors that name the flag. Accepts `--flag value`, `--flag=value`, `-flag value`
 * (single dash, as the seed's `-config` spelling), and `--no-flag` for booleans.
 */
import { CliUsageError } from './errors.ts';

export type FlagType = 'string' | 'number' | 'integer' | 'boolean' | 'duration';

export interface FlagSpec {
  readonly name: string;
  readonly type: FlagType;
  readonly help: string;
  readonly default?: string | number | boolean;
  /** For numbers: inclusive bounds. */
  readonly min?: number;
  readonly max?: number;
  /** Allowed values for strings. */
  readonly choices?: readonly string[];
  readonly short?: string;
  /** Value placeholder in help text. */
  readonly metavar?: string;
  /** May be given more than once; the value is the list of every occurrence, in order. */
  readonly repeatable?: boolean;
}

export type FlagValues = Record<string, string | number | boolean | string[] | undefined>;

export interface ParsedArgs {
  flags: FlagValues;
  positionals: string[];
}

/** Parses durations like 60s, 5m, 1h, 250ms, or a bare number of seconds, into seconds. */
export function parseDuration(text: string, flag: string): number {
  const m = /^(\d+(?:\.\d+)?)(ms|s|m|h)?$/.exec(text.trim());
  if (!m) throw new CliUsageError(`--${flag} expects a duration such as 30s, 5m or 1h (got "${text}")`);
  const n = Number(m[1]);
  const unit = m[2] ?? 's';
  const seconds = unit === 'ms' ? n / 1000 : unit === 's' ? n : unit === 'm' ? n * 60 : n * 3600;
  if (!(seconds > 0)) throw new CliUsageError(`--${flag} must be longer than zero (got "${text}")`);
  return seconds;
}

function convert(spec: FlagSpec, raw: string): string | number | boolean {
  switch (spec.type) {
    case 'string':
      if (spec.choices && !spec.choices.includes(raw)) {
        throw new CliUsageError(`--${spec.name} must be one of ${spec.choices.join(', ')} (got "${raw}")`);
      }
      return raw;
    case 'boolean':
      if (['true', '1', 'yes'].includes(raw)) return true;
      if (['false', '0', 'no'].includes(raw)) return false;
      throw new CliUsageError(`--${spec.name} expects true or false (got "${raw}")`);
    case 'duration':
      return parseDuration(raw, spec.name);
    case 'number':
    case 'integer': {
      const n = Number(raw);
      if (raw.trim() === '' || !Number.isFinite(n)) throw new CliUsageError(`--${spec.name} expects a number (got "${raw}")`);
      if (spec.type === 'integer' && !Number.isInteger(n)) throw new CliUsageError(`--${spec.name} expects a whole number (got "${raw}")`);
      if (spec.min !== undefined && n < spec.min) throw new CliUsageError(`--${spec.name} must be at least ${spec.min} (got ${raw})`);
      if (spec.max !== undefined && n > spec.max) throw new CliUsageError(`--${spec.name} must be at most ${spec.max} (got ${raw})`);
      return n;
    }
  }
}

export function parseArgs(argv: readonly string[], specs: readonly FlagSpec[]): ParsedArgs {
  const byName = new Map<string, FlagSpec>();
  for (const s of specs) {
    byName.set(s.name, s);
    if (s.short) byName.set(s.short, s);
  }
  const flags: FlagValues = {};
  for (const s of specs) if (s.default !== undefined) flags[s.name] = s.default;
  const positionals: string[] = [];
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i]!;
    if (arg === '--') {
      positionals.push(...argv.slice(i + 1));
      break;
    }
    if (!arg.startsWith('-') || arg === '-' || /^-\d/.test(arg)) {
      positionals.push(arg);
      continue;
    }
    const body = arg.replace(/^--?/, '');
    const eq = body.indexOf('=');
    let name = eq >= 0 ? body.slice(0, eq) : body;
    let inline = eq >= 0 ? body.slice(eq + 1) : undefined;
    let spec = byName.get(name);
    if (!spec && name.startsWith('no-') && byName.get(name.slice(3))?.type === 'boolean' && inline === undefined) {
      spec = byName.get(name.slice(3))!;
      flags[spec.name] = false;
      continue;
    }
    if (!spec) {
      const known = specs.map((s) => `--${s.name}`).join(', ');
      throw new CliUsageError(`unknown flag ${arg.split('=')[0]}${known ? ` (known: ${known})` : ' (this command takes no flags)'}`);
    }
    name = spec.name;
    if (spec.type === 'boolean' && inline === undefined) {
      flags[name] = true;
      continue;
    }
    if (inline === undefined) {
      const next = argv[i + 1];
      if (next === undefined || (next.startsWith('--') && next.length > 2)) {
        throw new CliUsageError(`--${name} needs a value${spec.metavar ? ` (${spec.metavar})` : ''}`);
      }
      inline = next;
      i++;
    }
    const value = convert(spec, inline);
    if (spec.repeatable) {
      const list = Array.isArray(flags[name]) ? (flags[name] as string[]) : [];
      flags[name] = [...list, String(value)];
    } else {
      flags[name] = value;
    }
  }
  return { flags, positionals };
}

export function formatFlagHelp(specs: readonly FlagSpec[]): string {
  const rows = specs.map((s) => {
    const left = `  --${s.name}${s.type === 'boolean' ? '' : ` ${s.metavar ?? s.type.toUpperCase()}`}${s.repeatable ? ' ...' : ''}`;
    const def = s.default !== undefined && s.default !== false ? ` (default: ${s.default})` : '';
    return [left, `${s.help}${def}`] as const;
  });
  const width = Math.max(0, ...rows.map((r) => r[0].length)) + 2;
  return rows.map(([l, r]) => l.padEnd(width) + r).join('\n');
}
