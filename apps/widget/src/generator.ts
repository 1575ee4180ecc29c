/**
 * The edge's /widget page: a form that writes the site owner's snippet (script tag or iframe)
 * and a live preview of the real widget (mounted with the loader's Otedama.mount). The loader's
 * integrity hash comes from the edge's /.well-known/otedama-widget.json.
 */
import { scriptSnippet, iframeSnippet, cspHint, type SnippetInput } from './snippet.ts';
import { WIDGET_ALGORITHM_TITLES, WIDGET_ALGORITHMS, parseWidgetOptions, type RawOptions } from './widget-options.ts';

interface LoaderApi {
  mount(element: HTMLElement, raw: RawOptions): { remove(): void };
}

/** Wait (ms) after the last keystroke before the preview is rebuilt. */
const PREVIEW_DEBOUNCE_MS = 400;

const $ = <T extends HTMLElement = HTMLElement>(id: string) => document.getElementById(id) as T;
const field = (id: string) => $<HTMLInputElement>(id);

let integrity: string | undefined;
let preview: { remove(): void } | undefined;
let previewKey = '';
let timer: ReturnType<typeof setTimeout> | undefined;

/** The loader, as a site includes it (a classic script), for Otedama.mount in the preview. */
const loaderReady = new Promise<LoaderApi | undefined>((resolve) => {
  const script = document.createElement('script');
  script.src = '/widget/loader.js';
  script.onload = () => resolve((window as unknown as { Otedama?: LoaderApi }).Otedama);
  script.onerror = () => resolve(undefined);
  document.head.append(script);
});

function read(): SnippetInput {
  return {
    address: field('address').value.trim(),
    pool: field('pool').value.trim(),
    algo: $<HTMLSelectElement>('algo').value,
    threads: field('threads').value.trim(),
    gpu: field('gpu').checked,
    theme: $<HTMLSelectElement>('theme').value,
    lang: $<HTMLSelectElement>('lang').value,
    integrity: field('sri').checked ? integrity : undefined,
  };
}

function update(): void {
  const input = read();
  const raw: RawOptions = { address: input.address, pool: input.pool, algo: input.algo, threads: input.threads, gpu: input.gpu ? 'allow' : undefined, theme: input.theme, lang: input.lang || undefined };
  try {
    const options = parseWidgetOptions(raw, location.origin, navigator.languages ?? []);
    $('form-error').textContent = '';
    const kind = field('kind-iframe').checked ? 'iframe' : 'script';
    $<HTMLTextAreaElement>('snippet').value = kind === 'iframe' ? iframeSnippet(options, input.lang === '') : scriptSnippet(input);
    $('csp-hint').textContent = cspHint(options.pool, kind);
    schedulePreview(raw);
  } catch (err) {
    $('form-error').textContent = input.address === '' ? 'Enter your payout address to get a snippet.' : ((err as { reason?: string }).reason ?? String(err));
    $<HTMLTextAreaElement>('snippet').value = '';
  }
}

function schedulePreview(raw: RawOptions): void {
  const key = JSON.stringify(raw);
  if (key === previewKey) return;
  clearTimeout(timer);
  timer = setTimeout(() => {
    void loaderReady.then((api) => {
      if (key !== JSON.stringify(raw)) return;
      previewKey = key;
      preview?.remove();
      const host = document.createElement('div');
      $('preview').replaceChildren(host);
      if (api) preview = api.mount(host, raw);
      else $('preview').textContent = 'The loader (/widget/loader.js) did not load, so there is no preview.';
    });
  }, PREVIEW_DEBOUNCE_MS);
}

async function loadIntegrity(): Promise<void> {
  try {
    const doc = (await (await fetch('/.well-known/otedama-widget.json')).json()) as { files?: { loader?: { integrity?: string } } };
    integrity = doc.files?.loader?.integrity;
  } catch {
    integrity = undefined;
  }
  field('sri').disabled = !integrity;
  update();
}

function init(): void {
  field('pool').value = `${location.origin}/`;
  $<HTMLSelectElement>('algo').replaceChildren(...WIDGET_ALGORITHMS.map((a) => new Option(WIDGET_ALGORITHM_TITLES[a] ?? a, a)));
  $('form').addEventListener('input', update);
  $('form').addEventListener('change', update);
  $('copy').addEventListener('click', () => {
    const text = $<HTMLTextAreaElement>('snippet').value;
    if (!text) return;
    navigator.clipboard.writeText(text).then(
      () => ($('copy-status').textContent = 'Copied.'),
      () => {
        $<HTMLTextAreaElement>('snippet').select();
        $('copy-status').textContent = 'Selected: press Ctrl+C (or ⌘C) to copy.';
      },
    );
  });
  update();
  void loadIntegrity();
}

init();
