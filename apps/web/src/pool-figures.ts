/**
 * The pool's figures for the dashboard, read from the edge's HTTP API (GET /api/pool/stats and
 * GET /api/miners/:address). `readPoolFigures` turns the JSON into the few numbers the page shows
 * and is pure (tested with real and malformed replies); `fetchPoolFigures` does the I/O.
 */
import { formatSpan } from '@otedama/core';
import { PoolApiError } from './errors.ts';

export interface PoolFigures {
  /** Pool hashrate (hashes per second), the most recent window the edge reports. */
  poolHashrate?: number;
  /** Seconds the edge averaged poolHashrate over (less than the window while the pool is young). */
  poolHashrateSeconds?: number;
  activeMiners?: number;
  blocksFound?: number;
  height?: number;
  /** For the person's address; undefined when the pool has no shares from it yet. */
  miner?: {
    hashrate?: number;
    /** Satoshis as decimal strings (they can exceed 2^53 on real chains). */
    balanceSats: string;
    paidSats: string;
    /** What the address would get if the pool found a block now, if the edge reports it. */
    nextBlockSats?: string;
    /** The address's share of the PPLNS window, 0..1. */
    windowFraction?: number;
  };
  /** Set when the address has no shares at this pool yet (a 404 unknown_miner). */
  noSharesYet?: boolean;
}

const num = (v: unknown): number | undefined => (typeof v === 'number' && Number.isFinite(v) && v >= 0 ? v : undefined);
const sats = (v: unknown): string | undefined =>
  typeof v === 'string' && /^\d{1,20}$/.test(v) ? v : typeof v === 'number' && Number.isSafeInteger(v) && v >= 0 ? String(v) : undefined;

const WINDOWS = ['m10', 'h1', 'h24'] as const;

/** The most recent hashrate figure of a `{ m10, h1, h24, seconds }` object, or a plain number. */
function rate(v: unknown): number | undefined {
  if (typeof v === 'number') return num(v);
  if (!v || typeof v !== 'object') return undefined;
  const r = v as Record<string, unknown>;
  for (const k of WINDOWS) if (num(r[k]) !== undefined) return num(r[k]);
  return undefined;
}

/** The seconds the edge averaged that figure over (`seconds.m10`…), when it says. */
function rateSeconds(v: unknown): number | undefined {
  if (!v || typeof v !== 'object') return undefined;
  const r = v as Record<string, unknown>;
  const k = WINDOWS.find((w) => num(r[w]) !== undefined);
  const seconds = r.seconds as Record<string, unknown> | undefined;
  return k && seconds && typeof seconds === 'object' ? num(seconds[k]) : undefined;
}

/** "over 40 s", "over 10 min": how long a pool figure was averaged over. */
export function describeSpan(seconds: number): string {
  return `over ${formatSpan(seconds)}`;
}

/** Reads /api/pool/stats and /api/miners/:address replies; throws PoolApiError for a reply that is not the edge's JSON. */
export function readPoolFigures(stats: unknown, miner: unknown, minerStatus: number): PoolFigures {
  if (!stats || typeof stats !== 'object') throw new PoolApiError('the pool statistics reply is not a JSON object');
  const s = stats as Record<string, unknown>;
  const out: PoolFigures = {};
  const set = <K extends keyof PoolFigures>(k: K, v: PoolFigures[K] | undefined) => {
    if (v !== undefined) out[k] = v;
  };
  set('poolHashrate', rate(s.hashrate));
  set('poolHashrateSeconds', rateSeconds(s.hashrate));
  set('activeMiners', num(s.activeMiners));
  set('blocksFound', num(s.blocksFound));
  set('height', num((s.chain as Record<string, unknown> | undefined)?.height));
  if (minerStatus === 404) {
    out.noSharesYet = true;
    return out;
  }
  if (minerStatus !== 200) {
    const message = (miner as { error?: { message?: unknown } } | undefined)?.error?.message;
    throw new PoolApiError(`the miner reply failed with HTTP ${minerStatus}${typeof message === 'string' ? `: ${message}` : ''}`);
  }
  if (!miner || typeof miner !== 'object') throw new PoolApiError('the miner reply is not a JSON object');
  const m = miner as Record<string, unknown>;
  const estimate = (m.estimate ?? {}) as Record<string, unknown>;
  const balanceSats = sats(m.balance);
  if (balanceSats === undefined) throw new PoolApiError('the miner reply has no balance');
  const figures: NonNullable<PoolFigures['miner']> = { balanceSats, paidSats: sats(m.paid) ?? '0' };
  const h = rate(m.hashrate);
  if (h !== undefined) figures.hashrate = h;
  const next = sats(estimate.nextBlockSats);
  if (next !== undefined) figures.nextBlockSats = next;
  const frac = num(estimate.windowFraction ?? estimate.fraction);
  if (frac !== undefined && frac <= 1) figures.windowFraction = frac;
  out.miner = figures;
  return out;
}

/** Fetches both replies from an edge's HTTP origin. Network and HTTP errors become PoolApiError. */
export async function fetchPoolFigures(origin: string, address: string, fetchFn: typeof fetch = fetch): Promise<PoolFigures> {
  const get = async (path: string) => {
    let res: Response;
    try {
      res = await fetchFn(`${origin}${path}`, { headers: { accept: 'application/json' } });
    } catch (err) {
      throw new PoolApiError(`cannot reach ${origin}: ${err instanceof Error ? err.message : String(err)}`);
    }
    let body: unknown;
    try {
      body = await res.json();
    } catch {
      throw new PoolApiError(`${origin}${path.replace(/\/miners\/.*/, '/miners/…')} answered HTTP ${res.status} without JSON`);
    }
    return { status: res.status, body };
  };
  const [stats, miner] = await Promise.all([get('/api/pool/stats'), get(`/api/miners/${encodeURIComponent(address)}`)]);
  if (stats.status !== 200) throw new PoolApiError(`pool statistics failed with HTTP ${stats.status}`);
  return readPoolFigures(stats.body, miner.body, miner.status);
}

/** Satoshis → coins with 8 decimals, trailing zeros trimmed to at least 2 ("0.0001 BTC"). */
export function formatSats(s: string, unit = 'BTC'): string {
  const v = s.replace(/^0+(?=\d)/, '').padStart(9, '0');
  const whole = v.slice(0, -8);
  const frac = v.slice(-8).replace(/0+$/, '').padEnd(2, '0');
  return `${whole}.${frac} ${unit}`;
}
