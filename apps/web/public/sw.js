/**
 * Otedama's service worker: serves the app shell offline and updates without interrupting a miner.
 *   - The page registers it as /sw.js?build=<id>, where <id> names the build of index.html
 *     (src/shell-build.ts: a hash of the content-hashed files index.html loads). The cache is named
 *     after that build, so a new build installs into a fresh cache and the old one is deleted when
 *     the new worker takes over: nothing to bump by hand. A change to this file alone is an update
 *     too (the browser compares it byte for byte); it keeps the build's cache, whose contents only
 *     the build determines, and refreshes the shell in it.
 *   - install: caches index.html, the manifest and icons (revalidated, never from the HTTP cache),
 *     and every script, stylesheet and preload that index.html names (read from the HTML itself,
 *     so hashed asset names need no build manifest);
 *   - navigations: network first (a new version shows at once when online), the cached shell
 *     when offline or when the network has not answered within 5 s;
 *   - /assets/*: cache first (names are content-hashed, so a cached file never goes stale);
 *     workers, WASM and other assets loaded after Start are cached on first fetch;
 *   - everything else (the job socket, the API, /health) always goes to the network.
 * A new version installs, then waits: it takes over only when a page asks it to
 * ({ type: 'skip-waiting' }, sent at the miner's next job boundary), so a running miner is never
 * interrupted. Only the very first install, which has no page to interrupt, takes over at once.
 */
const CACHE_PREFIX = 'otedama-shell-';
const BUILD = /^[0-9a-f]{8}$/.test(new URL(self.location.href).searchParams.get('build') ?? '')
  ? new URL(self.location.href).searchParams.get('build')
  : 'unversioned';
const CACHE = CACHE_PREFIX + BUILD;
const SHELL = ['/', '/manifest.webmanifest', '/icons/icon-192.png', '/icons/icon-512.png', '/icons/maskable-512.png'];
const NETWORK_ONLY = /^\/(ws|api|health|metrics)(\/|$)/;
/** Static files: built assets (content-hashed), icons, the manifest. Anything else is network only. */
const CACHE_FIRST = /^\/(assets\/|icons\/|manifest\.webmanifest$)/;

/** Same-origin URLs of the scripts, stylesheets and preloads an HTML page names. */
function shellAssets(html) {
  const urls = new Set();
  for (const m of html.matchAll(/<(?:script|link)\b[^>]*?\b(?:src|href)\s*=\s*["']([^"']+)["']/gi)) {
    const url = new URL(m[1], self.location.origin);
    if (url.origin === self.location.origin) urls.add(url.pathname);
  }
  return [...urls];
}

self.addEventListener('install', (event) => {
  event.waitUntil(
    (async () => {
      const cache = await caches.open(CACHE);
      await cache.addAll(SHELL.map((path) => new Request(path, { cache: 'no-cache' })));
      const index = await cache.match('/');
      if (index) await cache.addAll(shellAssets(await index.text()).filter((p) => !SHELL.includes(p)));
      // The first install has no page to interrupt: take control right away.
      if (!self.registration.active) await self.skipWaiting();
    })(),
  );
});

self.addEventListener('activate', (event) => {
  event.waitUntil(
    (async () => {
      for (const key of await caches.keys()) if (key.startsWith(CACHE_PREFIX) && key !== CACHE) await caches.delete(key);
      await self.clients.claim();
    })(),
  );
});

self.addEventListener('message', (event) => {
  if (event.data && event.data.type === 'skip-waiting') event.waitUntil(self.skipWaiting());
});

/**
 * How long a navigation waits for the network before the cached shell answers it. A network
 * answer that comes later still refreshes the cache. (Seen in Chromium right after a worker swap:
 * the reload's network fetch never completed, and the page stayed on its old document.)
 */
const NAVIGATION_NETWORK_MS = 5000;

async function networkFirst(request) {
  const cache = await caches.open(CACHE);
  const network = fetch(request).then(async (response) => {
    if (response.ok) await cache.put('/', response.clone());
    return response;
  });
  network.catch(() => undefined); // a failure after the cache answered is nobody's to handle
  let timer;
  const late = new Promise((resolve) => (timer = setTimeout(() => resolve(undefined), NAVIGATION_NETWORK_MS)));
  try {
    const first = await Promise.race([network, late]);
    if (first) return first;
    const cached = await cache.match('/');
    return cached ?? (await network);
  } catch (err) {
    const cached = await cache.match('/');
    if (cached) return cached;
    throw err;
  } finally {
    clearTimeout(timer);
  }
}

async function cacheFirst(request) {
  const cache = await caches.open(CACHE);
  const cached = await cache.match(request);
  if (cached) return cached;
  const response = await fetch(request);
  if (response.ok) await cache.put(request, response.clone());
  return response;
}

self.addEventListener('fetch', (event) => {
  const { request } = event;
  if (request.method !== 'GET') return;
  const url = new URL(request.url);
  if (url.origin !== self.location.origin || NETWORK_ONLY.test(url.pathname)) return;
  if (request.mode === 'navigate') event.respondWith(networkFirst(request));
  else if (CACHE_FIRST.test(url.pathname)) event.respondWith(cacheFirst(request));
});
