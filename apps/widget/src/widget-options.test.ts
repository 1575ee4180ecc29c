import { describe, expect, it } from 'vitest';
import { BROWSER_ALGORITHMS, defaultThreads } from '@otedama/web/settings';
import { WidgetOptionError } from './errors.ts';
import { DICTIONARIES } from './i18n.ts';
import pkg from '../package.json';
import { WIDGET_VERSION } from './index.ts';
import { halfTheCores, widgetThreads } from './widget-courtesy.ts';
import { frameUrl, parseWidgetOptions, pickLang, rawFromQuery, WIDGET_ALGORITHMS } from './widget-options.ts';

const ADDRESS = 'bcrt1qw508d6qejxtdg4y5r3zarvary0c5xw7kygt080';

describe('widget options (data-* attributes and frame URL parameters)', () => {
  it('fills defaults: the loader origin as pool, sha256d, half the cores, no GPU, auto theme, the browser language', () => {
    expect(parseWidgetOptions({ address: ADDRESS }, 'http://127.0.0.1:8080', ['ja-JP', 'en'])).toEqual({ address: ADDRESS, pool: 'http://127.0.0.1:8080/', algo: 'sha256d', gpu: false, theme: 'auto', lang: 'ja' });
  });

  it('round-trips through the frame URL', () => {
    const o = parseWidgetOptions({ address: ADDRESS, pool: 'https://pool.example.org/some/path?x=1', threads: '2', gpu: 'allow', theme: 'dark', lang: 'en' });
    expect(o.pool).toBe('https://pool.example.org/');
    const url = new URL(frameUrl(o));
    expect(url.origin + url.pathname).toBe('https://pool.example.org/widget/frame.html');
    expect(parseWidgetOptions(rawFromQuery(url.search, url.origin))).toEqual(o);
  });

  it.each([
    ['no address', { pool: 'http://h/' }, 'address', /missing/],
    ['an address with spaces', { address: 'bcrt1q w508d6qejxtdg4y5r3z' }, 'address', /letters and digits/],
    ['a short address', { address: 'abc' }, 'address', /14-100/],
    ['a script as address', { address: '"><script>alert(1)</script>' }, 'address', /letters and digits/],
    ['no pool at all', { address: ADDRESS }, 'pool', /missing/],
    ['a pool that is not a URL', { address: ADDRESS, pool: 'pool.example' }, 'pool', /URL/],
    ['a javascript: pool', { address: ADDRESS, pool: 'javascript:alert(1)' }, 'pool', /http/],
    ['a pool with a password', { address: ADDRESS, pool: 'https://u:p@pool.example/' }, 'pool', /password/],
    ['an algorithm without a browser engine', { address: ADDRESS, pool: 'http://h/', algo: 'scrypt' }, 'algo', /sha256d/],
    ['zero threads', { address: ADDRESS, pool: 'http://h/', threads: '0' }, 'threads', /1 to 64/],
    ['fractional threads', { address: ADDRESS, pool: 'http://h/', threads: '1.5' }, 'threads', /whole number/],
    ['too many threads', { address: ADDRESS, pool: 'http://h/', threads: '65' }, 'threads', /1 to 64/],
    ['a GPU value it does not know', { address: ADDRESS, pool: 'http://h/', gpu: 'always' }, 'gpu', /allow/],
    ['an unknown theme', { address: ADDRESS, pool: 'http://h/', theme: 'neon' }, 'theme', /auto, light, dark/],
  ])('refuses %s, naming the attribute', (_label, raw, field, reason) => {
    let error: unknown;
    try {
      parseWidgetOptions(raw);
    } catch (err) {
      error = err;
    }
    expect(error).toBeInstanceOf(WidgetOptionError);
    expect((error as WidgetOptionError).field).toBe(field);
    expect((error as WidgetOptionError).reason).toMatch(reason);
  });

  it('falls back to English for a language it does not have', () => {
    expect(pickLang(['fr', 'de-DE'])).toBe('en');
    expect(pickLang([undefined, 'JA'])).toBe('ja');
  });

  it('offers exactly the algorithms the web miner has engines for', () => {
    expect([...WIDGET_ALGORITHMS]).toEqual(BROWSER_ALGORITHMS.map((a) => a.name));
  });
});

describe('the widget share of the device', () => {
  it('is half the cores, as the web app defaults to, and never more whatever the site asks', () => {
    for (const cores of [0, 1, 2, 3, 4, 7, 8, 16, 64, NaN]) expect(halfTheCores(cores)).toBe(defaultThreads(cores));
    expect(widgetThreads(8)).toBe(4);
    expect(widgetThreads(8, 2)).toBe(2);
    expect(widgetThreads(8, 64)).toBe(4);
    expect(widgetThreads(1, 4)).toBe(1);
  });
});

describe('the widget languages', () => {
  it('every language has every message with the same placeholders', () => {
    const placeholders = (s: string) => [...s.matchAll(/\{(\w+)\}/g)].map((m) => m[1]).sort();
    const en = DICTIONARIES.en;
    for (const [lang, dict] of Object.entries(DICTIONARIES)) {
      expect(Object.keys(dict).sort(), lang).toEqual(Object.keys(en).sort());
      for (const key of Object.keys(en) as (keyof typeof en)[]) expect(placeholders(dict[key]), `${lang}.${key}`).toEqual(placeholders(en[key]));
    }
  });
});

it('WIDGET_VERSION is the package version', () => {
  expect(WIDGET_VERSION).toBe(pkg.version);
});
