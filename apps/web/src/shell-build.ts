/**
 * The build of the app shell, named by what index.html loads. Vite gives every built script and
 * stylesheet a content-hashed name, so the set of same-origin files index.html names changes with
 * every build that changes the app, and with nothing else. Its short hash is the build id: the page
 * registers the service worker as `/sw.js?build=<id>`, and the worker names its cache after it.
 * A new build therefore means a new worker script URL (the browser installs it as an update and
 * lets it wait) and a fresh cache (old ones are deleted when it takes over), with no version number
 * to bump by hand and no build step that stamps one.
 *
 * Pure: no DOM, no fetch. public/sw.js reads the same `build` query parameter.
 */

/** Path the service worker is served at (from apps/web/public). */
export const SERVICE_WORKER_PATH = '/sw.js';

/** Script and stylesheet tags (and preloads) with a src or href, as vite writes them into index.html. */
const ASSET_TAG = /<(?:script|link)\b[^>]*?\b(?:src|href)\s*=\s*["']([^"']+)["']/gi;

/** A build id: 8 lower-case hex digits (see shellBuildId). */
const BUILD_ID = /^[0-9a-f]{8}$/;

/**
 * Same-origin paths of the scripts, stylesheets, manifest, icons and preloads an HTML page names,
 * sorted and without duplicates. Absolute URLs on another origin and `data:` URLs are left out.
 */
export function shellAssetPaths(html: string, origin: string): string[] {
  const paths = new Set<string>();
  for (const m of html.matchAll(ASSET_TAG)) {
    let url: URL;
    try {
      url = new URL(m[1]!, `${origin}/`);
    } catch {
      continue; // not a URL at all: nothing the shell can load either
    }
    if (url.origin === origin) paths.add(url.pathname);
  }
  return [...paths].sort();
}

/** 32-bit FNV-1a over UTF-16 code units: short, stable and fast; not a security measure. */
function fnv1a32(text: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) {
    h ^= text.charCodeAt(i);
    h = Math.imul(h, 0x01000193) >>> 0;
  }
  return h;
}

/**
 * The build id of an index.html: the hash of its same-origin asset paths (8 hex digits). Two builds
 * with the same assets get the same id; any renamed (rebuilt) script or stylesheet changes it.
 * Returns undefined for a page that names no same-origin asset (not the app's index.html: an
 * error page, a captive portal), so such a page never becomes a "new version".
 */
export function shellBuildId(html: string, origin: string): string | undefined {
  const paths = shellAssetPaths(html, origin);
  if (!paths.some((p) => /\.(?:m?js|css)$/.test(p))) return undefined;
  return fnv1a32(paths.join('\n')).toString(16).padStart(8, '0');
}

/** The service worker script URL (path and query) for a build. */
export function serviceWorkerUrl(buildId: string): string {
  if (!BUILD_ID.test(buildId)) throw new RangeError(`not a build id: ${JSON.stringify(buildId)} (expected 8 hex digits)`);
  return `${SERVICE_WORKER_PATH}?build=${buildId}`;
}

/** The build a service worker was registered for, from its script URL; undefined for one registered without a build. */
export function buildIdOfWorker(scriptUrl: string): string | undefined {
  let url: URL;
  try {
    url = new URL(scriptUrl, 'http://127.0.0.1/');
  } catch {
    return undefined;
  }
  const id = url.searchParams.get('build');
  return id !== null && BUILD_ID.test(id) ? id : undefined;
}
