/** Every `otedama` subcommand, in the order `otedama --help` lists them. */
import type { Command } from '../command.ts';
import { gpuListCommand } from './gpu-list.ts';
import { hashCommand } from './hash.ts';
import { mineCommand } from './mine.ts';
import { miningBenchmarkCommand } from './mining-benchmark.ts';
import { miningStartCommand, miningStatusCommand, miningStopCommand } from './mining-control.ts';
import { poolCommand } from './pool.ts';

export const COMMANDS: readonly Command[] = [
  // the pool
  poolCommand,
  // mining
  mineCommand,
  miningStatusCommand,
  miningStopCommand,
  miningStartCommand,
  miningBenchmarkCommand,
  gpuListCommand,
  // tools
  hashCommand,
];
