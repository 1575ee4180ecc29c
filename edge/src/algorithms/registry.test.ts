/** The edge's algorithm registry: every algorithm core knows has its edge module, and the commands' flags stay unique. */
import { algorithmNames, getAlgorithm } from '@otedama/core';
import { describe, expect, it } from 'vitest';
import { hashCommand } from '../commands/hash.ts';
import { mineCommand } from '../commands/mine.ts';
import { miningBenchmarkCommand } from '../commands/mining-benchmark.ts';
import { CliUsageError } from '../errors.ts';
import { EDGE_ALGORITHMS, edgeAlgorithm, edgeAlgorithmNames } from './registry.ts';

describe('edge algorithm registry', () => {
  it('has one module for each of core\'s algorithms, under core\'s name', () => {
    expect(edgeAlgorithmNames().sort()).toEqual(algorithmNames().sort());
    for (const name of algorithmNames()) expect(edgeAlgorithm(getAlgorithm(name), 'otedama x').name).toBe(name);
  });

  it('refuses an algorithm with no edge module with a usage error naming what is there', () => {
    const third = { ...getAlgorithm('sha256d'), name: 'third', title: 'Third' };
    expect(() => edgeAlgorithm(third, 'otedama mine')).toThrow(CliUsageError);
    expect(() => edgeAlgorithm(third, 'otedama mine')).toThrow(/otedama mine covers sha256d and kawpow; Third is not available in otedama mine yet/);
  });

  it('gives every command each flag once, and each exclusive flag is one its module declares', () => {
    for (const command of [hashCommand, mineCommand, miningBenchmarkCommand]) {
      const names = command.flags.map((f) => f.name);
      expect(new Set(names).size).toBe(names.length);
    }
    for (const a of EDGE_ALGORITHMS) {
      for (const n of a.hash.exclusive) expect(a.hash.flags.map((f) => f.name)).toContain(n);
      for (const n of Object.keys(a.benchmark.exclusive)) expect(a.benchmark.flags.map((f) => f.name)).toContain(n);
    }
  });
});
