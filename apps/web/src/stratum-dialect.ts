/**
 * What differs between the Stratum dialects the page's WebSocket client speaks: how the
 * subscribe result names the session and the miner's share of the nonce space, and what the
 * pool's job notifications carry. Framing, replies, `client.reconnect`, failover and submits are
 * the client's (stratum-ws-client.ts), the same for every dialect. One dialect per algorithm,
 * built on the codec the edge speaks (core): SHA-256d's here, KawPow's in kawpow/kawpow-dialect.ts.
 */
import { PoolMessageError } from './errors.ts';
import { parseDifficultyParams, parseExtranonceParams, parseNotifyParams, parseSubscribeResult, type NotifyFields, type SubscribeReply } from './pool-message.ts';

/** What one pool notification means to the client. */
export type DialectNotice<J> =
  /** A job to mine from now on. */
  | { readonly kind: 'job'; readonly job: J }
  /** A new share of the nonce space (mining.set_extranonce). */
  | { readonly kind: 'extranonce'; readonly extranonce1: string; readonly extranonce2Size: number }
  /** The dialect took note (a difficulty or target for the next job). */
  | { readonly kind: 'noted' }
  /** A method this dialect does not use (client.show_message...). */
  | { readonly kind: 'other' };

/**
 * One connection's reading of a dialect (it may keep state between notifications, as SHA-256d's
 * set_difficulty applies to the next notify); `newSession()` makes a fresh one.
 */
export interface StratumDialect<J> {
  /** The subscribe result: session id, extranonce1 (KawPow: the nonce prefix) and extranonce2 size (KawPow: 0). */
  subscribeReply(result: unknown): SubscribeReply;
  /** A notification (`method` with its params). Throws PoolMessageError for malformed params. */
  notification(method: string, params: readonly unknown[]): DialectNotice<J>;
}

/** A SHA-256d job: notify's fields and the difficulty in force when it arrived. */
export interface Sha256dJob extends NotifyFields {
  /** Difficulty in force when this job arrived (set_difficulty applies from the next notify). */
  difficulty: number;
  /** The exact share target, when the job source has one (sharechain jobs); else from `difficulty`. */
  target?: bigint;
}

/** SHA-256d's dialect: Stratum V1 (subscribe with extranonce1/size, set_difficulty, 9-param notify). */
export function sha256dDialect(): StratumDialect<Sha256dJob> {
  let difficulty = 1;
  return {
    subscribeReply: parseSubscribeResult,
    notification(method, params) {
      switch (method) {
        case 'mining.notify':
          return { kind: 'job', job: { ...parseNotifyParams(params), difficulty } };
        case 'mining.set_difficulty':
          difficulty = parseDifficultyParams(params);
          return { kind: 'noted' };
        case 'mining.set_extranonce':
          return { kind: 'extranonce', ...parseExtranonceParams(params) };
        default:
          return { kind: 'other' };
      }
    },
  };
}

/** Rethrows a codec's error as the page's PoolMessageError (the client counts and skips those). */
export function asPoolMessageError(err: unknown): PoolMessageError {
  if (err instanceof PoolMessageError) return err;
  const reason = (err as { reason?: unknown }).reason;
  return new PoolMessageError(typeof reason === 'string' ? reason : err instanceof Error ? err.message : String(err));
}
