/**
 * The widget's options: the script tag's `data-*` attributes, carried to the frame as URL
 * parameters, read by one parser on both sides. Pure: no DOM.
 *
 *   data-address   payout address (required): 14-100 letters and digits; the frame checks it
 *                  against the pool's chain when the visitor clicks Start
 *   data-pool      the edge's URL, http(s)://host[:port]/ (default: where the loader came from)
 *   data-algo      algorithm with a browser engine (default sha256d)
 *   data-threads   CPU threads the site asks for; the frame never uses more than half the cores
 *   data-gpu       "allow": the visitor may tick "use my GPU" (unticked by default); else no GPU
 *   data-theme     auto (default, follows the visitor's system), light or dark
 *   data-lang      en or ja (default: the visitor's browser language when supported, else en)
 */
import { WidgetOptionError } from './errors.ts';

export type Theme = 'auto' | 'light' | 'dark';
export const THEMES: readonly Theme[] = ['auto', 'light', 'dark'];
export type Lang = 'en' | 'ja';
export const LANGS: readonly Lang[] = ['en', 'ja'];
/**
 * Algorithms the widget offers: those with browser engines (apps/web settings.ts
 * BROWSER_ALGORITHMS, which the frame checks again at Start). Written here so the loader stays
 * small; a unit test keeps the two lists equal.
 */
export const WIDGET_ALGORITHMS: readonly string[] = ['sha256d', 'kawpow'];
/** How the generator and the frame's question name each algorithm. */
export const WIDGET_ALGORITHM_TITLES: Readonly<Record<string, string>> = { sha256d: 'SHA-256d (Bitcoin family)', kawpow: 'KawPow (Ravencoin)' };
/** Most CPU threads a site may ask for (the frame clamps to half the visitor's cores anyway). */
export const MAX_SITE_THREADS = 64;
/** Where the frame page lives on the edge. */
export const FRAME_PATH = 'widget/frame.html';

export interface WidgetOptions {
  address: string;
  /** The edge's origin with a trailing slash, e.g. http://127.0.0.1:8080/ */
  pool: string;
  algo: string;
  /** Threads the site asks for; undefined: half the cores. */
  threads?: number;
  /** The site allows the GPU (the visitor still has to tick it). */
  gpu: boolean;
  theme: Theme;
  lang: Lang;
}

/** The attributes/parameters as strings (missing ones undefined). */
export type RawOptions = Partial<Record<'address' | 'pool' | 'algo' | 'threads' | 'gpu' | 'theme' | 'lang', string | undefined>>;

/** `http(s)://host[:port]/`, the edge's origin; throws WidgetOptionError('pool'). */
export function parsePool(text: string): string {
  let url: URL;
  try {
    url = new URL(text.trim());
  } catch {
    throw new WidgetOptionError('pool', `data-pool must be the pool edge's URL, such as https://pool.example.org/ (got ${JSON.stringify(text.slice(0, 80))})`);
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') throw new WidgetOptionError('pool', `data-pool must be an http:// or https:// URL (got ${url.protocol})`);
  if (url.username || url.password) throw new WidgetOptionError('pool', 'data-pool must not carry a user name or password');
  return `${url.origin}/`;
}

/** The first supported language in `wanted` (e.g. navigator.languages), else en. */
export function pickLang(wanted: readonly (string | undefined)[]): Lang {
  for (const w of wanted) {
    const primary = w?.trim().toLowerCase().split('-')[0];
    if (LANGS.includes(primary as Lang)) return primary as Lang;
  }
  return 'en';
}

/**
 * Reads the options. `fallbackPool` is used when data-pool is missing (the loader's own
 * origin); `browserLangs` picks the language when data-lang is missing or not supported.
 * Throws WidgetOptionError naming the attribute.
 */
export function parseWidgetOptions(raw: RawOptions, fallbackPool?: string, browserLangs: readonly string[] = []): WidgetOptions {
  const address = (raw.address ?? '').trim();
  if (!address) throw new WidgetOptionError('address', 'data-address is missing: the payout address that earns what visitors mine');
  if (!/^[A-Za-z0-9]{14,100}$/.test(address)) throw new WidgetOptionError('address', `data-address must be 14-100 letters and digits (got ${JSON.stringify(address.slice(0, 40))})`);
  const poolText = raw.pool?.trim() || fallbackPool;
  if (!poolText) throw new WidgetOptionError('pool', 'data-pool is missing: the pool edge\'s URL');
  const pool = parsePool(poolText);
  const algo = (raw.algo ?? '').trim().toLowerCase() || 'sha256d';
  if (!WIDGET_ALGORITHMS.includes(algo)) throw new WidgetOptionError('algo', `data-algo must be one of ${WIDGET_ALGORITHMS.join(', ')} (got ${JSON.stringify(algo.slice(0, 40))})`);
  let threads: number | undefined;
  const t = raw.threads?.trim();
  if (t) {
    threads = Number(t);
    if (!/^\d+$/.test(t) || threads < 1 || threads > MAX_SITE_THREADS) throw new WidgetOptionError('threads', `data-threads must be a whole number from 1 to ${MAX_SITE_THREADS} (got ${JSON.stringify(t.slice(0, 20))})`);
  }
  const g = raw.gpu?.trim().toLowerCase();
  if (g !== undefined && !['', 'allow', 'true', 'false', 'no'].includes(g)) throw new WidgetOptionError('gpu', `data-gpu must be "allow" or "no" (got ${JSON.stringify(g.slice(0, 20))})`);
  const gpu = g === '' || g === 'allow' || g === 'true';
  const theme = ((raw.theme ?? '').trim().toLowerCase() || 'auto') as Theme;
  if (!THEMES.includes(theme)) throw new WidgetOptionError('theme', `data-theme must be one of ${THEMES.join(', ')} (got ${JSON.stringify(theme.slice(0, 20))})`);
  const lang = pickLang([raw.lang, ...browserLangs]);
  return { address, pool, algo, ...(threads === undefined ? {} : { threads }), gpu, theme, lang };
}

/** The frame's URL on the edge for these options (the parameters parseWidgetOptions reads back). */
export function frameUrl(o: WidgetOptions): string {
  const q = new URLSearchParams({ address: o.address, algo: o.algo });
  if (o.threads !== undefined) q.set('threads', String(o.threads));
  if (o.gpu) q.set('gpu', 'allow');
  q.set('theme', o.theme);
  q.set('lang', o.lang);
  return `${o.pool}${FRAME_PATH}?${q}`;
}

/** The options a frame URL's query carries (the frame's own origin is the pool). */
export function rawFromQuery(search: string, origin: string): RawOptions {
  const q = new URLSearchParams(search);
  const get = (k: string) => q.get(k) ?? undefined;
  return { address: get('address'), pool: origin, algo: get('algo'), threads: get('threads'), gpu: get('gpu'), theme: get('theme'), lang: get('lang') };
}
