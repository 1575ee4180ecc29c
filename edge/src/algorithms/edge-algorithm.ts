/**
 * The edge's side of an algorithm: what `otedama mine`, `otedama hash` and `otedama mining
 * benchmark` do for it. Core's registry knows the algorithm (header, PoW, targets); this seam
 * knows its miner, its CLI hash behaviour and its benchmark, so the commands look the algorithm
 * up (algorithms/registry.ts) instead of branching on its name. A new algorithm is a folder
 * beside `sha256d/` and one line in the registry.
 */
import { cpus } from 'node:os';
import type { Algorithm } from '@otedama/core';
import type { FlagSpec, FlagValues, ParsedArgs } from '../cli-args.ts';
import type { CliIO } from '../command.ts';
import type { StratumClientError } from '../errors.ts';
import type { Logger } from '../logger.ts';
import type { MinerStatus } from '../miner/miner-lifecycle.ts';
import type { PoolUrl } from '../miner/pool-url.ts';

/** Half the cores, at least one: leaves the machine usable while mining. */
export function defaultMinerThreads(): number {
  return Math.max(1, Math.floor(cpus().length / 2));
}

/** What `otedama mine` drives: a miner and its pool connection, whatever the algorithm. */
export interface MiningSession {
  readonly miner: {
    start(): Promise<void>;
    stop(): Promise<void>;
    pause(): void;
    resume(): void;
    status(): MinerStatus;
  };
  readonly client: { start(): void; stop(): Promise<void>; on(event: 'fatal', listener: (err: StratumClientError) => void): () => void };
  /** How the CPU mines, for the start line. */
  readonly cpu: string;
}

/** `otedama mine`'s checked flags, as every algorithm's session gets them. */
export interface SessionInput {
  readonly pool: PoolUrl;
  readonly user: string;
  readonly password: string;
  readonly threads: number | undefined;
  readonly gpus: number[];
  readonly cpuEngine: string;
  readonly versionRolling: boolean;
  readonly tlsInsecure: boolean;
  /** Every flag, for the algorithm's own (its `mine.flags`). */
  readonly flags: FlagValues;
  readonly env: CliIO['env'];
}

export interface EdgeAlgorithm {
  /** Core's name of the algorithm (getAlgorithm). */
  readonly name: string;
  readonly mine: {
    /** Flags only this algorithm's miner reads, appended to `otedama mine`'s. */
    readonly flags: readonly FlagSpec[];
    session(input: SessionInput, logger: Logger): Promise<MiningSession>;
  };
  readonly hash: {
    /** Flags of this algorithm's `otedama hash`, appended to the command's in registry order. */
    readonly flags: readonly FlagSpec[];
    /** Of those, the ones that make no sense with another --algo (a usage error there). */
    readonly exclusive: readonly string[];
    run(algo: Algorithm, args: ParsedArgs, io: CliIO): Promise<number>;
  };
  readonly benchmark: {
    /** Flags of this algorithm's `otedama mining benchmark`, appended in registry order. */
    readonly flags: readonly FlagSpec[];
    /** Flag name -> the usage error when it is given with another --algo. */
    readonly exclusive: Readonly<Record<string, string>>;
    /** Runs with --seconds already checked; returns the exit code. */
    run(flags: FlagValues, seconds: number, io: CliIO): Promise<number>;
  };
}
