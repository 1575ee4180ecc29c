/**
 * The widget's routes through Hono's app.request(): a build folder made here (loader, frame page,
 * one asset), the headers a host page and a blocker rely on, the well-known document's hashes,
 * bad paths, and an edge whose widget is not built.
 */
import { createHash } from 'node:crypto';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Hono } from 'hono';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createWidgetRoutes, webSocketHosts, WELL_KNOWN_PATH } from './widget-routes.ts';

const FRAME_HTML = '<!doctype html><script type="module" crossorigin src="/widget/assets/frame-1.js"></script><link rel="stylesheet" href="/widget/assets/frame-1.css"><main>frame</main>';
let top: string;
let dir: string;

function app(root: string, extra: { contact?: string; sourceUrl?: string; peerSockets?: () => readonly string[] } = {}): Hono {
  const a = new Hono();
  createWidgetRoutes({ root, version: '9.9.9', ...extra })(a);
  a.get('*', (c) => c.text('web app', 200));
  return a;
}

const get = (a: Hono, path: string) => a.request(`http://127.0.0.1:8080${path}`);

beforeAll(() => {
  top = mkdtempSync(join(tmpdir(), 'otedama-widget-routes-'));
  dir = join(top, 'build');
  mkdirSync(join(dir, 'assets'), { recursive: true });
  writeFileSync(join(top, 'secret.txt'), 'SECRET');
  writeFileSync(join(dir, 'loader.js'), '(()=>{/* loader */})();');
  writeFileSync(join(dir, 'frame.html'), FRAME_HTML);
  writeFileSync(join(dir, 'index.html'), '<h1>generator</h1>');
  writeFileSync(join(dir, 'assets', 'frame-1.js'), 'export{}');
  writeFileSync(join(dir, 'assets', 'frame-1.css'), 'main{}');
  writeFileSync(join(dir, 'assets', 'frame-1.js.map'), '{}');
});
afterAll(() => rmSync(top, { recursive: true, force: true }));

describe('the widget on the edge', () => {
  it('redirects /widget to /widget/ and serves the generator there', async () => {
    const a = app(dir);
    const r = await get(a, '/widget');
    expect(r.status).toBe(301);
    expect(r.headers.get('location')).toBe('/widget/');
    expect(await (await get(a, '/widget/')).text()).toContain('generator');
  });

  it('serves the loader to any origin (so sites can pin it with SRI) and revalidates it', async () => {
    const r = await get(app(dir), '/widget/loader.js');
    expect(r.status).toBe(200);
    expect(r.headers.get('access-control-allow-origin')).toBe('*');
    expect(r.headers.get('cross-origin-resource-policy')).toBe('cross-origin');
    expect(r.headers.get('cache-control')).toBe('no-cache');
    expect(r.headers.get('content-type')).toMatch(/javascript/);
  });

  it('serves the frame with its own strict policy and no framing restriction', async () => {
    const r = await get(app(dir), '/widget/frame.html');
    const csp = r.headers.get('content-security-policy') ?? '';
    expect(csp).toContain("default-src 'none'");
    expect(csp).toContain("script-src 'self' 'wasm-unsafe-eval'");
    expect(csp).toContain('connect-src \'self\' ws://127.0.0.1:8080 wss://127.0.0.1:8080');
    expect(csp).not.toContain('frame-ancestors');
    expect(r.headers.get('x-frame-options')).toBeNull();
  });

  it("lets the frame reach the edge's libp2p WebSockets listeners (it is a peer of the pool), and nothing else", async () => {
    const listen = ['/ip4/127.0.0.1/tcp/4733/p2p/12D3KooWx', '/ip4/127.0.0.1/tcp/4734/ws/p2p/12D3KooWx', '/ip6/::1/tcp/4736/wss', '/dns4/edge.example/tcp/443/wss/p2p/12D3KooWx', '/ip4/127.0.0.1/udp/4735/quic-v1', 'garbage'];
    expect(webSocketHosts(listen)).toEqual(['127.0.0.1:4734', '[::1]:4736', 'edge.example:443']);
    const r = await get(app(dir, { peerSockets: () => webSocketHosts(listen) }), '/widget/frame.html');
    const connect = (r.headers.get('content-security-policy') ?? '').split('; ').find((d) => d.startsWith('connect-src'));
    expect(connect).toBe("connect-src 'self' ws://127.0.0.1:8080 wss://127.0.0.1:8080 ws://127.0.0.1:4734 wss://127.0.0.1:4734 ws://[::1]:4736 wss://[::1]:4736 ws://edge.example:443 wss://edge.example:443");
  });

  it('caches hashed assets for good', async () => {
    const r = await get(app(dir), '/widget/assets/frame-1.js');
    expect(r.headers.get('cache-control')).toBe('public, max-age=31536000, immutable');
  });

  it.each(['/widget/nope.js', '/widget/assets/', '/widget/..%2fsecret.txt', '/widget/assets/..%2f..%2fsecret.txt', '/widget/%2e%2e%2fsecret.txt', '/widget/..%5csecret.txt'])('answers 404 for %s (never the web app, never a file outside the build)', async (path) => {
    const r = await get(app(dir), path);
    expect([400, 404]).toContain(r.status);
    const text = await r.text();
    expect(text).not.toContain('web app');
    expect(text).not.toContain('SECRET');
  });

  it('publishes the well-known document with the hashes of what it serves', async () => {
    const r = await get(app(dir, { contact: 'mailto:ops@pool.example', sourceUrl: 'https://git.example/otedama' }), WELL_KNOWN_PATH);
    expect(r.status).toBe(200);
    expect(r.headers.get('access-control-allow-origin')).toBe('*');
    const doc = (await r.json()) as {
      version: string;
      consent: { minesBeforeClick: boolean };
      contact: string;
      source: { repository: string };
      files: { loader: { url: string; integrity: string; bytes: number }; frame: { url: string }; beforeConsent: string[]; all: { url: string }[] };
    };
    expect(doc.version).toBe('9.9.9');
    expect(doc.consent.minesBeforeClick).toBe(false);
    expect(doc.contact).toBe('mailto:ops@pool.example');
    expect(doc.source.repository).toBe('https://git.example/otedama');
    const loader = Buffer.from('(()=>{/* loader */})();');
    expect(doc.files.loader).toEqual({ url: 'http://127.0.0.1:8080/widget/loader.js', integrity: `sha384-${createHash('sha384').update(loader).digest('base64')}`, bytes: loader.length });
    expect(doc.files.beforeConsent).toEqual([
      'http://127.0.0.1:8080/widget/loader.js',
      'http://127.0.0.1:8080/widget/frame.html',
      'http://127.0.0.1:8080/widget/assets/frame-1.js',
      'http://127.0.0.1:8080/widget/assets/frame-1.css',
    ]);
    expect(doc.files.all.map((f) => f.url)).not.toContain('http://127.0.0.1:8080/widget/assets/frame-1.js.map');
  });

  it('a rebuilt widget gets new hashes', async () => {
    const a = app(dir);
    const before = ((await (await get(a, WELL_KNOWN_PATH)).json()) as { files: { loader: { integrity: string } } }).files.loader.integrity;
    writeFileSync(join(dir, 'loader.js'), '(()=>{/* loader v2, longer */})();');
    const after = ((await (await get(a, WELL_KNOWN_PATH)).json()) as { files: { loader: { integrity: string } } }).files.loader.integrity;
    expect(after).not.toBe(before);
    writeFileSync(join(dir, 'loader.js'), '(()=>{/* loader */})();');
  });

  it('says the widget is not built (503) instead of serving the web app', async () => {
    const a = app(join(dir, 'missing'));
    expect((await get(a, '/widget/')).status).toBe(503);
    expect((await get(a, '/widget/loader.js')).status).toBe(503);
    const r = await get(a, WELL_KNOWN_PATH);
    expect(r.status).toBe(503);
    expect(((await r.json()) as { error: { code: string } }).error.code).toBe('not_built');
  });
});
