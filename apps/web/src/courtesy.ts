/**
 * Courtesy: the miner gives way when the person is doing something else (the tab is hidden), when
 * the device runs on its battery, and when the CPU is under pressure. A pure policy turns what the
 * browser reports into a throttle factor; a watcher feeds it from the Page Visibility, Battery
 * Status and Compute Pressure APIs, each only where the browser has it.
 *
 * The policy (courtesyThrottle) — the most restrictive condition wins and names its reason:
 *   tab hidden    whenHidden 'throttle' (default) → 0.25 "tab hidden"; 'pause' → 0; 'run' → 1.
 *                 Throttle, not pause, by default: people start the miner and switch to other
 *                 tabs, so hidden is this page's normal state; a quarter of the set intensity keeps
 *                 earning while the tab in front gets the CPU and the fans stay quiet.
 *   on battery    onBattery 'throttle' (default) → 0.5 "on battery (43 %)", and 0 below 20 %;
 *                 'pause' → 0 whenever it discharges; 'run' → 1. Charging never throttles.
 *   CPU pressure  only pressure that is not the miner's own (pressure-probe.ts: a high reading is
 *                 checked by resting the miner 3 s and reading again; on a 2-core machine one busy
 *                 worker reads 'critical' by itself, and that must not slow it down):
 *                 'serious' → 0.75, 'critical' → 0.5 "the device is busy with other work (CPU
 *                 pressure: critical)"; nominal/fair → 1. A throttle, not a pause: the person's
 *                 other work gets the CPU back and mining keeps earning.
 *                 Browsers report pressure only to the focused, visible tab, so the reading is
 *                 dropped when the tab is hidden rather than kept stale (a 'critical' seen on the
 *                 way out would otherwise slow a background miner for good); it comes back with
 *                 the next sample once the tab is in front again.
 *   Equal factors name the first of: tab hidden, on battery, CPU pressure.
 *
 * What the browser reports is data and may be odd; a reading the policy cannot interpret counts
 * as unknown, never as an alarm or a crash: a battery level that is not a number in 0..1 is
 * unknown (on battery still throttles, but there is no low-charge pause), a battery whose
 * `charging` is not a boolean is ignored, an unknown pressure state is ignored. Preferences are the
 * person's word, so a wrong one throws CourtesyError: mining against a 'pause' setting would break
 * consent.
 *
 * Wiring (main.ts, at Start, after the miner exists; stop it with the miner):
 *   const courtesy = watchCourtesy({ ...browserCourtesyEnv((level, text) => logEvent(level, text)),
 *     probe: (ms) => miner.restFor(ms) }, settings, (t) => miner.setThrottle(t.factor, t.reason));
 *   cleanups.push(() => courtesy.stop());
 *   // when the person changes #when-hidden / #on-battery while mining:
 *   courtesy.setPrefs({ whenHidden, onBattery });
 * onChange runs once at once with the initial result (visibility is known synchronously; battery
 * and pressure follow when the browser answers), then after every change of the result.
 * `#throttle` shows it through the miner's stats (duty, throttleReason), e.g. "paused: tab hidden",
 * "throttled to 50 %: on battery (43 %)", "throttled to 50 %: the device is busy with other work (CPU pressure: critical)".
 */
import { CourtesyError } from './errors.ts';
import { PRESSURE_RANK, PressureProbe, type PressureState } from './pressure-probe.ts';

export type CourtesyMode = 'pause' | 'throttle' | 'run';
export type { PressureState };

export interface BatteryReading {
  charging: boolean;
  /** Charge 0..1. */
  level: number;
}

/** What the page knows about its surroundings; absent fields are unknown (the API is missing). */
export interface CourtesyState {
  hidden: boolean;
  battery?: BatteryReading;
  /** CPU pressure without the miner's own load (pressure-probe.ts). */
  pressure?: PressureState;
}

export interface CourtesyPrefs {
  whenHidden: CourtesyMode;
  onBattery: CourtesyMode;
}

/** 0 pauses, 1 is full speed; `reason` names the condition whenever factor < 1. */
export interface CourtesyThrottle {
  factor: number;
  reason?: string;
}

export const DEFAULT_COURTESY_PREFS: Readonly<CourtesyPrefs> = Object.freeze({ whenHidden: 'throttle', onBattery: 'throttle' });
/** Factor while the tab is hidden and whenHidden is 'throttle'. */
export const HIDDEN_THROTTLE = 0.25;
/** Factor while discharging and onBattery is 'throttle'. */
export const BATTERY_THROTTLE = 0.5;
/** Below this charge (percent, as the battery reports it) 'throttle' pauses: keep the rest for the person. */
export const LOW_BATTERY_PERCENT = 20;
/** Factor under 'serious' CPU pressure. */
export const SERIOUS_PRESSURE_THROTTLE = 0.75;
/** Factor under 'critical' CPU pressure (never 0: see the policy above). */
export const CRITICAL_PRESSURE_THROTTLE = 0.5;
/** What the throttle says when other work keeps the device busy. */
export const BUSY_REASON = 'the device is busy with other work';
/** Requested interval (ms) between pressure samples: a probe's rest spans a few of them. */
export const PRESSURE_SAMPLE_INTERVAL_MS = 1_000;

const MODES: readonly CourtesyMode[] = ['pause', 'throttle', 'run'];

/** Checks the person's courtesy preferences (extra fields, like the rest of the settings, are ignored). */
export function checkCourtesyPrefs(prefs: unknown): CourtesyPrefs {
  if (typeof prefs !== 'object' || prefs === null) throw new CourtesyError(`courtesy preferences must be an object (got ${String(prefs)})`);
  const p = prefs as Record<string, unknown>;
  for (const key of ['whenHidden', 'onBattery'] as const) {
    if (!MODES.includes(p[key] as CourtesyMode)) {
      throw new CourtesyError(`${key} must be one of ${MODES.join(', ')} (got ${JSON.stringify(p[key]) ?? 'undefined'})`);
    }
  }
  return { whenHidden: p.whenHidden as CourtesyMode, onBattery: p.onBattery as CourtesyMode };
}

/** A pressure state the policy knows, or undefined for anything else. */
export function knownPressure(state: unknown): PressureState | undefined {
  return typeof state === 'string' && Object.hasOwn(PRESSURE_RANK, state) ? (state as PressureState) : undefined;
}

/** The battery's charge as a whole percent 0..100, or undefined when the level is not a number in 0..1. */
export function batteryPercent(level: unknown): number | undefined {
  return typeof level === 'number' && level >= 0 && level <= 1 ? Math.round(level * 100) : undefined;
}

/** The throttle for a state under the person's preferences: the most restrictive condition wins. */
export function courtesyThrottle(state: CourtesyState, prefs: CourtesyPrefs = DEFAULT_COURTESY_PREFS): CourtesyThrottle {
  const p = checkCourtesyPrefs(prefs);
  if (typeof state !== 'object' || state === null) throw new CourtesyError(`courtesy state must be an object (got ${String(state)})`);
  if (typeof state.hidden !== 'boolean') throw new CourtesyError(`state.hidden must be a boolean (got ${String(state.hidden)})`);
  const conditions: CourtesyThrottle[] = [];

  if (state.hidden && p.whenHidden !== 'run') {
    conditions.push({ factor: p.whenHidden === 'pause' ? 0 : HIDDEN_THROTTLE, reason: 'tab hidden' });
  }

  const battery = state.battery;
  if (battery && battery.charging === false && p.onBattery !== 'run') {
    const percent = batteryPercent(battery.level);
    const reason = percent === undefined ? 'on battery' : `on battery (${percent} %)`;
    const low = percent !== undefined && percent < LOW_BATTERY_PERCENT;
    conditions.push({ factor: p.onBattery === 'pause' || low ? 0 : BATTERY_THROTTLE, reason });
  }

  const pressure = knownPressure(state.pressure);
  if (pressure === 'serious' || pressure === 'critical') {
    conditions.push({ factor: pressure === 'critical' ? CRITICAL_PRESSURE_THROTTLE : SERIOUS_PRESSURE_THROTTLE, reason: `${BUSY_REASON} (CPU pressure: ${pressure})` });
  }

  let worst: CourtesyThrottle = { factor: 1 };
  for (const c of conditions) if (c.factor < worst.factor) worst = c;
  return worst;
}

export function sameThrottle(a: CourtesyThrottle, b: CourtesyThrottle): boolean {
  return a.factor === b.factor && a.reason === b.reason;
}

// ---- the watcher -------------------------------------------------------------------------------

/** The parts of BatteryManager the watcher reads. */
export interface BatteryLike extends EventTarget {
  readonly charging: boolean;
  readonly level: number;
}

export interface PressureRecordLike {
  readonly source: string;
  readonly state: string;
}

export interface PressureObserverLike {
  observe(source: 'cpu', options?: { sampleInterval?: number }): Promise<void>;
  disconnect(): void;
}

export interface PressureObserverConstructor {
  new (callback: (records: PressureRecordLike[]) => void): PressureObserverLike;
  readonly knownSources?: readonly string[];
}

/** Everything the watcher touches, injected; a missing API is simply undefined. */
export interface CourtesyEnv {
  document?: EventTarget & { readonly visibilityState: string };
  navigator?: { getBattery?: () => Promise<BatteryLike> };
  PressureObserver?: PressureObserverConstructor;
  setTimeout?: (fn: () => void, ms: number) => unknown;
  clearTimeout?: (handle: unknown) => void;
  /** Milliseconds on a monotonic clock (performance.now). */
  now?: () => number;
  /**
   * Rests the miner's engines for `ms` so that CPU pressure can be read without its own load
   * (BrowserMiner.restFor). Without it pressure is not acted on: the raw reading cannot tell the
   * miner's load from other work.
   */
  probe?: (ms: number) => Promise<void>;
  /** A pressure probe started (true) or ended (false). */
  onProbe?: (resting: boolean) => void;
  /** Where the watcher says what it could and could not observe (the page's event log). */
  log?: (level: 'info' | 'warn', text: string) => void;
}

export interface CourtesyWatcher {
  /** What is observed now (pressure as applied, after the easing hold). */
  state(): CourtesyState;
  /** The throttle for it under the current preferences. */
  throttle(): CourtesyThrottle;
  /** New preferences (e.g. changed while mining); reports the result if it changes. Throws CourtesyError. */
  setPrefs(prefs: CourtesyPrefs): void;
  /** Removes every listener, observer and timer; idempotent. onChange is not called after it. */
  stop(): void;
}

/** The real browser's APIs (feature-detected: any of them may be missing). */
export function browserCourtesyEnv(log?: CourtesyEnv['log']): CourtesyEnv {
  const g = globalThis as unknown as { document?: CourtesyEnv['document']; navigator?: CourtesyEnv['navigator']; PressureObserver?: PressureObserverConstructor };
  return {
    document: g.document,
    navigator: g.navigator,
    PressureObserver: g.PressureObserver,
    setTimeout: (fn, ms) => globalThis.setTimeout(fn, ms),
    clearTimeout: (h) => globalThis.clearTimeout(h as ReturnType<typeof setTimeout>),
    now: () => performance.now(),
    log,
  };
}

function errorText(err: unknown): string {
  if (err instanceof Error) return `${err.name}: ${err.message}`;
  return String(err);
}

/**
 * Observes visibility, battery and CPU pressure and calls onChange({factor, reason}) whenever the
 * throttle changes (once at once with the initial value). Never throws for a missing or failing
 * API; throws CourtesyError for bad preferences.
 */
export function watchCourtesy(env: CourtesyEnv, prefs: CourtesyPrefs, onChange: (throttle: CourtesyThrottle) => void): CourtesyWatcher {
  let current = checkCourtesyPrefs(prefs);
  const log = env.log ?? (() => {});
  const setTimer = env.setTimeout ?? ((fn: () => void, ms: number) => globalThis.setTimeout(fn, ms));
  const clearTimer = env.clearTimeout ?? ((h: unknown) => globalThis.clearTimeout(h as ReturnType<typeof setTimeout>));
  let stopped = false;
  const doc = env.document;
  const state: CourtesyState = { hidden: doc?.visibilityState === 'hidden' };
  let reported: CourtesyThrottle | undefined;
  const cleanups: (() => void)[] = [];
  /** Set where pressure is observed: drops the reading (browsers report pressure to visible pages only). */
  let forgetPressure = (): void => {};

  const update = (): void => {
    if (stopped) return;
    const next = courtesyThrottle(state, current);
    if (reported && sameThrottle(reported, next)) return;
    reported = next;
    onChange({ ...next });
  };

  // Page Visibility.
  if (doc && typeof doc.addEventListener === 'function') {
    const onVisibility = (): void => {
      state.hidden = doc.visibilityState === 'hidden';
      if (state.hidden) forgetPressure();
      update();
    };
    doc.addEventListener('visibilitychange', onVisibility);
    cleanups.push(() => doc.removeEventListener('visibilitychange', onVisibility));
  }

  // Battery Status: the promise may settle after stop(); then nothing is attached.
  const nav = env.navigator;
  if (nav && typeof nav.getBattery === 'function') {
    let request: Promise<BatteryLike>;
    try {
      request = Promise.resolve(nav.getBattery());
    } catch (err) {
      request = Promise.reject(err);
    }
    request.then(
      (battery) => {
        if (stopped) return;
        const read = (): void => {
          if (typeof battery.charging === 'boolean') state.battery = { charging: battery.charging, level: battery.level };
          else delete state.battery;
          update();
        };
        for (const type of ['chargingchange', 'levelchange']) battery.addEventListener(type, read);
        cleanups.push(() => {
          for (const type of ['chargingchange', 'levelchange']) battery.removeEventListener(type, read);
        });
        read();
      },
      (err: unknown) => {
        if (!stopped) log('info', `battery status unavailable (${errorText(err)}); mining ignores the battery`);
      },
    );
  }

  // Compute Pressure, checked against the miner's own load by resting it (pressure-probe.ts).
  const PO = env.PressureObserver;
  if (typeof PO === 'function' && (!Array.isArray(PO.knownSources) || PO.knownSources.includes('cpu'))) {
    if (!env.probe) {
      log('info', 'CPU pressure ignored: without resting the miner its own load cannot be told from other work');
    } else {
      const probe = new PressureProbe({
        rest: env.probe,
        onVerdict: (verdict) => {
          if (verdict === undefined) delete state.pressure;
          else state.pressure = verdict;
          update();
        },
        onResting: (resting) => {
          if (!stopped) env.onProbe?.(resting);
        },
        log: (text) => log('info', text),
        setTimeout: setTimer,
        clearTimeout: clearTimer,
        now: env.now ?? (() => Date.now()),
      });
      forgetPressure = () => probe.forget();
      try {
        const observer = new PO((records) => {
          if (stopped) return;
          let reading: PressureState | undefined;
          for (const r of records) if (r.source === 'cpu') reading = knownPressure(r.state) ?? reading;
          if (reading) probe.reading(reading);
        });
        cleanups.push(() => {
          probe.stop();
          observer.disconnect();
        });
        observer.observe('cpu', { sampleInterval: PRESSURE_SAMPLE_INTERVAL_MS }).then(
          () => {
            if (!stopped) log('info', 'watching CPU pressure: mining slows down when other work keeps the device busy');
          },
          (err: unknown) => {
            if (!stopped) log('info', `CPU pressure unavailable (${errorText(err)}); mining ignores it`);
          },
        );
      } catch (err) {
        probe.stop();
        log('info', `CPU pressure unavailable (${errorText(err)}); mining ignores it`);
      }
    }
  }

  update();

  return {
    state: () => ({ ...state, ...(state.battery ? { battery: { ...state.battery } } : {}) }),
    throttle: () => courtesyThrottle(state, current),
    setPrefs(next) {
      current = checkCourtesyPrefs(next);
      update();
    },
    stop() {
      if (stopped) return;
      stopped = true;
      for (const c of cleanups.splice(0)) c();
    },
  };
}
