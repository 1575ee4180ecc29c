/** Typed errors of the edge and the CLI; each has a stable name and a reason a user can act on. */
import { OtedamaError } from '@otedama/core';

/** Bad command-line usage: unknown command or flag, missing or malformed value. Exit code 2. */
export class CliUsageError extends OtedamaError {
  override readonly name = 'CliUsageError';
  constructor(reason: string) {
    super('usage', reason);
  }
}

/** A configuration value that is missing, unknown or of the wrong type. */
export class ConfigError extends OtedamaError {
  override readonly name = 'ConfigError';
  constructor(reason: string) {
    super('config', reason);
  }
}
