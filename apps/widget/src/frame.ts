/**
 * The widget's frame, served from the pool edge's origin inside the host site's page. Before the
 * visitor clicks Start it shows the question (which devices, how much, for whom, how to stop) and
 * nothing else: no miner code is loaded, no worker started, no socket opened. The click must be
 * the visitor's own (a trusted event, on a frame that is not covered or shrunk by the page); the
 * host page's messages can only ask the question again or stop. Then frame-miner.ts brings the
 * web app's miner runtime (apps/web: engines, courtesy, one-tab lock).
 *
 * "No thanks" is remembered per site (the host's origin) in this frame's storage. While mining,
 * Stop and the live hashrate are always shown; a page that shrinks the frame below the size that
 * shows them stops it.
 */
import { t, type MessageKey } from './i18n.ts';
import { envelope, readHostMessage, type FrameMessage, type WidgetState } from './protocol.ts';
import { isDeclined, rememberDecline, forgetDecline } from './opt-out.ts';
import { parseWidgetOptions, rawFromQuery, type WidgetOptions } from './widget-options.ts';
import { widgetThreads } from './widget-courtesy.ts';
import type { WidgetRun } from './frame-miner.ts';

/** The algorithm as the frame's question names it. */
const SHORT_ALGORITHM_NAMES: Readonly<Record<string, string>> = { sha256d: 'SHA-256d', kawpow: 'KawPow' };

/** The smallest frame (CSS px) that still shows Stop and the hashrate; below it mining stops. */
export const MIN_VISIBLE_WIDTH_PX = 160;
export const MIN_VISIBLE_HEIGHT_PX = 64;
/**
 * How long (ms) the frame may be too small while mining before it stops: a resize passes through
 * sizes on its way (a full-page screenshot, a zoom, the loader applying a new height), and a page
 * that keeps the Stop button hidden is still stopped within this time.
 */
const TOO_SMALL_GRACE_MS = 500;
/** How long (ms) the visibility check waits for the browser's answer before refusing. */
const VISIBILITY_ANSWER_MS = 1_000;

const $ = <T extends HTMLElement = HTMLElement>(id: string) => document.getElementById(id) as T;
const cores = navigator.hardwareConcurrency || 2;

/** The host site's origin: the parent's (ancestorOrigins, or the referrer where that is missing). */
function findSite(): string | undefined {
  if (window.parent === window) return location.origin;
  const ancestors = location.ancestorOrigins;
  if (ancestors && ancestors.length > 0) return ancestors[0] === 'null' ? undefined : ancestors[0];
  try {
    return document.referrer ? new URL(document.referrer).origin : undefined;
  } catch {
    return undefined;
  }
}

const site = findSite();
let options: WidgetOptions;
let state: WidgetState = 'ask';
let run: WidgetRun | undefined;
let lastShares = -1;
/** The state as it is now (after awaits: TypeScript would keep the narrowed one). */
const stateNow = (): WidgetState => state;

function post(message: FrameMessage): void {
  // Only to the site that embeds us, never '*': another origin must not read the figures.
  if (window.parent !== window && site) window.parent.postMessage(envelope(message), site);
}

function say(key: MessageKey, vars: Record<string, string | number> = {}): string {
  return t(options.lang, key, vars);
}

function siteName(): string {
  return site ? new URL(site).host : say('thisSite');
}

function show(next: WidgetState, reason?: string): void {
  state = next;
  $('ask').hidden = next !== 'ask' && next !== 'error';
  $('declined').hidden = next !== 'declined';
  $('run').hidden = next !== 'starting' && next !== 'mining';
  $('done').hidden = next !== 'stopped';
  $('problem').hidden = !reason;
  $('problem').textContent = reason ? say('failed', { reason }) : '';
  const title = next === 'starting' ? say('starting') : next === 'mining' ? say('mining', { site: siteName() }) : say('askTitle', { site: siteName() });
  $('title').textContent = title;
  if (next === 'starting') $('run-status').textContent = '';
  post(reason ? { type: 'state', state: next, reason } : { type: 'state', state: next });
}

function renderQuestion(): void {
  const threads = widgetThreads(cores, options.threads);
  const gpuOffered = options.gpu && 'gpu' in navigator;
  $('ask-body').textContent = say('askBody', {
    site: siteName(),
    threads,
    cores,
    gpu: gpuOffered ? say('askGpu') : '',
    algo: SHORT_ALGORITHM_NAMES[options.algo.toLowerCase()] ?? options.algo,
    address: options.address,
    pool: new URL(options.pool).host,
  });
  $('ask-how').textContent = say('askHow');
  $('gpu-row').hidden = !gpuOffered;
  $('gpu-label').textContent = say('gpuLabel');
  $('start').textContent = say('start');
  $('decline').textContent = say('decline');
  const about = $<HTMLAnchorElement>('about');
  about.textContent = say('about');
  about.href = `${options.pool}widget/#for-visitors`;
  $('declined-text').textContent = say('declined', { site: siteName() });
  $('ask-again').textContent = say('askAgain');
  $('rate-label').textContent = say('hashrate');
  $('shares-label').textContent = say('shares');
  $('stop').textContent = say('stop');
  $('start-again').textContent = say('startAgain');
}

function tooSmall(): boolean {
  return innerWidth < MIN_VISIBLE_WIDTH_PX || innerHeight < MIN_VISIBLE_HEIGHT_PX;
}

/**
 * Whether the widget is on screen uncovered and unfaded, as Chromium's IntersectionObserver v2
 * (trackVisibility) reports it: a page that hides the frame under something else or makes it
 * transparent to trick a click (clickjacking) gets false. Browsers without it answer true.
 */
function visibleToVisitor(): Promise<boolean> {
  if (!('isVisible' in IntersectionObserverEntry.prototype)) return Promise.resolve(true);
  return new Promise((resolve) => {
    const io = new IntersectionObserver(
      (entries) => {
        io.disconnect();
        clearTimeout(timer);
        resolve((entries[entries.length - 1] as IntersectionObserverEntry & { isVisible?: boolean }).isVisible === true);
      },
      { trackVisibility: true, delay: 100 } as IntersectionObserverInit,
    );
    const timer = setTimeout(() => {
      io.disconnect();
      resolve(false);
    }, VISIBILITY_ANSWER_MS);
    io.observe($('box'));
  });
}

async function onStart(ev: MouseEvent): Promise<void> {
  if (run || state === 'starting' || state === 'mining') return;
  // Only the visitor's own click: a script's click() or dispatched event is not trusted.
  if (!ev.isTrusted) return show('error', say('untrusted'));
  if (tooSmall()) return show('error', say('tooSmall'));
  if (!(await visibleToVisitor())) return show('error', say('covered'));
  const clickedAt = performance.now();
  show('starting');
  $('stop').focus();
  const gpu = !$('gpu-row').hidden && $<HTMLInputElement>('gpu').checked;
  const threads = widgetThreads(cores, options.threads);
  try {
    const { startWidgetMiner } = await import('./frame-miner.ts');
    if (stateNow() !== 'starting') return; // stopped while the code loaded
    run = await startWidgetMiner({
      options,
      threads,
      gpu,
      cores,
      onStats(s) {
        if (state === 'starting' && s.hashes > 0) {
          // Click to first hash, for the record (the e2e test reads it; never asserted on).
          performance.measure('otedama:widget-first-hash', { start: clickedAt });
          show('mining');
        }
        $('rate').textContent = s.hashrateText;
        $('shares').textContent = String(s.accepted);
        $('run-status').textContent = s.duty === 0 ? say('paused', { reason: s.throttleReason ?? '' }) : s.throttleReason ? say('throttled', { percent: Math.round(s.duty * 100), reason: s.throttleReason }) : s.connection;
        post({ type: 'hashrate', hashrate: s.hashrate, cpu: s.cpuHashrate, gpu: s.gpuHashrate });
        if (s.accepted !== lastShares) {
          lastShares = s.accepted;
          post({ type: 'shares', accepted: s.accepted, rejected: s.rejected, stale: s.stale });
        }
      },
    });
    const now = stateNow();
    if (now !== 'starting' && now !== 'mining') await stop();
  } catch (err) {
    run = undefined;
    const busy = (err as { name?: string }).name === 'MiningBusyError';
    show('error', busy ? say('busy') : ((err as { reason?: string }).reason ?? (err instanceof Error ? err.message : String(err))));
    $('start').focus();
  }
}

async function stop(reason?: string): Promise<void> {
  const current = run;
  run = undefined;
  if (state === 'starting' || state === 'mining' || current) {
    const accepted = Math.max(0, lastShares);
    $('done-text').textContent = reason ? say('failed', { reason }) : say('stopped', { shares: accepted, site: siteName() });
    show('stopped');
    $('start-again').focus();
  }
  await current?.stop();
}

function onHostMessage(ev: MessageEvent): void {
  // Only our parent, from the site that embeds us, in this protocol.
  if (ev.source !== window.parent || window.parent === window || !site || ev.origin !== site) return;
  const m = readHostMessage(ev.data);
  if (!m) return;
  if (m.type === 'stop') {
    void stop();
    return;
  }
  // start: the host may ask the question again; only the visitor's click mines.
  if (state === 'declined' || state === 'starting' || state === 'mining') {
    post({ type: 'state', state });
    return;
  }
  // From 'stopped' the question comes back; in 'ask' or 'error' it is on screen already (an
  // error stays: a page asking again must not hide why the last click was refused).
  if (state === 'stopped') show('ask');
  const button = $('start');
  button.focus();
  button.classList.remove('attention');
  void button.offsetWidth; // restart the animation
  button.classList.add('attention');
}

function reportSize(): void {
  post({ type: 'size', height: Math.ceil($('box').getBoundingClientRect().height) });
}

function init(): void {
  try {
    options = parseWidgetOptions(rawFromQuery(location.search, location.origin), undefined, navigator.languages ?? []);
  } catch (err) {
    options = { address: '', pool: `${location.origin}/`, algo: 'sha256d', gpu: false, theme: 'auto', lang: 'en' };
    $('problem').hidden = false;
    $('problem').textContent = (err as { reason?: string }).reason ?? String(err);
    post({ type: 'state', state: 'error', reason: $('problem').textContent ?? '' });
    return;
  }
  document.documentElement.lang = options.lang;
  if (options.theme !== 'auto') document.documentElement.classList.add(`theme-${options.theme}`);
  renderQuestion();
  $('start').addEventListener('click', (ev) => void onStart(ev));
  $('start-again').addEventListener('click', (ev) => void onStart(ev));
  $('stop').addEventListener('click', () => void stop());
  $('decline').addEventListener('click', () => {
    rememberDecline(site);
    show('declined');
    $('ask-again').focus();
  });
  $('ask-again').addEventListener('click', () => {
    forgetDecline(site);
    show('ask');
    $('start').focus();
  });
  addEventListener('message', onHostMessage);
  let sizeCheck: ReturnType<typeof setTimeout> | undefined;
  addEventListener('resize', () => {
    if (!run || !tooSmall() || sizeCheck !== undefined) return;
    sizeCheck = setTimeout(() => {
      sizeCheck = undefined;
      if (run && tooSmall()) void stop(say('tooSmall'));
    }, TOO_SMALL_GRACE_MS);
  });
  new ResizeObserver(reportSize).observe($('box'));
  // The loader hands back a "No thanks" it kept for browsers that block this frame's storage.
  const siteRemembers = new URLSearchParams(location.search).get('declined') === '1';
  if (siteRemembers) rememberDecline(site);
  show(isDeclined(site) ? 'declined' : 'ask');
}

init();
