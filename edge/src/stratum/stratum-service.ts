/**
 * The Stratum side of the edge, composed: share validator, job manager
 * (templates -> jobs, blocks -> template source) and the Stratum server. The composition root
 * (main.ts) owns the template source's lifecycle; startStratum only subscribes to it.
 */
import { ShareValidator, validateAddress, type Network, type Sha256dFn } from '@otedama/core';
import type { EdgeConfig } from '../config/config.ts';
import { JobManager, type FoundBlock, type JobManagerDeps } from './job-manager.ts';
import type { Logger } from '../logger.ts';
import type { PayoutProvider } from '../accounting/payout-provider.ts';
import { StratumServer, type StratumAddresses, type StratumStats } from './stratum-server.ts';
import type { AddressValidator, StratumHooks } from './stratum-session.ts';
import type { TemplateSource } from '../chain/template-source.ts';

export interface StartStratumOptions {
  readonly config: EdgeConfig['stratum'];
  /** Text tag in the coinbase scriptSig (config.pool.coinbaseTag). */
  readonly coinbaseTag: string;
  readonly logger: Logger;
  readonly templateSource: TemplateSource;
  /** Checks miners' payout addresses (see chainAddressValidator). */
  readonly validateAddress: AddressValidator;
  /** Who the coinbase pays (see singleAddressPayouts). */
  readonly payouts: PayoutProvider;
  /** Accounting hooks: accepted shares (may return a promise: the reply waits), rejects. */
  readonly hooks?: StratumHooks;
  /** Every block found, after the template source answered. */
  readonly onBlock?: (block: FoundBlock) => void;
  /** Every block found, before it is submitted (the write-ahead log; see JobManagerDeps). */
  readonly beforeSubmitBlock?: JobManagerDeps['beforeSubmitBlock'];
  /** SHA-256d for validation (default core's allocation-free hasher, faster than node:crypto here). */
  readonly sha256d?: Sha256dFn;
  readonly now?: () => number;
  /** Housekeeping period of the server (ms); tests shorten it. */
  readonly sweepIntervalMs?: number;
  /** See JobManagerConfig.clearRollingBits (default true). */
  readonly clearRollingBits?: boolean;
}

export interface StratumService {
  readonly server: StratumServer;
  readonly jobs: JobManager;
  readonly validator: ShareValidator;
  readonly address: StratumAddresses;
  stats(): StratumStats;
  /** Sends client.reconnect to miners, closes the ports, stops making jobs. Idempotent. */
  stop(options?: { reconnect?: boolean }): Promise<void>;
}

/** Builds and starts the Stratum side. */
export async function startStratum(options: StartStratumOptions): Promise<StratumService> {
  const now = options.now ?? Date.now;
  const validator = new ShareValidator({ ...(options.sha256d ? { sha256d: options.sha256d } : {}), now });
  const jobs = new JobManager({
    config: {
      extranonce1Bytes: options.config.extranonce1Bytes,
      extranonce2Bytes: options.config.extranonce2Bytes,
      jobRefreshSeconds: options.config.jobRefreshSeconds,
      coinbaseTag: options.coinbaseTag,
      ...(options.clearRollingBits === undefined ? {} : { clearRollingBits: options.clearRollingBits }),
    },
    templateSource: options.templateSource,
    validator,
    payouts: options.payouts,
    logger: options.logger,
    ...(options.onBlock ? { onBlock: options.onBlock } : {}),
    ...(options.beforeSubmitBlock ? { beforeSubmitBlock: options.beforeSubmitBlock } : {}),
    now,
  });
  const server = new StratumServer({
    config: options.config,
    logger: options.logger,
    jobs,
    validator,
    validateAddress: options.validateAddress,
    ...(options.hooks ? { hooks: options.hooks } : {}),
    ...(options.sweepIntervalMs ? { sweepIntervalMs: options.sweepIntervalMs } : {}),
    now,
  });
  jobs.start();
  let address: StratumAddresses;
  try {
    address = await server.start();
  } catch (err) {
    jobs.stop();
    throw err;
  }
  let stopped: Promise<void> | undefined;
  return {
    server,
    jobs,
    validator,
    address,
    stats: () => server.stats(),
    stop(opts = {}) {
      stopped ??= (async () => {
        jobs.stop();
        await server.stop(opts.reconnect === undefined ? {} : { reconnect: opts.reconnect });
      })();
      return stopped;
    },
  };
}

/** An AddressValidator for a chain's network ("simnet" uses regtest addresses). */
export function chainAddressValidator(network: Network, chainName?: string): AddressValidator {
  return (address) => {
    validateAddress(address, network, chainName ? { chainName } : {});
  };
}
