/**
 * The pool's HTTP API (Hono), mounted under /api by the composition root: pool statistics,
 * miners, one miner's workers/hashrates/payouts and its place in the sharechain's window (credit
 * and expected payout of the next block), payouts, blocks, the sharechain (sharechain-routes.ts),
 * the OpenAPI document, and a loopback-only admin route that CPU-profiles the edge. Nobody holds
 * funds: there are no balances, only what blocks' coinbases paid and what the chain credits.
 *
 * Every answer is JSON. Satoshi amounts are integers (JSON numbers; the total supply fits a
 * double exactly). Hashrates are hashes per second estimated from accepted share difficulty
 * in windows of 10 minutes, 1 hour and 24 hours, each divided by the time observed in it (a
 * miner that started 40 s ago is measured over 40 s); `hashrate.seconds` says how long. Errors are `{ "error": { "code", "message", "field"? } }`
 * with a 4xx status (ApiError); clients are rate-limited per IP address with a token bucket
 * (429 with Retry-After). GET answers, errors included, carry `Access-Control-Allow-Origin: *`
 * so a page served by another edge (the web miner's failover list) can read them; nothing
 * else is cross-origin (no credentials, no preflight, no admin route). The admin route answers
 * on loopback only and needs the data folder's admin token (admin-token.ts) besides.
 */
import { InvalidAddressError, validateAddress, type Network } from '@otedama/core';
import { Hono, type Context } from 'hono';
import type { IncomingMessage } from 'node:http';
import { join } from 'node:path';
import type { AdminToken } from './admin-token.ts';
import { OPENAPI_DOCUMENT } from './api-openapi.ts';
import { CpuProfiler, MAX_PROFILE_SECONDS } from './cpu-profiler.ts';
import { ApiError } from '../errors.ts';
import type { Logger } from '../logger.ts';
import type { WindowStanding } from '../accounting/next-payouts.ts';
import { RateLimiter } from './rate-limiter.ts';
import { registerSharechainRoutes, type SharechainSource } from './sharechain-routes.ts';
import type { PoolStore } from '../storage/pool-store.ts';

/** Default and largest page size of list endpoints. */
export const DEFAULT_PAGE_LIMIT = 50;
export const MAX_PAGE_LIMIT = 1000;
/** Largest offset a list accepts (deeper pages are not a dashboard's business). */
const MAX_OFFSET = 1_000_000;
/** Longest string treated as a possible address (bech32 addresses are at most 90 characters). */
const MAX_ADDRESS_LENGTH = 128;
/** Response headers a cross-origin page may read besides the CORS-safelisted ones. */
const CORS_EXPOSED_HEADERS = 'Retry-After, X-RateLimit-Remaining';

export interface ApiDeps {
  readonly store: Pick<PoolStore, 'poolStats' | 'listMiners' | 'minerDetail' | 'listPayouts' | 'listBlocks'>;
  readonly pool: {
    /** The operator's fee in basis points of every share its miners find. */
    readonly feeBp: number;
    /** The sharechain's minimum payout (the lottery threshold's floor). */
    readonly minPayoutSats: bigint;
    /** The operator's address (the fee payee). */
    readonly feeAddress: string;
    readonly network: Network;
    /** 'simnet' when addresses are checked against simnet's rules. */
    readonly chainName?: string | undefined;
    /** The algorithm the pool mines (core's registry name); pages offer it in their setup. */
    readonly algorithm?: string | undefined;
  };
  /** Live facts that are not in the database. */
  readonly live?: () => { height?: number | undefined; stratum?: { connections: number }; windowShares?: number };
  /**
   * An address's credit in the sharechain's window and its expected payout of the next block
   * (EdgeNetwork.standing); undefined when the window does not credit it.
   */
  readonly standing?: (address: string) => WindowStanding | undefined;
  /** Profiles go to `<dataDir>/profiles`. */
  readonly dataDir: string;
  /** The pool's network: sharechain, peers, sync (api/sharechain-routes.ts); absent: those routes answer 404. */
  readonly sharechain?: SharechainSource;
  /** The admin credential (`<dataDir>/admin.token`); without it the admin routes answer 403. */
  readonly adminToken?: Pick<AdminToken, 'matches'>;
  /** Requests per minute per IP address. */
  readonly rateLimitPerMinute: number;
  readonly logger: Logger;
  readonly now?: () => number;
}

/** JSON with bigints as numbers (exact below 2^53, which every satoshi amount is). */
export function toJson(value: unknown): string {
  return JSON.stringify(value, (_k, v) => (typeof v === 'bigint' ? (v <= BigInt(Number.MAX_SAFE_INTEGER) && v >= -BigInt(Number.MAX_SAFE_INTEGER) ? Number(v) : v.toString()) : v));
}

function json(value: unknown, status = 200): Response {
  return new Response(toJson(value), { status, headers: { 'content-type': 'application/json; charset=utf-8' } });
}

/** The client's address as the socket reports it (never a forwarded header: it is spoofable). */
export function clientAddress(c: Context): string | undefined {
  return (c.env as { incoming?: IncomingMessage } | undefined)?.incoming?.socket?.remoteAddress;
}

export function isLoopback(address: string | undefined): boolean {
  if (!address) return false;
  const a = address.startsWith('::ffff:') ? address.slice(7) : address;
  return a === '::1' || /^127\.\d+\.\d+\.\d+$/.test(a);
}

function intParam(c: Context, name: string, min: number, max: number, fallback: number): number {
  const raw = c.req.query(name);
  if (raw === undefined) return fallback;
  if (!/^\d+$/.test(raw.trim())) throw new ApiError(400, 'invalid_query', `${name} must be a whole number from ${min} to ${max} (got ${JSON.stringify(raw.slice(0, 40))})`, { field: name });
  const n = Number(raw);
  if (n < min || n > max) throw new ApiError(400, 'invalid_query', `${name} must be from ${min} to ${max} (got ${n})`, { field: name });
  return n;
}

function page(c: Context): { limit: number; offset: number } {
  return { limit: intParam(c, 'limit', 1, MAX_PAGE_LIMIT, DEFAULT_PAGE_LIMIT), offset: intParam(c, 'offset', 0, MAX_OFFSET, 0) };
}

/** Creates the routes; call the result with the HTTP app (createHttpApp's `routes`). */
export function createApiRoutes(deps: ApiDeps): (app: Hono) => void {
  const log = deps.logger.forComponent('edge:api');
  const limiter = new RateLimiter(deps.rateLimitPerMinute, deps.now);
  const profiler = new CpuProfiler(join(deps.dataDir, 'profiles'));
  const checkAddress = (raw: string, field: string): string => {
    if (raw.length === 0 || raw.length > MAX_ADDRESS_LENGTH) throw new ApiError(400, 'invalid_address', `${field} must be a payout address of 1 to ${MAX_ADDRESS_LENGTH} characters`, { field });
    try {
      return validateAddress(raw, deps.pool.network, deps.pool.chainName ? { chainName: deps.pool.chainName } : {}).address;
    } catch (err) {
      if (err instanceof InvalidAddressError) throw new ApiError(400, 'invalid_address', `${field} is not a valid ${deps.pool.chainName ?? deps.pool.network} address: ${err.reason}`, { field });
      throw err;
    }
  };

  const api = new Hono();
  api.onError((err) => {
    if (err instanceof ApiError) return err.getResponse();
    log.error('api request failed', { error: err.message });
    return new ApiError(500, 'internal', 'the request failed inside the edge; see its log').getResponse();
  });
  // Registered first so it also marks the errors of the handlers and middleware below it.
  api.use('*', async (c, next) => {
    await next();
    if (c.req.method === 'GET' || c.req.method === 'HEAD') {
      c.header('access-control-allow-origin', '*');
      c.header('access-control-expose-headers', CORS_EXPOSED_HEADERS);
    }
  });
  api.use('*', async (c, next) => {
    const decision = limiter.take(clientAddress(c) ?? 'unknown');
    if (!decision.allowed) {
      throw new ApiError(429, 'rate_limited', `too many requests: at most ${deps.rateLimitPerMinute} per minute per address; retry in ${decision.retryAfterSeconds} s`, { retryAfterSeconds: decision.retryAfterSeconds });
    }
    await next();
    c.header('x-ratelimit-remaining', String(decision.remaining));
  });

  api.get('/openapi.json', () => json(OPENAPI_DOCUMENT));

  api.get('/pool/stats', async () => {
    const stats = await deps.store.poolStats(deps.now?.());
    const live = deps.live?.() ?? {};
    return json({
      pool: {
        feeBp: deps.pool.feeBp,
        minPayoutSats: deps.pool.minPayoutSats,
        feeAddress: deps.pool.feeAddress,
        payouts: 'sharechain',
        network: deps.pool.chainName ?? deps.pool.network,
        algorithm: deps.pool.algorithm ?? 'sha256d',
      },
      chain: { height: live.height ?? null },
      stratum: { connections: live.stratum?.connections ?? 0 },
      windowShares: live.windowShares ?? null,
      ...stats,
    });
  });

  api.get('/pool/miners', async (c) => {
    const p = page(c);
    return json({ ...p, miners: await deps.store.listMiners(p, deps.now?.()) });
  });

  api.get('/miners/:address', async (c) => {
    const address = checkAddress(c.req.param('address'), 'address');
    const detail = await deps.store.minerDetail(address, deps.now?.());
    if (!detail) throw new ApiError(404, 'unknown_miner', `no shares from ${address} are on record at this pool yet; the address appears once one of its shares is accepted`, { field: 'address' });
    const p = page(c);
    const payouts = await deps.store.listPayouts({ ...p, address });
    const { workerStats, ...summary } = detail;
    return json({ ...summary, workers: workerStats, payouts, sharechain: deps.standing?.(address) ?? null });
  });

  api.get('/pool/payouts', async (c) => {
    const p = page(c);
    const raw = c.req.query('address');
    const address = raw === undefined ? undefined : checkAddress(raw, 'address');
    return json({ ...p, payouts: await deps.store.listPayouts({ ...p, ...(address ? { address } : {}) }) });
  });

  api.get('/blocks', async (c) => {
    const p = page(c);
    return json({ ...p, blocks: await deps.store.listBlocks(p) });
  });

  const loopbackOnly = (c: Context) => {
    if (!isLoopback(clientAddress(c))) throw new ApiError(403, 'forbidden', 'the admin API answers only on the loopback interface (127.0.0.1 or ::1)');
  };
  /** The admin routes: loopback clients holding the data folder's admin token. */
  const adminOnly = (c: Context) => {
    loopbackOnly(c);
    if (!deps.adminToken) throw new ApiError(403, 'forbidden', 'the admin API is disabled on this edge (no admin token)');
    if (!deps.adminToken.matches(c.req.header('authorization'))) {
      throw new ApiError(401, 'unauthorized', `the admin API needs the token in ${join(deps.dataDir, 'admin.token')} as "Authorization: Bearer <token>" (otedama profile and otedama node block --data-dir send it)`);
    }
  };
  if (deps.sharechain) registerSharechainRoutes(api, deps.sharechain, { json, loopbackOnly, adminOnly });

  api.post('/admin/profile', async (c) => {
    adminOnly(c);
    const seconds = intParam(c, 'seconds', 1, MAX_PROFILE_SECONDS, 10);
    if (profiler.busy) throw new ApiError(409, 'profile_running', 'a CPU profile is already being recorded; wait for it to finish');
    log.info('cpu profile started', { seconds });
    const path = await profiler.profile(seconds);
    log.info('cpu profile written', { path });
    return json({ path, seconds });
  });

  api.all('*', (c) => {
    throw new ApiError(404, 'not_found', `no API route ${c.req.method} ${new URL(c.req.url).pathname}; see /api/openapi.json`);
  });

  return (app) => {
    app.route('/api', api);
  };
}
