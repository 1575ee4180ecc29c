/**
 * The edge's algorithms by core's name: one line per algorithm folder. `otedama mine`, `hash`
 * and `mining benchmark` look the algorithm up here; registry.test.ts checks that every algorithm
 * core registers has its edge module.
 */
import type { Algorithm } from '@otedama/core';
import { CliUsageError } from '../errors.ts';
import type { EdgeAlgorithm } from './edge-algorithm.ts';
import { KAWPOW_EDGE } from './kawpow/index.ts';
import { SHA256D_EDGE } from './sha256d/index.ts';

export const EDGE_ALGORITHMS: readonly EdgeAlgorithm[] = [SHA256D_EDGE, KAWPOW_EDGE];

/** The names the edge mines, hashes and benchmarks, in registry order. */
export function edgeAlgorithmNames(): string[] {
  return EDGE_ALGORITHMS.map((a) => a.name);
}

/** The edge module of one of core's algorithms; `command` names what is missing in the error. */
export function edgeAlgorithm(algo: Algorithm, command: string): EdgeAlgorithm {
  const found = EDGE_ALGORITHMS.find((a) => a.name === algo.name);
  if (!found) throw new CliUsageError(`${command} covers ${edgeAlgorithmNames().join(' and ')}; ${algo.title} is not available in ${command} yet`);
  return found;
}

/** Every registered algorithm's flags for one command part, in registry order, each name once. */
export function algorithmFlags(part: 'mine' | 'hash' | 'benchmark') {
  const seen = new Set<string>();
  return EDGE_ALGORITHMS.flatMap((a) => a[part].flags).filter((f) => !seen.has(f.name) && (seen.add(f.name), true));
}
