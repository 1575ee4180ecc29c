/**
 * The person's mining settings: defaults, validation of what they type, and repair of what was
 * stored (an old or damaged record never stops the page: each bad field falls back to its
 * default). Pure: no DOM, no storage.
 */

import type { CourtesyMode } from './courtesy.ts';
import { MAX_INTENSITY as MAX_DUTY, MIN_INTENSITY as MIN_DUTY } from './duty-cycle.ts';
import { checkEdgeUrl, JOB_FEED_PATH } from './edge-failover.ts';
import { SettingsError, type MinerOptionError } from './errors.ts';

export type { CourtesyMode };

export interface Settings {
  address: string;
  /** Algorithm name from @otedama/core's registry. */
  algorithm: string;
  /** CPU workers; 0 is allowed only with the GPU on. */
  threads: number;
  gpu: boolean;
  /** Percent of the time the engines compute, 10..100. */
  intensity: number;
  /** Job feed URLs (ws:// or wss://) in failover order; empty = the page's own edge. */
  edges: string[];
  whenHidden: CourtesyMode;
  onBattery: CourtesyMode;
}

/** The intensity setting in percent: the miner's duty-cycle bounds (duty-cycle.ts) x 100. */
export const MIN_INTENSITY = Math.round(MIN_DUTY * 100);
export const MAX_INTENSITY = Math.round(MAX_DUTY * 100);
/**
 * Algorithms the browser can mine today (engines exist for them in wasm/ and kernels/); the miner
 * checks against this list too. Titles as in core's registry, written here so the page before Start
 * does not carry the registry's hashers.
 */
export const BROWSER_ALGORITHMS: readonly { name: string; title: string }[] = [
  { name: 'sha256d', title: 'SHA-256d (Bitcoin family)' },
  { name: 'kawpow', title: 'KawPow (Ravencoin)' },
];

/**
 * The algorithms the setup offers for a pool: the one its GET /api/pool/stats names
 * (`pool.algorithm`) when the page has engines for it, none when it has not; SHA-256d for an
 * edge that names none (edges before KawPow mined SHA-256d only); every browser algorithm while
 * the pool is unknown (undefined).
 */
export function offeredAlgorithms(poolAlgorithm: string | null | undefined): readonly { name: string; title: string }[] {
  if (poolAlgorithm === undefined) return BROWSER_ALGORITHMS;
  const name = poolAlgorithm ?? 'sha256d';
  return BROWSER_ALGORITHMS.filter((a) => a.name === name);
}

/** The algorithm a pool's GET /api/pool/stats names (`pool.algorithm`), or null when it names none. */
export function poolAlgorithm(stats: unknown): string | null {
  const name = (stats as { pool?: { algorithm?: unknown } } | null)?.pool?.algorithm;
  return typeof name === 'string' && name ? name : null;
}
const COURTESY_MODES: readonly CourtesyMode[] = ['pause', 'throttle', 'run'];
/** Longest failover list; more edges than this is a typing accident. */
export const MAX_EDGES = 8;

/** Default CPU threads: at most half the cores, at least one. */
export function defaultThreads(cores: number): number {
  return Math.max(1, Math.floor((Number.isFinite(cores) && cores > 0 ? cores : 2) / 2));
}

export function defaultSettings(cores: number): Settings {
  return {
    address: '',
    algorithm: 'sha256d',
    threads: defaultThreads(cores),
    gpu: false,
    intensity: MAX_INTENSITY,
    edges: [],
    whenHidden: 'throttle',
    onBattery: 'throttle',
  };
}

/** The job feed URL of the edge that served a page (`http://h:p/…` → `ws://h:p/ws/stratum`). */
export function pageEdgeUrl(pageUrl: string): string {
  const u = new URL(pageUrl);
  return `${u.protocol === 'https:' ? 'wss' : 'ws'}://${u.host}${JOB_FEED_PATH}`;
}

/** The HTTP origin of a job feed URL (`ws://h:p/ws/stratum` → `http://h:p`), for the edge's API. */
export function edgeHttpOrigin(wsUrl: string): string {
  const u = new URL(wsUrl);
  return `${u.protocol === 'wss:' ? 'https' : 'http'}://${u.host}`;
}

/**
 * Parses the failover list as typed: one URL per line (commas also separate); blank lines and
 * lines starting with '#' are skipped, duplicates dropped. `http(s)://host:port` with no path
 * means that edge's job feed (`/ws/stratum`); each URL is then checked as the miner checks it
 * (edge-failover.ts). Throws SettingsError naming the entry.
 */
export function parseEdges(text: string): string[] {
  const items = text
    .split(/[\n,]/)
    .map((s) => s.trim())
    .filter((s) => s && !s.startsWith('#'));
  if (items.length > MAX_EDGES) throw new SettingsError('edges', `at most ${MAX_EDGES} edges (got ${items.length})`);
  const out: string[] = [];
  items.forEach((item, i) => {
    let text = item;
    const web = /^(https?):\/\/([^/?#]+)(\/[^?#]*)?(.*)$/i.exec(item);
    if (web) text = `${web[1]!.toLowerCase() === 'https' ? 'wss' : 'ws'}://${web[2]}${!web[3] || web[3] === '/' ? JOB_FEED_PATH : web[3]}${web[4]}`;
    let url: string;
    try {
      url = checkEdgeUrl(text);
    } catch (err) {
      throw new SettingsError('edges', `edge ${i + 1}: ${(err as MinerOptionError).reason ?? String(err)}`);
    }
    if (!out.includes(url)) out.push(url);
  });
  return out;
}

/**
 * Checks settings about to be used for mining. `validateAddress` returns a reason for a bad
 * address (it knows the chain). Throws SettingsError with the first problem.
 */
export function checkSettings(s: Settings, cores: number, validateAddress: (a: string) => string | undefined): Settings {
  const address = s.address.trim();
  if (!address) throw new SettingsError('address', 'enter a payout address');
  const problem = validateAddress(address);
  if (problem) throw new SettingsError('address', problem);
  if (!BROWSER_ALGORITHMS.some((a) => a.name === s.algorithm)) {
    throw new SettingsError('algorithm', `the browser cannot mine "${s.algorithm}"; choose ${BROWSER_ALGORITHMS.map((a) => a.name).join(', ')}`);
  }
  if (!Number.isInteger(s.threads) || s.threads < 0 || s.threads > cores) {
    throw new SettingsError('threads', `CPU threads must be a whole number from 0 to ${cores} (got ${String(s.threads)})`);
  }
  if (s.threads === 0 && !s.gpu) throw new SettingsError('threads', 'choose at least one CPU thread or the GPU');
  if (!Number.isFinite(s.intensity) || s.intensity < MIN_INTENSITY || s.intensity > MAX_INTENSITY) {
    throw new SettingsError('intensity', `intensity must be ${MIN_INTENSITY}–${MAX_INTENSITY} % (got ${String(s.intensity)})`);
  }
  return { ...s, address };
}

/**
 * Repairs a stored settings record: unknown shapes and out-of-range values fall back to the
 * defaults field by field, so a damaged record loses only what is damaged.
 */
export function repairSettings(raw: unknown, cores: number): Settings {
  const d = defaultSettings(cores);
  if (!raw || typeof raw !== 'object') return d;
  const r = raw as Record<string, unknown>;
  const int = (v: unknown, lo: number, hi: number, fallback: number) =>
    typeof v === 'number' && Number.isInteger(v) && v >= lo && v <= hi ? v : fallback;
  const mode = (v: unknown, fallback: CourtesyMode) => (COURTESY_MODES.includes(v as CourtesyMode) ? (v as CourtesyMode) : fallback);
  let edges = d.edges;
  if (Array.isArray(r.edges) && r.edges.every((e) => typeof e === 'string')) {
    try {
      edges = parseEdges(r.edges.join('\n'));
    } catch {
      edges = d.edges;
    }
  }
  return {
    address: typeof r.address === 'string' ? r.address.trim().slice(0, 200) : d.address,
    algorithm: typeof r.algorithm === 'string' && BROWSER_ALGORITHMS.some((a) => a.name === r.algorithm) ? r.algorithm : d.algorithm,
    threads: int(r.threads, 0, Math.max(1, cores), d.threads),
    gpu: typeof r.gpu === 'boolean' ? r.gpu : d.gpu,
    intensity: int(r.intensity, MIN_INTENSITY, MAX_INTENSITY, d.intensity),
    edges,
    whenHidden: mode(r.whenHidden, d.whenHidden),
    onBattery: mode(r.onBattery, d.onBattery),
  };
}
