/**
 * Which folder the edge serves the web app from. A folder named by `--web-root` or
 * `http.web_root` must hold a built web app (its index.html): a typo there stops the edge at
 * startup with the folder in the message, instead of a pool whose front page answers 503. The
 * default (dist/web of this checkout) may be missing before the first build: the edge starts,
 * logs a warning naming the folder, and / answers 503 "the web app is not built".
 */
import { statSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { ConfigError } from '../errors.ts';

export interface WebRoot {
  /** Absolute path of the folder. */
  readonly path: string;
  /** Named by --web-root / http.web_root (not the default). */
  readonly configured: boolean;
  /** The folder holds index.html. */
  readonly built: boolean;
}

function kind(path: string): 'folder' | 'file' | 'missing' {
  try {
    return statSync(path).isDirectory() ? 'folder' : 'file';
  } catch {
    return 'missing';
  }
}

/**
 * Resolves the web root: `configured` (relative to `cwd`) when given, else `fallback`.
 * Throws ConfigError when a configured folder is missing, is a file, or has no index.html.
 */
export function resolveWebRoot(configured: string | undefined, fallback: string, cwd: string = process.cwd()): WebRoot {
  if (configured === undefined) {
    const path = resolve(cwd, fallback);
    return { path, configured: false, built: kind(join(path, 'index.html')) === 'file' };
  }
  if (!configured.trim()) throw new ConfigError('--web-root / http.web_root must name a folder, such as dist/web');
  const path = resolve(cwd, configured);
  const what = kind(path);
  if (what === 'missing') throw new ConfigError(`--web-root / http.web_root: the folder ${path} does not exist; build the web app into it first (vite build --outDir ${path})`);
  if (what === 'file') throw new ConfigError(`--web-root / http.web_root: ${path} is a file, not the folder of a built web app`);
  if (kind(join(path, 'index.html')) !== 'file') {
    throw new ConfigError(`--web-root / http.web_root: ${path} has no index.html, so it is not a built web app (vite build --outDir ${path})`);
  }
  return { path, configured: true, built: true };
}
