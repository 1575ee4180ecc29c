import { describe, expect, it } from 'vitest';
import { buildIdOfWorker, shellBuildId } from './shell-build.ts';
import {
  ACTIVATION_TIMEOUT_MS,
  ServiceWorkerUpdater,
  type ContainerLike,
  type PwaEventLevel,
  type RegistrationLike,
  type UpdateViewState,
  type WorkerLike,
} from './sw-update.ts';

const ORIGIN = 'http://127.0.0.1:8080';
const html = (entry: string) => `<script type="module" src="/assets/${entry}"></script><link rel="stylesheet" href="/assets/index-C.css">`;
const BUILD_A = shellBuildId(html('index-A.js'), ORIGIN)!;
const BUILD_B = shellBuildId(html('index-B.js'), ORIGIN)!;

/** A service worker as the browser drives it: a script URL, a state, received messages. */
class FakeWorker extends EventTarget implements WorkerLike {
  readonly messages: unknown[] = [];
  constructor(
    readonly scriptURL: string,
    public state: string,
  ) {
    super();
  }
  postMessage(message: unknown): void {
    this.messages.push(message);
  }
  setState(state: string): void {
    this.state = state;
    this.dispatchEvent(new Event('statechange'));
  }
}

class FakeRegistration extends EventTarget implements RegistrationLike {
  installing: FakeWorker | null = null;
  waiting: FakeWorker | null = null;
  active: FakeWorker | null = null;
  updates = 0;
  /** What the next update() finds: a changed /sw.js, or nothing. */
  nextUpdate: FakeWorker | undefined;
  async update(): Promise<void> {
    this.updates++;
    if (this.nextUpdate) this.beginInstall(this.nextUpdate);
    this.nextUpdate = undefined;
  }
  beginInstall(worker: FakeWorker): void {
    this.installing = worker;
    this.dispatchEvent(new Event('updatefound'));
  }
  /** The installing worker finished installing; it waits because a controller exists. */
  finishInstall(): void {
    const w = this.installing!;
    this.installing = null;
    this.waiting = w;
    w.setState('installed');
  }
}

/** navigator.serviceWorker: registrations by URL, the controller, controllerchange. */
class FakeContainer extends EventTarget implements ContainerLike {
  controller: FakeWorker | null = null;
  registration: FakeRegistration | undefined;
  registered: string[] = [];
  async register(url: string): Promise<RegistrationLike> {
    this.registered.push(url);
    this.registration ??= new FakeRegistration();
    const newest = this.registration.installing ?? this.registration.waiting ?? this.registration.active;
    if (!newest || new URL(newest.scriptURL).pathname + new URL(newest.scriptURL).search !== url) {
      this.registration.beginInstall(new FakeWorker(`${ORIGIN}${url}`, 'installing'));
    }
    return this.registration;
  }
  async getRegistration(): Promise<RegistrationLike | undefined> {
    return this.registration;
  }
  /** A waiting worker became active (skip-waiting here or in another tab) and claimed this page. */
  activateWaiting(): void {
    const reg = this.registration!;
    const w = reg.waiting!;
    reg.waiting = null;
    reg.active = w;
    w.setState('activated');
    this.controller = w;
    this.dispatchEvent(new Event('controllerchange'));
  }
}

/** An origin already running build A: an active worker controls the page. */
function controlledBy(build: string): FakeContainer {
  const container = new FakeContainer();
  container.registration = new FakeRegistration();
  const active = new FakeWorker(`${ORIGIN}/sw.js?build=${build}`, 'activated');
  container.registration.active = active;
  container.controller = active;
  return container;
}

function harness(container: FakeContainer, opts: { shell?: () => Promise<string>; safePoint?: () => Promise<void> } = {}) {
  const views: (UpdateViewState | 'hidden')[] = [];
  const events: [PwaEventLevel, string][] = [];
  const timers: { fn: () => void; ms: number }[] = [];
  const order: string[] = [];
  let served = html('index-A.js');
  let reloads = 0;
  const updater = new ServiceWorkerUpdater({
    container,
    origin: ORIGIN,
    fetchShell: opts.shell ?? (async () => served),
    reload: () => {
      reloads++;
      order.push('reload');
    },
    view: { show: (s) => views.push(s), hide: () => views.push('hidden') },
    onEvent: (level, text) => events.push([level, text]),
    safePoint: async () => {
      order.push('safePoint');
      await opts.safePoint?.();
    },
    beforeReload: async () => {
      order.push('beforeReload');
    },
    setTimeout: (fn, ms) => timers.push({ fn, ms }),
  });
  return {
    updater,
    views,
    events,
    timers,
    order,
    reloads: () => reloads,
    deploy: (entry: string) => (served = html(entry)),
  };
}

describe('ServiceWorkerUpdater', () => {
  it('registers the worker for the served build on first load and offers nothing when it takes over', async () => {
    const container = new FakeContainer();
    const h = harness(container);
    await h.updater.start();
    expect(container.registered).toEqual([`/sw.js?build=${BUILD_A}`]);
    const reg = container.registration!;
    // First install: no controller yet, so "installed" is not an update.
    reg.finishInstall();
    container.activateWaiting(); // skipWaiting + clients.claim() in sw.js
    expect(h.views).toEqual([]);
    expect(h.reloads()).toBe(0);
  });

  it('offers a changed /sw.js found by an update check, and swaps only after the safe point', async () => {
    const container = controlledBy(BUILD_A);
    let releaseSafePoint!: () => void;
    const safePoint = new Promise<void>((r) => (releaseSafePoint = r));
    const h = harness(container, { safePoint: () => safePoint });
    const reg = container.registration!;
    reg.nextUpdate = new FakeWorker(`${ORIGIN}/sw.js?build=${BUILD_A}`, 'installing');
    await h.updater.start();
    expect(container.registered).toEqual([]); // same build: update(), no new registration
    expect(reg.updates).toBe(1);
    expect(h.views).toEqual([]);
    reg.finishInstall();
    expect(h.views).toEqual(['ready']);
    expect(h.events.at(-1)?.[0]).toBe('info');

    const applied = h.updater.apply();
    await Promise.resolve();
    expect(h.views.at(-1)).toBe('applying');
    expect(reg.waiting!.messages).toEqual([]); // still mining: no swap before the job boundary
    releaseSafePoint();
    await applied;
    expect(h.order).toEqual(['safePoint', 'beforeReload']);
    expect(reg.waiting!.messages).toEqual([{ type: 'skip-waiting' }]);
    container.activateWaiting();
    expect(h.reloads()).toBe(1);
    expect(h.order).toEqual(['safePoint', 'beforeReload', 'reload']);
    // A later controllerchange (another tab, another update) never reloads this page again.
    container.dispatchEvent(new Event('controllerchange'));
    h.timers.forEach((t) => t.fn());
    expect(h.reloads()).toBe(1);
  });

  it('registers a new build found by a periodic check as an update that waits', async () => {
    const container = controlledBy(BUILD_A);
    const h = harness(container);
    await h.updater.start();
    expect(h.views).toEqual([]);
    h.deploy('index-B.js');
    await h.updater.check();
    expect(container.registered).toEqual([`/sw.js?build=${BUILD_B}`]);
    container.registration!.finishInstall();
    expect(h.views).toEqual(['ready']);
    expect(buildIdOfWorker(container.registration!.waiting!.scriptURL)).toBe(BUILD_B);
    // The next check sees the build installed (waiting): no second registration.
    await h.updater.check();
    expect(container.registered).toHaveLength(1);
  });

  it('offers an update that was already waiting when the page loaded', async () => {
    const container = controlledBy(BUILD_A);
    container.registration!.waiting = new FakeWorker(`${ORIGIN}/sw.js?build=${BUILD_A}`, 'installed');
    const h = harness(container);
    await h.updater.start();
    expect(h.views).toEqual(['ready']);
  });

  it('does nothing offline: no registration, no error shown', async () => {
    const container = controlledBy(BUILD_A);
    const reg = container.registration!;
    reg.update = async () => {
      throw new TypeError('Failed to fetch');
    };
    const h = harness(container, { shell: () => Promise.reject(new TypeError('Failed to fetch')) });
    await h.updater.start();
    expect(container.registered).toEqual([]);
    expect(h.views).toEqual([]);
    expect(h.events).toEqual([]);
  });

  it('reports a worker that cannot be registered in the event log', async () => {
    const container = new FakeContainer();
    container.register = () => Promise.reject(new DOMException('The script has an unsupported MIME type', 'SecurityError'));
    const h = harness(container);
    await h.updater.start();
    expect(h.events).toEqual([['warn', 'offline support unavailable: The script has an unsupported MIME type']]);
  });

  it('does not offer a dismissed update again, but offers a newer one', async () => {
    const container = controlledBy(BUILD_A);
    const h = harness(container);
    await h.updater.start();
    const reg = container.registration!;
    reg.nextUpdate = new FakeWorker(`${ORIGIN}/sw.js?build=${BUILD_A}`, 'installing');
    await h.updater.check();
    reg.finishInstall();
    h.updater.dismiss();
    expect(h.views).toEqual(['ready', 'hidden']);
    await h.updater.check(); // the same waiting worker: stays hidden
    expect(h.views).toEqual(['ready', 'hidden']);
    h.deploy('index-B.js');
    await h.updater.check();
    const first = reg.waiting!;
    reg.finishInstall(); // build B replaces the dismissed one
    first.setState('redundant');
    expect(h.views.filter((v) => v === 'ready')).toHaveLength(2);
    expect(h.views.at(-1)).toBe('ready');
  });

  it('shows, and does not act on, a swap another tab asked for; applying then only reloads', async () => {
    const container = controlledBy(BUILD_A);
    const h = harness(container);
    const reg = container.registration!;
    reg.nextUpdate = new FakeWorker(`${ORIGIN}/sw.js?build=${BUILD_A}`, 'installing');
    await h.updater.start();
    reg.finishInstall();
    container.activateWaiting(); // another tab pressed "Update now"
    expect(h.reloads()).toBe(0);
    expect(h.views).toEqual(['ready', 'switched']);
    await h.updater.apply();
    expect(h.order).toEqual(['safePoint', 'beforeReload', 'reload']);
  });

  it('reloads after ACTIVATION_TIMEOUT_MS when the new worker never takes over, and says so', async () => {
    const container = controlledBy(BUILD_A);
    const h = harness(container);
    const reg = container.registration!;
    reg.nextUpdate = new FakeWorker(`${ORIGIN}/sw.js?build=${BUILD_A}`, 'installing');
    await h.updater.start();
    reg.finishInstall();
    await h.updater.apply();
    expect(h.timers.map((t) => t.ms)).toEqual([ACTIVATION_TIMEOUT_MS]);
    expect(h.reloads()).toBe(0);
    h.timers[0]!.fn();
    expect(h.reloads()).toBe(1);
    expect(h.events.at(-1)).toEqual(['warn', `the new version did not take over within ${ACTIVATION_TIMEOUT_MS / 1000} s; reloading`]);
  });

  it('postpones the update, offering it again, when the safe point or persisting fails', async () => {
    const container = controlledBy(BUILD_A);
    const h = harness(container, { safePoint: () => Promise.reject(new Error('the miner stopped with an error')) });
    const reg = container.registration!;
    reg.nextUpdate = new FakeWorker(`${ORIGIN}/sw.js?build=${BUILD_A}`, 'installing');
    await h.updater.start();
    reg.finishInstall();
    await h.updater.apply();
    expect(reg.waiting!.messages).toEqual([]);
    expect(h.reloads()).toBe(0);
    expect(h.events.at(-1)).toEqual(['error', 'update postponed: the miner stopped with an error']);
    expect(h.views).toEqual(['ready', 'applying', 'ready']);
  });
});
