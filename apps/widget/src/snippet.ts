/**
 * The snippets the /widget page writes for a site owner: the script tag (loader + API) and the
 * iframe-only form, with attribute values escaped, and the Content-Security-Policy sources a
 * site with a CSP must allow. Pure.
 */
import { t } from './i18n.ts';
import { frameUrl, type WidgetOptions } from './widget-options.ts';

/** What the form holds (strings as typed; the page checks them with parseWidgetOptions first). */
export interface SnippetInput {
  address: string;
  pool: string;
  algo: string;
  threads: string;
  gpu: boolean;
  theme: string;
  /** '' = the visitor's browser language. */
  lang: string;
  /** sha384-… of the loader, to pin it (Subresource Integrity). */
  integrity?: string | undefined;
}

/** Width and height (CSS px) of the iframe-only snippet: the question fits without scrolling. */
export const IFRAME_WIDTH_PX = 420;
export const IFRAME_HEIGHT_PX = 230;

export function escapeAttribute(value: string): string {
  return value.replace(/&/g, '&amp;').replace(/"/g, '&quot;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}

function poolOf(pool: string): string {
  const u = new URL(pool);
  return `${u.origin}/`;
}

/** `<script src=".../widget/loader.js" data-…></script>`; optional attributes only when set. */
export function scriptSnippet(input: SnippetInput): string {
  const pool = poolOf(input.pool);
  const attrs: [string, string][] = [['src', `${pool}widget/loader.js`]];
  if (input.integrity) attrs.push(['integrity', input.integrity], ['crossorigin', 'anonymous']);
  attrs.push(['data-address', input.address], ['data-pool', pool]);
  attrs.push(['data-algo', input.algo || 'sha256d']);
  if (input.threads) attrs.push(['data-threads', input.threads]);
  if (input.gpu) attrs.push(['data-gpu', 'allow']);
  if (input.theme && input.theme !== 'auto') attrs.push(['data-theme', input.theme]);
  if (input.lang) attrs.push(['data-lang', input.lang]);
  return `<script ${attrs.map(([k, v]) => `${k}="${escapeAttribute(v)}"`).join('\n        ')}></script>`;
}

/**
 * `<iframe src=".../widget/frame.html?…">`. No inline style (a strict style-src would block
 * it); `allow="compute-pressure"` lets the widget slow down when the visitor's CPU is busy.
 * `autoLang`: leave the language to the visitor's browser.
 */
export function iframeSnippet(options: WidgetOptions, autoLang = false): string {
  let src = frameUrl(options);
  if (autoLang) src = src.replace(/&lang=[a-z]+/, '');
  return [
    `<iframe src="${escapeAttribute(src)}"`,
    `        title="${escapeAttribute(t(options.lang, 'frameTitle'))}"`,
    `        width="${IFRAME_WIDTH_PX}" height="${IFRAME_HEIGHT_PX}" frameborder="0"`,
    '        allow="compute-pressure" referrerpolicy="origin"></iframe>',
  ].join('\n');
}

/** What a site with a Content-Security-Policy must allow for the widget. */
export function cspHint(pool: string, kind: 'script' | 'iframe'): string {
  const origin = new URL(pool).origin;
  const sources = kind === 'script' ? `script-src ${origin}; frame-src ${origin}` : `frame-src ${origin}`;
  return `If your site sends a Content-Security-Policy, add ${origin} to: ${sources}. The widget needs nothing else from your page (no inline script or style, no special headers).`;
}
