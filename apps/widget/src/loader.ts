/**
 * The widget's loader: the one `<script>` a site embeds. It reads the tag's `data-*` options,
 * puts the widget's frame (served from the pool edge's origin) after the tag, and gives the host
 * page a small API. It loads no miner code and opens no socket: the frame asks the visitor, and
 * mines only after the visitor clicks Start inside it. Classic script (IIFE), no inline styles
 * in markup (CSSOM only), no eval: it works under a strict Content-Security-Policy that allows
 * the edge in script-src and frame-src.
 *
 * Host page API (window.Otedama):
 *   Otedama.widgets                     every widget on the page, in order
 *   Otedama.mount(element, options)     a widget inside `element` (options as the data-* names)
 *   widget.start()                      asks the visitor (shows the question, focuses Start);
 *                                       mining begins only with the visitor's own click
 *   widget.stop()                       stops mining at once
 *   widget.on(type, fn) / off(type, fn) 'state' {state, reason?}, 'hashrate' {hashrate, cpu, gpu}
 *                                       (H/s), 'shares' {accepted, rejected, stale}
 *   widget.state / hashrate / shares    the latest values
 *   widget.remove()                     takes the widget off the page (stops it)
 * The same events are dispatched on the widget's element as `otedama:state`, `otedama:hashrate`,
 * `otedama:shares` CustomEvents.
 */
import { FRAME_TITLES } from './frame-title.ts';
import { envelope, MAX_FRAME_HEIGHT_PX, readFrameMessage, type FrameMessage, type WidgetState } from './protocol.ts';
import { frameUrl, parseWidgetOptions, type RawOptions, type WidgetOptions } from './widget-options.ts';

/** Height (CSS px) of the frame before it reports its content height. */
const INITIAL_HEIGHT_PX = 180;
/** Widest the frame gets (CSS px); it is 100 % of its container below that. */
const MAX_WIDTH_PX = 440;
/** The frame never gets smaller than this (CSS px): it must be able to show Stop and the hashrate. */
const MIN_HEIGHT_PX = 72;

type EventType = 'state' | 'hashrate' | 'shares';
type Listener = (detail: Record<string, unknown>) => void;

export interface Widget {
  readonly element: HTMLElement;
  readonly iframe: HTMLIFrameElement | undefined;
  readonly options: WidgetOptions | undefined;
  state: WidgetState | 'loading' | 'invalid';
  hashrate: number;
  shares: { accepted: number; rejected: number; stale: number };
  start(): void;
  stop(): void;
  on(type: EventType, fn: Listener): void;
  off(type: EventType, fn: Listener): void;
  remove(): void;
}

interface OtedamaGlobal {
  widgets: Widget[];
  mount(element: HTMLElement, raw: RawOptions): Widget;
}

/** Reads `key` from the site's localStorage, or writes it (null removes); blocked storage reads as unset. */
function siteStorage(key: string, value?: string | null): string | null {
  try {
    if (value === null) localStorage.removeItem(key);
    else if (value !== undefined) localStorage.setItem(key, value);
    return localStorage.getItem(key);
  } catch {
    return null;
  }
}

function mount(element: HTMLElement, raw: RawOptions, fallbackPool?: string): Widget {
  const listeners: Record<EventType, Listener[]> = { state: [], hashrate: [], shares: [] };
  const emit = (type: EventType, detail: Record<string, unknown>) => {
    for (const fn of listeners[type].slice()) fn(detail);
    element.dispatchEvent(new CustomEvent(`otedama:${type}`, { detail }));
  };
  let options: WidgetOptions | undefined;
  let iframe: HTMLIFrameElement | undefined;
  let onMessage: ((ev: MessageEvent) => void) | undefined;
  const post = (type: 'start' | 'stop') => {
    if (iframe?.contentWindow && options) iframe.contentWindow.postMessage(envelope({ type }), new URL(options.pool).origin);
  };
  const widget: Widget = {
    element,
    get iframe() {
      return iframe;
    },
    get options() {
      return options;
    },
    state: 'loading',
    hashrate: 0,
    shares: { accepted: 0, rejected: 0, stale: 0 },
    start: () => post('start'),
    stop: () => post('stop'),
    on: (type, fn) => void listeners[type]?.push(fn),
    off: (type, fn) => {
      const list = listeners[type];
      if (list && list.includes(fn)) list.splice(list.indexOf(fn), 1);
    },
    remove() {
      post('stop');
      if (onMessage) removeEventListener('message', onMessage);
      element.remove();
    },
  };
  element.classList.add('otedama-widget');
  try {
    options = parseWidgetOptions(raw, fallbackPool, navigator.languages ?? [navigator.language]);
  } catch (err) {
    // The site owner sees what is wrong; visitors see that nothing runs.
    widget.state = 'invalid';
    const p = document.createElement('p');
    p.setAttribute('role', 'note');
    p.textContent = `Otedama widget not shown: ${(err as { reason?: string }).reason ?? String(err)}`;
    element.replaceChildren(p);
    return widget;
  }
  const poolOrigin = new URL(options.pool).origin;
  // "No thanks" is kept by the frame; browsers that block a third-party frame's storage lose it,
  // so the loader keeps a copy in the site's own storage and hands it back in the frame URL.
  // (A page can only make the frame ask less with it, never mine.)
  const declinedKey = `otedama-widget:declined:${poolOrigin}`;
  const frame = document.createElement('iframe');
  iframe = frame;
  frame.src = frameUrl(options) + (siteStorage(declinedKey) ? '&declined=1' : '');
  frame.title = FRAME_TITLES[options.lang];
  frame.referrerPolicy = 'origin'; // the frame learns the site's origin where ancestorOrigins is missing
  frame.allow = 'compute-pressure'; // lets the frame slow down when the visitor's CPU is busy
  const s = frame.style; // CSSOM, allowed under a strict style-src
  s.border = '0';
  s.display = 'block';
  s.width = '100%';
  s.maxWidth = `${MAX_WIDTH_PX}px`;
  s.height = `${INITIAL_HEIGHT_PX}px`;
  s.colorScheme = 'normal';
  onMessage = (ev: MessageEvent) => {
    // Only the frame this widget made, from the edge's origin, in this protocol.
    if (ev.source !== frame.contentWindow || ev.origin !== poolOrigin) return;
    const m: FrameMessage | undefined = readFrameMessage(ev.data);
    if (!m) return;
    if (m.type === 'size') {
      s.height = `${Math.max(MIN_HEIGHT_PX, Math.min(MAX_FRAME_HEIGHT_PX, Math.ceil(m.height)))}px`;
    } else if (m.type === 'state') {
      widget.state = m.state;
      if (m.state === 'declined') siteStorage(declinedKey, '1');
      else if (m.state === 'ask' || m.state === 'mining') siteStorage(declinedKey, null);
      if (m.state !== 'mining') widget.hashrate = 0;
      emit('state', m.reason === undefined ? { state: m.state } : { state: m.state, reason: m.reason });
    } else if (m.type === 'hashrate') {
      widget.hashrate = m.hashrate;
      emit('hashrate', { hashrate: m.hashrate, cpu: m.cpu, gpu: m.gpu });
    } else {
      widget.shares = { accepted: m.accepted, rejected: m.rejected, stale: m.stale };
      emit('shares', { ...widget.shares });
    }
  };
  addEventListener('message', onMessage);
  element.replaceChildren(frame);
  return widget;
}

// The tag that loaded this script: where the edge is when data-pool is not given.
const script = document.currentScript as HTMLScriptElement | null;
const loaderOrigin = script?.src ? new URL(script.src).origin : undefined;

function global(): OtedamaGlobal {
  const w = window as unknown as { Otedama?: OtedamaGlobal };
  w.Otedama ??= { widgets: [], mount: (el, raw) => register(mount(el, raw, loaderOrigin)) };
  return w.Otedama;
}

function register(widget: Widget): Widget {
  global().widgets.push(widget);
  return widget;
}

// With data-address the tag becomes a widget right after itself; without, the page only gets
// the API (the /widget generator's preview uses Otedama.mount).
global();
if (script && script.dataset.address !== undefined) {
  const d = script.dataset;
  const element = document.createElement('div');
  script.after(element);
  register(mount(element, { address: d.address, pool: d.pool, algo: d.algo, threads: d.threads, gpu: d.gpu, theme: d.theme, lang: d.lang }, loaderOrigin));
}
