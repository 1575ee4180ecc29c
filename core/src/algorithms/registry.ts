/**
 * The algorithm registry: every algorithm module core knows, by name. Engines register
 * themselves in their own workspaces; core only knows the algorithms. A new algorithm is a
 * folder beside `sha256d/` and one line in ALGORITHMS below.
 */
import { UnknownAlgorithmError } from '../errors.ts';
import type { Algorithm } from './algorithm.ts';
import { SHA256D } from './sha256d/sha256d.ts';

const ALGORITHMS: ReadonlyMap<string, Algorithm> = new Map([[SHA256D.name, SHA256D]]);

export function algorithmNames(): string[] {
  return [...ALGORITHMS.keys()];
}

/** Looks an algorithm up by name (case-insensitive); throws UnknownAlgorithmError. */
export function getAlgorithm(name: string): Algorithm {
  const algo = ALGORITHMS.get(String(name).toLowerCase());
  if (!algo) throw new UnknownAlgorithmError(String(name), algorithmNames());
  return algo;
}
