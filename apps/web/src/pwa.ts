/**
 * The installable app: registers the service worker (public/sw.js), checks for new versions on
 * load, every UPDATE_CHECK_INTERVAL_MS and when the tab becomes visible again, and shows an
 * "Update ready" banner whose "Update now" swaps versions at the miner's next safe point
 * (sw-update.ts has the rules). Loads before Start, so it stays small and loads no miner code.
 */
import { ServiceWorkerUpdater, type PwaEventLevel, type UpdateView, type UpdateViewState } from './sw-update.ts';

export type { PwaEventLevel } from './sw-update.ts';

/** How often an open page looks for a new version (a mining tab may stay open for days). */
export const UPDATE_CHECK_INTERVAL_MS = 30 * 60_000;
/** Tab switching checks at most this often. */
const VISIBLE_CHECK_GAP_MS = 60_000;

export interface PwaOptions {
  /** Writes a line to the page's event log. */
  onEvent(level: PwaEventLevel, text: string): void;
  /** Resolves when swapping versions interrupts nothing: at once when not mining, else at the next job boundary. */
  safePoint(): Promise<void>;
  /** Persists what the reloaded page needs, e.g. "resume mining after the update". */
  beforeReload(): Promise<void>;
}

export interface Pwa {
  /** Looks for a new version now. */
  check(): Promise<void>;
  /** Applies a waiting update (what "Update now" does). */
  apply(): Promise<void>;
}

const TEXT: Record<UpdateViewState, string> = {
  ready: 'Update ready: a new version of Otedama is installed.',
  applying: 'Updating at the next job boundary…',
  switched: 'Update ready: another tab switched to the new version of Otedama.',
};

/** The banner: a polite live region at the bottom of the page, with "Update now" and "Later". */
function createBanner(onApply: () => void, onDismiss: () => void): UpdateView {
  const banner = document.createElement('div');
  banner.id = 'update-banner';
  banner.setAttribute('role', 'status');
  // Shown with display:flex; an author `display` would override the hidden attribute, so set both.
  const setHidden = (hidden: boolean) => {
    banner.hidden = hidden;
    banner.style.display = hidden ? 'none' : 'flex';
  };
  banner.style.cssText =
    'position:fixed;left:50%;bottom:1rem;transform:translateX(-50%);z-index:10;gap:.75rem;align-items:center;' +
    'flex-wrap:wrap;max-width:calc(100% - 2rem);padding:.75rem 1rem;border-radius:10px;background:#232a38;color:#e8e8ea;box-shadow:0 4px 16px #0008';
  const text = document.createElement('span');
  const apply = document.createElement('button');
  apply.id = 'update-apply';
  apply.type = 'button';
  apply.textContent = 'Update now';
  apply.addEventListener('click', onApply);
  const later = document.createElement('button');
  later.id = 'update-dismiss';
  later.type = 'button';
  later.textContent = 'Later';
  later.setAttribute('aria-label', 'Later: hide the update notice');
  later.style.background = 'transparent';
  later.addEventListener('click', onDismiss);
  banner.append(text, apply, later);
  setHidden(true);
  banner.addEventListener('keydown', (ev) => {
    if (ev.key === 'Escape' && !apply.disabled) onDismiss();
  });
  document.body.append(banner);
  return {
    show(state) {
      text.textContent = TEXT[state];
      apply.disabled = state === 'applying';
      later.hidden = state === 'applying';
      setHidden(false);
    },
    hide() {
      setHidden(true);
    },
  };
}

/**
 * Registers the service worker and the update banner. Returns undefined where the browser has no
 * service workers (or the page is not a secure context): the app then works online only.
 */
export function registerPwa(options: PwaOptions): Pwa | undefined {
  if (!('serviceWorker' in navigator)) return undefined;
  let updater: ServiceWorkerUpdater | undefined;
  const view = createBanner(
    () => void updater?.apply(),
    () => updater?.dismiss(),
  );
  updater = new ServiceWorkerUpdater({
    container: navigator.serviceWorker,
    origin: location.origin,
    async fetchShell() {
      const res = await fetch('/', { cache: 'no-store', headers: { accept: 'text/html' } });
      if (!res.ok) throw new Error(`GET / answered ${res.status}`);
      return res.text();
    },
    reload: () => location.reload(),
    view,
    onEvent: options.onEvent,
    safePoint: options.safePoint,
    beforeReload: options.beforeReload,
    setTimeout: (fn, ms) => setTimeout(fn, ms),
  });
  const u = updater;
  let lastCheck = 0;
  const check = () => {
    lastCheck = Date.now();
    return u.check();
  };
  const begin = () => {
    lastCheck = Date.now();
    void u.start();
  };
  if (document.readyState === 'complete') begin();
  else window.addEventListener('load', begin, { once: true });
  setInterval(() => void check(), UPDATE_CHECK_INTERVAL_MS);
  document.addEventListener('visibilitychange', () => {
    if (document.visibilityState === 'visible' && Date.now() - lastCheck >= VISIBLE_CHECK_GAP_MS) void check();
  });
  return { check, apply: () => u.apply() };
}
