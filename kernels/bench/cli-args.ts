/** `--name value` arguments of the benchmark scripts. */

/** The value after `--name`, or `fallback`. */
export function arg(name: string, fallback: string): string {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 && process.argv[i + 1] ? process.argv[i + 1]! : fallback;
}

/** A comma-separated list. */
export function list(s: string): string[] {
  return s.split(',').map((x) => x.trim());
}
