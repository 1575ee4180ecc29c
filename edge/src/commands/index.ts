/** Every `otedama` subcommand, in the order `otedama --help` lists them. */
import type { Command } from '../command.ts';
import { diagCommand } from './diag.ts';
import { gpuListCommand } from './gpu-list.ts';
import { hashCommand } from './hash.ts';
import { mineCommand } from './mine.ts';
import { miningBenchmarkCommand } from './mining-benchmark.ts';
import { miningStartCommand, miningStatusCommand, miningStopCommand } from './mining-control.ts';
import { monitorCommand } from './monitor.ts';
import { netTestCommand } from './net-test.ts';
import { nodePeersCommand, nodeStatusCommand, nodeSyncCommand } from './node-status.ts';
import { poolMinersCommand, poolPayoutsCommand, poolStatsCommand, statsCommand } from './pool-stats.ts';
import { poolCommand } from './pool.ts';
import { profileCommand } from './profile.ts';
import { rigCommand } from './rig.ts';
import { walletBalanceCommand, walletNewCommand, walletShowCommand } from './wallet.ts';

export const COMMANDS: readonly Command[] = [
  // the pool
  poolCommand,
  statsCommand,
  poolStatsCommand,
  poolMinersCommand,
  poolPayoutsCommand,
  monitorCommand,
  nodeStatusCommand,
  nodePeersCommand,
  nodeSyncCommand,
  // mining
  mineCommand,
  miningStatusCommand,
  miningStopCommand,
  miningStartCommand,
  miningBenchmarkCommand,
  gpuListCommand,
  rigCommand,
  // a test-chain wallet
  walletNewCommand,
  walletShowCommand,
  walletBalanceCommand,
  // operations
  netTestCommand,
  diagCommand,
  profileCommand,
  // tools
  hashCommand,
];
