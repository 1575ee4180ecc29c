/**
 * Injected, namespaced logging: `logger.forComponent('edge:stratum')`. JSON or text lines by
 * OTEDAMA_LOG_FORMAT, threshold by OTEDAMA_LOG_LEVEL. Written to stderr so stdout stays free
 * for command output (`--json`).
 */
/** Only stderr and the environment are used: declared here so browsers (apps/web) type-check this module without Node's types. */
declare const process: { readonly stderr: { write(text: string): unknown }; readonly env: Record<string, string | undefined> };

export type LogLevel = 'debug' | 'info' | 'warn' | 'error' | 'silent';
const ORDER: Record<LogLevel, number> = { debug: 10, info: 20, warn: 30, error: 40, silent: 100 };

export interface Logger {
  debug(msg: string, fields?: Record<string, unknown>): void;
  info(msg: string, fields?: Record<string, unknown>): void;
  warn(msg: string, fields?: Record<string, unknown>): void;
  error(msg: string, fields?: Record<string, unknown>): void;
  forComponent(name: string): Logger;
}

export interface LoggerOptions {
  level?: LogLevel;
  format?: 'json' | 'text';
  write?: (line: string) => void;
  component?: string;
}

export function isLogLevel(v: string): v is LogLevel {
  return v in ORDER;
}

export function createLogger(options: LoggerOptions = {}): Logger {
  const level = options.level ?? 'info';
  const format = options.format ?? 'text';
  const write = options.write ?? ((line: string) => process.stderr.write(line + '\n'));
  const component = options.component ?? 'otedama';
  const emit = (lvl: LogLevel, msg: string, fields?: Record<string, unknown>) => {
    if (ORDER[lvl] < ORDER[level]) return;
    const time = new Date().toISOString();
    if (format === 'json') {
      write(JSON.stringify({ time, level: lvl, component, msg, ...fields }, (_k, v) => (typeof v === 'bigint' ? v.toString() : v)));
    } else {
      const extra = fields && Object.keys(fields).length
        ? ' ' + Object.entries(fields).map(([k, v]) => `${k}=${typeof v === 'string' ? v : JSON.stringify(v, (_k, x) => (typeof x === 'bigint' ? x.toString() : x))}`).join(' ')
        : '';
      write(`${time} ${lvl.toUpperCase().padEnd(5)} [${component}] ${msg}${extra}`);
    }
  };
  return {
    debug: (m, f) => emit('debug', m, f),
    info: (m, f) => emit('info', m, f),
    warn: (m, f) => emit('warn', m, f),
    error: (m, f) => emit('error', m, f),
    forComponent: (name) => createLogger({ ...options, level, format, write, component: name }),
  };
}

/** Logger configured from OTEDAMA_LOG_LEVEL and OTEDAMA_LOG_FORMAT. */
export function loggerFromEnv(env: Record<string, string | undefined> = process.env): Logger {
  const lvl = (env.OTEDAMA_LOG_LEVEL ?? 'info').toLowerCase();
  const fmt = (env.OTEDAMA_LOG_FORMAT ?? 'text').toLowerCase();
  return createLogger({ level: isLogLevel(lvl) ? lvl : 'info', format: fmt === 'json' ? 'json' : 'text' });
}

/** A logger that drops everything (tests). */
export const silentLogger: Logger = createLogger({ level: 'silent' });
