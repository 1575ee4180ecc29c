import { describe, expect, it } from 'vitest';
import { buildIdOfWorker, serviceWorkerUrl, shellAssetPaths, shellBuildId } from './shell-build.ts';

const ORIGIN = 'http://127.0.0.1:8080';
/** The head of a vite-built index.html. */
const built = (entry: string, css: string) => `<!doctype html><html><head>
    <link rel="manifest" href="/manifest.webmanifest" />
    <link rel="icon" type="image/png" href="/icons/icon-192.png" />
    <script type="module" crossorigin src="/assets/${entry}"></script>
    <link rel="stylesheet" crossorigin href="/assets/${css}">
    <link rel="preconnect" href="https://fonts.example.com">
  </head><body><img src="/not-counted.png"></body></html>`;

describe('shellAssetPaths', () => {
  it('lists the same-origin scripts, stylesheets, manifest and icons, sorted, without other origins', () => {
    expect(shellAssetPaths(built('index-AAAA.js', 'index-BBBB.css'), ORIGIN)).toEqual([
      '/assets/index-AAAA.js',
      '/assets/index-BBBB.css',
      '/icons/icon-192.png',
      '/manifest.webmanifest',
    ]);
  });

  it('resolves relative and absolute same-origin URLs and de-duplicates them', () => {
    const html = `<script src="./assets/a.js"></script><script src='${ORIGIN}/assets/a.js'></script><link href="assets/b.css" rel=stylesheet>`;
    expect(shellAssetPaths(html, ORIGIN)).toEqual(['/assets/a.js', '/assets/b.css']);
  });
});

describe('shellBuildId', () => {
  it('is 8 hex digits and the same for the same build', () => {
    const id = shellBuildId(built('index-AAAA.js', 'index-BBBB.css'), ORIGIN);
    expect(id).toMatch(/^[0-9a-f]{8}$/);
    // Whitespace, attribute order and tag order do not make a new build.
    expect(shellBuildId(`<link href="/assets/index-BBBB.css" rel="stylesheet"><script src="/assets/index-AAAA.js" type="module"></script>
      <link href="/icons/icon-192.png" rel="icon"><link rel="manifest" href="/manifest.webmanifest">`, ORIGIN)).toBe(id);
  });

  it('changes when a rebuilt script or stylesheet gets a new hashed name', () => {
    const a = shellBuildId(built('index-AAAA.js', 'index-BBBB.css'), ORIGIN);
    expect(shellBuildId(built('index-AAAB.js', 'index-BBBB.css'), ORIGIN)).not.toBe(a);
    expect(shellBuildId(built('index-AAAA.js', 'index-BBBC.css'), ORIGIN)).not.toBe(a);
  });

  it('is undefined for a page that loads no script or stylesheet of this origin (an error page, a portal)', () => {
    expect(shellBuildId('<html><body>502 Bad Gateway</body></html>', ORIGIN)).toBeUndefined();
    expect(shellBuildId('<script src="https://portal.example/login.js"></script>', ORIGIN)).toBeUndefined();
  });
});

describe('serviceWorkerUrl and buildIdOfWorker', () => {
  it('round-trip a build id through the worker script URL', () => {
    expect(serviceWorkerUrl('0a1b2c3d')).toBe('/sw.js?build=0a1b2c3d');
    expect(buildIdOfWorker(`${ORIGIN}/sw.js?build=0a1b2c3d`)).toBe('0a1b2c3d');
  });

  it('reads no build from a worker registered without one or with a malformed one', () => {
    expect(buildIdOfWorker(`${ORIGIN}/sw.js`)).toBeUndefined();
    expect(buildIdOfWorker(`${ORIGIN}/sw.js?build=../../x`)).toBeUndefined();
  });

  it('refuses to build a URL from something that is not a build id', () => {
    expect(() => serviceWorkerUrl('1234')).toThrow(/not a build id: "1234" \(expected 8 hex digits\)/);
    expect(() => serviceWorkerUrl('0a1b2c3d&x=1')).toThrow(RangeError);
  });
});
