/**
 * /.well-known/otedama-widget.json: what the embeddable widget is, stated so that a filter-list
 * or antivirus maintainer (or a careful visitor) can rely on it — its consent model (it never
 * mines without the visitor's click), its limits, what it loads and connects to before and after
 * the click, the URLs of the loader and the frame with the Subresource Integrity hashes of every
 * file this edge serves for it, where its source is, and whom to contact.
 *
 * The hashes are computed from the files on disk (the build the edge serves), so they are what
 * a browser receives. Documented for maintainers in apps/widget/README.md.
 */
import { createHash } from 'node:crypto';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative, sep } from 'node:path';
import { MAX_SITE_THREADS, PROTOCOL, PROTOCOL_VERSION, WIDGET_ALGORITHMS } from '@otedama/widget';

export interface WidgetDocumentDeps {
  /** Folder of the widget build (dist/widget). */
  readonly root: string;
  /** The edge's public origin, e.g. http://127.0.0.1:8080 (no trailing slash). */
  readonly origin: string;
  readonly version: string;
  readonly contact?: string | undefined;
  readonly sourceUrl?: string | undefined;
}

export interface WidgetFile {
  readonly url: string;
  /** Subresource Integrity: sha384-<base64>. */
  readonly integrity: string;
  readonly bytes: number;
}

/** The document's `files` part: every file of the build, and which of them run before consent. */
export interface WidgetFiles {
  readonly loader: WidgetFile;
  readonly frame: WidgetFile;
  /** Files a visitor's browser loads before the click: the loader, the frame and its static scripts and styles. */
  readonly beforeConsent: readonly string[];
  readonly all: readonly WidgetFile[];
}

function walk(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) => (e.isDirectory() ? walk(join(dir, e.name)) : [join(dir, e.name)]));
}

export function sri(bytes: Buffer): string {
  return `sha384-${createHash('sha384').update(bytes).digest('base64')}`;
}

/** The frame page's own scripts, modulepreloads and stylesheets (what loads before the click). */
export function frameSubresources(html: string): string[] {
  const out: string[] = [];
  for (const m of html.matchAll(/<script\b[^>]*\bsrc="([^"]+)"/g)) out.push(m[1]!);
  for (const m of html.matchAll(/<link\b[^>]*\brel="(?:modulepreload|stylesheet)"[^>]*\bhref="([^"]+)"/g)) out.push(m[1]!);
  return out.filter((u) => u.startsWith('/'));
}

const cache = new Map<string, { key: string; files: WidgetFiles }>();

/** Hashes of the build under `root` (recomputed when the build changes), with URLs on `origin`. */
export function widgetFiles(root: string, origin: string): WidgetFiles {
  const stamp = (p: string) => {
    const s = statSync(p);
    return `${s.mtimeMs}:${s.size}`;
  };
  const key = `${origin}|${stamp(join(root, 'loader.js'))}|${stamp(join(root, 'frame.html'))}`;
  const hit = cache.get(root);
  if (hit && hit.key === key) return hit.files;
  const url = (path: string) => `${origin}/widget/${relative(root, path).split(sep).join('/')}`;
  const all = walk(root)
    .filter((p) => !p.endsWith('.map'))
    .sort()
    .map((p) => {
      const bytes = readFileSync(p);
      return { url: url(p), integrity: sri(bytes), bytes: bytes.length };
    });
  const find = (name: string) => all.find((f) => f.url === `${origin}/widget/${name}`)!;
  const frameHtml = readFileSync(join(root, 'frame.html'), 'utf8');
  const files: WidgetFiles = {
    loader: find('loader.js'),
    frame: find('frame.html'),
    beforeConsent: [`${origin}/widget/loader.js`, `${origin}/widget/frame.html`, ...frameSubresources(frameHtml).map((p) => `${origin}${p}`)],
    all,
  };
  cache.set(root, { key, files });
  return files;
}

/** The whole document. Throws (ENOENT) when the widget is not built. */
export function widgetDocument(deps: WidgetDocumentDeps): Record<string, unknown> {
  const { origin } = deps;
  const ws = origin.replace(/^http/, 'ws');
  return {
    name: 'Otedama widget',
    kind: 'consent-first browser mining widget',
    version: deps.version,
    description:
      'An embeddable miner that a website adds so that its visitors can choose to support it by mining. It asks first, says what it will use and for whom, and mines only after the visitor clicks Start inside its frame.',
    consent: {
      model: 'opt-in: an explicit click by the visitor',
      minesBeforeClick: false,
      statement:
        'Before the visitor clicks Start inside the frame, the widget loads no miner code, starts no worker and opens no WebSocket. The click must be a trusted user event on a frame that is on screen, uncovered and not made transparent (checked with IntersectionObserver v2 where the browser has it) and at least 160x64 CSS px. Messages from the host page can only show the question again or stop; no URL parameter or message starts mining. Every new page view needs a new click.',
      question: ['which devices: CPU threads out of the cores, and the GPU only if the site allows it and the visitor ticks it', 'how much: at most half the cores; paused while hidden and on battery', 'for whom: the payout address and the site that embeds the widget', 'how to stop: the Stop button, leaving the page'],
      optOut: '"No thanks" is remembered per site (the embedding origin) in the frame\'s storage; the widget then does not ask again on that site until the visitor chooses "Ask me again".',
      stop: 'While mining, the Stop button and the live hashrate are always shown in the frame; the frame stops mining if the page shrinks it below the size that shows them; closing or leaving the page stops it.',
    },
    limits: {
      cpu: 'at most half the logical cores (data-threads only below that)',
      maxSiteThreads: MAX_SITE_THREADS,
      gpu: 'only when the site sets data-gpu="allow" and the visitor ticks "Also use my graphics card"; unticked by default',
      whenTabHidden: 'pause',
      onBattery: 'pause',
      cpuPressure: 'slows down (Compute Pressure API, where the page allows it)',
      miningTabs: 'one mining tab per site in a browser (Web Locks, partitioned by the top-level site)',
    },
    network: {
      beforeConsent: ['GET /widget/loader.js (on the host page)', 'GET /widget/frame.html and its scripts and style (in the frame)'],
      afterConsent: ['GET /widget/assets/* (miner code, WebAssembly)', 'GET /api/pool/stats (the pool\'s chain, to check the payout address)', `WebSocket ${ws}/ws/stratum (Stratum over WebSocket: jobs in, shares out)`],
      thirdParties: [],
    },
    pool: { origin, jobFeed: `${ws}/ws/stratum`, api: `${origin}/api/`, algorithms: WIDGET_ALGORITHMS },
    embedding: {
      script: `<script src="${origin}/widget/loader.js" data-address="ADDRESS" data-pool="${origin}/"></script>`,
      iframe: `${origin}/widget/frame.html?address=ADDRESS`,
      generator: `${origin}/widget/`,
      hostApi: { postMessage: { protocol: PROTOCOL, version: PROTOCOL_VERSION, hostToFrame: ['start (shows the question; never mines)', 'stop'], frameToHost: ['state', 'size', 'hashrate', 'shares'] } },
    },
    files: widgetFiles(deps.root, origin),
    source: { package: '@otedama/widget', repository: deps.sourceUrl ?? null, license: 'MIT', sourceMaps: 'every script has its source map beside it (<file>.map), sources included' },
    contact: deps.contact ?? null,
    documentation: `${origin}/widget/#for-blockers`,
  };
}
