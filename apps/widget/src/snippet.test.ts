import { describe, expect, it } from 'vitest';
import { cspHint, escapeAttribute, iframeSnippet, scriptSnippet } from './snippet.ts';
import { parseWidgetOptions } from './widget-options.ts';

const ADDRESS = 'bcrt1qw508d6qejxtdg4y5r3zarvary0c5xw7kygt080';

describe('snippets', () => {
  it('the script tag carries the loader, its integrity and only the options that are set', () => {
    const s = scriptSnippet({ address: ADDRESS, pool: 'http://127.0.0.1:8080', algo: 'sha256d', threads: '', gpu: true, theme: 'auto', lang: '', integrity: 'sha384-abc' });
    expect(s).toContain('src="http://127.0.0.1:8080/widget/loader.js"');
    expect(s).toContain('integrity="sha384-abc"');
    expect(s).toContain('crossorigin="anonymous"');
    expect(s).toContain(`data-address="${ADDRESS}"`);
    expect(s).toContain('data-gpu="allow"');
    expect(s).not.toContain('data-threads');
    expect(s).not.toContain('data-theme');
    expect(s).not.toContain('data-lang');
    expect(s).toMatch(/^<script [^]*><\/script>$/);
  });

  it('the iframe has a title and no inline style, and leaves the language to the browser when asked', () => {
    const o = parseWidgetOptions({ address: ADDRESS, pool: 'https://pool.example/', lang: 'ja' });
    const s = iframeSnippet(o, true);
    expect(s).toContain('src="https://pool.example/widget/frame.html?address=');
    expect(s).not.toContain('lang=');
    expect(s).not.toContain('style=');
    expect(s).toContain('title="');
  });

  it('escapes attribute values', () => {
    expect(escapeAttribute('a"b<c>&')).toBe('a&quot;b&lt;c&gt;&amp;');
  });

  it('names the CSP sources a site must allow', () => {
    expect(cspHint('https://pool.example/', 'script')).toContain('script-src https://pool.example; frame-src https://pool.example');
    expect(cspHint('https://pool.example/', 'iframe')).toContain('frame-src https://pool.example');
  });
});
