import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { ConfigError } from '../errors.ts';
import { resolveWebRoot } from './web-root.ts';

let dir: string;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'otedama-web-root-'));
  mkdirSync(join(dir, 'built'));
  writeFileSync(join(dir, 'built', 'index.html'), '<!doctype html><title>x</title>');
  mkdirSync(join(dir, 'empty'));
  writeFileSync(join(dir, 'file.txt'), 'not a folder');
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

function configError(f: () => unknown): ConfigError {
  try {
    f();
  } catch (err) {
    expect(err).toBeInstanceOf(ConfigError);
    return err as ConfigError;
  }
  throw new Error('expected a ConfigError');
}

describe('resolveWebRoot', () => {
  it('a configured folder with index.html is served, relative paths from the working directory', () => {
    expect(resolveWebRoot(join(dir, 'built'), '/unused')).toEqual({ path: join(dir, 'built'), configured: true, built: true });
    expect(resolveWebRoot('built', '/unused', dir)).toEqual({ path: join(dir, 'built'), configured: true, built: true });
    expect(resolveWebRoot('./built/', '/unused', dir).path).toBe(join(dir, 'built'));
  });

  it('an empty value is refused', () => {
    expect(configError(() => resolveWebRoot('', '/unused')).reason).toMatch(/must name a folder/);
    expect(configError(() => resolveWebRoot('  ', '/unused')).reason).toMatch(/must name a folder/);
  });

  it('a configured folder that does not exist, is a file, or holds no index.html stops the edge, naming it', () => {
    expect(configError(() => resolveWebRoot('nope', '/unused', dir)).reason).toBe(
      `--web-root / http.web_root: the folder ${join(dir, 'nope')} does not exist; build the web app into it first (vite build --outDir ${join(dir, 'nope')})`,
    );
    expect(configError(() => resolveWebRoot('file.txt', '/unused', dir)).reason).toMatch(/file\.txt is a file, not the folder/);
    expect(configError(() => resolveWebRoot('empty', '/unused', dir)).reason).toMatch(/empty has no index\.html/);
  });

  it('the default folder may be missing or unbuilt: not an error, reported as not built', () => {
    expect(resolveWebRoot(undefined, join(dir, 'built'))).toEqual({ path: join(dir, 'built'), configured: false, built: true });
    expect(resolveWebRoot(undefined, join(dir, 'missing'))).toEqual({ path: join(dir, 'missing'), configured: false, built: false });
    expect(resolveWebRoot(undefined, join(dir, 'empty')).built).toBe(false);
  });
});
