/**
 * The repository stands alone: a clone has no folder beside it, so nothing tracked may read test
 * vectors (or anything else) from the reference folder the project was started from. Published
 * vectors live in core/test/vectors/ with their sources. This guard fails when a tracked file
 * outside docs/ points at that folder again, naming each file and line.
 */
import { execFileSync } from 'node:child_process';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative, sep } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { sha256dVectors } from './vectors.ts';

const REPO_ROOT = fileURLToPath(new URL('../..', import.meta.url));
/** Built from parts so this file does not match itself. */
const FORBIDDEN = [['..', 'shared'].join('/'), ['shared', 'vectors', ''].join('/')];
/** Folders a walk skips when git is not there to list tracked files (a tarball, say). */
const UNTRACKED_DIRS = new Set(['.git', 'node_modules', 'dist', 'build', 'test-results', '.tools', 'coverage']);
/** Bytes read to decide a file is binary (a NUL in them). */
const BINARY_SNIFF_BYTES = 8192;

function trackedFiles(): string[] {
  try {
    const out = execFileSync('git', ['ls-files', '-z'], { cwd: REPO_ROOT, encoding: 'utf8', maxBuffer: 64 * 1024 * 1024 });
    return out.split('\0').filter((f) => f !== '');
  } catch {
    const files: string[] = [];
    const walk = (dir: string) => {
      for (const entry of readdirSync(dir, { withFileTypes: true })) {
        if (entry.isDirectory()) {
          if (!UNTRACKED_DIRS.has(entry.name)) walk(join(dir, entry.name));
        } else if (entry.isFile()) {
          files.push(relative(REPO_ROOT, join(dir, entry.name)).split(sep).join('/'));
        }
      }
    };
    walk(REPO_ROOT);
    return files;
  }
}

function offendingLines(file: string): string[] {
  let bytes: Buffer;
  try {
    if (!statSync(join(REPO_ROOT, file)).isFile()) return [];
    bytes = readFileSync(join(REPO_ROOT, file));
  } catch {
    return []; // deleted in the work tree but still in the index
  }
  if (bytes.subarray(0, BINARY_SNIFF_BYTES).includes(0)) return [];
  return bytes
    .toString('utf8')
    .split('\n')
    .flatMap((line, i) => (FORBIDDEN.some((needle) => line.includes(needle)) ? [`${file}:${i + 1}: ${line.trim()}`] : []));
}

describe('the repository stands alone', () => {
  it('no tracked file outside docs/ refers to the reference folder beside the repository', () => {
    const files = trackedFiles().filter((f) => !f.startsWith('docs/'));
    expect(files.length).toBeGreaterThan(50);
    expect(files).toContain('core/test/vectors/sha256d.json');
    expect(files.flatMap(offendingLines)).toEqual([]);
  });

  it('the vectors come from the repository and every one names its source', () => {
    const json = JSON.parse(readFileSync(join(REPO_ROOT, 'core/test/vectors/sha256d.json'), 'utf8')) as { sources: unknown[] };
    expect(json.sources.length).toBeGreaterThan(0);
    expect(sha256dVectors.vectors.length).toBeGreaterThan(0);
    for (const v of sha256dVectors.vectors as unknown as { name: string; source?: unknown }[]) {
      expect(v.source, `vector ${v.name} has no source`).toBeTruthy();
    }
  });
});
