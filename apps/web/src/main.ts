/**
 * The web miner's entry point. Before the person presses Start this module renders the setup
 * form, the remembered dashboard and history (IndexedDB) and nothing else: no miner code is loaded
 * and no job socket is opened. Start dynamically imports the miner, which brings the workers and
 * the pool connection.
 */
import { formatHashrate as formatRate } from '@otedama/core';
import type { MinerEvent, MinerStats } from './miner.ts';
import { openMinerRuntime, type MinerRuntime } from './miner-runtime.ts';
import { describeSpan, fetchPoolFigures, formatSats, type PoolFigures } from './pool-figures.ts';
import { registerPwa } from './pwa.ts';
import { renderChart } from './rate-chart.ts';
import { addEvent, addSample, averageRate, MAX_EVENTS, newSession, type LoggedEvent, type SessionRecord } from './session-history.ts';
import {
  BROWSER_ALGORITHMS,
  edgeHttpOrigin,
  offeredAlgorithms,
  parseEdges,
  repairSettings,
  type CourtesyMode,
  type Settings,
} from './settings.ts';
import { SettingsError } from './errors.ts';
import { openStore, type Store } from './store.ts';
import { pagePool } from './page-pool.ts';
import { setupWalletPanel, type WalletPanel } from './wallet-panel.ts';

const $ = <T extends HTMLElement = HTMLElement>(id: string) => document.getElementById(id) as T;
const input = (id: string) => $<HTMLInputElement>(id);
const LEGACY_SETTINGS_KEY = 'otedama.settings';
/** How often a hashrate sample goes into the session (and the chart). */
const SAMPLE_EVERY_MS = 2_000;
/** How often the running session is written to IndexedDB. */
const PERSIST_EVERY_MS = 5_000;
/** How often the pool's figures are read from the edge API while mining. */
const POOL_FIGURES_EVERY_MS = 15_000;
/** After the first accepted share, the edge's group commit needs a moment before the API shows it. */
const FIRST_SHARE_FIGURES_DELAY_MS = 1_500;
/** How often the network and earnings views are redrawn while the page is a peer of the sharechain. */
const PEER_VIEWS_EVERY_MS = 2_000;

const cores = navigator.hardwareConcurrency || 2;

/** Counters carried over from the stored session when a reload resumes it. */
type Base = Pick<SessionRecord, 'hashes' | 'accepted' | 'rejected' | 'stale' | 'rejectReasons'>;

interface Running {
  /** The miner with its lock and courtesy watcher (miner-runtime.ts). */
  runtime: MinerRuntime;
  session: SessionRecord;
  base: Base;
  lastSample: number;
  lastPersist: number;
  poolTimer: ReturnType<typeof setInterval>;
  edge: string;
  /** An accepted share was seen (the pool's figures were refreshed for it). */
  sawShare: boolean;
  /** Resources to release on stop (timers). */
  cleanups: (() => void)[];
  /** The latest total hashrate (the earnings view's time to the next share). */
  hashrate: number;
}

let store: Store;
let settings: Settings;
let running: Running | undefined;
let starting = false;
let walletPanel: WalletPanel | undefined;
/** The session shown in the dashboard (running, or the last one after a reload). */
let shown: SessionRecord | undefined;

// ---- event log -------------------------------------------------------------------------------

function appendEventRow(e: LoggedEvent): void {
  const li = document.createElement('li');
  li.className = e.level;
  li.textContent = `${new Date(e.t).toLocaleTimeString()} ${e.text}`;
  const list = $('events');
  list.prepend(li);
  while (list.children.length > MAX_EVENTS) list.lastElementChild?.remove();
}

function logEvent(level: LoggedEvent['level'], text: string): void {
  const e: LoggedEvent = { t: Date.now(), level, text };
  if (shown) addEvent(shown, e);
  appendEventRow(e);
}

// ---- dashboard -------------------------------------------------------------------------------

function renderCounters(c: Base): void {
  $('accepted').textContent = String(c.accepted);
  $('rejected').textContent = String(c.rejected);
  $('stale').textContent = String(c.stale);
  const reasons = Object.entries(c.rejectReasons);
  $('reject-reasons').textContent = reasons.length ? `Rejections: ${reasons.map(([r, n]) => `${r} ×${n}`).join(', ')}` : '';
}

function showSession(session: SessionRecord): void {
  shown = session;
  $('dashboard').hidden = false;
  renderCounters(session);
  renderChart($('chart') as unknown as SVGSVGElement, session.samples, formatRate);
  $('events').replaceChildren();
  for (const e of session.events) appendEventRow(e);
}

function merged(base: Base, stats: MinerStats): Base {
  const rejectReasons = { ...base.rejectReasons };
  for (const [r, n] of Object.entries(stats.rejectReasons)) rejectReasons[r] = (rejectReasons[r] ?? 0) + n;
  return {
    hashes: base.hashes + stats.hashes,
    accepted: base.accepted + stats.accepted,
    rejected: base.rejected + stats.rejected,
    stale: base.stale + stats.stale,
    rejectReasons,
  };
}

function onStats(run: Running, stats: MinerStats): void {
  if (running !== run) return;
  const counters = merged(run.base, stats);
  Object.assign(run.session, counters);
  run.hashrate = stats.hashrate;
  $('hashrate').textContent = formatRate(stats.hashrate);
  $('cpu-hashrate').textContent = formatRate(stats.cpuHashrate);
  $('gpu-hashrate').textContent = stats.gpuAdapter ? formatRate(stats.gpuHashrate) : '–';
  $('difficulty').textContent = stats.difficulty ? String(stats.difficulty) : '–';
  $('connection').textContent = stats.edge ? `${stats.connection} — ${stats.edge}` : stats.connection;
  // KawPow: the light cache and DAG builds the engines wait for, with percent and time left.
  const builds = stats.builds ?? [];
  $('builds').hidden = builds.length === 0;
  $('builds').textContent = builds.join('; ');
  $('throttle').textContent = stats.duty === 0 ? `paused${stats.throttleReason ? `: ${stats.throttleReason}` : ''}` : stats.throttleReason ? `throttled to ${Math.round(stats.duty * 100)} %: ${stats.throttleReason}` : '';
  renderCounters(counters);
  if (stats.edge) run.edge = stats.edge;
  // The first accepted share puts this address on the pool's books: read its figures soon
  // rather than at the next 15 s tick.
  if (stats.accepted > 0 && !run.sawShare && !run.runtime.peer) {
    run.sawShare = true;
    setTimeout(() => running === run && void refreshPoolFigures(run.edge, run.session.address), FIRST_SHARE_FIGURES_DELAY_MS);
  }
  const now = Date.now();
  if (now - run.lastSample >= SAMPLE_EVERY_MS) {
    run.lastSample = now;
    addSample(run.session, { t: now, total: stats.hashrate, cpu: stats.cpuHashrate, gpu: stats.gpuHashrate });
    renderChart($('chart') as unknown as SVGSVGElement, run.session.samples, formatRate);
  }
  run.session.updatedAt = now;
  if (now - run.lastPersist >= PERSIST_EVERY_MS) {
    run.lastPersist = now;
    void persist(run.session);
  }
}

async function persist(session: SessionRecord): Promise<void> {
  try {
    await store.putSession(session);
  } catch (err) {
    appendEventRow({ t: Date.now(), level: 'warn', text: `could not save the session: ${err instanceof Error ? err.message : String(err)}` });
  }
}

function renderPoolFigures(f: PoolFigures): void {
  $('pool-hashrate').textContent = f.poolHashrate === undefined ? '–' : formatRate(f.poolHashrate);
  // The edge averages over the time it observed (a young pool: its first seconds), and says so.
  $('pool-hashrate-span').textContent = f.poolHashrate === undefined || f.poolHashrateSeconds === undefined ? '' : describeSpan(f.poolHashrateSeconds);
  $('pool-miners').textContent = f.activeMiners === undefined ? '–' : String(f.activeMiners);
  $('pool-blocks').textContent = f.blocksFound === undefined ? '–' : String(f.blocksFound);
  // Nobody holds a balance: every block pays the sharechain's window directly.
  const est = f.miner?.nextBlockSats;
  const frac = f.miner?.windowFraction;
  $('balance').textContent = f.miner ? formatSats(est ?? '0') : f.noSharesYet ? 'no shares yet' : '–';
  $('paid').textContent = f.miner ? formatSats(f.miner.paidSats) : '–';
  $('estimate').textContent = frac !== undefined ? `${(frac * 100).toFixed(1)} %` : f.miner ? '0 %' : '–';
  const chance = f.miner?.lotteryChance;
  $('window-share').textContent = chance !== undefined ? `paid by lottery: ${(chance * 100).toFixed(1)} % chance per block` : frac !== undefined ? 'paid directly by each block' : '';
}

async function refreshPoolFigures(edge: string, address: string): Promise<void> {
  try {
    renderPoolFigures(await fetchPoolFigures(edgeHttpOrigin(edge), address));
    $('pool-status').textContent = `updated ${new Date().toLocaleTimeString()}`;
  } catch (err) {
    $('pool-status').textContent = `pool figures unavailable: ${err instanceof Error ? err.message : String(err)}`;
  }
}

async function renderHistory(): Promise<void> {
  const sessions = await store.sessions(10);
  const rows = sessions.map((s) => {
    const tr = document.createElement('tr');
    const minutes = Math.max(0, Math.round((s.updatedAt - s.id) / 60_000));
    for (const text of [new Date(s.id).toLocaleString(), `${minutes} min`, formatRate(averageRate(s)), String(s.accepted), String(s.rejected), String(s.stale)]) {
      const td = document.createElement('td');
      td.textContent = text;
      tr.append(td);
    }
    return tr;
  });
  $('history-rows').replaceChildren(...rows);
  $('history').hidden = rows.length === 0;
}

// ---- settings form ---------------------------------------------------------------------------

/**
 * The algorithms the setup lists: every one the page mines until the page's own pool names its
 * algorithm, then that one (offeredAlgorithms). Failover edges typed into the form are not asked
 * before Start; Start checks the algorithm against the pool it reaches.
 */
let offered: readonly { name: string; title: string }[] = BROWSER_ALGORITHMS;

function fillAlgorithms(wanted: string): void {
  const algo = $<HTMLSelectElement>('algorithm');
  const list = offered.length > 0 ? offered : BROWSER_ALGORITHMS;
  const chosen = list.some((a) => a.name === wanted) ? wanted : list[0]!.name;
  algo.replaceChildren(...list.map((a) => new Option(a.title, a.name, false, a.name === chosen)));
  updateTitle();
}

async function offerPoolAlgorithms(): Promise<void> {
  const pool = await pagePool();
  if (!pool || settings.edges.length > 0) return;
  offered = offeredAlgorithms(pool.algorithm);
  if (offered.length === 0) {
    $('setup-error').textContent = `This pool mines ${pool.algorithm}, which this page cannot mine yet.`;
    return;
  }
  if (!running) fillAlgorithms($<HTMLSelectElement>('algorithm').value);
}

function fillForm(s: Settings): void {
  input('address').value = s.address;
  fillAlgorithms(s.algorithm);
  input('threads').value = String(s.threads);
  input('threads').max = String(cores);
  $('threads-hint').textContent = `(this device has ${cores} cores)`;
  input('intensity').value = String(s.intensity);
  $('intensity-value').textContent = `${s.intensity} %`;
  $<HTMLSelectElement>('when-hidden').value = s.whenHidden;
  $<HTMLSelectElement>('on-battery').value = s.onBattery;
  $<HTMLTextAreaElement>('edges').value = s.edges.join('\n');
  updateTitle();
}

function updateTitle(): void {
  const algo = BROWSER_ALGORITHMS.find((a) => a.name === $<HTMLSelectElement>('algorithm').value);
  $('consent-title').textContent = `Mine ${algo?.title.replace(/ \(.*\)$/, '') ?? 'SHA-256d'} with this device`;
}

/** Reads the form; throws SettingsError for what cannot be parsed (the rest is checked at Start). */
function readForm(): Settings {
  const gpuBox = input('gpu');
  return {
    address: input('address').value.trim(),
    algorithm: $<HTMLSelectElement>('algorithm').value,
    threads: input('threads').value.trim() === '' ? NaN : Number(input('threads').value),
    gpu: gpuBox.checked && !gpuBox.disabled,
    intensity: Number(input('intensity').value),
    edges: parseEdges($<HTMLTextAreaElement>('edges').value),
    whenHidden: $<HTMLSelectElement>('when-hidden').value as CourtesyMode,
    onBattery: $<HTMLSelectElement>('on-battery').value as CourtesyMode,
  };
}

const IDLE_TITLE = document.title;

function setMiningUi(on: boolean): void {
  $('mining-indicator').hidden = !on;
  // The tab strip shows it too, so a background tab that mines is never a surprise.
  document.title = on ? `● mining — ${IDLE_TITLE}` : IDLE_TITLE;
  // While mining the dashboard comes first and the setup card shrinks to its controls.
  document.body.classList.toggle('mining', on);
  $('start').hidden = on;
  $('stop').hidden = !on;
  for (const id of ['address', 'algorithm', 'threads', 'edges']) ($(id) as HTMLInputElement).disabled = on;
  walletPanel?.setMining(on);
  if (on) input('gpu').disabled = true;
  else void probeGpu();
}

/**
 * Looks for a WebGPU adapter to name it next to the GPU checkbox. This asks the browser for an
 * adapter only: it loads no miner code, creates no device and opens no socket. The box stays
 * unticked until the person ticks it (or ticked it last time).
 */
async function probeGpu(): Promise<void> {
  const box = input('gpu');
  const note = $('gpu-adapter');
  const gpu = (navigator as Navigator & { gpu?: GPU }).gpu;
  if (!gpu) {
    note.textContent = 'unavailable: this browser has no WebGPU';
    return;
  }
  let adapter: GPUAdapter | null = null;
  try {
    adapter = (await gpu.requestAdapter()) ?? (await gpu.requestAdapter({ featureLevel: 'compatibility' } as GPURequestAdapterOptions));
  } catch (err) {
    note.textContent = `unavailable: ${err instanceof Error ? err.message : String(err)}`;
    return;
  }
  if (!adapter) {
    note.textContent = 'unavailable: no WebGPU adapter on this device';
    return;
  }
  const info = adapter.info;
  note.textContent = info.description || [info.vendor, info.architecture, info.device].filter(Boolean).join(' ') || 'WebGPU adapter';
  if (running) return;
  box.disabled = false;
  box.checked = settings.gpu;
}

// ---- start / stop ----------------------------------------------------------------------------

/**
 * Starts mining with `wanted`. `resume` continues a stored session (a reload that resumed).
 * Throws SettingsError, MiningBusyError or the miner's error; nothing keeps running after a throw.
 * The steps from settings to a running miner are the miner runtime's (miner-runtime.ts), shared
 * with the widget's frame.
 */
async function start(wanted: Settings, resume?: SessionRecord): Promise<void> {
  if (running || starting) return;
  starting = true;
  const clickedAt = performance.now();
  let runtime: MinerRuntime | undefined;
  try {
    runtime = await openMinerRuntime({
      wanted,
      cores,
      worker: 'web',
      log: logEvent,
      // CPU pressure counts only without the miner's own load: a high reading is checked by resting it (pressure-probe.ts).
      courtesy: (miner) => ({
        probe: (ms) => miner.restFor(ms),
        onProbe: (resting) => {
          document.body.dataset.pressureProbe = resting ? 'resting' : '';
          $('probe-note').textContent = resting ? 'resting a moment to measure CPU pressure without the miner' : '';
        },
      }),
    });
    const s = runtime.settings;
    settings = s;
    await store.set('settings', s);
    if (!(await store.get('consent'))) await store.set('consent', { at: Date.now() });

    const session = resume ?? newSession(Date.now(), s.address, s.algorithm);
    session.ended = false;
    const base: Base = { hashes: session.hashes, accepted: session.accepted, rejected: session.rejected, stale: session.stale, rejectReasons: { ...session.rejectReasons } };
    showSession(session);
    const run: Running = {
      runtime,
      session,
      base,
      lastSample: 0,
      lastPersist: 0,
      // A peer reads the pool's figures from its own chain; a Stratum miner asks the edge's API.
      poolTimer: runtime.peer
        ? setInterval(() => void refreshPeerViews(run), PEER_VIEWS_EVERY_MS)
        : setInterval(() => void refreshPoolFigures(run.edge, s.address), POOL_FIGURES_EVERY_MS),
      edge: runtime.edges[0]!,
      sawShare: false,
      cleanups: [],
      hashrate: 0,
    };
    showPeerViews(runtime.peer !== undefined);
    run.cleanups.push(() => clearInterval(run.poolTimer));
    let firstHashMeasured = false;
    let minerStartedAt = 0;
    running = run;
    setMiningUi(true);
    await store.set('run', { mining: true, sessionId: session.id });
    minerStartedAt = performance.now();
    await runtime.start({
      onStats: (stats) => {
        if (!firstHashMeasured && stats.firstHashMs !== undefined) {
          firstHashMeasured = true;
          const m = performance.measure('otedama:first-hash', { start: clickedAt, end: minerStartedAt + stats.firstHashMs });
          logEvent('info', `first hashes ${Math.round(m.duration)} ms after Start`);
        }
        onStats(run, stats);
      },
      onEvent: (e: MinerEvent) => logEvent(e.level, e.text),
    });
    if (running !== run) return;
    if (runtime.peer) void refreshPeerViews(run);
    else void refreshPoolFigures(run.edge, s.address);
    void persist(session);
  } catch (err) {
    await stop();
    await runtime?.stop();
    throw err;
  } finally {
    starting = false;
  }
}

async function stop(): Promise<void> {
  const run = running;
  running = undefined;
  setMiningUi(false);
  await store.set('run', { mining: false });
  if (!run) return;
  for (const c of run.cleanups.splice(0)) c();
  await run.runtime.stop();
  run.session.ended = true;
  run.session.updatedAt = Date.now();
  await persist(run.session);
  $('hashrate').textContent = formatRate(0);
  $('cpu-hashrate').textContent = formatRate(0);
  $('connection').textContent = 'stopped';
  $('throttle').textContent = '';
  $('probe-note').textContent = '';
  $('builds').hidden = true;
  delete document.body.dataset.pressureProbe;
  showPeerViews(false);
  void renderHistory();
}

/** Redraws the network and earnings views from the page's own chain (p2p/peer-dashboard.ts). */
async function refreshPeerViews(run: Running): Promise<void> {
  const peer = run.runtime.peer;
  if (!peer || running !== run) return;
  const { renderNetwork, renderEarnings } = await import('./p2p/peer-dashboard.ts');
  renderNetwork(peer.state());
  try {
    renderEarnings(await peer.summary(peer.scriptOf(run.session.address)), run.hashrate);
  } catch (err) {
    $('earn-window').textContent = `Earnings unavailable: ${err instanceof Error ? err.message : String(err)}`;
  }
}

function showPeerViews(on: boolean): void {
  $('network').hidden = !on;
  $('earnings').hidden = !on;
}

function showStartError(err: unknown): void {
  $('setup-error').textContent = err instanceof Error ? err.message : String(err);
  if (err instanceof SettingsError) $(err.field === 'whenHidden' ? 'when-hidden' : err.field === 'onBattery' ? 'on-battery' : err.field)?.focus();
}

// ---- wiring ----------------------------------------------------------------------------------

$('setup').addEventListener('submit', (ev) => {
  ev.preventDefault();
  $('setup-error').textContent = '';
  $('resume').hidden = true;
  let wanted: Settings;
  try {
    wanted = readForm();
  } catch (err) {
    showStartError(err);
    return;
  }
  ready.then(() => start(wanted)).catch(showStartError);
});
$('stop').addEventListener('click', () => void stop());
$('forget').addEventListener('click', () => {
  if (running) {
    $('setup-error').textContent = 'Stop mining before forgetting the settings and history.';
    return;
  }
  void ready
    .then(() => store.clear())
    .then(() => {
      shown = undefined;
      settings = repairSettings(undefined, cores);
      localStorage.removeItem(LEGACY_SETTINGS_KEY);
      fillForm(settings);
      $('dashboard').hidden = true;
      $('resume').hidden = true;
      $('events').replaceChildren();
      return renderHistory();
    })
    .catch((err: unknown) => appendEventRow({ t: Date.now(), level: 'error', text: `could not forget: ${err instanceof Error ? err.message : String(err)}` }));
});
$('algorithm').addEventListener('change', updateTitle);
input('intensity').addEventListener('input', () => {
  const v = Number(input('intensity').value);
  $('intensity-value').textContent = `${v} %`;
  if (running) {
    running.runtime.setIntensity(v / 100);
    settings = { ...settings, intensity: v };
    void store.set('settings', settings);
  }
});

for (const id of ['when-hidden', 'on-battery']) {
  $(id).addEventListener('change', () => {
    const whenHidden = $<HTMLSelectElement>('when-hidden').value as CourtesyMode;
    const onBattery = $<HTMLSelectElement>('on-battery').value as CourtesyMode;
    if (!running) return;
    running.runtime.setCourtesyPrefs({ whenHidden, onBattery });
    settings = { ...settings, whenHidden, onBattery };
    void store.set('settings', settings);
  });
}

// The running session is saved every few seconds; save it once more when the page goes away.
addEventListener('pagehide', () => {
  if (running) void persist(running.session);
});

async function init(): Promise<void> {
  const opened = await openStore();
  store = opened.store;
  let stored = await store.get('settings');
  if (stored === undefined) {
    try {
      stored = JSON.parse(localStorage.getItem(LEGACY_SETTINGS_KEY) ?? 'null');
    } catch {
      stored = undefined;
    }
  }
  settings = repairSettings(stored, cores);
  fillForm(settings);
  void offerPoolAlgorithms();
  void probeGpu();
  if (opened.problem) logEvent('warn', opened.problem);
  // The address help: a browser wallet on a test chain, where to get an address on a real coin.
  void setupWalletPanel(store, (address) => {
    input('address').value = address;
  }).then((panel) => {
    walletPanel = panel;
    panel.setMining(running !== undefined);
  });
  void renderHistory();

  const run = await store.get('run');
  const consent = await store.get('consent');
  if (!run?.mining || run.sessionId === undefined) return;
  const last = await store.session(run.sessionId);
  if (last) showSession(last);
  if (!consent) return;
  if (run.resumeAfterUpdate) {
    await store.set('run', { ...run, resumeAfterUpdate: false });
    logEvent('info', 'the new version is running; resuming mining');
    await start(settings, last).catch(showStartError);
    return;
  }
  // Ask once: either answer clears the flag.
  $('resume-detail').textContent = `Resume with the same settings (${settings.threads} CPU thread(s)${settings.gpu ? ' and the GPU' : ''}, ${settings.intensity} % intensity, paying ${settings.address})?`;
  $('resume').hidden = false;
  $('resume-yes').focus();
  $('resume-yes').onclick = () => {
    $('resume').hidden = true;
    start(settings, last).catch(showStartError);
  };
  $('resume-no').onclick = () => {
    $('resume').hidden = true;
    void store.set('run', { mining: false });
    if (last && !last.ended) {
      last.ended = true;
      void persist(last);
    }
  };
}

const ready = init();
ready.catch((err: unknown) => logEvent('error', `the page could not start: ${err instanceof Error ? err.message : String(err)}`));

// The service worker serves the app shell offline (public/sw.js) and installs new versions beside
// the running one; the "Update ready" banner swaps them at the miner's next job boundary, and the
// reloaded page resumes mining (init() reads resumeAfterUpdate). Loads no miner code (pwa.ts).
registerPwa({
  onEvent: logEvent,
  safePoint: () => running?.runtime.nextJob() ?? Promise.resolve(),
  async beforeReload() {
    const run = running;
    if (!run) return;
    run.session.updatedAt = Date.now();
    await persist(run.session);
    await store.set('run', { mining: true, sessionId: run.session.id, resumeAfterUpdate: true });
  },
});
