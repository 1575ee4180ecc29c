/**
 * KawPow's Stratum dialect for the page's WebSocket client (stratum-ws-client.ts), on core's
 * codec (core/src/algorithms/kawpow/stratum.ts, the one the edge's KawPow port speaks):
 *
 *   - the subscribe result [[subscriptions], noncePrefix]: the prefix is the client's
 *     `extranonce1` (the top bytes of every nonce it may submit), and `extranonce2Size` is 0;
 *   - mining.notify [jobId, headerHash, seedHash, target, clean, height, bits]: the seed hash is
 *     checked against the height's epoch; the job's share target is the notify's, or a
 *     mining.set_target that came after it (a retarget between jobs applies from then on);
 *   - mining.submit params after the worker name: [0x nonce, 0x header hash, 0x mix hash]
 *     (kawpowSubmitFields).
 */
import { kawpowTargetToDifficulty, parseKawpowNotifyParams, parseKawpowNoncePrefix, parseKawpowSetTargetParams, parseKawpowSubscribeResult, formatKawpowHash, formatKawpowNonce } from '@otedama/core';
import type { StratumDialect } from '../stratum-dialect.ts';
import type { KawpowHit } from './kawpow-worker-protocol.ts';

/** A KawPow job as the page mines it. */
export interface KawpowStratumJob {
  readonly jobId: string;
  /** 32 bytes, ProgPoW's order. */
  readonly headerHash: Uint8Array;
  readonly height: number;
  readonly epoch: number;
  /** The share target: a final hash read big-endian at or below it is a share. */
  readonly target: bigint;
  /** KawPow's pool difficulty of `target` (for the dashboard). */
  readonly difficulty: number;
  readonly clean: boolean;
}

/** KawPow's dialect: one per connection (a set_target is remembered for the next job). */
export function kawpowDialect(): StratumDialect<KawpowStratumJob> {
  let setTarget: bigint | undefined;
  return {
    subscribeReply(result) {
      const { sessionId, noncePrefix } = parseKawpowSubscribeResult(result);
      return { ...(sessionId ? { sessionId } : {}), extranonce1: noncePrefix, extranonce2Size: 0 };
    },
    notification(method, params) {
      switch (method) {
        case 'mining.notify': {
          const n = parseKawpowNotifyParams(params);
          const target = setTarget ?? n.target;
          setTarget = undefined;
          return { kind: 'job', job: { jobId: n.jobId, headerHash: n.headerHash, height: n.height, epoch: n.epoch, target, difficulty: kawpowTargetToDifficulty(target), clean: n.clean } };
        }
        case 'mining.set_target':
          setTarget = parseKawpowSetTargetParams(params);
          return { kind: 'noted' };
        case 'mining.set_extranonce':
          return { kind: 'extranonce', extranonce1: parseKawpowNoncePrefix(params[0], 'mining.set_extranonce'), extranonce2Size: 0 };
        default:
          return { kind: 'other' };
      }
    },
  };
}

/** mining.submit's params after the worker name for a hit on `job`: [jobId, 0x nonce, 0x header hash, 0x mix hash]. */
export function kawpowSubmitFields(job: Pick<KawpowStratumJob, 'jobId' | 'headerHash'>, hit: KawpowHit): string[] {
  return [job.jobId, formatKawpowNonce(hit.nonce), formatKawpowHash(job.headerHash), formatKawpowHash(hit.mixHash)];
}

