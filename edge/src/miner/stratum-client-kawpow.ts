/**
 * The KawPow Stratum client: what `otedama mine --algo kawpow` speaks to a Ravencoin pool,
 * the client side of core's KawPow dialect codec (core/src/algorithms/kawpow/stratum.ts):
 *
 *   - `mining.subscribe` [userAgent] -> [subscriptions, nonce prefix]: the prefix (0..4 bytes)
 *     fixes the most significant bytes of every nonce this miner tries;
 *   - `mining.authorize` [ADDR.WORKER, password];
 *   - `mining.notify` [jobId, headerHash, seedHash, target, clean, height, bits]: the job and its
 *     share target (the seed hash is checked against the height's epoch);
 *   - `mining.set_target` [target]: recorded; as in kawpowminer, each notify's own target is
 *     the one its work is judged at;
 *   - `mining.set_extranonce` [prefix]: a new nonce prefix, applied to the current job at once;
 *   - `mining.submit` [ADDR.WORKER, jobId, 0x nonce, 0x header hash, 0x mix hash].
 *
 * Reconnects, replies, client.reconnect and the other common requests are the shared
 * connection's (stratum-connection.ts).
 */
import {
  kawpowSubmitParams,
  kawpowTargetToDifficulty,
  parseKawpowNoncePrefix,
  parseKawpowNotifyParams,
  parseKawpowSetTargetParams,
  parseKawpowSubscribeResult,
  type KawpowNotify,
} from '@otedama/core';
import type { Logger } from '../logger.ts';
import {
  fail,
  StratumConnection,
  type DialectStatus,
  type ShareResult,
  type StratumConnectionEvents,
  type StratumConnectionOptions,
  type StratumRequestMessage,
} from './stratum-connection.ts';

/** A KawPow job as the miner uses it: the notify plus the session state it was received under. */
export interface KawpowStratumJob extends KawpowNotify {
  /** The share target's pool difficulty (KawPow's difficulty 1). */
  readonly difficulty: number;
  /** The connection's nonce prefix (lower-case hex, '' for none). */
  readonly noncePrefix: string;
  /** Increments on every connection; jobs of an older connection are stale. */
  readonly connectionId: number;
}

/** What the miner submits for a job. */
export interface KawpowShareSubmit {
  readonly jobId: string;
  readonly nonce: bigint;
  readonly headerHash: Uint8Array;
  readonly mixHash: Uint8Array;
}

export type KawpowStratumClientEvents = StratumConnectionEvents<KawpowStratumJob, KawpowShareSubmit>;

export class KawpowStratumClient extends StratumConnection<KawpowStratumJob, KawpowShareSubmit> {
  private noncePrefix: string | null = null;
  /** The last mining.set_target, for the status (each job carries its own target). */
  private setTarget: bigint | null = null;

  constructor(options: StratumConnectionOptions, logger: Logger) {
    super(options, logger);
  }

  protected dialectStatus(): DialectStatus {
    return {
      difficulty: this.lastJob?.difficulty ?? null,
      pendingDifficulty: this.setTarget === null ? null : kawpowTargetToDifficulty(this.setTarget),
      extranonce1: this.noncePrefix,
      extranonce2Size: null,
      versionMask: null,
    };
  }

  /** Submits a share; resolves with the pool's verdict (never rejects). */
  submit(share: KawpowShareSubmit): Promise<ShareResult> {
    return this.submitParams(kawpowSubmitParams({ username: this.options.user, ...share }), share);
  }

  protected handshake(connectionId: number, onReady: () => void): void {
    this.subscribe(
      connectionId,
      onReady,
      parseKawpowSubscribeResult,
      (sub) => {
        const resumed = this.sessionId !== null && sub.sessionId === this.sessionId && sub.noncePrefix === this.noncePrefix;
        this.noncePrefix = sub.noncePrefix;
        return resumed;
      },
      (sub) => ({ noncePrefix: sub.noncePrefix || '(none)' }),
    );
  }

  protected handleDialectRequest(msg: StratumRequestMessage, connectionId: number): boolean {
    switch (msg.method) {
      case 'mining.notify':
        this.onNotify(parseKawpowNotifyParams(msg.params), connectionId);
        return true;
      case 'mining.set_target': {
        this.setTarget = parseKawpowSetTargetParams(msg.params);
        this.log.info('share target set', { difficulty: Number(kawpowTargetToDifficulty(this.setTarget).toPrecision(6)) });
        return true;
      }
      case 'mining.set_extranonce': {
        const prefix = parseKawpowNoncePrefix(msg.params[0], 'mining.set_extranonce');
        this.noncePrefix = prefix;
        this.log.info('nonce prefix changed', { noncePrefix: prefix || '(none)' });
        if (this.lastJob) {
          this.lastJob = { ...this.lastJob, noncePrefix: prefix };
          this.emit('job', this.lastJob, true);
        }
        this.reply(msg.id, true);
        return true;
      }
      default:
        return false;
    }
  }

  private onNotify(notify: KawpowNotify, connectionId: number): void {
    if (this.noncePrefix === null) fail('mining.notify before the subscribe result');
    if (this.lastJob && this.lastJob.jobId === notify.jobId && !notify.clean && this.lastJob.connectionId === connectionId) return;
    const job: KawpowStratumJob = { ...notify, difficulty: kawpowTargetToDifficulty(notify.target), noncePrefix: this.noncePrefix, connectionId };
    this.lastJob = job;
    this.log.debug('new job', { jobId: job.jobId, clean: job.clean, height: job.height, difficulty: job.difficulty });
    if (this.state === 'ready') this.emit('job', job, job.clean);
  }
}
