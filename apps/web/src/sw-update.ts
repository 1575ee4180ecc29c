/**
 * Service-worker updates that never interrupt a running miner.
 *
 *   - check(): fetches index.html from the network and derives its build id (shell-build.ts). A
 *     build the registration does not have yet is registered as `/sw.js?build=<id>` (the browser
 *     installs it beside the active worker); otherwise registration.update() asks the browser to
 *     compare /sw.js byte for byte. Offline, a check does nothing.
 *   - A worker that finishes installing while another one controls the page is a waiting update:
 *     the view shows "update ready". Nothing else happens until the person applies it.
 *   - apply(): waits for the safe point (main.ts: at once when not mining, otherwise the next job
 *     boundary), lets main.ts persist what must survive the reload (beforeReload), then tells the
 *     waiting worker to take over ({ type: 'skip-waiting' }). The page reloads once, on the
 *     `controllerchange` that follows, or after ACTIVATION_TIMEOUT_MS if the worker never takes over.
 *
 * Why the person applies the update rather than the page doing it by itself at the next job: the
 * reload restarts the engines and redraws the dashboard, and a person filling in the form would
 * lose what they typed. The banner says an update is ready; "Update now" defers the swap to the
 * safe point, so a share in flight is never cut off.
 *
 * Reload loops cannot happen: the page reloads only after this page asked for the swap, at most
 * once per page load, and a page never asks by itself. A swap another tab asked for (every tab of
 * the origin changes controller together) is shown, not acted on.
 *
 * The browser parts are interfaces (the components this class uses), so tests drive it with fakes.
 */
import { buildIdOfWorker, serviceWorkerUrl, shellBuildId } from './shell-build.ts';

/** How long a worker told to skip waiting may take to control the page before the page reloads anyway. */
export const ACTIVATION_TIMEOUT_MS = 10_000;

export type PwaEventLevel = 'info' | 'warn' | 'error';

/** What the banner shows: an update to apply, one being applied, or a version another tab switched to. */
export type UpdateViewState = 'ready' | 'applying' | 'switched';

export interface UpdateView {
  show(state: UpdateViewState): void;
  hide(): void;
}

/** The parts of a ServiceWorker this module uses. */
export interface WorkerLike extends EventTarget {
  readonly state: string;
  readonly scriptURL: string;
  postMessage(message: unknown): void;
}

/** The parts of a ServiceWorkerRegistration this module uses. */
export interface RegistrationLike extends EventTarget {
  readonly installing: WorkerLike | null;
  readonly waiting: WorkerLike | null;
  readonly active: WorkerLike | null;
  update(): Promise<unknown>;
}

/** The parts of a ServiceWorkerContainer (navigator.serviceWorker) this module uses. */
export interface ContainerLike extends EventTarget {
  readonly controller: WorkerLike | null;
  register(url: string, options: { scope: string; updateViaCache: 'none' }): Promise<RegistrationLike>;
  getRegistration(): Promise<RegistrationLike | undefined>;
}

export interface ServiceWorkerUpdaterComponents {
  container: ContainerLike;
  /** The page's origin, e.g. location.origin. */
  origin: string;
  /** index.html as the network serves it now (no HTTP cache, not the service worker's copy); rejects offline. */
  fetchShell(): Promise<string>;
  reload(): void;
  view: UpdateView;
  onEvent(level: PwaEventLevel, text: string): void;
  /** Resolves when swapping versions cannot interrupt work (no share in flight). */
  safePoint(): Promise<void>;
  /** Persists what the reloaded page needs (e.g. "resume mining after the update"). */
  beforeReload(): Promise<void>;
  setTimeout(fn: () => void, ms: number): unknown;
}

function errorText(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}

export class ServiceWorkerUpdater {
  private registration: RegistrationLike | undefined;
  private readonly watched = new WeakSet<object>();
  /** The waiting worker the banner offers, and the one the person dismissed (not offered again). */
  private offered: WorkerLike | undefined;
  private dismissed: WorkerLike | undefined;
  private hadController: boolean;
  private applying = false;
  private reloading = false;
  private checking: Promise<void> | undefined;
  private started = false;

  constructor(private readonly c: ServiceWorkerUpdaterComponents) {
    this.hadController = c.container.controller !== null;
  }

  /** Registers (or finds) the service worker and starts watching for updates; idempotent. */
  async start(): Promise<void> {
    if (this.started) return;
    this.started = true;
    this.c.container.addEventListener('controllerchange', () => this.onControllerChange());
    await this.check();
  }

  /** Looks for a new version now (see the module comment). Concurrent calls share one check. */
  check(): Promise<void> {
    this.checking ??= this.runCheck().finally(() => (this.checking = undefined));
    return this.checking;
  }

  private async runCheck(): Promise<void> {
    let build: string | undefined;
    try {
      build = shellBuildId(await this.c.fetchShell(), this.c.origin);
    } catch {
      build = undefined; // offline or the edge is down: keep what is installed
    }
    let reg: RegistrationLike | undefined;
    try {
      reg = this.registration ?? (await this.c.container.getRegistration());
    } catch {
      reg = undefined;
    }
    const newest = reg ? (reg.installing ?? reg.waiting ?? reg.active) : null;
    if (build !== undefined && (!newest || buildIdOfWorker(newest.scriptURL) !== build)) {
      try {
        reg = await this.c.container.register(serviceWorkerUrl(build), { scope: '/', updateViaCache: 'none' });
      } catch (err) {
        this.c.onEvent('warn', `offline support unavailable: ${errorText(err)}`);
        return;
      }
    } else if (reg) {
      try {
        await reg.update();
      } catch {
        // offline, or /sw.js briefly unavailable: the next check tries again
      }
    }
    if (reg) this.watch(reg);
  }

  private watch(reg: RegistrationLike): void {
    this.registration = reg;
    if (!this.watched.has(reg)) {
      this.watched.add(reg);
      reg.addEventListener('updatefound', () => {
        if (reg.installing) this.track(reg.installing);
      });
    }
    if (reg.installing) this.track(reg.installing);
    if (reg.waiting) this.onInstalled(reg.waiting);
  }

  private track(worker: WorkerLike): void {
    if (this.watched.has(worker)) return;
    this.watched.add(worker);
    worker.addEventListener('statechange', () => {
      if (worker.state === 'installed') this.onInstalled(worker);
      else if (worker.state === 'redundant' && this.offered === worker && !this.applying) {
        // Replaced by a newer install (which gets offered when it is ready) or failed.
        this.offered = undefined;
        this.c.view.hide();
      }
    });
    if (worker.state === 'installed') this.onInstalled(worker);
  }

  /** An installed worker waits only when another one controls the page; the first install takes over at once. */
  private onInstalled(worker: WorkerLike): void {
    if (this.c.container.controller === null || this.offered === worker || this.applying) return;
    this.offered = worker;
    this.c.onEvent('info', 'a new version of Otedama is ready; it takes over when you choose "Update now"');
    if (this.dismissed !== worker) this.c.view.show('ready');
  }

  private onControllerChange(): void {
    const first = !this.hadController;
    this.hadController = this.c.container.controller !== null;
    if (first) return; // the first install claimed the page: nothing was replaced
    if (this.applying) {
      this.reload();
      return;
    }
    // Another tab applied the update: this page runs the old version under the new worker.
    this.offered = undefined;
    this.c.onEvent('info', 'a new version of Otedama took over in another tab; reload to use it');
    this.c.view.show('switched');
  }

  /**
   * Applies the update: waits for the safe point, persists through beforeReload, then swaps the
   * worker and reloads (or only reloads, when another tab already swapped it). Safe to call twice.
   */
  async apply(): Promise<void> {
    if (this.applying) return;
    this.applying = true;
    this.c.view.show('applying');
    try {
      await this.c.safePoint();
      this.c.onEvent('info', 'switching to the new version of Otedama');
      await this.c.beforeReload();
    } catch (err) {
      this.applying = false;
      this.c.onEvent('error', `update postponed: ${errorText(err)}`);
      this.c.view.show(this.offered ? 'ready' : 'switched');
      return;
    }
    const waiting = this.registration?.waiting ?? null;
    if (!waiting) {
      this.reload(); // already swapped (another tab): the reload picks up the new version
      return;
    }
    waiting.postMessage({ type: 'skip-waiting' });
    this.c.setTimeout(() => {
      if (this.reloading) return;
      this.c.onEvent('warn', `the new version did not take over within ${ACTIVATION_TIMEOUT_MS / 1000} s; reloading`);
      this.reload();
    }, ACTIVATION_TIMEOUT_MS);
  }

  /** Hides the banner; the same update is not offered again on this page (it still applies on the next visit). */
  dismiss(): void {
    if (this.applying) return;
    this.dismissed = this.offered;
    this.c.view.hide();
  }

  private reload(): void {
    if (this.reloading) return;
    this.reloading = true;
    this.c.reload();
  }
}
