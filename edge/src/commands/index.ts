/** Every `otedama` subcommand, in the order `otedama --help` lists them. */
import type { Command } from '../command.ts';
import { hashCommand } from './hash.ts';
import { poolCommand } from './pool.ts';

export const COMMANDS: readonly Command[] = [poolCommand, hashCommand];
