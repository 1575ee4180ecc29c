/**
 * The HTTP API's rate limit: a Hono middleware over the platform-free RateLimiter, keyed by the
 * socket's address. Kept apart from rate-limiter.ts, which the browser's peer code imports (the
 * peer guard's buckets) and which must therefore reach neither Hono nor Node's types.
 */
import type { MiddlewareHandler } from 'hono';
import type { IncomingMessage } from 'node:http';
import { ApiError } from '../errors.ts';
import type { RateLimiter } from './rate-limiter.ts';

/** The client's address as the socket reports it (never a forwarded header: it is spoofable). */
export function socketAddress(env: unknown): string {
  return (env as { incoming?: IncomingMessage } | undefined)?.incoming?.socket?.remoteAddress ?? 'unknown';
}

/** A Hono middleware that answers 429 (Retry-After) past the limiter's rate for the client's IP. */
export function rateLimited(limiter: RateLimiter, perMinute: number): MiddlewareHandler {
  return async (c, next) => {
    const decision = limiter.take(socketAddress(c.env));
    if (!decision.allowed) {
      return new ApiError(429, 'rate_limited', `too many requests: at most ${perMinute} per minute per address; retry in ${decision.retryAfterSeconds} s`, { retryAfterSeconds: decision.retryAfterSeconds }).getResponse();
    }
    await next();
  };
}
